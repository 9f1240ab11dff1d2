// Transactions: the ledger of the chosen account (or all), filtered by ticker, type and dates
// (kept in the URL), newest first; add one, edit one in place, delete one (asks first). The
// API refuses what would leave a sale short (an over-sell, or an edit or delete under a later
// sale) and its message is shown where the change was made.

import { accountPicker } from '../accounts.js';
import { api, errorText } from '../api.js';
import { append, field, h, loadInto, selectField, whilePending } from '../dom.js';
import { MISSING, money, number } from '../money.js';
import { TYPES, transactionForm, typeLabel } from '../transaction-form.js';

const FILTERS = ['ticker', 'type', 'from', 'to'];
const COLUMNS = 11;

const newestFirst = (a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : String(b.id).localeCompare(String(a.id), undefined, { numeric: true }));

export function transactionsPage(main, { signal, params, navigate, announce }) {
  const picker = accountPicker({ params, navigate, signal });
  const state = { accounts: [], account: '', list: [], editing: null, confirming: null };
  let filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? '']));

  const filterForm = h(
    'form',
    { class: 'card controls', 'aria-labelledby': 'filters-title', 'data-testid': 'transaction-filters' },
    h('h2', { id: 'filters-title' }, 'Filters'),
    h(
      'div',
      { class: 'field-grid' },
      field({ prefix: 'filter', name: 'ticker', label: 'Ticker', value: filters.ticker, autocapitalize: 'characters', autocomplete: 'off', spellcheck: 'false' }),
      selectField({ prefix: 'filter', name: 'type', label: 'Type', options: [['', 'Any type'], ...TYPES], value: filters.type }),
      field({ prefix: 'filter', name: 'from', label: 'From', type: 'date', value: filters.from }),
      field({ prefix: 'filter', name: 'to', label: 'To', type: 'date', value: filters.to }),
    ),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Apply filters'), h('button', { type: 'reset', class: 'secondary' }, 'Clear filters')),
  );
  const applyFilters = (values) => {
    filters = Object.fromEntries(FILTERS.map((name) => [name, String(values[name] ?? '').trim()]));
    filters.ticker = filters.ticker.toUpperCase();
    filterForm.elements.namedItem('ticker').value = filters.ticker;
    const url = new URL(window.location.href);
    for (const name of FILTERS) {
      if (filters[name]) url.searchParams.set(name, filters[name]);
      else url.searchParams.delete(name);
    }
    window.history.replaceState(null, '', url.pathname + url.search);
    load();
  };
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilters(Object.fromEntries(new FormData(filterForm)));
  });
  // A form's reset restores the values it was drawn with; clearing means empty.
  filterForm.addEventListener('reset', (event) => {
    event.preventDefault();
    for (const name of FILTERS) filterForm.elements.namedItem(name).value = '';
    applyFilters({});
  });

  const listError = h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true, 'data-testid': 'transactions-error' });
  const area = h('div', { 'data-testid': 'transactions' });
  const addArea = h('section', { class: 'card', 'aria-labelledby': 'add-transaction-title' }, h('h2', { id: 'add-transaction-title' }, 'Add a transaction'));

  append(main,
    h('h1', { tabindex: '-1' }, 'Transactions'),
    picker.element,
    filterForm,
    h('section', { 'aria-labelledby': 'transactions-title' }, h('h2', { id: 'transactions-title', class: 'visually-hidden' }, 'Transactions'), listError, area),
    addArea,
  );

  const accountName = (id) => state.accounts.find((a) => String(a.id) === String(id))?.name ?? MISSING;

  function showListError(message) {
    listError.textContent = message;
    listError.hidden = !message;
  }

  async function refresh() {
    const list = await api.transactions({ account: state.account, ...filters }, signal);
    if (signal.aborted) return;
    state.list = list;
    renderTable();
  }

  function renderTable() {
    const focusKey = document.activeElement?.dataset?.focusKey;
    const editorFocus = state.editing?.row.contains(document.activeElement) ? document.activeElement : null;
    const rows = [...state.list].sort(newestFirst);
    if (!rows.length) {
      const filtered = FILTERS.some((name) => filters[name]);
      area.replaceChildren(h('p', { class: 'empty', 'data-testid': 'no-transactions' }, filtered ? 'No transactions match these filters.' : 'No transactions yet. Add your first one below.'));
      return;
    }
    const body = h('tbody');
    for (const tx of rows) {
      append(body,
        h(
          'tr',
          { 'data-testid': 'transaction-row', 'data-id': tx.id, 'data-type': tx.type, 'data-ticker': tx.ticker },
          h('td', { 'data-col': 'date', 'data-label': 'Date' }, h('time', { datetime: tx.date }, tx.date)),
          h('td', { 'data-col': 'type', 'data-label': 'Type' }, typeLabel(tx.type)),
          h('th', { scope: 'row', 'data-col': 'ticker', 'data-label': 'Ticker' }, tx.ticker),
          h('td', { 'data-col': 'account', 'data-label': 'Account' }, accountName(tx.account)),
          h('td', { class: 'num', 'data-col': 'quantity', 'data-label': 'Quantity' }, number(tx.quantity)),
          // In the transaction's own currency (its ticker's listing currency unless given).
          h('td', { class: 'num', 'data-col': 'price', 'data-label': 'Price' }, money(tx.price, { currency: tx.currency })),
          h('td', { class: 'num', 'data-col': 'fee', 'data-label': 'Fee' }, money(tx.fee, { currency: tx.currency })),
          h('td', { class: 'num', 'data-col': 'amount', 'data-label': 'Amount' }, money(tx.amount, { currency: tx.currency })),
          h('td', { class: 'num', 'data-col': 'ratio', 'data-label': 'Ratio' }, number(tx.ratio)),
          h('td', { class: 'note', 'data-col': 'note', 'data-label': 'Note' }, tx.note || MISSING),
          h('td', { class: 'actions' }, h('div', { class: 'row-actions' }, actions(tx))),
        ),
      );
      if (state.editing?.id === tx.id) append(body, state.editing.row);
    }
    area.replaceChildren(
      h(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-labelledby': 'transactions-caption', tabindex: '0' },
        h(
          'table',
          { class: 'stack-table', 'data-testid': 'transactions-table' },
          h('caption', { id: 'transactions-caption' }, `Transactions (${rows.length})`),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Date', 'Type', 'Ticker', 'Account'].map((name) => h('th', { scope: 'col' }, name)),
              ['Quantity', 'Price', 'Fee', 'Amount', 'Ratio'].map((name) => h('th', { scope: 'col', class: 'num' }, name)),
              h('th', { scope: 'col' }, 'Note'),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
          body,
        ),
      ),
    );
    if (editorFocus?.isConnected) editorFocus.focus();
    else if (focusKey) area.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  const describe = (tx) => `${typeLabel(tx.type)} ${tx.ticker} on ${tx.date}`;
  const sentence = (tx) => `the ${typeLabel(tx.type).toLowerCase()} of ${tx.ticker} on ${tx.date}`;

  function actions(tx) {
    const label = describe(tx);
    if (state.confirming === tx.id) {
      const yes = h('button', { type: 'button', class: 'danger', 'data-focus-key': `confirm-${tx.id}` }, 'Delete');
      const no = h('button', { type: 'button', class: 'secondary', 'data-focus-key': `keep-${tx.id}` }, 'Keep');
      yes.addEventListener('click', () =>
        whilePending(yes, 'Deleting…', async () => {
          no.disabled = true;
          try {
            await api.deleteTransaction(tx.id);
            state.confirming = null;
            showListError('');
            announce(`Deleted ${sentence(tx)}.`);
            await refresh();
            (area.querySelector('[data-focus-key^="edit-"]') ?? addArea.querySelector('select, input'))?.focus();
          } catch (error) {
            if (error?.name === 'AbortError' || error?.code === 'session_expired') return;
            state.confirming = null;
            showListError(`Could not delete ${sentence(tx)}: ${errorText(error)}`);
            renderTable();
            area.querySelector(`[data-focus-key="delete-${tx.id}"]`)?.focus();
          }
        }),
      );
      no.addEventListener('click', () => {
        state.confirming = null;
        renderTable();
        area.querySelector(`[data-focus-key="delete-${tx.id}"]`)?.focus();
      });
      return h('span', { class: 'confirm', role: 'group', 'aria-label': `Confirm deleting ${label}` }, h('span', null, 'Delete?'), yes, no);
    }
    const edit = h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${label}`, 'data-focus-key': `edit-${tx.id}` }, 'Edit');
    const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete ${label}`, 'data-focus-key': `delete-${tx.id}` }, 'Delete');
    edit.addEventListener('click', () => openEditor(tx));
    remove.addEventListener('click', () => {
      state.confirming = tx.id;
      renderTable();
      area.querySelector(`[data-focus-key="keep-${tx.id}"]`)?.focus();
    });
    return [edit, remove];
  }

  function openEditor(tx) {
    const close = () => {
      state.editing = null;
      renderTable();
      area.querySelector(`[data-focus-key="edit-${tx.id}"]`)?.focus();
    };
    const form = transactionForm({
      accounts: state.accounts,
      account: state.account,
      transaction: tx,
      prefix: 'edit',
      class: 'editor',
      'aria-label': `Edit ${describe(tx)}`,
      'data-testid': 'edit-transaction',
      onCancel: close,
      onSaved: async (saved) => {
        if (saved) announce(`Saved ${sentence(saved)}.`);
        state.editing = null;
        showListError('');
        await refresh();
        area.querySelector(`[data-focus-key="edit-${tx.id}"]`)?.focus();
      },
    });
    state.editing = { id: tx.id, row: h('tr', { class: 'editor-row' }, h('td', { colspan: COLUMNS }, form)) };
    state.confirming = null;
    renderTable();
    form.querySelector('select, input')?.focus();
  }

  function load() {
    return loadInto(area, {
      label: 'your transactions',
      signal,
      load: async () => {
        const { accounts, account } = await picker.load();
        state.accounts = accounts;
        state.account = account;
        return api.transactions({ account, ...filters }, signal);
      },
      render: (list) => {
        state.list = list;
        state.editing = null;
        state.confirming = null;
        renderTable();
        if (!addArea.querySelector('form')) {
          append(addArea,
            transactionForm({
              accounts: state.accounts,
              account: state.account,
              prefix: 'add',
              'aria-labelledby': 'add-transaction-title',
              'data-testid': 'add-transaction',
              onSaved: async (saved) => {
                announce(`Added ${sentence(saved)}.`);
                showListError('');
                await refresh();
                addArea.querySelector('select')?.focus();
              },
            }),
          );
        }
      },
    });
  }
  load();
}
