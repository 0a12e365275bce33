// Pages of e-Musrenbang and Pokir for the staff: lists with priority and rank, the backlog, entry
// forms, the proposal page (mapping, decision at the current stage, into the Renja, carry-over,
// photo, every step). The planning settings page: settings.pages.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { can as allowed } from '../../core/auth/policy.ts';
import { fieldError, notFound } from '../../core/errors.ts';
import { listOpds, listRegions, type Region } from '../master-data/index.ts';
import * as props from './proposals.service.ts';
import * as settings from './settings.service.ts';
import { opdLabel } from './plans.pages.ts';
import {
  badge,
  date,
  errorBox,
  errorsOf,
  formBody,
  noticeOf,
  num,
  qs,
  rp,
  seeOther,
  selected,
  statusOf,
  type Errors,
  idNum,
  str,
} from './ui.ts';

const anyBody = z.record(z.string(), z.unknown());
const hide = { hide: true } as const;
const idP = z.object({ id: intIn(z.number().int().positive()) });
type E = { errors: Errors; message: string } | null | undefined;

/** kecamatan → its kelurahan/desa, for grouped selects. */
export function regionGroups(regions: Region[]) {
  const kec = regions.filter((r) => r.kind === 'kecamatan');
  return kec.map((k) => ({ kec: k, kels: regions.filter((r) => r.parentId === k.id) }));
}

export function stepsTable(
  req: FastifyRequest,
  steps: Array<{
    stage: string;
    action: string;
    at: Date;
    amount: string | null;
    volume: string | null;
    reason: string;
    related_code: string | null;
    actor_role: string;
    actor_name?: string;
  }>,
): Html {
  return html`<table class="data steps"><thead><tr><th>${tr(req, 'pln.step.at')}</th><th>${tr(req, 'pln.step.stage')}</th><th>${tr(req, 'pln.step.action')}</th><th class="num">${tr(req, 'pln.proposal.amount')}</th><th class="num">${tr(req, 'pln.proposal.volume')}</th><th>${tr(req, 'pln.step.reason')}</th><th>${tr(req, 'pln.step.by')}</th></tr></thead>
<tbody>${steps.map(
    (s) =>
      html`<tr><td>${date(req, s.at, true)}</td><td>${tr(req, `pln.stage.${s.stage}`)}</td><td>${tr(req, `pln.step.${s.action}`)}${s.related_code ? html` <a href="/lacak?kode=${s.related_code}">${s.related_code}</a>` : ''}</td><td class="num">${rp(req, s.amount)}</td><td class="num">${num(req, s.volume)}</td><td>${s.reason}</td><td>${s.actor_name ? html`${s.actor_name}<br>` : ''}<small class="muted">${tr(req, `pln.actor.${s.actor_role}`)}</small></td></tr>`,
  )}</tbody></table>`;
}

export function proposalFields(
  req: FastifyRequest,
  o: {
    regions: Region[];
    categories: Array<{ code: string; name: string }>;
    values: Record<string, unknown>;
    errors?: Errors;
    lockKecamatan?: number | null;
    lockKelurahan?: number | null;
    citizen?: boolean;
  },
) {
  const v = (k: string) => (o.values[k] === undefined || o.values[k] === null ? '' : String(o.values[k]));
  const fe = (k: string) => (o.errors?.[k] ? html`<span class="field-error">${o.errors[k]}</span>` : '');
  const groups = regionGroups(o.regions).filter((g) => !o.lockKecamatan || g.kec.id === o.lockKecamatan);
  const req_ = html`<abbr class="req" title="${tr(req, 'pln.form.required_note')}">*</abbr>`;
  // the kecamatan chosen (or the one of the chosen kelurahan): nothing is preselected on a public form
  const kelId = v('kelurahan_id');
  const kecId = v('kecamatan_id') || String(o.regions.find((r) => String(r.id) === kelId)?.parentId ?? '');
  const oneKec = groups.length === 1 ? String(groups[0]!.kec.id) : '';
  return html`<p class="hint">${tr(req, 'pln.form.required_note')}</p>
  <label>${tr(req, 'pln.proposal.title')} ${req_}<input name="title" required maxlength="300" value="${v('title')}">${fe('title')}</label>
  <label>${tr(req, 'pln.proposal.problem')} ${req_}<textarea name="problem" rows="3" required>${v('problem')}</textarea>${fe('problem')}</label>
  <label>${tr(req, 'pln.proposal.category')}<select name="category_code"><option value="">${tr(req, 'pln.form.choose')}</option>${o.categories.map((c) => html`<option value="${c.code}"${selected(c.code === v('category_code'))}>${c.name}</option>`)}</select>${fe('category_code')}</label>
  <label>${tr(req, 'pln.proposal.kecamatan')} ${req_}<select name="kecamatan_id" id="kecamatan_id" required>${oneKec ? '' : html`<option value="">${tr(req, 'pln.form.choose')}</option>`}${groups.map((g) => html`<option value="${g.kec.id}"${selected(String(g.kec.id) === (kecId || oneKec))}>${g.kec.name}</option>`)}</select>${fe('kecamatan_id')}</label>
  <label>${tr(req, 'pln.proposal.kelurahan')}${o.citizen ? html` ${req_}` : ''}<select name="kelurahan_id" data-filter-by="kecamatan_id" aria-describedby="kelurahan-hint" ${o.citizen ? 'required' : ''}><option value="">${tr(req, 'pln.form.choose')}</option>${groups.map(
    (g) =>
      html`<optgroup label="${g.kec.name}" data-parent="${g.kec.id}">${g.kels.filter((k) => !o.lockKelurahan || k.id === o.lockKelurahan).map((k) => html`<option value="${k.id}" data-parent="${g.kec.id}"${selected(String(k.id) === kelId)}>${k.name}</option>`)}</optgroup>`,
  )}</select><span class="hint" id="kelurahan-hint">${tr(req, 'pln.proposal.kelurahan_hint')}</span>${fe('kelurahan_id')}</label>
  <label>${tr(req, 'pln.proposal.address')}<input name="address" value="${v('address')}">${fe('address')}</label>
  <div class="filters"><label>${tr(req, 'pln.proposal.latitude')}<input name="latitude" inputmode="decimal" size="10" value="${v('latitude')}"></label><label>${tr(req, 'pln.proposal.longitude')}<input name="longitude" inputmode="decimal" size="10" value="${v('longitude')}"></label></div>${fe('latitude')}${fe('longitude')}
  <div class="filters"><label>${tr(req, 'pln.proposal.volume')} ${req_}<input data-num="decimal" data-unit-field="unit" name="volume" inputmode="decimal" required size="8" value="${v('volume')}" aria-describedby="volume-hint"></label><label>${tr(req, 'pln.proposal.unit')} ${req_}<input name="unit" required size="10" value="${v('unit')}"></label></div><span class="hint" id="volume-hint">${tr(req, 'pln.proposal.volume_hint')}</span>${fe('volume')}${fe('unit')}
  <label>${tr(req, 'pln.proposal.estimated_cost')} ${req_}<input data-num="rupiah" name="estimated_cost" inputmode="numeric" required value="${v('estimated_cost')}" aria-describedby="cost-hint"><span class="hint" id="cost-hint">${tr(req, 'pln.proposal.cost_hint')}</span>${fe('estimated_cost')}</label>
  <label>${tr(req, 'pln.proposal.beneficiaries')}<input data-num="integer" name="beneficiaries" inputmode="numeric" value="${v('beneficiaries')}">${fe('beneficiaries')}</label>`;
}

export async function proposalsPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const can = (req: FastifyRequest, perm: string) => allowed(req.principal, perm);
  const listQ = props.listQuerySchema.extend({
    stage: props.listQuerySchema.shape.stage.or(z.literal('').transform(() => undefined)),
    status: props.listQuerySchema.shape.status.or(z.literal('').transform(() => undefined)),
    kecamatan_id: props.listQuerySchema.shape.kecamatan_id.or(z.literal('').transform(() => undefined)),
    opd_id: props.listQuerySchema.shape.opd_id.or(z.literal('').transform(() => undefined)),
    dprd_member_id: props.listQuerySchema.shape.dprd_member_id.or(z.literal('').transform(() => undefined)),
    ok: z.string().optional(),
  });

  const defaultYear = async (pemdaId: number) =>
    (await props.openMusrenbangYear(db, pemdaId)) ?? new Date().getFullYear() + 1;

  const proposalTable = (
    req: FastifyRequest,
    rows: Array<ReturnType<typeof props.proposalOut> & { rank?: number }>,
    regionName: Map<number, string>,
    opds: Map<number, { name: string }>,
  ) =>
    html`<div class="table-wrap"><table class="data proposals"><thead><tr><th class="num">#</th><th>${tr(req, 'pln.proposal.code')}</th><th>${tr(req, 'pln.proposal.title')}</th><th>${tr(req, 'pln.proposal.location')}</th><th>${tr(req, 'pln.step.stage')}</th><th>${tr(req, 'common.status')}</th><th class="num">${tr(req, 'pln.proposal.score')}</th><th class="num">${tr(req, 'pln.proposal.amount')}</th><th>OPD</th></tr></thead>
<tbody>${rows.map(
      (r) =>
        html`<tr><td class="num">${r.rank ?? ''}</td><td><a href="/perencanaan/usulan/${r.id}">${r.tracking_code}</a></td><td>${r.title}</td><td>${r.kelurahan_id ? regionName.get(r.kelurahan_id) : ''}, ${regionName.get(r.kecamatan_id)}</td><td>${tr(req, `pln.stage.${r.stage}`)}</td><td>${badge(req, 'pstatus', r.status)}${r.renja_item_id ? html` <span class="badge ok">Renja</span>` : ''}</td><td class="num">${r.priority_score ?? ''}</td><td class="num">${rp(req, r.recommended_amount ?? r.estimated_cost)}</td><td>${opdLabel(opds as never, r.opd_id)}</td></tr>`,
    )}</tbody></table></div>`;

  // ---- Musrenbang list -------------------------------------------------------------------------------------
  app.get(
    '/musrenbang',
    { config: { auth: { permission: 'planning.proposal.read' } }, schema: { ...hide, querystring: listQ } },
    async (req, reply) => {
      const p = req.principal!;
      const f = { ...req.query, kind: 'musrenbang' as const, year: req.query.year ?? (await defaultYear(p.pemdaId)) };
      const [{ rows, total }, backlog, regions, opdList] = await Promise.all([
        props.listProposals(db, p, f),
        props.listBacklog(db, p, f.year),
        listRegions(db, p.pemdaId),
        listOpds(db, p.pemdaId),
      ]);
      const regionName = new Map(regions.map((r) => [r.id, r.name]));
      const opds = new Map(opdList.map((o) => [o.id, o]));
      const mayEnter = can(req, 'planning.proposal.enter');
      const body = html`
<form method="get" class="filters">
  <label>${tr(req, 'pln.year')}<input name="year" value="${f.year}" size="5"></label>
  <label>${tr(req, 'pln.step.stage')}<select name="stage"><option value="">—</option>${[...props.MUSRENBANG_CHAIN, 'final'].map((s) => html`<option value="${s}"${selected(s === f.stage)}>${tr(req, `pln.stage.${s}`)}</option>`)}</select></label>
  <label>${tr(req, 'common.status')}<select name="status"><option value="">—</option>${['pending', 'accepted', 'rejected', 'merged', 'backlog', 'carried'].map((s) => html`<option value="${s}"${selected(s === f.status)}>${tr(req, `pln.pstatus.${s}`)}</option>`)}</select></label>
  <label>${tr(req, 'pln.proposal.kecamatan')}<select name="kecamatan_id"><option value="">—</option>${regions.filter((r) => r.kind === 'kecamatan').map((r) => html`<option value="${r.id}"${selected(r.id === f.kecamatan_id)}>${r.name}</option>`)}</select></label>
  <label>OPD<select name="opd_id"><option value="">—</option>${opdList.map((o) => html`<option value="${o.id}"${selected(o.id === f.opd_id)}>${o.name}</option>`)}</select></label>
  <label>${tr(req, 'common.search')}<input type="search" name="q" value="${f.q ?? ''}"></label>
  <button>${tr(req, 'common.filter')}</button>
  ${mayEnter ? html`<a class="button" href="/musrenbang/baru?year=${f.year}">${tr(req, 'pln.musrenbang.new')}</a>` : ''}
</form>
${
  backlog.length
    ? html`<section class="backlog"><h2>${tr(req, 'pln.backlog.title')}</h2><p class="muted">${tr(req, 'pln.backlog.hint', { year: f.year })}</p>
<table class="data"><tbody>${backlog.map(
        (b) =>
          html`<tr><td><a href="/perencanaan/usulan/${b.id}">${b.tracking_code}</a> (${b.year})</td><td>${b.title}</td><td>${b.kelurahan_id ? regionName.get(b.kelurahan_id) : ''}, ${regionName.get(b.kecamatan_id)}</td><td class="num">${rp(req, b.recommended_amount)}</td><td>${
            mayEnter
              ? html`<form method="post" action="/perencanaan/usulan/${b.id}/bawa" class="inline">${csrfField(req)}<input type="hidden" name="version" value="${b.version}"><input type="hidden" name="year" value="${f.year}"><button class="secondary">${tr(req, 'pln.action.carry_over', { year: f.year })}</button></form>`
              : ''
          }</td></tr>`,
      )}</tbody></table></section>`
    : ''
}
<p class="muted">${tr(req, 'common.total_rows', { count: total })} · ${tr(req, 'pln.proposal.rank_hint')}</p>
${proposalTable(req, rows, regionName, opds)}
${total > f.offset + f.limit ? html`<p class="pager"><a href="?${qs({ ...f, ok: undefined, offset: f.offset + f.limit } as never)}">${tr(req, 'common.next')}</a></p>` : ''}`;
      return sendPage(req, reply, {
        title: `${tr(req, 'pln.musrenbang.title')} ${f.year}`,
        body,
        notice: noticeOf(req),
      });
    },
  );

  // ---- new Musrenbang proposal (operator) -------------------------------------------------------------------------
  const newForm = async (
    req: FastifyRequest,
    kind: 'musrenbang' | 'pokir',
    year: number,
    values: Record<string, unknown> = {},
    e?: E,
  ) => {
    const p = req.principal!;
    const [regions, categories] = await Promise.all([
      listRegions(db, p.pemdaId),
      settings.listCategories(db, p.pemdaId),
    ]);
    const lockKec =
      p.role === 'kecamatan'
        ? p.regionId
        : p.role === 'kelurahan'
          ? (regions.find((r) => r.id === p.regionId)?.parentId ?? null)
          : null;
    const lockKel = p.role === 'kelurahan' ? p.regionId : null;
    return html`<form method="post" action="${kind === 'musrenbang' ? '/musrenbang/baru' : '/pokir/baru'}" class="form">${csrfField(req)}${errorBox(e, req)}
  <label>${tr(req, 'pln.year')}<input name="year" value="${String(values.year ?? year)}" inputmode="numeric" required></label>
  ${proposalFields(req, { regions, categories, values, errors: e?.errors, lockKecamatan: lockKec, lockKelurahan: lockKel })}
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`;
  };
  app.get(
    '/musrenbang/baru',
    {
      config: { auth: { permission: 'planning.proposal.enter' } },
      schema: { ...hide, querystring: z.object({ year: intIn(z.number().int().optional()) }) },
    },
    async (req, reply) => {
      const year = req.query.year ?? (await defaultYear(req.principal!.pemdaId));
      return sendPage(req, reply, {
        title: tr(req, 'pln.musrenbang.new'),
        body: await newForm(req, 'musrenbang', year),
      });
    },
  );
  app.post(
    '/musrenbang/baru',
    { config: { auth: { permission: 'planning.proposal.enter' } }, schema: { ...hide, body: anyBody } },
    async (req, reply) => {
      try {
        const r = await props.createProposal(db, req.principal!, formBody(req.body) as never);
        return seeOther(reply, `/perencanaan/usulan/${r.id}`, 'pln.notice.proposal_saved');
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'pln.musrenbang.new'),
          body: await newForm(
            req,
            'musrenbang',
            Number((req.body as Record<string, unknown>).year) || new Date().getFullYear() + 1,
            req.body,
            e,
          ),
          status: statusOf(err),
        });
      }
    },
  );

  // ---- Pokir list and entry ---------------------------------------------------------------------------------------
  const pokirRead = (req: FastifyRequest) =>
    can(req, 'planning.pokir.read') || (can(req, 'planning.proposal.read') && req.principal!.role.startsWith('opd_'));
  app.get(
    '/pokir',
    { config: { auth: { permission: 'planning.proposal.read' } }, schema: { ...hide, querystring: listQ } },
    async (req, reply) => {
      const p = req.principal!;
      if (!pokirRead(req)) throw notFound();
      const cycles = await settings.listCycles(db, p.pemdaId);
      const year = req.query.year ?? cycles.find((c) => c.pokir_opens_at)?.year ?? new Date().getFullYear() + 1;
      const f = { ...req.query, kind: 'pokir' as const, year };
      const [{ rows, total }, regions, opdList, members, open] = await Promise.all([
        props.listProposals(db, p, f),
        listRegions(db, p.pemdaId),
        listOpds(db, p.pemdaId),
        settings.listMembers(db, p.pemdaId),
        props.pokirOpen(db, p.pemdaId, year),
      ]);
      const cycle = cycles.find((c) => c.year === year);
      const regionName = new Map(regions.map((r) => [r.id, r.name]));
      const opds = new Map(opdList.map((o) => [o.id, o]));
      const memberName = new Map(members.map((m) => [m.id, m]));
      const body = html`
<p class="${open ? 'notice' : 'warning'}">${cycle?.pokir_opens_at ? tr(req, open ? 'pln.pokir.window_open' : 'pln.pokir.window_closed', { from: date(req, cycle.pokir_opens_at, true), to: date(req, cycle.pokir_closes_at, true) }) : tr(req, 'pln.pokir.no_window')}</p>
<form method="get" class="filters">
  <label>${tr(req, 'pln.year')}<input name="year" value="${year}" size="5"></label>
  <label>${tr(req, 'pln.pokir.member')}<select name="dprd_member_id"><option value="">—</option>${members.map((m) => html`<option value="${m.id}"${selected(m.id === f.dprd_member_id)}>${m.name} (${tr(req, 'pln.pokir.komisi')} ${m.komisi})</option>`)}</select></label>
  <label>${tr(req, 'common.status')}<select name="status"><option value="">—</option>${['pending', 'accepted', 'rejected', 'merged', 'backlog'].map((s) => html`<option value="${s}"${selected(s === f.status)}>${tr(req, `pln.pstatus.${s}`)}</option>`)}</select></label>
  <button>${tr(req, 'common.filter')}</button>
  ${can(req, 'planning.pokir.enter') && open ? html`<a class="button" href="/pokir/baru?year=${year}">${tr(req, 'pln.pokir.new')}</a>` : ''}
  <a href="/pokir/publik?year=${year}">${tr(req, 'pln.pokir.public_list')}</a>
</form>
<p class="muted">${tr(req, 'common.total_rows', { count: total })}</p>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'pln.proposal.code')}</th><th>${tr(req, 'pln.pokir.member')}</th><th>${tr(req, 'pln.proposal.title')}</th><th>${tr(req, 'pln.proposal.location')}</th><th>${tr(req, 'pln.step.stage')}</th><th>${tr(req, 'common.status')}</th><th class="num">${tr(req, 'pln.proposal.amount')}</th><th>OPD</th></tr></thead>
<tbody>${rows.map((r) => {
        const m = r.dprd_member_id ? memberName.get(r.dprd_member_id) : undefined;
        return html`<tr><td><a href="/perencanaan/usulan/${r.id}">${r.tracking_code}</a></td><td>${m?.name ?? ''}<br><small class="muted">${m ? `${tr(req, 'pln.pokir.komisi')} ${m.komisi} · ${m.dapil}` : ''}</small></td><td>${r.title}</td><td>${r.kelurahan_id ? regionName.get(r.kelurahan_id) : ''}, ${regionName.get(r.kecamatan_id)}</td><td>${tr(req, `pln.stage.${r.stage}`)}</td><td>${badge(req, 'pstatus', r.status)}${r.renja_item_id ? html` <span class="badge ok">Renja</span>` : ''}</td><td class="num">${rp(req, r.recommended_amount ?? r.estimated_cost)}</td><td>${opdLabel(opds, r.opd_id)}</td></tr>`;
      })}</tbody></table></div>`;
      return sendPage(req, reply, { title: `${tr(req, 'pln.pokir.title')} ${year}`, body, notice: noticeOf(req) });
    },
  );
  app.get(
    '/pokir/baru',
    {
      config: { auth: { permission: 'planning.pokir.enter' } },
      schema: { ...hide, querystring: z.object({ year: intIn(z.number().int().optional()) }) },
    },
    async (req, reply) => {
      const year = req.query.year ?? new Date().getFullYear() + 1;
      const open = await props.pokirOpen(db, req.principal!.pemdaId, year);
      return sendPage(req, reply, {
        title: tr(req, 'pln.pokir.new'),
        body: html`${open ? '' : html`<p class="warning">${tr(req, 'pln.error.pokir_window_closed', { year })}</p>`}${await newForm(req, 'pokir', year)}`,
      });
    },
  );
  app.post(
    '/pokir/baru',
    { config: { auth: { permission: 'planning.pokir.enter' } }, schema: { ...hide, body: anyBody } },
    async (req, reply) => {
      try {
        const r = await props.createPokir(db, req.principal!, formBody(req.body) as never);
        return seeOther(reply, `/perencanaan/usulan/${r.id}`, 'pln.notice.proposal_saved');
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'pln.pokir.new'),
          body: await newForm(
            req,
            'pokir',
            Number((req.body as Record<string, unknown>).year) || new Date().getFullYear() + 1,
            req.body,
            e,
          ),
          status: statusOf(err),
        });
      }
    },
  );

  // ---- one proposal -----------------------------------------------------------------------------------------------
  const proposalPage = async (req: FastifyRequest, id: number, e?: E) => {
    const p = req.principal!;
    const r = await props.loadProposal(db, p.pemdaId, id);
    if (!props.canSee(p, r)) throw notFound();
    const [steps, regions, opdList, members] = await Promise.all([
      props.proposalSteps(db, p.pemdaId, id),
      listRegions(db, p.pemdaId),
      listOpds(db, p.pemdaId),
      settings.listMembers(db, p.pemdaId),
    ]);
    const regionName = new Map(regions.map((x) => [x.id, x.name]));
    const opds = new Map(opdList.map((o) => [o.id, o]));
    const o = props.proposalOut(r);
    const member = r.dprd_member_id ? members.find((m) => m.id === r.dprd_member_id) : undefined;
    const v = { version: r.version };
    // on an error the form comes back with every choice the user made (never "Terima" by default)
    const typed = (k: string) => str(req.body, k);
    // the decision form only for the actor of the proposal's current stage (the service checks it again)
    const mayDecide =
      r.status === 'pending' &&
      can(req, 'planning.proposal.decide') &&
      (await props.checkStageActor(db, p, r).then(
        () => true,
        () => false,
      ));
    const decideForm = mayDecide
      ? html`<h2>${tr(req, 'pln.decision.title', { stage: tr(req, `pln.stage.${r.stage}`) })}</h2>
<form method="post" action="/perencanaan/usulan/${id}/keputusan" class="form">${csrfField(req)}<input type="hidden" name="version" value="${v.version}">
  <fieldset><legend>${tr(req, 'pln.decision.decision')}</legend>
  ${(['accept', 'reject', 'merge', ...(r.stage === 'tapd' ? ['defer'] : [])] as const).map((d) => html`<label class="check"><input type="radio" name="decision" value="${d}" required${d === typed('decision') ? ' checked' : ''}> ${tr(req, `pln.decision.${d}`)}</label>`)}</fieldset>
  <div class="filters"><label>${tr(req, 'pln.decision.amount')}<input data-num="rupiah" name="amount" inputmode="numeric" value="${idNum(req.body, 'amount', o.recommended_amount ?? o.estimated_cost)}"></label>
  <label>${tr(req, 'pln.decision.volume')}<input data-num="decimal" name="volume" inputmode="decimal" size="8" value="${idNum(req.body, 'volume', o.recommended_volume ?? o.volume)}"></label>
  <label>${tr(req, 'pln.decision.urgency')}<select name="urgency"><option value="">—</option>${[1, 2, 3, 4, 5].map((u) => html`<option value="${u}"${selected(typed('urgency') !== undefined ? String(u) === typed('urgency') : u === r.urgency)}>${u}</option>`)}</select></label></div>
  ${
    r.stage === 'kecamatan' || r.stage === 'bappeda' || r.stage === 'kelurahan'
      ? html`<div class="filters"><label>${tr(req, 'pln.rnode.sub_kegiatan')}<input name="sub_kegiatan_code" value="${typed('sub_kegiatan_code') ?? r.sub_kegiatan_code ?? ''}" size="20"></label>
  <label>OPD<select name="opd_id"><option value="">—</option>${opdList.map((x) => html`<option value="${x.id}"${selected(typed('opd_id') !== undefined ? String(x.id) === typed('opd_id') : x.id === r.opd_id)}>${x.name}</option>`)}</select></label></div>`
      : ''
  }
  <label>${tr(req, 'pln.decision.merge_into')}<input name="merge_into" placeholder="MR27-XXXX-XXXX" value="${typed('merge_into') ?? ''}"></label>
  <label>${tr(req, 'pln.decision.reason')}<textarea name="reason" rows="2" aria-describedby="reason-hint">${typed('reason') ?? ''}</textarea><span class="hint" id="reason-hint">${tr(req, 'pln.decision.reason_hint')}</span></label>
  <div class="actions"><button>${tr(req, 'pln.decision.submit')}</button></div></form>`
      : '';
    const deferAccepted =
      r.status === 'accepted' && !r.renja_item_id && (p.role === 'tapd' || p.role === 'bappeda')
        ? html`<form method="post" action="/perencanaan/usulan/${id}/keputusan" class="form">${csrfField(req)}<input type="hidden" name="version" value="${v.version}"><input type="hidden" name="decision" value="defer">
  <label>${tr(req, 'pln.decision.reason')}<input name="reason" required></label><div class="actions"><button class="secondary">${tr(req, 'pln.decision.defer')}</button></div></form>`
        : '';
    const mapForm =
      can(req, 'planning.proposal.map') && ['pending', 'accepted'].includes(r.status) && !r.renja_item_id
        ? html`<form method="post" action="/perencanaan/usulan/${id}/pemetaan" class="filters">${csrfField(req)}<input type="hidden" name="version" value="${v.version}">
  <label>${tr(req, 'pln.rnode.sub_kegiatan')}<input name="sub_kegiatan_code" value="${r.sub_kegiatan_code ?? r.suggested_sub_kegiatan_code ?? ''}" size="20" required></label>
  <label>OPD<select name="opd_id">${opdList.map((x) => html`<option value="${x.id}"${selected(x.id === (r.opd_id ?? r.suggested_opd_id))}>${x.name}</option>`)}</select></label>
  <button class="secondary">${tr(req, 'pln.mapping.confirm')}</button></form>`
        : '';
    const renjaForm =
      r.status === 'accepted' && r.stage === 'final' && !r.renja_item_id && can(req, 'planning.proposal.renja')
        ? html`<form method="post" action="/perencanaan/usulan/${id}/renja" class="actions">${csrfField(req)}<input type="hidden" name="version" value="${v.version}"><button>${tr(req, 'pln.action.into_renja')}</button></form>`
        : '';
    const carryForm =
      r.status === 'backlog' && r.kind === 'musrenbang' && can(req, 'planning.proposal.enter')
        ? html`<form method="post" action="/perencanaan/usulan/${id}/bawa" class="filters">${csrfField(req)}<input type="hidden" name="version" value="${v.version}"><label>${tr(req, 'pln.year')}<input name="year" value="${r.year + 1}" size="5"></label><button class="secondary">${tr(req, 'pln.action.carry_over', { year: '' })}</button></form>`
        : '';
    const first = props.chainOf(r.kind)[0];
    const photoForm =
      r.status === 'pending' && r.stage === first
        ? html`<form method="post" action="/perencanaan/usulan/${id}/foto" enctype="multipart/form-data" class="filters">${csrfField(req)}<label>${tr(req, 'pln.proposal.photo')}<input type="file" name="photo" accept="image/jpeg,image/png,image/webp"></label><button class="secondary">${tr(req, 'pln.proposal.upload')}</button></form>`
        : '';
    const chain = props.chainOf(r.kind);
    return html`${errorBox(e, req)}
<p class="chain">${chain.map((s, i) => html`${i ? ' → ' : ''}<span class="${s === r.stage ? 'badge warn' : chain.indexOf(r.stage as never) > i || r.stage === 'final' ? 'badge ok' : 'badge'}">${tr(req, `pln.stage.${s}`)}</span>`)}</p>
<dl class="detail">
<dt>${tr(req, 'pln.proposal.code')}</dt><dd><a href="/lacak?kode=${r.tracking_code}">${r.tracking_code}</a> · ${tr(req, `pln.kind.${r.kind}`)} ${r.year}${allowed(req.principal, 'tp.trace.internal') ? html` · <a href="/trace/proposal/${r.tracking_code}">${tr(req, 'tp.itrace.title')}</a>` : ''}</dd>
<dt>${tr(req, 'common.status')}</dt><dd>${badge(req, 'pstatus', r.status)} ${tr(req, `pln.stage.${r.stage}`)}</dd>
${member ? html`<dt>${tr(req, 'pln.pokir.member')}</dt><dd>${member.name} (${tr(req, 'pln.pokir.komisi')} ${member.komisi}, ${member.dapil})</dd>` : ''}
<dt>${tr(req, 'pln.proposal.problem')}</dt><dd>${r.problem}</dd>
<dt>${tr(req, 'pln.proposal.location')}</dt><dd>${r.kelurahan_id ? regionName.get(r.kelurahan_id) : ''}, ${regionName.get(r.kecamatan_id)} ${r.address}${o.latitude ? html` (${o.latitude}, ${o.longitude})` : ''}</dd>
<dt>${tr(req, 'pln.proposal.volume')}</dt><dd>${num(req, o.volume)} ${r.unit}</dd>
<dt>${tr(req, 'pln.proposal.estimated_cost')}</dt><dd>${rp(req, r.estimated_cost)}</dd>
<dt>${tr(req, 'pln.proposal.beneficiaries')}</dt><dd>${r.beneficiaries ?? ''}</dd>
<dt>${tr(req, 'pln.proposal.recommended')}</dt><dd>${rp(req, r.recommended_amount)} ${o.recommended_volume ? html`· ${num(req, o.recommended_volume)} ${r.unit}` : ''}</dd>
<dt>${tr(req, 'pln.proposal.score')}</dt><dd>${r.priority_score ?? '—'} ${r.urgency ? html`<small class="muted">(${tr(req, 'pln.decision.urgency')} ${r.urgency})</small>` : ''}</dd>
<dt>${tr(req, 'pln.mapping.title')}</dt><dd>${r.sub_kegiatan_code ?? '—'} · ${opdLabel(opds, r.opd_id)} ${r.mapping_confirmed ? html`<span class="badge ok">${tr(req, 'pln.mapping.confirmed')}</span>` : html`<span class="badge warn">${tr(req, 'pln.mapping.suggested')}</span>`}${mapForm}</dd>
${r.feasible !== null ? html`<dt>${tr(req, 'pln.proposal.feasible')}</dt><dd>${r.feasible ? tr(req, 'common.yes') : tr(req, 'common.no')} ${r.feasibility_reason}</dd>` : ''}
${r.renja_item_id ? html`<dt>${tr(req, 'pln.renja.title')}</dt><dd><a href="/perencanaan/renja-item/${r.renja_item_id}">${tr(req, 'pln.renja.item')} #${r.renja_item_id}</a></dd>` : ''}
${r.source === 'citizen' && (p.role === 'bappeda' || p.role === 'kelurahan' || p.role === 'kecamatan') ? html`<dt>${tr(req, 'pln.public.name')}</dt><dd>${r.submitter_name} · ${r.submitter_contact}</dd>` : ''}
</dl>
${r.has_photo ? html`<p><img src="/perencanaan/usulan/${id}/foto" alt="${tr(req, 'pln.proposal.photo')}" width="480"></p>` : ''}
${photoForm}${decideForm}${deferAccepted}${renjaForm}${carryForm}
<h2>${tr(req, 'pln.step.history')}</h2>${stepsTable(req, steps)}`;
  };
  app.get(
    '/perencanaan/usulan/:id',
    { config: { auth: { permission: 'planning.proposal.read' } }, schema: { ...hide, params: idP } },
    async (req, reply) => {
      const r = await props.loadProposal(db, req.principal!.pemdaId, req.params.id);
      return sendPage(req, reply, {
        title: `${r.tracking_code} · ${r.title}`,
        body: await proposalPage(req, req.params.id),
        notice: noticeOf(req),
      });
    },
  );
  app.get(
    '/perencanaan/usulan/:id/foto',
    { config: { auth: { permission: 'planning.proposal.read' } }, schema: { ...hide, params: idP } },
    async (req, reply) => {
      const r = await props.loadProposal(db, req.principal!.pemdaId, req.params.id);
      if (!props.canSee(req.principal!, r)) throw notFound();
      const ph = await props.getPhoto(db, req.principal!.pemdaId, r.id);
      if (!ph) throw notFound();
      return reply
        .type(ph.content_type)
        .header('cache-control', 'private, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(ph.data);
    },
  );
  const proposalPost = (
    path: string,
    perm: string,
    fn: (req: FastifyRequest & { params: { id: number } }, b: Record<string, unknown>) => Promise<unknown>,
    notice = 'pln.notice.saved',
  ) =>
    app.post(
      `/perencanaan/usulan/:id/${path}`,
      { config: { auth: { permission: perm } }, schema: { ...hide, params: idP, body: anyBody } },
      async (req, reply) => {
        try {
          const out = (await fn(req, formBody(req.body))) as { id?: number } | undefined;
          const target = path === 'bawa' && out?.id ? out.id : req.params.id;
          return seeOther(reply, `/perencanaan/usulan/${target}`, notice);
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          const r = await props.loadProposal(db, req.principal!.pemdaId, req.params.id);
          return sendPage(req, reply, {
            title: `${r.tracking_code} · ${r.title}`,
            body: await proposalPage(req, req.params.id, e),
            status: statusOf(err),
          });
        }
      },
    );
  proposalPost(
    'keputusan',
    'planning.proposal.decide',
    (req, b) => props.decide(db, req.principal!, req.params.id, b as never),
    'pln.notice.decided',
  );
  proposalPost('pemetaan', 'planning.proposal.map', (req, b) =>
    props.mapProposal(db, req.principal!, req.params.id, b as never),
  );
  proposalPost(
    'renja',
    'planning.proposal.renja',
    (req, b) => props.enterRenja(db, req.principal!, req.params.id, { version: Number(b.version) }),
    'pln.notice.into_renja',
  );
  proposalPost(
    'bawa',
    'planning.proposal.enter',
    (req, b) => props.carryOver(db, req.principal!, req.params.id, b as never),
    'pln.notice.carried',
  );
  proposalPost('foto', 'planning.proposal.read', async (req) => {
    const data = (req.body as Record<string, unknown>).photo;
    if (!Buffer.isBuffer(data)) throw fieldError('photo', 'field.required');
    await props.setPhoto(db, req.principal!, req.params.id, data);
  });
}
