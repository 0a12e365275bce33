// The public transparency portal (no log-in): the approved APBD by OPD, program, function and
// account with drill-down to sub kegiatan and lines, typo-tolerant search over line descriptions,
// realisation per OPD and sub kegiatan, Musrenbang/Pokir outcomes. Only closed APBD stages and
// approved sub kegiatan are read (budgeting's public views); responses are cacheable and light.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { sendPage, tr } from '../../core/http/layout.ts';
import { formatNumber, type Lang } from '../../core/i18n/i18n.ts';
import { notFound } from '../../core/errors.ts';
import {
  coefficientLabel,
  executionYears,
  lineTotals,
  listFunctions,
  listPublicStages,
  listStageLines,
  searchStageLines,
  type Dimension,
  type PublicLine,
  type PublicStage,
} from '../budgeting/index.ts';
import { reportingMonth, subStatuses, type SubStatus } from '../controlling/index.ts';
import { listNomenclature, listOpds, listRegions } from '../master-data/index.ts';
import { listPublicOutcomes, proposalYears } from '../planning/index.ts';
import { cacheable, portalPemda, publicStage, stageSlug } from './portal.ts';

const hide = { hide: true } as const;
const yearP = intIn(z.number().int().min(2000).max(2100));
const slugP = z.string().regex(/^(murni|perubahan|pergeseran-\d{1,2})$/);
const pemdaQ = { pemda: z.string().max(10).optional() };
export const PAGE_SIZE = 100;

export const rpText = (lang: Lang, v: string | bigint) => formatNumber(lang, BigInt(v));
const pctText = (lang: Lang, v: number | null) =>
  v === null ? '–' : `${lang === 'id' ? v.toFixed(1).replace('.', ',') : v.toFixed(1)}%`;
export const coefficient = (lang: Lang, l: PublicLine) =>
  coefficientLabel(
    lang,
    (
      [
        [l.v1, l.u1],
        [l.v2, l.u2],
        [l.v3, l.u3],
        [l.v4, l.u4],
      ] as Array<[string | null, string | null]>
    )
      .filter((f): f is [string, string] => f[0] !== null && f[1] !== null)
      .map(([v, u]) => ({ v, u })),
  );

export async function portalPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const base = (year: number, slug: string) => `/portal/apbd/${year}/${slug}`;

  const page = (req: FastifyRequest, reply: FastifyReply, title: string, body: Html, crumbs: Html[] = []) =>
    sendPage(req, cacheable(reply), {
      title,
      body: html`<nav class="crumbs" aria-label="breadcrumb"><a href="/portal">${tr(req, 'tp.title')}</a>${crumbs.map((c) => html` › ${c}`)}</nav>${body}`,
    });

  const searchForm = (req: FastifyRequest, stage?: PublicStage, q = '') =>
    html`<form method="get" action="/portal/cari" class="filters" role="search">
${stage ? html`<input type="hidden" name="year" value="${stage.year}"><input type="hidden" name="stage" value="${stageSlug(stage)}">` : ''}
<label>${tr(req, 'tp.search.q')} <input name="q" value="${q}" maxlength="100" required></label><button>${tr(req, 'tp.search.go')}</button></form>`;

  // ---- home ------------------------------------------------------------------------------------
  app.get(
    '/portal',
    { config: { auth: 'public' }, schema: { ...hide, querystring: z.object(pemdaQ) } },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const [stages, execYears, propYears] = await Promise.all([
        listPublicStages(db, pemda.id),
        executionYears(db, pemda.id),
        proposalYears(db, pemda.id),
      ]);
      const body = html`<p>${tr(req, 'tp.intro')}</p>
${stages.length ? searchForm(req, stages[0]) : ''}
<h2>${tr(req, 'tp.apbd')}</h2>
${
  stages.length
    ? html`<ul class="stages">${stages.map(
        (
          s,
        ) => html`<li><a href="${base(s.year, stageSlug(s))}">${s.name}</a> · <a href="/portal/data/${s.year}/${stageSlug(s)}/lines.csv">${tr(req, 'tp.download.csv')}</a>
  · <a href="/portal/data/${s.year}/${stageSlug(s)}/lines.json">${tr(req, 'tp.download.json')}</a>
  · <a href="/portal/data/${s.year}/${stageSlug(s)}/fdp/datapackage.json">${tr(req, 'tp.download.fdp')}</a></li>`,
      )}</ul><p class="muted">${tr(req, 'tp.stage_hint')}</p>`
    : html`<p class="muted">${tr(req, 'tp.none')}</p>`
}
${execYears.length ? html`<h2>${tr(req, 'tp.realisation')}</h2><ul>${execYears.map((y) => html`<li><a href="/portal/realisasi/${y}">${tr(req, 'tp.realisation')} ${y}</a> · <a href="/portal/data/${y}/ocds.json">${tr(req, 'tp.download.ocds')}</a></li>`)}</ul>` : ''}
${propYears.length ? html`<h2>${tr(req, 'tp.proposals')}</h2><ul>${propYears.map((y) => html`<li><a href="/portal/usulan/${y}">${tr(req, 'tp.proposals')} ${y}</a></li>`)}</ul>` : ''}`;
      return page(req, reply, tr(req, 'tp.title'), body);
    },
  );

  // ---- the APBD of a stage -----------------------------------------------------------------------
  const byQ = z.object({ by: z.enum(['opd', 'program', 'function', 'account']).default('opd'), ...pemdaQ });
  app.get(
    '/portal/apbd/:year/:stage',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ year: yearP, stage: slugP }), querystring: byQ },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const lang = req.lang;
      const stage = await publicStage(db, pemda.id, req.params.year, req.params.stage);
      const by = req.query.by;
      const dim: Dimension = by === 'account' ? 'account' : by;
      const [kinds, rows, opds, fns, noms] = await Promise.all([
        lineTotals(db, pemda.id, stage.id, 'kind'),
        lineTotals(db, pemda.id, stage.id, dim, { kind: 'belanja' }),
        listOpds(db, pemda.id),
        listFunctions(db, pemda.id),
        listNomenclature(db, pemda.id, stage.year, { includeInactive: true }),
      ]);
      const opdName = new Map(opds.map((o) => [String(o.id), o.name]));
      const fnName = new Map(fns.map((f) => [f.code, f.name]));
      const nomName = new Map(noms.map((n) => [n.code, n.name]));
      const slug = stageSlug(stage);
      // program / function / account rows merge over OPD
      const merged = new Map<string, { key: string; total: bigint; lines: number }>();
      for (const r of rows) {
        const k = by === 'opd' ? r.key : r.key;
        const m = merged.get(k) ?? { key: k, total: 0n, lines: 0 };
        m.total += BigInt(r.total);
        m.lines += r.lines;
        merged.set(k, m);
      }
      const list = [...merged.values()];
      if (by === 'opd') list.sort((a, b) => (b.total > a.total ? 1 : b.total < a.total ? -1 : 0));
      const grand = list.reduce((s, r) => s + r.total, 0n);
      const link = (k: string): string =>
        by === 'opd'
          ? `${base(stage.year, slug)}/opd/${k}`
          : `${base(stage.year, slug)}/rincian?${by === 'program' ? 'sub' : by === 'function' ? 'fn' : 'account'}=${encodeURIComponent(k)}`;
      const label = (k: string): string =>
        by === 'opd'
          ? (opdName.get(k) ?? k)
          : by === 'function'
            ? (fnName.get(k) ?? k)
            : by === 'program'
              ? (nomName.get(k) ?? '')
              : '';
      const tabs = (['opd', 'program', 'function', 'account'] as const).map(
        (b) =>
          html`<a href="${base(stage.year, slug)}?by=${b}"${b === by ? html` aria-current="page"` : ''}>${tr(req, `tp.by.${b}`)}</a>`,
      );
      const body = html`<table class="data" id="summary"><tbody>${kinds.map(
        (k) => html`<tr><th>${tr(req, `tp.kind.${k.key}`)}</th><td class="num">${rpText(lang, k.total)}</td></tr>`,
      )}</tbody></table>
${searchForm(req, stage)}
<nav class="tabs">${tabs}</nav>
<div class="table-wrap"><table class="data" id="apbd-table"><thead><tr><th>${tr(req, 'tp.col.code')}</th><th>${tr(req, 'tp.col.name')}</th>
<th class="num">${tr(req, 'tp.col.total')}</th><th class="num">${tr(req, 'tp.col.lines')}</th></tr></thead><tbody>
${list.map(
  (
    r,
  ) => html`<tr><td><a href="${link(r.key)}">${by === 'opd' ? (opds.find((o) => String(o.id) === r.key)?.code ?? r.key) : r.key || '–'}</a></td>
<td>${label(r.key)}</td><td class="num">${rpText(lang, r.total)}</td><td class="num">${r.lines}</td></tr>`,
)}</tbody><tfoot><tr><td></td><th>${tr(req, 'tp.total')}</th><td class="num">${rpText(lang, grand)}</td><td></td></tr></tfoot></table></div>
<p>${tr(req, 'tp.downloads')}: <a href="/portal/data/${stage.year}/${slug}/lines.csv">${tr(req, 'tp.download.csv')}</a> ·
<a href="/portal/data/${stage.year}/${slug}/lines.json">${tr(req, 'tp.download.json')}</a> ·
<a href="/portal/data/${stage.year}/${slug}/fdp/datapackage.json">${tr(req, 'tp.download.fdp')}</a></p>`;
      return page(req, reply, `${stage.name} · ${pemda.name}`, body);
    },
  );

  // ---- an OPD: its sub kegiatan ------------------------------------------------------------------------
  app.get(
    '/portal/apbd/:year/:stage/opd/:opd',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        params: z.object({ year: yearP, stage: slugP, opd: intIn(z.number().int().positive()) }),
        querystring: z.object(pemdaQ),
      },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const lang = req.lang;
      const stage = await publicStage(db, pemda.id, req.params.year, req.params.stage);
      const opd = (await listOpds(db, pemda.id)).find((o) => o.id === req.params.opd);
      if (!opd) throw notFound();
      const slug = stageSlug(stage);
      const [subs, kinds, noms] = await Promise.all([
        lineTotals(db, pemda.id, stage.id, 'sub_kegiatan', { opdId: opd.id, kind: 'belanja' }),
        lineTotals(db, pemda.id, stage.id, 'kind', { opdId: opd.id }),
        listNomenclature(db, pemda.id, stage.year, { includeInactive: true }),
      ]);
      if (!kinds.length) throw notFound();
      const nomName = new Map(noms.map((n) => [n.code, n.name]));
      const other = kinds.filter((k) => k.key !== 'belanja');
      const body = html`<table class="data" id="summary"><tbody>${kinds.map(
        (k) => html`<tr><th>${tr(req, `tp.kind.${k.key}`)}</th><td class="num">${rpText(lang, k.total)}</td></tr>`,
      )}</tbody></table>
<div class="table-wrap"><table class="data" id="opd-subs"><thead><tr><th>${tr(req, 'tp.col.code')}</th><th>${tr(req, 'tp.col.sub')}</th>
<th class="num">${tr(req, 'tp.col.total')}</th><th class="num">${tr(req, 'tp.col.lines')}</th></tr></thead><tbody>
${subs.map(
  (
    s,
  ) => html`<tr><td><a href="${base(stage.year, slug)}/opd/${opd.id}/sub/${s.key}">${s.key}</a></td><td>${nomName.get(s.key) ?? ''}</td>
<td class="num">${rpText(lang, s.total)}</td><td class="num">${s.lines}</td></tr>`,
)}</tbody></table></div>
${other.map((k) => html`<p><a href="${base(stage.year, slug)}/rincian?opd=${opd.id}&kind=${k.key}">${tr(req, `tp.kind.${k.key}`)}</a></p>`)}
<p>${tr(req, 'tp.downloads')}: <a href="/portal/data/${stage.year}/${slug}/opd/${opd.id}/lines.csv">${tr(req, 'tp.download.csv')}</a> ·
<a href="/portal/data/${stage.year}/${slug}/opd/${opd.id}/lines.json">${tr(req, 'tp.download.json')}</a></p>`;
      return page(req, reply, `${opd.name} · ${stage.name}`, body, [
        html`<a href="${base(stage.year, slug)}">${stage.name}</a>`,
      ]);
    },
  );

  // ---- lines: of a sub kegiatan, or any filter ----------------------------------------------------------
  const linesTable = (
    req: FastifyRequest,
    lines: PublicLine[],
    opdName: Map<number, string>,
  ) => html`<div class="table-wrap"><table class="data" id="lines">
<thead><tr><th>${tr(req, 'tp.col.opd')}</th><th>${tr(req, 'tp.col.sub')}</th><th>${tr(req, 'tp.col.account')}</th><th>${tr(req, 'tp.col.name')}</th>
<th>${tr(req, 'tp.col.coefficient')}</th><th class="num">${tr(req, 'tp.col.unit_price')}</th><th class="num">${tr(req, 'tp.col.total')}</th><th></th></tr></thead><tbody>
${lines.map(
  (
    l,
  ) => html`<tr><td>${opdName.get(l.opd_id) ?? l.opd_id}</td><td>${l.sub_kegiatan_code ?? ''}</td><td>${l.account_code}</td>
<td>${l.name}${l.spec ? html`<br><small class="muted">${l.spec}</small>` : ''}</td><td>${coefficient(req.lang, l)}</td>
<td class="num">${rpText(req.lang, l.unit_price)}</td><td class="num">${rpText(req.lang, l.total)}</td>
<td><a href="/portal/jejak/rincian/${l.id}">${tr(req, 'tp.trace')}</a></td></tr>`,
)}</tbody></table></div>`;

  const pager = (req: FastifyRequest, url: string, p: number, count: number) => {
    const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
    if (pages === 1) return html``;
    const sep = url.includes('?') ? '&' : '?';
    return html`<nav class="pager">${p > 1 ? html`<a href="${url}${sep}page=${p - 1}">${tr(req, 'tp.prev')}</a>` : ''}
${tr(req, 'tp.page', { page: p, pages })}${p < pages ? html` <a href="${url}${sep}page=${p + 1}">${tr(req, 'tp.next')}</a>` : ''}</nav>`;
  };

  app.get(
    '/portal/apbd/:year/:stage/opd/:opd/sub/:sub',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        params: z.object({
          year: yearP,
          stage: slugP,
          opd: intIn(z.number().int().positive()),
          sub: z.string().max(40),
        }),
        querystring: z.object({ page: intIn(z.number().int().min(1).max(100000).default(1)), ...pemdaQ }),
      },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const lang = req.lang;
      const stage = await publicStage(db, pemda.id, req.params.year, req.params.stage);
      const slug = stageSlug(stage);
      const { opd: opdId, sub } = req.params;
      const p = req.query.page;
      const res = await listStageLines(
        db,
        pemda.id,
        stage.id,
        { opdId, sub, kind: 'belanja' },
        { limit: PAGE_SIZE, offset: (p - 1) * PAGE_SIZE },
      );
      if (!res.count) throw notFound();
      const opds = await listOpds(db, pemda.id);
      const opd = opds.find((o) => o.id === opdId);
      const nom = (await listNomenclature(db, pemda.id, stage.year, { includeInactive: true })).find(
        (n) => n.code === sub,
      );
      const exec = (await executionYears(db, pemda.id)).includes(stage.year);
      const status = exec
        ? (await subStatuses(db, pemda.id, stage.year, reportingMonth(stage.year) || 12, opdId)).find(
            (s) => s.sub_kegiatan_code === sub,
          )
        : undefined;
      const body = html`<p><b>${sub}</b> ${nom?.name ?? ''} · ${opd?.name ?? ''} · ${tr(req, 'tp.total')} Rp ${rpText(lang, res.total)}</p>
${status ? realisationRow(req, lang, [status]) : ''}
${linesTable(req, res.rows, new Map(opds.map((o) => [o.id, o.shortName || o.name])))}
${pager(req, `${base(stage.year, slug)}/opd/${opdId}/sub/${sub}`, p, res.count)}
<p>${tr(req, 'tp.downloads')}: <a href="/portal/data/${stage.year}/${slug}/opd/${opdId}/sub/${sub}/lines.csv">${tr(req, 'tp.download.csv')}</a> ·
<a href="/portal/data/${stage.year}/${slug}/opd/${opdId}/sub/${sub}/lines.json">${tr(req, 'tp.download.json')}</a></p>`;
      return page(req, reply, tr(req, 'tp.lines_of', { name: nom?.name ?? sub }), body, [
        html`<a href="${base(stage.year, slug)}">${stage.name}</a>`,
        html`<a href="${base(stage.year, slug)}/opd/${opdId}">${opd?.shortName || opd?.name || opdId}</a>`,
      ]);
    },
  );

  app.get(
    '/portal/apbd/:year/:stage/rincian',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        params: z.object({ year: yearP, stage: slugP }),
        querystring: z.object({
          opd: intIn(z.number().int().positive().optional()),
          sub: z.string().max(40).optional(),
          account: z.string().max(40).optional(),
          fn: z.string().max(4).optional(),
          kind: z.enum(['belanja', 'pendapatan', 'pembiayaan']).optional(),
          page: intIn(z.number().int().min(1).max(100000).default(1)),
          ...pemdaQ,
        }),
      },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const stage = await publicStage(db, pemda.id, req.params.year, req.params.stage);
      const slug = stageSlug(stage);
      const q = req.query;
      const f = { opdId: q.opd, sub: q.sub, account: q.account, fn: q.fn, kind: q.kind };
      const res = await listStageLines(db, pemda.id, stage.id, f, {
        limit: PAGE_SIZE,
        offset: (q.page - 1) * PAGE_SIZE,
      });
      const opds = await listOpds(db, pemda.id);
      const params = new URLSearchParams(
        Object.entries({ opd: q.opd, sub: q.sub, account: q.account, fn: q.fn, kind: q.kind })
          .filter(([, v]) => v !== undefined)
          .map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      const body = html`<p>${tr(req, 'tp.total')} Rp ${rpText(req.lang, res.total)} · ${res.count} ${tr(req, 'tp.col.lines')}</p>
${linesTable(req, res.rows, new Map(opds.map((o) => [o.id, o.shortName || o.name])))}
${pager(req, `${base(stage.year, slug)}/rincian?${params}`, q.page, res.count)}`;
      return page(req, reply, `${stage.name} · ${tr(req, 'tp.col.lines')}`, body, [
        html`<a href="${base(stage.year, slug)}">${stage.name}</a>`,
      ]);
    },
  );

  // ---- search ----------------------------------------------------------------------------------------------
  app.get(
    '/portal/cari',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        querystring: z.object({
          q: z.string().max(100).default(''),
          year: yearP.optional(),
          stage: slugP.optional(),
          ...pemdaQ,
        }),
      },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const stages = await listPublicStages(db, pemda.id, req.query.year);
      const stage = req.query.stage ? stages.find((s) => stageSlug(s) === req.query.stage) : stages[0];
      if (!stage) throw notFound();
      const q = req.query.q.trim();
      const rows = q ? await searchStageLines(db, pemda.id, stage.id, q, { onlyPublic: true, limit: 100 }) : [];
      const opds = await listOpds(db, pemda.id);
      const body = html`${searchForm(req, stage, q)}
${q ? html`<p>${tr(req, 'tp.search.results', { count: rows.length, q, stage: stage.name })}</p>` : ''}
${q && !rows.length ? html`<p class="muted">${tr(req, 'tp.search.none')}</p>` : ''}
${rows.length ? linesTable(req, rows, new Map(opds.map((o) => [o.id, o.shortName || o.name]))) : ''}`;
      return page(req, reply, tr(req, 'tp.search'), body, [
        html`<a href="${base(stage.year, stageSlug(stage))}">${stage.name}</a>`,
      ]);
    },
  );

  // ---- realisation ---------------------------------------------------------------------------------------------
  app.get(
    '/portal/realisasi/:year',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        params: z.object({ year: yearP }),
        querystring: z.object({ opd: intIn(z.number().int().positive().optional()), ...pemdaQ }),
      },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const year = req.params.year;
      if (!(await executionYears(db, pemda.id)).includes(year)) throw notFound();
      const month = reportingMonth(year) || 1;
      const subs = await subStatuses(db, pemda.id, year, month, req.query.opd);
      const opds = await listOpds(db, pemda.id);
      const name = new Map(opds.map((o) => [o.id, o.name]));
      const body = req.query.opd
        ? realisationRow(req, req.lang, subs)
        : realisationByOpd(
            req,
            req.lang,
            subs,
            (id) => html`<a href="/portal/realisasi/${year}?opd=${id}">${name.get(id) ?? id}</a>`,
          );
      return page(
        req,
        reply,
        tr(req, 'tp.realisation_title', { year, month }),
        html`${body}<p>${tr(req, 'tp.downloads')}: <a href="/portal/data/realisasi/${year}/realisasi.csv">${tr(req, 'tp.download.csv')}</a> ·
<a href="/portal/data/realisasi/${year}/realisasi.json">${tr(req, 'tp.download.json')}</a></p>`,
        req.query.opd ? [html`<a href="/portal/realisasi/${year}">${tr(req, 'tp.realisation')} ${year}</a>`] : [],
      );
    },
  );

  // ---- Musrenbang and Pokir outcomes ------------------------------------------------------------------------------
  app.get(
    '/portal/usulan/:year',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ year: yearP }), querystring: z.object(pemdaQ) },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const rows = await listPublicOutcomes(db, pemda.id, req.params.year);
      const [opds, regions] = await Promise.all([listOpds(db, pemda.id), listRegions(db, pemda.id)]);
      const opd = new Map(opds.map((o) => [o.id, o.shortName || o.name]));
      const region = new Map(regions.map((r) => [r.id, r.name]));
      const body = html`<div class="table-wrap"><table class="data" id="proposals"><thead><tr><th>${tr(req, 'tp.col.tracking')}</th><th>${tr(req, 'tp.col.kind')}</th>
<th>${tr(req, 'tp.col.title')}</th><th>Kecamatan</th><th>${tr(req, 'tp.col.opd')}</th><th>${tr(req, 'tp.col.status')}</th><th class="num">${tr(req, 'tp.col.amount')}</th></tr></thead><tbody>
${rows.map(
  (
    r,
  ) => html`<tr><td><a href="/portal/jejak/usulan/${encodeURIComponent(r.tracking_code)}">${r.tracking_code}</a></td><td>${tr(req, `tp.kind.${r.kind}`)}</td><td>${r.title}</td>
<td>${region.get(r.kecamatan_id) ?? ''}</td><td>${r.opd_id ? (opd.get(r.opd_id) ?? '') : ''}</td><td>${tr(req, `tp.status.${r.status}`)}</td>
<td class="num">${r.recommended_amount ? rpText(req.lang, r.recommended_amount) : ''}</td></tr>`,
)}</tbody></table></div>
<p>${tr(req, 'tp.downloads')}: <a href="/portal/data/usulan/${req.params.year}/usulan.csv">${tr(req, 'tp.download.csv')}</a> ·
<a href="/portal/data/usulan/${req.params.year}/usulan.json">${tr(req, 'tp.download.json')}</a></p>`;
      return page(req, reply, tr(req, 'tp.proposals_title', { year: req.params.year }), body);
    },
  );
}

function realisationByOpd(req: FastifyRequest, lang: Lang, subs: SubStatus[], label: (opdId: number) => Html): Html {
  const by = new Map<number, { b: bigint; r: bigint }>();
  for (const s of subs) {
    const a = by.get(s.opd_id) ?? { b: 0n, r: 0n };
    a.b += BigInt(s.budget);
    a.r += BigInt(s.realised);
    by.set(s.opd_id, a);
  }
  const rows = [...by.entries()]
    .map(([id, a]) => ({ id, ...a, pct: a.b ? Number((a.r * 10000n) / a.b) / 100 : 0 }))
    .sort((x, y) => y.pct - x.pct);
  return html`<div class="table-wrap"><table class="data" id="realisation-opd"><thead><tr><th>${tr(req, 'tp.col.opd')}</th><th class="num">${tr(req, 'tp.col.budget')}</th>
<th class="num">${tr(req, 'tp.col.realised')}</th><th class="num">${tr(req, 'tp.col.financial')}</th></tr></thead><tbody>
${rows.map(
  (
    r,
  ) => html`<tr><td>${label(r.id)}</td><td class="num">${rpText(lang, r.b)}</td><td class="num">${rpText(lang, r.r)}</td>
<td class="num">${pctText(lang, r.pct)} <meter min="0" max="100" value="${Math.min(100, r.pct)}">${r.pct}%</meter></td></tr>`,
)}</tbody></table></div>`;
}

function realisationRow(req: FastifyRequest, lang: Lang, subs: SubStatus[]): Html {
  return html`<div class="table-wrap"><table class="data" id="realisation-sub"><thead><tr><th>${tr(req, 'tp.col.sub')}</th><th class="num">${tr(req, 'tp.col.budget')}</th>
<th class="num">${tr(req, 'tp.col.realised')}</th><th class="num">${tr(req, 'tp.col.financial')}</th><th class="num">${tr(req, 'tp.col.physical')}</th></tr></thead><tbody>
${subs.map(
  (
    s,
  ) => html`<tr><td>${s.sub_kegiatan_code} ${s.name}</td><td class="num">${rpText(lang, s.budget)}</td><td class="num">${rpText(lang, s.realised)}</td>
<td class="num">${pctText(lang, s.financial_pct)}</td><td class="num">${pctText(lang, s.physical_pct)}</td></tr>`,
)}</tbody></table></div>`;
}
