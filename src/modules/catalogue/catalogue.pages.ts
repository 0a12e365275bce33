// Web pages of the catalogue: browse/search, item detail with price history, new/edit item (Tim
// Data, admin), proposals (OPD → Tim Data → TAPD), import, and the line editor's htmx picker.
// Plain forms work without JavaScript: POST → 303 redirect; invalid input re-renders with messages.
// Proposals and import: catalogue-proposals.pages.ts; shared helpers: catalogue.pages.common.ts.
import { intIn } from '../../core/number.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { csrfField, sendFragment, sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { formatDate } from '../../core/i18n/i18n.ts';
import { getAccount } from '../master-data/index.ts';
import { can } from '../../core/auth/policy.ts';
import {
  KINDS,
  SBU_COMPONENTS,
  TRAVEL_KINDS,
  createItem,
  itemCreateSchema,
  itemUpdateSchema,
  defaultYear,
  getItemDetail,
  listGrades,
  listProposals,
  searchCatalogue,
  updateItem,
  type CatalogueKind,
  type PricedItem,
} from './catalogue.service.ts';
import {
  type Errors,
  type Form,
  PAGE_SIZE,
  page,
  formBody,
  idParams,
  readVersionFields,
  numberAndSchemaErrors,
  idForm,
  idStored,
  fieldErr,
  listErr,
  formProblem,
  qs,
  money,
  tkdnText,
  kindLabel,
  statusBadge,
  sbuText,
  yearOptionsOf,
  demoNote,
} from './catalogue.pages.common.ts';

export async function cataloguePages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const yearOptions = (pemdaId: number, selected: number) => yearOptionsOf(db, pemdaId, selected);
  // ---- browse / search ------------------------------------------------------------------------
  const browseQuery = z.object({
    q: z.string().trim().max(100).optional(),
    year: intIn(z.number().int().min(2000).max(2100).optional()).or(z.literal('').transform(() => undefined)),
    kind: z
      .enum(KINDS)
      .optional()
      .or(z.literal('').transform(() => undefined)),
    account: z.string().trim().max(30).optional(),
    page: intIn(z.number().int().min(1).max(100000).default(1)),
    saved: z.string().optional(),
  });

  app.get(
    '/catalogue',
    {
      config: { auth: { permission: 'cat.read' } },
      schema: { ...page('Page: browse and search the catalogue'), querystring: browseQuery },
    },
    async (req, reply) => {
      const p = req.principal!;
      const f = req.query;
      const year = f.year ?? (await defaultYear(db, p.pemdaId));
      const { rows, total } = await searchCatalogue(db, p.pemdaId, {
        year,
        text: f.q,
        kind: f.kind,
        account: f.account || undefined,
        limit: PAGE_SIZE,
        offset: (f.page - 1) * PAGE_SIZE,
      });
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const link = (page: number) => `/catalogue?${qs({ q: f.q, year, kind: f.kind, account: f.account, page })}`;
      const body = html`
${demoNote(req)}
<form method="get" action="/catalogue" class="filters" role="search">
  <label>${tr(req, 'cat.field.q')} <input type="search" name="q" value="${f.q ?? ''}"></label>
  <label>${tr(req, 'cat.field.year')} <select name="year">${await yearOptions(p.pemdaId, year)}</select></label>
  <label>${tr(req, 'cat.field.kind')} <select name="kind"><option value="">${tr(req, 'cat.all_kinds')}</option>${KINDS.map(
    (k) => html`<option value="${k}" ${k === f.kind ? 'selected' : ''}>${kindLabel(req, k)}</option>`,
  )}</select></label>
  <label>${tr(req, 'cat.field.account')} <input name="account" value="${f.account ?? ''}" placeholder="5.1.02.01.01.0024" size="18"></label>
  <button>${tr(req, 'common.search')}</button>
</form>
<p class="actions">
  ${can(p, 'cat.manage') ? html`<a class="button" href="/catalogue/items/new?year=${year}">${tr(req, 'common.new')}</a> <a class="button secondary" href="/catalogue/import">${tr(req, 'common.import')}</a>` : ''}
  ${can(p, 'cat.propose') ? html`<a class="button" href="/catalogue/proposals/new">${tr(req, 'cat.action.propose_new')}</a>` : ''}
  <a href="/catalogue/proposals">${tr(req, 'cat.proposals.title')}</a>
</p>
<p class="muted">${tr(req, 'common.total_rows', { count: total })}</p>
<div class="table-wrap"><table class="data"><thead><tr>
  <th>${tr(req, 'cat.field.code')}</th><th>${tr(req, 'cat.field.name')}</th><th>${tr(req, 'cat.field.spec')}</th><th>${tr(req, 'cat.field.unit')}</th>
  <th class="num">${tr(req, 'cat.field.price')}</th><th class="num">${tr(req, 'cat.field.tkdn')}</th><th>${tr(req, 'cat.field.accounts_short')}</th><th class="num">${tr(req, 'cat.field.version')}</th>
</tr></thead>
<tbody>${
        rows.length
          ? rows.map(
              (r) => html`<tr>
  <td>${r.code}<br><span class="muted">${r.kind}</span></td>
  <td><a href="/catalogue/items/${r.itemId}">${r.name}</a>${r.sbu ? html`<br><span class="muted">${sbuText(req, r)}</span>` : ''}</td>
  <td>${r.spec}</td><td>${r.unit}</td>
  <td class="num">${money(req, r.price)}</td><td class="num">${tkdnText(r.tkdn)}</td>
  <td>${r.accounts.map((a, i) => html`${i ? html`<br>` : ''}${a}`)}</td>
  <td class="num">${r.version}</td>
</tr>`,
            )
          : html`<tr><td colspan="8">${tr(req, 'common.empty')}</td></tr>`
      }</tbody></table></div>
<p class="pager">${tr(req, 'common.page_of', { page: f.page, pages })}
  ${f.page > 1 ? html`<a href="${link(f.page - 1)}" rel="prev">${tr(req, 'common.prev')}</a>` : ''}
  ${f.page < pages ? html`<a href="${link(f.page + 1)}" rel="next">${tr(req, 'common.next')}</a>` : ''}</p>`;
      return sendPage(req, reply, { title: tr(req, 'cat.title'), body });
    },
  );

  // ---- the line editor's picker (htmx fragment) ----------------------------------------------------
  app.get(
    '/catalogue/picker',
    {
      config: { auth: { permission: 'cat.read' } },
      schema: {
        tags: ['catalogue'],
        summary:
          'Picker fragment for the budget line editor (htmx): buttons carrying data-id, data-version, data-name, data-unit, data-price, data-accounts (the allowed account codes, space-separated)',
        querystring: z.object({
          q: z.string().trim().max(100).optional(),
          account: z.string().trim().max(30).optional(),
          year: intIn(z.number().int().min(2000).max(2100).optional()).or(z.literal('').transform(() => undefined)),
          kind: z
            .enum(KINDS)
            .optional()
            .or(z.literal('').transform(() => undefined)),
          limit: intIn(z.number().int().min(1).max(100).default(20)),
        }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const f = req.query;
      const year = f.year ?? (await defaultYear(db, p.pemdaId));
      const { rows, total } = await searchCatalogue(db, p.pemdaId, {
        year,
        text: f.q,
        account: f.account || undefined,
        kind: f.kind,
        limit: f.limit,
      });
      const fragment = rows.length
        ? html`<ul class="picker" data-total="${total}">${rows.map(
            (r) => html`<li><button type="button" class="pick" name="catalogue_item" value="${r.itemId}:${r.version}"
  data-id="${r.itemId}" data-version="${r.version}" data-code="${r.code}" data-kind="${r.kind}" data-name="${r.name}" data-spec="${r.spec}"
  data-unit="${r.unit}" data-price="${r.price}" data-tkdn="${r.tkdn ?? ''}" data-accounts="${r.accounts.join(' ')}"><b>${r.code}</b> ${r.name}${r.spec ? html` <span class="muted">${r.spec}</span>` : ''} · ${r.unit} · ${money(req, r.price)}</button></li>`,
          )}</ul>${total > rows.length ? html`<p class="muted">${tr(req, 'cat.picker.more', { shown: rows.length, total })}</p>` : ''}`
        : html`<p class="muted">${tr(req, 'cat.picker.empty')}</p>`;
      return sendFragment(reply, fragment);
    },
  );

  // ---- item detail -------------------------------------------------------------------------------
  app.get(
    '/catalogue/items/:id',
    {
      config: { auth: { permission: 'cat.read' } },
      schema: {
        ...page('Page: an item with its price history'),
        params: idParams,
        querystring: z.object({ saved: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const d = await getItemDetail(db, p.pemdaId, req.params.id);
      if (!d) throw notFound();
      const c = d.current;
      const accountNames = new Map<string, string>();
      for (const code of new Set(d.versions.flatMap((v) => v.accounts))) {
        const a = await getAccount(db, p.pemdaId, c.year, code);
        if (a) accountNames.set(code, a.name);
      }
      const related = await listProposals(db, p, { itemId: c.itemId, limit: 20 });
      const body = html`
<dl class="detail">
  <dt>${tr(req, 'cat.field.kind')}</dt><dd>${kindLabel(req, c.kind)}</dd>
  <dt>${tr(req, 'cat.field.year')}</dt><dd>${c.year}</dd>
  <dt>${tr(req, 'cat.field.code')}</dt><dd>${c.code}</dd>
  <dt>${tr(req, 'cat.field.name')}</dt><dd>${c.name}</dd>
  <dt>${tr(req, 'cat.field.spec')}</dt><dd>${c.spec || '—'}</dd>
  <dt>${tr(req, 'cat.field.unit')}</dt><dd>${c.unit}</dd>
  <dt>${tr(req, 'cat.field.price')}</dt><dd>${money(req, c.price)}</dd>
  <dt>${tr(req, 'cat.field.tkdn')}</dt><dd>${tkdnText(c.tkdn)}</dd>
  <dt>${tr(req, 'cat.field.version')}</dt><dd>${c.version}</dd>
  <dt>${tr(req, 'common.status')}</dt><dd>${d.active ? tr(req, 'common.active') : html`<span class="badge">${tr(req, 'cat.inactive')}</span>`}</dd>
  ${c.sbu ? html`<dt>${tr(req, 'cat.detail.sbu')}</dt><dd>${sbuText(req, c)}</dd>` : ''}
</dl>
<h2>${tr(req, 'cat.detail.accounts')}</h2>
<ul>${c.accounts.map((a) => html`<li>${a} ${accountNames.get(a) ?? ''}</li>`)}</ul>
<div class="actions">
  ${
    can(p, 'cat.manage')
      ? html`<a class="button" href="/catalogue/items/${c.itemId}/edit">${tr(req, 'common.edit')}</a>
  <form method="post" action="/catalogue/items/${c.itemId}/active" class="inline">${csrfField(req)}<input type="hidden" name="version" value="${c.version}"><input type="hidden" name="active" value="${d.active ? 'false' : 'true'}"><button class="secondary">${tr(req, d.active ? 'common.deactivate' : 'common.activate')}</button></form>`
      : ''
  }
  ${can(p, 'cat.propose') && d.active ? html`<a class="button" href="/catalogue/proposals/new?item=${c.itemId}">${tr(req, 'cat.action.propose_change')}</a>` : ''}
  <a href="/catalogue?${qs({ year: c.year })}">${tr(req, 'common.back')}</a>
</div>
<h2>${tr(req, 'cat.detail.versions')}</h2>
<div class="table-wrap"><table class="data"><thead><tr>
  <th class="num">${tr(req, 'cat.field.version')}</th><th>${tr(req, 'cat.field.name')}</th><th>${tr(req, 'cat.field.spec')}</th><th>${tr(req, 'cat.field.unit')}</th>
  <th class="num">${tr(req, 'cat.field.price')}</th><th class="num">${tr(req, 'cat.field.tkdn')}</th><th>${tr(req, 'cat.field.accounts_short')}</th>
  <th>${tr(req, 'cat.field.approved_at')}</th><th>${tr(req, 'cat.field.approved_by')}</th><th>${tr(req, 'cat.field.source')}</th>
</tr></thead><tbody>${d.versions.map(
        (v) => html`<tr>
  <td class="num">${v.version}${v.version === c.version ? html` <span class="badge ok">${tr(req, 'cat.current')}</span>` : ''}</td>
  <td>${v.name}</td><td>${v.spec}</td><td>${v.unit}</td><td class="num">${money(req, v.price)}</td><td class="num">${tkdnText(v.tkdn)}</td>
  <td>${v.accounts.map((a, i) => html`${i ? html`<br>` : ''}${a}`)}</td>
  <td>${formatDate(req.lang, v.approvedAt, true)}</td><td>${v.approvedByName}</td>
  <td>${v.proposalId ? html`<a href="/catalogue/proposals/${v.proposalId}">${tr(req, 'cat.source.proposal')} #${v.proposalId}</a>` : tr(req, `cat.source.${v.source}`)}${v.note ? html`<br><span class="muted">${v.note}</span>` : ''}</td>
</tr>`,
      )}</tbody></table></div>
${
  related.rows.length
    ? html`<h2>${tr(req, 'cat.detail.proposals')}</h2><ul>${related.rows.map(
        (r) =>
          html`<li><a href="/catalogue/proposals/${r.id}">#${r.id}</a> ${statusBadge(req, r.status)} ${money(req, r.price)} · ${formatDate(req.lang, r.proposedAt)}</li>`,
      )}</ul>`
    : ''
}`;
      return sendPage(req, reply, {
        title: tr(req, 'cat.detail.title', { code: c.code, name: c.name }),
        notice: req.query.saved ? tr(req, 'common.saved') : undefined,
        body,
      });
    },
  );

  // ---- new / edit item (Tim Data, admin) -------------------------------------------------------------
  const itemForm = async (
    req: FastifyRequest,
    v: Form,
    errors: Errors,
    mode: { isNew: boolean; action: string; message?: string },
  ) => {
    const p = req.principal!;
    const year = Number(v.year) || (await defaultYear(db, p.pemdaId));
    const component = v.sbu_component ?? '';
    const travelKinds = [...new Set(Object.values(TRAVEL_KINDS).flat())];
    return html`<form method="post" action="${mode.action}" class="form">
  ${csrfField(req)}
  ${mode.message ? html`<p class="error" role="alert">${mode.message}</p>` : ''}
  ${
    mode.isNew
      ? html`<label>${tr(req, 'cat.field.year')}<select name="year">${await yearOptions(p.pemdaId, year)}</select>${fieldErr(errors, 'year')}</label>
  <label>${tr(req, 'cat.field.kind')}<select name="kind">${KINDS.map((k) => html`<option value="${k}" ${k === v.kind ? 'selected' : ''}>${kindLabel(req, k)}</option>`)}</select>${fieldErr(errors, 'kind')}</label>
  <label>${tr(req, 'cat.field.code')}<input name="code" required value="${v.code ?? ''}" placeholder="1.1.12.01.01.0001" aria-describedby="code-error">${fieldErr(errors, 'code')}</label>`
      : html`<input type="hidden" name="version" value="${v.version ?? ''}"><p class="muted">${tr(req, 'cat.edit.hint')}</p>`
  }
  <label>${tr(req, 'cat.field.name')}<input name="name" required maxlength="300" value="${v.name ?? ''}">${fieldErr(errors, 'name')}</label>
  <label>${tr(req, 'cat.field.spec')}<textarea name="spec" rows="2" maxlength="2000">${v.spec ?? ''}</textarea>${fieldErr(errors, 'spec')}</label>
  <label>${tr(req, 'cat.field.unit')}<input name="unit" required maxlength="50" value="${v.unit ?? ''}">${fieldErr(errors, 'unit')}</label>
  <label>${tr(req, 'cat.field.price')}<input name="price" required inputmode="numeric" data-num="rupiah" value="${idForm(v.price)}" aria-describedby="price-error">${fieldErr(errors, 'price')}</label>
  <label>${tr(req, 'cat.field.tkdn')}<input name="tkdn" inputmode="decimal" data-num="percent" value="${idForm(v.tkdn)}">${fieldErr(errors, 'tkdn')}</label>
  <label>${tr(req, 'cat.field.accounts')}<textarea name="accounts" rows="3" required>${v.accounts ?? ''}</textarea>${listErr(errors, 'accounts')}</label>
  ${
    mode.isNew
      ? html`<fieldset><legend>${tr(req, 'cat.detail.sbu')}</legend><p class="muted">${tr(req, 'cat.sbu.hint')}</p>
  <label>${tr(req, 'cat.field.sbu_component')}<select name="sbu_component"><option value="">—</option>${SBU_COMPONENTS.map(
    (s) => html`<option value="${s}" ${s === component ? 'selected' : ''}>${tr(req, `cat.sbu.${s}`)}</option>`,
  )}</select>${fieldErr(errors, 'sbu.component')}</label>
  <label>${tr(req, 'cat.field.province')}<input name="province" value="${v.province ?? ''}">${fieldErr(errors, 'sbu.province')}</label>
  <label>${tr(req, 'cat.field.travel_kind')}<select name="travel_kind"><option value="">—</option>${travelKinds.map(
    (k) => html`<option value="${k}" ${k === v.travel_kind ? 'selected' : ''}>${tr(req, `cat.travel.${k}`)}</option>`,
  )}</select>${fieldErr(errors, 'sbu.travel_kind')}</label>
  <label>${tr(req, 'cat.field.grade')}<select name="grade"><option value="">—</option>${listGrades(req.lang).map(
    (g) => html`<option value="${g.code}" ${g.code === v.grade ? 'selected' : ''}>${g.label}</option>`,
  )}</select>${fieldErr(errors, 'sbu.grade')}</label></fieldset>`
      : ''
  }
  <label>${tr(req, 'cat.field.note')}<input name="note" maxlength="1000" value="${v.note ?? ''}">${fieldErr(errors, 'note')}</label>
  <div class="actions"><button type="submit">${tr(req, 'common.save')}</button> <a href="/catalogue">${tr(req, 'common.cancel')}</a></div>
</form>`;
  };

  app.get(
    '/catalogue/items/new',
    {
      config: { auth: { permission: 'cat.manage' } },
      schema: { ...page('Page: new item form'), querystring: z.object({ year: z.string().optional() }) },
    },
    async (req, reply) =>
      sendPage(req, reply, {
        title: tr(req, 'cat.new.title'),
        body: await itemForm(
          req,
          { year: req.query.year ?? '', kind: 'SSH' },
          {},
          { isNew: true, action: '/catalogue/items/new' },
        ),
      }),
  );

  app.post(
    '/catalogue/items/new',
    { config: { auth: { permission: 'cat.manage' } }, schema: { ...page('Form: create an item'), body: formBody } },
    async (req, reply) => {
      const b = req.body;
      try {
        const vf = readVersionFields(b);
        const input = {
          year: b.year ?? '',
          kind: (b.kind ?? '') as CatalogueKind,
          code: b.code ?? '',
          ...vf.fields,
          sbu: b.sbu_component
            ? {
                component: b.sbu_component as never,
                province: b.province || null,
                travel_kind: b.travel_kind || null,
                grade: b.grade || null,
              }
            : null,
          note: b.note || undefined,
        };
        const unread = numberAndSchemaErrors(req, vf.errors, itemCreateSchema, input);
        if (unread) throw unread;
        const item = await createItem(db, req.principal!, input);
        return reply.redirect(`/catalogue/items/${item.itemId}?saved=1`, 303);
      } catch (err) {
        const pr = formProblem(req, err);
        if (!pr) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'cat.new.title'),
          body: await itemForm(req, b, pr.errors, { isNew: true, action: '/catalogue/items/new', message: pr.message }),
          status: pr.status,
        });
      }
    },
  );

  const formOfItem = (c: PricedItem): Form => ({
    version: String(c.version),
    name: c.name,
    spec: c.spec,
    unit: c.unit,
    price: idStored(c.price),
    tkdn: idStored(c.tkdn),
    accounts: c.accounts.join('\n'),
  });

  app.get(
    '/catalogue/items/:id/edit',
    { config: { auth: { permission: 'cat.manage' } }, schema: { ...page('Page: edit item form'), params: idParams } },
    async (req, reply) => {
      const d = await getItemDetail(db, req.principal!.pemdaId, req.params.id);
      if (!d) throw notFound();
      return sendPage(req, reply, {
        title: tr(req, 'cat.edit.title', { code: d.current.code }),
        body: await itemForm(
          req,
          formOfItem(d.current),
          {},
          { isNew: false, action: `/catalogue/items/${d.current.itemId}/edit` },
        ),
      });
    },
  );

  app.post(
    '/catalogue/items/:id/edit',
    {
      config: { auth: { permission: 'cat.manage' } },
      schema: { ...page('Form: change an item (new price version)'), params: idParams, body: formBody },
    },
    async (req, reply) => {
      const b = req.body;
      const d = await getItemDetail(db, req.principal!.pemdaId, req.params.id);
      if (!d) throw notFound();
      try {
        const vf = readVersionFields(b);
        const input = { version: b.version ?? '', ...vf.fields, note: b.note || undefined };
        const unread = numberAndSchemaErrors(req, vf.errors, itemUpdateSchema, input);
        if (unread) throw unread;
        await updateItem(db, req.principal!, req.params.id, input);
        return reply.redirect(`/catalogue/items/${req.params.id}?saved=1`, 303);
      } catch (err) {
        const pr = formProblem(req, err);
        if (!pr) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'cat.edit.title', { code: d.current.code }),
          body: await itemForm(
            req,
            { ...b, version: pr.status === 409 ? String(d.current.version) : (b.version ?? '') },
            pr.errors,
            {
              isNew: false,
              action: `/catalogue/items/${req.params.id}/edit`,
              message: pr.message,
            },
          ),
          status: pr.status,
        });
      }
    },
  );

  app.post(
    '/catalogue/items/:id/active',
    {
      config: { auth: { permission: 'cat.manage' } },
      schema: { ...page('Form: activate or deactivate an item'), params: idParams, body: formBody },
    },
    async (req, reply) => {
      await updateItem(db, req.principal!, req.params.id, {
        version: req.body.version ?? '',
        active: req.body.active === 'true',
      });
      return reply.redirect(`/catalogue/items/${req.params.id}?saved=1`, 303);
    },
  );
}
