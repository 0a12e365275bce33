import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coefficientLabel, computeAmounts, parseFactors, volumeOf, volumeUnit } from './calc.ts';
import { parseDecimal } from '../../core/money.ts';

const f = (...vs: string[]) => {
  const p = parseFactors(vs.map((v) => ({ v, u: 'x' })));
  assert.ok(p.ok);
  return p.scaled;
};

test('line total: unit price × factors, rounded once, half up', () => {
  assert.deepEqual(computeAmounts(150_000n, f('5', '2', '3'), 0n), {
    subtotal: 4_500_000n,
    tax: 0n,
    total: 4_500_000n,
  });
  // 3 × 0,5 × Rp 333 = 499,5 → 500 (half up), not 3 × round(166,5)
  assert.equal(computeAmounts(333n, f('3', '0.5'), 0n).subtotal, 500n);
  // 0,3333 × Rp 1.000 = 333,3 → 333
  assert.equal(computeAmounts(1000n, f('0,3333'), 0n).subtotal, 333n);
  // 4 factors with fractions: 1,25 × 1,25 × 1,25 × 1,25 × 10.000 = 24.414,0625 → 24.414
  assert.equal(computeAmounts(10_000n, f('1.25', '1.25', '1.25', '1.25'), 0n).subtotal, 24_414n);
});

test('PPN: round_half_up(subtotal × rate / 100) on the rounded subtotal', () => {
  const rate = parseDecimal('11')!;
  // 4.550 × 11% = 500,5 → 501
  assert.deepEqual(computeAmounts(4_550n, f('1'), rate), { subtotal: 4_550n, tax: 501n, total: 5_051n });
  // a big line stays exact: 999.999.999.999 × 11% = 109.999.999.999,89 → 110.000.000.000
  assert.equal(computeAmounts(999_999_999_999n, f('1'), rate).tax, 110_000_000_000n);
});

test('coefficient label and volume', () => {
  const fs = [
    { v: '5', u: 'Orang' },
    { v: '2', u: 'Kali' },
    { v: '3', u: 'Hari' },
  ];
  assert.equal(coefficientLabel('id', fs), '5 Orang x 2 Kali x 3 Hari');
  assert.equal(volumeOf(fs), '30');
  assert.equal(volumeUnit(fs), 'OKH');
  assert.equal(coefficientLabel('id', [{ v: '2.5000', u: 'Rim' }]), '2,5 Rim');
  assert.equal(
    volumeOf([
      { v: '2.5', u: 'a' },
      { v: '0.5', u: 'b' },
    ]),
    '1.25',
  );
});

test('invalid factors are refused', () => {
  assert.deepEqual(
    parseFactors([
      { v: '1', u: 'a' },
      { v: '0', u: 'b' },
    ]),
    { ok: false, index: 1 },
  );
  assert.deepEqual(parseFactors([{ v: '1.23456', u: 'a' }]), { ok: false, index: 0 });
  assert.deepEqual(parseFactors([{ v: '-1', u: 'a' }]), { ok: false, index: 0 });
});
