import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { z } from 'zod';
import {
  canonicalDecimal,
  dateIn,
  formatIdNumber,
  intIn,
  parseIdNumber,
  readFormNumbers,
  type NumberKind,
  type NumberParse,
} from './number.ts';

// [typed, kind, expected canonical value or error]
const CASES: Array<[string, NumberKind, string]> = [
  ['1.000', 'decimal', '1000'],
  ['1.000,5', 'decimal', '1000.5'],
  ['1,5', 'decimal', '1.5'],
  ['1.5', 'decimal', 'error:ambiguous'],
  ['12.50', 'decimal', 'error:ambiguous'],
  ['1.0000', 'decimal', 'error:ambiguous'],
  ['1.000.000', 'decimal', '1000000'],
  ['1.000.00', 'decimal', 'error:ambiguous'],
  ['Rp 150.000.000', 'rupiah', '150000000'],
  ['Rp. 150.000.000', 'rupiah', '150000000'],
  ['rp150000', 'rupiah', '150000'],
  ['150 000', 'rupiah', '150000'],
  ['1\u00a0000', 'decimal', '1000'],
  ['20.000', 'rupiah', '20000'],
  ['20.000,50', 'rupiah', 'error:fraction'],
  ['20.000,00', 'rupiah', '20000'],
  ['1,5', 'integer', 'error:fraction'],
  ['11%', 'percent', '11'],
  ['12,5 %', 'percent', '12.5'],
  ['0,25', 'decimal', '0.25'],
  [',5', 'decimal', 'error:format'],
  ['1,', 'decimal', 'error:format'],
  ['1,2,3', 'decimal', 'error:format'],
  ['1,00001', 'decimal', 'error:fraction'],
  ['2,50000', 'decimal', '2.5'],
  ['007', 'integer', '7'],
  ['0', 'decimal', '0'],
  ['-5', 'decimal', 'error:negative'],
  ['0x10', 'integer', 'error:format'],
  ['1e3', 'decimal', 'error:format'],
  ['abc', 'decimal', 'error:format'],
  ['', 'decimal', 'error:empty'],
  ['   ', 'rupiah', 'error:empty'],
  ['.000', 'decimal', 'error:format'],
  ['1..000', 'decimal', 'error:format'],
  ['1234.567', 'decimal', 'error:ambiguous'],
  ['1234567890123456', 'rupiah', 'error:too_long'],
];

const show = (p: NumberParse) => (p.ok ? p.value : `error:${p.error}`);

test('the Indonesian number rule, case by case (server)', () => {
  for (const [input, kind, want] of CASES) assert.equal(show(parseIdNumber(input, kind)), want, `${kind} ${input}`);
});

test('the browser script applies the same rule to the same cases', () => {
  const src = readFileSync(new URL('./http/public/number.js', import.meta.url), 'utf8');
  const sandbox: {
    PaduNumber?: { parseIdNumber: (s: string, k: string) => NumberParse; formatIdNumber: (s: string) => string };
  } = {};
  vm.runInNewContext(src, { globalThis: sandbox, window: undefined });
  const js = sandbox.PaduNumber!;
  for (const [input, kind, want] of CASES) assert.equal(show(js.parseIdNumber(input, kind)), want, `${kind} ${input}`);
  for (const v of ['0', '1000', '1000.5', '150000000', '12.25']) assert.equal(js.formatIdNumber(v), formatIdNumber(v));
});

test('negative numbers only where a rule allows them', () => {
  assert.deepEqual(parseIdNumber('-1.000,5', { fraction: 4, negative: true }), { ok: true, value: '-1000.5' });
  assert.deepEqual(parseIdNumber('-0', { fraction: 0 }), { ok: true, value: '0' });
});

test('Indonesian display of canonical numbers', () => {
  assert.equal(formatIdNumber('1000'), '1.000');
  assert.equal(formatIdNumber('1000.5'), '1.000,5');
  assert.equal(formatIdNumber('150000000'), '150.000.000');
  assert.equal(formatIdNumber('-1234.25'), '-1.234,25');
  assert.equal(formatIdNumber('999'), '999');
});

test('a form is read with the one rule: canonical values, errors per field, typed value kept', () => {
  const body = {
    v1: '1.000',
    u1: 'Kotak',
    v2: '1.5',
    unit_price: 'Rp 20.000',
    c_2027: '1.000.000',
    note: '1.5',
    empty: '',
  };
  const r = readFormNumbers(body, [
    ['v1', 'decimal'],
    ['v2', 'decimal'],
    ['unit_price', 'rupiah'],
    [/^c_\d+$/, 'rupiah'],
    ['empty', 'decimal'],
  ]);
  assert.equal(r.body.v1, '1000');
  assert.equal(r.body.v2, '1.5', 'the typed value is kept for the form');
  assert.equal(r.body.unit_price, '20000');
  assert.equal(r.body.c_2027, '1000000');
  assert.equal(r.body.note, '1.5', 'fields not declared numeric are untouched');
  assert.equal(r.body.empty, '');
  assert.deepEqual(
    r.errors.map((e) => [e.field, e.message]),
    [['v2', 'num.error.ambiguous']],
  );
  assert.equal(body.v1, '1.000', 'the submitted body is not modified');
});

test('API integers are strict: no [], "", true, "0x10", "1e3", " 7"', () => {
  const s = intIn(z.number().int().min(0));
  assert.equal(s.parse('7'), 7);
  assert.equal(s.parse(7), 7);
  for (const bad of [[], '', true, '0x10', '1e3', ' 7', '7.0', null, {}])
    assert.equal(s.safeParse(bad).success, false, JSON.stringify(bad));
  const opt = z.object({ n: intIn(z.number().int().optional()) });
  assert.deepEqual(opt.parse({}), {});
});

test('API decimals are canonical strings', () => {
  assert.equal(canonicalDecimal.parse('1000.5'), '1000.5');
  assert.equal(canonicalDecimal.parse('12.5000'), '12.5');
  assert.equal(canonicalDecimal.parse('007'), '7');
  for (const bad of ['1.000,5', '1,5', '', '0x10', '1e3', ' 1'])
    assert.equal(canonicalDecimal.safeParse(bad).success, false, bad);
});

test('dates are ISO and between 2000 and 2100: -1 is not 1969', () => {
  assert.equal(dateIn.parse('2026-01-31').toISOString(), '2026-01-31T00:00:00.000Z');
  assert.equal(dateIn.parse('2026-01-31T08:00:00+07:00').toISOString(), '2026-01-31T01:00:00.000Z');
  for (const bad of [-1, '-1', '', '1969-12-31', '2026-02-30', 'tomorrow', 0, [], '2026-13-01'])
    assert.equal(dateIn.safeParse(bad).success, false, JSON.stringify(bad));
});
