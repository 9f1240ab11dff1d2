// Performance of the chosen account (or all) between two dates
// (`GET /api/portfolio/performance/`): the time-weighted return (how the investments did,
// whatever money came and went), the money-weighted return (a year, the internal rate of the
// actual flows) and the benchmark's return over the same dates, beside a chart of the value at
// each close, with the day-by-day numbers in a table. Ranges are presets counted back from today
// (or since the first transaction) or dates of one's own; range, dates and benchmark are kept in
// the URL. The figures are the server's, in the report currency (the benchmark too is valued in
// it); only the chart's geometry uses floating point.

import { accountPicker } from '../accounts.js';
import { api } from '../api.js';
import { REPORT_CURRENCY_LINK, currencyLabel } from '../currencies.js';
import { addMonths, exchangeToday, localToday } from '../dates.js';
import * as dec from '../decimal.js';
import { append, clearErrors, field, formError, h, loadInto, selectField, showErrors, svg } from '../dom.js';
import { MISSING, money, signedPercent } from '../money.js';
import { tone } from '../tone.js';

const RANGES = [
  ['1m', '1 month', 1],
  ['3m', '3 months', 3],
  ['6m', '6 months', 6],
  ['1y', '1 year', 12],
  ['5y', '5 years', 60],
  ['max', 'Since the first transaction', null],
  ['custom', 'Dates of my own', null],
];
const BENCHMARKS = [
  ['SPY', 'S&P 500 (SPY)'],
  ['VTI', 'Total US market (VTI)'],
  ['QQQ', 'Nasdaq-100 (QQQ)'],
];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RANGE_ID = 'performance-range';
const BENCHMARK_ID = 'performance-benchmark';
const WIDTH = 320;
const HEIGHT = 180;
const PAD = 8;

function chart(points, from, to) {
  const priced = points.filter((point) => dec.isDecimal(point.value ?? ''));
  const numbers = priced.map((point) => dec.toNumber(point.value));
  const top = Math.max(...numbers, 0);
  const bottom = Math.min(...numbers, 0);
  const span = top - bottom || 1;
  const x = (i) => PAD + (points.length > 1 ? (i * (WIDTH - 2 * PAD)) / (points.length - 1) : (WIDTH - 2 * PAD) / 2);
  const y = (v) => HEIGHT - PAD - ((v - bottom) * (HEIGHT - 2 * PAD)) / span;
  let d = '';
  let pen = 'M';
  points.forEach((point, i) => {
    if (!dec.isDecimal(point.value ?? '')) {
      pen = 'M';
      return;
    }
    d += `${pen}${x(i).toFixed(2)},${y(dec.toNumber(point.value)).toFixed(2)} `;
    pen = 'L';
  });
  return h(
    'figure',
    { class: 'history-chart' },
    svg(
      'svg',
      { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': 'performance-chart-title', preserveAspectRatio: 'none', 'data-testid': 'performance-chart' },
      svg('title', { id: 'performance-chart-title' }, `Portfolio value at each close, ${from} to ${to}`),
      svg('line', { x1: PAD, x2: WIDTH - PAD, y1: y(0), y2: y(0), class: 'chart-axis', 'stroke-width': 1, 'vector-effect': 'non-scaling-stroke' }),
      svg('path', { d: d.trim(), fill: 'none', class: 'series-value', 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke', 'data-line': 'value' }),
    ),
    h('figcaption', null, h('p', { class: 'hint' }, `Portfolio value at each close, ${from} to ${to}.`)),
  );
}

function table(points, currency) {
  return h(
    'details',
    { class: 'history-table' },
    h('summary', null, 'The numbers, day by day'),
    h(
      'div',
      { class: 'table-wrap', role: 'region', 'aria-label': 'Performance table', tabindex: '0' },
      h(
        'table',
        { 'data-testid': 'performance-table' },
        h('caption', null, 'Value and time-weighted return since the start'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col', class: 'num' }, 'Value'), h('th', { scope: 'col', class: 'num' }, 'Return'))),
        h(
          'tbody',
          null,
          points.map((p) => h('tr', { 'data-date': p.date }, h('th', { scope: 'row' }, h('time', { datetime: p.date }, p.date)), h('td', { class: 'num' }, money(p.value, { currency })), h('td', { class: 'num' }, signedPercent(p.twr)))),
        ),
      ),
    ),
  );
}

const figure = (testid, term, value, { percent = false, currency = null } = {}) =>
  h('div', null, h('dt', null, term), h('dd', { 'data-testid': testid, class: percent && value != null ? tone(value) : null }, percent ? signedPercent(value) : money(value, { currency })));

export function performancePage(main, { signal, params, navigate }) {
  const picker = accountPicker({ params, navigate, signal });
  const benchmark = BENCHMARKS.some(([value]) => value === params.get('benchmark')) ? params.get('benchmark') : 'SPY';
  const ownDates = DATE.test(params.get('from') ?? '') && DATE.test(params.get('to') ?? '');
  const range = RANGES.some(([value]) => value === params.get('range')) && (params.get('range') !== 'custom' || ownDates) ? params.get('range') : ownDates ? 'custom' : '1y';
  // A preset ends today on the exchange's calendar, which is never ahead of the server's (a
  // reader east of it may already be in tomorrow, which the API refuses as the future).
  const today = exchangeToday();
  const months = RANGES.find(([value]) => value === range)[2];
  // Known now for a preset counted back from today or for one's own dates; found for "max".
  const dates = range === 'custom' ? { from: params.get('from'), to: params.get('to') } : months ? { from: addMonths(today, -months), to: today } : { from: '', to: today };

  const controls = h(
    'form',
    { class: 'card controls', 'aria-label': 'Dates and benchmark', 'data-testid': 'performance-controls' },
    h(
      'div',
      { class: 'field-grid' },
      selectField({ id: RANGE_ID, name: 'range', label: 'Range', options: RANGES.map(([value, text]) => [value, text]), value: range }),
      field({ prefix: 'performance', name: 'from', label: 'From', type: 'date', value: dates.from, max: localToday() }),
      field({ prefix: 'performance', name: 'to', label: 'To', type: 'date', value: dates.to, max: localToday() }),
      selectField({ id: BENCHMARK_ID, name: 'benchmark', label: 'Benchmark', options: BENCHMARKS, value: benchmark }),
    ),
    formError(),
    h('button', { type: 'submit' }, 'Show these dates'),
  );
  const show = (changes, focusId) => {
    const url = new URL(window.location.href);
    for (const [name, value] of Object.entries(changes)) {
      if (value) url.searchParams.set(name, value);
      else url.searchParams.delete(name);
    }
    navigate(url.pathname + url.search, { replace: true, focusId });
  };
  const rangeSelect = controls.elements.namedItem('range');
  rangeSelect.addEventListener('change', () => {
    // "Dates of my own" waits for the dates and the button.
    if (rangeSelect.value !== 'custom') show({ range: rangeSelect.value, from: null, to: null }, RANGE_ID);
  });
  controls.elements.namedItem('benchmark').addEventListener('change', (event) => show({ benchmark: event.target.value }, BENCHMARK_ID));
  for (const name of ['from', 'to']) {
    controls.elements.namedItem(name).addEventListener('input', () => {
      rangeSelect.value = 'custom';
    });
  }
  controls.noValidate = true;
  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    const from = controls.elements.namedItem('from').value;
    const to = controls.elements.namedItem('to').value;
    const fields = {};
    if (!DATE.test(from)) fields.from = ['Enter the first day.'];
    if (!DATE.test(to)) fields.to = ['Enter the last day.'];
    if (!Object.keys(fields).length && from > to) fields.to = ['The last day comes after the first.'];
    if (Object.keys(fields).length) {
      showErrors(controls, { fields });
      return;
    }
    clearErrors(controls);
    show({ range: 'custom', from, to }, null);
  });

  const area = h('div', { 'data-testid': 'performance' });
  append(main, h('h1', { tabindex: '-1' }, 'Performance'), picker.element, controls, area);

  loadInto(area, {
    label: 'the performance',
    signal,
    load: async () => {
      const { account } = await picker.load();
      let { from } = dates;
      if (range === 'max') {
        const all = await api.transactions({ account }, signal);
        if (!all.length) return null;
        from = all.map((tx) => tx.date).reduce((a, b) => (b < a ? b : a));
        controls.elements.namedItem('from').value = from;
      }
      try {
        return await api.performance({ from, to: dates.to, benchmark, account }, signal);
      } catch (error) {
        // Dates the API refuses are shown at the date fields.
        if (error?.fields && Object.keys(error.fields).length) showErrors(controls, error);
        throw error;
      }
    },
    render: (body) => {
      if (!body) {
        append(area, h('p', { class: 'empty', 'data-testid': 'no-performance' }, 'No transactions yet: the performance starts with the first one.'));
        return;
      }
      const ticker = body.benchmark?.ticker ?? benchmark;
      const { currency = null } = body;
      const figures = h(
        'dl',
        { class: 'summary-figures performance-figures', 'data-testid': 'performance-figures' },
        figure('twr', 'Time-weighted return', body.twr, { percent: true }),
        figure('mwr', 'Money-weighted return, a year', body.mwr, { percent: true }),
        figure('benchmark-twr', `${ticker} over the same dates`, body.benchmark?.twr ?? null, { percent: true }),
        figure('start-value', `Value at the start`, body.start_value, { currency }),
        figure('end-value', `Value at the end`, body.end_value, { currency }),
        figure('invested', 'Money in', body.invested, { currency }),
        figure('withdrawn', 'Money out', body.withdrawn, { currency }),
      );
      const missing = [body.twr, body.mwr, body.benchmark?.twr].some((value) => value == null);
      const points = Array.isArray(body.points) ? body.points : [];
      append(area,
        h('p', { class: 'hint', 'data-testid': 'performance-dates' }, `From ${body.from ?? dates.from} to ${body.to ?? dates.to}.`),
        currency
          ? h('p', { class: 'hint', 'data-testid': 'report-currency-note' }, `Values and returns are in ${currencyLabel(currency)}, the benchmark’s too. `, h('a', { href: REPORT_CURRENCY_LINK }, 'Change the report currency'), '.')
          : null,
        h(
          'div',
          { class: 'performance-body' },
          h('div', null, figures, missing ? h('p', { class: 'hint' }, `${MISSING} means there is not enough to compute it over these dates (nothing held, or no close known).`) : null),
          points.length ? chart(points, body.from ?? dates.from, body.to ?? dates.to) : h('p', { class: 'empty' }, 'No values over these dates.'),
        ),
        points.length ? table(points, currency) : null,
      );
    },
  });
}
