// Small helpers shared by the command-center pages: badges, timers, form errors, notices.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, type Html } from '../../core/http/html.ts';
import { issueMessage, tr } from '../../core/http/layout.ts';
import { AppError } from '../../core/errors.ts';
import { formatDate } from '../../core/i18n/i18n.ts';
import type { Timer } from './timers.ts';

export const when = (req: FastifyRequest, d: Date | string | null | undefined) => formatDate(req.lang, d ?? null, true);

const ISTATUS: Record<string, string> = { open: 'err', dispatched: 'warn', closed: 'ok', merged: '' };
const ASTATUS: Record<string, string> = {
  dispatched: 'err',
  acknowledged: 'warn',
  en_route: 'warn',
  on_scene: 'warn',
  resolved: 'ok',
  handed_back: '',
};

export const incidentBadge = (req: FastifyRequest, s: string) =>
  html`<span class="badge ${ISTATUS[s] ?? ''} cc-istatus" data-status="${s}">${tr(req, `cc.istatus.${s}`)}</span>`;
export const assignmentBadge = (req: FastifyRequest, s: string) =>
  html`<span class="badge ${ASTATUS[s] ?? ''} cc-astatus" data-status="${s}">${tr(req, `cc.astatus.${s}`)}</span>`;
export const priorityBadge = (req: FastifyRequest, p: number) =>
  html`<span class="badge ${p <= 1 ? 'err' : p === 2 ? 'warn' : ''}">${p} ${tr(req, `cc.priority.${p}`)}</span>`;

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function timerChips(req: FastifyRequest, timers: Timer[]): Html {
  return html`<span class="cc-timers">${timers.map(
    (t) =>
      html`<span class="badge ${t.breached ? 'err cc-breach' : t.done ? 'ok' : ''}" title="${t.kind}">${tr(
        req,
        'cc.timer.value',
        {
          kind: tr(req, `cc.timer.${t.kind}`),
          elapsed: fmt(t.elapsedMin),
          target: t.targetMin,
        },
      )}</span> `,
  )}</span>`;
}

export type Errors = Record<string, string>;

/** The field errors of a failed form post, translated; null when the error is not an input error. */
export function errorsOf(
  req: FastifyRequest,
  err: unknown,
): { errors: Errors; message: string; details?: unknown } | null {
  if (err instanceof AppError && err.status < 500) {
    const errors = Object.fromEntries(
      err.fields.map((f) => [f.field, /\s/.test(f.message) ? f.message : tr(req, f.message, f.params)]),
    );
    return { errors, message: tr(req, err.messageKey, err.params), details: err.details };
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

export function seeOther(reply: FastifyReply, url: string): FastifyReply {
  return reply.redirect(url, 303);
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  return new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [k, String(v)] as [string, string]),
  ).toString();
}

export const statusOf = (err: unknown) => (err instanceof AppError ? err.status : 400);

/** JPEG, PNG or WebP by their first bytes. */
export function photoType(b: Buffer): string | null {
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (
    b.length > 12 &&
    b.subarray(0, 4).toString('latin1') === 'RIFF' &&
    b.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return null;
}
export const PHOTO_MAX = 5 * 1024 * 1024;
