// Planning's work panels on the home page (issue #11): Bappeda sees the planning progress of the
// year (RKPD, Renja by status, proposals waiting for Bappeda); an OPD sees the proposals waiting
// for its decision. Registered as the module's `home` (core/module.ts).
import type { FastifyRequest } from 'fastify';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { tr } from '../../core/http/layout.ts';
import { can } from '../../core/auth/policy.ts';
import * as annual from './annual.service.ts';
import { badge } from './ui.ts';
import type { Q } from './common.ts';

/** Pending proposals waiting at a stage (of one OPD at the OPD stage). */
async function waiting(db: Q, pemdaId: number, stage: 'bappeda' | 'opd', opdId?: number): Promise<number> {
  let q = db
    .selectFrom('pln_proposal')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pemda_id', '=', pemdaId)
    .where('stage', '=', stage)
    .where('status', '=', 'pending');
  if (opdId !== undefined) q = q.where('opd_id', '=', opdId);
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

async function bappedaPanel(req: FastifyRequest, ctx: ModuleContext): Promise<Html> {
  const pemdaId = req.principal!.pemdaId;
  const rkpds = await annual.listRkpd(ctx.db, pemdaId);
  const year = rkpds[0]?.year ?? new Date().getFullYear() + 1;
  const renjas = await annual.listRenja(ctx.db, pemdaId, { year });
  const counts: Record<string, number> = { draft: 0, submitted: 0, verified: 0, approved: 0 };
  for (const r of renjas) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const pending = await waiting(ctx.db, pemdaId, 'bappeda');
  return html`<div class="card" id="home-planning"><h2>${tr(req, 'pln.hub.status', { year })}</h2>
<dl class="detail">
<dt>${tr(req, 'pln.rkpd.title')} ${year}</dt><dd>${rkpds[0] ? badge(req, 'status', rkpds[0].status) : tr(req, 'common.empty')}</dd>
<dt>${tr(req, 'pln.home.renja_approved')}</dt><dd id="home-renja"><a href="/perencanaan/renja?year=${year}">${counts.approved} / ${renjas.length}</a></dd>
<dt>${tr(req, 'pln.home.renja_to_verify')}</dt><dd id="home-renja-submitted">${counts.submitted}</dd>
<dt>${tr(req, 'pln.home.waiting_bappeda')}</dt><dd id="home-waiting"><a href="/musrenbang?stage=bappeda&amp;status=pending">${pending}</a></dd>
</dl></div>`;
}

async function opdPanel(req: FastifyRequest, ctx: ModuleContext, opdId: number): Promise<Html> {
  const n = await waiting(ctx.db, req.principal!.pemdaId, 'opd', opdId);
  return html`<div class="card" id="home-proposals"><h2>${tr(req, 'pln.musrenbang.title')}</h2>
<p id="home-waiting"><a href="/musrenbang?stage=opd&amp;status=pending">${tr(req, 'pln.home.waiting_opd', { count: n })}</a></p></div>`;
}

/** The panels of planning for the request's principal. */
export async function planningHome(req: FastifyRequest, ctx: ModuleContext): Promise<Html | null> {
  const p = req.principal!;
  if (can(p, 'planning.proposal.manage')) return bappedaPanel(req, ctx);
  if (p.opdId && can(p, 'planning.proposal.decide.opd')) return opdPanel(req, ctx, p.opdId);
  return null;
}
