// Pages of one element of an RPJMD or Renstra (edit, indicators, ceilings, delete) and of the cascade (pohon kinerja).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { can as allowed } from '../../core/auth/policy.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { notFound } from '../../core/errors.ts';
import { listOpds } from '../master-data/index.ts';
import * as plans from './plans.service.ts';
import * as annual from './annual.service.ts';
import {
  badge,
  errorBox,
  errorsOf,
  formBody,
  noticeOf,
  num,
  qs,
  rp,
  seeOther,
  selected,
  statusOf,
  type Errors,
} from './ui.ts';
import {
  anyBody,
  hide,
  idP,
  opdLabel,
  indicatorTable,
  targetInputs,
  targetsFromForm,
  ceilingsFromForm,
} from './plans.pages.ts';

export async function planElementPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const read = { auth: { permission: 'planning.read' } } as const;
  const can = (req: FastifyRequest, perm: string) => allowed(req.principal, perm);
  // ---- one element of an RPJMD or Renstra: edit, indicators, ceilings, delete ---------------------------------
  type Which = 'rpjmd' | 'renstra';
  const nodePage = async (
    req: FastifyRequest,
    which: Which,
    id: number,
    e?: { errors: Errors; message: string } | null,
  ) => {
    const pemdaId = req.principal!.pemdaId;
    const p = req.principal!;
    const raw =
      which === 'rpjmd' ? await plans.getRpjmdNode(db, pemdaId, id) : await plans.getRenstraNode(db, pemdaId, id);
    if (!raw) throw notFound();
    const planId =
      which === 'rpjmd' ? (raw as { rpjmd_id: number }).rpjmd_id : (raw as { renstra_id: number }).renstra_id;
    const tree =
      which === 'rpjmd' ? await plans.rpjmdTree(db, pemdaId, planId) : await plans.renstraTree(db, pemdaId, planId);
    const n = tree!.nodes.find((x) => x.id === id)!;
    const rpjmdId = which === 'rpjmd' ? planId : (raw as { rpjmd_id: number }).rpjmd_id;
    const rpjmd = (await plans.rpjmdTree(db, pemdaId, rpjmdId))!;
    const years = [0, 1, 2, 3, 4].map((i) => rpjmd.rpjmd.year_from + i);
    const opdList = await listOpds(db, pemdaId);
    const opds = new Map(opdList.map((o) => [o.id, o]));
    const renstraOpd = which === 'renstra' ? (raw as { opd_id: number }).opd_id : null;
    const draft =
      which === 'rpjmd'
        ? rpjmd.rpjmd.status === 'draft'
        : (raw as { renstra_status: string }).renstra_status === 'draft';
    const mayEdit =
      draft &&
      (which === 'rpjmd'
        ? can(req, 'planning.rpjmd.write')
        : can(req, 'planning.renstra.write') && (!isOpdScoped(p.role) || p.opdId === renstraOpd));
    const mayInd =
      draft &&
      (which === 'rpjmd'
        ? p.role === 'bappeda'
        : can(req, 'planning.indicator.write') && (!isOpdScoped(p.role) || p.opdId === renstraOpd));
    const base = `/perencanaan/${which}-node/${id}`;
    const label = tr(req, `pln.${which === 'rpjmd' ? 'node' : 'rnode'}.${n.kind}`);
    const links =
      which === 'renstra' && (n.kind === 'goal' || n.kind === 'program')
        ? rpjmd.nodes.filter((x) => x.kind === (n.kind === 'goal' ? 'target' : 'program'))
        : [];
    const linked = n.rpjmd_node_id ? rpjmd.nodes.find((x) => x.id === n.rpjmd_node_id) : undefined;
    const hasCeilings =
      which === 'rpjmd' ? n.kind === 'program' : ['program', 'kegiatan', 'sub_kegiatan'].includes(n.kind);
    const editForm = mayEdit
      ? html`<h2>${tr(req, 'common.edit')}</h2><form method="post" action="${base}" class="form">${csrfField(req)}<input type="hidden" name="version" value="${n.version}">
  <label>${tr(req, 'pln.node.seq')}<input name="seq" value="${n.seq}" inputmode="numeric" size="5"></label>
  ${which === 'rpjmd' ? html`<label>${tr(req, 'pln.node.code')}<input name="code" value="${n.code}"></label>` : ''}
  <label>${tr(req, 'pln.node.text')}<textarea name="text" rows="2" required>${n.text}</textarea></label>
  ${
    which === 'rpjmd' && n.kind === 'program'
      ? html`<label>${tr(req, 'pln.node.program_code')}<input name="program_code" value="${n.program_code ?? ''}"></label>
  <label>OPD<select name="opd_id"><option value="">—</option>${opdList.map((o) => html`<option value="${o.id}"${selected(o.id === n.opd_id)}>${o.name}</option>`)}</select></label>`
      : ''
  }
  ${links.length ? html`<label>${tr(req, 'pln.renstra.serves')}<select name="rpjmd_node_id">${n.kind === 'program' ? html`<option value="">—</option>` : ''}${links.map((x) => html`<option value="${x.id}"${selected(x.id === n.rpjmd_node_id)}>${x.program_code ?? x.code} ${x.text.slice(0, 80)}</option>`)}</select></label>` : ''}
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<form method="post" action="${base}/delete" class="actions">${csrfField(req)}<button class="secondary">${tr(req, 'pln.action.delete')}</button> <span class="muted">${tr(req, 'pln.node.delete_hint')}</span></form>`
      : '';
    const ceilingForm =
      mayEdit && hasCeilings
        ? html`<h2>${tr(req, 'pln.ceiling.set')}</h2><form method="post" action="${base}/ceilings" class="form">${csrfField(req)}
  <div class="filters">${years.map((y) => html`<label>${y}<input name="c_${y}" inputmode="numeric" size="14" value="${n.ceilings.find((c) => c.year === y)?.pagu ?? ''}"></label>`)}</div>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
        : '';
    const indicators = n.indicators.map(
      (i) =>
        html`<section class="card"><h3>${i.name} <small class="muted">(${i.unit})</small></h3>${indicatorTable(req, [i], years)}${
          mayInd
            ? html`<details><summary>${tr(req, 'common.edit')}</summary><form method="post" action="/perencanaan/indikator/${i.id}?back=${encodeURIComponent(base)}" class="form">${csrfField(req)}<input type="hidden" name="version" value="${i.version}">
  <label>${tr(req, 'pln.indicator.name')}<input name="name" value="${i.name}" required></label>
  <label>${tr(req, 'pln.indicator.unit')}<input name="unit" value="${i.unit}"></label>
  <label>${tr(req, 'pln.indicator.formula')}<input name="formula" value="${i.formula}"></label>
  <label>${tr(req, 'pln.indicator.baseline')}<input name="baseline" value="${i.baseline ?? ''}" inputmode="decimal"></label>
  <fieldset><legend>${tr(req, 'pln.indicator.targets')}</legend><div class="filters">${years.map((y) => html`<label>${y}<input name="t_${y}" inputmode="decimal" size="8" value="${i.targets.find((x) => x.year === y)?.value ?? ''}"></label>`)}</div></fieldset>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<form method="post" action="/perencanaan/indikator/${i.id}/delete?back=${encodeURIComponent(base)}" class="actions">${csrfField(req)}<button class="secondary">${tr(req, 'pln.action.delete')}</button></form></details>`
            : ''
        }</section>`,
    );
    const addInd = mayInd
      ? html`<h2>${tr(req, 'pln.indicator.add')}</h2><form method="post" action="/perencanaan/indikator?back=${encodeURIComponent(base)}" class="form">${csrfField(req)}
  <input type="hidden" name="${which}_node_id" value="${id}">
  <label>${tr(req, 'pln.indicator.name')}<input name="name" required></label>
  <label>${tr(req, 'pln.indicator.unit')}<input name="unit"></label>
  <label>${tr(req, 'pln.indicator.formula')}<input name="formula"></label>
  <label>${tr(req, 'pln.indicator.baseline')}<input name="baseline" inputmode="decimal"></label>
  ${targetInputs(req, years)}
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
      : '';
    const planLink =
      which === 'rpjmd'
        ? html`<a href="/perencanaan/rpjmd/${planId}">${rpjmd.rpjmd.title}</a>`
        : html`<a href="/perencanaan/renstra/${planId}">${tr(req, 'pln.renstra.title')} ${opdLabel(opds, renstraOpd)}</a>`;
    return {
      title: `${label} ${n.code}`,
      body: html`${errorBox(e)}<dl class="detail"><dt>${tr(req, 'pln.node.kind')}</dt><dd>${label}</dd><dt>${tr(req, 'pln.node.text')}</dt><dd>${n.text}</dd>
<dt>${tr(req, 'pln.node.plan')}</dt><dd>${planLink} ${draft ? badge(req, 'status', 'draft') : badge(req, 'status', 'approved')}</dd>
${n.program_code ? html`<dt>${tr(req, 'pln.node.program_code')}</dt><dd>${n.program_code} · ${opdLabel(opds, n.opd_id)}</dd>` : ''}
${linked ? html`<dt>${tr(req, 'pln.renstra.serves')}</dt><dd>${linked.program_code ?? linked.code} ${linked.text}</dd>` : ''}
${n.ceilings.length ? html`<dt>${tr(req, 'pln.ceiling.title')}</dt><dd>${n.ceilings.map((c) => html`${c.year}: ${rp(req, c.pagu)}<br>`)}</dd>` : ''}</dl>
<h2>${tr(req, 'pln.indicator.title')}</h2>${indicators.length ? indicators : html`<p class="muted">${tr(req, 'common.empty')}</p>`}
${addInd}${editForm}${ceilingForm}`,
    };
  };
  for (const which of ['rpjmd', 'renstra'] as const) {
    const perm = which === 'rpjmd' ? 'planning.rpjmd.write' : 'planning.renstra.write';
    const opdOf =
      which === 'renstra'
        ? (req: FastifyRequest) =>
            plans.opdOfRenstraNode(db, req.principal!.pemdaId, Number((req.params as { id: string }).id))
        : undefined;
    app.get(
      `/perencanaan/${which}-node/:id`,
      { config: read, schema: { ...hide, params: idP } },
      async (req, reply) => {
        const v = await nodePage(req, which, req.params.id);
        return sendPage(req, reply, { title: v.title, body: v.body, notice: noticeOf(req) });
      },
    );
    const post = (
      suffix: string,
      fn: (
        req: FastifyRequest & { params: { id: number } },
        b: Record<string, unknown>,
        years: number[],
      ) => Promise<unknown>,
    ) =>
      app.post(
        `/perencanaan/${which}-node/:id${suffix}`,
        {
          config: { auth: { permission: perm, ...(opdOf ? { opd: opdOf } : {}) } },
          schema: { ...hide, params: idP, body: anyBody },
        },
        async (req, reply) => {
          const node =
            which === 'rpjmd'
              ? await plans.getRpjmdNode(db, req.principal!.pemdaId, req.params.id)
              : await plans.getRenstraNode(db, req.principal!.pemdaId, req.params.id);
          if (!node) throw notFound();
          const rid =
            which === 'rpjmd' ? (node as { rpjmd_id: number }).rpjmd_id : (node as { rpjmd_id: number }).rpjmd_id;
          const r = (await plans.getRpjmd(db, req.principal!.pemdaId, rid))!;
          const years = [0, 1, 2, 3, 4].map((i) => r.year_from + i);
          try {
            await fn(req, formBody(req.body), years);
            const back =
              suffix === '/delete'
                ? which === 'rpjmd'
                  ? `/perencanaan/rpjmd/${rid}`
                  : `/perencanaan/renstra/${(node as { renstra_id: number }).renstra_id}`
                : `/perencanaan/${which}-node/${req.params.id}`;
            return seeOther(reply, back, suffix === '/delete' ? 'pln.notice.deleted' : 'pln.notice.saved');
          } catch (err) {
            const e = errorsOf(req, err);
            if (!e) throw err;
            const v = await nodePage(req, which, req.params.id, e);
            return sendPage(req, reply, { title: v.title, body: v.body, status: statusOf(err) });
          }
        },
      );
    post('', (req, b) =>
      which === 'rpjmd'
        ? plans.updateRpjmdNode(db, req.principal!, req.params.id, {
            ...(b as object),
            opd_id: (b.opd_id as string | undefined) ?? null,
          } as never)
        : plans.updateRenstraNode(db, req.principal!, req.params.id, {
            ...(b as object),
            rpjmd_node_id: (b.rpjmd_node_id as string | undefined) ?? null,
          } as never),
    );
    post('/delete', (req) =>
      which === 'rpjmd'
        ? plans.deleteRpjmdNode(db, req.principal!, req.params.id)
        : plans.deleteRenstraNode(db, req.principal!, req.params.id),
    );
    post('/ceilings', (req, b, years) =>
      which === 'rpjmd'
        ? plans.setRpjmdCeilings(db, req.principal!, req.params.id, { ceilings: ceilingsFromForm(b, years) })
        : plans.setRenstraCeilings(db, req.principal!, req.params.id, { ceilings: ceilingsFromForm(b, years) }),
    );
  }
  // indicators from the element page (the service checks whose plan it is)
  const safeBack = (q: unknown) => {
    const b = (q as { back?: string } | undefined)?.back;
    return typeof b === 'string' && /^\/perencanaan\/(rpjmd|renstra)-node\/\d+$/.test(b) ? b : '/perencanaan';
  };
  const indPost = (
    path: string,
    fn: (req: FastifyRequest, b: Record<string, unknown>, years: number[]) => Promise<unknown>,
  ) =>
    app.post(
      path,
      {
        config: { auth: { permission: 'planning.indicator.write' } },
        schema: { ...hide, body: anyBody, querystring: z.object({ back: z.string().max(100).optional() }) },
      },
      async (req, reply) => {
        const back = safeBack(req.query);
        const m = /^\/perencanaan\/(rpjmd|renstra)-node\/(\d+)$/.exec(back);
        const node = m
          ? m[1] === 'rpjmd'
            ? await plans.getRpjmdNode(db, req.principal!.pemdaId, Number(m[2]))
            : await plans.getRenstraNode(db, req.principal!.pemdaId, Number(m[2]))
          : undefined;
        const r = node
          ? await plans.getRpjmd(db, req.principal!.pemdaId, (node as { rpjmd_id: number }).rpjmd_id)
          : undefined;
        const years = r ? [0, 1, 2, 3, 4].map((i) => r.year_from + i) : [];
        try {
          await fn(req, formBody(req.body), years);
          return seeOther(reply, back, 'pln.notice.saved');
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e || !m) throw err;
          const v = await nodePage(req, m[1] as Which, Number(m[2]), e);
          return sendPage(req, reply, { title: v.title, body: v.body, status: statusOf(err) });
        }
      },
    );
  indPost('/perencanaan/indikator', (req, b, years) =>
    plans.addIndicator(db, req.principal!, { ...(b as object), targets: targetsFromForm(b, years) } as never),
  );
  indPost('/perencanaan/indikator/:id', (req, b, years) =>
    plans.updateIndicator(db, req.principal!, Number((req.params as { id: string }).id), {
      ...(b as object),
      baseline: (b.baseline as string | undefined) ?? null,
      targets: targetsFromForm(b, years),
    } as never),
  );
  indPost('/perencanaan/indikator/:id/delete', (req) =>
    plans.deleteIndicator(db, req.principal!, Number((req.params as { id: string }).id)),
  );

  // ---- cascade (pohon kinerja) ------------------------------------------------------------------------------
  app.get(
    '/perencanaan/pohon-kinerja',
    {
      config: read,
      schema: {
        ...hide,
        querystring: z.object({
          year: intIn(z.number().int().min(2000).max(2100).optional()),
          opd_id: intIn(
            z
              .number()
              .int()
              .positive()
              .optional()
              .or(z.literal('').transform(() => undefined)),
          ),
          code: z.string().trim().max(40).optional(),
          goal: intIn(
            z
              .number()
              .int()
              .positive()
              .optional()
              .or(z.literal('').transform(() => undefined)),
          ),
        }),
      },
    },
    async (req, reply) => {
      const pemdaId = req.principal!.pemdaId;
      const q = req.query;
      const rkpds = await annual.listRkpd(db, pemdaId);
      const year = q.year ?? rkpds[0]?.year ?? new Date().getFullYear() + 1;
      const opdList = await listOpds(db, pemdaId);
      const opds = new Map(opdList.map((o) => [o.id, o]));
      const rpjmd = await plans.rpjmdForYear(db, pemdaId, year);
      const goals = rpjmd ? await plans.rpjmdGoals(db, pemdaId, rpjmd.id) : [];
      const opdId = q.opd_id ?? (isOpdScoped(req.principal!.role) ? (req.principal!.opdId ?? undefined) : undefined);
      const renja = opdId ? await annual.renjaOf(db, pemdaId, year, opdId) : undefined;
      const items = renja ? await annual.renjaItems(db, pemdaId, renja.id) : [];
      let result: Html | string = '';
      if (q.goal) {
        const g = await plans.cascadeForGoal(db, pemdaId, q.goal, year);
        if (!g) throw notFound();
        const rpYears = rpjmd ? [0, 1, 2, 3, 4].map((i) => rpjmd.year_from + i) : [year];
        result = html`<section class="cascade goal">
<p class="muted">${tr(req, 'pln.node.mission')}: ${g.mission?.text ?? ''}</p>
<h2>${tr(req, 'pln.node.goal')} ${g.goal.code}: ${g.goal.text}</h2>${indicatorTable(req, g.goal.indicators, rpYears)}
${g.targets.map(
  (
    tg,
  ) => html`<div class="card"><h3>${tr(req, 'pln.node.target')} ${tg.node.code}: ${tg.node.text}</h3>${indicatorTable(req, tg.node.indicators, rpYears)}
${tg.strategies.length ? html`<p><b>${tr(req, 'pln.node.strategy')}</b>: ${tg.strategies.map((s) => s.text).join('; ')}</p>` : ''}
${tg.programs.length ? html`<p><b>${tr(req, 'pln.cascade.rpjmd_programs')}</b></p><ul>${tg.programs.map((pg) => html`<li>${pg.program_code} ${pg.text} — ${opdLabel(opds, pg.opd_id)}</li>`)}</ul>` : ''}
${tg.renstra.map(
  (rs) =>
    html`<details><summary>${tr(req, 'pln.renstra.title')} ${opdLabel(opds, rs.opd_id)} (${rs.nodes.filter((n) => n.kind === 'sub_kegiatan').length} ${tr(req, 'pln.rnode.sub_kegiatan')})</summary><ul>${rs.nodes
      .filter((n) => n.kind !== 'goal')
      .map(
        (n) =>
          html`<li class="lvl-${n.kind}">${tr(req, `pln.rnode.${n.kind}`)} ${n.code} ${n.text}${n.kind === 'sub_kegiatan' ? html` · <a href="/perencanaan/pohon-kinerja?${qs({ year, opd_id: rs.opd_id, code: n.code })}">${tr(req, 'pln.cascade.short')}</a>` : ''}</li>`,
      )}</ul></details>`,
)}</div>`,
)}
${
  g.renjaItems.length
    ? html`<h3>${tr(req, 'pln.renja.title')} ${year}</h3><table class="data"><thead><tr><th>OPD</th><th>${tr(req, 'pln.rnode.sub_kegiatan')}</th><th class="num">${tr(req, 'pln.renja.target')}</th><th class="num">${tr(req, 'pln.renja.pagu')}</th><th>${tr(req, 'common.status')}</th></tr></thead><tbody>${g.renjaItems.map(
        (i) =>
          html`<tr><td>${opdLabel(opds, i.opd_id)}</td><td>${i.sub_kegiatan_code}</td><td class="num">${num(req, i.target)} ${i.unit ?? ''}</td><td class="num">${rp(req, i.pagu)}</td><td>${badge(req, 'status', i.status)}</td></tr>`,
      )}</tbody></table>`
    : ''
}
</section>`;
      } else if (q.code && !opdId) {
        result = html`<p class="warning">${tr(req, 'pln.cascade.choose_opd')}</p>`;
      } else if (opdId && q.code) {
        const c = await plans.cascadeForSubKegiatan(db, pemdaId, year, opdId, q.code);
        result = c.levels.length
          ? html`<section class="cascade chain">${c.complete ? '' : html`<p class="warning">${tr(req, 'pln.cascade.incomplete')}</p>`}
<ol class="cascade-levels">${c.levels.map(
              (l) =>
                html`<li class="level level-${l.level}"><b>${tr(req, `pln.cascade.level.${l.level}`)}</b>${l.code ? html` <code>${l.code}</code>` : ''}: <span class="level-text">${l.text}</span>${
                  l.indicators.length
                    ? html`<ul>${l.indicators.map((i) => html`<li>${i.name}: ${num(req, i.target)} ${i.unit}${i.baseline ? html` <small class="muted">(${tr(req, 'pln.indicator.baseline')} ${num(req, i.baseline)})</small>` : ''}</li>`)}</ul>`
                    : ''
                }${l.level === 'goal' && l.id ? html` · <a href="/perencanaan/pohon-kinerja?${qs({ goal: l.id, year })}">${tr(req, 'pln.cascade.under_goal')}</a>` : ''}</li>`,
            )}</ol></section>`
          : html`<p class="warning">${tr(req, 'pln.cascade.none')}</p>`;
      }
      const body = html`<form method="get" class="filters">
  <label>${tr(req, 'pln.year')}<input name="year" value="${year}" size="5" inputmode="numeric"></label>
  <label>OPD<select name="opd_id"><option value="">—</option>${opdList.map((o) => html`<option value="${o.id}"${selected(o.id === opdId)}>${o.name}</option>`)}</select></label>
  <label>${tr(req, 'pln.rnode.sub_kegiatan')}${
    items.length
      ? html`<select name="code">${items.map((i) => html`<option value="${i.sub_kegiatan_code}"${selected(i.sub_kegiatan_code === q.code)}>${i.sub_kegiatan_code}</option>`)}</select>`
      : html`<input name="code" value="${q.code ?? ''}" placeholder="1.02.02.2.01.0002">`
  }</label>
  <button>${tr(req, 'pln.cascade.show')}</button>
</form>
<form method="get" class="filters"><input type="hidden" name="year" value="${year}">
  <label>${tr(req, 'pln.node.goal')}<select name="goal">${goals.map((g) => html`<option value="${g.id}"${selected(g.id === q.goal)}>${g.code} ${g.text}</option>`)}</select></label>
  <button>${tr(req, 'pln.cascade.show_goal')}</button></form>
${result}`;
      return sendPage(req, reply, { title: tr(req, 'pln.cascade.title'), body });
    },
  );
}
