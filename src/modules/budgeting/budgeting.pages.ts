// Pages of e-Budgeting: the overview (ceiling vs planned per OPD), an OPD's RKA and notifications; the
// sub kegiatan, stages, queue, line editor and travel calculator pages live beside it (sub.pages.ts,
// stages.pages.ts, queue.pages.ts, editor.pages.ts, travel.pages.ts). Server-rendered; every form
// works without JavaScript.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';

import { html, type Html } from '../../core/http/html.ts';
import { confirmed, csrfField, sendConfirm, sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { formatDate, formatNumber } from '../../core/i18n/i18n.ts';
import { isOpdScoped } from '../../core/roles.ts';
import {
  getNomenclature,
  getOrganisation,
  listFundingSources,
  listNomenclature,
  listOpds,
} from '../master-data/index.ts';
import { listApprovedRenjaItems } from '../planning/index.ts';

import { can } from '../../core/auth/policy.ts';
import { inputState, listLocks, listStages } from './stages.service.ts';
import {
  getOpdCeiling,
  lineOut,
  listLines,
  listSubs,
  setSubCeiling,
  createSub,
  type SubKegiatan,
} from './rka.service.ts';
import { submitRka } from './workflow.service.ts';

import { expenditureRollup, opdOverview, stageTotals } from './totals.queries.ts';
import { listNotifications, markRead } from './notifications.service.ts';
import { editorPages } from './editor.pages.ts';
import { travelPages } from './travel.pages.ts';
import { formBody, formNumbers, money, str } from './pages.common.ts';

import { rkpdCeilings } from './rkpd.service.ts';
import {
  act,
  actDone,
  overviewTable,
  doneNotice,
  hide,
  inputNotice,
  linesTable,
  pageStage,
  remainingCell,
  rkpdCells,
  stagePicker,
  statusBadge,
} from './pages.helpers.ts';
import { subPages } from './sub.pages.ts';
import { stagePages } from './stages.pages.ts';

export {
  actDone,
  doneNotice,
  errorText,
  inputNotice,
  linesTable,
  pageStage,
  remainingCell,
  rkpdCells,
  statusBadge,
  type Done,
} from './pages.helpers.ts';

export async function budgetingPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
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

  // ---- an OPD's RKA -----------------------------------------------------------------------------------------
  const opdParams = z.object({ opdId: intIn(z.number().int().positive()) });
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
      const isOperator = can(p, 'bud.line.write') && p.opdId === opdId && state.open && stage.kind !== 'kua_ppas';
      const isHead = can(p, 'bud.submit') && p.opdId === opdId && state.open;
      const isTapd = can(p, 'bud.ceiling.write') && stage.status === 'open';
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
${isHead ? html`<form method="post" action="/budget/opd/${opdId}/submit" class="actions">${csrfField(req)}<input type="hidden" name="stage_id" value="${stage.id}"><button>${tr(req, 'bud.opd.submit_rka')}</button></form>` : isOperator ? html`<p class="hint" id="who-submits">${tr(req, 'bud.opd.who_submits')}</p>` : ''}
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

  await subPages(app, ctx);
  await stagePages(app, ctx);
  await editorPages(app, ctx);
  await travelPages(app, ctx);
}
