import { api, ApiFailure } from './api.js';
import { h } from './dom.js';

/**
 * Email and password through POST /auth/credentials: the server sets the same ss-id/ss-pid cookies
 * the API reads, so every later request (and the stream) is signed in by the browser itself.
 */
export function signInView(root: HTMLElement, signedIn: () => void): void {
  const email = h('input', { id: 'signin-email', name: 'userName', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const remember = h('input', { id: 'signin-remember', type: 'checkbox' });
  const message = h('div', { role: 'alert' });
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await api('POST', '/auth/credentials', { userName: email.value.trim(), password: password.value, rememberMe: remember.checked });
      signedIn();
    } catch (error) {
      password.value = '';
      message.replaceChildren(h('p', { class: 'error' }, error instanceof ApiFailure && error.status === 401 ? 'The email or password is wrong.' : error instanceof Error ? error.message : String(error)));
    }
  };
  root.replaceChildren(
    h('header', {}, h('h1', {}, 'Switchboard')),
    h(
      'main',
      {},
      h(
        'section',
        { class: 'signin' },
        h('h2', {}, 'Sign in'),
        message,
        h('form', { onsubmit: submit }, h('label', {}, 'Email', email), h('label', {}, 'Password', password), h('label', {}, h('span', {}, remember, ' Keep me signed in')), h('button', { type: 'submit', id: 'signin-submit' }, 'Sign in')),
      ),
    ),
  );
  email.focus();
}
