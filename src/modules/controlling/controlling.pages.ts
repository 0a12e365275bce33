// Pages of e-Controlling: the absorption dashboard (every chart is a table with a <meter> bar, so
// the numbers are always there and no script or inline style is needed), early warnings, the SP2D
// register (import and manual entry) and the OPD's physical-progress form.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { AppError } from '../../core/errors.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { formatNumber, type Lang } from '../../core/i18n/i18n.ts';
import { can } from '../../core/auth/policy.ts';
import { executionYears } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';
import {
  dashboard,
  reportingMonth,
  setProgress,
  subStatuses,
  visibleOpd,
  type Figure,
  type Warning,
} from './monitor.service.ts';
import { createRealisation, importSp2d, listRealisation, SP2D_COLUMNS } from './realisation.service.ts';
import { dashboardQuery } from './controlling.schema.ts';
import { listPackages } from './packages.service.ts';

const hide = { hide: true } as const;
const anyBody = z.record(z.string(), z.unknown());

export const num = (lang: Lang, v: string | bigint | number) =>
  formatNumber(lang, typeof v === 'number' ? v : BigInt(v));
export const pctText = (lang: Lang, v: number | null) =>
  v === null ? '–' : `${lang === 'id' ? v.toFixed(1).replace('.', ',') : v.toFixed(1)}%`;
/** A bar for a percentage (a <meter>: no script, no inline style). */
export const bar = (v: number | null) =>
  v === null ? '' : html`<meter min="0" max="100" value="${Math.max(0, Math.min(100, v))}">${v}%</meter>`;

export async function controllingPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  const filters = async (req: FastifyRequest, action: string, year: number, month: number, opdId?: number) => {
    const p = req.principal!;
    const years = await executionYears(db, p.pemdaId);
    const opds = (await listOpds(db, p.pemdaId)).filter((o) => o.kind === 'opd');
    const mayAll = visibleOpd(p, undefined) === undefined;
    return html`<form method="get" action="${action}" class="filters">
  <label>${tr(req, 'ctl.year')} <select name="year">${years.map((y) => html`<option value="${y}"${y === year ? html` selected` : ''}>${y}</option>`)}</select></label>
  <label>${tr(req, 'ctl.month')} <select name="month">${Array.from({ length: 12 }, (_, i) => i + 1).map((m) => html`<option value="${m}"${m === month ? html` selected` : ''}>${m}</option>`)}</select></label>
  ${
    mayAll
      ? html`<label>${tr(req, 'ctl.opd')} <select name="opd_id"><option value="">${tr(req, 'ctl.all_opd')}</option>${opds.map(
          (o) =>
            html`<option value="${o.id}"${o.id === opdId ? html` selected` : ''}>${o.shortName || o.name}</option>`,
        )}</select></label>`
      : ''
  }
  <button>${tr(req, 'ctl.show')}</button></form>`;
  };

  const noYear = (req: FastifyRequest, reply: FastifyReply, title: string) =>
    sendPage(req, reply, { title, body: html`<p class="muted">${tr(req, 'ctl.none_year')}</p>` });

  // ---- dashboard ----------------------------------------------------------------------------------
  app.get(
    '/controlling',
    { config: { auth: { permission: 'ctl.read' } }, schema: { ...hide, querystring: dashboardQuery } },
    async (req, reply) => {
      const p = req.principal!;
      const lang = req.lang;
      const years = await executionYears(db, p.pemdaId);
      const year = req.query.year ?? years[0];
      if (!year) return noYear(req, reply, tr(req, 'ctl.nav.dashboard'));
      const month = req.query.month ?? (reportingMonth(year) || 1);
      const d = await dashboard(db, p, { year, month, opdId: req.query.opd_id });
      const opds = new Map((await listOpds(db, p.pemdaId)).map((o) => [o.id, o]));
      const opdName = (id?: number) => (id ? (opds.get(id)?.name ?? String(id)) : '');
      const figureRow = (label: Html | string, f: Figure, rank?: number) => html`<tr>
        ${rank !== undefined ? html`<td class="num">${rank}</td>` : ''}<td>${label}</td>
        <td class="num">${num(lang, f.budget)}</td><td class="num">${num(lang, f.planned)}</td><td class="num">${num(lang, f.realised)}</td>
        <td class="num">${pctText(lang, f.planned_pct)}</td><td class="num">${pctText(lang, f.financial_pct)} ${bar(f.financial_pct)}</td>
        <td class="num">${pctText(lang, f.physical_pct)}</td><td class="num">${num(lang, BigInt(f.realised) - BigInt(f.planned))}</td></tr>`;
      const head = (
        first: string,
        rank = false,
      ) => html`<thead><tr>${rank ? html`<th>${tr(req, 'ctl.col.rank')}</th>` : ''}<th>${first}</th>
        <th class="num">${tr(req, 'ctl.col.budget')}</th><th class="num">${tr(req, 'ctl.col.planned')}</th><th class="num">${tr(req, 'ctl.col.realised')}</th>
        <th class="num">${tr(req, 'ctl.col.planned_pct')}</th><th class="num">${tr(req, 'ctl.col.financial')}</th>
        <th class="num">${tr(req, 'ctl.col.physical')}</th><th class="num">${tr(req, 'ctl.col.deviation')}</th></tr></thead>`;
      const q = (extra: Record<string, string | number>) =>
        new URLSearchParams(
          Object.entries({ year, month, ...extra }).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString();
      const body = html`${await filters(req, '/controlling', year, month, d.opd_id ?? undefined)}
<p class="muted">${tr(req, 'ctl.as_of', { month })} · ${tr(req, 'ctl.chart_hint')}</p>
<h2>${tr(req, 'ctl.section.opd')}</h2>
<div class="table-wrap"><table class="data" id="by-opd">${head(tr(req, 'ctl.opd'), true)}<tbody>
${d.byOpd.map((f, i) => figureRow(html`<a href="/controlling?${q({ opd_id: f.key })}">${opdName(f.opd_id)}</a>`, f, i + 1))}
</tbody>${d.total ? html`<tfoot>${figureRow(tr(req, 'ctl.total'), d.total, 0)}</tfoot>` : ''}</table></div>
<h2>${tr(req, 'ctl.section.month')}</h2>
<div class="table-wrap"><table class="data" id="by-month"><thead><tr><th>${tr(req, 'ctl.col.month')}</th>
<th class="num">${tr(req, 'ctl.col.month_plan')}</th><th class="num">${tr(req, 'ctl.col.month_real')}</th>
<th class="num">${tr(req, 'ctl.col.cum_plan')}</th><th class="num">${tr(req, 'ctl.col.cum_real')}</th></tr></thead><tbody>
${d.byMonth.map(
  (
    m,
  ) => html`<tr><td>${m.month}</td><td class="num">${num(lang, m.planned)}</td><td class="num">${num(lang, m.realised)}</td>
  <td class="num">${pctText(lang, m.planned_cum_pct)} ${bar(m.planned_cum_pct)}</td><td class="num">${pctText(lang, m.realised_cum_pct)} ${bar(m.realised_cum_pct)}</td></tr>`,
)}</tbody></table></div>
<h2>${tr(req, 'ctl.section.program')}</h2>
<div class="table-wrap"><table class="data" id="by-program">${head(tr(req, 'ctl.col.program'))}<tbody>
${d.byProgram.map((f) => figureRow(f.key, f))}</tbody></table></div>
<h2 id="warnings">${tr(req, 'ctl.section.warnings')}</h2>
${warningTable(req, lang, d.warnings, opdName)}`;
      return sendPage(req, reply, { title: tr(req, 'ctl.title.dashboard', { year }), body });
    },
  );

  // ---- realisation: list, import, manual ------------------------------------------------------------
  const realisationPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    year: number,
    opts: { notice?: string; errors?: Array<{ row?: number; field: string; message: string }>; status?: number } = {},
  ) => {
    const p = req.principal!;
    const lang = req.lang;
    const q = req.query as { opd_id?: string; offset?: string };
    const opdAsked = q.opd_id && /^\d+$/.test(q.opd_id) ? Number(q.opd_id) : undefined;
    const list = await listRealisation(db, p, {
      year,
      opdId: visibleOpd(p, opdAsked),
      limit: 100,
      offset: q.offset && /^\d+$/.test(q.offset) ? Number(q.offset) : 0,
    });
    const opds = new Map((await listOpds(db, p.pemdaId)).map((o) => [o.id, o]));
    const mayWrite = can(p, 'ctl.realisation.write');
    const body = html`${opts.errors?.length ? html`<table class="data import-errors"><thead><tr><th>#</th><th>${tr(req, 'ctl.col.account')}</th><th></th></tr></thead><tbody>${opts.errors.map((e) => html`<tr><td>${e.row ?? ''}</td><td>${e.field}</td><td>${e.message}</td></tr>`)}</tbody></table>` : ''}
${
  mayWrite
    ? html`<h2>${tr(req, 'ctl.import.title')}</h2>
<form method="post" action="/controlling/realisation/import?year=${year}" enctype="multipart/form-data" class="form narrow">${csrfField(req)}
<p class="hint">${tr(req, 'ctl.import.hint', { columns: SP2D_COLUMNS.map((c) => c.header).join(', ') })}</p>
<label>${tr(req, 'ctl.import.file')} <input type="file" name="file" accept=".csv,.xlsx" required></label>
<div class="actions"><button>${tr(req, 'ctl.import.send')}</button></div></form>
<details><summary>${tr(req, 'ctl.manual.title')}</summary>
<form method="post" action="/controlling/realisation?year=${year}" class="form narrow">${csrfField(req)}
${(
  [
    ['sp2d_number', 'ctl.col.sp2d'],
    ['date', 'ctl.col.date'],
    ['opd', 'ctl.opd'],
    ['sub_kegiatan', 'ctl.col.sub'],
    ['account', 'ctl.col.account'],
    ['amount', 'ctl.col.amount'],
    ['payee', 'ctl.col.payee'],
    ['description', 'ctl.col.description'],
  ] as const
).map(
  ([n, l]) =>
    html`<label>${tr(req, l)} <input name="${n}"${n === 'amount' ? html` inputmode="numeric"` : ''}${n === 'date' ? html` type="date"` : ''}${n === 'opd' && p.opdId ? html` value="${opds.get(p.opdId)?.code ?? ''}"` : ''}></label>`,
)}
<div class="actions"><button>${tr(req, 'ctl.manual.send')}</button></div></form></details>`
    : ''
}
<h2>${tr(req, 'ctl.nav.realisation')} · ${tr(req, 'ctl.total')} Rp ${num(lang, list.total)} (${list.count})</h2>
${
  list.rows.length
    ? html`<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'ctl.col.sp2d')}</th><th>${tr(req, 'ctl.col.date')}</th><th>${tr(req, 'ctl.opd')}</th>
<th>${tr(req, 'ctl.col.sub')}</th><th>${tr(req, 'ctl.col.account')}</th><th class="num">${tr(req, 'ctl.col.amount')}</th><th>${tr(req, 'ctl.col.payee')}</th><th>${tr(req, 'ctl.col.source')}</th></tr></thead><tbody>
${list.rows.map(
  (
    r,
  ) => html`<tr><td>${can(p, 'tp.trace.internal', { opdId: r.opd_id }) ? html`<a href="/trace/sp2d/${encodeURIComponent(r.sp2d_number)}" title="${tr(req, 'tp.itrace.why')}">${r.sp2d_number}</a>` : r.sp2d_number}</td><td>${r.sp2d_date}</td><td>${opds.get(r.opd_id)?.shortName ?? r.opd_id}</td>
<td>${r.sub_kegiatan_code}</td><td>${r.account_code}</td><td class="num">${num(lang, r.amount)}</td><td>${r.payee}</td><td>${tr(req, `ctl.source.${r.source}`)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="muted">${tr(req, 'ctl.empty')}</p>`
}`;
    return sendPage(req, reply, {
      title: tr(req, 'ctl.title.realisation', { year }),
      body,
      notice: opts.notice,
      status: opts.status,
    });
  };

  const yearQuery = z.object({ year: intIn(z.number().int().min(2000).max(2100).optional()) }).passthrough();
  app.get(
    '/controlling/realisation',
    { config: { auth: { permission: 'ctl.read' } }, schema: { ...hide, querystring: yearQuery } },
    async (req, reply) => {
      const year = req.query.year ?? (await executionYears(db, req.principal!.pemdaId))[0];
      if (!year) return noYear(req, reply, tr(req, 'ctl.nav.realisation'));
      return realisationPage(req, reply, year);
    },
  );
  app.post(
    '/controlling/realisation/import',
    {
      config: { auth: { permission: 'ctl.realisation.write' } },
      schema: { ...hide, querystring: z.object({ year: intIn(z.number().int().min(2000).max(2100)) }), body: anyBody },
    },
    async (req, reply) => {
      const body = req.body as { file?: unknown };
      const file = Buffer.isBuffer(body.file) ? body.file : Buffer.alloc(0);
      const res = await importSp2d(db, req.principal!, file, {
        year: req.query.year,
        lang: req.lang,
        fileName: 'upload',
      });
      if (!res.ok)
        return realisationPage(req, reply, req.query.year, {
          notice: tr(req, 'ctl.import.failed', { count: res.errors.length }),
          errors: res.errors.map((e) => ({ row: e.row, field: e.column, message: e.reason })),
          status: 422,
        });
      return realisationPage(req, reply, req.query.year, {
        notice: tr(req, 'ctl.import.done', {
          added: res.added,
          skipped: res.skipped,
          amount: num(req.lang, res.amount),
        }),
      });
    },
  );
  app.post(
    '/controlling/realisation',
    {
      config: { auth: { permission: 'ctl.realisation.write' } },
      schema: { ...hide, querystring: z.object({ year: intIn(z.number().int().min(2000).max(2100)) }), body: anyBody },
    },
    async (req, reply) => {
      const b = req.body as Record<string, string>;
      try {
        const r = await createRealisation(
          db,
          req.principal!,
          req.query.year,
          {
            sp2d_number: b.sp2d_number ?? '',
            date: b.date ?? '',
            opd: b.opd ?? '',
            sub_kegiatan: b.sub_kegiatan ?? '',
            account: b.account ?? '',
            amount: b.amount ?? '',
            payee: b.payee,
            description: b.description,
          },
          req.lang,
        );
        return realisationPage(req, reply, req.query.year, {
          notice: tr(req, 'ctl.manual.done', { number: b.sp2d_number ?? '', amount: num(req.lang, r.amount) }),
        });
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        return realisationPage(req, reply, req.query.year, {
          notice: tr(req, err.messageKey, err.params),
          errors: err.fields.map((f) => ({
            field: f.field,
            message: f.message.includes(' ') ? f.message : tr(req, f.message),
          })),
          status: err.status,
        });
      }
    },
  );

  // ---- procurement packages -------------------------------------------------------------------------
  app.get(
    '/controlling/packages',
    { config: { auth: { permission: 'ctl.read' } }, schema: { ...hide, querystring: dashboardQuery } },
    async (req, reply) => {
      const p = req.principal!;
      const lang = req.lang;
      const year = req.query.year ?? (await executionYears(db, p.pemdaId))[0];
      if (!year) return noYear(req, reply, tr(req, 'ctl.nav.packages'));
      const rows = await listPackages(db, p, { year, opdId: req.query.opd_id });
      const opds = new Map((await listOpds(db, p.pemdaId)).map((o) => [o.id, o.shortName || o.name]));
      const body = html`<p>${can(p, 'ctl.package.write') ? html`<a href="/controlling/packages/new?year=${year}">${tr(req, 'ctl.pkgform.new')}</a> · ` : ''}<a href="/portal/data/${year}/ocds.json">OCDS 1.1 (JSON)</a></p>
<div class="table-wrap"><table class="data" id="packages"><thead><tr><th>${tr(req, 'ctl.opd')}</th><th>${tr(req, 'ctl.col.package')}</th><th>${tr(req, 'ctl.col.method')}</th>
<th>${tr(req, 'ctl.col.schedule')}</th><th class="num">${tr(req, 'ctl.col.value')}</th><th>${tr(req, 'ctl.col.eproc')}</th><th class="num">${tr(req, 'ctl.col.contract')}</th>
<th>Termin</th><th class="num">${tr(req, 'ctl.col.realised')}</th></tr></thead><tbody>
${rows.map(
  (
    k,
  ) => html`<tr><td>${opds.get(k.opd_id) ?? k.opd_id}</td><td>${k.name}<br><small class="muted">${k.lines.length} ${tr(req, 'ctl.risk.line')}</small></td>
<td>${tr(req, `ctl.method.${k.method}`)}</td><td>${k.planned_start}–${k.planned_end}</td><td class="num">${num(lang, k.value)}</td>
<td>${k.e_procurement ? html`<span class="badge warn">${tr(req, 'ctl.yes')}</span>` : tr(req, 'ctl.no')}</td>
<td class="num">${k.contract_value ? num(lang, k.contract_value) : ''}${k.supplier ? html`<br><small>${k.supplier}</small>` : ''}</td>
<td>${k.terms.map((x) => html`${x.seq}: ${x.percent}% (${num(lang, x.amount)})<br>`)}</td><td class="num">${num(lang, k.realised)}</td></tr>`,
)}</tbody></table></div>`;
      return sendPage(req, reply, { title: tr(req, 'ctl.title.packages', { year }), body });
    },
  );

  // ---- physical progress --------------------------------------------------------------------------
  const progressPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    year: number,
    month: number,
    notice?: string,
    status?: number,
  ) => {
    const p = req.principal!;
    const lang = req.lang;
    const opdAsked = (req.query as { opd_id?: string }).opd_id;
    const opdId = visibleOpd(p, opdAsked && /^\d+$/.test(opdAsked) ? Number(opdAsked) : undefined);
    const subs = await subStatuses(db, p.pemdaId, year, month, opdId);
    const opds = new Map((await listOpds(db, p.pemdaId)).map((o) => [o.id, o]));
    const body = html`${await filters(req, '/controlling/progress', year, month, opdId)}
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'ctl.opd')}</th><th>${tr(req, 'ctl.col.sub')}</th>
<th class="num">${tr(req, 'ctl.col.financial')}</th><th class="num">${tr(req, 'ctl.col.physical')}</th><th>${tr(req, 'ctl.col.last_report')}</th><th></th></tr></thead><tbody>
${subs.map(
  (s) => html`<tr><td>${opds.get(s.opd_id)?.shortName ?? s.opd_id}</td><td>${s.sub_kegiatan_code} ${s.name}</td>
<td class="num">${pctText(lang, s.financial_pct)} ${bar(s.financial_pct)}</td><td class="num">${pctText(lang, s.physical_pct)} ${bar(s.physical_pct)}</td>
<td>${s.physical_month ?? tr(req, 'ctl.progress.none')}</td>
<td>${
    can(p, 'ctl.progress.write', { opdId: s.opd_id })
      ? html`<form method="post" action="/controlling/progress" class="inline">${csrfField(req)}
<input type="hidden" name="year" value="${year}"><input type="hidden" name="month" value="${month}">
<input type="hidden" name="opd_id" value="${s.opd_id}"><input type="hidden" name="sub_kegiatan_code" value="${s.sub_kegiatan_code}">
<input name="percent" inputmode="decimal" size="5" aria-label="${tr(req, 'ctl.col.physical')}" value="${s.reported_this_month ? String(s.physical_pct) : ''}">
<input name="note" aria-label="${tr(req, 'ctl.col.note')}" placeholder="${tr(req, 'ctl.col.note')}">
<button>${tr(req, 'ctl.progress.send')}</button></form>`
      : ''
  }</td></tr>`,
)}</tbody></table></div>`;
    return sendPage(req, reply, { title: tr(req, 'ctl.title.progress', { year }), body, notice, status });
  };
  app.get(
    '/controlling/progress',
    { config: { auth: { permission: 'ctl.read' } }, schema: { ...hide, querystring: dashboardQuery } },
    async (req, reply) => {
      const year = req.query.year ?? (await executionYears(db, req.principal!.pemdaId))[0];
      if (!year) return noYear(req, reply, tr(req, 'ctl.nav.progress'));
      return progressPage(req, reply, year, req.query.month ?? (reportingMonth(year) || 1));
    },
  );
  app.post(
    '/controlling/progress',
    { config: { auth: { permission: 'ctl.progress.write' } }, schema: { ...hide, body: anyBody } },
    async (req, reply) => {
      const b = req.body as Record<string, string>;
      const year = Number(b.year) || new Date().getFullYear();
      const month = Number(b.month) || 1;
      try {
        const r = await setProgress(db, req.principal!, b as never);
        return progressPage(
          req,
          reply,
          year,
          month,
          tr(req, 'ctl.progress.done', { sub: r.sub_kegiatan_code, month: r.month, percent: r.percent }),
        );
      } catch (err) {
        if (err instanceof z.ZodError)
          return progressPage(
            req,
            reply,
            year,
            month,
            err.issues
              .map(
                (i) => `${i.path.join('.')}: ${tr(req, i.message.startsWith('ctl.') ? i.message : 'error.validation')}`,
              )
              .join('; '),
            400,
          );
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        return progressPage(req, reply, year, month, tr(req, err.messageKey, err.params), err.status);
      }
    },
  );
}

export function warningTable(
  req: FastifyRequest,
  lang: Lang,
  warnings: Warning[],
  opdName: (id?: number) => string,
): Html {
  if (!warnings.length) return html`<p class="muted">${tr(req, 'ctl.warnings.none')}</p>`;
  return html`<div class="table-wrap"><table class="data" id="warnings-table"><thead><tr><th>${tr(req, 'ctl.col.warning')}</th><th>${tr(req, 'ctl.opd')}</th>
<th>${tr(req, 'ctl.col.sub')}</th><th class="num">${tr(req, 'ctl.col.amount')}</th><th class="num">${tr(req, 'ctl.col.planned_pct')}</th>
<th class="num">${tr(req, 'ctl.col.financial')}</th><th class="num">${tr(req, 'ctl.col.physical')}</th></tr></thead><tbody>
${warnings.slice(0, 300).map(
  (
    w,
  ) => html`<tr><td><span class="badge ${w.kind === 'under_absorption' ? 'err' : 'warn'}">${tr(req, `ctl.warning.${w.kind}`)}</span></td>
<td>${opdName(w.opd_id)}</td><td>${w.sub_kegiatan_code} ${w.name}</td><td class="num">${num(lang, w.amount)}</td>
<td class="num">${pctText(lang, w.planned_pct)}</td><td class="num">${pctText(lang, w.financial_pct)}</td><td class="num">${pctText(lang, w.physical_pct)}</td></tr>`,
)}</tbody></table></div>`;
}
