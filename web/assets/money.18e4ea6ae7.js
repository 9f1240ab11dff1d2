// Amounts as text in the reader's language: "1,234.50" in en-US, "1.234,50" in de-DE, and with a
// currency "€1,234.50" or "1.234,50 €". Money shows at least two decimals (a currency's own minor
// digits: none for JPY, three for BHD) and more only where the value has non-zero digits there
// (188.5000 -> 188.50, 12.3450 -> 12.345): nothing that exists is rounded away. Share counts and
// other plain numbers keep their digits with trailing zeros trimmed (10.50000 -> 10.5).
//
// Exact at any size: the digits come from decimal.js (BigInt), and Intl only groups the integer
// part, formatted as a BigInt, and lends the locale's decimal separator, digits, signs, percent
// sign and currency sign (from formatToParts), so no amount passes through a float. (Formatting
// a decimal string with Intl.NumberFormat is exact too, but only in engines with
// Intl.NumberFormat v3; older ones would silently round it through a Number.) A currency has
// its own separators in some languages (fr-CH writes 1 234,50 but CHF 1 234.50), so they are
// taken from the currency's own formatter.

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

// How Intl is asked to write an amount: plainly, as a percentage, or in a currency.
const styleOf = ({ percent, currency }) => (currency ? { style: 'currency', currency } : percent ? { style: 'percent' } : {});

// The locale's digits (Arabic-Indic in ar-EG), and the decimal separator of the style (a
// currency's may differ from a plain number's), for the fraction.
const symbolsByKey = new Map();
function symbols(locale, style) {
  const key = JSON.stringify([locale ?? null, style.currency ?? null]);
  let found = symbolsByKey.get(key);
  if (!found) {
    const plain = formatter(locale);
    // One fraction digit forced, so even a currency without minor units (JPY) shows its separator.
    const decimalOf = style.currency ? formatter(locale, { ...style, minimumFractionDigits: 1, maximumFractionDigits: 1 }) : plain;
    found = {
      decimal: decimalOf.formatToParts(1.5).find((part) => part.type === 'decimal').value,
      digits: Array.from({ length: 10 }, (_, digit) => plain.format(digit)),
    };
    symbolsByKey.set(key, found);
  }
  return found;
}

// The decimals a currency's amounts always show: 2 for USD, 0 for JPY, 3 for BHD.
export const minorDigits = (currency, locale) => formatter(locale, { style: 'currency', currency }).resolvedOptions().minimumFractionDigits;

const NUMBER_PARTS = new Set(['integer', 'group', 'decimal', 'fraction']);

function format(value, { minFraction, signed = false, percent = false, currency = null, locale }) {
  const style = styleOf({ percent, currency });
  if (currency) minFraction = minorDigits(currency, locale);
  const { n, s } = dec.parse(value);
  const digits = (n < 0n ? -n : n).toString().padStart(s + 1, '0');
  const whole = BigInt(digits.slice(0, digits.length - s));
  const fraction = digits.slice(digits.length - s).replace(/0+$/, '').padEnd(minFraction, '0');

  // A percent formatter would multiply the whole part by 100: it is grouped as a plain number.
  const grouping = currency ? formatter(locale, { ...style, minimumFractionDigits: 0, maximumFractionDigits: 0 }) : formatter(locale);
  let number = grouping
    .formatToParts(whole)
    .filter((part) => part.type === 'integer' || part.type === 'group')
    .map((part) => part.value)
    .join('');
  if (fraction) {
    const { decimal, digits: localDigits } = symbols(locale, style);
    number += decimal + [...fraction].map((digit) => localDigits[digit]).join('');
  }

  // The locale's own "-1", "+1" or "0" (or "-100 %", or "-1,00 €"), with our digits in place of
  // its number: that puts the sign, the percent sign and the currency's sign or code where the
  // language writes them.
  const sign = n < 0n ? -1 : n > 0n ? 1 : 0;
  const template = formatter(locale, { ...style, signDisplay: signed ? 'exceptZero' : 'auto' }).formatToParts(sign);
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

// The money functions' second argument: the locale as text (as the tests give it), or
// `{ currency, locale }`, `currency` an ISO 4217 code (none: the amount without a sign).
const moneyOptions = (options) => (options !== null && typeof options === 'object' ? { currency: options.currency || null, locale: options.locale } : { locale: options });

// "1,234.50", "-0.35", "12.345", "€1,234.50", "¥1,235"; a dash for null.
export const money = (value, options) => orMissing(value, () => format(value, { minFraction: 2, ...moneyOptions(options) }));

// "+1,234.50", "-0.35", "0.00", "+€19.38": gains and changes carry their sign, so they read
// without colour.
export const signedMoney = (value, options) => orMissing(value, () => format(value, { minFraction: 2, signed: true, ...moneyOptions(options) }));

// ["price +€23.81", "currency +€19.38"]: the two parts of a foreign holding's gain (they sum
// to it), each in the report's `currency`, to be read as one line; null when either is unknown.
export const effects = (priceEffect, currencyEffect, currency, locale) =>
  priceEffect == null || currencyEffect == null
    ? null
    : [`price ${signedMoney(priceEffect, { currency, locale })}`, `currency ${signedMoney(currencyEffect, { currency, locale })}`];

// ["currency +€86.72"]: the exchange rates' part of a total gain; null when unknown.
export const currencyEffect = (amount, currency, locale) => (amount == null ? null : [`currency ${signedMoney(amount, { currency, locale })}`]);

// "26.62%" (the server rounds percentages to hundredths); "+2.00%" when signed.
export const percent = (value, locale) => orMissing(value, () => format(value, { minFraction: 2, percent: true, locale }));
export const signedPercent = (value, locale) => orMissing(value, () => format(value, { minFraction: 2, signed: true, percent: true, locale }));

// Share counts and other plain numbers: every digit the value has, trailing zeros trimmed
// ("10.5", "12", "1,000.00001").
export const number = (value, locale) => orMissing(value, () => format(value, { minFraction: 0, locale }));
