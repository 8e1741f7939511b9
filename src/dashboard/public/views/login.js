import { api } from '../api.js';
import { h } from '../dom.js';

/** The login: the API token is sent once, in the body, and exchanged for an HttpOnly cookie. */
export function render(main, { onLoggedIn }) {
  const error = h('p', { class: 'field-error', id: 'token-error', role: 'alert', hidden: true });
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'token-hint token-error',
  });
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-heading' },
    h('h1', { id: 'login-heading' }, 'Log in'),
    h(
      'div',
      { class: 'form-row' },
      h('label', { for: 'token' }, 'API token'),
      input,
      h(
        'p',
        { id: 'token-hint', class: 'muted' },
        'The API_TOKEN of this service. On a laptop install it is in .data/secrets.json.',
      ),
      error,
    ),
    h('button', { type: 'submit' }, 'Log in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await api('/api/session', { method: 'POST', json: { token: input.value } });
      input.value = '';
      onLoggedIn();
    } catch (failure) {
      error.textContent =
        failure.status === 401
          ? 'That is not the API token.'
          : `Could not log in: ${failure.message}`;
      error.hidden = false;
      input.focus();
    }
  });
  main.replaceChildren(form);
  input.focus();
}
