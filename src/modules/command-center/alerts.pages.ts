// Public alerts: the operator's page (publish, update, cancel — each asked first), the public list
// of alerts in force, the Atom index and each alert as a CAP 1.2 document.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { listRegions } from '../master-data/index.ts';
import { alertIn, CAP_CATEGORIES, CAP_CERTAINTY, CAP_SEVERITY, CAP_URGENCY } from './cc.schema.ts';
import * as al from './alerts.service.ts';
import { publicPemda } from './open311.service.ts';
import { ccScript } from './ops.pages.ts';
import { errorBox, errorsOf, fieldErr, formBody, qs, statusOf, when, type Errors } from './ui.ts';

const hide = { hide: true } as const;
const anyBody = z.record(z.string(), z.unknown());
const idParam = z.object({ id: intIn(z.number().int().positive().max(2_147_483_647)) });

export async function alertPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const perm = { auth: { permission: 'cc.alert.publish' } };

  const alertForm = async (
    req: FastifyRequest,
    action: string,
    values: Record<string, unknown>,
    e?: { errors: Errors; message: string } | null,
  ) => {
    const kecs = await listRegions(db, req.principal!.pemdaId, 'kecamatan');
    const v = (k: string) => String(values[k] ?? '');
    const chosen = new Set([values.kecamatan_ids ?? []].flat().map(String));
    const err = e?.errors;
    const sel = (name: string, opts: readonly string[]) =>
      html`<label>${tr(req, `cc.alert.${name}`)}<select name="${name}" required>${opts.map((o) => html`<option value="${o}" ${o === v(name) ? 'selected' : ''}>${tr(req, `cc.cap.${o}`)}</option>`)}</select>${fieldErr(err, name)}</label>`;
    return html`<form method="post" action="${action}" class="form cc-alert-form" data-confirm="${tr(req, 'cc.alert.confirm')}">${csrfField(req)}${errorBox(e)}
<label>${tr(req, 'cc.alert.event')}<input name="event" required value="${v('event')}" placeholder="Banjir">${fieldErr(err, 'event')}</label>
<div class="grid">${sel('category', CAP_CATEGORIES)}${sel('urgency', CAP_URGENCY)}${sel('severity', CAP_SEVERITY)}${sel('certainty', CAP_CERTAINTY)}</div>
<label>${tr(req, 'cc.alert.headline')}<input name="headline" required maxlength="160" value="${v('headline')}">${fieldErr(err, 'headline')}</label>
<label>${tr(req, 'cc.alert.description')}<textarea name="description" rows="3" required>${v('description')}</textarea>${fieldErr(err, 'description')}</label>
<label>${tr(req, 'cc.alert.instruction')}<textarea name="instruction" rows="2">${v('instruction')}</textarea></label>
<fieldset><legend>${tr(req, 'cc.alert.area')}</legend>${kecs.map((k) => html`<label class="check"><input type="checkbox" name="kecamatan_ids" value="${k.id}" ${chosen.has(String(k.id)) ? 'checked' : ''}> ${k.name}</label>`)}${fieldErr(err, 'kecamatan_ids')}</fieldset>
<label>${tr(req, 'cc.alert.expires_hours')}<input name="expires_hours" inputmode="numeric" value="${v('expires_hours') || '24'}">${fieldErr(err, 'expires_hours')}</label>
<div class="actions"><button>${tr(req, 'cc.alert.publish')}</button></div></form>`;
  };

  const listBody = async (
    req: FastifyRequest,
    e?: { errors: Errors; message: string } | null,
    values: Record<string, unknown> = {},
  ) => {
    const rows = await al.listAlerts(db, req.principal!.pemdaId);
    return html`<h2>${tr(req, 'cc.alert.new')}</h2>${await alertForm(req, '/command-center/alerts', values, e)}
<h2>${tr(req, 'cc.alert.list')}</h2>
<table class="table cc-alerts"><thead><tr><th>${tr(req, 'cc.alert.sent')}</th><th>${tr(req, 'cc.alert.msg_type')}</th><th>${tr(req, 'cc.alert.headline')}</th><th>${tr(req, 'cc.alert.area')}</th><th></th></tr></thead><tbody>${rows.map(
      (a) =>
        html`<tr data-alert="${a.id}"><td>${when(req, a.sent_at)}</td><td>${a.msg_type}${a.superseded ? html` <span class="muted">(${tr(req, 'cc.alert.superseded')})</span>` : ''}</td><td><a href="/peringatan/${a.identifier}.xml">${a.headline}</a></td><td>${a.area_desc}</td><td>${
          !a.superseded && a.msg_type !== 'Cancel'
            ? html`<a href="/command-center/alerts/${a.id}/update">${tr(req, 'cc.alert.update')}</a>
<form method="post" action="/command-center/alerts/${a.id}/cancel" class="inline" data-confirm="${tr(req, 'cc.alert.cancel_confirm')}">${csrfField(req)}<button>${tr(req, 'cc.alert.cancel')}</button></form>`
            : ''
        }</td></tr>`,
    )}</tbody></table>${ccScript}`;
  };

  const notice = (req: FastifyRequest) => {
    const ok = (req.query as { ok?: string }).ok;
    return ok && /^(Alert|Update|Cancel)$/.test(ok) ? tr(req, `cc.alert.done_${ok.toLowerCase()}`) : undefined;
  };

  app.get(
    '/command-center/alerts',
    { config: perm, schema: { ...hide, querystring: z.object({ ok: z.string().max(10).optional() }) } },
    async (req, reply) =>
      sendPage(req, reply, { title: tr(req, 'cc.nav.alerts'), body: await listBody(req), notice: notice(req) }),
  );
  app.post('/command-center/alerts', { config: perm, schema: { ...hide, body: anyBody } }, async (req, reply) => {
    const b = formBody(req.body);
    try {
      const a = await al.publishAlert(db, req.principal!, alertIn.parse(b));
      return reply.redirect(`/command-center/alerts?ok=${a.msg_type}`, 303);
    } catch (err) {
      const e = errorsOf(req, err);
      if (!e) throw err;
      return sendPage(req, reply, {
        title: tr(req, 'cc.nav.alerts'),
        body: await listBody(req, e, b),
        status: statusOf(err),
      });
    }
  });
  app.get(
    '/command-center/alerts/:id/update',
    { config: perm, schema: { ...hide, params: idParam } },
    async (req, reply) => {
      const a = await al.getAlert(db, req.principal!.pemdaId, { id: req.params.id });
      if (!a) throw notFound();
      const values = {
        ...a,
        expires_hours: a.expires_at ? Math.max(1, Math.round((+new Date(a.expires_at) - Date.now()) / 3_600_000)) : '',
      };
      return sendPage(req, reply, {
        title: tr(req, 'cc.alert.update_title', { headline: a.headline }),
        body: await alertForm(req, `/command-center/alerts/${a.id}/update`, values),
      });
    },
  );
  app.post(
    '/command-center/alerts/:id/update',
    { config: perm, schema: { ...hide, params: idParam, body: anyBody } },
    async (req, reply) => {
      const b = formBody(req.body);
      try {
        const a = await al.updateAlert(db, req.principal!, req.params.id, alertIn.parse(b));
        return reply.redirect(`/command-center/alerts?ok=${a.msg_type}`, 303);
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'cc.nav.alerts'),
          body: await alertForm(req, `/command-center/alerts/${req.params.id}/update`, b, e),
          status: statusOf(err),
        });
      }
    },
  );
  app.post(
    '/command-center/alerts/:id/cancel',
    { config: perm, schema: { ...hide, params: idParam, body: anyBody } },
    async (req, reply) => {
      const a = await al.cancelAlert(db, req.principal!, req.params.id);
      return reply.redirect(`/command-center/alerts?ok=${a.msg_type}`, 303);
    },
  );

  // ---- public ------------------------------------------------------------------------------------------
  const pemdaQ = z.object({ pemda: z.string().max(10).optional() });
  const base = (req: FastifyRequest) => `${req.protocol}://${req.host}`;
  app.get(
    '/peringatan',
    { config: { auth: 'public' }, schema: { ...hide, querystring: pemdaQ } },
    async (req, reply) => {
      const pemda = req.principal && req.pemda ? req.pemda : await publicPemda(db, req.query.pemda);
      req.pemda = pemda;
      const rows = await al.listAlerts(db, pemda.id, { current: true });
      const body = html`<p><a href="/peringatan/feed.xml?${qs({ pemda: req.query.pemda })}">${tr(req, 'cc.alert.feed')}</a> · <a href="/lapor?${qs({ pemda: req.query.pemda })}">${tr(req, 'cc.public.title')}</a></p>
${rows.length === 0 ? html`<p class="muted">${tr(req, 'cc.alert.none')}</p>` : ''}${rows.map(
        (a) =>
          html`<article class="card cc-public-alert severity-${a.severity.toLowerCase()}"><h2>${a.headline}</h2><p><span class="badge ${a.severity === 'Extreme' || a.severity === 'Severe' ? 'err' : 'warn'}">${tr(req, `cc.cap.${a.severity}`)}</span> ${a.event} · ${a.area_desc}${a.msg_type === 'Update' ? html` · ${tr(req, 'cc.alert.updated')}` : ''}</p><p>${a.description}</p>${a.instruction ? html`<p><b>${a.instruction}</b></p>` : ''}<p class="muted">${when(req, a.sent_at)}${a.expires_at ? html` — ${when(req, a.expires_at)}` : ''} · <a href="/peringatan/${a.identifier}.xml">CAP</a></p></article>`,
      )}`;
      return sendPage(req, reply, { title: tr(req, 'cc.alert.public_title'), body });
    },
  );
  app.get(
    '/peringatan/feed.xml',
    { config: { auth: 'public' }, schema: { ...hide, querystring: pemdaQ } },
    async (req, reply) => {
      const pemda = await publicPemda(db, req.query.pemda);
      return reply.type('application/atom+xml; charset=utf-8').send(await al.atomFeed(db, pemda.id, base(req)));
    },
  );
  app.get(
    '/peringatan/:file',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ file: z.string().max(80) }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const m = /^([A-Za-z0-9.-]+)\.xml$/.exec(req.params.file);
      if (!m) throw notFound();
      const pemda = await publicPemda(db, req.query.pemda);
      const a = await al.getAlert(db, pemda.id, { identifier: m[1]! });
      if (!a) throw notFound();
      return reply.type('application/cap+xml; charset=utf-8').send(await al.capXml(db, pemda.id, a));
    },
  );
}
