// The coverage report of the trace (internal: TAPD, Bappeda, Inspektorat, admin): per OPD, which
// share of the DPA money of a year traces up to the approved Renja and an RPJMD goal, and which does
// not and why; the sub kegiatan that do not trace; the same numbers as CSV.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { sendPage, tr } from '../../core/http/layout.ts';
import { executionYears } from '../budgeting/index.ts';
import { COVERAGE_REASONS, coverage, share, type Amounts, type CoverageReason } from './coverage.service.ts';
import { coverageQuery } from './coverage.schema.ts';
import { csvLine } from './portal.ts';
import { rpText } from './portal.pages.ts';

const hide = { hide: true } as const;
const perm = { auth: { permission: 'tp.coverage.read' } } as const;

/** The year asked, else the newest year with an approved DPA (undefined when there is none). */
async function yearOf(ctx: ModuleContext, req: FastifyRequest, asked: number | undefined) {
  const years = await executionYears(ctx.db, req.principal!.pemdaId);
  return { years, year: asked ?? years[0] };
}

export async function coveragePages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  app.get('/trace/coverage', { config: perm, schema: { ...hide, querystring: coverageQuery } }, async (req, reply) => {
    const { years, year } = await yearOf(ctx, req, req.query.year);
    if (!year)
      return sendPage(req, reply, {
        title: tr(req, 'tp.nav.coverage'),
        body: html`<p class="muted">${tr(req, 'tp.coverage.none')}</p>`,
      });
    const c = await coverage(db, req.principal!, year);
    const lang = req.lang;
    const pct = (v: string) => (lang === 'id' ? v.replace('.', ',') : v);
    const reasonText = (r: CoverageReason) => tr(req, `tp.coverage.${r}`);
    const cells = (dpa: bigint, a: Amounts) =>
      html`<td class="num">${rpText(lang, dpa)}</td>${COVERAGE_REASONS.map(
        (r) =>
          html`<td class="num" data-reason="${r}">${rpText(lang, a[r])}</td><td class="num">${pct(share(a[r], dpa))}%</td>`,
      )}`;
    const untraced = c.subs.filter((s) => s.reason !== 'traced');
    const opdName = new Map(c.opds.map((o) => [o.opd_id, o.opd_name]));
    const body = html`<form method="get" action="/trace/coverage" class="filters">
<label>${tr(req, 'tp.coverage.year')} <select name="year">${years.map((y) => html`<option value="${y}"${y === year ? html` selected` : ''}>${y}</option>`)}</select></label>
<button>${tr(req, 'tp.coverage.show')}</button> <a href="/trace/coverage.csv?year=${year}">CSV</a></form>
<p class="muted">${tr(req, 'tp.coverage.intro')}</p>
<div class="table-wrap"><table class="data" id="coverage"><thead><tr><th>${tr(req, 'tp.coverage.opd')}</th><th class="num">${tr(req, 'tp.coverage.dpa')}</th>
${COVERAGE_REASONS.map((r) => html`<th class="num">${reasonText(r)} (Rp)</th><th class="num">${tr(req, 'tp.coverage.share')}</th>`)}</tr></thead>
<tbody>${c.opds.map((o) => html`<tr data-opd="${o.opd_id}"><td>${o.opd_name}</td>${cells(o.dpa, o.amounts)}</tr>`)}</tbody>
<tfoot><tr id="coverage-total"><th>${tr(req, 'tp.coverage.total')}</th>${cells(c.total.dpa, c.total.amounts)}</tr></tfoot></table></div>
<h2>${tr(req, 'tp.coverage.subs')} (${untraced.length})</h2>
${
  untraced.length
    ? html`<div class="table-wrap"><table class="data" id="coverage-subs"><thead><tr><th>${tr(req, 'tp.coverage.opd')}</th><th>${tr(req, 'tp.coverage.sub')}</th>
<th class="num">${tr(req, 'tp.coverage.dpa')}</th><th>${tr(req, 'tp.coverage.reason')}</th></tr></thead><tbody>
${untraced.map(
  (s) => html`<tr><td>${opdName.get(s.opd_id) ?? s.opd_id}</td><td>${s.sub_kegiatan_code} ${s.sub_kegiatan_name}</td>
<td class="num">${rpText(lang, s.dpa)}</td><td data-reason="${s.reason}">${reasonText(s.reason)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="muted">${tr(req, 'tp.coverage.all_traced')}</p>`
}`;
    return sendPage(req, reply, { title: tr(req, 'tp.coverage.title', { year }), body });
  });

  // one row per OPD and sub kegiatan: its DPA money and where its trace stops
  app.get(
    '/trace/coverage.csv',
    { config: perm, schema: { ...hide, querystring: coverageQuery } },
    async (req, reply) => {
      const { year } = await yearOf(ctx, req, req.query.year);
      const c = year ? await coverage(db, req.principal!, year) : undefined;
      const opds = new Map((c?.opds ?? []).map((o) => [o.opd_id, o]));
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="cakupan-jejak-${year ?? ''}.csv"`);
      return (
        `\uFEFF${csvLine(['year', 'opd_code', 'opd_name', 'sub_kegiatan_code', 'sub_kegiatan_name', 'dpa', 'reason', 'reason_text', 'renja_item_id'])}` +
        (c?.subs ?? [])
          .map((s) =>
            csvLine([
              c!.year,
              opds.get(s.opd_id)?.opd_code ?? '',
              opds.get(s.opd_id)?.opd_name ?? '',
              s.sub_kegiatan_code,
              s.sub_kegiatan_name,
              s.dpa.toString(),
              s.reason,
              tr(req, `tp.coverage.${s.reason}`),
              s.renja_item_id,
            ]),
          )
          .join('')
      );
    },
  );
}
