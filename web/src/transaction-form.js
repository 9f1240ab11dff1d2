// The form for one ledger transaction, to add one or edit one. It adapts to the type: a buy or
// a sell has a quantity, a price per share and a fee; a dividend the cash received; a split its
// ratio; every type an account, a ticker, a date and a note. Fields that do not apply are
// hidden and disabled, so they are neither sent nor tabbed through. Values go to the API as
// typed (exact decimal text); the API's field errors show under the fields.

import { api } from './api.js';
import { accountLabel } from './accounts.js';
import { localToday } from './dates.js';
import { field, formError, h, onSubmit, selectField } from './dom.js';

export const TYPES = [
  ['BUY', 'Buy'],
  ['SELL', 'Sell'],
  ['DIVIDEND', 'Dividend'],
  ['SPLIT', 'Split'],
];

export const typeLabel = (type) => TYPES.find(([value]) => value === type)?.[1] ?? type;

const TYPE_FIELDS = {
  BUY: ['quantity', 'price', 'fee'],
  SELL: ['quantity', 'price', 'fee'],
  DIVIDEND: ['amount'],
  SPLIT: ['ratio'],
};
const DETAIL_FIELDS = ['quantity', 'price', 'fee', 'amount', 'ratio'];

const text = (value) => String(value ?? '').trim();

// `accounts` as listed by the API; `account` the one chosen on the page ('' for all: the
// first account is then proposed); `transaction` the one being edited, or none to add one.
// `onSaved(saved)` runs after the API accepted it; `onCancel` closes an editor.
export function transactionForm({ accounts, account, transaction = null, prefix, onSaved, onCancel, ...props }) {
  const editing = Boolean(transaction);
  const accountId = (value) => accounts.find((a) => String(a.id) === value)?.id ?? value;
  const decimal = { inputmode: 'decimal', autocomplete: 'off' };
  const detail = {
    quantity: field({ prefix, name: 'quantity', label: 'Quantity', value: transaction?.quantity ?? '', hint: 'Number of shares', ...decimal }),
    price: field({ prefix, name: 'price', label: 'Price per share', value: transaction?.price ?? '', hint: 'In the ticker’s currency: pounds (not pence) for VOD.L', ...decimal }),
    fee: field({ prefix, name: 'fee', label: 'Fee', value: transaction?.fee ?? '', hint: 'Optional: none when empty', ...decimal }),
    amount: field({ prefix, name: 'amount', label: 'Amount', value: transaction?.amount ?? '', hint: 'The cash received, in the ticker’s currency', ...decimal }),
    ratio: field({ prefix, name: 'ratio', label: 'Ratio', value: transaction?.ratio ?? '', hint: 'New shares per old share: 4 for a 4-for-1 split, 0.1 for 1-for-10', ...decimal }),
  };
  const typeControl = editing
    ? h('p', { class: 'fixed-type', 'data-testid': 'fixed-type' }, h('span', { class: 'label' }, 'Type'), h('strong', null, typeLabel(transaction.type)))
    : selectField({ prefix, name: 'type', label: 'Type', options: TYPES, value: 'BUY' });
  const chosenAccount = transaction?.account ?? (accounts.some((a) => String(a.id) === account) ? account : accounts[0]?.id);

  const buttons = editing
    ? h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Save changes'), h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel' }, 'Cancel'))
    : h('button', { type: 'submit' }, 'Add transaction');
  const form = h(
    'form',
    props,
    h(
      'div',
      { class: 'field-grid' },
      typeControl,
      selectField({ prefix, name: 'account', label: 'Account', options: accounts.map((a) => [String(a.id), accountLabel(a)]), value: chosenAccount }),
      field({ prefix, name: 'ticker', label: 'Ticker', value: transaction?.ticker ?? '', autocapitalize: 'characters', autocomplete: 'off', spellcheck: 'false', maxlength: 20, hint: 'e.g. VTI, BRK.B or VOD.L' }),
      field({ prefix, name: 'date', label: 'Date', type: 'date', value: transaction?.date ?? localToday(), max: localToday() }),
      DETAIL_FIELDS.map((name) => detail[name]),
      field({ prefix, name: 'note', label: 'Note (optional)', value: transaction?.note ?? '', autocomplete: 'off', maxlength: 500 }),
    ),
    formError(),
    buttons,
  );
  const currentType = () => (editing ? transaction.type : form.elements.namedItem('type').value);
  const sync = () => {
    const wanted = TYPE_FIELDS[currentType()] ?? [];
    for (const name of DETAIL_FIELDS) {
      const shown = wanted.includes(name);
      detail[name].hidden = !shown;
      detail[name].querySelector('input').disabled = !shown;
    }
  };
  sync();
  if (!editing) form.elements.namedItem('type').addEventListener('change', sync);
  if (editing) {
    form.querySelector('[data-action="cancel"]').addEventListener('click', () => onCancel?.());
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') onCancel?.();
    });
  }

  onSubmit(form, editing ? 'Saving…' : 'Adding…', async (values) => {
    if (editing) {
      const changes = {};
      if (values.account !== String(transaction.account)) changes.account = accountId(values.account);
      for (const name of ['ticker', 'date', ...TYPE_FIELDS[transaction.type], 'note']) {
        if (text(values[name]) !== text(transaction[name])) changes[name] = text(values[name]);
      }
      const saved = Object.keys(changes).length ? await api.updateTransaction(transaction.id, changes) : null;
      await onSaved?.(saved);
      return;
    }
    // Empty fields are left out: the API then names what is missing (and a missing fee is 0).
    const body = { type: values.type, account: accountId(values.account) };
    for (const name of ['ticker', 'date', ...TYPE_FIELDS[values.type], 'note']) {
      if (text(values[name])) body[name] = text(values[name]);
    }
    const saved = await api.createTransaction(body);
    // Ready for the next one: same type and account, the rest cleared.
    for (const name of ['ticker', ...DETAIL_FIELDS, 'note']) form.elements.namedItem(name).value = '';
    await onSaved?.(saved);
  });
  return form;
}
