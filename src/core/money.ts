// Money is integer rupiah carried as bigint in code and as a decimal string in JSON and SQL
// (int8/numeric). Never a JS number: 2^53 rupiah is far above any APBD, but float arithmetic on
// prices × coefficients is not exact, and that is where mark-ups hide.
import { formatNumber, type Lang } from './i18n/i18n.ts';

export type Rupiah = bigint;

const INTEGER = /^-?\d{1,18}$/;

/** Parse an integer rupiah amount from user input: accepts "1.234.567", "1234567", "Rp 1.234.567". */
export function parseRupiah(input: string | number | bigint): Rupiah | null {
  if (typeof input === 'bigint') return input;
  if (typeof input === 'number') return Number.isSafeInteger(input) ? BigInt(input) : null;
  const s = input
    .trim()
    .replace(/^Rp\.?\s*/i, '')
    .replace(/\./g, '')
    .replace(/\s/g, '');
  if (!INTEGER.test(s)) return null;
  return BigInt(s);
}

export function toRupiah(v: string | number | bigint | null | undefined): Rupiah {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`not an integer rupiah amount: ${v}`);
    return BigInt(v);
  }
  // numeric columns may come back as "123.00"
  const [whole, frac = ''] = v.split('.');
  if (/[1-9]/.test(frac)) throw new Error(`not an integer rupiah amount: ${v}`);
  return BigInt(whole ?? '0');
}

/** "Rp 1.234.567" (Indonesian) or "Rp 1,234,567" (English). */
export function formatRupiah(v: string | number | bigint | null | undefined, lang: Lang = 'id'): string {
  return `Rp ${formatNumber(lang, toRupiah(v))}`;
}

/**
 * Exact decimal with up to 4 fractional digits (coefficients such as 2,5 Hari; tax rates such as
 * 11%), carried as a scaled bigint: value × 10^4.
 */
export const DECIMAL_SCALE = 10_000n;

export function parseDecimal(input: string | number): bigint | null {
  const s = String(input).trim().replace(',', '.');
  const m = /^(-?)(\d{1,15})(?:\.(\d{1,4}))?$/.exec(s);
  if (!m) return null;
  const frac = (m[3] ?? '').padEnd(4, '0');
  const v = BigInt(m[2]!) * DECIMAL_SCALE + BigInt(frac || '0');
  return m[1] === '-' ? -v : v;
}

/**
 * The one rounding rule of Padu: round half up (away from zero) to whole rupiah, applied once to
 * a product, never to its factors. `scaledFactor` is a decimal scaled by 10^4 per factor.
 */
export function roundDiv(numerator: bigint, denominator: bigint): bigint {
  const neg = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (2n * d);
  return neg ? -q : q;
}
