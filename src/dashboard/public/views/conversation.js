import { api, query } from '../api.js';
import { emptyState, fmtTime, h } from '../dom.js';

/** The most messages and surveys one transcript shows (the newest are paged past). */
const LIMIT = 500;

function attachment(item) {
  const url = item.url && /^https?:\/\//.test(item.url) ? item.url : null;
  if (item.type === 'image' && url) {
    return h(
      'a',
      { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'thumb' },
      h('img', {
        src: url,
        alt: item.title || 'image sent in the conversation',
        loading: 'lazy',
        width: 160,
      }),
    );
  }
  const label = item.title || item.type;
  if (url)
    return h(
      'a',
      { href: url, target: '_blank', rel: 'noopener noreferrer' },
      `${label} (${item.type})`,
    );
  if (item.coordinates)
    return h('span', {}, `location ${item.coordinates.lat}, ${item.coordinates.long}`);
  return h('span', {}, `[${label}]`);
}

function surveyCard(survey) {
  const answered = survey.response;
  return h(
    'div',
    { class: 'survey-card', 'data-testid': 'survey' },
    h('p', { class: 'survey-head' }, `${survey.type.toUpperCase()} survey · ${survey.status}`),
    answered
      ? h(
          'p',
          {},
          h('strong', {}, `Score ${answered.score}`),
          answered.followUpText ? ` — “${answered.followUpText}”` : '',
          h('span', { class: 'muted' }, ` (${fmtTime(answered.submittedAt)})`),
        )
      : h(
          'p',
          { class: 'muted' },
          survey.status === 'failed'
            ? `Not sent: ${survey.error?.message ?? 'Graph API error'}`
            : `Sent ${fmtTime(survey.sentAt)}, no answer yet`,
        ),
  );
}

function bubble(message, byMid, surveysByMid) {
  const out = message.direction === 'outbound';
  const quoted = message.replyTo ? byMid.get(message.replyTo) : null;
  const receipt = out
    ? message.readAt
      ? `Read ${fmtTime(message.readAt)}`
      : message.deliveredAt
        ? `Delivered ${fmtTime(message.deliveredAt)}`
        : null
    : null;
  const survey = surveysByMid.get(message.mid);
  return h(
    'li',
    { class: `msg ${out ? 'out' : 'in'}`, 'data-testid': 'message' },
    h(
      'div',
      { class: 'bubble' },
      message.replyTo
        ? h(
            'blockquote',
            { class: 'quote' },
            quoted ? (quoted.text ?? '[attachment]') : 'a message not on record',
          )
        : null,
      message.text ? h('p', { class: 'text' }, message.text) : null,
      message.attachments.length
        ? h('div', { class: 'attachments' }, message.attachments.map(attachment))
        : null,
      survey ? surveyCard(survey) : null,
      message.edits.length
        ? h(
            'p',
            { class: 'muted' },
            `edited ${message.edits.length}×`,
            h(
              'details',
              {},
              h('summary', {}, 'earlier versions'),
              h(
                'ul',
                {},
                message.edits.map((edit) => h('li', {}, `${fmtTime(edit.editedAt)}: ${edit.text}`)),
              ),
            ),
          )
        : null,
    ),
    message.reactions.length
      ? h(
          'p',
          { class: 'reactions', 'aria-label': 'reactions' },
          message.reactions.map((r) => h('span', { title: r.reaction }, r.emoji ?? r.reaction)),
        )
      : null,
    h(
      'p',
      { class: 'meta' },
      fmtTime(message.timestamp),
      receipt ? ` · ${receipt}` : '',
      message.responseFeedback
        ? h(
            'span',
            { class: `feedback ${message.responseFeedback}` },
            ` · ${message.responseFeedback === 'good' ? 'Good response' : 'Bad response'}`,
          )
        : '',
    ),
  );
}

export async function render(main, { segments }) {
  const [, pageId, userId] = segments;
  const [messages, surveys] = await Promise.all([
    api(
      `/api/conversations/${encodeURIComponent(pageId)}/${encodeURIComponent(userId)}/messages${query({ limit: LIMIT })}`,
    ),
    api(`/api/surveys${query({ pageId, recipientId: userId, limit: LIMIT })}`),
  ]);
  const heading = h('h1', {}, `Conversation with ${userId}`);
  const sub = h('p', { class: 'muted' }, `Page ${pageId}`);
  if (messages.items.length === 0 && surveys.items.length === 0) {
    main.replaceChildren(
      heading,
      sub,
      emptyState(
        'No messages with this customer on record.',
        'Messages appear here as the webhook receives them.',
      ),
    );
    return;
  }
  const byMid = new Map(messages.items.map((m) => [m.mid, m]));
  const surveysByMid = new Map(
    surveys.items.filter((s) => s.messageId && byMid.has(s.messageId)).map((s) => [s.messageId, s]),
  );
  // Surveys whose template message is not on record (no echo): in the transcript at their time.
  const loose = surveys.items
    .filter((s) => !s.messageId || !byMid.has(s.messageId))
    .map((s) => ({ at: s.sentAt ?? s.createdAt ?? '', survey: s }));
  const entries = [
    ...messages.items.map((m) => ({ at: m.timestamp, node: () => bubble(m, byMid, surveysByMid) })),
    ...loose.map(({ at, survey }) => ({
      at,
      node: () =>
        h(
          'li',
          { class: 'msg out' },
          h('div', { class: 'bubble' }, surveyCard(survey)),
          h('p', { class: 'meta' }, fmtTime(at)),
        ),
    })),
  ].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
  main.replaceChildren(
    heading,
    sub,
    h(
      'ol',
      { class: 'transcript', 'aria-label': 'Messages, oldest first' },
      entries.map((entry) => entry.node()),
    ),
  );
}
