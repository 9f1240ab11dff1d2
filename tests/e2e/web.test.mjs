// The web UI's pure parts, without a browser: exact decimal arithmetic, the week calendar, and
// the committed fingerprinted files being in step with their sources.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { addDays, exchangeToday, sundayOf } from '../../web/src/dates.js';
import * as dec from '../../web/src/decimal.js';
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

describe('dates', () => {
  test('weeks start on Sunday', () => {
    assert.equal(sundayOf('2024-01-07'), '2024-01-07');
    assert.equal(sundayOf('2024-01-13'), '2024-01-07');
    assert.equal(sundayOf('2024-03-01'), '2024-02-25');
    assert.equal(addDays('2024-12-29', 7), '2025-01-05');
    assert.equal(addDays('2024-03-03', -7), '2024-02-25');
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
