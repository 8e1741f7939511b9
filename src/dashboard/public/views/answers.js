import { api, query } from '../api.js';
import { emptyState, fmtTime, h, noDataHint } from '../dom.js';
import { filterBar, pagesList } from '../filters.js';
import { conversationHref, periodOf } from '../route.js';

/** Answers per request; "Show more" asks for the next page with its cursor. */
const PAGE_SIZE = 100;
const BANDS = ['low', 'neutral', 'high'];

function row(item, band) {
  return h(
    'tr',
    { class: band ? `band-${band}` : '' },
    h('td', { class: 'score' }, String(item.score)),
    h('td', {}, item.type.toUpperCase()),
    h('td', { class: 'comment' }, item.text),
    h('td', {}, item.userId),
    h('td', {}, fmtTime(item.submittedAt)),
    h(
      'td',
      {},
      h(
        'a',
        {
          href: conversationHref(item.pageId, item.userId),
          'aria-label': `Open the conversation with ${item.userId}`,
        },
        'Open',
      ),
    ),
  );
}

/** The band of a score, as the service defines them (GET /api/scores/comments?band=). */
const BAND_LIMITS = { csat: [2, 4], nps: [6, 9], ces: [3, 5] };
function bandOf(type, score) {
  const [lowMax, highMin] = BAND_LIMITS[type] ?? [-1, Infinity];
  return score <= lowMax ? 'low' : score >= highMin ? 'high' : 'neutral';
}

export async function render(main, { params }) {
  const { from, to } = periodOf(params);
  const pageId = params.get('pageId') ?? '';
  const type = ['csat', 'nps', 'ces'].includes(params.get('type')) ? params.get('type') : '';
  const band = BANDS.includes(params.get('band')) ? params.get('band') : '';
  const order = params.get('sort') === 'lowest' ? 'lowest' : 'newest';
  const filter = { type, pageId, from, to };
  const [pages, first] = await Promise.all([
    pagesList(),
    api(`/api/scores/comments${query({ ...filter, band, order, limit: PAGE_SIZE })}`),
  ]);
  const heading = h('h1', {}, 'Answers');
  const filters = filterBar(params, pages, [
    {
      name: 'type',
      label: 'Type',
      options: [
        ['', 'All'],
        ['csat', 'CSAT'],
        ['nps', 'NPS'],
        ['ces', 'CES'],
      ],
    },
    {
      name: 'band',
      label: 'Score',
      options: [
        ['', 'All'],
        ['low', 'Low'],
        ['neutral', 'Neutral'],
        ['high', 'High'],
      ],
    },
    {
      name: 'sort',
      label: 'Order',
      options: [
        ['newest', 'Newest first'],
        ['lowest', 'Lowest first'],
      ],
    },
  ]);
  // The table's type, Page and period (the export has no score band or comment filter: the note
  // says so), downloaded with the session cookie like any other GET.
  const exportLink = h(
    'p',
    { class: 'export' },
    h(
      'a',
      {
        href: `/api/exports/answers${query({ format: 'csv', ...filter })}`,
        download: '',
        'data-testid': 'export-csv',
      },
      'Download as CSV',
    ),
    h(
      'span',
      { class: 'muted' },
      ' — every answer of this type, Page and period, any score, with or without a comment',
    ),
  );
  if (first.items.length === 0) {
    main.replaceChildren(
      heading,
      filters,
      emptyState(
        'No answers with a comment match these filters.',
        'Widen the period or clear a filter.',
        ...noDataHint(),
      ),
    );
    return;
  }
  const body = h(
    'tbody',
    {},
    first.items.map((item) => row(item, bandOf(item.type, item.score))),
  );
  const more = h('p', {});
  const showMore = (cursor) => {
    more.replaceChildren();
    if (cursor === null) return;
    more.append(
      h(
        'button',
        {
          type: 'button',
          onclick: async (event) => {
            event.currentTarget.disabled = true;
            const next = await api(
              `/api/scores/comments${query({ ...filter, band, order, limit: PAGE_SIZE, cursor })}`,
            );
            body.append(...next.items.map((item) => row(item, bandOf(item.type, item.score))));
            showMore(next.nextCursor);
          },
        },
        'Show more',
      ),
    );
  };
  showMore(first.nextCursor);
  main.replaceChildren(
    heading,
    filters,
    exportLink,
    h(
      'table',
      { class: 'answers' },
      h('caption', { class: 'sr-only' }, 'Answers with their comments'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Score', 'Type', 'Comment', 'Customer', 'Answered', 'Conversation'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      body,
    ),
    more,
  );
}
