// Shared pieces of the planning module: exact numbers (rupiah and decimals) in and out, zod
// helpers, and small query helpers.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import { parseRupiah } from '../../core/money.ts';
import type { Principal } from '../../core/roles.ts';
import type { Db } from '../../core/db/database.ts';
import type { Trx } from '../../core/audit/audit.ts';

export type Q = Db | Trx;

/**
 * Integer rupiah input: "1234567", "1.234.567", "Rp 1.234.567" or an integer number → the canonical
 * decimal string ("1234567", ≥ 0). A string output parses again to itself, so a body validated by
 * a route can be handed to a service that validates it once more.
 */
export const moneyIn = z.union([z.string().max(40), z.number().int()]).transform((v, ctx) => {
  const r = parseRupiah(v);
  if (r === null || r < 0n || r > 999_999_999_999_999n) {
    ctx.addIssue({ code: 'custom', message: 'pln.error.money_format' });
    return z.NEVER;
  }
  return r.toString();
});

const DECIMAL_RE = /^\d{1,12}(?:[.,]\d{1,4})?$/;

/** Normalise an exact decimal (volume, target) typed as "12,5" or "12.5" → "12.5"; null when malformed. */
export function normDecimal(v: string | number): string | null {
  const s = String(v).trim();
  if (!DECIMAL_RE.test(s)) return null;
  const [w, f] = s.replace(',', '.').split('.');
  const whole = String(BigInt(w!));
  const frac = (f ?? '').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

/** Exact non-negative decimal input (string or number) → normalised decimal string. */
export const decimalIn = z.union([z.string().max(30), z.number().nonnegative()]).transform((v, ctx) => {
  const d = normDecimal(v);
  if (d === null) {
    ctx.addIssue({ code: 'custom', message: 'pln.error.decimal_format' });
    return z.NEVER;
  }
  return d;
});

/** numeric columns may come back as "12.5000": strip the trailing zeros. */
export function cleanDecimal(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (!v.includes('.')) return v;
  const s = v.replace(/0+$/, '').replace(/\.$/, '');
  return s === '' || s === '-' ? '0' : s;
}

/** A decimal string as a scaled bigint (×10^4) for exact sums and comparisons. */
export function decimalScaled(v: string | null | undefined): bigint {
  if (!v) return 0n;
  const neg = v.startsWith('-');
  const [w, f = ''] = (neg ? v.slice(1) : v).split('.');
  const r = BigInt(w || '0') * 10_000n + BigInt((f + '0000').slice(0, 4));
  return neg ? -r : r;
}

export function scaledToDecimal(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / 10_000n;
  const frac = (a % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

export const idParam = z.object({ id: intIn(z.number().int().positive()) });
export const yearParam = z.object({ year: intIn(z.number().int().min(2000).max(2100)) });
export const yearSchema = intIn(z.number().int().min(2000).max(2100));
export const textIn = (max = 2000) => z.string().trim().min(1).max(max);
export const optText = (max = 2000) => z.string().trim().max(max).optional();
export const versionIn = intIn(z.number().int().positive());

/** Sub kegiatan code U.BB.PP.K.KK.SSSS. */
export const subKegiatanCode = z
  .string()
  .trim()
  .regex(/^[1-8]\.\d{2}\.\d{2}\.[12]\.\d{2}\.\d{4}$/, 'pln.error.sub_kegiatan_format');
export const programCode = z
  .string()
  .trim()
  .regex(/^[1-8X]\.(\d{2}|XX)\.\d{2}$/, 'pln.error.program_format');

/** U.BB.PP of a sub kegiatan or kegiatan code. */
export function programOf(code: string): string {
  return code.split('.').slice(0, 3).join('.');
}
/** U.BB.PP.K.KK of a sub kegiatan code. */
export function kegiatanOf(code: string): string {
  return code.split('.').slice(0, 5).join('.');
}
export function bidangOf(code: string): string {
  return code.split('.').slice(0, 2).join('.');
}

export const errorOut = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })),
});
export const conflictOut = errorOut.extend({ details: z.unknown().optional() });

/** Audit-friendly snapshot of a row: bigint → string, buffers left out. */
export function snap<T extends object>(row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (Buffer.isBuffer(v)) continue;
    out[k] = typeof v === 'bigint' ? v.toString() : v;
  }
  return out;
}

export function actorName(p: Principal): string {
  return p.fullName || p.username;
}

/** Fields for a proposal step / audit of who acted. */
export function actorOf(p: Principal): { actor_id: number | null; actor_name: string; actor_role: string } {
  return { actor_id: p.userId || null, actor_name: actorName(p), actor_role: p.userId ? p.role : p.username };
}
