import { ApiError, api, type Session, saveSession } from './api.ts';
import { h, replace } from './dom.ts';

/** The sign-in form: user name and password against POST /v1/auth/sign-in. */
export function showSignIn(root: HTMLElement, notice: string | undefined, signedIn: () => void): void {
  const error = h('p', { class: 'sign-in__error', role: 'alert' }, notice ?? '');
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-label': 'Sign in' },
    h('h1', {}, 'Flowline'),
    h('p', { class: 'sign-in__lead' }, 'Operators’ console'),
    h('label', { for: 'username' }, 'User name'),
    username,
    h('label', { for: 'password' }, 'Password'),
    password,
    submit,
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    try {
      const session = await api<Session>('/v1/auth/sign-in', {
        method: 'POST',
        body: { username: username.value, password: password.value, refreshTokenIn: 'cookie' },
      });
      saveSession(session);
      signedIn();
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : 'The gateway cannot be reached: check the network.';
      submit.disabled = false;
      password.select();
    }
  });
  document.body.dataset.view = 'sign-in';
  replace(root, form);
}
