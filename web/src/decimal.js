// Exact decimal arithmetic on the API's decimal strings ("12.34500", "-0.50").
// A value is { n: BigInt, s: scale } meaning n / 10^s. Money and share counts never pass
// through floating point; only the chart's geometry uses Number (see toNumber).

const PATTERN = /^([+-])?(\d+)(?:\.(\d*))?$/;

export function parse(text) {
  if (typeof text === 'object' && text !== null && typeof text.n === 'bigint') return text;
  const match = PATTERN.exec(String(text).trim());
  if (!match) throw new TypeError(`Not a decimal number: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ''] = match;
  const n = BigInt(whole + fraction);
  return { n: sign === '-' ? -n : n, s: fraction.length };
}

export function isDecimal(text) {
  return PATTERN.test(String(text).trim());
}

const pow10 = (k) => 10n ** BigInt(k);

function aligned(a, b) {
  const x = parse(a);
  const y = parse(b);
  const s = Math.max(x.s, y.s);
  return [x.n * pow10(s - x.s), y.n * pow10(s - y.s), s];
}

export const ZERO = Object.freeze({ n: 0n, s: 0 });

export function add(a, b) {
  const [x, y, s] = aligned(a, b);
  return { n: x + y, s };
}

export function sub(a, b) {
  const [x, y, s] = aligned(a, b);
  return { n: x - y, s };
}

export function mul(a, b) {
  const x = parse(a);
  const y = parse(b);
  return { n: x.n * y.n, s: x.s + y.s };
}

export function sum(values) {
  return values.reduce((total, value) => add(total, value), ZERO);
}

export function cmp(a, b) {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sign(a) {
  const { n } = parse(a);
  return n < 0n ? -1 : n > 0n ? 1 : 0;
}

export const isZero = (a) => sign(a) === 0;

// numerator / denominator, rounded half to even (as the server rounds).
function divRound(numerator, denominator) {
  if (denominator === 0n) throw new RangeError('Division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const num = numerator < 0n ? -numerator : numerator;
  const den = denominator < 0n ? -denominator : denominator;
  let q = num / den;
  const twice = (num % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

// The value at exactly `places` decimal places, rounded half to even.
export function round(a, places) {
  const x = parse(a);
  if (places >= x.s) return { n: x.n * pow10(places - x.s), s: places };
  return { n: divRound(x.n, pow10(x.s - places)), s: places };
}

// a / b at `places` decimal places, rounded half to even; null when b is zero.
export function div(a, b, places) {
  const x = parse(a);
  const y = parse(b);
  if (y.n === 0n) return null;
  return { n: divRound(x.n * pow10(y.s + places), y.n * pow10(x.s)), s: places };
}

export function toString(a) {
  const { n, s } = parse(a);
  const digits = (n < 0n ? -n : n).toString().padStart(s + 1, '0');
  const whole = digits.slice(0, digits.length - s);
  const text = s > 0 ? `${whole}.${digits.slice(digits.length - s)}` : whole;
  return n < 0n ? `-${text}` : text;
}

// "+1.20", "-0.35", "0.00": an explicit sign so gains read the same without colour.
export function signed(a) {
  const text = toString(a);
  return sign(a) > 0 ? `+${text}` : text;
}

// For drawing only (SVG geometry); never for amounts shown as text.
export function toNumber(a) {
  return Number(toString(a));
}
