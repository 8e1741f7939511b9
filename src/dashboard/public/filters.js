import { api } from './api.js';
import { h } from './dom.js';
import { periodOf, setParams } from './route.js';

/** Pages offered by the Page filter: the first this many known to the service. */
const PAGES_LISTED = 500;
let knownPages = null;

/** The Pages the service knows (GET /api/pages), asked once per page load (forget() after a demo). */
export function pagesList() {
  knownPages ??= api(`/api/pages?limit=${PAGES_LISTED}`).catch((error) => {
    knownPages = null;
    throw error;
  });
  return knownPages;
}

export function forgetPages() {
  knownPages = null;
}

/**
 * The Page filter: a select of the known Pages; a text field when there are more than fit a
 * select, or when a shared URL names a Page the service does not list.
 */
function pageField(params, pages) {
  const current = params.get('pageId') ?? '';
  const ids = pages.items.map((page) => page.pageId);
  if (pages.nextCursor === null && (current === '' || ids.includes(current))) {
    return h(
      'select',
      { id: 'f-page', name: 'pageId' },
      h('option', { value: '', selected: current === '' }, 'All Pages'),
      ids.map((id) => h('option', { value: id, selected: id === current }, id)),
    );
  }
  return h('input', {
    id: 'f-page',
    name: 'pageId',
    value: current,
    placeholder: 'all Pages',
    inputmode: 'numeric',
    size: 16,
  });
}

/**
 * The period and Page filters, read from and written to the URL. `pages` is pagesList()'s answer.
 * `extra` adds view-specific fields: [{name, label, options: [[value, text]]}].
 */
export function filterBar(params, pages, extra = []) {
  const { period } = periodOf(params);
  const periodSelect = h(
    'select',
    { id: 'f-period', name: 'period' },
    [
      ['7', 'Last 7 days'],
      ['30', 'Last 30 days'],
      ['90', 'Last 90 days'],
      ['custom', 'Custom'],
    ].map(([value, text]) => h('option', { value, selected: value === period }, text)),
  );
  const from = h('input', {
    type: 'date',
    id: 'f-from',
    name: 'from',
    value: params.get('from') ?? '',
  });
  const to = h('input', { type: 'date', id: 'f-to', name: 'to', value: params.get('to') ?? '' });
  const custom = h(
    'span',
    { class: 'custom', hidden: period !== 'custom' },
    h('label', { for: 'f-from' }, 'From'),
    from,
    h('label', { for: 'f-to' }, 'To (inclusive)'),
    to,
  );
  periodSelect.addEventListener('change', () => {
    custom.hidden = periodSelect.value !== 'custom';
  });
  const page = pageField(params, pages);
  const extras = extra.map((field) =>
    h(
      'span',
      { class: 'field' },
      h('label', { for: `f-${field.name}` }, field.label),
      h(
        'select',
        { id: `f-${field.name}`, name: field.name },
        field.options.map(([value, text]) =>
          h('option', { value, selected: (params.get(field.name) ?? '') === value }, text),
        ),
      ),
    ),
  );
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filters' },
    h('span', { class: 'field' }, h('label', { for: 'f-period' }, 'Period'), periodSelect),
    custom,
    h('span', { class: 'field' }, h('label', { for: 'f-page' }, 'Page'), page),
    extras,
    h('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const values = Object.fromEntries(
      [...data.entries()].map(([key, value]) => [key, String(value).trim()]),
    );
    if (values.period !== 'custom') {
      values.from = '';
      values.to = '';
    }
    setParams(values);
  });
  return form;
}
