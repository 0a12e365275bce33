// Citizens (no log-in): the report form (rate-limited, photo optional) that gives a tracking code,
// the public status of a report by its code, and a report's photo. A citizen sees the status of
// the incident, the OPD handling it and what they wrote — never a phone number, an e-mail,
// another reporter or a unit's internal note. Also the admin's page of Open311 client keys.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { AppError, fieldError, notFound } from '../../core/errors.ts';
import { hitRateLimit } from '../../core/http/rate-limit.ts';
import { publicPrincipal } from '../../core/roles.ts';
import type { Pemda } from '../../core/tenancy.ts';
import { listRegions } from '../master-data/index.ts';
import { publicReportIn } from './cc.schema.ts';
import * as inc from './incidents.service.ts';
import { publicStatuses, reportPhoto } from './queries.service.ts';
import { createApiClient, listApiClients, publicPemda, setApiClientActive } from './open311.service.ts';
import { ccScript } from './ops.pages.ts';
import { errorBox, errorsOf, fieldErr, formBody, qs, statusOf, when, PHOTO_MAX, photoType, type Errors } from './ui.ts';

const hide = { hide: true } as const;
const anyBody = z.record(z.string(), z.unknown());
const pemdaQ = z.object({ pemda: z.string().max(10).optional() });

export async function publicPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  const pemdaOf = async (req: FastifyRequest, code: string | undefined): Promise<Pemda> => {
    const p = req.principal && req.pemda ? req.pemda : await publicPemda(db, code);
    req.pemda = p;
    return p;
  };

  const form = async (
    req: FastifyRequest,
    pemda: Pemda,
    values: Record<string, unknown> = {},
    e?: { errors: Errors; message: string } | null,
  ) => {
    const [cats, regions] = await Promise.all([
      inc.listCategories(db, pemda.id, { publicOnly: true }),
      listRegions(db, pemda.id),
    ]);
    const v = (k: string) => String(values[k] ?? '');
    const err = e?.errors;
    const kecs = regions.filter((r) => r.kind === 'kecamatan');
    return html`<p>${tr(req, 'cc.public.intro')}</p><p class="warning">${tr(req, 'cc.public.emergency')}</p>
<form method="post" action="/lapor?${qs({ pemda: pemda.code })}" class="form" id="cc-intake" enctype="multipart/form-data" data-dups="">${csrfField(req)}${errorBox(e)}
<label>${tr(req, 'cc.field.category')}<select name="category_id" required><option value="">—</option>${cats.map((c) => html`<option value="${c.id}" ${String(c.id) === v('category_id') ? 'selected' : ''}>${req.lang === 'en' ? c.name_en : c.name_id}</option>`)}</select>${fieldErr(err, 'category_id')}</label>
<label>${tr(req, 'cc.field.description')}<textarea name="description" rows="4" required>${v('description')}</textarea>${fieldErr(err, 'description')}</label>
<label>${tr(req, 'cc.field.kecamatan')}<select name="kecamatan_id" required><option value="">—</option>${kecs.map((k) => html`<option value="${k.id}" ${String(k.id) === v('kecamatan_id') ? 'selected' : ''}>${k.name}</option>`)}</select>${fieldErr(err, 'kecamatan_id')}</label>
<label>${tr(req, 'cc.field.kelurahan')}<select name="kelurahan_id"><option value="">—</option>${kecs.map(
      (k) =>
        html`<optgroup label="${k.name}" data-kec="${k.id}">${regions
          .filter((r) => r.parentId === k.id)
          .map(
            (r) =>
              html`<option value="${r.id}" data-kec="${k.id}" ${String(r.id) === v('kelurahan_id') ? 'selected' : ''}>${r.name}</option>`,
          )}</optgroup>`,
    )}</select>${fieldErr(err, 'kelurahan_id')}</label>
<label>${tr(req, 'cc.field.address')}<input name="address" value="${v('address')}">${fieldErr(err, 'address')}</label>
<label>${tr(req, 'cc.field.lat')}<input name="lat" inputmode="decimal" value="${v('lat')}">${fieldErr(err, 'lat')}</label>
<label>${tr(req, 'cc.field.lon')}<input name="lon" inputmode="decimal" value="${v('lon')}">${fieldErr(err, 'lon')}</label>
<label>${tr(req, 'cc.field.photo')}<input type="file" name="photo" accept="image/jpeg,image/png,image/webp">${fieldErr(err, 'photo')}</label>
<label>${tr(req, 'cc.public.name')}<input name="reporter_name" required value="${v('reporter_name')}">${fieldErr(err, 'reporter_name')}</label>
<label>${tr(req, 'cc.field.reporter_phone')}<input name="reporter_phone" type="tel" value="${v('reporter_phone')}">${fieldErr(err, 'reporter_phone')}</label>
<label>${tr(req, 'cc.field.reporter_email')}<input name="reporter_email" type="email" value="${v('reporter_email')}">${fieldErr(err, 'reporter_email')}</label>
<p class="muted">${tr(req, 'cc.public.privacy')}</p>
<div class="actions"><button>${tr(req, 'cc.public.send')}</button></div></form>
<p><a href="/lapor/lacak?${qs({ pemda: pemda.code })}">${tr(req, 'cc.public.track_title')}</a> · <a href="/peringatan?${qs({ pemda: pemda.code })}">${tr(req, 'cc.alert.public_title')}</a></p>${ccScript}`;
  };

  app.get('/lapor', { config: { auth: 'public' }, schema: { ...hide, querystring: pemdaQ } }, async (req, reply) => {
    const pemda = await pemdaOf(req, req.query.pemda);
    return sendPage(req, reply, { title: tr(req, 'cc.public.title'), body: await form(req, pemda) });
  });
  app.post(
    '/lapor',
    {
      config: {
        auth: 'public',
        // the photo is refused (413) while it streams in, before it is buffered
        multipartOptions: { limits: { fileSize: PHOTO_MAX, files: 1, fields: 40, fieldSize: 64 * 1024 } },
      },
      schema: { ...hide, querystring: pemdaQ, body: anyBody },
    },
    async (req, reply) => {
      const pemda = await pemdaOf(req, req.query.pemda);
      const rawBody = req.body as Record<string, unknown>;
      const photoBuf = Buffer.isBuffer(rawBody.photo) && rawBody.photo.length > 0 ? rawBody.photo : null;
      const b = formBody(Object.fromEntries(Object.entries(rawBody).filter(([k]) => k !== 'photo')));
      try {
        await hitRateLimit(db, pemda.id, `cc.lapor:${req.ip}`, { windowSeconds: 3600, max: 5 });
        const v = publicReportIn.parse(b);
        let photo: { data: Buffer; type: string } | null = null;
        if (photoBuf) {
          const type = photoType(photoBuf);
          if (!type || photoBuf.length > PHOTO_MAX) throw fieldError('photo', 'cc.error.photo');
          photo = { data: photoBuf, type };
        }
        const r = await inc.citizenReport(db, publicPrincipal(req.server.registry.permissions, pemda.id), v, {
          source: 'web',
          photo,
        });
        return reply.redirect(`/lapor/lacak?${qs({ kode: r.tracking_code, baru: 1, pemda: req.query.pemda })}`, 303);
      } catch (err) {
        if (err instanceof AppError && err.status === 429)
          return sendPage(req, reply, {
            title: tr(req, 'cc.public.title'),
            body: html`<p class="error">${tr(req, 'cc.public.too_many')}</p>`,
            status: 429,
          });
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'cc.public.title'),
          body: await form(req, pemda, b, e),
          status: statusOf(err),
        });
      }
    },
  );

  app.get(
    '/lapor/lacak',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        querystring: z.object({
          kode: z.string().max(40).optional(),
          baru: z.string().max(2).optional(),
          pemda: z.string().max(10).optional(),
        }),
      },
    },
    async (req, reply) => {
      const pemda = await pemdaOf(req, req.query.pemda);
      const code = (req.query.kode ?? '').trim().toUpperCase();
      const search = html`<form method="get" action="/lapor/lacak" class="form inline">${req.query.pemda ? html`<input type="hidden" name="pemda" value="${req.query.pemda}">` : ''}<label>${tr(req, 'cc.field.tracking_code')}<input name="kode" value="${code}" placeholder="CC-XXXX-XXXX" required></label><button>${tr(req, 'cc.public.track')}</button></form>`;
      if (!code) return sendPage(req, reply, { title: tr(req, 'cc.public.track_title'), body: search });
      const [s] = inc.TRACKING_RE.test(code)
        ? await publicStatuses(db, pemda.id, { codes: [code] }, req.lang === 'en' ? 'en' : 'id')
        : [];
      if (!s)
        return sendPage(req, reply, {
          title: tr(req, 'cc.public.track_title'),
          body: html`${search}<p class="error">${tr(req, 'cc.public.unknown_code')}</p>`,
          status: 404,
        });
      const body = html`${search}<dl class="detail cc-track">
<dt>${tr(req, 'cc.field.tracking_code')}</dt><dd><b class="tracking-code">${s.tracking_code}</b></dd>
<dt>${tr(req, 'cc.field.status')}</dt><dd class="track-status" data-status="${s.status}"><span class="badge ${s.status === 'closed' ? 'ok' : 'warn'}">${tr(req, `cc.public.stage.${s.stage}`, { opd: s.opds.join(', ') })}</span></dd>
<dt>${tr(req, 'cc.field.category')}</dt><dd>${s.category_name}</dd>
<dt>${tr(req, 'cc.field.description')}</dt><dd>${s.description}</dd>
<dt>${tr(req, 'cc.field.location')}</dt><dd>${[s.address, s.kelurahan, s.kecamatan].filter(Boolean).join(', ')}</dd>
<dt>${tr(req, 'cc.field.received')}</dt><dd>${when(req, s.requested_at)}</dd>
<dt>${tr(req, 'cc.public.updated')}</dt><dd>${when(req, s.updated_at)}</dd>
${s.has_photo ? html`<dt>${tr(req, 'cc.field.photo')}</dt><dd><img src="/lapor/foto/${s.tracking_code}" alt="" class="cc-photo" width="240"></dd>` : ''}
</dl>`;
      return sendPage(req, reply, {
        title: tr(req, 'cc.public.track_title'),
        body,
        notice: req.query.baru ? tr(req, 'cc.public.thanks', { code: s.tracking_code }) : undefined,
      });
    },
  );

  app.get(
    '/lapor/foto/:code',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ code: z.string().max(20) }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const pemda = await pemdaOf(req, req.query.pemda);
      const p = inc.TRACKING_RE.test(req.params.code) ? await reportPhoto(db, pemda.id, req.params.code) : undefined;
      if (!p?.photo) throw notFound();
      return reply
        .type(p.photo_type ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=86400')
        .header('x-content-type-options', 'nosniff')
        .send(p.photo);
    },
  );

  // ---- Open311 client keys (admin) ------------------------------------------------------------------------
  const clientsPage = async (req: FastifyRequest, key?: string, e?: { errors: Errors; message: string } | null) => {
    const rows = await listApiClients(db, req.principal!);
    return html`<p>${tr(req, 'cc.o311.clients_intro')}</p>${key ? html`<p class="notice" role="status">${tr(req, 'cc.o311.key_once')} <code class="cc-key">${key}</code></p>` : ''}
<table class="table"><thead><tr><th>${tr(req, 'cc.o311.client')}</th><th>${tr(req, 'cc.o311.prefix')}</th><th>${tr(req, 'cc.field.status')}</th><th></th></tr></thead><tbody>${rows.map(
      (r) =>
        html`<tr><td>${r.name}</td><td><code>${r.key_prefix}…</code></td><td>${r.active ? tr(req, 'cc.o311.active') : tr(req, 'cc.o311.inactive')}</td><td><form method="post" action="/command-center/open311-clients/${r.id}/active" class="inline" data-confirm="${tr(req, r.active ? 'cc.o311.deactivate_confirm' : 'cc.o311.activate')}">${csrfField(req)}<input type="hidden" name="active" value="${r.active ? '0' : '1'}"><button>${tr(req, r.active ? 'cc.o311.deactivate' : 'cc.o311.activate')}</button></form></td></tr>`,
    )}</tbody></table>
<form method="post" action="/command-center/open311-clients" class="form inline">${csrfField(req)}${errorBox(e)}<label>${tr(req, 'cc.o311.client')}<input name="name" required></label><button>${tr(req, 'cc.o311.issue')}</button></form>${ccScript}`;
  };
  app.get(
    '/command-center/open311-clients',
    { config: { auth: { permission: 'cc.open311.keys' } }, schema: hide },
    async (req, reply) => sendPage(req, reply, { title: tr(req, 'cc.nav.open311'), body: await clientsPage(req) }),
  );
  app.post(
    '/command-center/open311-clients',
    { config: { auth: { permission: 'cc.open311.keys' } }, schema: { ...hide, body: anyBody } },
    async (req, reply) => {
      try {
        const r = await createApiClient(db, req.principal!, String((req.body as Record<string, unknown>).name ?? ''));
        return sendPage(req, reply, {
          title: tr(req, 'cc.nav.open311'),
          body: await clientsPage(req, r.key),
          status: 201,
        });
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'cc.nav.open311'),
          body: await clientsPage(req, undefined, e),
          status: statusOf(err),
        });
      }
    },
  );
  app.post(
    '/command-center/open311-clients/:id/active',
    {
      config: { auth: { permission: 'cc.open311.keys' } },
      schema: {
        ...hide,
        params: z.object({ id: intIn(z.number().int().positive().max(2_147_483_647)) }),
        body: anyBody,
      },
    },
    async (req, reply) => {
      await setApiClientActive(db, req.principal!, req.params.id, (req.body as Record<string, unknown>).active === '1');
      return reply.redirect('/command-center/open311-clients', 303);
    },
  );
}
