// Public pages (no log-in): the citizens' Musrenbang form (rate-limited, with a tracking code),
// the tracking page of a proposal, its photo, and the public Pokir list.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { fieldError, notFound } from '../../core/errors.ts';
import { hitRateLimit } from '../../core/http/rate-limit.ts';
import { antispamFields, antispamGate, checkAntispam, withoutAntispam } from '../../core/http/antispam.ts';
import { publicPrincipal } from '../../core/roles.ts';
import type { Pemda } from '../../core/tenancy.ts';
import { listOpds, listRegions } from '../master-data/index.ts';
import * as props from './proposals.service.ts';
import * as settings from './settings.service.ts';
import { proposalFields, stepsTable } from './proposals.pages.ts';
import { CITIZEN_FORM, citizenFormLimits, publicPemda } from './public-pemda.ts';
import { badge, errorBox, errorsOf, formBody, num, qs, rp, statusOf } from './ui.ts';

const anyBody = z.record(z.string(), z.unknown());
const hide = { hide: true } as const;
const pemdaQ = z.object({ pemda: z.string().max(10).optional() });

export async function publicPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  /** The Pemda of a public page; shown in the header. */
  const pemdaOf = async (req: FastifyRequest, code: string | undefined): Promise<Pemda> => {
    const p = req.principal ? (req.pemda ?? (await publicPemda(db, code))) : await publicPemda(db, code);
    req.pemda = p;
    return p;
  };

  // ---- citizens' form ------------------------------------------------------------------------------------
  const citizenForm = async (
    req: FastifyRequest,
    pemda: Pemda,
    values: Record<string, unknown> = {},
    e?: { errors: Record<string, string>; message: string } | null,
  ) => {
    const [regions, categories, year] = await Promise.all([
      listRegions(db, pemda.id),
      settings.listCategories(db, pemda.id),
      props.openMusrenbangYear(db, pemda.id),
    ]);
    if (!year) return html`<p class="warning">${tr(req, 'pln.public.closed')}</p>`;
    const req_ = html`<abbr class="req" title="${tr(req, 'pln.form.required_note')}">*</abbr>`;
    return html`<p>${tr(req, 'pln.public.intro', { year })}</p>
<form method="post" action="/usulan?${qs({ pemda: pemda.code })}" class="form" enctype="multipart/form-data">${csrfField(req)}${errorBox(e, req)}
  ${proposalFields(req, { regions, categories, values, errors: e?.errors, citizen: true })}
  <label>${tr(req, 'pln.proposal.photo')}<input type="file" name="photo" accept="image/jpeg,image/png,image/webp"></label>
  <label>${tr(req, 'pln.public.name')} ${req_}<input name="submitter_name" required value="${String(values.submitter_name ?? '')}"></label>
  <label>${tr(req, 'pln.public.contact')} ${req_}<input name="submitter_contact" required value="${String(values.submitter_contact ?? '')}"></label>
  ${await antispamFields(db, req, pemda.id, CITIZEN_FORM, e?.errors.challenge)}
  <p class="muted">${tr(req, 'pln.public.privacy')}</p>
  <div class="actions"><button>${tr(req, 'pln.public.send')}</button></div></form>`;
  };
  app.get('/usulan', { config: { auth: 'public' }, schema: { ...hide, querystring: pemdaQ } }, async (req, reply) => {
    const pemda = await pemdaOf(req, req.query.pemda);
    return sendPage(req, reply, { title: tr(req, 'pln.public.form_title'), body: await citizenForm(req, pemda) });
  });
  app.post(
    '/usulan',
    {
      // limits counted before the body is read; the photo is refused (413) while it streams in
      onRequest: antispamGate(
        db,
        CITIZEN_FORM,
        citizenFormLimits,
        async (req) => (await publicPemda(db, (req.query as { pemda?: string }).pemda)).id,
      ),
      config: {
        auth: 'public',
        multipartOptions: { limits: { fileSize: props.PHOTO_MAX_BYTES, files: 1, fields: 40, fieldSize: 64 * 1024 } },
      },
      schema: { ...hide, querystring: pemdaQ, body: anyBody },
    },
    async (req, reply) => {
      const pemda = await pemdaOf(req, req.query.pemda);
      const raw = req.body as Record<string, unknown>;
      const photo = Buffer.isBuffer(raw.photo) && raw.photo.length > 0 ? raw.photo : null;
      const typed = withoutAntispam(
        Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'photo' && k !== '_csrf')),
      );
      try {
        const b = formBody(typed);
        await checkAntispam(db, pemda.id, CITIZEN_FORM, raw);
        if (photo && (photo.length > props.PHOTO_MAX_BYTES || !props.photoType(photo)))
          throw fieldError(
            'photo',
            photo.length > props.PHOTO_MAX_BYTES ? 'pln.error.photo_too_large' : 'pln.error.photo_type',
          );
        const citizen = publicPrincipal(req.server.registry.permissions, pemda.id);
        const r = await props.createCitizenProposal(db, citizen, b as never);
        if (photo) await props.setPhoto(db, citizen, r.id, photo, { skipEditorCheck: true });
        return reply.redirect(`/lacak?${qs({ kode: r.tracking_code, baru: 1, pemda: req.query.pemda })}`, 303);
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'pln.public.form_title'),
          body: await citizenForm(req, pemda, typed, e),
          status: statusOf(err),
        });
      }
    },
  );

  // ---- tracking --------------------------------------------------------------------------------------------
  const trackView = (req: FastifyRequest, t: props.PublicTrack, pemdaCode: string | undefined): Html => {
    const p = t.proposal;
    const chain = props.chainOf(p.kind);
    return html`<section class="track">
<p class="chain">${chain.map((s, i) => html`${i ? ' → ' : ''}<span class="${s === p.stage ? 'badge warn' : chain.indexOf(p.stage as never) > i || p.stage === 'final' ? 'badge ok' : 'badge'}">${tr(req, `pln.stage.${s}`)}</span>`)}</p>
<dl class="detail">
<dt>${tr(req, 'pln.proposal.code')}</dt><dd><b class="tracking-code">${p.tracking_code}</b> · ${tr(req, `pln.kind.${p.kind}`)} ${p.year}</dd>
<dt>${tr(req, 'pln.proposal.title')}</dt><dd>${p.title}</dd>
<dt>${tr(req, 'common.status')}</dt><dd class="track-status">${badge(req, 'pstatus', p.status)} ${tr(req, `pln.stage.${p.stage}`)}</dd>
${p.dprd_member ? html`<dt>${tr(req, 'pln.pokir.member')}</dt><dd>${p.dprd_member}</dd>` : ''}
<dt>${tr(req, 'pln.proposal.problem')}</dt><dd>${p.problem}</dd>
<dt>${tr(req, 'pln.proposal.location')}</dt><dd>${p.kelurahan ? `${p.kelurahan}, ` : ''}${p.kecamatan} ${p.address}</dd>
<dt>${tr(req, 'pln.proposal.volume')}</dt><dd>${num(req, p.volume)} ${p.unit} · ${rp(req, p.estimated_cost)}</dd>
${p.recommended_amount ? html`<dt>${tr(req, 'pln.proposal.recommended')}</dt><dd>${rp(req, p.recommended_amount)} ${p.recommended_volume ? html`· ${num(req, p.recommended_volume)} ${p.unit}` : ''}</dd>` : ''}
${p.priority_score ? html`<dt>${tr(req, 'pln.proposal.score')}</dt><dd>${p.priority_score}</dd>` : ''}
${p.opd ? html`<dt>OPD</dt><dd>${p.opd}</dd>` : ''}
${p.sub_kegiatan_code ? html`<dt>${tr(req, 'pln.rnode.sub_kegiatan')}</dt><dd>${p.sub_kegiatan_code} ${p.sub_kegiatan_name ?? ''}</dd>` : ''}
${p.feasible !== null ? html`<dt>${tr(req, 'pln.proposal.feasible')}</dt><dd>${p.feasible ? tr(req, 'common.yes') : tr(req, 'common.no')} ${p.feasibility_reason}</dd>` : ''}
${p.merged_into ? html`<dt>${tr(req, 'pln.step.merged')}</dt><dd><a href="/lacak?${qs({ kode: p.merged_into, pemda: pemdaCode })}">${p.merged_into}</a></dd>` : ''}
${p.carried_to ? html`<dt>${tr(req, 'pln.step.carried_over')}</dt><dd><a href="/lacak?${qs({ kode: p.carried_to, pemda: pemdaCode })}">${p.carried_to}</a></dd>` : ''}
${p.renja ? html`<dt>${tr(req, 'pln.renja.title')}</dt><dd class="track-renja">${tr(req, 'pln.track.in_renja', { year: p.renja.year, opd: p.renja.opd, code: p.renja.sub_kegiatan_code, status: tr(req, `pln.status.${p.renja.status}`) })}${p.renja.pagu === null ? '' : html` · ${rp(req, p.renja.pagu)}`}</dd>` : ''}
</dl>
${p.has_photo ? html`<p><img src="/lacak/foto/${p.tracking_code}${pemdaCode ? `?pemda=${pemdaCode}` : ''}" alt="${tr(req, 'pln.proposal.photo')}" width="480"></p>` : ''}
<h2>${tr(req, 'pln.step.history')}</h2>${stepsTable(req, t.steps)}
${t.earlier ? html`<h2>${tr(req, 'pln.track.earlier', { code: t.earlier.proposal.tracking_code, year: t.earlier.proposal.year })}</h2>${trackView(req, t.earlier, pemdaCode)}` : ''}
</section>`;
  };
  app.get(
    '/lacak',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        querystring: pemdaQ.extend({ kode: z.string().max(40).optional(), baru: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const pemda = await pemdaOf(req, req.query.pemda);
      let result: Html | string = '';
      let status = 200;
      if (req.query.kode) {
        await hitRateLimit(db, pemda.id, `pln.lacak:${req.ip}`, { windowSeconds: 60, max: 60 });
        const t = await props.publicTrack(db, pemda.id, req.query.kode);
        if (t)
          result = html`${req.query.baru ? html`<p class="notice" role="status">${tr(req, 'pln.public.sent', { code: t.proposal.tracking_code })}</p>` : ''}${trackView(req, t, req.query.pemda)}`;
        else {
          result = html`<p class="warning">${tr(req, 'pln.error.tracking_unknown')}</p>`;
          status = 404;
        }
      }
      const body = html`<form method="get" action="/lacak" class="filters">${req.query.pemda ? html`<input type="hidden" name="pemda" value="${req.query.pemda}">` : ''}
  <label>${tr(req, 'pln.track.code')}<input name="kode" value="${req.query.kode ?? ''}" required placeholder="MR27-XXXX-XXXX"></label><button>${tr(req, 'pln.track.follow')}</button></form>${result}
<p><a href="/usulan${req.query.pemda ? `?pemda=${req.query.pemda}` : ''}">${tr(req, 'pln.public.form_title')}</a></p>`;
      return sendPage(req, reply, { title: tr(req, 'pln.track.title'), body, status });
    },
  );
  app.get(
    '/lacak/foto/:code',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ code: z.string().max(40) }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const pemda = await pemdaOf(req, req.query.pemda);
      const r = await props.findByTrackingCode(db, pemda.id, req.params.code);
      if (!r || !(await props.isPublic(db, r))) throw notFound();
      const ph = await props.getPhoto(db, pemda.id, r.id);
      if (!ph) throw notFound();
      return reply
        .type(ph.content_type)
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(ph.data);
    },
  );

  // ---- public Pokir list -------------------------------------------------------------------------------------
  app.get(
    '/pokir/publik',
    {
      config: { auth: 'public' },
      schema: { ...hide, querystring: pemdaQ.extend({ year: intIn(z.number().int().min(2000).max(2100).optional()) }) },
    },
    async (req, reply) => {
      const pemda = await pemdaOf(req, req.query.pemda);
      const year = req.query.year ?? new Date().getFullYear() + 1;
      const rows = await props.publicPokir(db, pemda.id, year);
      const [opdList, regions] = await Promise.all([listOpds(db, pemda.id), listRegions(db, pemda.id, 'kecamatan')]);
      const opds = new Map(opdList.map((o) => [o.id, o.name]));
      const kec = new Map(regions.map((r) => [r.id, r.name]));
      const body = html`<form method="get" class="filters">${req.query.pemda ? html`<input type="hidden" name="pemda" value="${req.query.pemda}">` : ''}<label>${tr(req, 'pln.year')}<input name="year" value="${year}" size="5"></label><button>${tr(req, 'common.filter')}</button></form>
${
  rows
    ? html`<p class="muted">${tr(req, 'common.total_rows', { count: rows.length })}</p><div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'pln.proposal.code')}</th><th>${tr(req, 'pln.pokir.member')}</th><th>${tr(req, 'pln.proposal.title')}</th><th>${tr(req, 'pln.proposal.kecamatan')}</th><th>${tr(req, 'common.status')}</th><th class="num">${tr(req, 'pln.proposal.amount')}</th><th>OPD</th></tr></thead>
<tbody>${rows.map(
        (r) =>
          html`<tr><td><a href="/lacak?${qs({ kode: r.tracking_code, pemda: req.query.pemda })}">${r.tracking_code}</a></td><td>${r.member}<br><small class="muted">${tr(req, 'pln.pokir.komisi')} ${r.komisi} · ${r.dapil} · ${r.fraksi}</small></td><td>${r.title}</td><td>${kec.get(r.kecamatan_id)}</td><td>${badge(req, 'pstatus', r.status)} ${tr(req, `pln.stage.${r.stage}`)}${r.renja_item_id ? html` <span class="badge ok">Renja</span>` : ''}</td><td class="num">${rp(req, r.recommended_amount ?? r.estimated_cost)}</td><td>${r.opd_id ? opds.get(r.opd_id) : ''}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="warning">${tr(req, 'pln.error.pokir_not_public')}</p>`
}`;
      return sendPage(req, reply, {
        title: `${tr(req, 'pln.pokir.public_list')} ${year}`,
        body,
        status: rows ? 200 : 404,
      });
    },
  );
}
