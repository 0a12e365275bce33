// e-Budgeting pages: a sub kegiatan (RKA details, lines, trips, workflow actions with confirmation) and
// TAPD's review of flagged lines. Server-rendered; every form works without JavaScript (POST → 303).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';

import { html, type Html } from '../../core/http/html.ts';
import { confirmed, csrfField, sendConfirm, sendPage, tr } from '../../core/http/layout.ts';
import { formatDate } from '../../core/i18n/i18n.ts';

import { getOrganisation, listFundingSources, listOpds, listRegions } from '../master-data/index.ts';
import { getApprovedRenjaItem, proposalsForRenjaItem } from '../planning/index.ts';
import { getPemda } from '../../core/tenancy.ts';
import { can } from '../../core/auth/policy.ts';
import { getStage, inputState, listLocks, listStages } from './stages.service.ts';
import { getOpdCeiling, lineOut, listLines, subOut, updateSub, type SubKegiatan } from './rka.service.ts';
import { approveSub, listReviews, reopenSub, returnSub, submitSub } from './workflow.service.ts';
import { listTravels } from './travel.service.ts';
import { opdOverview, reviewFlags } from './totals.queries.ts';

import { formBody, formNumbers, money, str } from './pages.common.ts';
import { idParams } from './budgeting.schema.ts';
import { resolvers } from './opd.resolvers.ts';
import { formatIdNumber, intIn } from '../../core/number.ts';

import {
  act,
  actDone,
  cleanDec,
  overviewTable,
  doneNotice,
  hide,
  inputNotice,
  loadSub,
  linesTable,
  pageStage,
  stagePicker,
  statusBadge,
} from './pages.helpers.ts';

export async function subPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const stageQuery = z
    .object({
      stage_id: intIn(z.number().int().positive().optional()),
      saved: z.string().optional(),
      done: z.string().optional(),
    })
    .catchall(z.string());
  const read = { permission: 'bud.read' };
  const saved = (req: FastifyRequest) => doneNotice(req);
  // ---- a sub kegiatan -----------------------------------------------------------------------------------------
  const subOpd = resolvers(db).sub;
  app.get(
    '/budget/sub/:id',
    {
      config: { auth: { ...read, opd: subOpd } },
      schema: {
        ...hide,
        params: idParams,
        querystring: z.object({ saved: z.string().optional(), done: z.string().optional() }).catchall(z.string()),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const s = await loadSub(db, req, req.params.id);
      const stage = (await getStage(db, p.pemdaId, s.stage_id))!;
      const [lines, travels, reviews, ceilingRow, funding, regions, org, locks] = await Promise.all([
        listLines(db, p.pemdaId, { subId: s.id }),
        listTravels(db, p.pemdaId, s.id),
        listReviews(db, p.pemdaId, s.id),
        getOpdCeiling(db, p.pemdaId, s.stage_id, s.opd_id),
        listFundingSources(db, p.pemdaId),
        listRegions(db, p.pemdaId),
        getOrganisation(db, p.pemdaId, s.opd_id),
        listLocks(db, p.pemdaId, s.stage_id, s.opd_id),
      ]);
      const state = inputState(stage, ceilingRow);
      const locked = locks.some((l) => l.code === s.code || l.code === s.kegiatan_code);
      const editable =
        (s.status === 'draft' || s.status === 'returned') && state.open && stage.kind !== 'kua_ppas' && !locked;
      const canEdit = can(p, 'bud.line.write') && p.opdId === s.opd_id && editable;
      const canSubmit =
        can(p, 'bud.submit') &&
        p.opdId === s.opd_id &&
        state.open &&
        (s.status === 'draft' || s.status === 'returned') &&
        lines.length > 0;
      const canVerify = can(p, 'bud.verify') && stage.status === 'open';
      const out = subOut(s);
      const lo = lines.map(lineOut);
      const region = regions.find((r) => r.id === s.region_id);
      // the plan behind it: the approved Renja item and the Musrenbang/Pokir proposals that became it
      const renjaItem = await getApprovedRenjaItem(db, p.pemdaId, stage.year, s.opd_id, s.code);
      const proposals = renjaItem ? await proposalsForRenjaItem(db, p.pemdaId, renjaItem.renjaItemId) : [];
      const pemdaCode = proposals.length ? (await getPemda(db, p.pemdaId))?.code : undefined;
      const track = (code: string) =>
        `/lacak?kode=${encodeURIComponent(code)}${pemdaCode ? `&pemda=${encodeURIComponent(pemdaCode)}` : ''}`;
      const renjaRegion = renjaItem?.regionId ? regions.find((r) => r.id === renjaItem.regionId)?.name : undefined;
      const planSection = html`<h2 id="plan">${tr(req, 'bud.sub.plan', { year: stage.year })}</h2>
${
  renjaItem
    ? html`<dl class="detail">
  <dt>${tr(req, 'bud.sub.renja_target')}</dt><dd>${renjaItem.target ?? '—'} ${renjaItem.unit ?? ''}</dd>
  <dt>${tr(req, 'bud.field.location')}</dt><dd>${[renjaRegion, renjaItem.location].filter(Boolean).join(', ') || '—'}</dd>
  <dt>${tr(req, 'bud.sub.renja_pagu')}</dt><dd>${money(req, renjaItem.paguIndikatif)}</dd>
</dl>
<h3>${tr(req, 'bud.sub.proposals')}</h3>
${
  proposals.length
    ? html`<ul class="proposals">${proposals.map((x) => html`<li><span class="badge">${tr(req, `bud.sub.proposal_kind.${x.kind}`)}</span> <a href="${track(x.trackingCode)}">${x.trackingCode}</a> ${x.title}</li>`)}</ul>`
    : html`<p class="muted">${tr(req, 'bud.sub.no_proposals')}</p>`
}`
    : html`<p class="warning">${tr(req, 'bud.error.sub_not_in_renja', { code: s.code, year: stage.year })}</p>`
}`;
      const body = html`<link rel="stylesheet" href="/budget/budget.css"><p><a href="/budget/opd/${s.opd_id}?stage_id=${s.stage_id}">← ${org?.name ?? ''}</a> · ${stage.name}</p>
${inputNotice(req, state)}
${locked ? html`<p class="warning">${tr(req, 'bud.error.locked', { code: s.code })}</p>` : ''}
${s.review_note ? html`<p class="${s.status === 'returned' ? 'error' : 'notice'}"><b>${tr(req, 'bud.sub.review_note')}:</b> ${s.review_note}</p>` : ''}
<dl class="detail">
  <dt>${tr(req, 'bud.field.sub_kegiatan')}</dt><dd>${s.code} ${s.name}</dd>
  <dt>${tr(req, 'common.status')}</dt><dd>${statusBadge(req, s.status)}</dd>
  <dt>${tr(req, 'bud.field.ceiling')}</dt><dd>${money(req, out.ceiling)}</dd>
  <dt>${tr(req, 'bud.field.planned')}</dt><dd>${money(req, out.planned)}</dd>
  <dt>${tr(req, 'bud.field.remaining')}</dt><dd id="sub-remaining">${money(req, out.remaining)}</dd>
  <dt>${tr(req, 'bud.field.funding_source')}</dt><dd>${funding.find((f) => f.id === s.funding_source_id)?.name ?? '—'}</dd>
  <dt>${tr(req, 'bud.field.location')}</dt><dd>${[region?.name, s.location].filter(Boolean).join(', ') || '—'}</dd>
  <dt>${tr(req, 'bud.field.output')}</dt><dd>${s.output_indicator} ${out.target_volume ? html`· ${out.target_volume} ${s.target_unit}` : ''}</dd>
  <dt>${tr(req, 'bud.field.months')}</dt><dd>${s.month_from} – ${s.month_to}</dd>
  <dt>${tr(req, 'common.export')}</dt><dd class="actions"><a href="/api/v1/budget/sub-kegiatan/${s.id}/rka.pdf">${tr(req, 'bud.export.pdf')}</a> <a href="/api/v1/budget/sub-kegiatan/${s.id}/rka.xlsx">${tr(req, 'bud.export.xlsx')}</a></dd>
</dl>
${canEdit ? subDetailsForm(req, s, funding, regions) : ''}
<h2>${tr(req, 'bud.sub.lines')}</h2>
${canEdit ? html`<p class="actions"><a class="button" href="/budget/sub/${s.id}/lines/new">${tr(req, 'bud.sub.add_line')}</a> <a class="button secondary" href="/budget/sub/${s.id}/travel">${tr(req, 'bud.sub.add_travel')}</a></p>` : ''}
${
  canVerify && s.status === 'submitted'
    ? html`<form method="post" action="/budget/sub/${s.id}/return">${csrfField(req)}${linesTable(req, lo, { edit: false, noteInputs: true })}
<div class="form"><label>${tr(req, 'bud.field.note')}<textarea name="note" rows="2" required></textarea></label><div class="actions"><button>${tr(req, 'bud.sub.return')}</button></div></div></form>
<form method="post" action="/budget/sub/${s.id}/approve" class="form">${csrfField(req)}<label>${tr(req, 'bud.field.note')}<input name="note"></label><div class="actions"><button>${tr(req, 'bud.sub.approve')}</button></div></form>`
    : linesTable(req, lo, { edit: canEdit })
}
${travels.length ? html`<h2>${tr(req, 'bud.sub.add_travel')}</h2><ul>${travels.map((tv) => html`<li>${tv.description} · ${tv.province} · ${tv.persons} × ${tv.days} ${canEdit ? html`<a href="/budget/travel/${tv.id}/edit">${tr(req, 'common.edit')}</a>` : ''}</li>`)}</ul>` : ''}
${canSubmit ? html`<form method="post" action="/budget/sub/${s.id}/submit" class="actions">${csrfField(req)}<button>${tr(req, 'bud.sub.submit')}</button></form>` : ''}
${canVerify && s.status === 'approved' ? html`<form method="post" action="/budget/sub/${s.id}/reopen" class="actions">${csrfField(req)}<input name="note" placeholder="${tr(req, 'bud.field.note')}"><button class="secondary">${tr(req, 'bud.sub.reopen')}</button></form>` : ''}
${planSection}
${reviews.length ? html`<h2>${tr(req, 'bud.sub.history')}</h2><ul>${reviews.map((r) => html`<li>${formatDate(req.lang, r.at, true)} · ${r.actor_name} · ${tr(req, `bud.status.${r.to_status}`)}${r.note ? html` — ${r.note}` : ''}${r.line_notes.length ? html` (${r.line_notes.length} ${tr(req, 'bud.field.line_note')})` : ''}</li>`)}</ul>` : ''}`;
      return sendPage(req, reply, { title: tr(req, 'bud.sub.title', { code: s.code }), body, notice: saved(req) });
    },
  );

  function subDetailsForm(
    req: FastifyRequest,
    s: SubKegiatan,
    funding: Array<{ id: number; code: string; name: string }>,
    regions: Array<{ id: number; code: string; name: string; kind: string }>,
  ): Html {
    const months = Array.from({ length: 12 }, (_, i) => i + 1);
    return html`<details><summary>${tr(req, 'bud.sub.details')}</summary><form method="post" action="/budget/sub/${s.id}/details" class="form">${csrfField(req)}<input type="hidden" name="version" value="${s.version}">
  <label>${tr(req, 'bud.field.funding_source')}<select name="funding_source_id"><option value="">—</option>${funding.map((f) => html`<option value="${f.id}" ${f.id === s.funding_source_id ? 'selected' : ''}>${f.code} ${f.name}</option>`)}</select></label>
  <label>${tr(req, 'bud.field.region')}<select name="region_id"><option value="">—</option>${regions.map((r) => html`<option value="${r.id}" ${r.id === s.region_id ? 'selected' : ''}>${r.name} (${r.kind})</option>`)}</select></label>
  <label>${tr(req, 'bud.field.location_note')}<input name="location" value="${s.location}"></label>
  <label>${tr(req, 'bud.field.output_indicator')}<input name="output_indicator" value="${s.output_indicator}"></label>
  <label>${tr(req, 'bud.field.target_volume')}<input name="target_volume" inputmode="decimal" data-num="decimal" value="${s.target_volume ? formatIdNumber(cleanDec(s.target_volume)) : ''}"></label>
  <label>${tr(req, 'bud.field.target_unit')}<input name="target_unit" value="${s.target_unit}"></label>
  <label>${tr(req, 'bud.field.month_from')}<select name="month_from">${months.map((m) => html`<option ${m === s.month_from ? 'selected' : ''}>${m}</option>`)}</select></label>
  <label>${tr(req, 'bud.field.month_to')}<select name="month_to">${months.map((m) => html`<option ${m === s.month_to ? 'selected' : ''}>${m}</option>`)}</select></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form></details>`;
  }

  app.post(
    '/budget/sub/:id/details',
    {
      config: { auth: { permission: 'bud.line.write', opd: subOpd } },
      schema: { ...hide, params: idParams, body: formBody },
    },
    async (req, reply) => {
      const b = formNumbers(req.body, [['target_volume', 'decimal']]);
      const opt = (k: string) => (str(b, k) ? Number(str(b, k)) : null);
      return act(reply, `/budget/sub/${req.params.id}`, () =>
        updateSub(db, req.principal!, req.params.id, {
          version: Number(str(b, 'version')),
          funding_source_id: opt('funding_source_id'),
          region_id: opt('region_id'),
          location: str(b, 'location'),
          output_indicator: str(b, 'output_indicator'),
          target_volume: str(b, 'target_volume') || null,
          target_unit: str(b, 'target_unit'),
          month_from: Number(str(b, 'month_from')) || 1,
          month_to: Number(str(b, 'month_to')) || 12,
        }),
      );
    },
  );

  app.post(
    '/budget/sub/:id/submit',
    {
      config: { auth: { permission: 'bud.submit', opd: subOpd } },
      schema: { ...hide, params: idParams, body: formBody },
    },
    async (req, reply) =>
      act(reply, `/budget/sub/${req.params.id}`, () =>
        submitSub(db, req.principal!, req.params.id, { note: str(req.body, 'note') || undefined }),
      ),
  );
  app.post(
    '/budget/sub/:id/approve',
    { config: { auth: { permission: 'bud.verify' } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const s = await loadSub(db, req, req.params.id);
      const org = await getOrganisation(db, req.principal!.pemdaId, s.opd_id);
      const params = { code: s.code, name: s.name, opd: org?.name ?? '', total: money(req, s.planned) };
      if (!confirmed(req.body))
        return sendConfirm(req, reply, {
          title: tr(req, 'bud.confirm.approve_title', params),
          what: [tr(req, 'bud.confirm.approve_what', params), tr(req, 'bud.confirm.approve_after')],
          action: `/budget/sub/${s.id}/approve`,
          body: req.body,
          yes: tr(req, 'bud.confirm.approve_yes'),
          back: `/budget/sub/${s.id}`,
        });
      return actDone(reply, `/budget/sub/${s.id}`, async () => {
        await approveSub(db, req.principal!, s.id, { note: str(req.body, 'note') || undefined });
        return { key: 'approve', params };
      });
    },
  );
  app.post(
    '/budget/sub/:id/reopen',
    { config: { auth: { permission: 'bud.verify' } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) =>
      act(reply, `/budget/sub/${req.params.id}`, () =>
        reopenSub(db, req.principal!, req.params.id, { note: str(req.body, 'note') || undefined }),
      ),
  );
  app.post(
    '/budget/sub/:id/return',
    { config: { auth: { permission: 'bud.verify' } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const b = req.body;
      const lineNotes = Object.keys(b)
        .filter((k) => /^note_\d+$/.test(k) && str(b, k))
        .map((k) => ({ line_id: k.slice(5), note: str(b, k) }));
      return act(reply, `/budget/sub/${req.params.id}`, () =>
        returnSub(db, req.principal!, req.params.id, { note: str(b, 'note'), line_notes: lineNotes }),
      );
    },
  );

  // ---- TAPD review ------------------------------------------------------------------------------------------------
  app.get(
    '/budget/review',
    {
      config: { auth: { permission: 'bud.verify' } },
      schema: {
        ...hide,
        querystring: stageQuery.extend({
          opd_id: intIn(z.number().int().positive().optional()),
          flag: z.enum(['free_text', 'at_price', 'changed', '']).optional(),
        }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const stage = await pageStage(db, req, req.query.stage_id);
      if (!stage)
        return sendPage(req, reply, {
          title: tr(req, 'bud.nav.review'),
          body: html`<p class="muted">${tr(req, 'bud.overview.no_stage')}</p>`,
        });
      const [stages, rows, opds, flags] = await Promise.all([
        listStages(db, p.pemdaId),
        opdOverview(db, p.pemdaId, stage.id),
        listOpds(db, p.pemdaId),
        reviewFlags(db, p.pemdaId, stage.id, req.query.opd_id, 2000),
      ]);
      const names = new Map(opds.map((o) => [o.id, o]));
      const flag = req.query.flag;
      const shown = flags
        .filter((f) =>
          flag === 'free_text'
            ? f.free_text
            : flag === 'at_price'
              ? f.at_catalogue_price
              : flag === 'changed'
                ? f.changed_since_review
                : true,
        )
        .slice(0, 200);
      const body = html`${stagePicker(req, stages, stage)}
${overviewTable(
  req,
  stage,
  rows.filter((r) => r.subs > 0 || r.lines > 0),
  names,
  true,
)}
<h2 id="flags">${tr(req, 'bud.review.flagged')}</h2>
<form method="get" class="filters"><input type="hidden" name="stage_id" value="${stage.id}">
  <label>${tr(req, 'bud.field.opd')}<select name="opd_id"><option value="">—</option>${opds.map((o) => html`<option value="${o.id}" ${o.id === req.query.opd_id ? 'selected' : ''}>${o.name}</option>`)}</select></label>
  <label>${tr(req, 'bud.field.flags')}<select name="flag"><option value="">—</option>${(['free_text', 'at_price', 'changed'] as const).map((f) => html`<option value="${f}" ${f === flag ? 'selected' : ''}>${tr(req, `bud.flag.${f}`)}</option>`)}</select></label>
  <button>${tr(req, 'common.filter')}</button></form>
<p class="muted">${tr(req, 'common.total_rows', { count: shown.length })}</p>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'bud.field.opd')}</th><th>${tr(req, 'bud.field.sub_kegiatan')}</th><th>${tr(req, 'bud.field.account')}</th><th>${tr(req, 'bud.field.name')}</th><th class="num">${tr(req, 'bud.field.unit_price')}</th><th class="num">${tr(req, 'bud.field.catalogue_price')}</th><th class="num">${tr(req, 'bud.field.total')}</th><th>${tr(req, 'bud.field.flags')}</th></tr></thead>
<tbody>${shown.map(
        (
          f,
        ) => html`<tr><td>${names.get(f.opd_id)?.shortName ?? f.opd_id}</td><td>${f.sub_kegiatan_id ? html`<a href="/budget/sub/${f.sub_kegiatan_id}">${f.sub_kegiatan_code}</a>` : '—'}</td><td>${f.account_code}</td><td>${f.name}</td>
<td class="num">${money(req, f.unit_price)}</td><td class="num">${f.catalogue_price ? money(req, f.catalogue_price) : '—'}</td><td class="num">${money(req, f.total)}</td>
<td>${f.free_text ? html`<span class="badge err">${tr(req, 'bud.flag.free_text')}</span>` : ''} ${f.at_catalogue_price ? html`<span class="badge warn">${tr(req, 'bud.flag.at_price')}</span>` : ''} ${f.changed_since_review ? html`<span class="badge">${tr(req, 'bud.flag.changed')}</span>` : ''}</td></tr>`,
      )}</tbody></table></div>`;
      return sendPage(req, reply, { title: tr(req, 'bud.review.title', { stage: stage.name }), body });
    },
  );
}
