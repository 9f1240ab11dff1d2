// The web UI's pure parts, without a browser: exact decimal arithmetic, amounts as text in the
// reader's language, the week calendar, and the committed fingerprinted files being in step
// with their sources.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { addDays, addMonths, exchangeToday, sundayOf } from '../../web/src/dates.js';
import * as dec from '../../web/src/decimal.js';
import { MISSING, currencyEffect, effects, minorDigits, money, number, percent, signedMoney, signedPercent } from '../../web/src/money.js';
import { REPO } from './lib/stack.mjs';

describe('decimal', () => {
  const s = dec.toString;

  test('keeps every digit of the API’s strings', () => {
    assert.equal(s(dec.parse('12.34500')), '12.34500');
    assert.equal(s(dec.parse('-0.50')), '-0.50');
    assert.equal(s(dec.parse('0')), '0');
    assert.equal(s(dec.parse('99999999999999999999.99999')), '99999999999999999999.99999');
    assert.throws(() => dec.parse('1e3'));
    assert.throws(() => dec.parse('abc'));
    assert.throws(() => dec.parse(''));
  });

  test('adds and multiplies exactly where floats do not', () => {
    assert.equal(s(dec.add('0.1', '0.2')), '0.3');
    assert.equal(s(dec.sub('0.3', '0.1')), '0.2');
    assert.equal(s(dec.mul('1.10000', '3.30')), '3.6300000');
    assert.equal(s(dec.sum(['1577.625', '650.325'])), '2227.950');
    assert.equal(s(dec.sub('1', '2.50')), '-1.50');
  });

  test('rounds half to even, like the server', () => {
    assert.equal(s(dec.round('1577.625', 2)), '1577.62');
    assert.equal(s(dec.round('650.335', 2)), '650.34');
    assert.equal(s(dec.round('-0.125', 2)), '-0.12');
    assert.equal(s(dec.round('-0.135', 2)), '-0.14');
    assert.equal(s(dec.round('2.5', 0)), '2');
    assert.equal(s(dec.round('3', 2)), '3.00');
    assert.equal(s(dec.round('-0.004', 2)), '0.00');
  });

  test('divides to a fixed number of places', () => {
    assert.equal(s(dec.div('1', '3', 4)), '0.3333');
    assert.equal(s(dec.div('2', '3', 2)), '0.67');
    assert.equal(s(dec.div('58380', '2227.95', 2)), '26.20');
    assert.equal(s(dec.div('-1', '8', 2)), '-0.12');
    assert.equal(dec.div('1', '0.00', 2), null);
  });

  test('compares and signs', () => {
    assert.equal(dec.cmp('1.0', '1'), 0);
    assert.equal(dec.cmp('-2', '1'), -1);
    assert.equal(dec.signed('1.20'), '+1.20');
    assert.equal(dec.signed('-1.20'), '-1.20');
    assert.equal(dec.signed('0.00'), '0.00');
    assert.ok(dec.isZero('0.000'));
  });
});

describe('money', () => {
  test('shows two decimals, and more only where the value has them', () => {
    assert.equal(money('188.5000', 'en-US'), '188.50');
    assert.equal(money('250.5', 'en-US'), '250.50');
    assert.equal(money('190.25', 'en-US'), '190.25');
    assert.equal(money('405', 'en-US'), '405.00');
    assert.equal(money('12.3456', 'en-US'), '12.3456');
    assert.equal(money('12.3450', 'en-US'), '12.345');
    assert.equal(money('0.004', 'en-US'), '0.004');
    assert.equal(money('0', 'en-US'), '0.00');
  });

  test('groups thousands and separates decimals as the reader’s locale does', () => {
    assert.equal(money('1234.5', 'en-US'), '1,234.50');
    assert.equal(money('1234.5', 'de-DE'), '1.234,50');
    assert.equal(money('2227.95', 'de-DE'), '2.227,95');
    assert.equal(money('1234567.891', 'en-US'), '1,234,567.891');
    assert.equal(money('1234567.891', 'de-DE'), '1.234.567,891');
    assert.equal(money('999.99', 'en-US'), '999.99');
    // Indian grouping (lakh, crore), and Spanish leaving four digits whole.
    assert.equal(money('12345678', 'en-IN'), '1,23,45,678.00');
    assert.equal(money('1234.5', 'es-ES'), '1234,50');
    assert.equal(money('12345.5', 'es-ES'), '12.345,50');
  });

  test('keeps every digit of values beyond a Number’s precision', () => {
    assert.equal(money('99999999999999999999.99999', 'en-US'), '99,999,999,999,999,999,999.99999');
    assert.equal(money('99999999999999999999.99999', 'de-DE'), '99.999.999.999.999.999.999,99999');
    assert.equal(money('9007199254740993.01', 'en-US'), '9,007,199,254,740,993.01');
    assert.equal(money('0.1000000000000000000001', 'en-US'), '0.1000000000000000000001');
    assert.equal(money('-123456789012345678901234567890.10', 'en-US'), '-123,456,789,012,345,678,901,234,567,890.10');
  });

  test('agrees with Intl’s own formatting wherever a Number is exact', () => {
    for (const locale of ['en-US', 'de-DE', 'fr-FR', 'sv-SE', 'hi-IN', 'ar-EG']) {
      const intl = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 3 });
      for (const text of ['0.5', '-0.25', '1234.5', '-98765.125', '1000000']) {
        assert.equal(money(text, locale), intl.format(Number(text)), `${text} in ${locale}`);
      }
    }
  });

  test('signs: negatives always, plus for gains only when asked, none on zero', () => {
    assert.equal(money('-1234.5', 'en-US'), '-1,234.50');
    assert.equal(money('-0.35', 'de-DE'), '-0,35');
    assert.equal(signedMoney('420', 'en-US'), '+420.00');
    assert.equal(signedMoney('1234.5', 'de-DE'), '+1.234,50');
    assert.equal(signedMoney('-0.5', 'en-US'), '-0.50');
    assert.equal(signedMoney('0.00', 'en-US'), '0.00');
    assert.equal(signedMoney('-0.00', 'en-US'), '0.00');
    assert.equal(money('-0', 'en-US'), '0.00');
    // The locale's own minus sign (U+2212 in Swedish).
    assert.equal(money('-1234.5', 'sv-SE'), '\u22121\u00a0234,50');
  });

  test('percentages use the same digits and the locale’s percent sign', () => {
    assert.equal(percent('26.62', 'en-US'), '26.62%');
    assert.equal(percent('100', 'en-US'), '100.00%');
    assert.equal(percent('100', 'de-DE'), '100,00\u00a0%');
    assert.equal(signedPercent('26.2', 'en-US'), '+26.20%');
    assert.equal(signedPercent('-1.7', 'en-US'), '-1.70%');
    assert.equal(signedPercent('0.00', 'en-US'), '0.00%');
    assert.equal(signedPercent('12345.67', 'en-US'), '+12,345.67%');
    assert.equal(signedPercent('-2.5', 'tr-TR'), '-%2,50');
  });

  test('share counts keep their digits, trailing zeros trimmed', () => {
    assert.equal(number('10.50000', 'en-US'), '10.5');
    assert.equal(number('12.00000', 'en-US'), '12');
    assert.equal(number('1000.00001', 'en-US'), '1,000.00001');
    assert.equal(number('1000.00001', 'de-DE'), '1.000,00001');
    assert.equal(number('0.00000', 'en-US'), '0');
  });

  test('a missing amount is a dash, and text that is not a decimal is refused', () => {
    assert.equal(money(null), MISSING);
    assert.equal(signedMoney(undefined), MISSING);
    assert.equal(percent(null), MISSING);
    assert.equal(number(null), MISSING);
    assert.throws(() => money('1,234.50', 'en-US'), TypeError);
    assert.throws(() => money('1e3', 'en-US'), TypeError);
  });

  test('takes the reader’s locale when none is given', () => {
    assert.equal(money('1234.5'), new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 }).format(1234.5));
  });
});

describe('money in a currency', () => {
  const en = (currency) => ({ currency, locale: 'en-US' });

  test('the currency’s sign or code goes where the language writes it', () => {
    assert.equal(money('1234.5', en('USD')), '$1,234.50');
    assert.equal(money('1234.5', en('EUR')), '€1,234.50');
    assert.equal(money('0.72', { currency: 'GBP', locale: 'en-GB' }), '£0.72');
    assert.equal(money('1234.5', { currency: 'EUR', locale: 'de-DE' }), '1.234,50\u00a0€');
    assert.equal(money('1234.5', { currency: 'EUR', locale: 'nl-NL' }), '€\u00a01.234,50');
    assert.equal(money('1234.5', en('CHF')), 'CHF\u00a01,234.50');
    assert.equal(money('-1234.5', en('USD')), '-$1,234.50');
    assert.equal(money('-1234.5', { currency: 'SEK', locale: 'sv-SE' }), '\u22121\u00a0234,50\u00a0kr');
  });

  test('a currency’s minor digits are the least shown, and digits beyond them are kept', () => {
    assert.equal(minorDigits('USD', 'en-US'), 2);
    assert.equal(minorDigits('JPY', 'en-US'), 0);
    assert.equal(money('123456.00', en('JPY')), '¥123,456');
    assert.equal(money('123456.50', en('JPY')), '¥123,456.5');
    assert.equal(money('1.5', en('BHD')), 'BHD\u00a01.500');
    assert.equal(money('0.813953', en('EUR')), '€0.813953');
    assert.equal(money('170', en('EUR')), '€170.00');
  });

  test('exact at any size, where a Number is not', () => {
    assert.equal(money('99999999999999999999.99999', en('USD')), '$99,999,999,999,999,999,999.99999');
    assert.equal(money('9007199254740993.01', en('EUR')), '€9,007,199,254,740,993.01');
    assert.equal(money('0.85714285714272', en('EUR')), '€0.85714285714272');
  });

  test('a currency’s own separators, where they differ from a plain number’s', () => {
    // Swiss French writes 1 234,5 but CHF 1 234.50.
    assert.equal(number('1234.5', 'fr-CH'), new Intl.NumberFormat('fr-CH').format(1234.5));
    assert.equal(money('1234.5', { currency: 'CHF', locale: 'fr-CH' }), new Intl.NumberFormat('fr-CH', { style: 'currency', currency: 'CHF' }).format(1234.5));
  });

  test('agrees with Intl’s own currency formatting wherever a Number is exact', () => {
    const cases = [['en-US', 'USD'], ['en-US', 'JPY'], ['de-DE', 'EUR'], ['fr-FR', 'EUR'], ['fr-CH', 'CHF'], ['de-CH', 'CHF'], ['es-ES', 'EUR'], ['en-IN', 'INR'], ['ja-JP', 'JPY'], ['ar-EG', 'EGP'], ['sv-SE', 'SEK'], ['en-GB', 'GBP']];
    for (const [locale, currency] of cases) {
      const intl = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 3 });
      for (const text of ['0.5', '-0.25', '1234.5', '-98765.125', '1000000', '0']) {
        assert.equal(money(text, { currency, locale }), intl.format(Number(text)), `${text} ${currency} in ${locale}`);
      }
    }
  });

  test('gains carry their sign; the split of a gain reads in parts; a dash for null', () => {
    assert.equal(signedMoney('43.19', en('EUR')), '+€43.19');
    assert.equal(signedMoney('-30', en('GBP')), '-£30.00');
    assert.equal(signedMoney('0.00', en('EUR')), '€0.00');
    assert.deepEqual(effects('23.81', '19.38', 'EUR', 'en-US'), ['price +€23.81', 'currency +€19.38']);
    assert.deepEqual(effects('168.00', '-30.00', 'GBP', 'en-US'), ['price +£168.00', 'currency -£30.00']);
    assert.equal(effects(null, null, 'EUR', 'en-US'), null);
    assert.deepEqual(currencyEffect('19.38', 'EUR', 'en-US'), ['currency +€19.38']);
    assert.equal(currencyEffect(null, 'EUR', 'en-US'), null);
    assert.equal(money(null, en('EUR')), MISSING);
    // No currency (an older server's answer): the plain amount.
    assert.equal(money('5', { currency: null, locale: 'en-US' }), '5.00');
  });
});

describe('dates', () => {
  test('weeks start on Sunday', () => {
    assert.equal(sundayOf('2024-01-07'), '2024-01-07');
    assert.equal(sundayOf('2024-01-13'), '2024-01-07');
    assert.equal(sundayOf('2024-03-01'), '2024-02-25');
    assert.equal(addDays('2024-12-29', 7), '2025-01-05');
    assert.equal(addDays('2024-03-03', -7), '2024-02-25');
  });

  test('months are counted back to the same day, or the month’s last when it is shorter', () => {
    assert.equal(addMonths('2024-06-15', -1), '2024-05-15');
    assert.equal(addMonths('2024-03-31', -1), '2024-02-29');
    assert.equal(addMonths('2025-03-31', -1), '2025-02-28');
    assert.equal(addMonths('2024-01-31', -3), '2023-10-31');
    assert.equal(addMonths('2024-02-29', -12), '2023-02-28');
    assert.equal(addMonths('2026-12-07', -60), '2021-12-07');
  });

  test('today is counted on New York’s calendar', () => {
    // Sunday 02:00 UTC is still Saturday evening in New York.
    assert.equal(exchangeToday(new Date('2024-01-14T02:00:00Z')), '2024-01-13');
    assert.equal(sundayOf(exchangeToday(new Date('2024-01-14T02:00:00Z'))), '2024-01-07');
    assert.equal(exchangeToday(new Date('2024-07-08T12:00:00Z')), '2024-07-08');
  });
});

test('the committed web/ files match web/src (run `node web/fingerprint.mjs` after editing it)', () => {
  execFileSync(process.execPath, [join(REPO, 'web/fingerprint.mjs'), '--check'], { stdio: 'pipe' });
});
