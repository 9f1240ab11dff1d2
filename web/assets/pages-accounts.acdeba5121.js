// Accounts: the user's accounts (a new user has one, Main, in USD) with their currency; add
// one, rename one in place, delete one (asks first). The API refuses to delete an account that
// holds transactions (409) and its message is shown above the list. Below them, the currency
// every report is in (`base_currency`, the user's own setting, not an account's).

import { api } from './api.7e53e00667.js';
import { REPORT_CURRENCIES, REPORT_CURRENCY_ID, currencyLabel } from './currencies.482e34fc5e.js';
import { append, field, formError, h, loadInto, onSubmit, selectField, whilePending } from './dom.ccf23a358f.js';
import { session } from './session.0568d11bcd.js';

export function accountsPage(main, { signal, announce }) {
  const state = { accounts: [], editing: null, confirming: null };
  const area = h('div', { 'data-testid': 'accounts' });
  const pageError = h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true, 'data-testid': 'accounts-error' });

  const addForm = h(
    'form',
    { class: 'card', 'aria-labelledby': 'add-account-title', 'data-testid': 'add-account' },
    h('h2', { id: 'add-account-title' }, 'Add an account'),
    h(
      'div',
      { class: 'field-grid' },
      field({ prefix: 'new-account', name: 'name', label: 'Name', required: true, autocomplete: 'off', maxlength: 100, hint: 'e.g. Brokerage or Retirement' }),
      field({ prefix: 'new-account', name: 'currency', label: 'Currency (optional)', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 3, hint: 'Three letters, e.g. EUR; USD when empty' }),
    ),
    formError(),
    h('button', { type: 'submit' }, 'Add account'),
  );
  onSubmit(addForm, 'Adding…', async (values) => {
    const body = { name: String(values.name ?? '').trim() };
    const currency = String(values.currency ?? '').trim().toUpperCase();
    if (currency) body.currency = currency;
    const created = await api.createAccount(body);
    addForm.reset();
    showError('');
    announce(`Added the account ${created.name}.`);
    await refresh();
    addForm.elements.namedItem('name').focus();
  });

  append(main,
    h('h1', { tabindex: '-1' }, 'Accounts'),
    h('p', { class: 'lede' }, 'Keep each brokerage or retirement account apart: the Portfolio, Transactions, Realized gains and Performance pages show one of them or all together.'),
    h('section', { 'aria-labelledby': 'accounts-title' }, h('h2', { id: 'accounts-title', class: 'visually-hidden' }, 'Your accounts'), pageError, area),
    addForm,
    reportCurrencyCard({ signal, announce }),
  );

  function showError(message) {
    pageError.textContent = message;
    pageError.hidden = !message;
  }

  async function refresh() {
    const accounts = await api.accounts(signal);
    if (signal.aborted) return;
    state.accounts = accounts;
    render();
  }

  function render() {
    const focusKey = document.activeElement?.dataset?.focusKey;
    const editorFocus = state.editing?.row.contains(document.activeElement) ? document.activeElement : null;
    if (!state.accounts.length) {
      area.replaceChildren(h('p', { class: 'empty', 'data-testid': 'no-accounts' }, 'No accounts. Add one below.'));
      return;
    }
    const body = h('tbody');
    for (const account of state.accounts) {
      append(body,
        h(
          'tr',
          { 'data-testid': 'account-row', 'data-id': account.id, 'data-name': account.name },
          h('th', { scope: 'row', 'data-col': 'name', 'data-label': 'Name' }, account.name),
          h('td', { 'data-col': 'currency', 'data-label': 'Currency' }, account.currency),
          h('td', { class: 'actions' }, h('div', { class: 'row-actions' }, actions(account))),
        ),
      );
      if (state.editing?.id === account.id) append(body, state.editing.row);
    }
    area.replaceChildren(
      h(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-labelledby': 'accounts-caption', tabindex: '0' },
        h(
          'table',
          { class: 'stack-table', 'data-testid': 'accounts-table' },
          h('caption', { id: 'accounts-caption' }, `Accounts (${state.accounts.length})`),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Currency'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
          body,
        ),
      ),
    );
    if (editorFocus?.isConnected) editorFocus.focus();
    else if (focusKey) area.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function actions(account) {
    if (state.confirming === account.id) {
      const yes = h('button', { type: 'button', class: 'danger', 'data-focus-key': `confirm-${account.id}` }, 'Delete');
      const no = h('button', { type: 'button', class: 'secondary', 'data-focus-key': `keep-${account.id}` }, 'Keep');
      yes.addEventListener('click', () =>
        whilePending(yes, 'Deleting…', async () => {
          no.disabled = true;
          try {
            await api.deleteAccount(account.id);
            if (session.account === String(account.id)) session.account = '';
            state.confirming = null;
            showError('');
            announce(`Deleted the account ${account.name}.`);
            await refresh();
            addForm.elements.namedItem('name').focus();
          } catch (error) {
            if (error?.name === 'AbortError' || error?.code === 'session_expired') return;
            // A 409 (the account holds transactions) says why in its detail.
            state.confirming = null;
            showError(`Could not delete ${account.name}: ${error.message}`);
            render();
            area.querySelector(`[data-focus-key="delete-${account.id}"]`)?.focus();
          }
        }),
      );
      no.addEventListener('click', () => {
        state.confirming = null;
        render();
        area.querySelector(`[data-focus-key="delete-${account.id}"]`)?.focus();
      });
      return h('span', { class: 'confirm', role: 'group', 'aria-label': `Confirm deleting the account ${account.name}` }, h('span', null, `Delete ${account.name}?`), yes, no);
    }
    const rename = h('button', { type: 'button', class: 'secondary', 'aria-label': `Rename ${account.name}`, 'data-focus-key': `rename-${account.id}` }, 'Rename');
    const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete ${account.name}`, 'data-focus-key': `delete-${account.id}` }, 'Delete');
    rename.addEventListener('click', () => openEditor(account));
    remove.addEventListener('click', () => {
      state.confirming = account.id;
      state.editing = null;
      render();
      area.querySelector(`[data-focus-key="keep-${account.id}"]`)?.focus();
    });
    return [rename, remove];
  }

  function openEditor(account) {
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const form = h(
      'form',
      { class: 'editor', 'aria-label': `Rename ${account.name}`, 'data-testid': 'rename-account' },
      h('div', { class: 'field-grid' }, field({ prefix: 'rename', name: 'name', label: 'New name', value: account.name, required: true, autocomplete: 'off', maxlength: 100 })),
      formError(),
      h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Save name'), cancel),
    );
    const close = () => {
      state.editing = null;
      render();
      area.querySelector(`[data-focus-key="rename-${account.id}"]`)?.focus();
    };
    cancel.addEventListener('click', close);
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
    onSubmit(form, 'Saving…', async (values) => {
      const name = String(values.name ?? '').trim();
      if (name !== account.name) {
        const saved = await api.updateAccount(account.id, { name });
        announce(`Renamed ${account.name} to ${saved.name}.`);
      }
      state.editing = null;
      showError('');
      await refresh();
      area.querySelector(`[data-focus-key="rename-${account.id}"]`)?.focus();
    });
    state.editing = { id: account.id, row: h('tr', { class: 'editor-row' }, h('td', { colspan: 3 }, form)) };
    state.confirming = null;
    render();
    form.elements.namedItem('name').focus();
    form.elements.namedItem('name').select();
  }

  loadInto(area, {
    label: 'your accounts',
    signal,
    load: () => api.accounts(signal),
    render: (accounts) => {
      state.accounts = accounts;
      render();
    },
  });
}

// "Report in": the currency the Portfolio, Realized gains, Performance and Allocation pages
// show every amount in (`PATCH /api/users/me/ {base_currency}`). The currencies offered are
// those the server can fetch rates for, and the user's own if it is another.
function reportCurrencyCard({ signal, announce }) {
  const slot = h('div', { 'data-testid': 'report-currency-field' });
  const form = h(
    'form',
    { class: 'card report-currency', id: REPORT_CURRENCY_ID, 'aria-labelledby': 'report-currency-title', 'data-testid': 'report-currency' },
    h('h2', { id: 'report-currency-title' }, 'Report currency'),
    h('p', { class: 'hint' }, 'Every amount on the Portfolio, Realized gains, Performance and Allocation pages is shown in this currency, converted at each day’s exchange rate. Holdings listed in another currency also show their amounts in their own.'),
    slot,
    formError(),
    h('button', { type: 'submit' }, 'Save currency'),
  );
  const draw = (current) => {
    const codes = REPORT_CURRENCIES.includes(current) ? REPORT_CURRENCIES : [...REPORT_CURRENCIES, current].sort();
    slot.replaceChildren(
      selectField({ prefix: 'report', id: 'report-currency-select', name: 'base_currency', label: 'Report in', options: codes.map((code) => [code, currencyLabel(code)]), value: current }),
    );
  };
  onSubmit(form, 'Saving…', async (values) => {
    const saved = await api.updateMe({ base_currency: String(values.base_currency ?? '') });
    draw(saved.base_currency);
    announce(`Amounts are now shown in ${currencyLabel(saved.base_currency)}.`);
    form.elements.namedItem('base_currency').focus();
  });
  form.querySelector('button[type=submit]').disabled = true;
  loadInto(slot, {
    label: 'your report currency',
    signal,
    load: () => api.me(signal),
    render: (me) => {
      draw(me.base_currency);
      form.querySelector('button[type=submit]').disabled = false;
      // Arrived through the Portfolio page's link: the choice has focus.
      if (window.location.hash === `#${REPORT_CURRENCY_ID}`) {
        const select = form.elements.namedItem('base_currency');
        select.focus();
        select.scrollIntoView({ block: 'center' });
      }
    },
  });
  return form;
}
