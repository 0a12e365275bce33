// Pages of the annual plans: RKPD (ceilings per OPD, approval) and Renja (items, checks, workflow).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { can as allowed } from '../../core/auth/policy.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { notFound } from '../../core/errors.ts';
import { getNomenclature, listFundingSources, listOpds, listRegions } from '../master-data/index.ts';
import * as annual from './annual.service.ts';
import * as props from './proposals.service.ts';
import { cleanDecimal } from './common.ts';
import { opdLabel } from './plans.pages.ts';
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
  idNumOpt,
} from './ui.ts';

const anyBody = z.record(z.string(), z.unknown());
const hide = { hide: true } as const;
const idP = z.object({ id: intIn(z.number().int().positive()) });
const yearP = z.object({ year: intIn(z.number().int().min(2000).max(2100)) });
type E = { errors: Errors; message: string } | null | undefined;

export async function annualPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const read = { auth: { permission: 'planning.read' } } as const;
  const can = (req: FastifyRequest, perm: string) => allowed(req.principal, perm);

  // ---- RKPD -----------------------------------------------------------------------------------------
  const rkpdList = async (req: FastifyRequest, e?: E) => {
    const rows = await annual.listRkpd(db, req.principal!.pemdaId);
    const form = can(req, 'planning.rkpd.write')
      ? html`<h2>${tr(req, 'pln.rkpd.new')}</h2><form method="post" action="/perencanaan/rkpd" class="form">${csrfField(req)}${errorBox(e, req)}
  <label>${tr(req, 'pln.year')}<input name="year" inputmode="numeric" required></label>
  <label>${tr(req, 'pln.rkpd.theme')}<input name="theme"></label>
  <label>${tr(req, 'pln.rkpd.priorities')}<textarea name="priorities" rows="3"></textarea></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
      : '';
    return html`<table class="data"><thead><tr><th>${tr(req, 'pln.year')}</th><th>${tr(req, 'pln.rkpd.theme')}</th><th>${tr(req, 'common.status')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td><a href="/perencanaan/rkpd/${r.year}">${r.year}</a></td><td>${r.theme}</td><td>${badge(req, 'status', r.status)}</td></tr>`)}</tbody></table>${form}`;
  };
  app.get('/perencanaan/rkpd', { config: read, schema: hide }, async (req, reply) =>
    sendPage(req, reply, { title: tr(req, 'pln.rkpd.title'), body: await rkpdList(req), notice: noticeOf(req) }),
  );
  app.post(
    '/perencanaan/rkpd',
    { config: { auth: { permission: 'planning.rkpd.write' } }, schema: { ...hide, body: anyBody } },
    async (req, reply) => {
      try {
        const r = await annual.createRkpd(db, req.principal!, formBody(req.body) as never);
        return seeOther(reply, `/perencanaan/rkpd/${r.year}`, 'pln.notice.saved');
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'pln.rkpd.title'),
          body: await rkpdList(req, e),
          status: statusOf(err),
        });
      }
    },
  );

  const rkpdPage = async (req: FastifyRequest, year: number, e?: E) => {
    const pemdaId = req.principal!.pemdaId;
    const ov = await annual.rkpdOverview(db, pemdaId, year);
    const opdList = await listOpds(db, pemdaId);
    const opds = new Map(opdList.map((o) => [o.id, o]));
    const editable = can(req, 'planning.rkpd.write') && ov.rkpd?.status === 'draft';
    const byOpd = new Map(ov.opds.map((o) => [o.opd_id, o]));
    let totalCeiling = 0n;
    let totalRenja = 0n;
    for (const o of ov.opds) {
      totalCeiling += BigInt(o.ceiling ?? '0');
      totalRenja += BigInt(o.renja_total);
    }
    const rows = (editable ? opdList : opdList.filter((o) => byOpd.has(o.id))).map((o) => {
      const x = byOpd.get(o.id);
      const diff = x?.ceiling !== null && x?.ceiling !== undefined ? BigInt(x.ceiling) - BigInt(x.renja_total) : null;
      return html`<tr><td>${o.name}</td><td class="num">${editable ? html`<input data-num="rupiah" name="c_${o.id}" value="${x?.ceiling ? idNumOpt(x.ceiling) : ''}" inputmode="numeric" size="16" aria-label="${o.name}">` : rp(req, x?.ceiling)}</td>
<td class="num">${x?.renja_id ? html`<a href="/perencanaan/renja/${x.renja_id}">${rp(req, x.renja_total)}</a>` : ''}</td>
<td class="num">${diff === null ? '' : html`<span class="${diff < 0n ? 'field-error' : ''}">${rp(req, diff)}</span>`}</td><td>${badge(req, 'status', x?.renja_status)}</td></tr>`;
    });
    const table = html`<div class="table-wrap"><table class="data"><thead><tr><th>OPD</th><th class="num">${tr(req, 'pln.rkpd.ceiling')}</th><th class="num">${tr(req, 'pln.rkpd.renja_total')}</th><th class="num">${tr(req, 'pln.rkpd.difference')}</th><th>${tr(req, 'pln.renja.title')}</th></tr></thead>
<tbody>${rows}</tbody><tfoot><tr><td>${tr(req, 'pln.total')}</td><td class="num">${rp(req, totalCeiling)}</td><td class="num">${rp(req, totalRenja)}</td><td class="num">${rp(req, totalCeiling - totalRenja)}</td><td></td></tr></tfoot></table></div>`;
    const itemsByOpd = new Map<number, { n: number; total: bigint }>();
    for (const i of ov.items) {
      const x = itemsByOpd.get(i.opd_id) ?? { n: 0, total: 0n };
      x.n++;
      x.total += BigInt(i.pagu);
      itemsByOpd.set(i.opd_id, x);
    }
    return html`${errorBox(e, req)}
${
  ov.rkpd
    ? html`<dl class="detail"><dt>${tr(req, 'pln.rkpd.theme')}</dt><dd>${ov.rkpd.theme}</dd><dt>${tr(req, 'pln.rkpd.priorities')}</dt><dd>${ov.rkpd.priorities}</dd>
<dt>${tr(req, 'common.status')}</dt><dd>${badge(req, 'status', ov.rkpd.status)} ${ov.rkpd.approved_by ?? ''}</dd></dl>`
    : html`<p class="warning">${tr(req, 'pln.rkpd.none', { year })}</p>`
}
${editable ? html`<form method="post" action="/perencanaan/rkpd/${year}/ceilings">${csrfField(req)}${table}<div class="actions"><button>${tr(req, 'pln.rkpd.save_ceilings')}</button></div></form>` : table}
${editable ? html`<form method="post" action="/perencanaan/rkpd/${year}/approve" class="actions">${csrfField(req)}<input type="hidden" name="version" value="${ov.rkpd!.version}"><button>${tr(req, 'pln.rkpd.approve')}</button> <span class="muted">${tr(req, 'pln.rkpd.approve_hint')}</span></form>` : ''}
${
  ov.items.length
    ? html`<h2>${tr(req, 'pln.rkpd.items')}</h2><table class="data"><thead><tr><th>OPD</th><th class="num">${tr(req, 'pln.rkpd.item_count')}</th><th class="num">${tr(req, 'pln.renja.pagu')}</th></tr></thead><tbody>${[
        ...itemsByOpd.entries(),
      ].map(
        ([opdId, x]) =>
          html`<tr><td>${opdLabel(opds, opdId)}</td><td class="num">${x.n}</td><td class="num">${rp(req, x.total)}</td></tr>`,
      )}</tbody></table>`
    : ''
}`;
  };
  app.get('/perencanaan/rkpd/:year', { config: read, schema: { ...hide, params: yearP } }, async (req, reply) =>
    sendPage(req, reply, {
      title: `${tr(req, 'pln.rkpd.title')} ${req.params.year}`,
      body: await rkpdPage(req, req.params.year),
      notice: noticeOf(req),
    }),
  );
  const rkpdPost = (
    path: string,
    fn: (req: FastifyRequest & { params: { year: number } }, b: Record<string, unknown>) => Promise<unknown>,
  ) =>
    app.post(
      `/perencanaan/rkpd/:year/${path}`,
      { config: { auth: { permission: 'planning.rkpd.write' } }, schema: { ...hide, params: yearP, body: anyBody } },
      async (req, reply) => {
        try {
          await fn(req, formBody(req.body));
          return seeOther(reply, `/perencanaan/rkpd/${req.params.year}`, 'pln.notice.saved');
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          return sendPage(req, reply, {
            title: `${tr(req, 'pln.rkpd.title')} ${req.params.year}`,
            body: await rkpdPage(req, req.params.year, e),
            status: statusOf(err),
          });
        }
      },
    );
  rkpdPost('ceilings', (req, b) => {
    const ceilings = Object.entries(b)
      .filter(([k]) => /^c_\d+$/.test(k))
      .map(([k, v]) => ({ opd_id: Number(k.slice(2)), pagu: String(v) }));
    return annual.setRkpdCeilings(db, req.principal!, req.params.year, { ceilings });
  });
  rkpdPost('approve', (req, b) =>
    annual.approveRkpd(db, req.principal!, req.params.year, { version: Number(b.version) }),
  );

  // ---- Renja list --------------------------------------------------------------------------------------------
  const renjaList = async (req: FastifyRequest, year: number, e?: E) => {
    const pemdaId = req.principal!.pemdaId;
    const p = req.principal!;
    const [rows, opdList, ov] = await Promise.all([
      annual.listRenja(db, pemdaId, { year }),
      listOpds(db, pemdaId),
      annual.rkpdOverview(db, pemdaId, year),
    ]);
    const opds = new Map(opdList.map((o) => [o.id, o]));
    const ceilings = new Map(ov.opds.map((o) => [o.opd_id, o.ceiling]));
    const mine = isOpdScoped(p.role) ? opdList.filter((o) => o.id === p.opdId) : opdList;
    const sorted = isOpdScoped(p.role)
      ? [...rows.filter((r) => r.opd_id === p.opdId), ...rows.filter((r) => r.opd_id !== p.opdId)]
      : rows;
    return html`<form method="get" class="filters"><label>${tr(req, 'pln.year')}<input name="year" value="${year}" size="5"></label><button>${tr(req, 'common.filter')}</button></form>
<table class="data"><thead><tr><th>OPD</th><th>${tr(req, 'common.status')}</th><th class="num">${tr(req, 'pln.renja.items')}</th><th class="num">${tr(req, 'pln.renja.pagu')}</th><th class="num">${tr(req, 'pln.rkpd.ceiling')}</th></tr></thead>
<tbody>${sorted.map(
      (r) =>
        html`<tr><td><a href="/perencanaan/renja/${r.id}">${opdLabel(opds, r.opd_id)}</a></td><td>${badge(req, 'status', r.status)}</td><td class="num">${r.items}</td><td class="num">${rp(req, r.total)}</td><td class="num">${rp(req, ceilings.get(r.opd_id))}</td></tr>`,
    )}</tbody></table>
${
  can(req, 'planning.renja.write')
    ? html`<h2>${tr(req, 'pln.renja.new')}</h2><form method="post" action="/perencanaan/renja" class="form">${csrfField(req)}${errorBox(e, req)}
  <label>${tr(req, 'pln.year')}<input name="year" value="${year}" inputmode="numeric"></label>
  <label>OPD<select name="opd_id">${mine.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
    : ''
}`;
  };
  const defaultYear = async (pemdaId: number) =>
    (await annual.listRkpd(db, pemdaId))[0]?.year ?? new Date().getFullYear() + 1;
  app.get(
    '/perencanaan/renja',
    {
      config: read,
      schema: {
        ...hide,
        querystring: z.object({
          year: intIn(z.number().int().min(2000).max(2100).optional()),
          ok: z.string().optional(),
        }),
      },
    },
    async (req, reply) => {
      const year = req.query.year ?? (await defaultYear(req.principal!.pemdaId));
      return sendPage(req, reply, {
        title: `${tr(req, 'pln.renja.title')} ${year}`,
        body: await renjaList(req, year),
        notice: noticeOf(req),
      });
    },
  );
  app.post(
    '/perencanaan/renja',
    {
      config: {
        auth: {
          permission: 'planning.renja.write',
          opd: (req) => Number((req.body as Record<string, unknown>)?.opd_id),
        },
      },
      schema: { ...hide, body: anyBody },
    },
    async (req, reply) => {
      try {
        const r = await annual.createRenja(db, req.principal!, formBody(req.body) as never);
        return seeOther(reply, `/perencanaan/renja/${r.id}`, 'pln.notice.saved');
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        const year = Number((req.body as Record<string, unknown>).year) || (await defaultYear(req.principal!.pemdaId));
        return sendPage(req, reply, {
          title: tr(req, 'pln.renja.title'),
          body: await renjaList(req, year, e),
          status: statusOf(err),
        });
      }
    },
  );

  // ---- one Renja ------------------------------------------------------------------------------------------------
  const renjaPage = async (req: FastifyRequest, id: number, e?: E) => {
    const pemdaId = req.principal!.pemdaId;
    const p = req.principal!;
    const renja = await annual.getRenja(db, pemdaId, id);
    if (!renja) throw notFound();
    const [items, checks, opdList, funding, regions] = await Promise.all([
      annual.renjaItems(db, pemdaId, id),
      annual.renjaChecks(db, pemdaId, id),
      listOpds(db, pemdaId),
      listFundingSources(db, pemdaId),
      listRegions(db, pemdaId),
    ]);
    const opds = new Map(opdList.map((o) => [o.id, o]));
    const regionName = new Map(regions.map((r) => [r.id, r.name]));
    const own = !isOpdScoped(p.role) || p.opdId === renja.opd_id;
    const mayEdit = can(req, 'planning.renja.write') && own && renja.status === 'draft';
    const names = new Map<string, string>();
    for (const i of items)
      names.set(i.sub_kegiatan_code, (await getNomenclature(db, pemdaId, renja.year, i.sub_kegiatan_code))?.name ?? '');
    const waiting = (
      await props.listProposals(db, p, {
        year: renja.year,
        opd_id: renja.opd_id,
        status: 'accepted',
        stage: 'final',
        limit: 200,
        offset: 0,
      })
    ).rows.filter((r) => !r.renja_item_id);
    const total = items.reduce((s, i) => s + BigInt(i.pagu), 0n);
    const action = (name: string, perm: string, label: string, needNote = false) =>
      can(req, perm) && own
        ? html`<form method="post" action="/perencanaan/renja/${id}/${name}" class="inline">${csrfField(req)}<input type="hidden" name="version" value="${renja.version}">${needNote ? html`<input name="note" placeholder="${tr(req, 'pln.renja.note')}" required>` : ''}<button class="secondary">${tr(req, label)}</button></form> `
        : '';
    const actions = [
      renja.status === 'draft' ? action('submit', 'planning.renja.submit', 'pln.action.submit') : '',
      renja.status === 'submitted' ? action('verify', 'planning.renja.verify', 'pln.action.verify') : '',
      renja.status === 'verified' ? action('approve', 'planning.renja.verify', 'pln.action.approve') : '',
      renja.status === 'submitted' || renja.status === 'verified'
        ? action('return', 'planning.renja.verify', 'pln.action.return', true)
        : '',
      renja.status === 'approved' ? action('revise', 'planning.renja.verify', 'pln.action.revise', true) : '',
    ];
    const errorsCount = checks.filter((c) => c.severity === 'error').length;
    return html`${errorBox(e, req)}
<dl class="detail"><dt>OPD</dt><dd>${opdLabel(opds, renja.opd_id)}</dd><dt>${tr(req, 'pln.year')}</dt><dd>${renja.year}</dd>
<dt>${tr(req, 'common.status')}</dt><dd>${badge(req, 'status', renja.status)} ${renja.approved_by ? html`<small class="muted">${renja.approved_by}</small>` : ''}</dd>
${renja.note ? html`<dt>${tr(req, 'pln.renja.note')}</dt><dd>${renja.note}</dd>` : ''}
<dt>${tr(req, 'pln.renja.pagu')}</dt><dd>${rp(req, total)}</dd></dl>
<div class="actions">${actions}</div>
<h2>${tr(req, 'pln.renja.checks')}</h2>
${
  checks.length === 0
    ? html`<p class="notice">${tr(req, 'pln.renja.checks_ok')}</p>`
    : html`<p class="${errorsCount ? 'error' : 'warning'}">${tr(req, 'pln.renja.checks_count', { errors: errorsCount, warnings: checks.length - errorsCount })}</p>
<ul class="checks">${checks.slice(0, 100).map((c) => html`<li>${badge(req, 'severity', c.severity)} ${tr(req, c.key, c.params)}</li>`)}</ul>`
}
<h2>${tr(req, 'pln.renja.items')} (${items.length})</h2>
<div class="table-wrap"><table class="data"><thead><tr><th>${tr(req, 'pln.rnode.sub_kegiatan')}</th><th class="num">${tr(req, 'pln.renja.target')}</th><th>${tr(req, 'pln.renja.location')}</th><th>${tr(req, 'pln.renja.funding')}</th><th class="num">${tr(req, 'pln.renja.pagu')}</th><th>${tr(req, 'pln.renja.source')}</th><th></th></tr></thead>
<tbody>${items.map(
      (
        i,
      ) => html`<tr><td><a href="/perencanaan/renja-item/${i.id}">${i.sub_kegiatan_code}</a> ${names.get(i.sub_kegiatan_code)}</td><td class="num">${num(req, i.target)} ${i.unit ?? ''}</td><td>${i.region_id ? regionName.get(i.region_id) : ''} ${i.location}</td><td>${i.funding_source_code ?? ''}</td><td class="num">${rp(req, i.pagu)}</td>
<td>${tr(req, `pln.source.${i.source}`)}${i.proposals ? html` <span class="badge">${i.proposals} ${tr(req, 'pln.renja.proposals')}</span>` : ''}</td>
<td><a href="/perencanaan/pohon-kinerja?${qs({ year: renja.year, opd_id: renja.opd_id, code: i.sub_kegiatan_code })}">${tr(req, 'pln.cascade.short')}</a></td></tr>`,
    )}</tbody></table></div>
${
  waiting.length
    ? html`<h2>${tr(req, 'pln.renja.waiting')}</h2><table class="data"><tbody>${waiting.map(
        (w) =>
          html`<tr><td><a href="/perencanaan/usulan/${w.id}">${w.tracking_code}</a> ${w.title}</td><td>${w.sub_kegiatan_code}</td><td class="num">${rp(req, w.recommended_amount)}</td><td>${
            mayEdit || (can(req, 'planning.proposal.renja') && own && renja.status === 'draft')
              ? html`<form method="post" action="/perencanaan/usulan/${w.id}/renja" class="inline">${csrfField(req)}<input type="hidden" name="version" value="${w.version}"><button class="secondary">${tr(req, 'pln.action.into_renja')}</button></form>`
              : ''
          }</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  mayEdit
    ? html`<h2>${tr(req, 'pln.renja.add_item')}</h2>
<form method="post" action="/perencanaan/renja/${id}/from-renstra" class="actions">${csrfField(req)}<button class="secondary">${tr(req, 'pln.renja.from_renstra')}</button></form>
<form method="post" action="/perencanaan/renja/${id}/items" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.rnode.sub_kegiatan')}<input name="sub_kegiatan_code" required placeholder="1.02.02.2.01.0002"></label>
  <label>${tr(req, 'pln.renja.target')}<input data-num="decimal" name="target" inputmode="decimal"></label>
  <label>${tr(req, 'pln.indicator.unit')}<input name="unit"></label>
  <label>${tr(req, 'pln.renja.region')}<select name="region_id"><option value="">—</option>${regions.map((r) => html`<option value="${r.id}">${r.name} (${r.kind})</option>`)}</select></label>
  <label>${tr(req, 'pln.renja.location')}<input name="location"></label>
  <label>${tr(req, 'pln.renja.funding')}<select name="funding_source_code"><option value="">—</option>${funding.map((f) => html`<option value="${f.code}">${f.code} ${f.name}</option>`)}</select></label>
  <label>${tr(req, 'pln.renja.pagu')}<input data-num="rupiah" name="pagu" inputmode="numeric"></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
    : ''
}`;
  };
  app.get('/perencanaan/renja/:id', { config: read, schema: { ...hide, params: idP } }, async (req, reply) => {
    const r = await annual.getRenja(db, req.principal!.pemdaId, req.params.id);
    const opd = r ? (await listOpds(db, req.principal!.pemdaId)).find((o) => o.id === r.opd_id) : undefined;
    return sendPage(req, reply, {
      title: `${tr(req, 'pln.renja.title')} ${r?.year ?? ''} ${opd?.name ?? ''}`,
      body: await renjaPage(req, req.params.id),
      notice: noticeOf(req),
    });
  });
  const renjaOpd = (req: FastifyRequest) =>
    annual.opdOfRenja(db, req.principal!.pemdaId, Number((req.params as { id: string }).id));
  const renjaPost = (
    path: string,
    perm: string,
    fn: (req: FastifyRequest & { params: { id: number } }, b: Record<string, unknown>) => Promise<unknown>,
  ) =>
    app.post(
      `/perencanaan/renja/:id/${path}`,
      { config: { auth: { permission: perm, opd: renjaOpd } }, schema: { ...hide, params: idP, body: anyBody } },
      async (req, reply) => {
        try {
          await fn(req, formBody(req.body));
          return seeOther(reply, `/perencanaan/renja/${req.params.id}`, 'pln.notice.saved');
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          return sendPage(req, reply, {
            title: tr(req, 'pln.renja.title'),
            body: await renjaPage(req, req.params.id, e),
            status: statusOf(err),
          });
        }
      },
    );
  renjaPost('items', 'planning.renja.write', (req, b) =>
    annual.addRenjaItem(db, req.principal!, req.params.id, b as never),
  );
  renjaPost('from-renstra', 'planning.renja.write', (req) =>
    annual.addItemsFromRenstra(db, req.principal!, req.params.id),
  );
  renjaPost('submit', 'planning.renja.submit', (req, b) =>
    annual.submitRenja(db, req.principal!, req.params.id, b as never),
  );
  renjaPost('verify', 'planning.renja.verify', (req, b) =>
    annual.verifyRenja(db, req.principal!, req.params.id, b as never),
  );
  renjaPost('approve', 'planning.renja.verify', (req, b) =>
    annual.approveRenja(db, req.principal!, req.params.id, b as never),
  );
  renjaPost('return', 'planning.renja.verify', (req, b) =>
    annual.returnRenja(db, req.principal!, req.params.id, b as never),
  );
  renjaPost('revise', 'planning.renja.verify', (req, b) =>
    annual.reviseRenja(db, req.principal!, req.params.id, b as never),
  );

  // ---- one Renja item ------------------------------------------------------------------------------------------
  const itemPage = async (req: FastifyRequest, id: number, e?: E) => {
    const pemdaId = req.principal!.pemdaId;
    const item = await db
      .selectFrom('pln_renja_item')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!item) throw notFound();
    const renja = (await annual.getRenja(db, pemdaId, item.renja_id))!;
    const [funding, regions, linked] = await Promise.all([
      listFundingSources(db, pemdaId),
      listRegions(db, pemdaId),
      props.proposalsForRenjaItem(db, pemdaId, id),
    ]);
    const nom = await getNomenclature(db, pemdaId, renja.year, item.sub_kegiatan_code);
    const p = req.principal!;
    const mayEdit =
      can(req, 'planning.renja.write') &&
      (!isOpdScoped(p.role) || p.opdId === renja.opd_id) &&
      renja.status === 'draft';
    const v = { ...item, target: cleanDecimal(item.target) ?? '' };
    return html`${errorBox(e, req)}<dl class="detail"><dt>${tr(req, 'pln.rnode.sub_kegiatan')}</dt><dd>${item.sub_kegiatan_code} ${nom?.name ?? ''}</dd>
<dt>${tr(req, 'pln.renja.title')}</dt><dd><a href="/perencanaan/renja/${renja.id}">${renja.year}</a> ${badge(req, 'status', renja.status)}</dd>
<dt>${tr(req, 'pln.renja.target')}</dt><dd>${num(req, item.target)} ${item.unit ?? ''}</dd><dt>${tr(req, 'pln.renja.pagu')}</dt><dd>${rp(req, item.pagu)}</dd></dl>
<h2>${tr(req, 'pln.renja.linked_proposals')}</h2>
${linked.length ? html`<ul>${linked.map((l) => html`<li><a href="/perencanaan/usulan/${l.id}">${l.trackingCode}</a> ${tr(req, `pln.kind.${l.kind}`)}: ${l.title}</li>`)}</ul>` : html`<p class="muted">${tr(req, 'common.empty')}</p>`}
${
  mayEdit
    ? html`<h2>${tr(req, 'common.edit')}</h2><form method="post" action="/perencanaan/renja-item/${id}" class="form">${csrfField(req)}<input type="hidden" name="version" value="${item.version}">
  <label>${tr(req, 'pln.renja.target')}<input data-num="decimal" name="target" value="${v.target ? idNumOpt(v.target) : ''}" inputmode="decimal"></label>
  <label>${tr(req, 'pln.indicator.unit')}<input name="unit" value="${item.unit ?? ''}"></label>
  <label>${tr(req, 'pln.renja.region')}<select name="region_id"><option value="">—</option>${regions.map((r) => html`<option value="${r.id}"${selected(r.id === item.region_id)}>${r.name} (${r.kind})</option>`)}</select></label>
  <label>${tr(req, 'pln.renja.location')}<input name="location" value="${item.location}"></label>
  <label>${tr(req, 'pln.renja.funding')}<select name="funding_source_code"><option value="">—</option>${funding.map((f) => html`<option value="${f.code}"${selected(f.code === item.funding_source_code)}>${f.code} ${f.name}</option>`)}</select></label>
  <label>${tr(req, 'pln.renja.pagu')}<input data-num="rupiah" name="pagu" value="${idNumOpt(item.pagu)}" inputmode="numeric"></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<form method="post" action="/perencanaan/renja-item/${id}/delete" class="actions">${csrfField(req)}<button class="secondary">${tr(req, 'pln.action.delete')}</button></form>`
    : ''
}`;
  };
  const itemOpd = (req: FastifyRequest) =>
    annual.opdOfRenjaItem(db, req.principal!.pemdaId, Number((req.params as { id: string }).id));
  app.get('/perencanaan/renja-item/:id', { config: read, schema: { ...hide, params: idP } }, async (req, reply) =>
    sendPage(req, reply, {
      title: tr(req, 'pln.renja.item'),
      body: await itemPage(req, req.params.id),
      notice: noticeOf(req),
    }),
  );
  app.post(
    '/perencanaan/renja-item/:id',
    {
      config: { auth: { permission: 'planning.renja.write', opd: itemOpd } },
      schema: { ...hide, params: idP, body: anyBody },
    },
    async (req, reply) => {
      try {
        const b = formBody(req.body);
        await annual.updateRenjaItem(db, req.principal!, req.params.id, {
          ...(b as object),
          target: (b.target as string | undefined) ?? null,
          region_id: (b.region_id as string | undefined) ?? null,
          funding_source_code: (b.funding_source_code as string | undefined) ?? null,
          location: (b.location as string | undefined) ?? '',
        } as never);
        return seeOther(reply, `/perencanaan/renja-item/${req.params.id}`, 'pln.notice.saved');
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'pln.renja.item'),
          body: await itemPage(req, req.params.id, e),
          status: statusOf(err),
        });
      }
    },
  );
  app.post(
    '/perencanaan/renja-item/:id/delete',
    {
      config: { auth: { permission: 'planning.renja.write', opd: itemOpd } },
      schema: { ...hide, params: idP, body: anyBody },
    },
    async (req, reply) => {
      const renjaId = (
        await db
          .selectFrom('pln_renja_item')
          .select('renja_id')
          .where('pemda_id', '=', req.principal!.pemdaId)
          .where('id', '=', req.params.id)
          .executeTakeFirst()
      )?.renja_id;
      try {
        await annual.deleteRenjaItem(db, req.principal!, req.params.id);
        return seeOther(reply, `/perencanaan/renja/${renjaId}`, 'pln.notice.deleted');
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'pln.renja.item'),
          body: await itemPage(req, req.params.id, e),
          status: statusOf(err),
        });
      }
    },
  );
}
