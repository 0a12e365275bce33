// Pages of e-Budgeting: the overview (ceiling vs planned per OPD), an OPD's RKA, a sub kegiatan with
// its lines and workflow actions, TAPD's review, stages and ceilings, notifications. Server-rendered;
// every form works without JavaScript (POST → 303); htmx only enhances (editor.pages.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import type { Db } from '../../core/db/database.ts';
import { html, type Html, type HtmlValue } from '../../core/http/html.ts';
import { confirmed, csrfField, sendConfirm, sendPage, tr } from '../../core/http/layout.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { formatDate, formatNumber } from '../../core/i18n/i18n.ts';
import { isOpdScoped } from '../../core/roles.ts';
import {
  getNomenclature,
  getOrganisation,
  listFundingSources,
  listNomenclature,
  listOpds,
  listRegions,
} from '../master-data/index.ts';
import { getApprovedRenjaItem, listApprovedRenjaItems, proposalsForRenjaItem } from '../planning/index.ts';
import { getPemda } from '../../core/tenancy.ts';
import { budCan } from './policy.ts';
import {
  currentStage,
  getStage,
  inputState,
  listLocks,
  listStages,
  setLock,
  setOpdInput,
  closeStage,
  createYear,
  openNextStage,
  setWindow,
  requireStage,
  type InputState,
  type Stage,
} from './stages.service.ts';
import {
  getOpdCeiling,
  getSettings,
  getSub,
  lineOut,
  listLines,
  listSubs,
  setOpdCeiling,
  setSubCeiling,
  subOut,
  updateSettings,
  updateSub,
  createSub,
  type LineOut,
  type SubKegiatan,
} from './rka.service.ts';
import { approveSub, listReviews, reopenSub, returnSub, submitRka, submitSub } from './workflow.service.ts';
import { listTravels } from './travel.service.ts';
import { expenditureRollup, opdOverview, reviewFlags, stageTotals, type OpdOverviewRow } from './totals.queries.ts';
import { listNotifications, markRead } from './notifications.service.ts';
import { editorPages } from './editor.pages.ts';
import { formBody, formNumbers, fromLocalInput, money, str, toLocalInput } from './pages.common.ts';
import { formatIdNumber } from '../../core/number.ts';
import { normDecimal as cleanDecimal } from './calc.ts';

/** A numeric column ("12.5000") as a canonical decimal ("12.5"). */
const cleanDec = (v: string): string => cleanDecimal(v) ?? v;
import { initCeilingsFromRkpd, rkpdCeilings, type RkpdConflict } from './rkpd.service.ts';

const hide = { hide: true } as const;

export function statusBadge(req: FastifyRequest, status: string, count?: string | number): Html {
  const cls = status === 'approved' ? 'ok' : status === 'submitted' ? 'warn' : status === 'returned' ? 'err' : '';
  return html`<span class="badge ${cls}">${tr(req, `bud.status.${status}`)}${count === undefined ? '' : ` ${count}`}</span>`;
}

export function inputNotice(req: FastifyRequest, s: InputState): Html {
  const until = s.until ? formatDate(req.lang, s.until, true) : '';
  const text = tr(req, `bud.input.${s.reason}`, {
    until: s.reason.startsWith('opd_') ? (until ? ` (${tr(req, 'bud.field.until')} ${until})` : '') : until,
  });
  return html`<p class="${s.open ? 'notice' : 'warning'}" role="status">${text}</p>`;
}

/** Remaining = ceiling − planned, red when negative (never, by the rules). */
export function remainingCell(req: FastifyRequest, ceiling: string, planned: string): Html {
  const r = BigInt(ceiling) - BigInt(planned);
  return html`<td class="num ${r < 0n ? 'error' : ''}">${money(req, r)}</td>`;
}

/** Pagu indikatif (RKPD) and the difference ceiling − RKPD: "—" where the RKPD has none. */
export function rkpdCells(
  req: FastifyRequest,
  rkpd: bigint | undefined,
  ceiling: string | bigint,
): { rkpd: Html; difference: Html } {
  if (rkpd === undefined)
    return { rkpd: html`<td class="num muted">—</td>`, difference: html`<td class="num muted">—</td>` };
  const d = BigInt(ceiling) - rkpd;
  return {
    rkpd: html`<td class="num">${money(req, rkpd)}</td>`,
    difference: html`<td class="num">${d > 0n ? '+' : ''}${money(req, d)}</td>`,
  };
}

export function errorText(req: FastifyRequest, err: unknown): string | null {
  if (err instanceof AppError) return tr(req, err.messageKey, err.params);
  if (err instanceof z.ZodError)
    return err.issues
      .map((i) => `${i.path.join('.')}: ${/\s/.test(i.message) ? i.message : tr(req, i.message)}`)
      .join('; ');
  return null;
}

/** The stage a page shows: ?stage_id, else the open (or latest) one. */
export async function pageStage(db: Db, req: FastifyRequest, stageId?: number): Promise<Stage | undefined> {
  const pemdaId = req.principal!.pemdaId;
  return stageId ? getStage(db, pemdaId, stageId) : currentStage(db, pemdaId);
}

function stagePicker(req: FastifyRequest, stages: Stage[], current: Stage, extra: Record<string, string> = {}): Html {
  return html`<form method="get" class="filters">
  ${Object.entries(extra).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
  <label>${tr(req, 'bud.field.stage')}<select name="stage_id">${stages.map((s) => html`<option value="${s.id}" ${s.id === current.id ? 'selected' : ''}>${s.name} · ${tr(req, `bud.stage.${s.status}`)}</option>`)}</select></label>
  <button>${tr(req, 'common.filter')}</button>
</form>`;
}

function pct(planned: string, ceiling: string): number {
  const c = BigInt(ceiling);
  return c === 0n ? 0 : Number((BigInt(planned) * 100n) / c);
}

/** Run a form action; 303 back with a notice, or the error on a page (the error handler). */
async function act(reply: FastifyReply, to: string, fn: () => Promise<unknown>): Promise<FastifyReply> {
  await fn();
  return reply.redirect(`${to}${to.includes('?') ? '&' : '?'}saved=1`, 303);
}

/** What an action did, for the page it returns to: a `bud.done.*` message and its parameters. */
export interface Done {
  key: string;
  params: Record<string, string | number>;
}

/** Run an action, then back to `to` with a notice saying what happened (?done=…&d_x=…). */
export async function actDone(reply: FastifyReply, to: string, fn: () => Promise<Done>): Promise<FastifyReply> {
  const d = await fn();
  const q = new URLSearchParams({ done: d.key });
  for (const [k, v] of Object.entries(d.params)) q.set(`d_${k}`, String(v));
  return reply.redirect(`${to}${to.includes('?') ? '&' : '?'}${q.toString()}`, 303);
}

/** The notice of a page: what the last action did (`done`), or "Tersimpan". */
export function doneNotice(req: FastifyRequest): string | undefined {
  const q = req.query as Record<string, string | undefined>;
  if (q.done && /^[a-z_]{1,40}$/.test(q.done)) {
    const params = Object.fromEntries(
      Object.entries(q)
        .filter(([k, v]) => k.startsWith('d_') && typeof v === 'string')
        .map(([k, v]) => [k.slice(2), String(v).slice(0, 200)]),
    );
    return tr(req, `bud.done.${q.done}`, params);
  }
  return q.saved ? tr(req, 'common.saved') : undefined;
}

export async function budgetingPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const stageQuery = z
    .object({
      stage_id: z.coerce.number().int().positive().optional(),
      saved: z.string().optional(),
      done: z.string().optional(),
    })
    .catchall(z.string());
  const read = { permission: 'bud.read' };
  const saved = (req: FastifyRequest) => doneNotice(req);

  // ---- overview -----------------------------------------------------------------------------------------
  app.get('/budget', { config: { auth: read }, schema: { ...hide, querystring: stageQuery } }, async (req, reply) => {
    const p = req.principal!;
    if (isOpdScoped(p.role))
      return reply.redirect(`/budget/opd/${p.opdId}${req.query.stage_id ? `?stage_id=${req.query.stage_id}` : ''}`);
    const stage = await pageStage(db, req, req.query.stage_id);
    if (!stage)
      return sendPage(req, reply, {
        title: tr(req, 'bud.nav.overview'),
        body: html`<p class="muted">${tr(req, 'bud.overview.no_stage')}</p>`,
      });
    const [stages, rows, opds, totals, rkpd] = await Promise.all([
      listStages(db, p.pemdaId),
      opdOverview(db, p.pemdaId, stage.id),
      listOpds(db, p.pemdaId),
      stageTotals(db, p.pemdaId, stage.id),
      rkpdCeilings(db, p.pemdaId, stage.year),
    ]);
    const names = new Map(opds.map((o) => [o.id, o]));
    const body = html`${stagePicker(req, stages, stage)}
${inputNotice(req, inputState(stage, undefined))}
<div class="cards">
  <div class="card"><h2>${tr(req, 'bud.overview.pemda_total')}</h2><dl class="detail">
    <dt>${tr(req, 'bud.field.ceiling')}</dt><dd>${money(req, totals.ceiling)}</dd>
    <dt>${tr(req, 'bud.field.planned')}</dt><dd>${money(req, totals.planned)}</dd>
    <dt>${tr(req, 'bud.field.remaining')}</dt><dd>${money(req, BigInt(totals.ceiling) - BigInt(totals.planned))}</dd>
  </dl></div>
  <div class="card"><h2>${tr(req, 'bud.opd.revenue_financing')}</h2><dl class="detail">
    <dt>${tr(req, 'bud.kind.pendapatan')}</dt><dd>${money(req, totals.revenue)}</dd>
    <dt>${tr(req, 'bud.print.financing_in')}</dt><dd>${money(req, totals.financing_in)}</dd>
    <dt>${tr(req, 'bud.print.financing_out')}</dt><dd>${money(req, totals.financing_out)}</dd>
  </dl></div>
</div>
<h2>${tr(req, 'bud.stages.ceilings')}</h2>
${rkpd.approved ? html`<p class="muted">${tr(req, 'bud.overview.rkpd_note', { year: stage.year })}</p>` : html`<p class="muted">${tr(req, 'bud.stages.from_rkpd_none', { year: stage.year })}</p>`}
${overviewTable(req, stage, rows, names, false, rkpd.approved ? rkpd.opd : undefined)}`;
    return sendPage(req, reply, { title: tr(req, 'bud.overview.title', { stage: stage.name }), body });
  });

  /** Per OPD: [pagu indikatif (RKPD), ] ceiling, [difference, ] planned, remaining, progress[, flags]. */
  function overviewTable(
    req: FastifyRequest,
    stage: Stage,
    rows: OpdOverviewRow[],
    names: Map<number, { code: string; name: string }>,
    review = false,
    rkpd?: Map<number, bigint>,
  ): Html {
    const sum = (k: 'ceiling' | 'planned') => rows.reduce((s, r) => s + BigInt(r[k]), 0n).toString();
    const rkpdSum = rkpd ? rows.reduce((s, r) => s + (rkpd.get(r.opd_id) ?? 0n), 0n) : 0n;
    const totalCells = rkpd ? rkpdCells(req, rkpdSum, sum('ceiling')) : undefined;
    return html`<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'bud.field.opd')}</th>${rkpd ? html`<th class="num">${tr(req, 'bud.field.rkpd_ceiling')}</th>` : ''}<th class="num">${tr(req, 'bud.field.ceiling')}</th>${rkpd ? html`<th class="num">${tr(req, 'bud.field.rkpd_difference')}</th>` : ''}<th class="num">${tr(req, 'bud.field.planned')}</th><th class="num">${tr(req, 'bud.field.remaining')}</th><th>%</th><th>${tr(req, 'bud.field.progress')}</th>${review ? html`<th>${tr(req, 'bud.field.flags')}</th>` : ''}</tr></thead>
<tbody>${rows.map((r) => {
      const o = names.get(r.opd_id);
      const cmp = rkpd ? rkpdCells(req, rkpd.get(r.opd_id), r.ceiling) : undefined;
      return html`<tr><td><a href="/budget/opd/${r.opd_id}?stage_id=${stage.id}">${o?.name ?? r.opd_id}</a> <span class="muted">${o?.code ?? ''}</span></td>
${cmp?.rkpd ?? ''}<td class="num">${money(req, r.ceiling)}</td>${cmp?.difference ?? ''}<td class="num">${money(req, r.planned)}</td>${remainingCell(req, r.ceiling, r.planned)}
<td><progress max="100" value="${pct(r.planned, r.ceiling)}">${pct(r.planned, r.ceiling)}%</progress></td>
<td>${r.subs ? html`${statusBadge(req, 'approved', `${r.approved}/${r.subs}`)} ${r.submitted ? (budCan(req.principal!, 'bud.verify') ? html`<a href="/budget/queue?stage_id=${stage.id}&opd_id=${r.opd_id}" title="${tr(req, 'bud.queue.title')}">${statusBadge(req, 'submitted', r.submitted)}</a>` : statusBadge(req, 'submitted', r.submitted)) : ''} ${r.returned ? statusBadge(req, 'returned', r.returned) : ''}` : html`<span class="muted">—</span>`}</td>
${review ? html`<td>${r.flagged_free_text ? html`<span class="badge err">${r.flagged_free_text} ${tr(req, 'bud.flag.free_text')}</span>` : ''} ${r.flagged_at_ceiling_price ? html`<span class="badge warn">${r.flagged_at_ceiling_price} ${tr(req, 'bud.flag.at_price')}</span>` : ''} <a href="/budget/review?stage_id=${stage.id}&opd_id=${r.opd_id}">${tr(req, 'bud.review.open_opd')}</a></td>` : ''}</tr>`;
    })}</tbody>
<tfoot><tr><td>${tr(req, 'bud.overview.pemda_total')}</td>${totalCells?.rkpd ?? ''}<td class="num">${money(req, sum('ceiling'))}</td>${totalCells?.difference ?? ''}<td class="num">${money(req, sum('planned'))}</td>${remainingCell(req, sum('ceiling'), sum('planned'))}<td></td><td></td>${review ? html`<td></td>` : ''}</tr></tfoot></table></div>`;
  }

  // ---- an OPD's RKA -----------------------------------------------------------------------------------------
  const opdParams = z.object({ opdId: z.coerce.number().int().positive() });
  const opdFromParam = (req: FastifyRequest) => (req.params as { opdId: number }).opdId;
  app.get(
    '/budget/opd/:opdId',
    {
      config: { auth: { ...read, opd: opdFromParam } },
      schema: { ...hide, params: opdParams, querystring: stageQuery },
    },
    async (req, reply) => {
      const p = req.principal!;
      const opdId = req.params.opdId;
      const org = await getOrganisation(db, p.pemdaId, opdId);
      if (!org) throw notFound();
      const stage = await pageStage(db, req, req.query.stage_id);
      if (!stage)
        return sendPage(req, reply, {
          title: tr(req, 'bud.opd.title', { opd: org.name }),
          body: html`<p class="muted">${tr(req, 'bud.overview.no_stage')}</p>`,
        });
      const [stages, ceilingRow, subs, overview, lines, funding, locks, rkpd] = await Promise.all([
        listStages(db, p.pemdaId),
        getOpdCeiling(db, p.pemdaId, stage.id, opdId),
        listSubs(db, p.pemdaId, stage.id, opdId),
        opdOverview(db, p.pemdaId, stage.id, opdId),
        listLines(db, p.pemdaId, { stageId: stage.id, opdId, kind: undefined, limit: 500 }).then((ls) =>
          ls.filter((l) => l.kind !== 'belanja'),
        ),
        listFundingSources(db, p.pemdaId),
        listLocks(db, p.pemdaId, stage.id, opdId),
        rkpdCeilings(db, p.pemdaId, stage.year),
      ]);
      const o = overview[0];
      const state = inputState(stage, ceilingRow);
      const isOperator = budCan(p, 'bud.line.write') && p.opdId === opdId && state.open && stage.kind !== 'kua_ppas';
      const isHead = budCan(p, 'bud.submit') && p.opdId === opdId && state.open;
      const isTapd = budCan(p, 'bud.ceiling.write') && stage.status === 'open';
      const fundingName = new Map(funding.map((f) => [f.id, f.code]));
      const lockedCodes = new Set(locks.map((l) => l.code));
      // what the RKA may choose from: the sub kegiatan of the OPD's approved Renja not yet in it
      const have = new Set(subs.map((s) => s.code));
      let renjaCount = 0;
      let addable: Array<{ code: string; name: string }> = [];
      if (isOperator || isTapd) {
        const items = await listApprovedRenjaItems(db, p.pemdaId, stage.year, opdId);
        renjaCount = items.length;
        const bidang = [...new Set(items.map((i) => i.subKegiatanCode.split('.').slice(0, 2).join('.')))];
        const noms = new Map(
          (
            await listNomenclature(db, p.pemdaId, stage.year, {
              level: 'sub_kegiatan',
              under: bidang,
              includeInactive: true,
            })
          ).map((n) => [n.code, n.name]),
        );
        addable = items
          .filter((i) => !have.has(i.subKegiatanCode))
          .map((i) => ({ code: i.subKegiatanCode, name: noms.get(i.subKegiatanCode) ?? '' }));
      }
      // pagu indikatif of the approved RKPD: per sub kegiatan, and what the RKA does not hold yet
      const showRkpd = rkpd.approved;
      const rkpdOf = (code: string) => rkpd.sub.get(`${opdId}|${code}`);
      const rkpdOpd = rkpd.opd.get(opdId);
      const rkpdMissing = [...rkpd.sub.entries()].filter(
        ([k]) => k.startsWith(`${opdId}|`) && !have.has(k.slice(k.indexOf('|') + 1)),
      );
      const rkpdSumOf = (key: 'program_code' | 'kegiatan_code', code: string) =>
        subs.filter((x) => x[key] === code).reduce((a, x) => a + (rkpdOf(x.code) ?? 0n), 0n);
      const exp = `/api/v1/budget/stages/${stage.id}/opds/${opdId}`;
      // program and kegiatan subtotals (from the lines, in SQL) above their sub kegiatan
      const rollup = new Map(
        (await expenditureRollup(db, p.pemdaId, stage.id, opdId)).map((r) => [`${r.level}|${r.code}`, r.total]),
      );
      const names = new Map<string, string>();
      for (const code of new Set(subs.flatMap((x) => [x.program_code, x.kegiatan_code])))
        names.set(code, (await getNomenclature(db, p.pemdaId, stage.year, code))?.name ?? '');
      const ceilingOf = (key: 'program_code' | 'kegiatan_code', code: string) =>
        subs
          .filter((x) => x[key] === code)
          .reduce((a, x) => a + BigInt(x.ceiling), 0n)
          .toString();
      const groupRows = (cur: SubKegiatan, prev?: SubKegiatan): Html => {
        const head = (level: 'program' | 'kegiatan', code: string, key: 'program_code' | 'kegiatan_code') => {
          const planned = rollup.get(`${level}|${code}`) ?? '0';
          const ceiling = ceilingOf(key, code);
          const cmp = showRkpd ? rkpdCells(req, rkpdSumOf(key, code), ceiling) : undefined;
          return html`<tr class="group"><th>${code}</th><th colspan="2">${names.get(code) ?? ''}</th>${cmp?.rkpd ?? ''}<th class="num">${money(req, ceiling)}</th>${cmp?.difference ?? ''}<th class="num">${money(req, planned)}</th><th class="num">${money(req, BigInt(ceiling) - BigInt(planned))}</th><th colspan="${isTapd ? 3 : 2}"></th></tr>`;
        };
        return html`${prev?.program_code !== cur.program_code ? head('program', cur.program_code, 'program_code') : ''}${prev?.kegiatan_code !== cur.kegiatan_code ? head('kegiatan', cur.kegiatan_code, 'kegiatan_code') : ''}`;
      };
      const body = html`${stagePicker(req, stages, stage)}
${inputNotice(req, state)}
<dl class="detail">
${showRkpd ? html`<dt>${tr(req, 'bud.field.rkpd_ceiling')}</dt><dd>${rkpdOpd === undefined ? '—' : money(req, rkpdOpd)}</dd>` : ''}
  <dt>${tr(req, 'bud.field.ceiling')}</dt><dd>${money(req, ceilingRow?.ceiling ?? '0')}</dd>
${showRkpd && rkpdOpd !== undefined ? html`<dt>${tr(req, 'bud.field.rkpd_difference')}</dt><dd>${money(req, BigInt(ceilingRow?.ceiling ?? '0') - rkpdOpd)}</dd>` : ''}
  <dt>${tr(req, 'bud.field.allocated')}</dt><dd>${money(req, o?.allocated ?? '0')}</dd>
  <dt>${tr(req, 'bud.field.planned')}</dt><dd>${money(req, o?.planned ?? '0')}</dd>
  <dt>${tr(req, 'bud.field.remaining')}</dt><dd id="opd-remaining">${money(req, BigInt(ceilingRow?.ceiling ?? '0') - BigInt(o?.planned ?? '0'))}</dd>
  <dt>${tr(req, 'common.export')}</dt><dd class="actions"><a href="${exp}/rka.pdf">${tr(req, 'bud.export.pdf')}</a> <a href="${exp}/rka.xlsx">${tr(req, 'bud.export.xlsx')}</a> <a href="${exp}/lines.csv">${tr(req, 'bud.export.csv')}</a> <a href="${exp}/lines.json">${tr(req, 'bud.export.json')}</a></dd>
</dl>
<h2>${tr(req, 'bud.field.sub_kegiatan')}</h2>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'bud.field.code')}</th><th>${tr(req, 'bud.field.sub_kegiatan')}</th><th>${tr(req, 'bud.field.funding_source')}</th>${showRkpd ? html`<th class="num">${tr(req, 'bud.field.rkpd_ceiling')}</th>` : ''}<th class="num">${tr(req, 'bud.field.ceiling')}</th>${showRkpd ? html`<th class="num">${tr(req, 'bud.field.rkpd_difference')}</th>` : ''}<th class="num">${tr(req, 'bud.field.planned')}</th><th class="num">${tr(req, 'bud.field.remaining')}</th><th class="num">${tr(req, 'bud.field.lines')}</th><th>${tr(req, 'common.status')}</th>${isTapd ? html`<th>${tr(req, 'bud.stages.set_ceiling')}</th>` : ''}</tr></thead>
<tbody>${
        subs.length
          ? subs.map(
              (
                s,
                i,
              ) => html`${groupRows(s, subs[i - 1])}<tr><td>${s.code}</td><td><a href="/budget/sub/${s.id}">${s.name}</a>${lockedCodes.has(s.code) || lockedCodes.has(s.kegiatan_code) ? html` <span class="badge err">🔒</span>` : ''}</td><td>${s.funding_source_id ? fundingName.get(s.funding_source_id) : ''}</td>
${showRkpd ? rkpdCells(req, rkpdOf(s.code), s.ceiling).rkpd : ''}<td class="num">${money(req, s.ceiling)}</td>${showRkpd ? rkpdCells(req, rkpdOf(s.code), s.ceiling).difference : ''}<td class="num">${money(req, s.planned)}</td>${remainingCell(req, s.ceiling, s.planned)}<td class="num">${s.lines}</td><td>${statusBadge(req, s.status)}</td>
${isTapd ? html`<td><form method="post" action="/budget/opd/${opdId}/sub-ceiling" class="inline">${csrfField(req)}<input type="hidden" name="stage_id" value="${stage.id}"><input type="hidden" name="code" value="${s.code}"><input name="ceiling" inputmode="numeric" size="14" value="${s.ceiling}" aria-label="${tr(req, 'bud.field.ceiling')} ${s.code}"> <button class="secondary">${tr(req, 'common.save')}</button></form></td>` : ''}</tr>`,
            )
          : html`<tr><td colspan="${8 + (showRkpd ? 2 : 0) + (isTapd ? 1 : 0)}">${tr(req, 'common.empty')}</td></tr>`
      }</tbody></table></div>
${
  rkpdMissing.length
    ? html`<p class="muted">${tr(req, 'bud.opd.rkpd_not_in_rka', {
        count: rkpdMissing.length,
        total: formatNumber(
          req.lang,
          rkpdMissing.reduce((a, [, v]) => a + v, 0n),
        ),
        year: stage.year,
      })}</p>`
    : ''
}
${isHead ? html`<form method="post" action="/budget/opd/${opdId}/submit" class="actions">${csrfField(req)}<input type="hidden" name="stage_id" value="${stage.id}"><button>${tr(req, 'bud.opd.submit_rka')}</button></form>` : ''}
${
  isOperator || isTapd
    ? html`<h2>${isTapd ? tr(req, 'bud.stages.sub_ceilings') : tr(req, 'bud.opd.add_sub')}</h2>
${
  !renjaCount
    ? html`<p class="warning" id="no-renja">${tr(req, 'bud.opd.no_renja', { year: stage.year })} <a href="/perencanaan/renja?year=${stage.year}">${tr(req, 'bud.opd.renja_link', { year: stage.year })}</a></p>`
    : !addable.length
      ? html`<p class="muted">${tr(req, 'bud.opd.renja_all_in', { year: stage.year })}</p>`
      : html`<form method="post" action="/budget/opd/${opdId}/${isTapd ? 'sub-ceiling' : 'sub'}" class="form">${csrfField(req)}<input type="hidden" name="stage_id" value="${stage.id}">
  <label>${tr(req, 'bud.field.sub_kegiatan')} <span class="hint">${tr(req, 'bud.opd.from_renja_hint', { year: stage.year })}</span><select name="code">${addable.map((n) => html`<option value="${n.code}">${n.code} ${n.name}</option>`)}</select></label>
  ${isTapd ? html`<label>${tr(req, 'bud.field.ceiling')}<input name="ceiling" inputmode="numeric" data-num="rupiah" required></label>` : ''}
  <label>${tr(req, 'bud.field.funding_source')}<select name="funding_source_id"><option value="">— ${tr(req, 'bud.opd.from_renja')}</option>${funding.map((f) => html`<option value="${f.id}">${f.code} ${f.name}</option>`)}</select></label>
  <div class="actions"><button>${tr(req, 'common.new')}</button></div>
</form>`
}`
    : ''
}
${
  lines.length || ceilingRow?.allow_revenue || ceilingRow?.allow_financing
    ? html`<h2>${tr(req, 'bud.opd.revenue_financing')}</h2>${linesTable(req, lines.map(lineOut), { showKind: true, edit: isOperator })}
${isOperator && ceilingRow?.allow_revenue ? html`<a class="button secondary" href="/budget/opd/${opdId}/lines/new?kind=pendapatan&stage_id=${stage.id}">${tr(req, 'bud.opd.add_revenue')}</a>` : ''}
${isOperator && ceilingRow?.allow_financing ? html`<a class="button secondary" href="/budget/opd/${opdId}/lines/new?kind=pembiayaan&stage_id=${stage.id}">${tr(req, 'bud.opd.add_financing')}</a>` : ''}`
    : ''
}`;
      return sendPage(req, reply, { title: tr(req, 'bud.opd.title', { opd: org.name }), body, notice: saved(req) });
    },
  );

  app.post(
    '/budget/opd/:opdId/sub',
    {
      config: { auth: { permission: 'bud.line.write', opd: opdFromParam } },
      schema: { ...hide, params: opdParams, body: formBody },
    },
    async (req, reply) => {
      const b = req.body;
      const stageId = Number(str(b, 'stage_id'));
      const fs = str(b, 'funding_source_id');
      return act(reply, `/budget/opd/${req.params.opdId}?stage_id=${stageId}`, () =>
        createSub(db, req.principal!, stageId, req.params.opdId, {
          code: str(b, 'code'),
          ...(fs ? { funding_source_id: Number(fs) } : {}),
        }),
      );
    },
  );

  app.post(
    '/budget/opd/:opdId/sub-ceiling',
    { config: { auth: { permission: 'bud.ceiling.write' } }, schema: { ...hide, params: opdParams, body: formBody } },
    async (req, reply) => {
      const b = formNumbers(req.body, [['ceiling', 'rupiah']]);
      const stageId = Number(str(b, 'stage_id'));
      const fs = str(b, 'funding_source_id');
      return act(reply, `/budget/opd/${req.params.opdId}?stage_id=${stageId}`, () =>
        setSubCeiling(db, req.principal!, stageId, req.params.opdId, {
          code: str(b, 'code'),
          ceiling: str(b, 'ceiling'),
          ...(fs ? { funding_source_id: Number(fs) } : {}),
        }),
      );
    },
  );

  app.post(
    '/budget/opd/:opdId/submit',
    {
      config: { auth: { permission: 'bud.submit', opd: opdFromParam } },
      schema: { ...hide, params: opdParams, body: formBody },
    },
    async (req, reply) => {
      const stageId = Number(str(req.body, 'stage_id'));
      const back = `/budget/opd/${req.params.opdId}?stage_id=${stageId}`;
      const org = await getOrganisation(db, req.principal!.pemdaId, req.params.opdId);
      const opdName = org?.name ?? '';
      if (!confirmed(req.body)) {
        const subs = (await listSubs(db, req.principal!.pemdaId, stageId, req.params.opdId)).filter(
          (s) => (s.status === 'draft' || s.status === 'returned') && s.lines > 0,
        );
        const total = subs.reduce((a, s) => a + BigInt(s.planned), 0n);
        const lines = subs.reduce((a, s) => a + s.lines, 0);
        return sendConfirm(req, reply, {
          title: tr(req, 'bud.confirm.submit_rka_title', { opd: opdName }),
          what: subs.length
            ? [
                tr(req, 'bud.confirm.submit_rka_what', {
                  opd: opdName,
                  subs: subs.length,
                  lines,
                  total: money(req, total),
                }),
                ...subs.slice(0, 20).map((s) => `${s.code} ${s.name} · ${money(req, s.planned)}`),
                tr(req, 'bud.confirm.submit_rka_after'),
              ]
            : [tr(req, 'bud.error.nothing_to_submit')],
          action: `/budget/opd/${req.params.opdId}/submit`,
          body: req.body,
          yes: tr(req, 'bud.confirm.submit_rka_yes'),
          back,
        });
      }
      return actDone(reply, back, async () => {
        const out = await submitRka(db, req.principal!, stageId, req.params.opdId, {});
        const total = out.reduce((a, s) => a + BigInt(s.planned), 0n);
        return { key: 'submit_rka', params: { opd: opdName, subs: out.length, total: money(req, total) } };
      });
    },
  );

  // ---- a sub kegiatan -----------------------------------------------------------------------------------------
  const idParams = z.object({ id: z.coerce.number().int().positive() });
  const subOpd = async (req: FastifyRequest) =>
    (await getSub(db, req.principal!.pemdaId, Number((req.params as { id: string }).id)))?.opd_id;
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
      const s = await getSub(db, p.pemdaId, req.params.id);
      if (!s) throw notFound('bud.error.sub_unknown');
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
      const canEdit = budCan(p, 'bud.line.write') && p.opdId === s.opd_id && editable;
      const canSubmit =
        budCan(p, 'bud.submit') &&
        p.opdId === s.opd_id &&
        state.open &&
        (s.status === 'draft' || s.status === 'returned') &&
        lines.length > 0;
      const canVerify = budCan(p, 'bud.verify') && stage.status === 'open';
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
      const s = await getSub(db, req.principal!.pemdaId, req.params.id);
      if (!s) throw notFound('bud.error.sub_unknown');
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
          opd_id: z.coerce.number().int().positive().optional(),
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

  // ---- stages, windows, ceilings, input access, locks, settings (TAPD) --------------------------------------------
  const manage = { permission: 'bud.stage.manage' };
  const count = z.coerce.number().int().min(0).optional();
  const stagesQuery = stageQuery.extend({
    rkpd: z.string().optional(),
    opds: count,
    created: count,
    updated: count,
    skipped: count,
  });
  app.get(
    '/budget/stages',
    { config: { auth: manage }, schema: { ...hide, querystring: stagesQuery } },
    async (req, reply) => {
      const p = req.principal!;
      const [stages, settings, opds] = await Promise.all([
        listStages(db, p.pemdaId),
        getSettings(db, p.pemdaId),
        listOpds(db, p.pemdaId),
      ]);
      const stage = await pageStage(db, req, req.query.stage_id);
      const rows = stage ? await opdOverview(db, p.pemdaId, stage.id) : [];
      const rkpd = stage ? await rkpdCeilings(db, p.pemdaId, stage.year) : undefined;
      const q = req.query;
      const rkpdDone = q.rkpd
        ? tr(req, 'bud.stages.from_rkpd_done', {
            opds: q.opds ?? 0,
            created: q.created ?? 0,
            updated: q.updated ?? 0,
            skipped: q.skipped ?? 0,
          })
        : undefined;
      const byOpd = new Map(rows.map((r) => [r.opd_id, r]));
      const locks = stage ? await listLocks(db, p.pemdaId, stage.id) : [];
      const dt = (d: Date | string) => toLocalInput(d, ctx.config.timeZone);
      const open = stages.find((s) => s.status === 'open');
      const closedLast = !open ? stages.find((s) => s.status === 'closed') : undefined;
      const nextYear = (stages[0]?.year ?? new Date().getFullYear()) + 1;
      const body: HtmlValue[] = [
        html`<table class="data"><thead><tr><th>${tr(req, 'bud.field.year')}</th><th>${tr(req, 'bud.field.stage')}</th><th>${tr(req, 'common.status')}</th><th>${tr(req, 'bud.field.window')}</th><th></th></tr></thead><tbody>${stages.map(
          (
            s,
          ) => html`<tr><td>${s.year}</td><td><a href="/budget?stage_id=${s.id}">${s.name}</a></td><td>${tr(req, `bud.stage.${s.status}`)}</td><td>${formatDate(req.lang, s.input_opens_at, true)} – ${formatDate(req.lang, s.input_closes_at, true)}</td>
<td>${s.status === 'open' ? html`<form method="post" action="/budget/stages/${s.id}/close" class="inline">${csrfField(req)}<button class="secondary">${tr(req, 'bud.stages.close')}</button></form>` : ''}</td></tr>`,
        )}</tbody></table>`,
      ];
      if (open) {
        body.push(html`<h2>${tr(req, 'bud.stages.set_window')}</h2><form method="post" action="/budget/stages/${open.id}/window" class="form">${csrfField(req)}
  <label>${tr(req, 'bud.field.opens_at')}<input type="datetime-local" name="input_opens_at" value="${dt(open.input_opens_at)}" required></label>
  <label>${tr(req, 'bud.field.closes_at')}<input type="datetime-local" name="input_closes_at" value="${dt(open.input_closes_at)}" required></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`);
      } else {
        body.push(html`<h2>${tr(req, 'bud.stages.new_year')}</h2><form method="post" action="/budget/stages/year" class="form">${csrfField(req)}
  <label>${tr(req, 'bud.field.year')}<input name="year" inputmode="numeric" value="${nextYear}" required></label>
  <label>${tr(req, 'bud.field.opens_at')}<input type="datetime-local" name="input_opens_at" required></label>
  <label>${tr(req, 'bud.field.closes_at')}<input type="datetime-local" name="input_closes_at" required></label>
  <div class="actions"><button>${tr(req, 'bud.stages.new_year')}</button></div></form>`);
        if (closedLast) {
          body.push(html`<h2>${tr(req, 'bud.stages.open_next')}</h2><form method="post" action="/budget/stages/next" class="form">${csrfField(req)}<input type="hidden" name="year" value="${closedLast.year}">
  <label>${tr(req, 'bud.field.kind')}<select name="kind">${(['murni', 'pergeseran', 'perubahan'] as const).map((k) => html`<option value="${k}">${tr(req, `bud.stage.${k}`)}</option>`)}</select></label>
  <label>${tr(req, 'bud.field.opens_at')}<input type="datetime-local" name="input_opens_at" required></label>
  <label>${tr(req, 'bud.field.closes_at')}<input type="datetime-local" name="input_closes_at" required></label>
  <div class="actions"><button>${tr(req, 'bud.stages.open_next')}</button></div></form>`);
        }
      }
      body.push(html`<h2>${tr(req, 'bud.stages.settings')}</h2><form method="post" action="/budget/stages/settings" class="form">${csrfField(req)}<input type="hidden" name="version" value="${settings.version}">
  <label>${tr(req, 'bud.field.ppn_rate')}<input name="ppn_rate" inputmode="decimal" data-num="percent" value="${formatIdNumber(cleanDec(settings.ppn_rate))}" required></label>
  <label class="check"><input type="checkbox" name="allow_free_text" value="true" ${settings.allow_free_text ? 'checked' : ''}> ${tr(req, 'bud.field.allow_free_text')}</label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`);
      if (stage && stage.status === 'open') {
        body.push(html`<h2 id="from-rkpd">${tr(req, 'bud.stages.from_rkpd_title', { year: stage.year })}</h2>
${
  rkpd?.approved
    ? html`<form method="post" action="/budget/stages/${stage.id}/from-rkpd" class="form">${csrfField(req)}<p class="hint">${tr(req, 'bud.stages.from_rkpd_help', { year: stage.year, stage: stage.name })}</p>
  <div class="actions"><button>${tr(req, 'bud.stages.from_rkpd', { year: stage.year })}</button></div></form>`
    : html`<p class="muted">${tr(req, 'bud.stages.from_rkpd_none', { year: stage.year })}</p>`
}
<h2>${tr(req, 'bud.stages.ceilings')} · ${stage.name}</h2>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'bud.field.opd')}</th>${rkpd?.approved ? html`<th class="num">${tr(req, 'bud.field.rkpd_ceiling')}</th>` : ''}<th class="num">${tr(req, 'bud.field.planned')}</th><th>${tr(req, 'bud.field.ceiling')}</th><th>${tr(req, 'bud.stages.input_access')}</th></tr></thead><tbody>${opds
          .filter((o) => o.kind === 'opd')
          .map((o) => {
            const r = byOpd.get(o.id);
            const st = inputState(
              stage,
              r ? { input_mode: r.input_mode as 'window', input_until: r.input_until } : undefined,
            );
            return html`<tr><td><a href="/budget/opd/${o.id}?stage_id=${stage.id}">${o.name}</a></td>${rkpd?.approved ? rkpdCells(req, rkpd.opd.get(o.id), r?.ceiling ?? '0').rkpd : ''}<td class="num">${money(req, r?.planned ?? '0')}</td>
<td><form method="post" action="/budget/stages/${stage.id}/ceiling/${o.id}" class="inline">${csrfField(req)}<input name="ceiling" inputmode="numeric" data-num="rupiah" size="16" value="${formatIdNumber(r?.ceiling ?? '0')}" aria-label="${tr(req, 'bud.field.ceiling')} ${o.shortName}">
  <label class="check"><input type="checkbox" name="allow_revenue" value="true" ${r?.allow_revenue ? 'checked' : ''}>${tr(req, 'bud.kind.pendapatan')}</label>
  <label class="check"><input type="checkbox" name="allow_financing" value="true" ${r?.allow_financing ? 'checked' : ''}>${tr(req, 'bud.kind.pembiayaan')}</label>
  <button class="secondary">${tr(req, 'common.save')}</button></form></td>
<td><span class="badge ${st.open ? 'ok' : 'err'}">${tr(req, `bud.stages.mode.${r?.input_mode ?? 'window'}`)}</span>
<form method="post" action="/budget/stages/${stage.id}/input/${o.id}" class="inline">${csrfField(req)}<select name="mode" aria-label="${tr(req, 'bud.stages.input_access')} ${o.name}">${(['window', 'open', 'closed'] as const).map((m) => html`<option value="${m}" ${m === (r?.input_mode ?? 'window') ? 'selected' : ''}>${tr(req, `bud.stages.mode.${m}`)}</option>`)}</select>
<input type="datetime-local" name="until" value="${r?.input_until ? dt(r.input_until) : ''}" aria-label="${tr(req, 'bud.field.until')} ${o.name}"> <button class="secondary">${tr(req, 'common.save')}</button></form></td></tr>`;
          })}</tbody></table></div>
<h2>${tr(req, 'bud.stages.locks')}</h2>
<ul>${locks.map((l) => html`<li>${opds.find((o) => o.id === l.opd_id)?.shortName} ${l.code} <form method="post" action="/budget/stages/${stage.id}/unlock" class="inline">${csrfField(req)}<input type="hidden" name="opd_id" value="${l.opd_id}"><input type="hidden" name="code" value="${l.code}"><button class="link">${tr(req, 'bud.stages.unlock')}</button></form></li>`)}</ul>
<form method="post" action="/budget/stages/${stage.id}/lock" class="filters">${csrfField(req)}
  <label>${tr(req, 'bud.field.opd')}<select name="opd_id">${opds.filter((o) => o.kind === 'opd').map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></label>
  <label>${tr(req, 'bud.field.code')}<input name="code" placeholder="1.02.01.2.01" required></label>
  <button>${tr(req, 'bud.stages.lock')}</button></form>`);
      }
      return sendPage(req, reply, { title: tr(req, 'bud.stages.title'), body, notice: rkpdDone ?? saved(req) });
    },
  );

  const stageParams = z.object({ stageId: z.coerce.number().int().positive() });
  const stageOpdParams = stageParams.extend({ opdId: z.coerce.number().int().positive() });
  const localDate = (v: string) => fromLocalInput(v, ctx.config.timeZone);
  app.post(
    '/budget/stages/year',
    { config: { auth: manage }, schema: { ...hide, body: formBody } },
    async (req, reply) =>
      act(reply, '/budget/stages', () =>
        createYear(db, req.principal!, {
          year: Number(str(formNumbers(req.body, [['year', 'integer']]), 'year')),
          input_opens_at: localDate(str(req.body, 'input_opens_at'))!,
          input_closes_at: localDate(str(req.body, 'input_closes_at'))!,
        }),
      ),
  );
  app.post(
    '/budget/stages/next',
    { config: { auth: manage }, schema: { ...hide, body: formBody } },
    async (req, reply) =>
      act(reply, '/budget/stages', () =>
        openNextStage(db, req.principal!, {
          year: Number(str(req.body, 'year')),
          kind: str(req.body, 'kind') as 'murni',
          input_opens_at: localDate(str(req.body, 'input_opens_at'))!,
          input_closes_at: localDate(str(req.body, 'input_closes_at'))!,
        }),
      ),
  );
  app.post(
    '/budget/stages/:stageId/close',
    { config: { auth: manage }, schema: { ...hide, params: stageParams, body: formBody.optional() } },
    async (req, reply) => {
      const stage = await requireStage(db, req.principal!.pemdaId, req.params.stageId);
      if (!confirmed(req.body)) {
        const rows = await opdOverview(db, req.principal!.pemdaId, stage.id);
        const planned = rows.reduce((a, r) => a + BigInt(r.planned), 0n);
        return sendConfirm(req, reply, {
          title: tr(req, 'bud.confirm.close_title', { stage: stage.name }),
          what: [
            tr(req, 'bud.confirm.close_what', { stage: stage.name, opds: rows.length, total: money(req, planned) }),
            tr(req, 'bud.confirm.close_after'),
          ],
          action: `/budget/stages/${stage.id}/close`,
          body: req.body,
          yes: tr(req, 'bud.confirm.close_yes'),
          back: '/budget/stages',
          danger: true,
        });
      }
      return actDone(reply, '/budget/stages', async () => {
        await closeStage(db, req.principal!, stage.id);
        return { key: 'close', params: { stage: stage.name } };
      });
    },
  );
  app.post(
    '/budget/stages/:stageId/window',
    { config: { auth: manage }, schema: { ...hide, params: stageParams, body: formBody } },
    async (req, reply) =>
      act(reply, '/budget/stages', () =>
        setWindow(db, req.principal!, req.params.stageId, {
          input_opens_at: localDate(str(req.body, 'input_opens_at'))!,
          input_closes_at: localDate(str(req.body, 'input_closes_at'))!,
        }),
      ),
  );
  app.post(
    '/budget/stages/settings',
    { config: { auth: { permission: 'bud.settings.write' } }, schema: { ...hide, body: formBody } },
    async (req, reply) =>
      act(reply, '/budget/stages', () =>
        updateSettings(db, req.principal!, {
          ppn_rate: str(formNumbers(req.body, [['ppn_rate', 'percent']]), 'ppn_rate'),
          allow_free_text: str(req.body, 'allow_free_text') === 'true',
          version: Number(str(req.body, 'version')) || undefined,
        }),
      ),
  );
  app.post(
    '/budget/stages/:stageId/ceiling/:opdId',
    {
      config: { auth: { permission: 'bud.ceiling.write' } },
      schema: { ...hide, params: stageOpdParams, body: formBody },
    },
    async (req, reply) =>
      act(reply, `/budget/stages?stage_id=${req.params.stageId}`, () =>
        setOpdCeiling(db, req.principal!, req.params.stageId, req.params.opdId, {
          ceiling: str(formNumbers(req.body, [['ceiling', 'rupiah']]), 'ceiling'),
          allow_revenue: str(req.body, 'allow_revenue') === 'true',
          allow_financing: str(req.body, 'allow_financing') === 'true',
        }),
      ),
  );
  app.post(
    '/budget/stages/:stageId/from-rkpd',
    {
      config: { auth: { permission: 'bud.ceiling.write' } },
      schema: { ...hide, params: stageParams, body: formBody.optional() },
    },
    async (req, reply) => {
      const stageId = req.params.stageId;
      if (!confirmed(req.body)) {
        const stage = await requireStage(db, req.principal!.pemdaId, stageId);
        const [rk, current, opds] = await Promise.all([
          rkpdCeilings(db, req.principal!.pemdaId, stage.year),
          opdOverview(db, req.principal!.pemdaId, stageId),
          listOpds(db, req.principal!.pemdaId),
        ]);
        const now = new Map(current.map((r) => [r.opd_id, BigInt(r.ceiling)]));
        const changes = [...(rk?.opd.entries() ?? [])]
          .map(([opdId, c]) => ({ opdId, from: now.get(opdId) ?? 0n, to: BigInt(c) }))
          .filter((c) => c.from !== c.to);
        const name = new Map(opds.map((o) => [o.id, o.name]));
        return sendConfirm(req, reply, {
          title: tr(req, 'bud.confirm.rkpd_title', { stage: stage.name }),
          what: [
            tr(req, 'bud.confirm.rkpd_what', { year: stage.year, opds: changes.length }),
            ...changes
              .slice(0, 40)
              .map((c) => `${name.get(c.opdId) ?? c.opdId}: ${money(req, c.from)} → ${money(req, c.to)}`),
            tr(req, 'bud.confirm.rkpd_after'),
          ],
          action: `/budget/stages/${stageId}/from-rkpd`,
          body: req.body,
          yes: tr(req, 'bud.confirm.rkpd_yes'),
          back: `/budget/stages?stage_id=${stageId}`,
          danger: true,
        });
      }
      try {
        const r = await initCeilingsFromRkpd(db, req.principal!, stageId, {});
        const opds = r.opds.filter((o) => o.ceiling !== o.ceiling_before).length;
        return reply.redirect(
          `/budget/stages?stage_id=${stageId}&rkpd=1&opds=${opds}&created=${r.created}&updated=${r.updated}&skipped=${r.skipped.length}#from-rkpd`,
          303,
        );
      } catch (err) {
        const conflicts =
          err instanceof AppError && err.messageKey === 'bud.error.rkpd_conflicts'
            ? (err.details as { conflicts: RkpdConflict[] }).conflicts
            : undefined;
        if (!conflicts) throw err;
        const names = new Map((await listOpds(db, req.principal!.pemdaId)).map((o) => [o.id, o.name]));
        const body = html`<p class="error" role="alert">${tr(req, (err as AppError).messageKey, (err as AppError).params)}</p>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'bud.field.opd')}</th><th>${tr(req, 'bud.field.sub_kegiatan')}</th><th class="num">${tr(req, 'bud.field.rkpd_ceiling')}</th><th class="num">${tr(req, 'bud.field.planned')}</th><th class="num">${tr(req, 'bud.stages.rkpd_shortfall')}</th></tr></thead>
<tbody>${conflicts.map(
          (
            c,
          ) => html`<tr><td><a href="/budget/opd/${c.opd_id}?stage_id=${stageId}">${names.get(c.opd_id) ?? c.opd_id}</a></td><td>${c.sub_kegiatan_id ? html`<a href="/budget/sub/${c.sub_kegiatan_id}">${c.code}</a>` : tr(req, 'bud.stages.rkpd_opd_total')}</td>
<td class="num">${money(req, c.rkpd_ceiling)}</td><td class="num">${money(req, c.planned)}</td><td class="num">${money(req, BigInt(c.planned) - BigInt(c.rkpd_ceiling))}</td></tr>`,
        )}</tbody></table></div>
<p><a href="/budget/stages?stage_id=${stageId}">← ${tr(req, 'bud.stages.title')}</a></p>`;
        return sendPage(req, reply, { title: tr(req, 'bud.stages.rkpd_conflicts_title'), body, status: 422 });
      }
    },
  );
  app.post(
    '/budget/stages/:stageId/input/:opdId',
    { config: { auth: manage }, schema: { ...hide, params: stageOpdParams, body: formBody } },
    async (req, reply) =>
      act(reply, `/budget/stages?stage_id=${req.params.stageId}`, () =>
        setOpdInput(db, req.principal!, req.params.stageId, req.params.opdId, {
          mode: str(req.body, 'mode') as 'open',
          until: localDate(str(req.body, 'until')) ?? null,
        }),
      ),
  );
  for (const [path, locked] of [
    ['lock', true],
    ['unlock', false],
  ] as const) {
    app.post(
      `/budget/stages/:stageId/${path}`,
      { config: { auth: manage }, schema: { ...hide, params: stageParams, body: formBody } },
      async (req, reply) =>
        act(reply, `/budget/stages?stage_id=${req.params.stageId}`, () =>
          setLock(
            db,
            req.principal!,
            req.params.stageId,
            { opd_id: Number(str(req.body, 'opd_id')), code: str(req.body, 'code') },
            locked,
          ),
        ),
    );
  }

  // ---- notifications ------------------------------------------------------------------------------------------------
  app.get(
    '/budget/notifications',
    { config: { auth: { permission: 'bud.notifications' } }, schema: hide },
    async (req, reply) => {
      const { rows, unread } = await listNotifications(db, req.principal!, { limit: 100 });
      const body = html`<p class="muted">${tr(req, 'bud.notifications.unread', { count: unread })}</p>
${unread ? html`<form method="post" action="/budget/notifications/read" class="actions">${csrfField(req)}<button class="secondary">${tr(req, 'bud.notifications.mark_all')}</button></form>` : ''}
<table class="data"><tbody>${rows.length ? rows.map((n) => html`<tr><td>${formatDate(req.lang, n.at, true)}</td><td>${n.read ? '' : html`<span class="badge warn">•</span> `}${n.link ? html`<a href="${n.link}">${tr(req, n.message_key, n.params)}</a>` : tr(req, n.message_key, n.params)}</td><td class="muted">${n.actor_name}</td></tr>`) : html`<tr><td>${tr(req, 'common.empty')}</td></tr>`}</tbody></table>`;
      return sendPage(req, reply, { title: tr(req, 'bud.notifications.title'), body });
    },
  );
  app.post(
    '/budget/notifications/read',
    { config: { auth: { permission: 'bud.notifications' } }, schema: { ...hide, body: formBody.optional() } },
    async (req, reply) => {
      await markRead(db, req.principal!, []);
      return reply.redirect('/budget/notifications', 303);
    },
  );

  await editorPages(app, ctx);
}

/** The lines under their account, "[#]" group and "[-]" description, with their flags. */
export function linesTable(
  req: FastifyRequest,
  lines: LineOut[],
  opts: { edit?: boolean; noteInputs?: boolean; showKind?: boolean } = {},
): Html {
  if (!lines.length) return html`<p class="muted">${tr(req, 'common.empty')}</p>`;
  let lastAccount = '';
  let lastGroup = '';
  let lastDesc = '';
  const extra = opts.edit || opts.noteInputs;
  const cols = 5 + (extra ? 1 : 0);
  const total = lines.reduce((s, l) => s + BigInt(l.total), 0n);
  const rows: Html[] = [];
  for (const l of lines) {
    if (l.account_code !== lastAccount) {
      const sum = lines.filter((x) => x.account_code === l.account_code).reduce((s, x) => s + BigInt(x.total), 0n);
      rows.push(
        html`<tr><th colspan="4">${opts.showKind ? html`${tr(req, `bud.kind.${l.kind}`)} · ` : ''}${l.account_code}</th><th class="num">${money(req, sum)}</th>${extra ? html`<th></th>` : ''}</tr>`,
      );
      lastAccount = l.account_code;
      lastGroup = '';
      lastDesc = '';
    }
    if (l.group_header && l.group_header !== lastGroup)
      rows.push(html`<tr><td colspan="${cols}"><b>[#] ${l.group_header}</b></td></tr>`);
    if (l.group_header !== lastGroup) lastDesc = '';
    lastGroup = l.group_header;
    if (l.description_header && l.description_header !== lastDesc)
      rows.push(html`<tr><td colspan="${cols}">[-] ${l.description_header}</td></tr>`);
    lastDesc = l.description_header;
    rows.push(html`<tr id="line-${l.id}"><td>${l.name}${l.spec ? html` <span class="muted">${l.spec}</span>` : ''}
${l.free_text ? html` <span class="badge err">${tr(req, 'bud.flag.free_text')}</span>` : ''}${l.travel_component ? html` <span class="badge">${tr(req, `bud.travel.${l.travel_component}`)}</span>` : ''}
${l.review_note ? html`<br><span class="field-error">${tr(req, 'bud.sub.review_note')}: ${l.review_note}</span>` : ''}</td>
<td>${l.coefficient}</td><td class="num">${money(req, l.unit_price)}${l.at_catalogue_price ? html` <span class="badge warn" title="${tr(req, 'bud.flag.at_price')}">=</span>` : ''}</td><td class="num">${l.tax_rate === '0' ? '' : `${l.tax_rate}%`}</td><td class="num">${money(req, l.total)}</td>
${opts.edit ? html`<td>${l.travel_id ? '' : html`<a href="/budget/lines/${l.id}/edit">${tr(req, 'common.edit')}</a>`}</td>` : ''}${opts.noteInputs ? html`<td><input name="note_${l.id}" aria-label="${tr(req, 'bud.field.line_note')}" placeholder="${tr(req, 'bud.field.line_note')}"></td>` : ''}</tr>`);
  }
  return html`<div class="table-wrap"><table class="data lines"><thead><tr><th>${tr(req, 'bud.field.name')}</th><th>${tr(req, 'bud.field.coefficient')}</th><th class="num">${tr(req, 'bud.field.unit_price')}</th><th class="num">${tr(req, 'bud.field.ppn')}</th><th class="num">${tr(req, 'bud.field.total')}</th>${opts.edit || opts.noteInputs ? html`<th></th>` : ''}</tr></thead>
<tbody>${rows}</tbody><tfoot><tr><td colspan="4">${tr(req, 'bud.print.total')}</td><td class="num" id="lines-total">${money(req, total)}</td>${extra ? html`<td></td>` : ''}</tr></tfoot></table></div>`;
}
