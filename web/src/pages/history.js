// Performance: the portfolio's value, the money invested and the same buys in a benchmark, one
// point per trading day, as an SVG line chart with a table of the same numbers beside it. The
// numbers are the server's exact decimals; only the lines' geometry uses floating point.

import { api } from '../api.js';
import * as dec from '../decimal.js';
import { h, loadInto, svg } from '../dom.js';
import { money } from '../money.js';

const RANGES = [
  ['1m', '1 month'],
  ['3m', '3 months'],
  ['6m', '6 months'],
  ['1y', '1 year'],
  ['5y', '5 years'],
  ['max', 'Since the first buy'],
];
const BENCHMARKS = [
  ['SPY', 'S&P 500 (SPY)'],
  ['VTI', 'Total US market (VTI)'],
  ['QQQ', 'Nasdaq-100 (QQQ)'],
];
// Each line has its colour and its dash pattern, so they differ without colour too.
const LINES = [
  { key: 'value', label: 'Portfolio value', colour: '#1d4ed8', dash: null },
  { key: 'invested', label: 'Money invested', colour: '#475569', dash: '2 2' },
  { key: 'benchmark_value', label: 'Same buys in the benchmark', colour: '#b45309', dash: '6 3' },
];
const WIDTH = 320;
const HEIGHT = 180;
const PAD = 8;

function select(name, label, options, current) {
  const id = `history-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name }, options.map(([value, text]) => h('option', { value, selected: value === current }, text))),
  );
}

function chart(points, benchmark) {
  const numbers = points.flatMap((p) => LINES.map((line) => p[line.key]).filter(dec.isDecimal).map(dec.toNumber));
  const top = Math.max(...numbers, 0);
  const bottom = Math.min(...numbers, 0);
  const span = top - bottom || 1;
  const x = (i) => PAD + (points.length > 1 ? (i * (WIDTH - 2 * PAD)) / (points.length - 1) : (WIDTH - 2 * PAD) / 2);
  const y = (v) => HEIGHT - PAD - ((v - bottom) * (HEIGHT - 2 * PAD)) / span;
  const paths = LINES.map((line) => {
    let d = '';
    let pen = 'M';
    points.forEach((point, i) => {
      const amount = point[line.key];
      if (!dec.isDecimal(amount)) {
        pen = 'M';
        return;
      }
      d += `${pen}${x(i).toFixed(2)},${y(dec.toNumber(amount)).toFixed(2)} `;
      pen = 'L';
    });
    return svg('path', { d: d.trim(), fill: 'none', stroke: line.colour, 'stroke-width': 1.5, 'stroke-dasharray': line.dash, 'vector-effect': 'non-scaling-stroke', 'data-line': line.key });
  });
  const first = points[0];
  const last = points[points.length - 1];
  return h(
    'figure',
    { class: 'history-chart' },
    svg(
      'svg',
      { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': 'history-chart-title', preserveAspectRatio: 'none', 'data-testid': 'history-chart' },
      svg('title', { id: 'history-chart-title' }, `Portfolio value, money invested and the same buys in ${benchmark}, ${first.date} to ${last.date}`),
      svg('line', { x1: PAD, x2: WIDTH - PAD, y1: y(0), y2: y(0), stroke: '#cbd5e1', 'stroke-width': 1, 'vector-effect': 'non-scaling-stroke' }),
      paths,
    ),
    h(
      'figcaption',
      null,
      h('ul', { class: 'history-legend' }, LINES.map((line) => h('li', null, h('span', { class: `line-swatch line-${line.key}`, 'aria-hidden': 'true' }), line.key === 'benchmark_value' ? `Same buys in ${benchmark}` : line.label))),
      h('p', { class: 'hint' }, `${first.date} to ${last.date}, one point per trading day.`),
    ),
  );
}

function table(points, benchmark) {
  return h(
    'details',
    { class: 'history-table' },
    h('summary', null, 'The numbers, day by day'),
    h(
      'div',
      { class: 'table-wrap', role: 'region', 'aria-label': 'History table', tabindex: '0' },
      h(
        'table',
        { 'data-testid': 'history-table' },
        h('caption', null, `Portfolio against ${benchmark}`),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col', class: 'num' }, 'Value'), h('th', { scope: 'col', class: 'num' }, 'Invested'), h('th', { scope: 'col', class: 'num' }, benchmark))),
        h(
          'tbody',
          null,
          points.map((p) =>
            h('tr', { 'data-date': p.date }, h('th', { scope: 'row' }, h('time', { datetime: p.date }, p.date)), h('td', { class: 'num' }, money(p.value)), h('td', { class: 'num' }, money(p.invested)), h('td', { class: 'num' }, money(p.benchmark_value))),
          ),
        ),
      ),
    ),
  );
}

export function historyPage(main, { signal, params, navigate }) {
  const range = RANGES.some(([value]) => value === params.get('range')) ? params.get('range') : '1y';
  const benchmark = BENCHMARKS.some(([value]) => value === params.get('benchmark')) ? params.get('benchmark') : 'SPY';
  const controls = h('form', { class: 'card controls', 'aria-label': 'Range and benchmark', 'data-testid': 'history-controls' }, h('div', { class: 'field-grid' }, select('range', 'Range', RANGES, range), select('benchmark', 'Benchmark', BENCHMARKS, benchmark)));
  controls.addEventListener('change', () => {
    const values = new FormData(controls);
    navigate(`/history?range=${values.get('range')}&benchmark=${values.get('benchmark')}`, { replace: true });
  });
  controls.addEventListener('submit', (event) => event.preventDefault());
  const area = h('div', { 'data-testid': 'history' });
  main.append(h('h1', { tabindex: '-1' }, 'Performance'), controls, area);
  loadInto(area, {
    label: 'the history',
    signal,
    load: () => api.history({ range, benchmark }, signal),
    render: (body) => {
      if (!body.points.length) {
        area.append(h('p', { class: 'empty', 'data-testid': 'no-history' }, 'No history yet: add a holding bought before the last market close.'));
        return;
      }
      const last = body.points[body.points.length - 1];
      area.append(
        h(
          'dl',
          { class: 'summary-figures', 'data-testid': 'history-latest' },
          h('div', null, h('dt', null, 'Value'), h('dd', null, money(last.value))),
          h('div', null, h('dt', null, 'Invested'), h('dd', null, money(last.invested))),
          h('div', null, h('dt', null, `In ${body.benchmark}`), h('dd', null, money(last.benchmark_value))),
        ),
        chart(body.points, body.benchmark),
        table(body.points, body.benchmark),
      );
    },
  });
}
