// Small helpers shared by the planning pages: formatting, badges, form errors, redirects.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, type Html } from '../../core/http/html.ts';
import { tr, issueMessage } from '../../core/http/layout.ts';
import { AppError } from '../../core/errors.ts';
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

export function errorBox(e: { errors: Errors; message: string } | null | undefined): Html | string {
  if (!e) return '';
  const entries = Object.entries(e.errors);
  return html`<div class="error" role="alert"><p>${e.message}</p>${entries.length ? html`<ul>${entries.map(([k, v]) => html`<li><b>${k}</b>: ${v}</li>`)}</ul>` : ''}</div>`;
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

/** Empty form fields mean "not given". */
export function formBody(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((body as Record<string, unknown>) ?? {})) {
    if (k === '_csrf') continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    out[k] = v;
  }
  return out;
}

/** The HTTP status of a handled form error. */
export function statusOf(err: unknown): number {
  return err instanceof AppError ? err.status : 400;
}
