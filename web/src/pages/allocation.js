// Allocation by ticker: a donut chart drawn as SVG, with the exact numbers in a table beside it.
// The slices are the server's (`GET /api/portfolio/summary/`, rounded there, in the report
// currency); only the chart's geometry uses floating point.

import { api } from '../api.js';
import { REPORT_CURRENCY_LINK, currencyLabel } from '../currencies.js';
import * as dec from '../decimal.js';
import { append, h, loadInto, svg } from '../dom.js';
import { money, percent } from '../money.js';

// Distinguishable colours, each at least 3:1 against the cards in either colour scheme (WCAG
// non-text contrast): style.css's --slice-0 to --slice-9, named by class.
const SLICE_COLOURS = 10;
const sliceClass = (index) => `slice slice-${index % SLICE_COLOURS}`;

function chart(slices, total) {
  const radius = 15.9155; // circumference ≈ 100, so dash lengths are percentages
  const totalNumber = dec.toNumber(total);
  let offset = 0;
  const rings = [];
  slices.forEach((slice, index) => {
    const fraction = totalNumber > 0 ? dec.toNumber(slice.value) / totalNumber : 0;
    if (fraction <= 0) return;
    const length = fraction * 100;
    rings.push(
      svg(
        'circle',
        {
          cx: 21,
          cy: 21,
          r: radius,
          fill: 'none',
          class: sliceClass(index),
          'stroke-width': 7,
          pathLength: 100,
          'stroke-dasharray': `${length} ${100 - length}`,
          'stroke-dashoffset': `${-offset}`,
          'data-ticker': slice.ticker,
        },
        svg('title', null, `${slice.ticker}: ${percent(slice.percent)}`),
      ),
    );
    offset += length;
  });
  const description = slices.map((s) => `${s.ticker} ${percent(s.percent)}`).join(', ');
  return svg(
    'svg',
    { viewBox: '0 0 42 42', class: 'donut', role: 'img', 'aria-labelledby': 'chart-title chart-desc', 'data-testid': 'allocation-chart' },
    svg('title', { id: 'chart-title' }, 'Allocation by ticker'),
    svg('desc', { id: 'chart-desc' }, description),
    svg('circle', { cx: 21, cy: 21, r: radius, fill: 'none', class: 'chart-track', 'stroke-width': 7 }),
    svg('g', { transform: 'rotate(-90 21 21)' }, rings),
    svg('text', { x: 21, y: 20, 'text-anchor': 'middle', class: 'donut-label' }, `${slices.length}`),
    svg('text', { x: 21, y: 25, 'text-anchor': 'middle', class: 'donut-sub' }, slices.length === 1 ? 'ticker' : 'tickers'),
  );
}

const swatch = (index) =>
  svg('svg', { class: 'swatch', viewBox: '0 0 10 10', 'aria-hidden': 'true', focusable: 'false' }, svg('rect', { width: 10, height: 10, rx: 2, class: sliceClass(index) }));

function legend(slices, total, basis, currency) {
  return h(
    'table',
    { class: 'legend', 'data-testid': 'allocation-table' },
    h('caption', null, `By ${basis}`),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Ticker'), h('th', { scope: 'col', class: 'num' }, 'Value'), h('th', { scope: 'col', class: 'num' }, 'Share'))),
    h(
      'tbody',
      null,
      slices.map((slice, index) =>
        h(
          'tr',
          { 'data-testid': 'allocation-row', 'data-ticker': slice.ticker },
          h('th', { scope: 'row' }, swatch(index), slice.ticker),
          h('td', { class: 'num', 'data-col': 'value' }, money(slice.value, { currency })),
          h('td', { class: 'num', 'data-col': 'percent' }, percent(slice.percent)),
        ),
      ),
    ),
    h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, 'Total'), h('td', { class: 'num', 'data-testid': 'allocation-total' }, money(total, { currency })), h('td', { class: 'num' }, percent('100')))),
  );
}

export function allocationPage(main, { signal }) {
  const area = h('div', { class: 'allocation' });
  append(main, h('h1', { tabindex: '-1' }, 'Allocation'), area);
  loadInto(area, {
    label: 'your allocation',
    signal,
    load: () => api.summary(signal),
    render: ({ currency = null, holdings, totals, allocation_basis: basis, allocation: slices }) => {
      if (!holdings.length) {
        append(area, h('p', { class: 'empty' }, 'No holdings yet. ', h('a', { href: '/portfolio' }, 'Add some on the Portfolio page'), ' to see how they are spread.'));
        return;
      }
      const atMarket = basis === 'market_value';
      const total = atMarket ? totals.market_value : totals.cost;
      const unpriced = [...new Set(holdings.filter((row) => row.price == null).map((row) => row.ticker))];
      const note = !atMarket
        ? 'Valued at cost: market prices are not available right now.'
        : unpriced.length
          ? `Valued at the latest market prices; ${unpriced.join(', ')} ${unpriced.length === 1 ? 'has' : 'have'} no price now and ${unpriced.length === 1 ? 'is' : 'are'} left out.`
          : 'Valued at the latest market prices.';
      append(area,
        h('p', { class: 'notice', 'data-testid': 'allocation-basis' }, note),
        currency ? h('p', { class: 'hint', 'data-testid': 'report-currency-note' }, `Amounts are in ${currencyLabel(currency)}. `, h('a', { href: REPORT_CURRENCY_LINK }, 'Change the report currency'), '.') : null,
      );
      if (!slices.length || dec.isZero(total)) {
        append(area, h('p', { class: 'empty' }, 'Your holdings are worth nothing at the moment, so there is nothing to chart.'));
        return;
      }
      append(area, h('div', { class: 'allocation-body' }, h('figure', { class: 'chart' }, chart(slices, total)), legend(slices, total, atMarket ? 'market value' : 'cost', currency)));
    },
  });
}
