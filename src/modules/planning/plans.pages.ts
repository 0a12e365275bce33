// Pages of the medium-term plans: the planning hub, RPJMD, Renstra and the cascade (pohon kinerja).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { confirmed, csrfField, sendConfirm, sendPage, tr } from '../../core/http/layout.ts';
import { can as allowed } from '../../core/auth/policy.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { notFound } from '../../core/errors.ts';
import { listOpds, type OpdSummary } from '../master-data/index.ts';
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
  statusOf,
  type Errors,
  str,
} from './ui.ts';

export const anyBody = z.record(z.string(), z.unknown());
export const hide = { hide: true } as const;
export const idP = z.object({ id: intIn(z.number().int().positive()) });

export function opdLabel(opds: Map<number, OpdSummary>, id: number | null | undefined): string {
  if (!id) return '';
  const o = opds.get(id);
  return o ? o.name : `#${id}`;
}

export function indicatorTable(req: FastifyRequest, inds: plans.IndicatorView[], years: number[]): Html | string {
  if (!inds.length) return '';
  return html`<div class="table-wrap"><table class="data indicators"><thead><tr><th>${tr(req, 'pln.indicator.name')}</th><th>${tr(req, 'pln.indicator.unit')}</th><th class="num">${tr(req, 'pln.indicator.baseline')}</th>${years.map((y) => html`<th class="num">${y}</th>`)}</tr></thead>
<tbody>${inds.map(
    (i) =>
      html`<tr><td>${i.name}${i.formula ? html`<br><small class="muted">${i.formula}</small>` : ''}</td><td>${i.unit}</td><td class="num">${num(req, i.baseline)}</td>${years.map((y) => html`<td class="num">${num(req, i.targets.find((t) => t.year === y)?.value ?? null)}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}

export function targetInputs(req: FastifyRequest, years: number[]): Html {
  return html`<fieldset><legend>${tr(req, 'pln.indicator.targets')}</legend><div class="filters">${years.map(
    (y) => html`<label>${y}<input data-num="decimal" name="t_${y}" inputmode="decimal" size="8"></label>`,
  )}</div></fieldset>`;
}

/** Yearly target fields t_YYYY of a form → [{year, value}]. */
export function targetsFromForm(body: Record<string, unknown>, years: number[]) {
  return years
    .filter((y) => typeof body[`t_${y}`] === 'string' && String(body[`t_${y}`]).trim() !== '')
    .map((y) => ({ year: y, value: String(body[`t_${y}`]) }));
}
export function ceilingsFromForm(body: Record<string, unknown>, years: number[]) {
  return years
    .filter((y) => typeof body[`c_${y}`] === 'string' && String(body[`c_${y}`]).trim() !== '')
    .map((y) => ({ year: y, pagu: String(body[`c_${y}`]) }));
}

export async function plansPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const read = { auth: { permission: 'planning.read' } } as const;
  const can = (req: FastifyRequest, perm: string) => allowed(req.principal, perm);

  // ---- hub -------------------------------------------------------------------------------------------
  app.get('/perencanaan', { config: read, schema: hide }, async (req, reply) => {
    const pemdaId = req.principal!.pemdaId;
    const rpjmds = await plans.listRpjmd(db, pemdaId);
    const rkpds = await annual.listRkpd(db, pemdaId);
    const year = rkpds[0]?.year ?? new Date().getFullYear() + 1;
    const renjas = await annual.listRenja(db, pemdaId, { year });
    const counts = { draft: 0, submitted: 0, verified: 0, approved: 0 } as Record<string, number>;
    for (const r of renjas) counts[r.status] = (counts[r.status] ?? 0) + 1;
    const links: Array<[string, string, string]> = [
      ['/perencanaan/rpjmd', 'pln.rpjmd.title', 'pln.hub.rpjmd'],
      ['/perencanaan/renstra', 'pln.renstra.title', 'pln.hub.renstra'],
      ['/perencanaan/pohon-kinerja', 'pln.cascade.title', 'pln.hub.cascade'],
      ['/perencanaan/rkpd', 'pln.rkpd.title', 'pln.hub.rkpd'],
      ['/perencanaan/renja', 'pln.renja.title', 'pln.hub.renja'],
    ];
    if (can(req, 'planning.proposal.read')) links.push(['/musrenbang', 'pln.musrenbang.title', 'pln.hub.musrenbang']);
    if (can(req, 'planning.pokir.read') || req.principal!.role === 'dprd')
      links.push(['/pokir', 'pln.pokir.title', 'pln.hub.pokir']);
    if (can(req, 'planning.settings'))
      links.push(['/perencanaan/pengaturan', 'pln.settings.title', 'pln.hub.settings']);
    const body = html`
<div class="cards">${links.map(([href, title, text]) => html`<div class="card"><h2><a href="${href}">${tr(req, title)}</a></h2><p class="muted">${tr(req, text)}</p></div>`)}</div>
<h2>${tr(req, 'pln.hub.status', { year })}</h2>
<dl class="detail">
  <dt>${tr(req, 'pln.rpjmd.title')}</dt><dd>${rpjmds.map((r) => html`<a href="/perencanaan/rpjmd/${r.id}">${r.title} (${r.year_from}–${r.year_to})</a> ${badge(req, 'status', r.status)} `)}</dd>
  <dt>${tr(req, 'pln.rkpd.title')} ${year}</dt><dd>${rkpds[0] ? html`<a href="/perencanaan/rkpd/${rkpds[0].year}">${rkpds[0].theme || year}</a> ${badge(req, 'status', rkpds[0].status)}` : tr(req, 'common.empty')}</dd>
  <dt>${tr(req, 'pln.renja.title')} ${year}</dt><dd>${Object.entries(counts).map(([s, n]) => html`${badge(req, 'status', s)} ${n} `)}</dd>
</dl>
<p><a href="/lacak">${tr(req, 'pln.track.title')}</a> · <a href="/usulan">${tr(req, 'pln.public.form_title')}</a></p>`;
    return sendPage(req, reply, { title: tr(req, 'pln.hub.title'), body });
  });

  // ---- RPJMD -------------------------------------------------------------------------------------------
  const rpjmdList = async (
    req: FastifyRequest,
    e?: { errors: Errors; message: string } | null,
    values: Record<string, unknown> = {},
  ) => {
    const rows = await plans.listRpjmd(db, req.principal!.pemdaId);
    const form = can(req, 'planning.rpjmd.write')
      ? html`<h2>${tr(req, 'pln.rpjmd.new')}</h2><form method="post" action="/perencanaan/rpjmd" class="form">${csrfField(req)}${errorBox(e, req)}
  <label>${tr(req, 'pln.rpjmd.year_from')}<input name="year_from" inputmode="numeric" required value="${String(values.year_from ?? '')}"></label>
  <label>${tr(req, 'pln.rpjmd.doc_title')}<input name="title" required value="${String(values.title ?? '')}"></label>
  <label>${tr(req, 'pln.rpjmd.vision')}<textarea name="vision" rows="3">${String(values.vision ?? '')}</textarea></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
      : '';
    return html`<table class="data"><thead><tr><th>${tr(req, 'pln.rpjmd.period')}</th><th>${tr(req, 'pln.rpjmd.doc_title')}</th><th>${tr(req, 'common.status')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.year_from}–${r.year_to}</td><td><a href="/perencanaan/rpjmd/${r.id}">${r.title}</a></td><td>${badge(req, 'status', r.status)}</td></tr>`)}</tbody></table>${form}`;
  };
  app.get('/perencanaan/rpjmd', { config: read, schema: hide }, async (req, reply) =>
    sendPage(req, reply, { title: tr(req, 'pln.rpjmd.title'), body: await rpjmdList(req), notice: noticeOf(req) }),
  );
  app.post(
    '/perencanaan/rpjmd',
    { config: { auth: { permission: 'planning.rpjmd.write' } }, schema: { ...hide, body: anyBody } },
    async (req, reply) => {
      try {
        const r = await plans.createRpjmd(db, req.principal!, formBody(req.body) as never);
        return seeOther(reply, `/perencanaan/rpjmd/${r.id}`, 'pln.notice.saved');
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'pln.rpjmd.title'),
          body: await rpjmdList(req, e, req.body),
          status: 400,
        });
      }
    },
  );

  const rpjmdPage = async (req: FastifyRequest, id: number, e?: { errors: Errors; message: string } | null) => {
    const pemdaId = req.principal!.pemdaId;
    const t = await plans.rpjmdTree(db, pemdaId, id);
    if (!t) throw notFound();
    const years = [0, 1, 2, 3, 4].map((i) => t.rpjmd.year_from + i);
    const opds = new Map((await listOpds(db, pemdaId)).map((o) => [o.id, o]));
    const kids = (pid: number | null, kind?: string) =>
      t.nodes.filter((n) => n.parent_id === pid && (!kind || n.kind === kind));
    const editable = can(req, 'planning.rpjmd.write') && t.rpjmd.status === 'draft';
    const nodeTitle = (n: plans.NodeView) =>
      html`<span class="muted">${tr(req, `pln.node.${n.kind}`)} ${n.code}</span> ${n.text} <a class="muted" href="/perencanaan/rpjmd-node/${n.id}">#${n.id}</a>`;
    const tree = kids(null, 'mission').map(
      (m) => html`<section class="card"><h2>${nodeTitle(m)}</h2>
${kids(m.id, 'goal').map(
  (
    g,
  ) => html`<div class="goal"><h3>${nodeTitle(g)} · <a href="/perencanaan/pohon-kinerja?${qs({ goal: g.id, year: years[2] })}">${tr(req, 'pln.cascade.title')}</a></h3>
${indicatorTable(req, g.indicators, years)}
${kids(g.id, 'target').map(
  (s) => html`<div class="target"><h4>${nodeTitle(s)}</h4>${indicatorTable(req, s.indicators, years)}
${kids(s.id, 'strategy').length ? html`<p><b>${tr(req, 'pln.node.strategy')}</b></p><ul>${kids(s.id, 'strategy').map((x) => html`<li>${x.text}</li>`)}</ul>` : ''}
${
  kids(s.id, 'program').length
    ? html`<table class="data"><thead><tr><th>${tr(req, 'pln.node.program')}</th><th>OPD</th><th>${tr(req, 'pln.indicator.title')}</th>${years.map((y) => html`<th class="num">${y}</th>`)}</tr></thead><tbody>${kids(
        s.id,
        'program',
      ).map(
        (pg) =>
          html`<tr><td>${pg.program_code} ${pg.text} <a class="muted" href="/perencanaan/rpjmd-node/${pg.id}">#${pg.id}</a></td><td>${opdLabel(opds, pg.opd_id)}</td><td>${pg.indicators.map((i) => html`${i.name} (${i.unit})<br>`)}</td>${years.map(
            (y) => {
              const c = pg.ceilings.find((x) => x.year === y);
              const tg = pg.indicators[0]?.targets.find((x) => x.year === y);
              return html`<td class="num">${tg ? num(req, tg.value) : ''}<br>${c ? rp(req, c.pagu) : ''}</td>`;
            },
          )}</tr>`,
      )}</tbody></table>`
    : ''
}</div>`,
)}</div>`,
)}</section>`,
    );
    const nodeOptions = t.nodes.map(
      (n) =>
        html`<option value="${n.id}">${tr(req, `pln.node.${n.kind}`)} #${n.id} ${n.code} ${n.text.slice(0, 60)}</option>`,
    );
    const forms = editable
      ? html`<h2>${tr(req, 'pln.rpjmd.add_node')}</h2>
<form method="post" action="/perencanaan/rpjmd/${id}/nodes" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.node.kind')}<select name="kind">${(['mission', 'goal', 'target', 'strategy', 'program'] as const).map((k) => html`<option value="${k}">${tr(req, `pln.node.${k}`)}</option>`)}</select></label>
  <label>${tr(req, 'pln.node.parent')}<select name="parent_id"><option value="">—</option>${nodeOptions}</select></label>
  <label>${tr(req, 'pln.node.code')}<input name="code"></label>
  <label>${tr(req, 'pln.node.text')}<textarea name="text" rows="2" required></textarea></label>
  <label>${tr(req, 'pln.node.program_code')}<input name="program_code" placeholder="1.02.02"></label>
  <label>OPD<select name="opd_id"><option value="">—</option>${[...opds.values()].map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<h2>${tr(req, 'pln.indicator.add')}</h2>
<form method="post" action="/perencanaan/rpjmd/${id}/indicators" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.indicator.of')}<select name="rpjmd_node_id">${nodeOptions}</select></label>
  <label>${tr(req, 'pln.indicator.name')}<input name="name" required></label>
  <label>${tr(req, 'pln.indicator.unit')}<input name="unit"></label>
  <label>${tr(req, 'pln.indicator.formula')}<input name="formula"></label>
  <label>${tr(req, 'pln.indicator.baseline')}<input data-num="decimal" name="baseline" inputmode="decimal"></label>
  ${targetInputs(req, years)}
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<h2>${tr(req, 'pln.ceiling.set')}</h2>
<form method="post" action="/perencanaan/rpjmd/${id}/ceilings" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.node.program')}<select name="node_id">${t.nodes.filter((n) => n.kind === 'program').map((n) => html`<option value="${n.id}">${n.program_code} ${n.text}</option>`)}</select></label>
  <div class="filters">${years.map((y) => html`<label>${y}<input data-num="rupiah" name="c_${y}" inputmode="numeric" size="14"></label>`)}</div>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
      : '';
    const statusForm = can(req, 'planning.rpjmd.write')
      ? html`<form method="post" action="/perencanaan/rpjmd/${id}/status" class="inline">${csrfField(req)}<input type="hidden" name="version" value="${t.rpjmd.version}"><input type="hidden" name="status" value="${t.rpjmd.status === 'draft' ? 'approved' : 'draft'}"><button class="secondary">${tr(req, t.rpjmd.status === 'draft' ? 'pln.action.approve' : 'pln.action.reopen')}</button></form>`
      : '';
    return html`${errorBox(e, req)}<dl class="detail"><dt>${tr(req, 'pln.rpjmd.period')}</dt><dd>${t.rpjmd.year_from}–${t.rpjmd.year_to}</dd>
<dt>${tr(req, 'common.status')}</dt><dd>${badge(req, 'status', t.rpjmd.status)} ${statusForm}</dd>
<dt>${tr(req, 'pln.rpjmd.vision')}</dt><dd>${t.rpjmd.vision}</dd></dl>
${tree}${forms}`;
  };
  app.get('/perencanaan/rpjmd/:id', { config: read, schema: { ...hide, params: idP } }, async (req, reply) => {
    const r = await plans.getRpjmd(db, req.principal!.pemdaId, req.params.id);
    return sendPage(req, reply, {
      title: r ? `${tr(req, 'pln.rpjmd.title')} ${r.year_from}–${r.year_to}` : '404',
      body: await rpjmdPage(req, req.params.id),
      notice: noticeOf(req),
    });
  });
  const rpjmdPost = (
    path: string,
    fn: (
      req: FastifyRequest & { params: { id: number } },
      body: Record<string, unknown>,
      years: number[],
    ) => Promise<unknown>,
  ) =>
    app.post(
      `/perencanaan/rpjmd/:id/${path}`,
      { config: { auth: { permission: 'planning.rpjmd.write' } }, schema: { ...hide, params: idP, body: anyBody } },
      async (req, reply) => {
        const r = await plans.getRpjmd(db, req.principal!.pemdaId, req.params.id);
        if (!r) throw notFound();
        const years = [0, 1, 2, 3, 4].map((i) => r.year_from + i);
        const reopening = path === 'status' && r.status === 'approved' && str(req.body, 'status') === 'draft';
        if (reopening && !confirmed(req.body)) {
          const params = { title: r.title, from: r.year_from, to: r.year_to };
          return sendConfirm(req, reply, {
            title: tr(req, 'pln.confirm.reopen_rpjmd_title', params),
            what: [tr(req, 'pln.confirm.reopen_rpjmd_what', params), tr(req, 'pln.confirm.reopen_rpjmd_after')],
            action: `/perencanaan/rpjmd/${r.id}/status`,
            body: req.body,
            yes: tr(req, 'pln.confirm.reopen_rpjmd_yes'),
            back: `/perencanaan/rpjmd/${r.id}`,
            danger: true,
          });
        }
        try {
          await fn(req, formBody(req.body), years);
          return seeOther(
            reply,
            `/perencanaan/rpjmd/${r.id}`,
            reopening ? 'pln.notice.rpjmd_reopened' : 'pln.notice.saved',
          );
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          return sendPage(req, reply, {
            title: `${tr(req, 'pln.rpjmd.title')} ${r.year_from}–${r.year_to}`,
            body: await rpjmdPage(req, r.id, e),
            status: statusOf(err),
          });
        }
      },
    );
  rpjmdPost('nodes', (req, b) => plans.addRpjmdNode(db, req.principal!, req.params.id, b as never));
  rpjmdPost('indicators', (req, b, years) =>
    plans.addIndicator(db, req.principal!, { ...(b as object), targets: targetsFromForm(b, years) } as never),
  );
  rpjmdPost('ceilings', (req, b, years) =>
    plans.setRpjmdCeilings(db, req.principal!, Number(b.node_id), { ceilings: ceilingsFromForm(b, years) } as never),
  );
  rpjmdPost('status', (req, b) => plans.updateRpjmd(db, req.principal!, req.params.id, b as never));

  // ---- Renstra -------------------------------------------------------------------------------------------
  const renstraList = async (req: FastifyRequest, e?: { errors: Errors; message: string } | null) => {
    const pemdaId = req.principal!.pemdaId;
    const [rows, rpjmds, opdList] = await Promise.all([
      plans.listRenstra(db, pemdaId),
      plans.listRpjmd(db, pemdaId),
      listOpds(db, pemdaId),
    ]);
    const opds = new Map(opdList.map((o) => [o.id, o]));
    const rp0 = new Map(rpjmds.map((r) => [r.id, r]));
    const p = req.principal!;
    const mine = isOpdScoped(p.role) ? opdList.filter((o) => o.id === p.opdId) : opdList;
    const form = can(req, 'planning.renstra.write')
      ? html`<h2>${tr(req, 'pln.renstra.new')}</h2><form method="post" action="/perencanaan/renstra" class="form">${csrfField(req)}${errorBox(e, req)}
  <label>RPJMD<select name="rpjmd_id">${rpjmds.map((r) => html`<option value="${r.id}">${r.title} (${r.year_from}–${r.year_to})</option>`)}</select></label>
  <label>OPD<select name="opd_id">${mine.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
      : '';
    return html`<table class="data"><thead><tr><th>OPD</th><th>RPJMD</th><th>${tr(req, 'common.status')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td><a href="/perencanaan/renstra/${r.id}">${opdLabel(opds, r.opd_id)}</a></td><td>${rp0.get(r.rpjmd_id)?.year_from}–${rp0.get(r.rpjmd_id)?.year_to}</td><td>${badge(req, 'status', r.status)}</td></tr>`)}</tbody></table>${form}`;
  };
  app.get('/perencanaan/renstra', { config: read, schema: hide }, async (req, reply) =>
    sendPage(req, reply, { title: tr(req, 'pln.renstra.title'), body: await renstraList(req), notice: noticeOf(req) }),
  );
  app.post(
    '/perencanaan/renstra',
    {
      config: {
        auth: {
          permission: 'planning.renstra.write',
          opd: (req) => Number((req.body as Record<string, unknown>)?.opd_id),
        },
      },
      schema: { ...hide, body: anyBody },
    },
    async (req, reply) => {
      try {
        const r = await plans.createRenstra(db, req.principal!, formBody(req.body) as never);
        return seeOther(reply, `/perencanaan/renstra/${r.id}`, 'pln.notice.saved');
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'pln.renstra.title'),
          body: await renstraList(req, e),
          status: 400,
        });
      }
    },
  );

  const renstraPage = async (req: FastifyRequest, id: number, e?: { errors: Errors; message: string } | null) => {
    const pemdaId = req.principal!.pemdaId;
    const t = await plans.renstraTree(db, pemdaId, id);
    if (!t) throw notFound();
    const rpjmd = (await plans.rpjmdTree(db, pemdaId, t.renstra.rpjmd_id))!;
    const years = [0, 1, 2, 3, 4].map((i) => rpjmd.rpjmd.year_from + i);
    const rpById = new Map(rpjmd.nodes.map((n) => [n.id, n]));
    const opds = new Map((await listOpds(db, pemdaId)).map((o) => [o.id, o]));
    const p = req.principal!;
    const mayEdit =
      can(req, 'planning.renstra.write') &&
      (!isOpdScoped(p.role) || p.opdId === t.renstra.opd_id) &&
      t.renstra.status === 'draft';
    const kids = (pid: number | null) => t.nodes.filter((n) => n.parent_id === pid);
    const depth: Record<string, number> = { goal: 0, target: 1, program: 2, kegiatan: 3, sub_kegiatan: 4 };
    const rows: Html[] = [];
    const walk = (pid: number | null) => {
      for (const n of kids(pid)) {
        const link = n.rpjmd_node_id ? rpById.get(n.rpjmd_node_id) : undefined;
        const ind = n.indicators[0];
        rows.push(html`<tr class="lvl-${n.kind}"><td>${'\u2003'.repeat(depth[n.kind]!)}<span class="muted">${tr(req, `pln.rnode.${n.kind}`)}</span> ${n.code} ${n.text} <a class="muted" href="/perencanaan/renstra-node/${n.id}">#${n.id}</a>${
          link ? html`<br><small class="muted">→ RPJMD: ${link.program_code ?? link.code} ${link.text}</small>` : ''
        }${n.kind === 'sub_kegiatan' ? html` · <a href="/perencanaan/pohon-kinerja?${qs({ year: years[2], opd_id: t.renstra.opd_id, code: n.code })}">${tr(req, 'pln.cascade.short')}</a>` : ''}</td>
<td>${ind ? html`${ind.name} (${ind.unit})` : ''}</td>${years.map((y) => {
          const tg = ind?.targets.find((x) => x.year === y);
          const c = n.ceilings.find((x) => x.year === y);
          return html`<td class="num">${tg ? num(req, tg.value) : ''}${c ? html`<br><small>${rp(req, c.pagu)}</small>` : ''}</td>`;
        })}</tr>`);
        walk(n.id);
      }
    };
    walk(null);
    const nodeOptions = t.nodes.map(
      (n) =>
        html`<option value="${n.id}">${tr(req, `pln.rnode.${n.kind}`)} #${n.id} ${n.code} ${n.text.slice(0, 50)}</option>`,
    );
    const rpTargets = rpjmd.nodes.filter((n) => n.kind === 'target' || n.kind === 'program');
    const forms = mayEdit
      ? html`<h2>${tr(req, 'pln.renstra.add_node')}</h2>
<form method="post" action="/perencanaan/renstra/${id}/nodes" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.node.kind')}<select name="kind">${(['goal', 'target', 'program', 'kegiatan', 'sub_kegiatan'] as const).map((k) => html`<option value="${k}">${tr(req, `pln.rnode.${k}`)}</option>`)}</select></label>
  <label>${tr(req, 'pln.node.parent')}<select name="parent_id"><option value="">—</option>${nodeOptions}</select></label>
  <label>${tr(req, 'pln.node.code')}<input name="code" placeholder="1.02.02.2.01.0002"></label>
  <label>${tr(req, 'pln.node.text')}<textarea name="text" rows="2"></textarea></label>
  <label>${tr(req, 'pln.renstra.serves')}<select name="rpjmd_node_id"><option value="">—</option>${rpTargets.map((n) => html`<option value="${n.id}">${tr(req, `pln.node.${n.kind}`)} ${n.program_code ?? n.code} ${n.text.slice(0, 60)}</option>`)}</select></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<h2>${tr(req, 'pln.indicator.add')}</h2>
<form method="post" action="/perencanaan/renstra/${id}/indicators" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.indicator.of')}<select name="renstra_node_id">${nodeOptions}</select></label>
  <label>${tr(req, 'pln.indicator.name')}<input name="name" required></label>
  <label>${tr(req, 'pln.indicator.unit')}<input name="unit"></label>
  <label>${tr(req, 'pln.indicator.baseline')}<input data-num="decimal" name="baseline" inputmode="decimal"></label>
  ${targetInputs(req, years)}
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<h2>${tr(req, 'pln.ceiling.set')}</h2>
<form method="post" action="/perencanaan/renstra/${id}/ceilings" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.node.kind')}<select name="node_id">${t.nodes.filter((n) => n.kind !== 'goal' && n.kind !== 'target').map((n) => html`<option value="${n.id}">${n.code} ${n.text.slice(0, 60)}</option>`)}</select></label>
  <div class="filters">${years.map((y) => html`<label>${y}<input data-num="rupiah" name="c_${y}" inputmode="numeric" size="14"></label>`)}</div>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
      : '';
    const statusForm = can(req, 'planning.renstra.approve')
      ? html`<form method="post" action="/perencanaan/renstra/${id}/status" class="inline">${csrfField(req)}<input type="hidden" name="version" value="${t.renstra.version}"><input type="hidden" name="status" value="${t.renstra.status === 'draft' ? 'approved' : 'draft'}"><button class="secondary">${tr(req, t.renstra.status === 'draft' ? 'pln.action.approve' : 'pln.action.reopen')}</button></form>`
      : '';
    return html`${errorBox(e, req)}<dl class="detail"><dt>OPD</dt><dd>${opdLabel(opds, t.renstra.opd_id)}</dd><dt>RPJMD</dt><dd><a href="/perencanaan/rpjmd/${rpjmd.rpjmd.id}">${rpjmd.rpjmd.title}</a></dd>
<dt>${tr(req, 'common.status')}</dt><dd>${badge(req, 'status', t.renstra.status)} ${statusForm}</dd></dl>
<p class="muted">${tr(req, 'pln.renstra.legend')}</p>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'pln.renstra.element')}</th><th>${tr(req, 'pln.indicator.title')}</th>${years.map((y) => html`<th class="num">${y}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>
${forms}`;
  };
  app.get('/perencanaan/renstra/:id', { config: read, schema: { ...hide, params: idP } }, async (req, reply) => {
    const r = await plans.getRenstra(db, req.principal!.pemdaId, req.params.id);
    const opd = r ? (await listOpds(db, req.principal!.pemdaId)).find((o) => o.id === r.opd_id) : undefined;
    return sendPage(req, reply, {
      title: `${tr(req, 'pln.renstra.title')} ${opd?.name ?? ''}`,
      body: await renstraPage(req, req.params.id),
      notice: noticeOf(req),
    });
  });
  const renstraOpd = async (req: FastifyRequest) =>
    (await plans.getRenstra(db, req.principal!.pemdaId, Number((req.params as { id: string }).id)))?.opd_id;
  const renstraPost = (
    path: string,
    perm: string,
    fn: (
      req: FastifyRequest & { params: { id: number } },
      body: Record<string, unknown>,
      years: number[],
    ) => Promise<unknown>,
  ) =>
    app.post(
      `/perencanaan/renstra/:id/${path}`,
      { config: { auth: { permission: perm, opd: renstraOpd } }, schema: { ...hide, params: idP, body: anyBody } },
      async (req, reply) => {
        const r = await plans.getRenstra(db, req.principal!.pemdaId, req.params.id);
        if (!r) throw notFound();
        const rpjmd = (await plans.getRpjmd(db, req.principal!.pemdaId, r.rpjmd_id))!;
        const years = [0, 1, 2, 3, 4].map((i) => rpjmd.year_from + i);
        try {
          await fn(req, formBody(req.body), years);
          return seeOther(reply, `/perencanaan/renstra/${r.id}`, 'pln.notice.saved');
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          return sendPage(req, reply, {
            title: tr(req, 'pln.renstra.title'),
            body: await renstraPage(req, r.id, e),
            status: statusOf(err),
          });
        }
      },
    );
  renstraPost('nodes', 'planning.renstra.write', (req, b) =>
    plans.addRenstraNode(db, req.principal!, req.params.id, b as never),
  );
  renstraPost('indicators', 'planning.indicator.write', (req, b, years) =>
    plans.addIndicator(db, req.principal!, { ...(b as object), targets: targetsFromForm(b, years) } as never),
  );
  renstraPost('ceilings', 'planning.renstra.write', (req, b, years) =>
    plans.setRenstraCeilings(db, req.principal!, Number(b.node_id), { ceilings: ceilingsFromForm(b, years) } as never),
  );
  renstraPost('status', 'planning.renstra.approve', (req, b) =>
    plans.setRenstraStatus(db, req.principal!, req.params.id, b as never),
  );
}
