import uPlot from '/assets/uPlot.esm.js';
import { api, query } from '../api.js';
import { emptyState, fmtNumber, h, noDataHint } from '../dom.js';
import { demoOffer, demoStatus } from '../demo.js';
import { filterBar, forgetPages, pagesList } from '../filters.js';
import { periodOf, setParams } from '../route.js';

const TYPES = [
  { type: 'csat', label: 'CSAT', unit: '%', hint: 'answers 4–5 of 5' },
  { type: 'nps', label: 'NPS', unit: '', hint: 'promoters − detractors' },
  { type: 'ces', label: 'CES', unit: '%', hint: 'answers 5–7 of 7' },
];

/** The change against the previous period, as GET /api/scores?compare=previous gives it. */
function delta(change, unit) {
  if (change === null || change === undefined) {
    return h('span', { class: 'delta' }, 'no previous period to compare');
  }
  const sign = change > 0 ? '+' : '';
  const cls = change > 0 ? 'up' : change < 0 ? 'down' : '';
  return h(
    'span',
    { class: `delta ${cls}` },
    `${sign}${fmtNumber(change, 2)}${unit} vs previous period`,
  );
}

function card(label, value, unit, sub, change) {
  return h(
    'section',
    { class: 'card', 'aria-label': label },
    h('h3', {}, label),
    h(
      'p',
      { class: 'value', 'data-testid': `card-${label.toLowerCase().replace(/\W+/g, '-')}` },
      value === null || value === undefined ? '—' : `${fmtNumber(value, 2)}${unit}`,
    ),
    h('p', { class: 'sub' }, sub),
    change,
  );
}

function bar(fraction) {
  // Set through the CSSOM: the page's Content-Security-Policy allows no inline style attribute.
  const el = h('span', { class: 'bar' });
  el.style.width = `${fraction * 100}%`;
  return el;
}

function distribution(title, counts) {
  const entries = Object.entries(counts ?? {});
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return h(
    'figure',
    { class: 'dist' },
    h('figcaption', {}, title),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Score'),
          h('th', { scope: 'col' }, 'Answers'),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Bar')),
        ),
      ),
      h(
        'tbody',
        {},
        entries.map(([score, n]) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, score),
            h('td', {}, fmtNumber(n)),
            h('td', { class: 'bar-cell', 'aria-hidden': 'true' }, bar(n / max)),
          ),
        ),
      ),
    ),
  );
}

function trendChart(label, points, container) {
  const xs = points.map((p) => Date.parse(`${p.period}T00:00:00Z`) / 1000);
  const ys = points.map((p) => p.score);
  const width = Math.max(260, Math.min(container.clientWidth || 600, 900) - 16);
  return new uPlot(
    {
      width,
      height: 200,
      title: `${label} score`,
      scales: { x: { time: true } },
      axes: [{ stroke: '#333' }, { stroke: '#333' }],
      series: [{}, { label, stroke: '#1f5fbf', width: 2, points: { show: true } }],
      legend: { show: false },
    },
    [xs, ys],
    container,
  );
}

function trendTable(label, points) {
  return h(
    'details',
    {},
    h('summary', {}, `${label} trend as a table`),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Period', 'Answers', 'Score', 'Average'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        points.map((p) =>
          h(
            'tr',
            {},
            h('td', {}, p.period),
            h('td', {}, fmtNumber(p.responses)),
            h('td', {}, fmtNumber(p.score, 2)),
            h('td', {}, fmtNumber(p.average, 2)),
          ),
        ),
      ),
    ),
  );
}

const BREAKDOWNS = [
  { by: 'responder', title: 'By responder', column: 'Responder' },
  { by: 'rule', title: 'By rule', column: 'Rule' },
  { by: 'page', title: 'By Page', column: 'Page' },
];

/** One breakdown as a table (its own text alternative), a bar per row for the eye. */
function breakdownTable({ title, column }, type, breakdown) {
  const unit = type === 'nps' ? '' : '%';
  const max = Math.max(1, ...breakdown.items.map((item) => item.responses));
  return h(
    'figure',
    { class: 'breakdown' },
    h(
      'table',
      { 'data-testid': `breakdown-${breakdown.by}` },
      h('caption', {}, `${title} (${type.toUpperCase()})`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [column, 'Answers', 'Score', 'Average'].map((t) => h('th', { scope: 'col' }, t)),
          h('th', { scope: 'col', class: 'bar-cell' }, h('span', { class: 'sr-only' }, 'Bar')),
        ),
      ),
      h(
        'tbody',
        {},
        breakdown.items.length === 0
          ? h('tr', {}, h('td', { colspan: '5' }, 'No answers in this period.'))
          : breakdown.items.map((item) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, item.label || item.key || '—'),
                h('td', {}, fmtNumber(item.responses)),
                h('td', {}, item.score === null ? '—' : `${fmtNumber(item.score, 2)}${unit}`),
                h('td', {}, fmtNumber(item.average, 2)),
                h('td', { class: 'bar-cell', 'aria-hidden': 'true' }, bar(item.responses / max)),
              ),
            ),
      ),
    ),
  );
}

export async function render(main, { params }) {
  const { from, to } = periodOf(params);
  const pageId = params.get('pageId') ?? '';
  const interval = ['day', 'week', 'month'].includes(params.get('interval'))
    ? params.get('interval')
    : 'day';
  const breakdownType = TYPES.some(({ type }) => type === params.get('breakdown'))
    ? params.get('breakdown')
    : 'csat';
  const [scores, feedback, pages, trends, breakdowns] = await Promise.all([
    // One call for the period and the one before it (compare=previous), not two.
    api(`/api/scores${query({ pageId, from, to, compare: 'previous' })}`),
    api(`/api/response-feedback${query({ pageId, from, to })}`),
    pagesList(),
    Promise.all(
      TYPES.map(({ type }) =>
        api(`/api/scores/${type}/trend${query({ pageId, from, to, interval })}`),
      ),
    ),
    Promise.all(
      BREAKDOWNS.map(({ by }) =>
        api(`/api/scores/breakdown${query({ by, type: breakdownType, pageId, from, to })}`),
      ),
    ),
  ]);

  const heading = h('h1', {}, 'Overview');
  const filters = filterBar(params, pages);
  const total = scores.csat.responses + scores.nps.responses + scores.ces.responses;
  if (total === 0 && scores.surveys.sent === 0 && feedback.total === 0) {
    const demo = await demoStatus();
    main.replaceChildren(
      heading,
      filters,
      emptyState('No answers in this period.', ...noDataHint()),
      demo === null
        ? ''
        : demoOffer(demo, () => {
            forgetPages();
            window.dispatchEvent(new HashChangeEvent('hashchange'));
          }),
    );
    return;
  }
  const cards = h(
    'div',
    { class: 'cards' },
    TYPES.map(({ type, label, unit, hint }) =>
      card(
        label,
        scores[type].score,
        unit,
        `${fmtNumber(scores[type].responses)} answers · ${hint}`,
        delta(scores.delta[type], unit === '%' ? ' pts' : ''),
      ),
    ),
    card(
      'Response rate',
      scores.surveys.responseRate === null ? null : scores.surveys.responseRate * 100,
      '%',
      `${fmtNumber(scores.surveys.responded)} of ${fmtNumber(scores.surveys.sent)} surveys answered`,
      delta(
        scores.delta.responseRate === null
          ? null
          : Math.round(scores.delta.responseRate * 1e4) / 100,
        ' pts',
      ),
    ),
    card(
      'Good responses',
      feedback.goodRate === null ? null : feedback.goodRate * 100,
      '%',
      `${fmtNumber(feedback.good)} good, ${fmtNumber(feedback.bad)} bad response feedback`,
      null,
    ),
  );

  const intervalPicker = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Trend interval' },
    ['day', 'week', 'month'].map((value) =>
      h(
        'button',
        {
          type: 'button',
          'aria-pressed': String(value === interval),
          onclick: () => setParams({ interval: value }),
        },
        value,
      ),
    ),
  );
  const charts = h('div', { class: 'trends' });
  const breakdownPicker = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Breakdown score type' },
    TYPES.map(({ type, label }) =>
      h(
        'button',
        {
          type: 'button',
          'aria-pressed': String(type === breakdownType),
          onclick: () => setParams({ breakdown: type }),
        },
        label,
      ),
    ),
  );
  main.replaceChildren(
    heading,
    filters,
    cards,
    h('h2', {}, 'Trends'),
    intervalPicker,
    charts,
    h('h2', {}, 'Distributions'),
    h(
      'div',
      { class: 'dists' },
      distribution('CSAT (1–5)', scores.csat.distribution),
      distribution('NPS (0–10)', scores.nps.distribution),
      distribution('CES (1–7)', scores.ces.distribution),
    ),
    h('h2', {}, 'Breakdown'),
    breakdownPicker,
    h(
      'div',
      { class: 'breakdowns' },
      BREAKDOWNS.map((spec, index) => breakdownTable(spec, breakdownType, breakdowns[index])),
    ),
  );
  TYPES.forEach(({ label }, index) => {
    const points = trends[index].points;
    const box = h('figure', { class: 'trend' });
    charts.append(box);
    if (points.length === 0) {
      box.append(h('figcaption', {}, `${label}: no answers in this period`));
      return;
    }
    const plot = h('div', { class: 'plot', 'aria-hidden': 'true' });
    box.append(plot, trendTable(label, points));
    trendChart(label, points, plot);
  });
}
