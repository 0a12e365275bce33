// Small helpers shared by the planning pages: formatting, badges, form errors, redirects.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, type Html } from '../../core/http/html.ts';
import { tr, issueMessage } from '../../core/http/layout.ts';
import { AppError, badRequest } from '../../core/errors.ts';
import { formatIdNumber, readFormNumbers, type NumberFields } from '../../core/number.ts';
import { CRITERIA } from './priority.ts';
import { formatDate, formatNumber } from '../../core/i18n/i18n.ts';
import { formatRupiah } from '../../core/money.ts';

export const rp = (req: FastifyRequest, v: string | bigint | null | undefined) =>
  v === null || v === undefined ? '' : formatRupiah(v, req.lang);

/** An exact decimal in the user's language: 12.5 → "12,5" (id). */
export function num(req: FastifyRequest, v: string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '';
  const [w, f] = v.split('.');
  const whole = formatNumber(req.lang, w!.replace('-', '') || '0');
  const sign = w!.startsWith('-') ? '-' : '';
  return f ? `${sign}${whole}${req.lang === 'id' ? ',' : '.'}${f}` : `${sign}${whole}`;
}

export const date = (req: FastifyRequest, d: Date | string | null | undefined, withTime = false) =>
  formatDate(req.lang, d ?? null, withTime);

const BADGE: Record<string, string> = {
  approved: 'ok',
  accepted: 'ok',
  verified: 'ok',
  submitted: 'warn',
  pending: 'warn',
  draft: '',
  rejected: 'err',
  merged: '',
  backlog: 'warn',
  carried: '',
  error: 'err',
  warning: 'warn',
};

export function badge(req: FastifyRequest, group: string, value: string | null | undefined): Html {
  if (!value) return html``;
  return html`<span class="badge ${BADGE[value] ?? ''}">${tr(req, `pln.${group}.${value}`)}</span>`;
}

export type Errors = Record<string, string>;

/** The field errors of a failed form post, translated; null when the error is not an input error. */
export function errorsOf(req: FastifyRequest, err: unknown): { errors: Errors; message: string } | null {
  if (err instanceof AppError && err.status < 500) {
    const errors = Object.fromEntries(
      err.fields.map((f) => [f.field, /\s/.test(f.message) ? f.message : tr(req, f.message, f.params)]),
    );
    return { errors, message: tr(req, err.messageKey, err.params) };
  }
  if (err instanceof z.ZodError) {
    return {
      errors: Object.fromEntries(err.issues.map((i) => [i.path.join('.'), issueMessage(req, i)])),
      message: tr(req, 'error.validation'),
    };
  }
  return null;
}

export function fieldErr(errors: Errors | undefined, name: string): Html | string {
  const e = errors?.[name];
  return e ? html`<span class="field-error" id="${name}-error">${e}</span>` : '';
}

/** Form field name → the label the form shows (errors name the field by its label, never `reason:`). */
const FIELD_LABELS: Record<string, string> = {
  title: 'pln.proposal.title',
  problem: 'pln.proposal.problem',
  category_code: 'pln.proposal.category',
  kecamatan_id: 'pln.proposal.kecamatan',
  kelurahan_id: 'pln.proposal.kelurahan',
  address: 'pln.proposal.address',
  latitude: 'pln.proposal.latitude',
  longitude: 'pln.proposal.longitude',
  volume: 'pln.proposal.volume',
  unit: 'pln.proposal.unit',
  estimated_cost: 'pln.proposal.estimated_cost',
  beneficiaries: 'pln.proposal.beneficiaries',
  amount: 'pln.decision.amount',
  reason: 'pln.decision.reason',
  decision: 'pln.decision.decision',
  merge_into: 'pln.decision.merge_into',
  urgency: 'pln.decision.urgency',
  sub_kegiatan_code: 'pln.rnode.sub_kegiatan',
  photo: 'pln.proposal.photo',
  year: 'pln.year',
  target: 'pln.renja.target',
  pagu: 'pln.renja.pagu',
  baseline: 'pln.indicator.baseline',
  name: 'pln.field.name',
  contact: 'pln.field.contact',
  dprd_member_id: 'pln.field.dprd_member',
};

/** The label of a form field for an error list; '' when the field has no label of its own. */
export function fieldLabel(req: FastifyRequest, name: string): string {
  const base = name.split('.')[0]!;
  if (FIELD_LABELS[base]) return tr(req, FIELD_LABELS[base]);
  const m = /^([ct])_(\d{4})$/.exec(base);
  if (m) return `${tr(req, m[1] === 'c' ? 'pln.renja.pagu' : 'pln.indicator.targets')} ${m[2]}`;
  return '';
}

export function errorBox(
  e: { errors: Errors; message: string } | null | undefined,
  req?: FastifyRequest,
): Html | string {
  if (!e) return '';
  const entries = Object.entries(e.errors);
  const label = (k: string) => (req ? fieldLabel(req, k) : '');
  return html`<div class="error" role="alert"><p>${e.message}</p>${entries.length ? html`<ul>${entries.map(([k, v]) => (label(k) ? html`<li><b>${label(k)}</b>: ${v}</li>` : html`<li>${v}</li>`))}</ul>` : ''}</div>`;
}

/** POST → 303 back to a page, with a notice key shown there. */
export function seeOther(reply: FastifyReply, url: string, notice?: string): FastifyReply {
  const sep = url.includes('?') ? '&' : '?';
  return reply.redirect(notice ? `${url}${sep}ok=${encodeURIComponent(notice)}` : url, 303);
}

/** The notice of a redirected page (only our own message keys). */
export function noticeOf(req: FastifyRequest): string | undefined {
  const ok = (req.query as Record<string, unknown> | undefined)?.ok;
  return typeof ok === 'string' && /^pln\.notice\.[a-z_]+$/.test(ok) ? tr(req, ok) : undefined;
}

export function selected(cond: boolean): Html {
  return cond ? html` selected` : html``;
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  return new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [k, String(v)] as [string, string]),
  ).toString();
}

/** A form value as a string (bodies of url-encoded forms). */
export function str(body: unknown, key: string): string | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The numeric fields of the planning forms, read with the one Indonesian number rule
 * (core/number.ts): pagu per year/OPD, targets per year, costs, volumes, weights.
 * Coordinates (latitude/longitude) are not amounts and keep their own format.
 */
export const PLANNING_NUMBERS: NumberFields = [
  [/^c_\d+$/, 'rupiah'],
  [/^t_\d+$/, 'decimal'],
  ['pagu', 'rupiah'],
  ['estimated_cost', 'rupiah'],
  ['amount', 'rupiah'],
  ['volume', 'decimal'],
  ['target', 'decimal'],
  ['baseline', 'decimal'],
  ['beneficiaries', 'integer'],
  ['year', 'integer'],
  ['year_from', 'integer'],
  ['seq', 'integer'],
  ...CRITERIA.map((c) => [c, 'integer'] as [string, 'integer']),
];

/**
 * Empty form fields mean "not given"; numbers are read with the one rule (canonical strings), and
 * a number that cannot be read is a 400 naming its field (re-show the form from req.body, which
 * keeps what was typed).
 */
export function formBody(body: unknown): Record<string, unknown> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries((body as Record<string, unknown>) ?? {})) {
    if (k === '_csrf') continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    out[k] = v as string;
  }
  const r = readFormNumbers(out, PLANNING_NUMBERS);
  if (r.errors.length) throw badRequest(r.errors);
  return r.body;
}

/** A stored number ("12.5000", 1000) as a form value in the one Indonesian rule ("12,5", "1.000"); '' when absent. */
export function idNumOpt(v: string | number | bigint | null | undefined): string {
  if (v === null || v === undefined || v === '') return '';
  const s = String(v);
  if (!/^-?\d+(\.\d+)?$/.test(s)) return s;
  return formatIdNumber(s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
}

/** What the user typed (kept on an error), else the stored number in the Indonesian rule. */
export function idNum(body: unknown, key: string, stored: string | number | bigint | null | undefined): string {
  const typed = str(body, key);
  return typed !== undefined ? typed : idNumOpt(stored);
}

/** The HTTP status of a handled form error. */
export function statusOf(err: unknown): number {
  return err instanceof AppError ? err.status : 400;
}
