// The watch list: the user's tickers (kept on the server) with price, day change and market
// cap from the server's market data, an add form and a remove button per row.

import { api } from './api.7e53e00667.js';
import { formatDay } from './dates.55a005ad75.js';
import * as dec from './decimal.515325027d.js';
import { append, field, formError, h, loadInto, onSubmit, whilePending } from './dom.ccf23a358f.js';
import { MISSING, money, number, signedMoney, signedPercent } from './money.18e4ea6ae7.js';
import { tone } from './tone.64d4aca04b.js';

// Dollars as "$2.87T" / "$455.00B" / "$12.30M" / "$950,000"; exact digits, rounded once for
// display.
function marketCap(amount) {
  if (!dec.isDecimal(amount)) return MISSING;
  for (const [size, unit] of [['1000000000000', 'T'], ['1000000000', 'B'], ['1000000', 'M']]) {
    if (dec.cmp(amount, size) >= 0) return `$${money(dec.div(amount, size, 2))}${unit}`;
  }
  return `$${number(dec.round(amount, 0))}`;
}

// Prices and changes are in the ticker's listing currency (`entry.currency`). A close (no
// live quote source) says which day's it is.
function asOf(entry) {
  if (entry.source !== 'close' || !entry.as_of) return null;
  return h('span', { class: 'as-of', 'data-testid': 'as-of' }, `as of ${formatDay(entry.as_of)}`);
}

function change(entry) {
  if (!dec.isDecimal(entry.change)) return MISSING;
  const percent = dec.isDecimal(entry.change_percent) ? ` (${signedPercent(dec.round(entry.change_percent, 2))})` : '';
  return `${signedMoney(entry.change, { currency: entry.currency })}${percent}`;
}

export function watchlistPage(main, { signal, announce }) {
  const area = h('div', { 'data-testid': 'watchlist' });
  const addForm = h(
    'form',
    { class: 'card', 'aria-labelledby': 'watch-title', 'data-testid': 'add-watch' },
    h('h2', { id: 'watch-title' }, 'Watch a ticker'),
    h('div', { class: 'field-grid' }, field({ prefix: 'watch', name: 'ticker', label: 'Ticker', required: true, maxlength: 13, autocapitalize: 'characters', autocomplete: 'off', spellcheck: 'false', hint: 'e.g. QQQ, BRK.B or VOD.L' })),
    formError(),
    h('button', { type: 'submit' }, 'Add to watch list'),
  );
  onSubmit(addForm, 'Adding…', async (values) => {
    const added = await api.watch(String(values.ticker ?? '').trim());
    addForm.reset();
    announce(`Watching ${added.ticker}.`);
    await refresh();
    addForm.elements.namedItem('ticker').focus();
  });

  append(main,
    h('h1', { tabindex: '-1' }, 'Watch list'),
    h('p', { class: 'lede' }, 'Prices and market caps come through the server; your list follows you to every device.'),
    h('section', { 'aria-label': 'Watched tickers' }, area),
    addForm,
  );

  function render(entries) {
    if (!entries.length) {
      area.replaceChildren(h('p', { class: 'empty', 'data-testid': 'no-watches' }, 'Nothing on your watch list. Add a ticker below.'));
      return;
    }
    const rows = entries.map((entry) => {
      const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${entry.ticker} from the watch list`, 'data-focus-key': `remove-${entry.ticker}` }, 'Remove');
      remove.addEventListener('click', () =>
        whilePending(remove, 'Removing…', async () => {
          try {
            await api.unwatch(entry.ticker);
            announce(`Removed ${entry.ticker}.`);
            await refresh();
            addForm.elements.namedItem('ticker').focus();
          } catch (error) {
            if (error?.code !== 'session_expired') announce(`Could not remove ${entry.ticker}: ${error.message}`, 'error');
          }
        }),
      );
      return h(
        'tr',
        { 'data-testid': 'watch-row', 'data-ticker': entry.ticker },
        h('th', { scope: 'row', 'data-label': 'Ticker' }, entry.ticker),
        h('td', { 'data-label': 'Name' }, entry.name ?? MISSING),
        h('td', { class: 'num', 'data-col': 'price', 'data-label': 'Price' }, money(entry.price, { currency: entry.currency }), asOf(entry)),
        h('td', { class: `num ${dec.isDecimal(entry.change) ? tone(entry.change) : ''}`, 'data-col': 'change', 'data-label': 'Day change' }, change(entry)),
        h('td', { class: 'num', 'data-col': 'market-cap', 'data-label': 'Market cap' }, marketCap(entry.market_cap)),
        h('td', { class: 'actions' }, remove),
      );
    });
    area.replaceChildren(
      h(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-labelledby': 'watch-caption', tabindex: '0' },
        h(
          'table',
          { class: 'stack-table', 'data-testid': 'watch-table' },
          h('caption', { id: 'watch-caption' }, `Watched tickers (${entries.length})`),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Ticker'),
              h('th', { scope: 'col' }, 'Name'),
              h('th', { scope: 'col', class: 'num' }, 'Price'),
              h('th', { scope: 'col', class: 'num' }, 'Day change'),
              h('th', { scope: 'col', class: 'num' }, 'Market cap'),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
          h('tbody', null, rows),
        ),
      ),
    );
  }

  async function refresh() {
    const entries = await api.watchlist(signal);
    if (!signal.aborted) render(entries);
  }

  loadInto(area, { label: 'your watch list', signal, load: () => api.watchlist(signal), render });
}
