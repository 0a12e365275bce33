// The page shell: header with the Pemda, navigation from the module manifests (filtered by the
// user's permissions), language switch and log-out. Light: one CSS file, htmx, no framework.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, raw, type Html, type HtmlValue } from './html.ts';
import { isMessageKey, zodIssueMessage, type Lang } from '../i18n/i18n.ts';
import type { z } from 'zod';
import { can } from '../auth/policy.ts';
import type { NavItem } from '../module.ts';

/** The app's navigation items the request's principal may see. */
export function visibleNav(req: FastifyRequest): NavItem[] {
  return req.server.registry.nav.filter((n) => can(req.principal, n.permission));
}

export function langOf(req: FastifyRequest): Lang {
  return req.lang;
}

/** Translate in the request's language. */
export function tr(req: FastifyRequest, key: string, params?: Record<string, string | number>): string {
  return req.server.registry.i18n.t(langOf(req), key, params);
}

/** Field messages (i18n keys or ready sentences) as sentences in the request's language: what an API returns. */
export function translateFields<T extends { message: string; params?: Record<string, string | number> }>(
  req: FastifyRequest,
  fields: T[],
): T[] {
  const t = req.server.registry.i18n.t;
  return fields.map((f) => (isMessageKey(f.message) ? { ...f, message: t(langOf(req), f.message, f.params) } : f));
}

/** A Zod issue as a sentence in the request's language. */
export function issueMessage(req: FastifyRequest, issue: z.core.$ZodIssue): string {
  return zodIssueMessage(req.server.registry.i18n.t, langOf(req), issue);
}

export interface PageOptions {
  title: string;
  body: HtmlValue;
  /** Flash message shown above the content. */
  notice?: string;
  status?: number;
}

export function csrfField(req: FastifyRequest): Html {
  return html`<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">`;
}

export function renderPage(req: FastifyRequest, opts: PageOptions): Html {
  const lang = langOf(req);
  const t = req.server.registry.i18n.t;
  const p = req.principal;
  const other = lang === 'id' ? 'en' : 'id';
  const here = req.url.replace(/([?&])lang=[^&]*&?/, '$1').replace(/[?&]$/, '');
  const sep = here.includes('?') ? '&' : '?';
  const nav = p
    ? html`<nav class="nav" aria-label="Menu"><a href="/">${t(lang, 'nav.home')}</a>${visibleNav(req).map(
        (n) => html`<a href="${n.href}">${t(lang, n.label)}</a>`,
      )}</nav>`
    : '';
  const user = p
    ? html`<span class="who">${p.fullName} · ${t(lang, `role.${p.role}`)}</span>
        <form method="post" action="/logout" class="inline">${csrfField(req)}<button class="link">${t(lang, 'nav.logout')}</button></form>`
    : html`<a href="/login">${t(lang, 'nav.login')}</a>`;
  const csrfHeader = req.csrfToken ? JSON.stringify({ 'x-csrf-token': req.csrfToken }) : '{}';
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · Padu</title>
<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>
<link rel="stylesheet" href="/static/padu.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/htmx.min.js" defer></script>
<script src="/static/number.js" defer></script>
<script src="/static/forms.js" defer></script>
</head>
<body hx-headers="${csrfHeader}">
<header class="top">
  <a class="brand" href="/">Padu</a>
  <span class="pemda">${pemdaNameOf(req)}</span>
  <span class="spacer"></span>
  ${user}
  <a class="lang" href="${here}${sep}lang=${other}" hreflang="${other}">${t(lang, 'lang.switch')}</a>
</header>
${nav}
<main>
<h1>${opts.title}</h1>
${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
${opts.body}
</main>
<footer class="foot">${t(lang, 'app.tagline')} · <a href="/docs">${t(lang, 'nav.api_docs')}</a></footer>
</body>
</html>`;
}

function pemdaNameOf(req: FastifyRequest): string {
  return req.pemda?.name ?? '';
}

export function sendPage(req: FastifyRequest, reply: FastifyReply, opts: PageOptions): FastifyReply {
  return reply
    .code(opts.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(renderPage(req, opts).value);
}

/** A fragment for htmx swaps (no shell). */
export function sendFragment(reply: FastifyReply, fragment: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(fragment.value);
}

export { raw };

// ---- confirmation of irreversible or wide actions ----------------------------------------------------------------

/** Was the action confirmed (the confirmation page's form sends confirm=1)? */
export function confirmed(body: unknown): boolean {
  const v = (body as Record<string, unknown> | undefined)?.confirm;
  return v === '1' || (Array.isArray(v) && v.includes('1'));
}

export interface ConfirmOptions {
  /** The question, e.g. "Ajukan RKA Dinas Kesehatan?" */
  title: string;
  /** What will happen, one sentence per item (counts, names, amounts). */
  what: string[];
  /** The URL the confirmed form posts to (the same action). */
  action: string;
  /** The submitted fields to send again (the CSRF token and `confirm` are added). */
  body?: unknown;
  /** Label of the confirming button, e.g. "Ya, ajukan". */
  yes: string;
  /** Where "Batal" leads. */
  back: string;
  /** Red button for destructive actions. */
  danger?: boolean;
}

/**
 * The confirmation step of an irreversible or wide action, without JavaScript: the first POST
 * (no confirm=1) answers with this page saying what will happen; its form posts the same fields
 * again with confirm=1.
 */
export function sendConfirm(req: FastifyRequest, reply: FastifyReply, o: ConfirmOptions): FastifyReply {
  const fields = Object.entries((o.body as Record<string, unknown> | undefined) ?? {}).filter(
    ([k]) => k !== '_csrf' && k !== 'confirm',
  );
  const hidden = fields.flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v])
      .filter((x) => typeof x === 'string')
      .map((x) => html`<input type="hidden" name="${k}" value="${x as string}">`),
  );
  return sendPage(req, reply, {
    title: o.title,
    body: html`<section class="confirm" aria-labelledby="confirm-what">
<h2 id="confirm-what">${tr(req, 'confirm.what')}</h2>
<ul>${o.what.map((w) => html`<li>${w}</li>`)}</ul>
<form method="post" action="${o.action}" class="actions">${csrfField(req)}${hidden}<input type="hidden" name="confirm" value="1">
<button class="${o.danger ? 'danger' : ''}" id="confirm-yes">${o.yes}</button> <a href="${o.back}">${tr(req, 'confirm.cancel')}</a></form>
</section>`,
  });
}
