// The arithmetic of a budget line, exact in integer rupiah. THE rounding rule of Padu
// (core/money.ts roundDiv: half up, away from zero, to whole rupiah) is applied once per product:
//
//   subtotal = round_half_up(unit_price × v1 × v2 × v3 × v4)      (absent factors count as 1)
//   tax      = round_half_up(subtotal × ppn_rate / 100)            (0 when no tax applies)
//   total    = subtotal + tax
//
// Factors and the rate are exact decimals with up to 4 fractional digits, carried as bigint × 10^4
// (core/money.ts parseDecimal); nothing passes through a JS float. The database checks the same
// formula on every row of bud_line (PostgreSQL round(numeric) rounds half away from zero too), so
// a total can be neither typed nor marked up. Sums (sub kegiatan, OPD, Pemda) add whole-rupiah
// totals and need no rounding.
import { DECIMAL_SCALE, parseDecimal, roundDiv } from '../../core/money.ts';
import { formatNumber, type Lang } from '../../core/i18n/i18n.ts';

export interface Factor {
  /** Decimal string, e.g. "2,5" or "2.5" (up to 4 fractional digits). */
  v: string;
  /** Unit of the factor, e.g. "Orang". */
  u: string;
}

export interface LineAmounts {
  subtotal: bigint;
  tax: bigint;
  total: bigint;
}

/** Scaled (×10^4) factors → the exact amounts of a line. */
export function computeAmounts(unitPrice: bigint, scaledFactors: bigint[], scaledTaxRatePercent: bigint): LineAmounts {
  if (scaledFactors.length < 1 || scaledFactors.length > 4) throw new Error('a line has 1 to 4 factors');
  let num = unitPrice;
  let den = 1n;
  for (const f of scaledFactors) {
    num *= f;
    den *= DECIMAL_SCALE;
  }
  const subtotal = roundDiv(num, den);
  const tax = scaledTaxRatePercent === 0n ? 0n : roundDiv(subtotal * scaledTaxRatePercent, 100n * DECIMAL_SCALE);
  return { subtotal, tax, total: subtotal + tax };
}

/** Parse factor values; null for the first invalid one (its index is returned). */
export function parseFactors(factors: Factor[]): { ok: true; scaled: bigint[] } | { ok: false; index: number } {
  const scaled: bigint[] = [];
  for (const [i, f] of factors.entries()) {
    const v = parseDecimal(f.v);
    if (v === null || v <= 0n || v >= 10n ** 14n * DECIMAL_SCALE) return { ok: false, index: i };
    scaled.push(v);
  }
  return { ok: true, scaled };
}

/** A scaled decimal as a plain string without trailing zeros: 25000n → "2.5". */
export function decimalString(scaled: bigint): string {
  const neg = scaled < 0n;
  const a = neg ? -scaled : scaled;
  const whole = a / DECIMAL_SCALE;
  const frac = (a % DECIMAL_SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** A numeric column value ("5.0000") as a plain decimal string ("5"). */
export function normDecimal(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const s = parseDecimal(v);
  return s === null ? v : decimalString(s);
}

/** Indonesian (2,5) or English (2.5) display of a decimal string. */
export function formatDecimal(lang: Lang, v: string): string {
  const [w, f] = v.split('.');
  const whole = formatNumber(lang, w ?? '0');
  return f ? `${whole}${lang === 'id' ? ',' : '.'}${f}` : whole;
}

/** The product of the factors as an exact decimal string: 5 × 2 × 3 → "30"; 2,5 × 2 → "5". */
export function volumeOf(factors: Factor[]): string {
  const p = parseFactors(factors);
  if (!p.ok) return '';
  let num = 1n;
  let digits = 0;
  for (const f of p.scaled) {
    num *= f;
    digits += 4;
  }
  const s = num.toString().padStart(digits + 1, '0');
  const whole = s.slice(0, s.length - digits);
  const frac = s.slice(s.length - digits).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

/** "5 Orang x 2 Kali x 3 Hari". */
export function coefficientLabel(lang: Lang, factors: Factor[]): string {
  return factors.map((f) => `${formatDecimal(lang, normDecimal(f.v) ?? f.v)} ${f.u}`).join(' x ');
}

/** The unit of the volume: the initials of the factor units, e.g. Orang·Kali·Hari → "OKH"; one factor keeps its unit. */
export function volumeUnit(factors: Factor[]): string {
  if (factors.length === 1) return factors[0]!.u;
  return factors.map((f) => (f.u.trim()[0] ?? '').toUpperCase()).join('');
}
