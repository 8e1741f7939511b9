// A tiny element builder: h('p', {class: 'x'}, 'text', child). Text is always set as text, never
// as HTML, so data from Messenger cannot inject markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function fmtNumber(value, digits = 0) {
  return value === null || value === undefined
    ? '—'
    : Number(value).toLocaleString('en', { maximumFractionDigits: digits });
}

export function fmtTime(iso) {
  return iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—';
}

/** A note for a view with nothing to show: what to do about it. */
export function emptyState(title, ...lines) {
  return h(
    'div',
    { class: 'empty', role: 'status' },
    h('p', { class: 'empty-title' }, title),
    lines.map((line) => h('p', {}, line)),
  );
}

export function errorState(error) {
  return h('p', { class: 'error', role: 'alert' }, `Could not load: ${error.message}`);
}

/** The hint every empty view gives (new nodes each time: a node lives in one place). */
export function noDataHint() {
  return [
    ['Run ', h('code', {}, 'npm run demo'), ' to fill the service with a demo history,'],
    ['or point a Meta app at this service (README, “Pointing a Meta app at it”).'],
  ];
}
