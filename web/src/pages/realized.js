// Realized gains: the lots sold (matched first in, first out by the server), for one year or
// all, of the chosen account or all: ticker, quantity, dates bought and sold, cost, proceeds,
// gain and term (held more than a year is long), with totals, in the report currency. A lot
// listed in another currency has its gain split into what the price made and what the exchange
// rate made between purchase and sale. The year is kept in the URL; the years offered are those
// with a sale.

import { accountPicker } from '../accounts.js';
import { api } from '../api.js';
import { REPORT_CURRENCY_LINK, currencyLabel } from '../currencies.js';
import { append, h, loadInto, selectField, withLine } from '../dom.js';
import { MISSING, currencyEffect, effects, money, number, signedMoney } from '../money.js';
import { tone } from '../tone.js';

const YEAR_SELECT_ID = 'realized-year';
const TERMS = { short: 'Short term', long: 'Long term' };

const signedCell = (amount, currency, props, line = null) =>
  h('td', { ...props, class: `num ${amount == null ? '' : tone(amount)}` }, withLine(signedMoney(amount, { currency }), line, 'effects'));

export function realizedPage(main, { signal, params, navigate }) {
  const picker = accountPicker({ params, navigate, signal });
  const year = /^\d{4}$/.test(params.get('year') ?? '') ? params.get('year') : '';
  const yearSlot = h('div');
  const controls = h('form', { class: 'card controls', 'aria-label': 'Year', 'data-testid': 'realized-controls' }, yearSlot);
  controls.addEventListener('submit', (event) => event.preventDefault());
  const drawYears = (years) => {
    const wrap = selectField({ id: YEAR_SELECT_ID, name: 'year', label: 'Year sold', options: [['', 'All years'], ...years.map((y) => [y, y])], value: year });
    wrap.querySelector('select').addEventListener('change', (event) => {
      const url = new URL(window.location.href);
      if (event.target.value) url.searchParams.set('year', event.target.value);
      else url.searchParams.delete('year');
      navigate(url.pathname + url.search, { replace: true, focusId: YEAR_SELECT_ID });
    });
    const focused = yearSlot.contains(document.activeElement);
    yearSlot.replaceChildren(wrap);
    if (focused) wrap.querySelector('select').focus();
  };
  drawYears(year ? [year] : []);
  const area = h('div', { 'data-testid': 'realized' });
  append(main, h('h1', { tabindex: '-1' }, 'Realized gains'), picker.element, controls, area);

  loadInto(area, {
    label: 'your realized gains',
    signal,
    load: async () => {
      const { account } = await picker.load();
      // Every year's sales name the years to offer; the chosen year's come with its own totals.
      const all = await api.realized({ account }, signal);
      const chosen = year ? await api.realized({ year, account }, signal) : all;
      return { all, chosen };
    },
    render: ({ all, chosen }) => {
      const years = new Set(all.lots.map((lot) => String(lot.sold ?? '').slice(0, 4)).filter((y) => /^\d{4}$/.test(y)));
      if (year) years.add(year);
      drawYears([...years].sort().reverse());
      const { currency, lots, totals } = chosen;
      const inReport = (amount) => money(amount, { currency });
      // Listed in another currency than the report's: the server splits its gain.
      const foreign = lots.filter((lot) => lot.currency_effect != null);
      if (!lots.length) {
        append(area, h('p', { class: 'empty', 'data-testid': 'no-realized' }, year ? `No sales in ${year}.` : 'No sales yet: a gain is realized when shares are sold.'));
        return;
      }
      const cell = (col, label, content) => h('td', { class: 'num', 'data-col': col, 'data-label': label }, content);
      append(area,
        currency
          ? h(
              'p',
              { class: 'hint', 'data-testid': 'report-currency-note' },
              `Amounts are in ${currencyLabel(currency)}${foreign.length ? '; the gain of a lot listed in another currency is split into what the price made and what the exchange rate made between purchase and sale' : ''}. `,
              h('a', { href: REPORT_CURRENCY_LINK }, 'Change the report currency'),
              '.',
            )
          : null,
        h(
          'div',
          { class: 'table-wrap', role: 'region', 'aria-labelledby': 'realized-caption', tabindex: '0' },
          h(
            'table',
            { class: 'stack-table', 'data-testid': 'realized-table' },
            h('caption', { id: 'realized-caption' }, `${year ? `Sold in ${year}` : 'All sales'} (${lots.length} ${lots.length === 1 ? 'lot' : 'lots'})`),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, 'Ticker'),
                h('th', { scope: 'col', class: 'num' }, 'Quantity'),
                h('th', { scope: 'col' }, 'Bought'),
                h('th', { scope: 'col' }, 'Sold'),
                ['Cost', 'Proceeds', 'Gain'].map((name) => h('th', { scope: 'col', class: 'num' }, name)),
                h('th', { scope: 'col' }, 'Term'),
              ),
            ),
            h(
              'tbody',
              null,
              lots.map((lot) =>
                h(
                  'tr',
                  { 'data-testid': 'realized-row', 'data-ticker': lot.ticker, 'data-currency': lot.currency },
                  h('th', { scope: 'row', 'data-col': 'ticker', 'data-label': 'Ticker' }, lot.ticker),
                  cell('quantity', 'Quantity', number(lot.quantity)),
                  h('td', { 'data-col': 'bought', 'data-label': 'Bought' }, lot.bought ? h('time', { datetime: lot.bought }, lot.bought) : MISSING),
                  h('td', { 'data-col': 'sold', 'data-label': 'Sold' }, lot.sold ? h('time', { datetime: lot.sold }, lot.sold) : MISSING),
                  cell('cost', 'Cost', inReport(lot.cost)),
                  cell('proceeds', 'Proceeds', inReport(lot.proceeds)),
                  signedCell(lot.gain, currency, { 'data-col': 'gain', 'data-label': 'Gain' }, effects(lot.price_effect, lot.currency_effect, currency)),
                  h('td', { 'data-col': 'term', 'data-label': 'Term' }, TERMS[lot.term] ?? MISSING),
                ),
              ),
            ),
            h(
              'tfoot',
              null,
              h(
                'tr',
                { 'data-testid': 'realized-totals' },
                h('th', { scope: 'row' }, 'Total'),
                h('td', { colspan: 3 }),
                h('td', { class: 'num', 'data-testid': 'realized-total-cost', 'data-label': 'Cost' }, inReport(totals.cost)),
                h('td', { class: 'num', 'data-testid': 'realized-total-proceeds', 'data-label': 'Proceeds' }, inReport(totals.proceeds)),
                // The exchange rates' share of the gain, when some lot is foreign.
                signedCell(totals.gain, currency, { 'data-testid': 'realized-total-gain', 'data-label': 'Gain' }, foreign.length ? currencyEffect(totals.currency_effect, currency) : null),
                h('td'),
              ),
            ),
          ),
        ),
      );
    },
  });
}
