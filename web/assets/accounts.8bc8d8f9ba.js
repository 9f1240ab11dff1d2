// Which account the ledger pages (Portfolio, Transactions, Realized gains, Performance) show:
// the URL's `?account=` (an account id), or all accounts without it. The choice is kept for the
// tab (session.js), so moving between those pages keeps it; the picker lists the user's
// accounts from the API.

import { api } from './api.7e53e00667.js';
import { h, selectField } from './dom.ccf23a358f.js';
import { session } from './session.0568d11bcd.js';

// The pages `?account=` applies to.
export const ACCOUNT_PAGES = new Set(['/portfolio', '/transactions', '/realized', '/performance']);

// Stable, so the picker keeps focus when the page is drawn again for the new choice.
export const ACCOUNT_SELECT_ID = 'account-select';

// `path` (with any query) with `?account=` set to `account`, or without it for all accounts.
export function withAccount(path, account = session.account) {
  const url = new URL(path, window.location.origin);
  if (account) url.searchParams.set('account', account);
  else url.searchParams.delete('account');
  return url.pathname + url.search;
}

export const accountLabel = (account) => `${account.name} (${account.currency})`;

// The "Account" select (with "All accounts") and a link to manage them. `load()` resolves to
// `{ accounts, account }` (the chosen id as text, '' for all) once the list has come; an id
// that is not one of the user's accounts (deleted meanwhile) falls back to all accounts.
export function accountPicker({ params, navigate, signal }) {
  const chosen = params.get('account') ?? '';
  const option = ([value, text]) => h('option', { value, selected: value === chosen }, text);
  const wrap = selectField({ id: ACCOUNT_SELECT_ID, name: 'account', label: 'Show account', options: [[chosen, 'Loading accounts…']], value: chosen });
  const select = wrap.querySelector('select');
  select.addEventListener('change', () => {
    session.account = select.value;
    navigate(withAccount(window.location.pathname + window.location.search, select.value), { replace: true, focusId: ACCOUNT_SELECT_ID });
  });
  const bar = h('div', { class: 'account-bar', 'data-testid': 'account-picker' }, wrap, h('a', { href: '/accounts', class: 'manage-accounts' }, 'Manage accounts'));

  let pending = null;
  async function load() {
    const first = !pending;
    pending ??= api.accounts(signal).catch((error) => {
      pending = null;
      throw error;
    });
    const accounts = await pending;
    if (chosen && !accounts.some((account) => String(account.id) === chosen)) {
      session.account = '';
      navigate(withAccount(window.location.pathname + window.location.search, ''), { replace: true });
      throw new DOMException('The chosen account is gone', 'AbortError');
    }
    if (first) select.replaceChildren(...[['', 'All accounts'], ...accounts.map((account) => [String(account.id), accountLabel(account)])].map(option));
    return { accounts, account: chosen };
  }
  return { element: bar, load };
}
