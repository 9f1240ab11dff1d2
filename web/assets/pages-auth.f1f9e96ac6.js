// Log in and register.

import { api } from './api.7e53e00667.js';
import { append, field, formError, h, onSubmit } from './dom.ccf23a358f.js';
import { session } from './session.0568d11bcd.js';

// Where to go after logging in: the page that asked for it, if it is one of ours.
function destination(params) {
  const next = params.get('next') ?? '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/portfolio';
}

async function logIn(username, password) {
  const tokens = await api.obtainTokens({ username, password });
  session.start({ access: tokens.access, refresh: tokens.refresh, username });
}

export function loginPage(main, { navigate, params, takeFlash }) {
  const flash = takeFlash();
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'login-title' },
    field({ name: 'username', label: 'Username', autocomplete: 'username', required: true, value: params.get('username') ?? '', autocapitalize: 'none', spellcheck: 'false' }),
    field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }),
    formError(),
    h('button', { type: 'submit' }, 'Log in'),
  );
  onSubmit(form, 'Logging in…', async ({ username, password }) => {
    await logIn(username.trim(), password);
    navigate(destination(params), { replace: true });
  });
  append(main,
    h('h1', { id: 'login-title', tabindex: '-1' }, 'Log in'),
    flash ? h('p', { class: 'notice', role: 'status' }, flash) : null,
    form,
    h('p', null, 'New here? ', h('a', { href: '/register' }, 'Create an account'), '.'),
  );
  if (!params.get('username')) form.elements.namedItem('username').focus();
}

export function registerPage(main, { navigate, announce }) {
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'register-title' },
    field({
      name: 'username',
      label: 'Username',
      autocomplete: 'username',
      required: true,
      autocapitalize: 'none',
      spellcheck: 'false',
      hint: 'Up to 150 letters, digits and @ . + - _',
    }),
    field({ name: 'email', label: 'Email (optional)', type: 'email', autocomplete: 'email' }),
    field({
      name: 'password',
      label: 'Password',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      hint: 'At least 8 characters.',
    }),
    formError(),
    h('button', { type: 'submit' }, 'Create account'),
  );
  onSubmit(form, 'Creating account…', async ({ username, email, password }) => {
    const body = { username: username.trim(), password };
    if (email.trim()) body.email = email.trim();
    const created = await api.register(body);
    await logIn(created.username, password);
    announce(`Welcome, ${created.username}! Your account is ready.`);
    navigate('/portfolio', { replace: true });
  });
  append(main,
    h('h1', { id: 'register-title', tabindex: '-1' }, 'Create an account'),
    form,
    h('p', null, 'Already registered? ', h('a', { href: '/login' }, 'Log in'), '.'),
  );
}
