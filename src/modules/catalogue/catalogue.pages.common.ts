// Helpers shared by the catalogue's pages (catalogue.pages.ts, catalogue-proposals.pages.ts).
import { formatIdNumber, readFormNumbers, intIn } from '../../core/number.ts';
import { badRequest } from '../../core/errors.ts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, type Html } from '../../core/http/html.ts';
import { tr, issueMessage } from '../../core/http/layout.ts';
import { AppError, type FieldError } from '../../core/errors.ts';
import { formatRupiah } from '../../core/money.ts';
import {
  listGrades,
  listYears,
  type CatalogueKind,
  type PricedItem,
  type ProposalStatus,
} from './catalogue.service.ts';
import type { Db } from '../../core/db/database.ts';

export type Errors = Record<string, string>;
export type Form = Record<string, string>;

export const PAGE_SIZE = 50;
/** Page routes: hidden from the OpenAPI document, still tagged and described. */
export const page = (summary: string) => ({ hide: true, tags: ['catalogue'], summary }) as const;
export const formBody = z.record(z.string(), z.string());
export const idParams = z.object({ id: intIn(z.number().int().positive().max(2147483647)) });

/**
 * The price-version fields of a posted item or proposal form, as the service reads them; price and
 * TKDN read with the one Indonesian number rule. `errors` names each number that cannot be read.
 */
export function readVersionFields(raw: Form) {
  const r = readFormNumbers(raw, [
    ['price', 'rupiah'],
    ['tkdn', 'percent'],
  ]);
  const b = r.body;
  return {
    fields: {
      name: b.name ?? '',
      spec: b.spec ?? '',
      unit: b.unit ?? '',
      price: b.price ?? '',
      tkdn: b.tkdn ?? null,
      accounts: b.accounts ?? '',
    },
    errors: r.errors,
  };
}

/** As readVersionFields, a 400 naming the field when a number cannot be read. */
export function versionFields(raw: Form) {
  const r = readVersionFields(raw);
  if (r.errors.length) throw badRequest(r.errors);
  return r.fields;
}

/**
 * When a number of the form cannot be read: a 400 naming it together with every other field the
 * schema refuses, so that the user sees all problems of the form at once (nothing is written).
 */
export function numberAndSchemaErrors(
  req: FastifyRequest,
  numberErrors: FieldError[],
  schema: z.ZodType,
  input: unknown,
): AppError | null {
  if (!numberErrors.length) return null;
  const taken = new Set(numberErrors.map((e) => e.field));
  const parsed = schema.safeParse(input);
  const others: FieldError[] = parsed.success
    ? []
    : parsed.error.issues
        .filter((i) => !taken.has(String(i.path[0])))
        .map((i) => ({ field: i.path.join('.'), message: issueMessage(req, i) }));
  return badRequest([...numberErrors, ...others]);
}

/** A form value as typed. */
export const idForm = (v: string | null | undefined): string => v ?? '';

/** A stored canonical number ("12.5", "20000") in the Indonesian rule of the forms ("12,5", "20.000"). */
export const idStored = (v: string | null | undefined): string =>
  v === null || v === undefined || v === ''
    ? ''
    : formatIdNumber(v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v);

export function fieldErr(errors: Errors, name: string): Html | string {
  return errors[name] ? html`<span class="field-error" id="${name}-error">${errors[name]}</span>` : '';
}

/** Errors of all positions of a list field (accounts.0, accounts.3 …) under one name. */
export function listErr(errors: Errors, name: string): Html | string {
  const msgs = Object.entries(errors)
    .filter(([k]) => k === name || k.startsWith(`${name}.`))
    .map(([, m]) => m);
  return msgs.length ? html`<span class="field-error" id="${name}-error">${msgs.join(' ')}</span>` : '';
}

export function errorsOf(req: FastifyRequest, err: unknown): Errors | null {
  if (err instanceof AppError && err.fields.length) {
    return Object.fromEntries(
      err.fields.map((f) => [f.field, /\s/.test(f.message) ? f.message : tr(req, f.message, f.params)]),
    );
  }
  if (err instanceof z.ZodError)
    return Object.fromEntries(err.issues.map((i) => [i.path.join('.'), issueMessage(req, i)]));
  return null;
}

/** A field error map, or a general message for a conflict / refused state (409). */
export function formProblem(
  req: FastifyRequest,
  err: unknown,
): { errors: Errors; message?: string; status: number } | null {
  const errors = errorsOf(req, err);
  if (errors) return { errors, status: err instanceof AppError ? err.status : 400 };
  if (err instanceof AppError && err.status === 409)
    return { errors: {}, message: tr(req, err.messageKey, err.params), status: 409 };
  return null;
}

export const qs = (params: Record<string, string | number | undefined | null>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [k, String(v)] as [string, string]),
  ).toString();

export function money(req: FastifyRequest, v: string | bigint): string {
  return formatRupiah(v, req.lang);
}

export function tkdnText(v: string | null): string {
  return v === null ? '—' : `${v.replace(/\.?0+$/, '') || '0'}%`;
}

export function kindLabel(req: FastifyRequest, k: CatalogueKind): string {
  return tr(req, `cat.kind.${k}`);
}

export function statusBadge(req: FastifyRequest, s: ProposalStatus): Html {
  return html`<span class="badge${s === 'approved' ? ' ok' : ''}">${tr(req, `cat.status.${s}`)}</span>`;
}

export function sbuText(req: FastifyRequest, p: PricedItem): string {
  if (!p.sbu) return '';
  const parts = [tr(req, `cat.sbu.${p.sbu.component}`)];
  if (p.sbu.province) parts.push(p.sbu.province);
  if (p.sbu.travelKind) parts.push(tr(req, `cat.travel.${p.sbu.travelKind}`));
  if (p.sbu.grade) parts.push(listGrades(req.lang).find((g) => g.code === p.sbu!.grade)?.label ?? p.sbu.grade);
  return parts.join(' · ');
}

export function diffPercent(base: string, next: string): string {
  const b = BigInt(base);
  if (b === 0n) return '';
  const bp = ((BigInt(next) - b) * 10000n) / b; // basis points, truncated
  const sign = bp > 0n ? '+' : bp < 0n ? '−' : '';
  const abs = bp < 0n ? -bp : bp;
  return `${sign}${abs / 100n},${String(abs % 100n).padStart(2, '0')}%`;
}

export function decodeNotice(done: string, req: FastifyRequest): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(done);
  return m ? tr(req, 'cat.import.done', { created: m[1]!, updated: m[2]!, unchanged: m[3]! }) : undefined;
}

export const yearOptionsOf = async (db: Db, pemdaId: number, selected: number) => {
  const years = new Set(await listYears(db, pemdaId));
  years.add(selected);
  years.add(new Date().getFullYear() + 1);
  return [...years]
    .sort((a, b) => b - a)
    .map((y) => html`<option value="${y}" ${y === selected ? 'selected' : ''}>${y}</option>`);
};

export const demoNote = (req: FastifyRequest) =>
  req.pemda?.code === '99.01' ? html`<p class="muted">${tr(req, 'cat.demo_note')}</p>` : '';
