// THE number rule of Padu. People type Indonesian numbers; machines exchange canonical ones.
//
// Forms (what a person types), one rule for every numeric input — volume, price, percent, target,
// koefisien, pagu:
//   "."  groups thousands, only in groups of three:   1.000 = 1000,  Rp 150.000.000 = 150000000
//   ","  is the decimal comma (at most one):           1,5 = 1.5,     1.000,5 = 1000.5
//   a dot that cannot be a thousands separator is refused as ambiguous ("1.5", "12.50", "1.0000"):
//   it is the English decimal point or a typo, and guessing either way has cost budgets a factor
//   of 1000 before. Spaces (also non-breaking), a leading "Rp"/"Rp." and a trailing "%" (percent
//   fields) are ignored.
// The JSON API (what a program sends) takes canonical strings only: "1000.5" (dot decimal point,
// no grouping, no exponent, no hex) or, for integers, a JSON integer; never [], "", "0x10", true.
//
// The same rule runs in the browser (core/http/public/number.js) to show "= 1.000 Kotak" as the
// user types; number.test.ts checks both against the same table of cases.
import { z } from 'zod';
import type { FieldError } from './errors.ts';

export type NumberKind = 'integer' | 'decimal' | 'rupiah' | 'percent';

export type NumberParse =
  | { ok: true; value: string }
  | { ok: false; error: 'empty' | 'format' | 'ambiguous' | 'fraction' | 'negative' | 'too_long' };

export interface NumberRule {
  /** Fractional digits allowed after the comma (0 = whole numbers only). */
  fraction: number;
  negative?: boolean;
}

export const NUMBER_RULES: Record<NumberKind, NumberRule> = {
  integer: { fraction: 0 },
  rupiah: { fraction: 0 },
  decimal: { fraction: 4 },
  percent: { fraction: 4 },
};

const GROUPED = /^\d{1,3}(?:\.\d{3})+$/;
const PLAIN = /^\d+$/;

/** Canonical form of a non-negative digit string with an optional fraction: no leading or trailing zeros. */
function canonical(whole: string, frac: string, neg: boolean): string {
  const w = whole.replace(/^0+(?=\d)/, '');
  const f = frac.replace(/0+$/, '');
  const s = f ? `${w}.${f}` : w;
  return neg && s !== '0' ? `-${s}` : s;
}

/** Parse a number as typed by a person (Indonesian convention) → canonical "1000.5". */
export function parseIdNumber(input: string, rule: NumberRule | NumberKind = 'decimal'): NumberParse {
  const r = typeof rule === 'string' ? NUMBER_RULES[rule] : rule;
  let s = String(input)
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(/^rp\.?/i, '')
    .replace(/%$/, '');
  if (s === '') return { ok: false, error: 'empty' };
  let neg = false;
  if (s.startsWith('-') || s.startsWith('−')) {
    neg = true;
    s = s.slice(1);
  }
  if (s.length > 40) return { ok: false, error: 'too_long' };
  const parts = s.split(',');
  if (parts.length > 2) return { ok: false, error: 'format' };
  const [whole = '', frac = ''] = parts;
  if (parts.length === 2 && !/^\d+$/.test(frac)) return { ok: false, error: 'format' };
  let digits: string;
  if (PLAIN.test(whole)) digits = whole;
  else if (GROUPED.test(whole)) digits = whole.replace(/\./g, '');
  else if (/^\d+(?:\.\d+)+$/.test(whole)) return { ok: false, error: 'ambiguous' };
  else return { ok: false, error: 'format' };
  if (digits.replace(/^0+/, '').length > 15) return { ok: false, error: 'too_long' };
  if (frac.replace(/0+$/, '').length > r.fraction) return { ok: false, error: 'fraction' };
  const v = canonical(digits, frac, neg);
  if (v.startsWith('-') && !r.negative) return { ok: false, error: 'negative' };
  return { ok: true, value: v };
}

/** Display a canonical number the Indonesian way: "1000.5" → "1.000,5". */
export function formatIdNumber(canonicalValue: string): string {
  const neg = canonicalValue.startsWith('-');
  const [w = '0', f] = (neg ? canonicalValue.slice(1) : canonicalValue).split('.');
  const grouped = w.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${neg ? '-' : ''}${grouped}${f ? `,${f}` : ''}`;
}

/** The message key of a parse error (messages in core/i18n: `num.error.*`). */
export const numberErrorKey = (e: Exclude<NumberParse, { ok: true }>['error']): string => `num.error.${e}`;

export type NumberFields = Array<[name: string | RegExp, kind: NumberKind]>;

/**
 * Read the numeric fields of a submitted form with the one rule: returns a copy of the body with
 * canonical values ("1000.5") and one error per field that cannot be read (the value is kept as
 * typed in `body`, so the form can show it again). Empty fields stay empty (required-ness is the
 * service's business).
 */
export function readFormNumbers<B extends Record<string, string | string[] | undefined>>(
  body: B,
  fields: NumberFields,
): { body: B; errors: FieldError[] } {
  const out: Record<string, string | string[] | undefined> = { ...body };
  const errors: FieldError[] = [];
  const kindOf = (name: string): NumberKind | undefined =>
    fields.find(([n]) => (typeof n === 'string' ? n === name : n.test(name)))?.[1];
  for (const [name, raw] of Object.entries(body)) {
    const kind = kindOf(name);
    if (!kind || raw === undefined) continue;
    const one = (v: string): string => {
      if (v.trim() === '') return '';
      const p = parseIdNumber(v, kind);
      if (p.ok) return p.value;
      if (!errors.some((e) => e.field === name))
        errors.push({
          field: name,
          message: numberErrorKey(p.error),
          params: { value: v.trim(), max: NUMBER_RULES[kind].fraction },
        });
      return v;
    };
    out[name] = Array.isArray(raw) ? raw.map(one) : one(raw);
  }
  return { body: out as B, errors };
}

// ---- JSON API: strict canonical input --------------------------------------------------------

const CANONICAL_DECIMAL = /^-?\d{1,15}(?:\.\d{1,4})?$/;
const CANONICAL_INTEGER = /^-?\d{1,15}$/;

/**
 * A strict integer from a JSON body, a query string or a path: a JSON integer or a string of
 * digits. Unlike z.coerce.number(), "" / [] / true / "0x10" / "1e3" / " 7" are refused.
 */
export function strictInt(v: unknown): unknown {
  if (typeof v === 'string' && CANONICAL_INTEGER.test(v)) return Number(v);
  return v;
}

/**
 * z.number() that also accepts a canonical digit string (query strings, paths, forms), documented
 * in OpenAPI as integer | digit string; replaces z.coerce.number(), which read [] and "" as 0 and
 * "0x10" as 16. Optional/nullable/default inner schemas keep their meaning.
 */
export function intIn<T extends z.ZodType<unknown, unknown>>(schema: T) {
  return z.preprocess(strictInt, schema).meta({
    description: 'An integer: a JSON integer or a string of digits ("12"); "", [], "0x10" and "1e3" are refused.',
    anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]{1,15}$' }],
  });
}

/** A canonical decimal string ("1000.5", "12", "0.25") — the API form of volumes, targets and rates. */
export const canonicalDecimal = z
  .string()
  .regex(CANONICAL_DECIMAL, 'num.error.canonical')
  .transform((s) => canonical(s.replace(/^-/, '').split('.')[0]!, s.split('.')[1] ?? '', s.startsWith('-')));

/** Is this string a canonical decimal ("1000.5")? */
export const isCanonicalDecimal = (s: string): boolean => CANONICAL_DECIMAL.test(s);

// ---- dates -------------------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A strict date-time: an ISO 8601 string (date, or date and time with an optional offset) or a
 * Date, with a year between 2000 and 2100. Numbers (epoch milliseconds such as -1 → 1969), empty
 * strings and impossible dates (2026-02-30) are refused.
 */
export const dateIn = z.union([z.string(), z.date()]).transform((v, ctx) => {
  let d: Date;
  if (typeof v === 'string') {
    const m = ISO_DATE.exec(v.trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'num.error.date' });
      return z.NEVER;
    }
    d = new Date(m[4] ? v.trim() : `${v.trim()}T00:00:00Z`);
    const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const check = new Date(Date.UTC(y, mo - 1, da));
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== da) {
      ctx.addIssue({ code: 'custom', message: 'num.error.date' });
      return z.NEVER;
    }
  } else d = v;
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 2000 || year > 2100) {
    ctx.addIssue({ code: 'custom', message: 'num.error.date_range' });
    return z.NEVER;
  }
  return d;
});
