import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRupiah, parseDecimal, parseRupiah, roundDiv, toRupiah } from './money.ts';
import { formatDate } from './i18n/i18n.ts';

test('parseRupiah accepts Indonesian formats and refuses fractions and junk', () => {
  assert.equal(parseRupiah('Rp 1.234.567'), 1234567n);
  assert.equal(parseRupiah('1234567'), 1234567n);
  assert.equal(parseRupiah(' 0 '), 0n);
  assert.equal(parseRupiah('12,5'), null);
  assert.equal(parseRupiah('abc'), null);
  assert.equal(parseRupiah(1.5), null);
});

test('formatRupiah groups by thousands in both languages, exactly beyond 2^53', () => {
  assert.equal(formatRupiah('1234567'), 'Rp 1.234.567');
  assert.equal(formatRupiah(1234567n, 'en'), 'Rp 1,234,567');
  assert.equal(formatRupiah('-1000'), 'Rp -1.000');
  assert.equal(formatRupiah('9007199254740993'), 'Rp 9.007.199.254.740.993');
});

test('toRupiah reads numeric strings but refuses fractional rupiah', () => {
  assert.equal(toRupiah('100.00'), 100n);
  assert.throws(() => toRupiah('100.50'));
  assert.equal(toRupiah(null), 0n);
});

test('parseDecimal scales by 10^4 and roundDiv rounds half away from zero', () => {
  assert.equal(parseDecimal('2,5'), 25000n);
  assert.equal(parseDecimal('11'), 110000n);
  assert.equal(parseDecimal('1.23456'), null);
  assert.equal(roundDiv(5n, 2n), 3n);
  assert.equal(roundDiv(-5n, 2n), -3n);
  assert.equal(roundDiv(4n, 3n), 1n);
});

test('dates print the Indonesian way', () => {
  assert.equal(formatDate('id', new Date('2026-11-27T05:00:00Z')), '27 November 2026');
  assert.equal(formatDate('en', new Date('2026-08-17T03:00:00Z')), '17 August 2026');
  // shown in WIB (UTC+7) by default: 20.30 UTC is already the next day in Jakarta
  assert.equal(formatDate('id', new Date('2026-11-27T20:30:00Z'), true), '28 November 2026 03.30');
});
