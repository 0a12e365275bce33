// The trace (hulu ke hilir), public for approved data: from a citizen proposal or a Pokir to the
// Renja item, the budget lines of the approved APBD, the DPA and the monthly realisation and
// physical progress; and back from a budget line or an SP2D to the Renja item and the proposals
// behind it. Each step says plainly when the chain stops (e.g. the APBD of that year is not yet
// approved) instead of showing anything that is not public.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { approvedDpas, getStageLine, listPublicStages, listStageLines } from '../budgeting/index.ts';
import { realisationOf, reportingMonth, sp2dRows, subStatuses } from '../controlling/index.ts';
import { listOpds } from '../master-data/index.ts';
import { listApprovedRenjaItems, proposalsForRenjaItem, publicProposal } from '../planning/index.ts';
import { cacheable, portalPemda, stageSlug } from './portal.ts';
import { rpText } from './portal.pages.ts';

const hide = { hide: true } as const;
const pemdaQ = z.object({ pemda: z.string().max(10).optional() });

/** The downstream half of a trace: from OPD + sub kegiatan in a year to the lines, DPA, realisation and progress. */
async function downstream(
  db: Db,
  req: FastifyRequest,
  pemdaId: number,
  year: number,
  opdId: number,
  sub: string,
): Promise<Html> {
  const lang = req.lang;
  const stages = await listPublicStages(db, pemdaId, year);
  if (!stages.length) return html`<li class="muted">${tr(req, 'tp.trace.no_apbd', { year })}</li>`;
  const stage = stages[0]!;
  const lines = await listStageLines(db, pemdaId, stage.id, { opdId, sub, kind: 'belanja' }, { limit: 20, offset: 0 });
  const d = await dpaAndRealisation(db, pemdaId, year, opdId, sub);
  return html`<li id="trace-lines"><b>${tr(req, 'tp.trace.lines')}</b> (${stage.name}): ${
    lines.count
      ? html`<a href="/portal/apbd/${year}/${stageSlug(stage)}/opd/${opdId}/sub/${sub}">${lines.count} · Rp ${rpText(lang, lines.total)}</a>`
      : tr(req, 'tp.trace.none')
  }</li>
${dpaItem(req, d)}
${realisationItem(req, d, '/portal/jejak/sp2d/')}`;
}

/** What follows a sub kegiatan's lines (public and internal traces): its OPD's DPA, its realisation and SP2D. */
export async function dpaAndRealisation(db: Db, pemdaId: number, year: number, opdId: number, sub: string) {
  const dpa = (await approvedDpas(db, pemdaId, year)).find((d) => d.opd_id === opdId);
  const month = reportingMonth(year) || 12;
  const status = dpa
    ? (await subStatuses(db, pemdaId, year, month, opdId)).find((s) => s.sub_kegiatan_code === sub)
    : undefined;
  const sp2d = dpa ? await realisationOf(db, pemdaId, { year, opdId, sub }) : [];
  return { dpa, status, sp2d };
}
type DpaAndRealisation = Awaited<ReturnType<typeof dpaAndRealisation>>;

export function dpaItem(req: FastifyRequest, { dpa }: DpaAndRealisation): Html {
  return html`<li id="trace-dpa"><b>DPA</b>: ${dpa ? html`${dpa.number} · Rp ${rpText(req.lang, dpa.budget)}` : tr(req, 'tp.trace.no_dpa')}</li>`;
}

/** The realisation and its SP2D, each linked to `sp2dBase` + its number (the public or the internal trace). */
export function realisationItem(req: FastifyRequest, { status, sp2d }: DpaAndRealisation, sp2dBase: string): Html | '' {
  const lang = req.lang;
  return status
    ? html`<li id="trace-realisation"><b>${tr(req, 'tp.realisation')}</b>: Rp ${rpText(lang, status.realised)} / Rp ${rpText(lang, status.budget)}
 (${status.financial_pct}%) · ${tr(req, 'tp.col.physical')} ${status.physical_pct ?? '–'}%
<ul>${sp2d.slice(0, 50).map((s) => html`<li>${s.sp2d_date} · <a href="${sp2dBase}${encodeURIComponent(s.sp2d_number)}">${s.sp2d_number}</a> · ${s.account_code} · Rp ${rpText(lang, s.amount)}</li>`)}</ul></li>`
    : '';
}

/** The upstream half: from OPD + sub kegiatan in a year to the approved Renja item and the proposals behind it. */
async function upstream(
  db: Db,
  req: FastifyRequest,
  pemdaId: number,
  year: number,
  opdId: number,
  sub: string,
): Promise<Html> {
  const item = (await listApprovedRenjaItems(db, pemdaId, year, opdId)).find((i) => i.subKegiatanCode === sub);
  if (!item) return html`<li class="muted">${tr(req, 'tp.trace.no_renja', { year })}</li>`;
  const props = await proposalsForRenjaItem(db, pemdaId, item.renjaItemId);
  return html`<li id="trace-renja"><b>Renja ${year}</b>: ${sub} · ${tr(req, 'tp.trace.pagu')} Rp ${rpText(req.lang, item.paguIndikatif)}
${props.length ? html`<ul>${props.map((p) => html`<li><a href="/portal/jejak/usulan/${encodeURIComponent(p.trackingCode)}">${p.trackingCode}</a> ${p.title}</li>`)}</ul>` : ''}</li>`;
}

export async function tracePages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const send = (req: FastifyRequest, reply: Parameters<typeof cacheable>[0], title: string, steps: Html) =>
    sendPage(req, cacheable(reply), {
      title,
      body: html`<nav class="crumbs"><a href="/portal">${tr(req, 'tp.title')}</a></nav><ol class="trace">${steps}</ol>`,
    });

  app.get(
    '/portal/jejak/usulan/:code',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ code: z.string().max(40) }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const t = await publicProposal(db, pemda.id, req.params.code);
      if (!t) throw notFound();
      const p = t.proposal;
      const opds = await listOpds(db, pemda.id);
      const opd = opds.find((o) => o.name === p.renja?.opd);
      const steps = html`<li id="trace-proposal"><b>${tr(req, `tp.kind.${p.kind}`)}</b> ${p.tracking_code}: ${p.title} · ${p.kecamatan}
 · ${tr(req, 'tp.col.status')}: ${tr(req, `tp.status.${p.status}`)}</li>
${
  p.renja && opd
    ? html`<li id="trace-renja"><b>Renja ${p.renja.year}</b>: ${p.renja.opd} · ${p.renja.sub_kegiatan_code}${p.renja.pagu === null ? '' : html` · ${tr(req, 'tp.trace.pagu')} Rp ${rpText(req.lang, p.renja.pagu)}`}</li>
${await downstream(db, req, pemda.id, p.renja.year, opd.id, p.renja.sub_kegiatan_code)}`
    : html`<li class="muted">${tr(req, 'tp.trace.not_in_renja')}</li>`
}`;
      return send(req, reply, `${tr(req, 'tp.trace')} ${p.tracking_code}`, steps);
    },
  );

  app.get(
    '/portal/jejak/rincian/:id',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ id: z.string().regex(/^\d{1,18}$/) }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const l = await getStageLine(db, pemda.id, req.params.id, true);
      if (!l || !l.sub_kegiatan_code) throw notFound();
      const opd = (await listOpds(db, pemda.id)).find((o) => o.id === l.opd_id);
      const steps = html`${await upstream(db, req, pemda.id, l.year, l.opd_id, l.sub_kegiatan_code)}
<li id="trace-line"><b>${tr(req, 'tp.trace.line')}</b>: ${opd?.name ?? ''} · ${l.sub_kegiatan_code} · ${l.account_code} · ${l.name} · Rp ${rpText(req.lang, l.total)}</li>
${await downstream(db, req, pemda.id, l.year, l.opd_id, l.sub_kegiatan_code)}`;
      return send(req, reply, `${tr(req, 'tp.trace')}: ${l.name}`, steps);
    },
  );

  app.get(
    '/portal/jejak/sp2d/:number',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ number: z.string().min(1).max(100) }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const rows = await sp2dRows(db, pemda.id, req.params.number);
      if (!rows.length) throw notFound();
      const first = rows[0]!;
      if (!(await listPublicStages(db, pemda.id, first.year)).length) throw notFound();
      const opd = (await listOpds(db, pemda.id)).find((o) => o.id === first.opd_id);
      const steps = html`<li id="trace-sp2d"><b>SP2D</b> ${req.params.number}: ${opd?.name ?? ''} ·
${rows.map((r) => html`${r.sub_kegiatan_code} ${r.account_code} Rp ${rpText(req.lang, r.amount)} `)}</li>
${await upstream(db, req, pemda.id, first.year, first.opd_id, first.sub_kegiatan_code)}
${await downstream(db, req, pemda.id, first.year, first.opd_id, first.sub_kegiatan_code)}`;
      return send(req, reply, `${tr(req, 'tp.trace')}: SP2D ${req.params.number}`, steps);
    },
  );
}
