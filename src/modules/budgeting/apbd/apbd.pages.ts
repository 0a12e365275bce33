// Pages of the consolidated APBD: the index (stage, attachments, DPA, line diff), an attachment
// (every figure links to the lines it sums), the drill-down, the line diff and a DPA with its
// anggaran kas form. Server-rendered, no JavaScript needed; every form posts and redirects.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../../core/module.ts';
import { html, type Html } from '../../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../../core/http/layout.ts';
import { notFound } from '../../../core/errors.ts';
import { formatDate, formatNumber } from '../../../core/i18n/i18n.ts';
import { isOpdScoped } from '../../../core/roles.ts';
import { listOpds } from '../../master-data/index.ts';
import { currentStage, getStage, listStages, requireStage, type Stage } from '../stages.service.ts';
import { formBody, formNumbers, str, type FormBody } from '../pages.common.ts';
import { formatIdNumber, intIn } from '../../../core/number.ts';
import { can } from '../../../core/auth/policy.ts';
import { REPORTS } from './reports.ts';
import type { DrillFilter, ReportRow } from './engine.ts';
import { inSnapshot, reportDoc, requireReport, resolveCompare } from './apbd.service.ts';
import { numericColumns, printCell, printAmount, type Doc } from './render.ts';
import { drillLines, lineDiff } from './queries.ts';
import { approveDpa, cashPlan, getDpa, listDpa, produceDpa, returnDpa, setCashPlan, submitDpa } from './dpa.service.ts';
import { dpaResolver, drillQuery } from './apbd.schema.ts';

const hide = { hide: true } as const;
const HTML_ROW_LIMIT = 2000;
const money = (req: FastifyRequest, v: string | bigint) => printAmount(req.lang, BigInt(v));

function drillHref(stageId: number, f: DrillFilter | undefined, accOverride?: string): string | null {
  if (!f) return null;
  const q = new URLSearchParams({ stage_id: String(stageId) });
  if (f.opd) q.set('opd_id', String(f.opd));
  if (f.ub) q.set('ub', f.ub);
  if (f.sub) q.set('sub', f.sub);
  if (f.fn) q.set('fn', f.fn);
  const acc =
    accOverride && (!f.acc || accOverride.length > f.acc.length)
      ? f.acc && !accOverride.startsWith(f.acc)
        ? null
        : accOverride
      : f.acc;
  if (acc === null) return null;
  if (acc) q.set('acc', acc);
  return `/budget/apbd/lines?${q}`;
}

function stageOptions(req: FastifyRequest, stages: Stage[], current: number | null, none?: string): Html {
  return html`${none ? html`<option value="none">${none}</option>` : ''}${stages.map((s) => html`<option value="${s.id}" ${s.id === current ? 'selected' : ''}>${s.name} · ${tr(req, `bud.stage.${s.status}`)}</option>`)}`;
}

async function act(reply: FastifyReply, to: string, fn: () => Promise<unknown>): Promise<FastifyReply> {
  await fn();
  return reply.redirect(`${to}${to.includes('?') ? '&' : '?'}saved=1`, 303);
}

export async function apbdPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const read = { permission: 'bud.read' };
  const apbdRead = { permission: 'bud.apbd.read' };
  const saved = (req: FastifyRequest) =>
    (req.query as { saved?: string }).saved ? tr(req, 'common.saved') : undefined;

  // ---- index --------------------------------------------------------------------------------------------
  app.get(
    '/budget/apbd',
    {
      config: { auth: read },
      schema: {
        ...hide,
        querystring: z.object({
          stage_id: intIn(z.number().int().positive().optional()),
          saved: z.string().optional(),
        }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const stage = req.query.stage_id
        ? await getStage(db, p.pemdaId, req.query.stage_id)
        : await currentStage(db, p.pemdaId);
      if (!stage)
        return sendPage(req, reply, {
          title: tr(req, 'bud.nav.apbd'),
          body: html`<p class="muted">${tr(req, 'apbd.index.no_stage')}</p>`,
        });
      const stages = await listStages(db, p.pemdaId);
      const opdScoped = isOpdScoped(p.role);
      const dpas = await listDpa(db, p.pemdaId, { stageId: stage.id, opdId: opdScoped ? (p.opdId ?? -1) : undefined });
      const opds = await listOpds(db, p.pemdaId);
      const opdName = new Map(opds.map((o) => [o.id, o.name]));
      const canReports = can(p, 'bud.apbd.read');
      const base = `/api/v1/budget/apbd/stages/${stage.id}/reports`;
      const sameYear = stages.filter((s) => s.year === stage.year && s.id !== stage.id && s.kind !== 'kua_ppas');
      const body = html`<form method="get" class="filters"><label>${tr(req, 'bud.field.stage')}<select name="stage_id">${stageOptions(req, stages, stage.id)}</select></label><button>${tr(req, 'common.filter')}</button></form>
${
  canReports
    ? html`<h2>${tr(req, 'apbd.index.reports')}</h2>
<div class="table-wrap"><table class="data"><tbody>${REPORTS.map(
        (
          r,
        ) => html`<tr><td><a href="/budget/apbd/report/${r.id}?stage_id=${stage.id}">${tr(req, r.attachment)}</a><br><span class="muted">${tr(req, r.title)}</span></td>
<td class="actions"><a href="${base}/${r.id}?format=pdf">PDF</a> <a href="${base}/${r.id}?format=xlsx">XLSX</a> <a href="${base}/${r.id}?format=csv">CSV</a></td></tr>`,
      )}</tbody></table></div>`
    : ''
}
<h2>${tr(req, 'apbd.dpa.list')}</h2>
${
  dpas.length
    ? html`<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'apbd.dpa.number')}</th><th>${tr(req, 'apbd.field.opd')}</th><th class="num">${tr(req, 'apbd.col.budget')}</th><th>${tr(req, 'common.status')}</th></tr></thead><tbody>${dpas.map(
        (d) =>
          html`<tr><td><a href="/budget/apbd/dpa/${d.id}">${d.number}</a></td><td>${opdName.get(d.opd_id) ?? d.opd_id}</td><td class="num">${money(req, d.budget)}</td><td><span class="badge ${d.status === 'approved' ? 'ok' : d.status === 'submitted' ? 'warn' : ''}">${tr(req, `apbd.dpa.status.${d.status}`)}</span></td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">${tr(req, 'apbd.dpa.none')}</p>`
}
${
  can(p, 'bud.dpa.manage') && stage.status === 'closed' && stage.kind !== 'kua_ppas'
    ? html`<form method="post" action="/budget/apbd/stages/${stage.id}/dpa" class="inline">${csrfField(req)}<button>${tr(req, 'apbd.dpa.produce')}</button></form>`
    : ''
}
${
  sameYear.length
    ? html`<h2>${tr(req, 'apbd.diff.title')}</h2><form method="get" action="/budget/apbd/diff" class="filters">
<label>${tr(req, 'apbd.field.opd')}<select name="opd_id">${(opdScoped ? opds.filter((o) => o.id === p.opdId) : opds).map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></label>
<label>${tr(req, 'apbd.diff.from')}<select name="from">${stageOptions(req, sameYear, stage.source_stage_id)}</select></label>
<input type="hidden" name="to" value="${stage.id}"><button>${tr(req, 'common.filter')}</button></form>`
    : ''
}`;
      return sendPage(req, reply, {
        title: tr(req, 'apbd.title', { year: stage.year, stage: stage.name }),
        body,
        notice: saved(req),
      });
    },
  );

  // ---- an attachment -----------------------------------------------------------------------------------
  app.get(
    '/budget/apbd/report/:report',
    {
      config: { auth: apbdRead },
      schema: {
        ...hide,
        params: z.object({ report: z.string() }),
        querystring: z.object({
          stage_id: intIn(z.number().int().positive().optional()),
          compare: z
            .string()
            .regex(/^(none|\d+)$/)
            .optional(),
          opd_id: intIn(z.number().int().positive().optional()),
        }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const def = requireReport(req.params.report);
      const stage = req.query.stage_id
        ? await requireStage(db, p.pemdaId, req.query.stage_id)
        : await currentStage(db, p.pemdaId);
      if (!stage) throw notFound('bud.error.stage_unknown');
      const compare = await resolveCompare(db, p.pemdaId, stage, req.query.compare);
      const r = { db, pemdaId: p.pemdaId, stage, compare, opdId: req.query.opd_id, lang: req.lang };
      const limit = def.large && !r.opdId ? HTML_ROW_LIMIT : undefined;
      let truncated = false;
      const { doc, rows } = await inSnapshot(db, async (trx) => {
        const d = await reportDoc(def, r, trx, limit, (m) => (truncated = m.truncated));
        const all: ReportRow[] = [];
        for await (const row of d.rows) all.push(row);
        return { doc: d, rows: all };
      });
      const stages = (await listStages(db, p.pemdaId, stage.year)).filter((s) => s.kind !== 'kua_ppas');
      const opds = await listOpds(db, p.pemdaId);
      const q = new URLSearchParams();
      if (compare) q.set('compare', String(compare.id));
      else q.set('compare', 'none');
      if (r.opdId) q.set('opd_id', String(r.opdId));
      const api = `/api/v1/budget/apbd/stages/${stage.id}/reports/${def.id}?${q}`;
      const body = html`<p class="muted">${doc.attachment}</p>
<form method="get" class="filters">
  <label>${tr(req, 'bud.field.stage')}<select name="stage_id">${stageOptions(req, stages, stage.id)}</select></label>
  <label>${tr(req, 'apbd.compare')}<select name="compare">${stageOptions(
    req,
    stages.filter((s) => s.id !== stage.id),
    compare?.id ?? null,
    tr(req, 'apbd.compare.none'),
  )}</select></label>
  <label>${tr(req, 'apbd.field.opd')}<select name="opd_id"><option value="">${tr(req, 'apbd.field.all_opd')}</option>${opds.map((o) => html`<option value="${o.id}" ${o.id === r.opdId ? 'selected' : ''}>${o.name}</option>`)}</select></label>
  <button>${tr(req, 'common.filter')}</button>
  <span class="actions">${tr(req, 'apbd.export')}: <a href="${api}&format=pdf">PDF</a> <a href="${api}&format=xlsx">XLSX</a> <a href="${api}&format=csv">CSV</a></span>
</form>
${doc.info.map((i) => html`<p>${i}</p>`)}
${truncated ? html`<p class="warning">${tr(req, 'apbd.truncated', { count: HTML_ROW_LIMIT })}</p>` : ''}
${reportTable(
  req,
  doc,
  rows,
  def.measures.map((m) => m.drillAcc),
  stage,
  compare,
)}`;
      return sendPage(req, reply, { title: doc.title, body });
    },
  );

  function reportTable(
    req: FastifyRequest,
    doc: Doc,
    rows: ReportRow[],
    drillAcc: Array<string | undefined>,
    stage: Stage,
    compare: Stage | null,
  ): Html {
    const cols = numericColumns(doc);
    // which measure and which stage each numeric column reads, for its drill link
    const colInfo = doc.compared
      ? doc.compared.flatMap((m) => [
          { m, stageId: compare!.id },
          { m, stageId: stage.id },
          { m, stageId: stage.id },
          { m, stageId: -1 },
        ])
      : doc.measures.map((_, m) => ({ m, stageId: stage.id }));
    return html`<div class="table-wrap"><table class="data report"><thead><tr><th>${tr(req, 'apbd.col.code')}</th><th>${tr(req, 'apbd.col.name')}</th>${doc.noteLabel ? html`<th>${doc.noteLabel}</th>` : ''}${cols.map((c) => html`<th class="num">${c.label}</th>`)}</tr></thead>
<tbody>${rows.map((r) => {
      const strong = r.kind !== 'leaf' && (r.kind !== 'group' || r.level < 2);
      return html`<tr class="${strong ? 'group' : ''}"><td>${r.code}</td><td>${'\u00a0\u00a0'.repeat(Math.min(r.level, 11))}${strong ? html`<b>${r.name}</b>` : r.name}</td>${doc.noteLabel ? html`<td>${r.note ?? ''}</td>` : ''}${cols.map(
        (c, i) => {
          const text = printCell(req.lang, c, r);
          const info = colInfo[i]!;
          const href =
            c.kind === 'money' && info.stageId > 0 && r.drill
              ? drillHref(info.stageId, r.drill, drillAcc[info.m])
              : null;
          return html`<td class="num">${href && text !== '0' ? html`<a href="${href}">${text}</a>` : text}</td>`;
        },
      )}</tr>`;
    })}</tbody></table></div>`;
  }

  // ---- drill-down ----------------------------------------------------------------------------------------
  app.get(
    '/budget/apbd/lines',
    {
      config: { auth: apbdRead },
      schema: { ...hide, querystring: drillQuery.extend({ stage_id: intIn(z.number().int().positive()) }) },
    },
    async (req, reply) => {
      const p = req.principal!;
      const stage = await requireStage(db, p.pemdaId, req.query.stage_id);
      const q = req.query;
      const filter: DrillFilter = { opd: q.opd_id, ub: q.ub, sub: q.sub, acc: q.acc, fn: q.fn };
      const res = await drillLines(db, p.pemdaId, stage, filter, req.lang, { limit: q.limit, offset: q.offset });
      const opds = new Map((await listOpds(db, p.pemdaId)).map((o) => [o.id, o.name]));
      const page = (offset: number) => {
        const u = new URLSearchParams(
          Object.entries({ ...q, offset })
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)] as [string, string]),
        );
        return `/budget/apbd/lines?${u}`;
      };
      const body = html`<p>${stage.name} · ${Object.entries(filter)
        .filter(([, v]) => v)
        .map(([k, v]) => `${k}=${k === 'opd' ? (opds.get(Number(v)) ?? v) : v}`)
        .join(' · ')}</p>
<p class="notice">${tr(req, 'apbd.drill.summary', { count: res.count, total: formatNumber(req.lang, BigInt(res.total)) })}</p>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'apbd.field.opd')}</th><th>${tr(req, 'bud.field.sub_kegiatan')}</th><th>${tr(req, 'bud.print.account')}</th><th>${tr(req, 'apbd.col.name')}</th><th>${tr(req, 'bud.field.coefficient')}</th><th class="num">${tr(req, 'bud.field.unit_price')}</th><th class="num">${tr(req, 'bud.field.total')}</th></tr></thead>
<tbody>${res.rows.map((l) => html`<tr><td>${opds.get(l.opd_id) ?? l.opd_id}</td><td>${l.sub_kegiatan_code ?? ''}</td><td>${l.account_code}</td><td>${l.name}${l.spec ? html` <span class="muted">${l.spec}</span>` : ''}</td><td>${l.coefficient}</td><td class="num">${money(req, l.unit_price)}</td><td class="num">${money(req, l.total)}</td></tr>`)}</tbody></table></div>
<nav class="pager">${q.offset > 0 ? html`<a href="${page(Math.max(0, q.offset - q.limit))}">${tr(req, 'common.prev')}</a>` : ''}${q.offset + q.limit < res.count ? html`<a href="${page(q.offset + q.limit)}">${tr(req, 'common.next')}</a>` : ''}</nav>`;
      return sendPage(req, reply, { title: tr(req, 'apbd.drill.title'), body });
    },
  );

  // ---- line diff -------------------------------------------------------------------------------------------
  app.get(
    '/budget/apbd/diff',
    {
      config: { auth: { permission: 'bud.read', opd: (req) => Number((req.query as { opd_id: string }).opd_id) } },
      schema: {
        ...hide,
        querystring: z.object({
          opd_id: intIn(z.number().int().positive()),
          from: intIn(z.number().int().positive()),
          to: intIn(z.number().int().positive()),
        }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const [from, to] = await Promise.all([
        requireStage(db, p.pemdaId, req.query.from),
        requireStage(db, p.pemdaId, req.query.to),
      ]);
      const d = await lineDiff(db, p.pemdaId, req.query.opd_id, from, to, req.lang);
      const opd = (await listOpds(db, p.pemdaId)).find((o) => o.id === req.query.opd_id);
      const side = (
        s: { account_code: string; name: string; coefficient: string; unit_price: string; total: string } | null,
      ) =>
        s
          ? html`${s.account_code} ${s.name}<br><span class="muted">${s.coefficient} × ${money(req, s.unit_price)}</span>`
          : html`<span class="muted">—</span>`;
      const body = html`<p>${opd?.name ?? req.query.opd_id}: ${from.name} → ${to.name} · ${tr(req, 'apbd.diff.added')} ${d.counts.added} · ${tr(req, 'apbd.diff.removed')} ${d.counts.removed} · ${tr(req, 'apbd.diff.changed')} ${d.counts.changed} · ${money(req, d.before)} → ${money(req, d.after)} (${money(req, BigInt(d.after) - BigInt(d.before))})</p>
${
  d.rows.length
    ? html`<div class="table-wrap"><table class="data"><thead><tr><th></th><th>${tr(req, 'bud.field.sub_kegiatan')}</th><th>${from.name}</th><th>${to.name}</th><th class="num">${tr(req, 'apbd.col.before')}</th><th class="num">${tr(req, 'apbd.col.after')}</th><th class="num">${tr(req, 'apbd.col.difference')}</th><th>${tr(req, 'apbd.diff.by')}</th></tr></thead>
<tbody>${d.rows.map(
        (
          r,
        ) => html`<tr><td><span class="badge ${r.change === 'added' ? 'ok' : r.change === 'removed' ? 'err' : 'warn'}">${tr(req, `apbd.diff.${r.change}`)}</span></td><td>${(r.after ?? r.before)?.sub_kegiatan_code ?? ''}</td><td>${side(r.before)}</td><td>${side(r.after)}</td>
<td class="num">${r.before ? money(req, r.before.total) : ''}</td><td class="num">${r.after ? money(req, r.after.total) : ''}</td><td class="num">${money(req, r.difference)}</td><td>${r.by.actor}${r.by.at ? html`<br><span class="muted">${formatDate(req.lang, r.by.at, true)}</span>` : ''}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">${tr(req, 'apbd.diff.none')}</p>`
}`;
      return sendPage(req, reply, { title: tr(req, 'apbd.diff.title'), body });
    },
  );

  // ---- DPA ------------------------------------------------------------------------------------------------
  const dpaOpd = dpaResolver(db);
  const idParams = z.object({ id: intIn(z.number().int().positive()) });
  app.post(
    '/budget/apbd/stages/:stageId/dpa',
    {
      config: { auth: { permission: 'bud.dpa.manage' } },
      schema: { ...hide, params: z.object({ stageId: intIn(z.number().int().positive()) }), body: formBody },
    },
    async (req, reply) =>
      act(reply, `/budget/apbd?stage_id=${req.params.stageId}`, () =>
        produceDpa(db, req.principal!, req.params.stageId),
      ),
  );
  app.get(
    '/budget/apbd/dpa/:id',
    {
      config: { auth: { ...read, opd: dpaOpd } },
      schema: { ...hide, params: idParams, querystring: z.object({ saved: z.string().optional() }) },
    },
    async (req, reply) => {
      const p = req.principal!;
      const dpa = await getDpa(db, p.pemdaId, req.params.id);
      if (!dpa) throw notFound('apbd.error.dpa_unknown');
      const stage = await requireStage(db, p.pemdaId, dpa.stage_id);
      const subs = await cashPlan(db, p.pemdaId, dpa);
      const mine = !isOpdScoped(p.role) || p.opdId === dpa.opd_id;
      const canPlan = mine && can(p, 'bud.dpa.plan') && dpa.status === 'draft';
      const doc = `/api/v1/budget/apbd/dpa/${dpa.id}/document`;
      const months = Array.from({ length: 12 }, (_, i) => i + 1);
      const body = html`<dl class="detail"><dt>${tr(req, 'apbd.dpa.number')}</dt><dd>${dpa.number}</dd><dt>${tr(req, 'bud.field.stage')}</dt><dd>${stage.name}</dd>
<dt>${tr(req, 'apbd.col.budget')}</dt><dd>${money(req, dpa.budget)}</dd><dt>${tr(req, 'common.status')}</dt><dd>${tr(req, `apbd.dpa.status.${dpa.status}`)}${dpa.approved_at ? html` · ${tr(req, 'apbd.dpa.approved_by', { name: dpa.approved_by ?? '', at: formatDate(req.lang, dpa.approved_at, true) })}` : ''}</dd>
<dt>${tr(req, 'apbd.export')}</dt><dd class="actions"><a href="${doc}?format=pdf">PDF</a> <a href="${doc}?format=xlsx">XLSX</a> <a href="${doc}?format=csv">CSV</a></dd></dl>
<h2>${tr(req, 'apbd.dpa.cash_plan')}</h2>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'bud.field.sub_kegiatan')}</th><th class="num">${tr(req, 'apbd.col.budget')}</th>${months.map((m) => html`<th class="num">${tr(req, `apbd.month.${m}`)}</th>`)}<th></th></tr></thead>
<tbody>${subs.map(
        (s) =>
          html`<tr><td>${s.code}<br><span class="muted">${s.name}</span></td><td class="num">${money(req, s.budget)}</td>${
            canPlan && s.budget !== '0'
              ? html`${months.map((m) => html`<td><input form="cp-${s.sub_kegiatan_id}" name="m${m}" value="${formatIdNumber(s.months[m - 1] ?? '0')}" inputmode="numeric" data-num="rupiah" size="9" aria-label="${tr(req, `apbd.month.${m}`)}"></td>`)}<td><form method="post" id="cp-${s.sub_kegiatan_id}" action="/budget/apbd/dpa/${dpa.id}/cash-plan/${s.sub_kegiatan_id}">${csrfField(req)}<button>${tr(req, 'common.save')}</button> <button name="spread" value="1" class="secondary">${tr(req, 'apbd.dpa.spread')}</button></form>`
              : html`${s.months.map((v) => html`<td class="num">${money(req, v)}</td>`)}<td>`
          }<span class="badge ${s.complete ? 'ok' : 'err'}">${tr(req, s.complete ? 'apbd.dpa.complete' : 'apbd.dpa.incomplete')}</span></td></tr>`,
      )}</tbody></table></div>
<p class="actions">
${mine && can(p, 'bud.dpa.submit') && dpa.status === 'draft' ? html`<form method="post" action="/budget/apbd/dpa/${dpa.id}/submit" class="inline">${csrfField(req)}<button>${tr(req, 'apbd.dpa.submit')}</button></form>` : ''}
${can(p, 'bud.dpa.manage') && dpa.status === 'submitted' ? html`<form method="post" action="/budget/apbd/dpa/${dpa.id}/approve" class="inline">${csrfField(req)}<button>${tr(req, 'apbd.dpa.approve')}</button></form> <form method="post" action="/budget/apbd/dpa/${dpa.id}/return" class="inline">${csrfField(req)}<button class="secondary">${tr(req, 'apbd.dpa.return')}</button></form>` : ''}
</p>`;
      return sendPage(req, reply, { title: tr(req, 'apbd.dpa.title'), body, notice: saved(req) });
    },
  );
  app.post(
    '/budget/apbd/dpa/:id/cash-plan/:subId',
    {
      config: { auth: { permission: 'bud.dpa.plan', opd: dpaOpd } },
      schema: { ...hide, params: idParams.extend({ subId: intIn(z.number().int().positive()) }), body: formBody },
    },
    async (req, reply) => {
      const raw = req.body as FormBody;
      return act(reply, `/budget/apbd/dpa/${req.params.id}`, () => {
        const b = str(raw, 'spread') ? raw : formNumbers(raw, [[/^m\d{1,2}$/, 'rupiah']]);
        const input = str(b, 'spread')
          ? { spread: true as const }
          : { months: Array.from({ length: 12 }, (_, i) => str(b, `m${i + 1}`) || '0') };
        return setCashPlan(db, req.principal!, req.params.id, req.params.subId, input);
      });
    },
  );
  for (const [action, fn, perm] of [
    ['submit', submitDpa, 'bud.dpa.submit'],
    ['approve', approveDpa, 'bud.dpa.manage'],
    ['return', returnDpa, 'bud.dpa.manage'],
  ] as const) {
    app.post(
      `/budget/apbd/dpa/:id/${action}`,
      { config: { auth: { permission: perm, opd: dpaOpd } }, schema: { ...hide, params: idParams, body: formBody } },
      async (req, reply) =>
        act(reply, `/budget/apbd/dpa/${req.params.id}`, () => fn(db, req.principal!, req.params.id)),
    );
  }
}
