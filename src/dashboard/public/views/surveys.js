import { api, query } from '../api.js';
import { emptyState, fmtTime, h, noDataHint } from '../dom.js';
import { formFields } from '../forms.js';
import { conversationHref, setParams } from '../route.js';

const FIELDS = [
  { name: 'recipientId', label: 'Customer (PSID)', required: true },
  { name: 'pageId', label: 'Page id (when several Pages)' },
  {
    name: 'type',
    label: 'Type',
    options: [
      ['csat', 'CSAT'],
      ['nps', 'NPS'],
      ['ces', 'CES'],
    ],
    required: true,
  },
  { name: 'questionTitle', label: 'Question (5–85 characters)' },
  { name: 'title', label: 'Title (≤ 65)' },
];

function sendForm(onSent) {
  const fields = formFields(FIELDS, 's');
  const form = h(
    'form',
    { class: 'send', novalidate: true, 'aria-labelledby': 'send-heading' },
    h('h2', { id: 'send-heading' }, 'Send a survey'),
    fields.rows,
    h(
      'div',
      { class: 'form-row' },
      h('label', {}, h('input', { type: 'checkbox', name: 'followUp' }), ' Ask for a comment'),
    ),
    fields.general,
    h('button', { type: 'submit' }, 'Send'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fields.clearErrors();
    const data = new FormData(form);
    const body = {};
    for (const field of FIELDS) {
      const value = String(data.get(field.name) ?? '').trim();
      if (value) body[field.name] = value;
    }
    if (data.get('followUp')) body.followUp = true;
    try {
      const sent = await api('/api/surveys', { method: 'POST', json: body });
      form.reset();
      onSent(sent);
    } catch (error) {
      // Messages name their field first ("title must be …"): shown next to it.
      if (!fields.showErrors(error)) throw error;
    }
  });
  return form;
}

export async function render(main, { params }) {
  const status = params.get('status') ?? '';
  const list = await api(`/api/surveys${query({ status, limit: 100 })}`);
  const statusSelect = h(
    'select',
    { id: 'f-status' },
    [
      ['', 'All'],
      ['sent', 'Sent'],
      ['responded', 'Responded'],
      ['expired', 'Expired'],
      ['failed', 'Failed'],
    ].map(([value, text]) => h('option', { value, selected: value === status }, text)),
  );
  statusSelect.addEventListener('change', () => setParams({ status: statusSelect.value }));
  const table =
    list.items.length === 0
      ? emptyState('No surveys yet.', 'Send one with the form below, or:', ...noDataHint())
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Sent', 'Type', 'Customer', 'Status', 'Answer / reason'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            list.items.map((s) =>
              h(
                'tr',
                {},
                h('td', {}, fmtTime(s.sentAt)),
                h('td', {}, s.type.toUpperCase()),
                h(
                  'td',
                  {},
                  h('a', { href: conversationHref(s.pageId, s.recipientId) }, s.recipientId),
                ),
                h('td', {}, s.status),
                h(
                  'td',
                  {},
                  s.response
                    ? `${s.response.score}${s.response.followUpText ? ` — ${s.response.followUpText}` : ''}`
                    : s.error
                      ? (s.error.message ?? JSON.stringify(s.error))
                      : '',
                ),
              ),
            ),
          ),
        );
  main.replaceChildren(
    h('h1', {}, 'Surveys'),
    h(
      'div',
      { class: 'filters' },
      h('span', { class: 'field' }, h('label', { for: 'f-status' }, 'Status'), statusSelect),
    ),
    table,
    sendForm(() => render(main, { params })),
  );
}
