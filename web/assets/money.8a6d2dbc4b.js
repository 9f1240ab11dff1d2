// Amounts as text in the reader's language: "1,234.50" in en-US, "1.234,50" in de-DE. Money
// shows at least two decimals and more only where the value has non-zero digits there
// (188.5000 -> 188.50, 12.3450 -> 12.345): nothing that exists is rounded away. Share counts and
// other plain numbers keep their digits with trailing zeros trimmed (10.50000 -> 10.5).
//
// Exact at any size: the digits come from decimal.js (BigInt), and Intl only groups the integer
// part, formatted as a BigInt, and lends the locale's decimal separator, digits, signs and
// percent sign (from formatToParts), so no amount passes through a float. (Formatting a decimal
// string with Intl.NumberFormat is exact too, but only in engines with Intl.NumberFormat v3;
// older ones would silently round it through a Number.)

import * as dec from './decimal.515325027d.js';

// What a missing amount (null: no quote, no result yet) reads as.
export const MISSING = '—';

const formatters = new Map();

// Intl.NumberFormat is slow to build and a history table formats hundreds of amounts.
function formatter(locale, options = {}) {
  const key = JSON.stringify([locale ?? null, options]);
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    formatters.set(key, format);
  }
  return format;
}

// The locale's digits (Arabic-Indic in ar-EG) and decimal separator, for the fraction.
const symbolsByLocale = new Map();
function symbols(locale) {
  let found = symbolsByLocale.get(locale ?? null);
  if (!found) {
    const plain = formatter(locale);
    found = {
      decimal: plain.formatToParts(1.5).find((part) => part.type === 'decimal').value,
      digits: Array.from({ length: 10 }, (_, digit) => plain.format(digit)),
    };
    symbolsByLocale.set(locale ?? null, found);
  }
  return found;
}

const NUMBER_PARTS = new Set(['integer', 'group', 'decimal', 'fraction']);

function format(value, { minFraction, signed = false, percent = false, locale }) {
  const { n, s } = dec.parse(value);
  const digits = (n < 0n ? -n : n).toString().padStart(s + 1, '0');
  const whole = BigInt(digits.slice(0, digits.length - s));
  const fraction = digits.slice(digits.length - s).replace(/0+$/, '').padEnd(minFraction, '0');

  let number = formatter(locale)
    .formatToParts(whole)
    .filter((part) => part.type === 'integer' || part.type === 'group')
    .map((part) => part.value)
    .join('');
  if (fraction) {
    const { decimal, digits: localDigits } = symbols(locale);
    number += decimal + [...fraction].map((digit) => localDigits[digit]).join('');
  }

  // The locale's own "-1", "+1" or "0" (or "-100 %"), with our digits in place of its number:
  // that puts the sign and the percent sign where the language writes them.
  const sign = n < 0n ? -1 : n > 0n ? 1 : 0;
  const template = formatter(locale, { style: percent ? 'percent' : 'decimal', signDisplay: signed ? 'exceptZero' : 'auto' }).formatToParts(sign);
  let placed = false;
  return template
    .map((part) => {
      if (!NUMBER_PARTS.has(part.type)) return part.value;
      if (placed) return '';
      placed = true;
      return number;
    })
    .join('');
}

const orMissing = (value, text) => (value == null ? MISSING : text());

// "1,234.50", "-0.35", "12.345"; a dash for null.
export const money = (value, locale) => orMissing(value, () => format(value, { minFraction: 2, locale }));

// "+1,234.50", "-0.35", "0.00": gains and changes carry their sign, so they read without colour.
export const signedMoney = (value, locale) => orMissing(value, () => format(value, { minFraction: 2, signed: true, locale }));

// "26.62%" (the server rounds percentages to hundredths); "+2.00%" when signed.
export const percent = (value, locale) => orMissing(value, () => format(value, { minFraction: 2, percent: true, locale }));
export const signedPercent = (value, locale) => orMissing(value, () => format(value, { minFraction: 2, signed: true, percent: true, locale }));

// Share counts and other plain numbers: every digit the value has, trailing zeros trimmed
// ("10.5", "12", "1,000.00001").
export const number = (value, locale) => orMissing(value, () => format(value, { minFraction: 0, locale }));
