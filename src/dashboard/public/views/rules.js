// Survey rules: #/rules (the list, a page at a time, and the form that creates one),
// #/rules/{id} (a rule, pause/resume, delete, and its decisions by outcome) and
// #/rules/{id}/edit (the same form, filled in, saving with PATCH).
import { api, query } from '../api.js';
import { emptyState, fmtTime, h } from '../dom.js';
import { formFields, numberOrText } from '../forms.js';
import { conversationHref, setParams } from '../route.js';

const RULES_PER_PAGE = 50;
const DECISIONS_PER_PAGE = 100;

const TRIGGERS = [
  ['conversation_idle', 'The conversation goes quiet'],
  ['postback', 'The customer taps a button (postback)'],
  ['thread_released', 'Another app hands the thread back (handover)'],
];

const OUTCOMES = [
  ['', 'All outcomes'],
  ['scheduled', 'Scheduled'],
  ['sent', 'Sent'],
  ['skipped', 'Skipped'],
  ['cancelled', 'Cancelled'],
  ['failed', 'Failed'],
];

/** A decision's reason in words (GET /api/survey-rules/{id}/decisions, `reason`). */
export const REASONS = {
  throttled: 'Throttled: this customer had a survey from a rule within the throttle days',
  open_survey: 'The customer still had an unanswered survey',
  outside_window: 'Outside the messaging window (24 hours; 7 days with the feedback tag)',
  quiet_hours: 'In the rule’s quiet hours',
  sampled_out: 'Left out by the sample rate',
  customer_wrote_again: 'The customer wrote again before it was due',
  rule_disabled: 'The rule was paused',
  graph_error: 'Messenger refused the send (Graph API error)',
};

/** A decision's `reason` in words; no reason: what the outcome means. */
export function reasonText(decision) {
  if (decision.reason) return REASONS[decision.reason] ?? decision.reason;
  return decision.outcome === 'scheduled' ? 'Waiting until it is due' : '—';
}

/** The trigger in words, as the list shows it. */
export function triggerText(trigger) {
  switch (trigger?.type) {
    case 'conversation_idle':
      return `Quiet for ${trigger.idleMinutes} min after the Page answered`;
    case 'postback':
      return `Postback “${trigger.payload}”`;
    case 'thread_released':
      return 'Thread handed back';
    default:
      return String(trigger?.type ?? '—');
  }
}

function pagesText(rule) {
  return rule.pageIds === null ? 'Every Page' : rule.pageIds.join(', ');
}

/** The survey's template fields the form edits; the others a rule may hold are kept as they are. */
const SURVEY_FORM_FIELDS = ['type', 'questionTitle', 'title', 'followUp'];

function ruleFields(rule) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return [
    {
      name: 'name',
      label: 'Name',
      value: rule?.name,
      required: true,
      hint: 'At most 200 characters.',
    },
    {
      name: 'triggerType',
      label: 'Trigger',
      options: TRIGGERS,
      value: rule?.trigger.type ?? 'conversation_idle',
      errorKey: 'trigger.type',
    },
    {
      name: 'idleMinutes',
      label: 'Minutes of quiet',
      hint: 'The customer wrote, the Page answered, then nobody wrote for this long (1 to 10080).',
      value: rule?.trigger.idleMinutes ?? (rule ? '' : '30'),
      inputmode: 'numeric',
      errorKey: 'trigger.idleMinutes',
    },
    {
      name: 'payload',
      label: 'Postback payload',
      hint: 'The payload of the button, exactly as the Page’s template sends it.',
      value: rule?.trigger.payload,
      errorKey: 'trigger.payload',
    },
    {
      name: 'pageIds',
      label: 'Pages',
      hint: 'Page ids separated by commas; empty: every Page.',
      value: rule?.pageIds?.join(', '),
      errorKey: 'pageIds',
    },
    {
      name: 'surveyType',
      label: 'Survey type',
      options: [
        ['csat', 'CSAT'],
        ['nps', 'NPS'],
        ['ces', 'CES'],
      ],
      value: rule?.survey.type ?? 'csat',
      errorKey: ['survey', 'survey.type'],
    },
    {
      name: 'questionTitle',
      label: 'Question (5–85 characters)',
      hint: 'Empty: Meta’s default question for the type.',
      value: rule?.survey.questionTitle,
      errorKey: 'survey.questionTitle',
    },
    {
      name: 'title',
      label: 'Title (≤ 65)',
      value: rule?.survey.title,
      errorKey: 'survey.title',
    },
    {
      name: 'followUp',
      label: 'Ask for a comment',
      kind: 'checkbox',
      checked: Boolean(rule?.survey.followUp),
      errorKey: 'survey.followUp',
    },
    {
      name: 'throttleDays',
      label: 'Throttle (days)',
      hint: 'No survey from any rule to the same customer of a Page within this many days (1 to 365); empty: none.',
      value: rule?.throttle?.perCustomerDays,
      inputmode: 'numeric',
      errorKey: 'throttle.perCustomerDays',
    },
    {
      name: 'sampleRate',
      label: 'Sample rate',
      hint: 'The share of triggers that send a survey: more than 0, at most 1 (0.25 is one in four).',
      value: rule?.sampleRate ?? '1',
      inputmode: 'decimal',
      errorKey: 'sampleRate',
    },
    {
      name: 'quietFrom',
      label: 'Quiet hours from',
      hint: 'No survey from this time to the next; leave both empty for none.',
      kind: 'time',
      value: rule?.quietHours?.from,
      errorKey: ['quietHours', 'quietHours.from'],
    },
    {
      name: 'quietTo',
      label: 'Quiet hours to',
      kind: 'time',
      value: rule?.quietHours?.to,
      errorKey: 'quietHours.to',
    },
    {
      name: 'timeZone',
      label: 'Quiet hours time zone',
      hint: `An IANA time zone, e.g. ${zone}.`,
      value: rule?.quietHours?.timeZone,
      list: 'time-zones',
      errorKey: 'quietHours.timeZone',
    },
    {
      name: 'useFeedbackTag',
      label:
        'Use the feedback tag (up to 7 days after the customer’s last message; without it, 24 hours)',
      kind: 'checkbox',
      checked: rule ? rule.useFeedbackTag : true,
      errorKey: 'useFeedbackTag',
    },
    ...(rule
      ? []
      : [
          {
            name: 'enabled',
            label: 'Active as soon as it is created',
            kind: 'checkbox',
            checked: true,
          },
        ]),
  ];
}

/** The body of POST/PATCH /api/survey-rules from the form (and the rule being edited, if any). */
function ruleBody(form, rule) {
  const data = new FormData(form);
  const text = (name) => String(data.get(name) ?? '').trim();
  const triggerType = text('triggerType');
  const trigger = { type: triggerType };
  if (triggerType === 'conversation_idle' && text('idleMinutes'))
    trigger.idleMinutes = numberOrText(text('idleMinutes'));
  if (triggerType === 'postback' && text('payload')) trigger.payload = text('payload');
  const survey = { ...(rule?.survey ?? {}) };
  for (const key of SURVEY_FORM_FIELDS) delete survey[key];
  survey.type = text('surveyType');
  if (text('questionTitle')) survey.questionTitle = text('questionTitle');
  if (text('title')) survey.title = text('title');
  if (data.get('followUp')) {
    // A follow-up the API set with a placeholder is kept as it is.
    survey.followUp = rule?.survey.followUp ? rule.survey.followUp : true;
  }
  const pages = text('pageIds')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const quiet = [text('quietFrom'), text('quietTo'), text('timeZone')];
  const body = {
    name: text('name'),
    pageIds: pages.length ? pages : null,
    trigger,
    survey,
    throttle: text('throttleDays') ? { perCustomerDays: numberOrText(text('throttleDays')) } : null,
    sampleRate: text('sampleRate') ? numberOrText(text('sampleRate')) : 1,
    quietHours: quiet.some(Boolean) ? { from: quiet[0], to: quiet[1], timeZone: quiet[2] } : null,
    useFeedbackTag: Boolean(data.get('useFeedbackTag')),
  };
  if (!rule) body.enabled = Boolean(data.get('enabled'));
  return body;
}

let timeZones = null;
/** The time zones the browser knows, offered as suggestions (one datalist per page). */
function timeZoneList() {
  timeZones ??=
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return h(
    'datalist',
    { id: 'time-zones' },
    timeZones.map((zone) => h('option', { value: zone })),
  );
}

/** The create form (no rule) or the edit form of `rule`; `onSaved(rule)` after the service took it. */
function ruleForm(rule, onSaved) {
  const fields = formFields(ruleFields(rule), 'r');
  const triggerType = fields.control('triggerType');
  const showTriggerParameter = () => {
    fields.row('idleMinutes').hidden = triggerType.value !== 'conversation_idle';
    fields.row('payload').hidden = triggerType.value !== 'postback';
  };
  triggerType.addEventListener('change', showTriggerParameter);
  showTriggerParameter();
  const heading = rule ? `Edit “${rule.name}”` : 'Create a rule';
  const group = (legend, names) =>
    h(
      'fieldset',
      {},
      h('legend', {}, legend),
      names.map((name) => fields.row(name)),
    );
  const form = h(
    'form',
    { class: 'rule-form', novalidate: true, 'aria-labelledby': 'rule-form-heading' },
    h(rule ? 'h1' : 'h2', { id: 'rule-form-heading' }, heading),
    group('When', ['name', 'triggerType', 'idleMinutes', 'payload', 'pageIds']),
    group('What is sent', ['surveyType', 'questionTitle', 'title', 'followUp']),
    group('Limits', [
      'throttleDays',
      'sampleRate',
      'quietFrom',
      'quietTo',
      'timeZone',
      'useFeedbackTag',
      ...(rule ? [] : ['enabled']),
    ]),
    timeZoneList(),
    fields.general,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, rule ? 'Save the rule' : 'Create the rule'),
      rule ? h('a', { href: `#/rules/${encodeURIComponent(rule.id)}` }, 'Cancel') : null,
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fields.clearErrors();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const saved = rule
        ? await api(`/api/survey-rules/${encodeURIComponent(rule.id)}`, {
            method: 'PATCH',
            json: ruleBody(form, rule),
          })
        : await api('/api/survey-rules', { method: 'POST', json: ruleBody(form, null) });
      onSaved(saved);
    } catch (error) {
      if (!fields.showErrors(error)) throw error;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/**
 * Pause or resume (PATCH enabled); `done(rule)` with the service's answer renders the view again,
 * and the focus goes back to the same rule's new button (keyboard users stay where they were).
 */
function pauseButton(rule, done) {
  const note = h('span', { role: 'status', class: 'muted' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-pause': rule.id,
      'aria-label': `${rule.enabled ? 'Pause' : 'Resume'} rule ${rule.name}`,
      onclick: async () => {
        button.disabled = true;
        try {
          const view = button.closest('.view');
          await done(
            await api(`/api/survey-rules/${encodeURIComponent(rule.id)}`, {
              method: 'PATCH',
              json: { enabled: !rule.enabled },
            }),
          );
          view?.querySelector(`button[data-pause="${CSS.escape(rule.id)}"]`)?.focus();
        } catch (error) {
          note.textContent = `refused: ${error.message}`;
          button.disabled = false;
        }
      },
    },
    rule.enabled ? 'Pause' : 'Resume',
  );
  return [button, note];
}

/** Delete, asking first in place (the question and its two buttons replace the button). */
function deleteButton(rule, done) {
  const box = h('span', { class: 'confirm' });
  const ask = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      'aria-label': `Delete rule ${rule.name}`,
      onclick: () => {
        const note = h('span', { role: 'status', class: 'muted' });
        const yes = h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              yes.disabled = true;
              try {
                await api(`/api/survey-rules/${encodeURIComponent(rule.id)}`, {
                  method: 'DELETE',
                });
                done();
              } catch (error) {
                note.textContent = `refused: ${error.message}`;
                yes.disabled = false;
              }
            },
          },
          'Yes, delete it',
        );
        const no = h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              box.replaceChildren(ask);
              ask.focus();
            },
          },
          'Keep it',
        );
        box.replaceChildren(
          h('span', { role: 'alert' }, `Delete “${rule.name}” and its decisions?`),
          ' ',
          yes,
          ' ',
          no,
          ' ',
          note,
        );
        yes.focus();
      },
    },
    'Delete',
  );
  box.append(ask);
  return box;
}

function statusText(rule) {
  return rule.enabled ? 'Active' : 'Paused';
}

function rulesTable(rules, rerender) {
  return h(
    'table',
    { class: 'rules' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Name', 'Trigger', 'Pages', 'Survey', 'Status', 'Actions'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rules.map((rule) =>
        h(
          'tr',
          { 'data-rule-id': rule.id },
          h(
            'td',
            { class: 'name' },
            h('a', { href: `#/rules/${encodeURIComponent(rule.id)}` }, rule.name),
          ),
          h('td', { class: 'trigger' }, triggerText(rule.trigger)),
          h('td', { class: 'pages' }, pagesText(rule)),
          h('td', { class: 'survey' }, String(rule.survey.type ?? '').toUpperCase()),
          h('td', { class: `status ${rule.enabled ? 'on' : 'off'}` }, statusText(rule)),
          h(
            'td',
            { class: 'actions' },
            pauseButton(rule, rerender),
            ' ',
            h(
              'a',
              {
                href: `#/rules/${encodeURIComponent(rule.id)}/edit`,
                'aria-label': `Edit rule ${rule.name}`,
              },
              'Edit',
            ),
            ' ',
            deleteButton(rule, rerender),
          ),
        ),
      ),
    ),
  );
}

function pager(cursor, nextCursor, label) {
  if (!cursor && !nextCursor) return null;
  const link = (text, value) =>
    h(
      'button',
      { type: 'button', class: 'link', onclick: () => setParams({ cursor: value }) },
      text,
    );
  return h(
    'nav',
    { class: 'pager', 'aria-label': label },
    cursor ? link('First page', '') : null,
    cursor && nextCursor ? ' · ' : null,
    nextCursor ? link('Next page', nextCursor) : null,
  );
}

async function renderList(main, params) {
  const cursor = params.get('cursor') ?? '';
  const list = await api(`/api/survey-rules${query({ limit: RULES_PER_PAGE, cursor })}`);
  const rerender = () => render(main, { segments: ['rules'], params });
  const body =
    list.items.length === 0 && !cursor
      ? emptyState(
          'No rules yet.',
          'A rule sends a survey by itself when something happens in a conversation: the customer goes quiet after the Page answered, taps a button (postback), or another app hands the thread back.',
          'It keeps to its limits (a throttle per customer, a sample rate, quiet hours, the messaging window) and records each decision with its reason. Create one with the form below.',
        )
      : [
          h(
            'p',
            { class: 'muted' },
            'Each rule sends its survey when its trigger fires, within its limits.',
          ),
          h('div', { class: 'table-wrap' }, rulesTable(list.items, rerender)),
          pager(cursor, list.nextCursor, 'Pages of rules'),
        ];
  show(
    main,
    h('h1', {}, 'Rules'),
    body,
    ruleForm(null, (created) => {
      location.hash = `#/rules/${encodeURIComponent(created.id)}`;
    }),
  );
}

function summary(rule) {
  const row = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
  const survey = rule.survey;
  return h(
    'dl',
    { class: 'rule-summary' },
    row('Status', statusText(rule)),
    row('Trigger', triggerText(rule.trigger)),
    row('Pages', pagesText(rule)),
    row(
      'Survey',
      [
        String(survey.type ?? '').toUpperCase(),
        survey.questionTitle ? `“${survey.questionTitle}”` : null,
        survey.title ? `title “${survey.title}”` : null,
        survey.followUp ? 'asks for a comment' : null,
      ]
        .filter(Boolean)
        .join(', '),
    ),
    row('Throttle', rule.throttle ? `${rule.throttle.perCustomerDays} days per customer` : 'None'),
    row('Sample rate', String(rule.sampleRate)),
    row(
      'Quiet hours',
      rule.quietHours
        ? `${rule.quietHours.from}–${rule.quietHours.to} (${rule.quietHours.timeZone})`
        : 'None',
    ),
    row('Feedback tag', rule.useFeedbackTag ? 'Yes (up to 7 days)' : 'No (24 hours)'),
    row('Updated', fmtTime(rule.updatedAt)),
  );
}

function decisionsTable(decisions) {
  return h(
    'table',
    { class: 'decisions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Decided', 'Customer', 'Page', 'Outcome', 'Reason', 'Due'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      decisions.map((d) =>
        h(
          'tr',
          { 'data-decision-id': d.id },
          h('td', {}, fmtTime(d.decidedAt)),
          h('td', {}, h('a', { href: conversationHref(d.pageId, d.userId) }, d.userId)),
          h('td', {}, d.pageId),
          h('td', { class: `outcome ${d.outcome}` }, d.outcome),
          h('td', { class: 'reason', 'data-reason': d.reason ?? '' }, reasonText(d)),
          h('td', {}, fmtTime(d.dueAt)),
        ),
      ),
    ),
  );
}

async function renderRule(main, id, params) {
  const outcome = params.get('outcome') ?? '';
  const cursor = params.get('cursor') ?? '';
  const path = `/api/survey-rules/${encodeURIComponent(id)}`;
  const [rule, decisions] = await Promise.all([
    api(path),
    api(`${path}/decisions${query({ outcome, limit: DECISIONS_PER_PAGE, cursor })}`),
  ]);
  const rerender = () => render(main, { segments: ['rules', id], params });
  const outcomeSelect = h(
    'select',
    { id: 'f-outcome' },
    OUTCOMES.map(([value, text]) => h('option', { value, selected: value === outcome }, text)),
  );
  outcomeSelect.addEventListener('change', () =>
    setParams({ outcome: outcomeSelect.value, cursor: '' }),
  );
  const table =
    decisions.items.length === 0
      ? emptyState(
          outcome ? `No ${outcome} decisions.` : 'No decisions yet.',
          'Each time the trigger fires, the rule decides whether to send its survey (or why not) and the decision is listed here.',
        )
      : h('div', { class: 'table-wrap' }, decisionsTable(decisions.items));
  show(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/rules' }, 'All rules')),
    h('h1', {}, rule.name),
    summary(rule),
    h(
      'div',
      { class: 'actions' },
      pauseButton(rule, rerender),
      ' ',
      h('a', { href: `#/rules/${encodeURIComponent(rule.id)}/edit` }, 'Edit'),
      ' ',
      deleteButton(rule, () => {
        location.hash = '#/rules';
      }),
    ),
    h('h2', {}, 'Decisions'),
    h(
      'div',
      { class: 'filters' },
      h('span', { class: 'field' }, h('label', { for: 'f-outcome' }, 'Outcome'), outcomeSelect),
    ),
    table,
    pager(cursor, decisions.nextCursor, 'Pages of decisions'),
  );
}

async function renderEdit(main, id) {
  const rule = await api(`/api/survey-rules/${encodeURIComponent(id)}`);
  show(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: `#/rules/${encodeURIComponent(id)}` }, rule.name)),
    ruleForm(rule, () => {
      location.hash = `#/rules/${encodeURIComponent(id)}`;
    }),
  );
}

/** Puts the view's parts on screen (lists are spread, absent parts left out). */
function show(main, ...parts) {
  main.replaceChildren(...parts.flat().filter(Boolean));
}

/** Whether the route is one of this view's: #/rules, #/rules/{id}, #/rules/{id}/edit. */
export function handles(segments) {
  return (
    segments.length === 1 ||
    segments.length === 2 ||
    (segments.length === 3 && segments[2] === 'edit')
  );
}

export async function render(main, { segments, params }) {
  if (segments.length === 1) return renderList(main, params);
  if (segments.length === 2) return renderRule(main, segments[1], params);
  return renderEdit(main, segments[1]);
}
