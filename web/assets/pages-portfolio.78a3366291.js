// The portfolio: the positions of the chosen account (or all), each ticker's lots taken
// together (`GET /api/portfolio/positions/`): quantity, cost, average cost, price, market
// value, unrealized and realized gain and dividends, with totals, every figure computed and
// rounded by the server, in the report currency (the user's base currency). A holding listed
// in another currency also shows its cost and market value in its own, its price in its own
// (the quote, £0.72, not a converted figure with a dozen decimals), and its unrealized gain
// split into what the price made and what the exchange rate made. Below, a transaction is
// added, and the buys go out and come in as CSV (a dry-run preview first).

import { accountPicker } from './accounts.8bc8d8f9ba.js';
import { REPORT_CURRENCY_LINK, currencyLabel } from './currencies.482e34fc5e.js';
import { formatDay } from './dates.55a005ad75.js';
import { api } from './api.7e53e00667.js';
import * as dec from './decimal.515325027d.js';
import { append, field, formError, h, loadInto, onSubmit, whilePending, withLine } from './dom.ccf23a358f.js';
import { MISSING, currencyEffect, effects, money, number, signedMoney } from './money.18e4ea6ae7.js';
import { tone } from './tone.64d4aca04b.js';
import { transactionForm, typeLabel } from './transaction-form.3e571fbfd6.js';

const signedCell = (amount, currency, props, line = null) =>
  h('td', { ...props, class: `num ${amount == null ? '' : tone(amount)}` }, withLine(signedMoney(amount, { currency }), line, 'effects'));

export function portfolioPage(main, { signal, params, navigate, announce }) {
  const picker = accountPicker({ params, navigate, signal });
  const state = { accounts: [], account: '' };
  const area = h('div', { class: 'positions', 'data-testid': 'positions' });
  const quotesNote = h('p', { class: 'notice', 'data-testid': 'quotes-note', role: 'status', hidden: true });
  const asOfNote = h('p', { class: 'hint', 'data-testid': 'prices-as-of', hidden: true });
  const currencyNote = h('p', { class: 'hint', 'data-testid': 'report-currency-note', hidden: true });
  const addArea = h(
    'section',
    { class: 'card', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Add a transaction'),
    h('p', { class: 'hint' }, 'Buys, sales, dividends and splits; ', h('a', { href: '/transactions' }, 'the Transactions page'), ' lists, edits and deletes them.'),
  );

  append(main,
    h('h1', { tabindex: '-1' }, 'Portfolio'),
    picker.element,
    h('section', { 'aria-labelledby': 'positions-title' }, h('h2', { id: 'positions-title', class: 'visually-hidden' }, 'Positions'), quotesNote, currencyNote, asOfNote, area),
    addArea,
    csvCard({ announce, refresh: () => refresh() }),
  );

  async function refresh() {
    const body = await api.positions({ account: state.account }, signal);
    if (!signal.aborted) render(body);
  }

  function render({ currency, positions, totals }) {
    const inReport = (amount) => money(amount, { currency });
    // Listed in another currency than the report's: the server gives its own figures.
    const foreign = positions.filter((row) => row.own);
    currencyNote.hidden = !currency;
    currencyNote.replaceChildren(
      ...(currency
        ? [
            `Amounts are in ${currencyLabel(currency)}${foreign.length ? '; a holding listed in another currency also shows its cost and market value in that currency, and its unrealized gain split into what the price made and what the exchange rate made' : ''}. `,
            h('a', { href: REPORT_CURRENCY_LINK }, 'Change the report currency'),
            '.',
          ]
        : []),
    );
    // Sold-out tickers stay listed for their realized gain and dividends; only open ones need a price.
    const open = positions.filter((row) => dec.isDecimal(row.quantity) && !dec.isZero(row.quantity));
    const unpriced = [...new Set(open.filter((row) => row.price == null).map((row) => row.ticker))];
    quotesNote.hidden = !unpriced.length;
    quotesNote.textContent = !unpriced.length
      ? ''
      : unpriced.length === open.length
        ? 'Market prices are not available right now, so market value and unrealized gain are left blank.'
        : `No market price is known now for ${unpriced.join(', ')}; the market value and unrealized gain totals leave ${unpriced.length === 1 ? 'it' : 'them'} out.`;
    // Without a live quote source the prices are the latest daily closes: say which day's.
    const closeDays = [...new Set(open.filter((row) => row.price_source === 'close' && row.price_as_of).map((row) => row.price_as_of))].sort();
    asOfNote.hidden = !closeDays.length;
    asOfNote.textContent = !closeDays.length
      ? ''
      : `Prices are closing prices as of ${closeDays.length === 1 ? formatDay(closeDays[0]) : `${formatDay(closeDays[0])} to ${formatDay(closeDays.at(-1))}`}.`;

    if (!positions.length) {
      area.replaceChildren(h('p', { class: 'empty', 'data-testid': 'no-positions' }, 'No positions yet. Add your first transaction below.'));
      return;
    }
    const columns = [
      ['Quantity', 'quantity'],
      ['Cost', 'cost'],
      ['Average cost', 'average-cost'],
      ['Price', 'price'],
      ['Market value', 'value'],
      ['Unrealized gain', 'unrealized'],
      ['Realized gain', 'realized'],
      ['Dividends', 'dividends'],
    ];
    const label = Object.fromEntries(columns.map(([text, col]) => [col, text]));
    const cell = (col, content) => h('td', { class: 'num', 'data-col': col, 'data-label': label[col] }, content);
    const rows = positions.map((row) => {
      // In its own currency (a foreign holding only); the price is the quote as listed.
      const own = row.own ? (amount) => (amount == null ? null : money(amount, { currency: row.currency })) : () => null;
      return h(
        'tr',
        { 'data-testid': 'position-row', 'data-ticker': row.ticker, 'data-currency': row.currency },
        h('th', { scope: 'row', 'data-col': 'ticker', 'data-label': 'Ticker' }, h('a', { href: `/transactions?ticker=${encodeURIComponent(row.ticker)}${state.account ? `&account=${encodeURIComponent(state.account)}` : ''}`, 'aria-label': `${row.ticker}: its transactions` }, row.ticker)),
        cell('quantity', number(row.quantity)),
        cell('cost', withLine(inReport(row.cost), own(row.own?.cost), 'own')),
        cell('average-cost', inReport(row.average_cost)),
        cell('price', row.own ? (row.own.price == null ? MISSING : money(row.own.price, { currency: row.currency })) : inReport(row.price)),
        cell('value', withLine(inReport(row.market_value), own(row.own?.market_value), 'own')),
        signedCell(row.unrealized_gain, currency, { 'data-col': 'unrealized', 'data-label': label.unrealized }, effects(row.price_effect, row.currency_effect, currency)),
        signedCell(row.realized_gain, currency, { 'data-col': 'realized', 'data-label': label.realized }),
        cell('dividends', inReport(row.dividends)),
      );
    });
    const foot = h(
      'tr',
      { 'data-testid': 'totals' },
      h('th', { scope: 'row' }, 'Total'),
      h('td'),
      h('td', { class: 'num', 'data-testid': 'total-cost', 'data-label': 'Cost' }, inReport(totals.cost)),
      h('td'),
      h('td'),
      h('td', { class: 'num', 'data-testid': 'total-value', 'data-label': 'Market value' }, inReport(totals.market_value)),
      // The exchange rates' share of the gain, when some holding is foreign.
      signedCell(totals.unrealized_gain, currency, { 'data-testid': 'total-unrealized', 'data-label': label.unrealized }, foreign.length ? currencyEffect(totals.currency_effect, currency) : null),
      signedCell(totals.realized_gain, currency, { 'data-testid': 'total-realized', 'data-label': label.realized }),
      h('td', { class: 'num', 'data-testid': 'total-dividends', 'data-label': 'Dividends' }, inReport(totals.dividends)),
    );
    area.replaceChildren(
      h(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-labelledby': 'positions-caption', tabindex: '0' },
        h(
          'table',
          { class: 'stack-table', 'data-testid': 'positions-table' },
          h('caption', { id: 'positions-caption' }, `Positions (${positions.length})`),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Ticker'), columns.map(([text]) => h('th', { scope: 'col', class: 'num' }, text)))),
          h('tbody', null, rows),
          h('tfoot', null, foot),
        ),
      ),
    );
  }

  loadInto(area, {
    label: 'your positions',
    signal,
    load: async () => {
      const { accounts, account } = await picker.load();
      state.accounts = accounts;
      state.account = account;
      return api.positions({ account }, signal);
    },
    render: (body) => {
      render(body);
      if (!addArea.querySelector('form')) {
        append(addArea,
          transactionForm({
            accounts: state.accounts,
            account: state.account,
            prefix: 'add',
            'aria-labelledby': 'add-title',
            'data-testid': 'add-transaction',
            onSaved: async (saved) => {
              announce(`Added the ${typeLabel(saved.type).toLowerCase()} of ${saved.ticker} on ${saved.date}.`);
              await refresh();
              addArea.querySelector('select')?.focus();
            },
          }),
        );
      }
    },
  });
}

// Download the holdings (the first account's buys, `/api/assets/`) as CSV, or upload a file: a
// dry run first shows what would be added (or every problem by row), then the import itself.
function csvCard({ announce, refresh }) {
  const download = h('button', { type: 'button', class: 'secondary', 'data-testid': 'download-csv' }, 'Download holdings (CSV)');
  download.addEventListener('click', () =>
    whilePending(download, 'Preparing…', async () => {
      try {
        const blob = await api.exportAssets();
        const link = h('a', { href: URL.createObjectURL(blob), download: 'holdings.csv', hidden: true });
        append(document.body, link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      } catch (error) {
        if (error?.code !== 'session_expired') announce(`Could not download: ${error.message}`, 'error');
      }
    }),
  );
  const fileField = field({ prefix: 'csv', name: 'file', label: 'CSV file', type: 'file', accept: '.csv,text/csv', hint: 'Columns ticker (or symbol), shares (or quantity, qty), costbasis (or price, unit price) and buy (or date); header names in any order.' });
  const preview = h('div', { class: 'import-preview', 'data-testid': 'import-preview', role: 'status' });
  const confirm = h('button', { type: 'button', hidden: true, 'data-testid': 'confirm-import' }, 'Import');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'csv-title', 'data-testid': 'csv-import' },
    h('h2', { id: 'csv-title' }, 'Import and export'),
    h('p', { class: 'hint' }, 'The file holds the buys of your first account (ticker, shares, price per share as costbasis, date as buy); an import adds buys to that account.'),
    h('p', null, download),
    fileField,
    formError(),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Preview import'), confirm),
    preview,
  );
  let text = null;
  // A preview stands for the file it was made from: choosing another one asks for a new preview.
  form.elements.namedItem('file').addEventListener('change', () => {
    confirm.hidden = true;
    preview.replaceChildren();
  });
  const report = (result, done) => {
    if (result.errors.length) {
      return [
        h('p', null, `Nothing ${done ? 'was' : 'would be'} imported: the file has ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}.`),
        h('ul', { class: 'import-errors' }, result.errors.map((e) => h('li', null, `Row ${e.row}, ${e.field}: ${e.message}`))),
      ];
    }
    const verb = done ? 'Imported' : 'Would import';
    return [h('p', null, `${verb} ${result.created} holding${result.created === 1 ? '' : 's'}; ${result.skipped} already present ${result.skipped === 1 ? 'is' : 'are'} skipped.`)];
  };
  onSubmit(form, 'Checking…', async () => {
    const file = form.elements.namedItem('file').files?.[0];
    confirm.hidden = true;
    preview.replaceChildren();
    if (!file) throw new Error('Choose a CSV file first.');
    text = await file.text();
    const result = await api.importAssets(text, { dryRun: true });
    preview.replaceChildren(...report(result, false));
    confirm.hidden = result.errors.length > 0 || result.created === 0;
    if (!confirm.hidden) confirm.focus();
  });
  confirm.addEventListener('click', () =>
    whilePending(confirm, 'Importing…', async () => {
      try {
        const result = await api.importAssets(text, { dryRun: false });
        preview.replaceChildren(...report(result, true));
        confirm.hidden = true;
        form.reset();
        if (!result.errors.length) {
          announce(`Imported ${result.created} holding${result.created === 1 ? '' : 's'}.`);
          await refresh();
        }
      } catch (error) {
        if (error?.code !== 'session_expired') preview.replaceChildren(h('p', { class: 'form-error' }, error.message));
      }
    }),
  );
  return form;
}
