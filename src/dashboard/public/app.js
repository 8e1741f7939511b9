// The dashboard: one view per file under views/, chosen by the hash route.
import { api, whenUnauthorized } from './api.js';
import { errorState, h } from './dom.js';
import { currentRoute } from './route.js';
import * as answers from './views/answers.js';
import * as conversation from './views/conversation.js';
import * as login from './views/login.js';
import * as operations from './views/operations.js';
import * as overview from './views/overview.js';
import * as rules from './views/rules.js';
import * as surveys from './views/surveys.js';

const VIEWS = { overview, answers, conversations: conversation, surveys, rules, operations };

const main = document.getElementById('main');
const header = document.querySelector('header.top');
let loggedIn = null;
/** Counts routes taken: only the latest one's render ends the busy state and names the page. */
let routes = 0;

function showLogin() {
  loggedIn = false;
  header.hidden = true;
  login.render(main, {
    onLoggedIn: () => {
      loggedIn = true;
      void route();
    },
  });
}

whenUnauthorized(showLogin);

async function route() {
  if (loggedIn === null) {
    // Whether the cookie (HttpOnly: not readable here) names a live session.
    try {
      await api('/api/session');
      loggedIn = true;
    } catch {
      if (loggedIn === false) return;
      loggedIn = false;
    }
  }
  if (!loggedIn) return showLogin();
  header.hidden = false;
  const { segments, params } = currentRoute();
  const name = segments[0] ?? 'overview';
  const known = VIEWS[name];
  // A view with sub-routes says which it takes (rules: #/rules/{id}, #/rules/{id}/edit).
  const view =
    known &&
    (name !== 'conversations' || segments.length === 3) &&
    (!known.handles || known.handles(segments))
      ? known
      : null;
  for (const link of header.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const generation = ++routes;
  if (!view) {
    main.replaceChildren(
      h('h1', {}, 'Not found'),
      h('p', {}, h('a', { href: '#/overview' }, 'Go to the overview')),
    );
    return;
  }
  // Each route renders into its own element, which takes over what is on screen until the view
  // replaces it: a slower view still loading when the person moves on writes into an element no
  // longer shown, instead of over the newer view.
  const previous = main.firstElementChild?.classList.contains('view')
    ? main.firstElementChild
    : main;
  const root = h('div', { class: 'view' }, ...previous.childNodes);
  main.replaceChildren(root);
  main.setAttribute('aria-busy', 'true');
  try {
    await view.render(root, { segments, params });
    if (generation === routes) {
      document.title = `${root.querySelector('h1')?.textContent ?? 'Dashboard'} · Messenger feedback`;
    }
  } catch (error) {
    if (error.status !== 401) root.replaceChildren(errorState(error));
  } finally {
    if (generation === routes) main.removeAttribute('aria-busy');
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api('/api/session', { method: 'DELETE' });
  } finally {
    location.hash = '#/overview';
    showLogin();
  }
});

window.addEventListener('hashchange', () => void route());
void route();
