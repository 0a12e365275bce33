// e-Budgeting pages for TAPD: stages, input windows, ceilings (also from the RKPD, with confirmation),
// one OPD's input access, locks and settings. Server-rendered; forms work without JavaScript.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';

import { html, type HtmlValue } from '../../core/http/html.ts';
import { confirmed, csrfField, sendConfirm, sendPage, tr } from '../../core/http/layout.ts';
import { AppError } from '../../core/errors.ts';
import { formatDate } from '../../core/i18n/i18n.ts';

import { listOpds } from '../master-data/index.ts';

import {
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
} from './stages.service.ts';
import { getSettings, setOpdCeiling, updateSettings } from './rka.service.ts';

import { opdOverview } from './totals.queries.ts';

import { formBody, formNumbers, fromLocalInput, money, str, toLocalInput } from './pages.common.ts';
import { formatIdNumber, intIn } from '../../core/number.ts';

import { initCeilingsFromRkpd, rkpdCeilings, type RkpdConflict } from './rkpd.service.ts';
import { act, actDone, cleanDec, doneNotice, hide, pageStage, rkpdCells } from './pages.helpers.ts';

export async function stagePages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const stageQuery = z
    .object({
      stage_id: intIn(z.number().int().positive().optional()),
      saved: z.string().optional(),
      done: z.string().optional(),
    })
    .catchall(z.string());
  const saved = (req: FastifyRequest) => doneNotice(req);
  // ---- stages, windows, ceilings, input access, locks, settings (TAPD) --------------------------------------------
  const manage = { permission: 'bud.stage.manage' };
  const count = intIn(z.number().int().min(0).optional());
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

  const stageParams = z.object({ stageId: intIn(z.number().int().positive()) });
  const stageOpdParams = stageParams.extend({ opdId: intIn(z.number().int().positive()) });
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
}
