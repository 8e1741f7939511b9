import { api } from './api.js';
import { h } from './dom.js';

const POLL_MS = 500;
/** The writer gives up on its own after 10 minutes of processing; the page stops asking after 30. */
const GIVE_UP_MS = 30 * 60_000;

/** The sandbox's demo status, or null when the sandbox is off (its routes do not exist: 404). */
export async function demoStatus() {
  try {
    return await api('/api/sandbox/demo');
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

function progressView(status) {
  const bar = h('progress', {
    max: '1',
    value: String(status.progress ?? 0),
    'aria-label': 'Demo history written',
  });
  const text = h('p', { role: 'status', 'data-testid': 'demo-status' });
  const update = (s) => {
    bar.value = s.progress ?? 0;
    text.textContent =
      s.status === 'failed'
        ? `The demo history failed: ${s.error ?? 'no reason given'}`
        : `Writing the demo history: ${Math.round((s.progress ?? 0) * 100)} % (${s.written?.eventsDelivered ?? 0} events, ${s.written?.surveysStored ?? 0} surveys)`;
  };
  update(status);
  return { box: h('div', { class: 'demo-progress' }, bar, text), update, text };
}

/** Follows a run until it is done (then `onDone`), failed, or the view is left. */
async function follow(container, status, onDone) {
  const view = progressView(status);
  container.replaceChildren(view.box);
  const until = Date.now() + GIVE_UP_MS;
  let current = status;
  while (current.status === 'running' && view.box.isConnected) {
    if (Date.now() > until) {
      view.text.textContent = 'Still writing after 30 minutes; reload the page to look again.';
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      current = await api('/api/sandbox/demo');
    } catch (error) {
      view.text.textContent = `Could not follow the demo history: ${error.message}`;
      return;
    }
    view.update(current);
  }
  if (current.status === 'done' && view.box.isConnected) onDone();
}

/**
 * What an empty overview offers when the sandbox is on: "Load demo history" (POST
 * /api/sandbox/demo, a cookie POST from this origin, so it passes the CSRF check), then its
 * progress. A run already going (from `npm run demo`) is followed instead.
 */
export function demoOffer(status, onDone) {
  const container = h('section', { class: 'demo', 'aria-label': 'Demo history' });
  if (status.status === 'running') {
    void follow(container, status, onDone);
    return container;
  }
  const days = h('input', { id: 'd-days', type: 'number', min: '1', max: '365', value: '90' });
  const customers = h('input', {
    id: 'd-customers',
    type: 'number',
    min: '1',
    max: '2000',
    value: '400',
  });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'demo-form' },
    h('p', {}, 'The sandbox is on: fill it with a believable, back-dated history to look at.'),
    h('span', { class: 'field' }, h('label', { for: 'd-days' }, 'Days'), days),
    h('span', { class: 'field' }, h('label', { for: 'd-customers' }, 'Customers'), customers),
    h('button', { type: 'submit' }, 'Load demo history'),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const started = await api('/api/sandbox/demo', {
        method: 'POST',
        json: { days: Number(days.value), customers: Number(customers.value) },
      });
      await follow(container, started, onDone);
    } catch (failure) {
      if (failure.status === 409) {
        await follow(container, await api('/api/sandbox/demo'), onDone);
        return;
      }
      error.textContent = `Could not start the demo: ${failure.message}`;
      error.hidden = false;
    }
  });
  container.append(form);
  return container;
}
