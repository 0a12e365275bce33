// Small helpers shared by the budgeting pages.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatNumber } from '../../core/i18n/i18n.ts';
import { html, type Html } from '../../core/http/html.ts';
import { issueMessage, tr } from '../../core/http/layout.ts';
import { AppError, badRequest } from '../../core/errors.ts';
import { readFormNumbers, type NumberFields } from '../../core/number.ts';

export type FormBody = Record<string, string | string[] | undefined>;
export const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** A form field as a trimmed string ('' when absent; the last value when repeated). */
export const str = (b: FormBody, k: string): string => {
  const v = b[k];
  return (Array.isArray(v) ? v[v.length - 1] : v)?.trim() ?? '';
};

/** "Rp 1.234.567" in the request's language. */
export const money = (req: FastifyRequest, v: string | bigint | number) => `Rp ${formatNumber(req.lang, BigInt(v))}`;

function partsIn(d: Date, timeZone: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** A date as a datetime-local value ("2026-11-27T09:30") in the Pemda's civil time zone. */
export function toLocalInput(d: Date | string, timeZone: string): string {
  const p = partsIn(new Date(d), timeZone);
  const z = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${z(p.month!)}-${z(p.day!)}T${z(p.hour!)}:${z(p.minute!)}`;
}

/** A datetime-local value read in the Pemda's civil time zone; undefined when empty or malformed. */
export function fromLocalInput(v: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(v);
  if (!m) return undefined;
  const guess = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  const p = partsIn(new Date(guess), timeZone);
  const offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - guess;
  return new Date(guess - offset);
}

/**
 * The numeric fields of a submitted form read with the one Indonesian number rule (core/number.ts):
 * the body with canonical values, or a 400 naming each field that cannot be read.
 */
export function formNumbers(b: FormBody, fields: NumberFields): FormBody {
  const r = readFormNumbers(b, fields);
  if (r.errors.length) throw badRequest(r.errors);
  return r.body;
}

/** A form's errors: field → message, `_` the summary. */
export type FormErrors = Record<string, string>;

/** The errors of a form that broke a rule (400, 409, 422, 423 or a schema error), translated; null for any other error. */
export function errorsOf(req: FastifyRequest, err: unknown): FormErrors | null {
  if (
    err instanceof AppError &&
    (err.status === 422 || err.status === 400 || err.status === 409 || err.status === 423)
  ) {
    const out: FormErrors = { _: tr(req, err.messageKey, err.params) };
    for (const f of err.fields) out[f.field] = /\s/.test(f.message) ? f.message : tr(req, f.message, f.params);
    return out;
  }
  if (err instanceof z.ZodError)
    return Object.fromEntries(err.issues.map((i) => [i.path.join('.'), issueMessage(req, i)]));
  return null;
}

/** The error beside a field: the first of the names that has one. */
export const fe = (errors: FormErrors, ...names: string[]): Html | string => {
  const m = names.map((n) => errors[n]).find(Boolean);
  return m ? html`<span class="field-error">${m}</span>` : '';
};

/**
 * Saves a submitted form; when it breaks a rule (errorsOf), the form again with its errors and the
 * error's status (400 for a schema error). Any other error propagates.
 */
export async function saveOrFormAgain<T>(
  req: FastifyRequest,
  save: () => Promise<T>,
  formAgain: (errors: FormErrors, status: number) => Promise<T>,
): Promise<T> {
  try {
    return await save();
  } catch (err) {
    const errors = errorsOf(req, err);
    if (!errors) throw err;
    return formAgain(errors, (err as AppError).status ?? 400);
  }
}
