// Risk signals: API, the ranked page, its CSV, the review form, the keyword list and the internal
// typo-tolerant search over every line of a stage (drafts included).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { formatNumber, type Lang } from '../../core/i18n/i18n.ts';
import { can } from '../../core/auth/policy.ts';
import { currentStage, listStages, searchStageLines } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';
import { keywords, markReviewed, reviewSchema, riskSignals, setKeywords, type Signal } from './risk.service.ts';

const hide = { hide: true } as const;
const stageQ = z.object({
  stage_id: intIn(z.number().int().positive().optional()),
  opd_id: intIn(z.number().int().positive().optional()),
  hide_reviewed: z.enum(['1', '0']).optional(),
});

/** The reason of a signal in words. */
export function reason(lang: Lang, s: Signal): string {
  const rp = (v: string | number) => `Rp ${formatNumber(lang, BigInt(v))}`;
  const id = lang === 'id';
  switch (s.rule) {
    case 'FREE_TEXT':
      return id
        ? 'Komponen di luar standar harga (teks bebas).'
        : 'Item outside the standard price catalogue (free text).';
    case 'ABOVE_CATALOGUE':
      return id
        ? `Harga ${rp(s.unit_price)} di atas item katalog ${s.info.item} (${rp(s.info.price!)}).`
        : `Price ${rp(s.unit_price)} above catalogue item ${s.info.item} (${rp(s.info.price!)}).`;
    case 'DUP_WITHIN':
      return id
        ? `Sama persis dengan rincian ${s.info.twin} pada sub kegiatan dan akun yang sama.`
        : `Identical to line ${s.info.twin} in the same sub kegiatan and account.`;
    case 'DUP_ACROSS':
      return id
        ? `Pembelian teks bebas yang sama (nama dan nilai) juga ada di OPD ${s.info.other_opd}.`
        : `The same free-text purchase (name and amount) also appears in OPD ${s.info.other_opd}.`;
    case 'SPLIT':
      return id
        ? `${s.info.parts} rincian barang yang sama, masing-masing di bawah ambang pengadaan, berjumlah ${rp(s.amount)}.`
        : `${s.info.parts} lines for the same item, each under the procurement threshold, add up to ${rp(s.amount)}.`;
    case 'VOLUME_JUMP':
      return id
        ? `Volume ${s.volume} jauh di atas ${s.info.src === 'stage' ? 'tahap sebelumnya' : 'tahun lalu'} (${String(s.info.before).replace(/\.?0+$/, '')}).`
        : `Volume ${s.volume} far above the ${s.info.src === 'stage' ? 'previous stage' : 'previous year'} (${String(s.info.before).replace(/\.?0+$/, '')}).`;
    case 'OUT_OF_PATTERN':
      return id
        ? `Item langka untuk akun ini dengan nilai ${rp(s.total)}, lebih dari 5× median akun (${rp(s.info.median!)}).`
        : `A rare item for its account at ${rp(s.total)}, over 5× the account's median (${rp(s.info.median!)}).`;
    case 'KEYWORD':
      return id
        ? `Memuat kata pantauan Inspektorat "${s.info.word}".`
        : `Contains Inspektorat's watch word "${s.info.word}".`;
    case 'OUT_OF_PROPORTION':
      return id
        ? `Barang murah (${rp(s.unit_price)}) dalam volume ${s.volume} sehingga ${rp(s.total)}: tidak sebanding.`
        : `A cheap item (${rp(s.unit_price)}) at volume ${s.volume}, ${rp(s.total)} in all: out of proportion.`;
  }
}

const CSV_COLS = [
  'rank',
  'rule',
  'reason',
  'amount_at_risk',
  'line_id',
  'opd_code',
  'sub_kegiatan_code',
  'account_code',
  'name',
  'total',
  'reviewed_note',
];
const cell = (v: string | number) => {
  let s = String(v);
  if (/^[=+\-@]/.test(s) && !/^-?\d+$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function riskRoutes(appIn: FastifyInstance, ctx: { db: Db } & ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const stageOf = async (req: FastifyRequest, id?: number) =>
    id ?? (await currentStage(db, req.principal!.pemdaId))?.id;

  app.get(
    '/api/v1/controlling/risk',
    {
      config: { auth: { permission: 'ctl.risk.read' } },
      schema: { tags: ['controlling'], summary: 'Ranked risk signals of a stage', querystring: stageQ },
    },
    async (req) => {
      const stageId = await stageOf(req, req.query.stage_id);
      if (!stageId) return { stage_id: null, signals: [], stats: null };
      const r = await riskSignals(db, req.principal!, stageId, {
        opdId: req.query.opd_id,
        hideReviewed: req.query.hide_reviewed === '1',
      });
      return {
        stage_id: stageId,
        stats: r.stats,
        signals: r.signals.map((s) => ({ ...s, reason: reason(req.lang, s) })),
      };
    },
  );
  app.post(
    '/api/v1/controlling/risk/review',
    {
      config: { auth: { permission: 'ctl.risk.review' } },
      schema: {
        tags: ['controlling'],
        summary: 'Mark a risk signal reviewed with a note (audited)',
        body: reviewSchema,
      },
    },
    async (req) => markReviewed(db, req.principal!, req.body),
  );
  app.put(
    '/api/v1/controlling/risk/keywords',
    {
      config: { auth: { permission: 'ctl.settings.write' } },
      schema: {
        tags: ['controlling'],
        summary: "Replace Inspektorat's keyword list",
        body: z.object({ words: z.array(z.string().max(60)).max(500) }),
      },
    },
    async (req) => ({ words: await setKeywords(db, req.principal!, req.body.words) }),
  );

  app.get(
    '/controlling/risk.csv',
    { config: { auth: { permission: 'ctl.risk.read' } }, schema: { ...hide, querystring: stageQ } },
    async (req, reply) => {
      const stageId = await stageOf(req, req.query.stage_id);
      const { signals } = stageId
        ? await riskSignals(db, req.principal!, stageId, { opdId: req.query.opd_id })
        : { signals: [] };
      const opds = new Map((await listOpds(db, req.principal!.pemdaId)).map((o) => [o.id, o.code]));
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="risiko-tahap-${stageId}.csv"`);
      return (
        `\uFEFF${CSV_COLS.join(',')}\r\n` +
        signals
          .map((s, i) =>
            [
              i + 1,
              s.rule,
              reason(req.lang, s),
              s.amount,
              s.line_id,
              opds.get(s.opd_id) ?? s.opd_id,
              s.sub_kegiatan_code ?? '',
              s.account_code,
              s.name,
              s.total,
              s.reviewed?.note ?? '',
            ]
              .map(cell)
              .join(','),
          )
          .join('\r\n')
      );
    },
  );

  app.get(
    '/controlling/risk',
    { config: { auth: { permission: 'ctl.risk.read' } }, schema: { ...hide, querystring: stageQ } },
    async (req, reply) => {
      const p = req.principal!;
      const lang = req.lang;
      const stages = await listStages(db, p.pemdaId);
      const stageId = await stageOf(req, req.query.stage_id);
      const r = stageId
        ? await riskSignals(db, p, stageId, { opdId: req.query.opd_id, hideReviewed: req.query.hide_reviewed === '1' })
        : null;
      const opds = new Map((await listOpds(db, p.pemdaId)).map((o) => [o.id, o.shortName || o.name]));
      const mayReview = can(p, 'ctl.risk.review');
      const words = await keywords(db, p.pemdaId);
      const n = (v: string) => formatNumber(lang, BigInt(v));
      const body = html`<form method="get" action="/controlling/risk" class="filters"><label>${tr(req, 'ctl.risk.stage')} <select name="stage_id">${stages.map(
        (s) => html`<option value="${s.id}"${s.id === stageId ? html` selected` : ''}>${s.name} (${s.status})</option>`,
      )}</select></label><label class="check"><input type="checkbox" name="hide_reviewed" value="1"${req.query.hide_reviewed === '1' ? html` checked` : ''}> ${tr(req, 'ctl.risk.hide_reviewed')}</label>
<button>${tr(req, 'ctl.show')}</button> <a href="/controlling/risk.csv?stage_id=${stageId ?? ''}">CSV</a> · <a href="/controlling/risk/search?stage_id=${stageId ?? ''}">${tr(req, 'ctl.risk.search')}</a></form>
${r ? html`<p id="risk-stats">${tr(req, 'ctl.risk.stats', { lines: r.stats.lines, flagged: r.stats.flagged_lines, pct: r.stats.lines ? ((r.stats.flagged_lines * 100) / r.stats.lines).toFixed(1) : '0', at_ceiling: r.stats.at_ceiling, catalogue: r.stats.catalogue })}</p>` : ''}
<p class="muted">${tr(req, 'ctl.risk.keywords')}: ${words.join(', ')}</p>
<div class="table-wrap"><table class="data" id="risk"><thead><tr><th>#</th><th>${tr(req, 'ctl.risk.rule')}</th><th>${tr(req, 'ctl.risk.reason')}</th><th class="num">${tr(req, 'ctl.risk.amount')}</th>
<th>${tr(req, 'ctl.opd')}</th><th>${tr(req, 'ctl.col.sub')}</th><th>${tr(req, 'ctl.risk.line')}</th><th>${tr(req, 'ctl.risk.review')}</th></tr></thead><tbody>
${(r?.signals ?? []).slice(0, 500).map(
  (
    s,
    i,
  ) => html`<tr><td>${i + 1}</td><td><code>${s.rule}</code></td><td>${reason(lang, s)}</td><td class="num">${n(s.amount)}</td><td>${opds.get(s.opd_id) ?? s.opd_id}</td>
<td>${s.sub_kegiatan_code ?? ''}</td><td>${s.sub_kegiatan_id ? html`<a href="/budget/sub/${s.sub_kegiatan_id}">${s.name}</a>` : s.name} · <a href="/trace/line/${s.line_id}">${tr(req, 'tp.itrace.why')}</a></td>
<td>${s.reviewed ? html`<span class="badge ok">${s.reviewed.by}</span> ${s.reviewed.note}` : ''}${
    mayReview
      ? html`<form method="post" action="/controlling/risk/review" class="inline">${csrfField(req)}<input type="hidden" name="stage_id" value="${stageId}">
<input type="hidden" name="rule" value="${s.rule}"><input type="hidden" name="line_id" value="${s.line_id}"><input name="note" required maxlength="2000" aria-label="${tr(req, 'ctl.col.note')}">
<button>${tr(req, 'ctl.risk.mark')}</button></form>`
      : ''
  }</td></tr>`,
)}</tbody></table></div>`;
      return sendPage(req, reply, { title: tr(req, 'ctl.nav.risk'), body });
    },
  );
  app.post(
    '/controlling/risk/review',
    {
      config: { auth: { permission: 'ctl.risk.review' } },
      schema: { ...hide, body: z.record(z.string(), z.unknown()) },
    },
    async (req, reply) => {
      const v = await markReviewed(db, req.principal!, req.body as never);
      return reply.redirect(`/controlling/risk?stage_id=${v.stage_id}`, 303);
    },
  );
  app.get(
    '/controlling/risk/search',
    {
      config: { auth: { permission: 'ctl.risk.read' } },
      schema: {
        ...hide,
        querystring: z.object({
          stage_id: intIn(z.number().int().positive().optional()),
          q: z.string().max(100).default(''),
        }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const stageId = await stageOf(req, req.query.stage_id);
      const rows =
        stageId && req.query.q.trim()
          ? await searchStageLines(db, p.pemdaId, stageId, req.query.q, { onlyPublic: false, limit: 200 })
          : [];
      const opds = new Map((await listOpds(db, p.pemdaId)).map((o) => [o.id, o.shortName || o.name]));
      const body = html`<form method="get" action="/controlling/risk/search" class="filters"><input type="hidden" name="stage_id" value="${stageId ?? ''}">
<label>${tr(req, 'ctl.risk.words')} <input name="q" value="${req.query.q}" required maxlength="100"></label><button>${tr(req, 'ctl.show')}</button></form>
<div class="table-wrap"><table class="data" id="search"><thead><tr><th>${tr(req, 'ctl.opd')}</th><th>${tr(req, 'ctl.col.sub')}</th><th>${tr(req, 'ctl.col.account')}</th>
<th>${tr(req, 'ctl.risk.line')}</th><th class="num">${tr(req, 'ctl.col.amount')}</th></tr></thead><tbody>
${rows.map((l) => html`<tr><td>${opds.get(l.opd_id) ?? l.opd_id}</td><td>${l.sub_kegiatan_code ?? ''}</td><td>${l.account_code}</td><td>${l.name}<br><small class="muted">${l.spec}</small></td><td class="num">${formatNumber(req.lang, BigInt(l.total))}</td></tr>`)}
</tbody></table></div>`;
      return sendPage(req, reply, { title: tr(req, 'ctl.risk.search'), body });
    },
  );
}
