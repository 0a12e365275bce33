// The internal trace (hulu ke hilir) for TAPD, Bappeda, Inspektorat, admin and — for their own OPD —
// the OPD: the same chain as the public trace (proposal → Renja item → budget lines → DPA →
// packages → realisation and progress), but over everything: every stage of the year including
// the open one and KUA-PPAS, draft sub kegiatan, a Renja not yet approved, and the review notes.
// Reached from a budget line or an SP2D row ("why does this exist?") and from a proposal.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../../core/db/database.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { lineTrace, listStages, listStageLines, type LineTrace } from '../budgeting/index.ts';
import { getPackages, sp2dRows } from '../controlling/index.ts';
import { listOpds } from '../master-data/index.ts';
import {
  proposalsForRenjaItem,
  proposalTraceRef,
  renjaItemTrace,
  renjaItemTraceById,
  type RenjaItemTrace,
} from '../planning/index.ts';
import { lineParams, proposalParams, sp2dParams } from './coverage.schema.ts';
import { rpText } from './portal.pages.ts';
import { dpaAndRealisation, dpaItem, realisationItem } from './trace.pages.ts';

const hide = { hide: true } as const;
const perm = { auth: { permission: 'tp.trace.internal' } } as const;
const PERM = 'tp.trace.internal';

/** The Renja item and the proposals behind it (any status). */
async function upstream(db: Db, req: FastifyRequest, item: RenjaItemTrace | undefined, year: number): Promise<Html> {
  if (!item) return html`<li id="trace-renja" class="muted">${tr(req, 'tp.coverage.no_renja')} (${year})</li>`;
  const props = await proposalsForRenjaItem(db, req.principal!.pemdaId, item.renjaItemId);
  return html`<li id="trace-renja"><b>Renja ${item.year}</b> (${item.renjaStatus}): ${item.subKegiatanCode} · ${tr(req, 'tp.trace.pagu')} Rp ${rpText(req.lang, item.pagu)}
<br>${item.rpjmdGoal ? html`RPJMD: ${item.rpjmdGoal}` : html`<span class="muted" data-reason="${item.link}">${tr(req, `tp.coverage.${item.link}`)}</span>`}
${props.length ? html`<ul>${props.map((p) => html`<li><a href="/trace/proposal/${encodeURIComponent(p.trackingCode)}">${p.trackingCode}</a> ${p.title}</li>`)}</ul>` : ''}</li>`;
}

/** Every stage of the year with this sub kegiatan's lines (drafts included), the DPA, packages, realisation and progress. */
async function downstream(
  db: Db,
  req: FastifyRequest,
  year: number,
  opdId: number,
  sub: string,
  focusLine?: string,
): Promise<Html> {
  const pemdaId = req.principal!.pemdaId;
  const lang = req.lang;
  const stages = await listStages(db, pemdaId, year);
  const perStage: Html[] = [];
  for (const s of stages) {
    const lines = await listStageLines(
      db,
      pemdaId,
      s.id,
      { opdId, sub, kind: 'belanja' },
      { limit: 30, offset: 0 },
      false,
    );
    if (!lines.count) continue;
    perStage.push(html`<li data-stage="${s.id}"><b>${s.name}</b> (${s.status}): ${lines.count} · Rp ${rpText(lang, lines.total)}
<ul>${lines.rows.map(
      (l) =>
        html`<li>${l.id === focusLine ? html`<b>${l.name}</b>` : html`<a href="/trace/line/${l.id}">${l.name}</a>`} · ${l.account_code} · Rp ${rpText(lang, l.total)}</li>`,
    )}${lines.count > lines.rows.length ? html`<li class="muted">…</li>` : ''}</ul></li>`);
  }
  const d = await dpaAndRealisation(db, pemdaId, year, opdId, sub);
  const packages = d.dpa
    ? (await getPackages(db, pemdaId, { year, opdId })).filter((p) => p.lines.some((l) => l.sub_kegiatan_code === sub))
    : [];
  return html`<li id="trace-lines"><b>${tr(req, 'tp.trace.lines')}</b>${perStage.length ? html`<ul>${perStage}</ul>` : html`: ${tr(req, 'tp.trace.none')}`}</li>
${dpaItem(req, d)}
${packages.length ? html`<li id="trace-packages"><b>${tr(req, 'tp.itrace.packages')}</b><ul>${packages.map((p) => html`<li>${p.name} · ${p.method} · Rp ${rpText(lang, p.value)}</li>`)}</ul></li>` : ''}
${realisationItem(req, d, '/trace/sp2d/')}`;
}

function lineStep(req: FastifyRequest, l: LineTrace, opdName: string): Html {
  const notes = l.reviews.filter((r) => r.note || r.line_note);
  return html`<li id="trace-line"><b>${tr(req, 'tp.trace.line')}</b>: ${opdName} · ${l.sub_kegiatan_code ?? ''} · ${l.account_code} · ${l.name}${l.spec ? html` (${l.spec})` : ''} · Rp ${rpText(req.lang, l.total)}
<br>${tr(req, 'tp.itrace.stage')}: ${l.stage.name} (${l.stage.status})${l.sub ? html` · ${tr(req, 'tp.itrace.status')}: ${l.sub.status}` : ''}
${
  l.review_note || l.sub?.review_note || notes.length
    ? html`<div id="trace-notes"><b>${tr(req, 'tp.itrace.notes')}</b><ul>
${l.sub?.review_note ? html`<li>${l.sub.review_note}</li>` : ''}${l.review_note ? html`<li>${l.review_note}</li>` : ''}
${notes.map((r) => html`<li>${r.at.toISOString().slice(0, 10)} · ${r.action} → ${r.to_status} · ${r.actor_name}: ${r.note ?? ''}${r.line_note ? html` · ${r.line_note}` : ''}</li>`)}</ul></div>`
    : ''
}</li>`;
}

export async function traceInternalPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const send = (req: FastifyRequest, reply: Parameters<typeof sendPage>[1], title: string, steps: Html, pub?: string) =>
    sendPage(req, reply, {
      title: `${tr(req, 'tp.itrace.title')}: ${title}`,
      body: html`<p class="muted">${tr(req, 'tp.itrace.intro')}${pub ? html` <a href="${pub}">${tr(req, 'tp.itrace.public')}</a>` : ''}</p><ol class="trace">${steps}</ol>`,
    });
  const opdName = async (pemdaId: number, id: number) =>
    (await listOpds(db, pemdaId)).find((o) => o.id === id)?.name ?? '';

  app.get('/trace/line/:id', { config: perm, schema: { ...hide, params: lineParams } }, async (req, reply) => {
    const p = req.principal!;
    requirePermission(p, PERM);
    const l = await lineTrace(db, p.pemdaId, req.params.id);
    if (!l) throw notFound();
    requirePermission(p, PERM, { opdId: l.opd_id });
    const y = l.stage.year;
    const up = l.sub_kegiatan_code
      ? await upstream(db, req, await renjaItemTrace(db, p.pemdaId, y, l.opd_id, l.sub_kegiatan_code), y)
      : '';
    const steps = html`${up}${lineStep(req, l, await opdName(p.pemdaId, l.opd_id))}
${l.sub_kegiatan_code ? await downstream(db, req, y, l.opd_id, l.sub_kegiatan_code, l.id) : ''}`;
    return send(req, reply, l.name, steps, `/portal/jejak/rincian/${l.id}`);
  });

  app.get('/trace/sp2d/:number', { config: perm, schema: { ...hide, params: sp2dParams } }, async (req, reply) => {
    const p = req.principal!;
    requirePermission(p, PERM);
    const rows = await sp2dRows(db, p.pemdaId, req.params.number);
    const first = rows[0];
    if (!first) throw notFound();
    requirePermission(p, PERM, { opdId: first.opd_id });
    const steps = html`<li id="trace-sp2d"><b>SP2D</b> ${req.params.number}: ${await opdName(p.pemdaId, first.opd_id)} ·
${rows.map((r) => html`${r.sp2d_date.toISOString().slice(0, 10)} ${r.sub_kegiatan_code} ${r.account_code} Rp ${rpText(req.lang, String(r.amount))} `)}</li>
${await upstream(db, req, await renjaItemTrace(db, p.pemdaId, first.year, first.opd_id, first.sub_kegiatan_code), first.year)}
${await downstream(db, req, first.year, first.opd_id, first.sub_kegiatan_code)}`;
    return send(
      req,
      reply,
      `SP2D ${req.params.number}`,
      steps,
      `/portal/jejak/sp2d/${encodeURIComponent(req.params.number)}`,
    );
  });

  app.get(
    '/trace/proposal/:code',
    { config: perm, schema: { ...hide, params: proposalParams } },
    async (req, reply) => {
      const p = req.principal!;
      requirePermission(p, PERM);
      const pr = await proposalTraceRef(db, p.pemdaId, req.params.code);
      if (!pr) throw notFound();
      const item = pr.renjaItemId ? await renjaItemTraceById(db, p.pemdaId, pr.renjaItemId) : undefined;
      requirePermission(p, PERM, { opdId: item?.opdId ?? pr.opdId });
      const sub = item?.subKegiatanCode ?? pr.subKegiatanCode;
      const opdId = item?.opdId ?? pr.opdId;
      const steps = html`<li id="trace-proposal"><b>${tr(req, `tp.kind.${pr.kind}`)}</b> ${pr.trackingCode}: ${pr.title}
 · ${pr.stage} · ${pr.status}</li>
${item ? await upstream(db, req, item, item.year) : html`<li class="muted">${tr(req, 'tp.trace.not_in_renja')}</li>`}
${sub && opdId ? await downstream(db, req, item?.year ?? pr.year, opdId, sub) : ''}`;
      return send(req, reply, pr.trackingCode, steps, `/portal/jejak/usulan/${encodeURIComponent(pr.trackingCode)}`);
    },
  );
}
