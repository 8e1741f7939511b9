// Hash routes: #/overview?period=30&pageId=1 — the view and its filters live in the URL, so a
// view can be shared and the back button works.

export function currentRoute() {
  const raw = location.hash.replace(/^#/, '') || '/overview';
  const [path, search = ''] = raw.split('?');
  return {
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(search),
  };
}

/** Replaces the current view's filters in the URL (a new history entry). */
export function setParams(values) {
  const { segments, params } = currentRoute();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') params.delete(key);
    else params.set(key, String(value));
  }
  const search = params.toString();
  location.hash = `#/${segments.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}

export function conversationHref(pageId, userId) {
  return `#/conversations/${encodeURIComponent(pageId)}/${encodeURIComponent(userId)}`;
}

const DAY = 86_400_000;

/**
 * The period the filters name: `period` = 7, 30 or 90 days up to now (default 30), or `custom`
 * with `from` and `to` (dates, `to` inclusive). Returns ISO instants [from, to) and the
 * previous period of the same length.
 */
export function periodOf(params, now = Date.now()) {
  const period = params.get('period') ?? '30';
  let from;
  let to;
  if (period === 'custom' && params.get('from') && params.get('to')) {
    from = Date.parse(`${params.get('from')}T00:00:00Z`);
    to = Date.parse(`${params.get('to')}T00:00:00Z`) + DAY;
  }
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    const days = ['7', '30', '90'].includes(period) ? Number(period) : 30;
    to = Math.ceil(now / DAY) * DAY;
    from = to - days * DAY;
  }
  const length = to - from;
  return {
    period,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    previous: { from: new Date(from - length).toISOString(), to: new Date(from).toISOString() },
  };
}
