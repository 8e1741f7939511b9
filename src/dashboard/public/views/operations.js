import { api, query } from '../api.js';
import { emptyState, fmtTime, h } from '../dom.js';
import { setParams } from '../route.js';

export async function render(main, { params }) {
  const status = params.get('status') ?? '';
  const [health, events] = await Promise.all([
    fetch('/health')
      .then((res) => res.json())
      .catch(() => ({ status: 'error', database: 'unknown' })),
    api(`/api/webhook-events${query({ status, limit: 100 })}`),
  ]);
  const statusSelect = h(
    'select',
    { id: 'f-status' },
    [
      ['', 'All unprocessed'],
      ['pending', 'Pending'],
      ['failed', 'Failed'],
      ['dead', 'Dead'],
      ['unknown', 'Unknown'],
    ].map(([value, text]) => h('option', { value, selected: value === status }, text)),
  );
  statusSelect.addEventListener('change', () => setParams({ status: statusSelect.value }));
  const ok = health.status === 'ok';
  const table =
    events.items.length === 0
      ? emptyState(
          'Every stored webhook event is processed.',
          'Nothing to do here. Events that fail or cannot be read are listed here with their reason.',
        )
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Received', 'Kind', 'Page', 'Customer', 'Status', 'Attempts', 'Reason', ''].map(
                (t) => h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            events.items.map((event) => {
              const note = h('span', { role: 'status', class: 'muted' });
              const retry = h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Retry event ${event.id}`,
                  onclick: async () => {
                    retry.disabled = true;
                    try {
                      await api(`/api/webhook-events/${encodeURIComponent(event.id)}/retry`, {
                        method: 'POST',
                      });
                      note.textContent = 'queued again';
                    } catch (error) {
                      note.textContent = `retry refused: ${error.message}`;
                      retry.disabled = false;
                    }
                  },
                },
                'Retry',
              );
              return h(
                'tr',
                {},
                h('td', {}, fmtTime(event.receivedAt)),
                h('td', {}, event.kind),
                h('td', {}, event.pageId ?? '—'),
                h('td', {}, event.userId ?? '—'),
                h('td', {}, event.status),
                h('td', {}, String(event.attempts)),
                h('td', { class: 'comment' }, event.reason ?? event.lastError ?? ''),
                h('td', {}, retry, ' ', note),
              );
            }),
          ),
        );
  main.replaceChildren(
    h('h1', {}, 'Operations'),
    h(
      'p',
      { class: `health ${ok ? 'ok' : 'bad'}`, 'data-testid': 'health' },
      `Service ${health.status}, database ${health.database}`,
    ),
    h('h2', {}, 'Unprocessed webhook events'),
    h(
      'div',
      { class: 'filters' },
      h('span', { class: 'field' }, h('label', { for: 'f-status' }, 'Status'), statusSelect),
    ),
    table,
  );
}
