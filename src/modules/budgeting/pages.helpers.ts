// Shared pieces of the e-Budgeting pages: status badges, notices (what an action did), the stage
// picker, the overview table and the lines table.
import type { FastifyReply, FastifyRequest } from 'fastify';

import { z } from 'zod';

import type { Db } from '../../core/db/database.ts';
import { html, type Html } from '../../core/http/html.ts';
import { tr } from '../../core/http/layout.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { formatDate } from '../../core/i18n/i18n.ts';

import { can } from '../../core/auth/policy.ts';
import { currentStage, getStage, type InputState, type Stage } from './stages.service.ts';
import { getSub, type LineOut, type SubKegiatan } from './rka.service.ts';

import { type OpdOverviewRow } from './totals.queries.ts';

import { money } from './pages.common.ts';

import { normDecimal as cleanDecimal } from './calc.ts';

/** A numeric column ("12.5000") as a canonical decimal ("12.5"). */
export const cleanDec = (v: string): string => cleanDecimal(v) ?? v;

export const hide = { hide: true } as const;

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

export function stagePicker(
  req: FastifyRequest,
  stages: Stage[],
  current: Stage,
  extra: Record<string, string> = {},
): Html {
  return html`<form method="get" class="filters">
  ${Object.entries(extra).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
  <label>${tr(req, 'bud.field.stage')}<select name="stage_id">${stages.map((s) => html`<option value="${s.id}" ${s.id === current.id ? 'selected' : ''}>${s.name} · ${tr(req, `bud.stage.${s.status}`)}</option>`)}</select></label>
  <button>${tr(req, 'common.filter')}</button>
</form>`;
}

export function pct(planned: string, ceiling: string): number {
  const c = BigInt(ceiling);
  return c === 0n ? 0 : Number((BigInt(planned) * 100n) / c);
}

/** Run a form action; 303 back with a notice, or the error on a page (the error handler). */
export async function act(reply: FastifyReply, to: string, fn: () => Promise<unknown>): Promise<FastifyReply> {
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

/** Per OPD: [pagu indikatif (RKPD), ] ceiling, [difference, ] planned, remaining, progress[, flags]. */
export function overviewTable(
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
<td>${r.subs ? html`${statusBadge(req, 'approved', `${r.approved}/${r.subs}`)} ${r.submitted ? (can(req.principal!, 'bud.verify') ? html`<a href="/budget/queue?stage_id=${stage.id}&amp;opd_id=${r.opd_id}" title="${tr(req, 'bud.queue.title')}">${statusBadge(req, 'submitted', r.submitted)}</a>` : statusBadge(req, 'submitted', r.submitted)) : ''} ${r.returned ? statusBadge(req, 'returned', r.returned) : ''}` : html`<span class="muted">—</span>`}</td>
${review ? html`<td>${r.flagged_free_text ? html`<span class="badge err">${r.flagged_free_text} ${tr(req, 'bud.flag.free_text')}</span>` : ''} ${r.flagged_at_ceiling_price ? html`<span class="badge warn">${r.flagged_at_ceiling_price} ${tr(req, 'bud.flag.at_price')}</span>` : ''} <a href="/budget/review?stage_id=${stage.id}&opd_id=${r.opd_id}">${tr(req, 'bud.review.open_opd')}</a></td>` : ''}</tr>`;
  })}</tbody>
<tfoot><tr><td>${tr(req, 'bud.overview.pemda_total')}</td>${totalCells?.rkpd ?? ''}<td class="num">${money(req, sum('ceiling'))}</td>${totalCells?.difference ?? ''}<td class="num">${money(req, sum('planned'))}</td>${remainingCell(req, sum('ceiling'), sum('planned'))}<td></td><td></td>${review ? html`<td></td>` : ''}</tr></tfoot></table></div>`;
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
  // "why does this exist?": the internal trace of the line (transparency)
  const traceable = can(req.principal, 'tp.trace.internal', { opdId: lines[0]!.opd_id });
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
${l.review_note ? html`<br><span class="field-error">${tr(req, 'bud.sub.review_note')}: ${l.review_note}</span>` : ''}${traceable ? html` <a class="muted" href="/trace/line/${l.id}">${tr(req, 'tp.itrace.why')}</a>` : ''}</td>
<td>${l.coefficient}</td><td class="num">${money(req, l.unit_price)}${l.at_catalogue_price ? html` <span class="badge warn" title="${tr(req, 'bud.flag.at_price')}">=</span>` : ''}</td><td class="num">${l.tax_rate === '0' ? '' : `${l.tax_rate}%`}</td><td class="num">${money(req, l.total)}</td>
${opts.edit ? html`<td>${l.travel_id ? '' : html`<a href="/budget/lines/${l.id}/edit">${tr(req, 'common.edit')}</a>`}</td>` : ''}${opts.noteInputs ? html`<td><input name="note_${l.id}" aria-label="${tr(req, 'bud.field.line_note')}" placeholder="${tr(req, 'bud.field.line_note')}"></td>` : ''}</tr>`);
  }
  return html`<div class="table-wrap"><table class="data lines"><thead><tr><th>${tr(req, 'bud.field.name')}</th><th>${tr(req, 'bud.field.coefficient')}</th><th class="num">${tr(req, 'bud.field.unit_price')}</th><th class="num">${tr(req, 'bud.field.ppn')}</th><th class="num">${tr(req, 'bud.field.total')}</th>${opts.edit || opts.noteInputs ? html`<th></th>` : ''}</tr></thead>
<tbody>${rows}</tbody><tfoot><tr><td colspan="4">${tr(req, 'bud.print.total')}</td><td class="num" id="lines-total">${money(req, total)}</td>${extra ? html`<td></td>` : ''}</tr></tfoot></table></div>`;
}

/** The sub kegiatan a page names; 404 when it is not one of the Pemda's. */
export async function loadSub(db: Db, req: FastifyRequest, id: number): Promise<SubKegiatan> {
  const s = await getSub(db, req.principal!.pemdaId, id);
  if (!s) throw notFound('bud.error.sub_unknown');
  return s;
}
