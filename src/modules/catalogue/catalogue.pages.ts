// Web pages of the catalogue: browse/search, item detail with price history, new/edit item (Tim
// Data, admin), proposals (OPD → Tim Data → TAPD), import, and the line editor's htmx picker.
// Plain forms work without JavaScript: POST → 303 redirect; invalid input re-renders with messages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendFragment, sendPage, tr, issueMessage } from '../../core/http/layout.ts';
import { AppError, badRequest, notFound } from '../../core/errors.ts';
import { formatIdNumber, readFormNumbers, intIn } from '../../core/number.ts';
import { formatDate } from '../../core/i18n/i18n.ts';
import { formatRupiah } from '../../core/money.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { getAccount, listOpds } from '../master-data/index.ts';
import { catCan } from './permissions.ts';
import {
  KINDS,
  PROPOSAL_STATUSES,
  SBU_COMPONENTS,
  TRAVEL_KINDS,
  approveProposal,
  createItem,
  createProposal,
  defaultYear,
  getCurrentPrice,
  getItemDetail,
  getProposal,
  listGrades,
  listProposals,
  listYears,
  rejectProposal,
  resubmitProposal,
  returnProposal,
  searchCatalogue,
  updateItem,
  verifyProposal,
  type CatalogueKind,
  type PricedItem,
  type Proposal,
  type ProposalStatus,
} from './catalogue.service.ts';
import { IMPORT_COLUMNS, importCatalogue, templateCsv, type ImportError } from './import.ts';
import { proposalOpd } from './catalogue.routes.ts';
import { IMPORT_BODY_LIMIT, uploadedFile } from '../../core/http/upload.ts';

type Errors = Record<string, string>;
type Form = Record<string, string>;

const PAGE_SIZE = 50;
/** Page routes: hidden from the OpenAPI document, still tagged and described. */
const page = (summary: string) => ({ hide: true, tags: ['catalogue'], summary }) as const;
const formBody = z.record(z.string(), z.string());
const idParams = z.object({ id: intIn(z.number().int().positive().max(2147483647)) });

/**
 * The price-version fields of a posted item or proposal form, as the service reads them; price and
 * TKDN read with the one Indonesian number rule (a 400 naming the field when one cannot be read).
 */
function versionFields(raw: Form) {
  const r = readFormNumbers(raw, [
    ['price', 'rupiah'],
    ['tkdn', 'percent'],
  ]);
  if (r.errors.length) throw badRequest(r.errors);
  const b = r.body;
  return {
    name: b.name ?? '',
    spec: b.spec ?? '',
    unit: b.unit ?? '',
    price: b.price ?? '',
    tkdn: b.tkdn ?? null,
    accounts: b.accounts ?? '',
  };
}

/** A form value as typed. */
const idForm = (v: string | null | undefined): string => v ?? '';

/** A stored canonical number ("12.5", "20000") in the Indonesian rule of the forms ("12,5", "20.000"). */
const idStored = (v: string | null | undefined): string =>
  v === null || v === undefined || v === ''
    ? ''
    : formatIdNumber(v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v);

function fieldErr(errors: Errors, name: string): Html | string {
  return errors[name] ? html`<span class="field-error" id="${name}-error">${errors[name]}</span>` : '';
}

/** Errors of all positions of a list field (accounts.0, accounts.3 …) under one name. */
function listErr(errors: Errors, name: string): Html | string {
  const msgs = Object.entries(errors)
    .filter(([k]) => k === name || k.startsWith(`${name}.`))
    .map(([, m]) => m);
  return msgs.length ? html`<span class="field-error" id="${name}-error">${msgs.join(' ')}</span>` : '';
}

function errorsOf(req: FastifyRequest, err: unknown): Errors | null {
  if (err instanceof AppError && err.fields.length) {
    return Object.fromEntries(
      err.fields.map((f) => [f.field, /\s/.test(f.message) ? f.message : tr(req, f.message, f.params)]),
    );
  }
  if (err instanceof z.ZodError)
    return Object.fromEntries(err.issues.map((i) => [i.path.join('.'), issueMessage(req, i)]));
  return null;
}

/** A field error map, or a general message for a conflict / refused state (409). */
function formProblem(req: FastifyRequest, err: unknown): { errors: Errors; message?: string; status: number } | null {
  const errors = errorsOf(req, err);
  if (errors) return { errors, status: err instanceof AppError ? err.status : 400 };
  if (err instanceof AppError && err.status === 409)
    return { errors: {}, message: tr(req, err.messageKey, err.params), status: 409 };
  return null;
}

const qs = (params: Record<string, string | number | undefined | null>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [k, String(v)] as [string, string]),
  ).toString();

function money(req: FastifyRequest, v: string | bigint): string {
  return formatRupiah(v, req.lang);
}

function tkdnText(v: string | null): string {
  return v === null ? '—' : `${v.replace(/\.?0+$/, '') || '0'}%`;
}

function kindLabel(req: FastifyRequest, k: CatalogueKind): string {
  return tr(req, `cat.kind.${k}`);
}

function statusBadge(req: FastifyRequest, s: ProposalStatus): Html {
  return html`<span class="badge${s === 'approved' ? ' ok' : ''}">${tr(req, `cat.status.${s}`)}</span>`;
}

function sbuText(req: FastifyRequest, p: PricedItem): string {
  if (!p.sbu) return '';
  const parts = [tr(req, `cat.sbu.${p.sbu.component}`)];
  if (p.sbu.province) parts.push(p.sbu.province);
  if (p.sbu.travelKind) parts.push(tr(req, `cat.travel.${p.sbu.travelKind}`));
  if (p.sbu.grade) parts.push(listGrades(req.lang).find((g) => g.code === p.sbu!.grade)?.label ?? p.sbu.grade);
  return parts.join(' · ');
}

function diffPercent(base: string, next: string): string {
  const b = BigInt(base);
  if (b === 0n) return '';
  const bp = ((BigInt(next) - b) * 10000n) / b; // basis points, truncated
  const sign = bp > 0n ? '+' : bp < 0n ? '−' : '';
  const abs = bp < 0n ? -bp : bp;
  return `${sign}${abs / 100n},${String(abs % 100n).padStart(2, '0')}%`;
}

export async function cataloguePages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  const yearOptions = async (pemdaId: number, selected: number) => {
    const years = new Set(await listYears(db, pemdaId));
    years.add(selected);
    years.add(new Date().getFullYear() + 1);
    return [...years]
      .sort((a, b) => b - a)
      .map((y) => html`<option value="${y}" ${y === selected ? 'selected' : ''}>${y}</option>`);
  };

  const demoNote = (req: FastifyRequest) =>
    req.pemda?.code === '99.01' ? html`<p class="muted">${tr(req, 'cat.demo_note')}</p>` : '';

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
  ${catCan(p, 'cat.manage') ? html`<a class="button" href="/catalogue/items/new?year=${year}">${tr(req, 'common.new')}</a> <a class="button secondary" href="/catalogue/import">${tr(req, 'common.import')}</a>` : ''}
  ${catCan(p, 'cat.propose') ? html`<a class="button" href="/catalogue/proposals/new">${tr(req, 'cat.action.propose_new')}</a>` : ''}
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
          'Picker fragment for the budget line editor (htmx): buttons carrying data-id, data-version, data-name, data-unit, data-price',
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
  data-unit="${r.unit}" data-price="${r.price}" data-tkdn="${r.tkdn ?? ''}"><b>${r.code}</b> ${r.name}${r.spec ? html` <span class="muted">${r.spec}</span>` : ''} · ${r.unit} · ${money(req, r.price)}</button></li>`,
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
    catCan(p, 'cat.manage')
      ? html`<a class="button" href="/catalogue/items/${c.itemId}/edit">${tr(req, 'common.edit')}</a>
  <form method="post" action="/catalogue/items/${c.itemId}/active" class="inline">${csrfField(req)}<input type="hidden" name="version" value="${c.version}"><input type="hidden" name="active" value="${d.active ? 'false' : 'true'}"><button class="secondary">${tr(req, d.active ? 'common.deactivate' : 'common.activate')}</button></form>`
      : ''
  }
  ${catCan(p, 'cat.propose') && d.active ? html`<a class="button" href="/catalogue/proposals/new?item=${c.itemId}">${tr(req, 'cat.action.propose_change')}</a>` : ''}
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
        const item = await createItem(db, req.principal!, {
          year: b.year ?? '',
          kind: (b.kind ?? '') as CatalogueKind,
          code: b.code ?? '',
          ...versionFields(b),
          sbu: b.sbu_component
            ? {
                component: b.sbu_component as never,
                province: b.province || null,
                travel_kind: b.travel_kind || null,
                grade: b.grade || null,
              }
            : null,
          note: b.note || undefined,
        });
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
        await updateItem(db, req.principal!, req.params.id, {
          version: b.version ?? '',
          ...versionFields(b),
          note: b.note || undefined,
        });
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

  // ---- proposals -------------------------------------------------------------------------------
  const opdNames = async (pemdaId: number) =>
    new Map((await listOpds(db, pemdaId)).map((o) => [o.id, o.shortName ? `${o.name}` : o.name]));

  app.get(
    '/catalogue/proposals',
    {
      config: { auth: { permission: 'cat.read' } },
      schema: {
        ...page('Page: proposals list (filter by status and year)'),
        querystring: z.object({
          status: z
            .enum(PROPOSAL_STATUSES)
            .optional()
            .or(z.literal('').transform(() => undefined)),
          year: intIn(z.number().int().min(2000).max(2100).optional()).or(z.literal('').transform(() => undefined)),
          page: intIn(z.number().int().min(1).max(100000).default(1)),
        }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const f = req.query;
      const { rows, total } = await listProposals(db, p, {
        status: f.status,
        year: f.year,
        limit: PAGE_SIZE,
        offset: (f.page - 1) * PAGE_SIZE,
      });
      const opds = await opdNames(p.pemdaId);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const link = (page: number) => `/catalogue/proposals?${qs({ status: f.status, year: f.year, page })}`;
      const body = html`
<form method="get" action="/catalogue/proposals" class="filters">
  <label>${tr(req, 'cat.field.status')} <select name="status"><option value="">${tr(req, 'cat.all_statuses')}</option>${PROPOSAL_STATUSES.map(
    (s) => html`<option value="${s}" ${s === f.status ? 'selected' : ''}>${tr(req, `cat.status.${s}`)}</option>`,
  )}</select></label>
  <label>${tr(req, 'cat.field.year')} <input name="year" inputmode="numeric" size="6" value="${f.year ?? ''}"></label>
  <button>${tr(req, 'common.filter')}</button>
  ${catCan(p, 'cat.propose') ? html`<a class="button" href="/catalogue/proposals/new">${tr(req, 'cat.action.propose_new')}</a>` : ''}
</form>
<p class="muted">${tr(req, 'common.total_rows', { count: total })}</p>
<div class="table-wrap"><table class="data"><thead><tr>
  <th>#</th><th>${tr(req, 'cat.field.year')}</th><th>${tr(req, 'cat.field.kind')}</th><th>${tr(req, 'cat.field.opd')}</th><th>${tr(req, 'cat.field.name')}</th>
  <th class="num">${tr(req, 'cat.field.proposed_price')}</th><th>${tr(req, 'cat.field.status')}</th><th>${tr(req, 'cat.field.proposed_at')}</th>
</tr></thead><tbody>${
        rows.length
          ? rows.map(
              (
                r,
              ) => html`<tr><td><a href="/catalogue/proposals/${r.id}">#${r.id}</a></td><td>${r.year}</td><td>${r.kind}</td><td>${opds.get(r.opdId) ?? r.opdId}</td>
  <td><a href="/catalogue/proposals/${r.id}">${r.name}</a><br><span class="muted">${r.itemId ? tr(req, 'cat.action.propose_change') : tr(req, 'cat.proposal.new_item')}${r.code ? ` · ${r.code}` : ''}</span></td>
  <td class="num">${money(req, r.price)} / ${r.unit}</td><td>${statusBadge(req, r.status)}</td><td>${formatDate(req.lang, r.proposedAt)}</td></tr>`,
            )
          : html`<tr><td colspan="8">${tr(req, 'common.empty')}</td></tr>`
      }</tbody></table></div>
<p class="pager">${tr(req, 'common.page_of', { page: f.page, pages })}
  ${f.page > 1 ? html`<a href="${link(f.page - 1)}">${tr(req, 'common.prev')}</a>` : ''}
  ${f.page < pages ? html`<a href="${link(f.page + 1)}">${tr(req, 'common.next')}</a>` : ''}</p>`;
      return sendPage(req, reply, { title: tr(req, 'cat.proposals.title'), body });
    },
  );

  /** Proposal fields (new or resubmitted): the change form when `base` is given. */
  const proposalFields = async (
    req: FastifyRequest,
    v: Form,
    errors: Errors,
    o: { base?: PricedItem; isNew: boolean },
  ) => {
    const p = req.principal!;
    const year = Number(v.year) || (await defaultYear(db, p.pemdaId));
    return html`
  ${
    o.base
      ? html`<p>${tr(req, 'cat.proposal.change_of', { code: o.base.code, name: o.base.name, version: o.base.version })}: <b>${money(req, o.base.price)}</b> / ${o.base.unit}</p>
  ${o.isNew ? html`<input type="hidden" name="item_id" value="${o.base.itemId}">` : ''}${fieldErr(errors, 'item_id')}`
      : o.isNew
        ? html`<label>${tr(req, 'cat.field.year')}<select name="year">${await yearOptions(p.pemdaId, year)}</select>${fieldErr(errors, 'year')}</label>
  <label>${tr(req, 'cat.field.kind')}<select name="kind">${KINDS.filter((k) => k !== 'SBU').map((k) => html`<option value="${k}" ${k === v.kind ? 'selected' : ''}>${kindLabel(req, k)}</option>`)}</select>${fieldErr(errors, 'kind')}</label>
  <label>${tr(req, 'cat.field.code')}<input name="code" value="${v.code ?? ''}" placeholder="1.1.12.01.01.0001"><span class="muted">${tr(req, 'cat.proposal.code_hint')}</span>${fieldErr(errors, 'code')}</label>`
        : html`<label>${tr(req, 'cat.field.code')}<input name="code" value="${v.code ?? ''}"><span class="muted">${tr(req, 'cat.proposal.code_hint')}</span>${fieldErr(errors, 'code')}</label>`
  }
  <label>${tr(req, 'cat.field.name')}<input name="name" required maxlength="300" value="${v.name ?? ''}">${fieldErr(errors, 'name')}</label>
  <label>${tr(req, 'cat.field.spec')}<textarea name="spec" rows="2" maxlength="2000">${v.spec ?? ''}</textarea>${fieldErr(errors, 'spec')}</label>
  <label>${tr(req, 'cat.field.unit')}<input name="unit" required maxlength="50" value="${v.unit ?? ''}">${fieldErr(errors, 'unit')}</label>
  <label>${tr(req, 'cat.field.proposed_price')}<input name="price" required inputmode="numeric" data-num="rupiah" value="${idForm(v.price)}">${fieldErr(errors, 'price')}</label>
  <label>${tr(req, 'cat.field.tkdn')}<input name="tkdn" inputmode="decimal" data-num="percent" value="${idForm(v.tkdn)}">${fieldErr(errors, 'tkdn')}</label>
  <label>${tr(req, 'cat.field.accounts')}<textarea name="accounts" rows="3" required>${v.accounts ?? ''}</textarea>${listErr(errors, 'accounts')}</label>
  <label>${tr(req, 'cat.field.justification')}<textarea name="justification" rows="4" required minlength="10" maxlength="4000">${v.justification ?? ''}</textarea>${fieldErr(errors, 'justification')}</label>
  ${fieldErr(errors, 'opd_id')}`;
  };

  const newProposalPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    v: Form,
    errors: Errors,
    status = 200,
    message?: string,
  ) => {
    const base = v.item_id ? await getCurrentPrice(db, req.principal!.pemdaId, Number(v.item_id)) : undefined;
    if (v.item_id && !base) throw notFound();
    const body = html`<form method="post" action="/catalogue/proposals/new" class="form">
  ${csrfField(req)}
  ${message ? html`<p class="error" role="alert">${message}</p>` : ''}
  ${await proposalFields(req, v, errors, { base, isNew: true })}
  <div class="actions"><button type="submit">${tr(req, 'common.save')}</button> <a href="/catalogue/proposals">${tr(req, 'common.cancel')}</a></div>
</form>`;
    return sendPage(req, reply, { title: tr(req, 'cat.proposal.new_title'), body, status });
  };

  app.get(
    '/catalogue/proposals/new',
    {
      config: { auth: { permission: 'cat.propose' } },
      schema: {
        ...page('Page: new proposal form'),
        querystring: z.object({ item: intIn(z.number().int().positive().max(2147483647).optional()) }),
      },
    },
    async (req, reply) => {
      let v: Form = { kind: 'SSH' };
      if (req.query.item) {
        const base = await getCurrentPrice(db, req.principal!.pemdaId, req.query.item);
        if (!base) throw notFound();
        v = {
          item_id: String(base.itemId),
          name: base.name,
          spec: base.spec,
          unit: base.unit,
          price: idStored(base.price),
          tkdn: idStored(base.tkdn),
          accounts: base.accounts.join('\n'),
        };
      }
      return newProposalPage(req, reply, v, {});
    },
  );

  app.post(
    '/catalogue/proposals/new',
    {
      config: { auth: { permission: 'cat.propose', opd: (req) => req.principal!.opdId } },
      schema: { ...page('Form: submit a proposal'), body: formBody },
    },
    async (req, reply) => {
      const b = req.body;
      try {
        const prop = await createProposal(db, req.principal!, {
          item_id: b.item_id ? b.item_id : null,
          year: b.item_id ? undefined : (b.year ?? ''),
          kind: b.item_id ? undefined : ((b.kind ?? '') as CatalogueKind),
          code: b.item_id ? null : (b.code ?? ''),
          ...versionFields(b),
          justification: b.justification ?? '',
        });
        return reply.redirect(`/catalogue/proposals/${prop.id}?done=propose`, 303);
      } catch (err) {
        const pr = formProblem(req, err);
        if (!pr) throw err;
        return newProposalPage(req, reply, b, pr.errors, pr.status, pr.message);
      }
    },
  );

  const proposalPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    prop: Proposal,
    o: { errors?: Errors; form?: Form; status?: number; message?: string; done?: string } = {},
  ) => {
    const p = req.principal!;
    const errors = o.errors ?? {};
    const f = o.form ?? {};
    const opds = await opdNames(p.pemdaId);
    const base = prop.itemId ? await getItemDetail(db, p.pemdaId, prop.itemId) : undefined;
    const baseVersion = base?.versions.find((v) => v.version === prop.baseVersion);
    const actionForm = (action: string, label: string, inner: Html | string, cls = '') =>
      html`<form method="post" action="/catalogue/proposals/${prop.id}/${action}" class="form">${csrfField(req)}<input type="hidden" name="version" value="${prop.version}">${inner}<div class="actions"><button type="submit" class="${cls}">${label}</button></div></form>`;
    const forms: Array<Html> = [];
    if (prop.status === 'submitted' && catCan(p, 'cat.verify')) {
      forms.push(
        actionForm(
          'verify',
          tr(req, 'cat.action.verify'),
          html`${!prop.itemId ? html`<label>${tr(req, 'cat.field.code')}<input name="code" value="${f.code ?? prop.code ?? ''}" placeholder="1.1.12.01.01.0001">${fieldErr(errors, 'code')}</label>` : ''}
<label>${tr(req, 'cat.field.verify_note')}<input name="note" maxlength="1000" value="${f.note ?? ''}">${fieldErr(errors, 'note')}</label>${listErr(errors, 'accounts')}`,
        ),
        actionForm(
          'return',
          tr(req, 'cat.action.return'),
          html`<label>${tr(req, 'cat.field.reason')}<input name="note" required maxlength="1000">${fieldErr(errors, 'return.note')}</label>`,
          'secondary',
        ),
      );
    }
    if (prop.status === 'verified' && catCan(p, 'cat.approve')) {
      forms.push(
        actionForm(
          'approve',
          tr(req, 'cat.action.approve'),
          html`<label>${tr(req, 'cat.field.decision_note')}<input name="note" maxlength="1000">${fieldErr(errors, 'note')}</label>${listErr(errors, 'accounts')}${fieldErr(errors, 'code')}`,
        ),
        actionForm(
          'reject',
          tr(req, 'cat.action.reject'),
          html`<label>${tr(req, 'cat.field.reason')}<input name="reason" required maxlength="1000">${fieldErr(errors, 'reason')}</label>`,
          'secondary',
        ),
      );
    }
    if (prop.status === 'returned' && catCan(p, 'cat.propose') && (!isOpdScoped(p.role) || p.opdId === prop.opdId)) {
      const v: Form = o.form ?? {
        code: prop.code ?? '',
        name: prop.name,
        spec: prop.spec,
        unit: prop.unit,
        price: prop.price,
        tkdn: prop.tkdn ?? '',
        accounts: prop.accounts.join('\n'),
        justification: prop.justification,
      };
      forms.push(
        actionForm(
          'resubmit',
          tr(req, 'cat.action.resubmit'),
          await proposalFields(req, v, errors, { base: base?.current, isNew: false }),
        ),
      );
    }
    const body = html`
<dl class="detail">
  <dt>${tr(req, 'cat.field.status')}</dt><dd>${statusBadge(req, prop.status)}</dd>
  <dt>${tr(req, 'cat.field.opd')}</dt><dd>${opds.get(prop.opdId) ?? prop.opdId}</dd>
  <dt>${tr(req, 'cat.field.year')}</dt><dd>${prop.year}</dd>
  <dt>${tr(req, 'cat.field.kind')}</dt><dd>${kindLabel(req, prop.kind)}</dd>
  <dt>${tr(req, 'cat.field.code')}</dt><dd>${prop.itemId && base ? html`<a href="/catalogue/items/${prop.itemId}">${prop.code}</a>` : (prop.code ?? '—')}</dd>
  <dt>${tr(req, 'cat.field.name')}</dt><dd>${prop.name}</dd>
  <dt>${tr(req, 'cat.field.spec')}</dt><dd>${prop.spec || '—'}</dd>
  <dt>${tr(req, 'cat.field.unit')}</dt><dd>${prop.unit}</dd>
  ${baseVersion ? html`<dt>${tr(req, 'cat.field.base_price')}</dt><dd>${money(req, baseVersion.price)} (${tr(req, 'cat.field.version')} ${baseVersion.version})</dd>` : ''}
  <dt>${tr(req, 'cat.field.proposed_price')}</dt><dd><b>${money(req, prop.price)}</b>${baseVersion ? ` (${diffPercent(baseVersion.price, prop.price)})` : ''}</dd>
  <dt>${tr(req, 'cat.field.tkdn')}</dt><dd>${tkdnText(prop.tkdn)}</dd>
  <dt>${tr(req, 'cat.field.accounts_short')}</dt><dd>${prop.accounts.map((a, i) => html`${i ? ', ' : ''}${a}`)}</dd>
  <dt>${tr(req, 'cat.field.justification_short')}</dt><dd>${prop.justification}</dd>
</dl>
<h2>${tr(req, 'cat.proposal.history')}</h2>
<ul>
  <li>${tr(req, 'cat.proposal.proposed_by', { name: prop.proposedByName })} · ${formatDate(req.lang, prop.proposedAt, true)}</li>
  ${prop.verifiedByName ? html`<li>${tr(req, 'cat.proposal.verified_by', { name: prop.verifiedByName })} · ${formatDate(req.lang, prop.verifiedAt, true)}${prop.verifyNote ? html` — ${prop.verifyNote}` : ''}</li>` : ''}
  ${prop.decidedByName ? html`<li>${tr(req, 'cat.proposal.decided_by', { name: prop.decidedByName })} · ${formatDate(req.lang, prop.decidedAt, true)}${prop.decisionNote ? html` — ${prop.decisionNote}` : ''}</li>` : ''}
  ${prop.resultItemId ? html`<li><a href="/catalogue/items/${prop.resultItemId}">${tr(req, 'cat.proposal.result', { code: prop.code ?? '', version: prop.resultVersion ?? '' })}</a></li>` : ''}
</ul>
${o.message ? html`<p class="error" role="alert">${o.message}</p>` : ''}
${forms}
<p><a href="/catalogue/proposals">${tr(req, 'common.back')}</a></p>`;
    return sendPage(req, reply, {
      title: tr(req, 'cat.proposal.title', { id: prop.id }),
      notice: o.done ? tr(req, 'common.saved') : undefined,
      body,
      status: o.status,
    });
  };

  app.get(
    '/catalogue/proposals/:id',
    {
      config: { auth: { permission: 'cat.read' } },
      schema: {
        ...page('Page: a proposal with its workflow actions'),
        params: idParams,
        querystring: z.object({ done: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const prop = await getProposal(db, req.principal!, req.params.id);
      if (!prop) throw notFound();
      return proposalPage(req, reply, prop, { done: req.query.done });
    },
  );

  const actions: Array<{
    action: string;
    permission: string;
    opd?: boolean;
    run: (id: number, req: FastifyRequest, b: Form) => Promise<Proposal>;
  }> = [
    {
      action: 'verify',
      permission: 'cat.verify',
      run: (id, req, b) =>
        verifyProposal(db, req.principal!, id, {
          version: b.version ?? '',
          note: b.note || undefined,
          code: b.code ?? null,
        }),
    },
    {
      action: 'return',
      permission: 'cat.verify',
      run: (id, req, b) => returnProposal(db, req.principal!, id, { version: b.version ?? '', note: b.note ?? '' }),
    },
    {
      action: 'approve',
      permission: 'cat.approve',
      run: (id, req, b) =>
        approveProposal(db, req.principal!, id, { version: b.version ?? '', note: b.note || undefined }),
    },
    {
      action: 'reject',
      permission: 'cat.approve',
      run: (id, req, b) => rejectProposal(db, req.principal!, id, { version: b.version ?? '', reason: b.reason ?? '' }),
    },
    {
      action: 'resubmit',
      permission: 'cat.propose',
      opd: true,
      run: (id, req, b) =>
        resubmitProposal(db, req.principal!, id, {
          version: b.version ?? '',
          code: b.code ?? undefined,
          name: b.name,
          spec: b.spec,
          unit: b.unit,
          price: b.price,
          tkdn: b.tkdn ?? undefined,
          accounts: b.accounts,
          justification: b.justification,
        }),
    },
  ];
  for (const a of actions) {
    app.post(
      `/catalogue/proposals/:id/${a.action}`,
      {
        config: { auth: { permission: a.permission, ...(a.opd ? { opd: proposalOpd(db) } : {}) } },
        schema: { ...page(`Form: ${a.action} a proposal`), params: idParams, body: formBody },
      },
      async (req, reply) => {
        try {
          await a.run(req.params.id, req, req.body);
          return reply.redirect(`/catalogue/proposals/${req.params.id}?done=${a.action}`, 303);
        } catch (err) {
          const pr = formProblem(req, err);
          if (!pr) throw err;
          const prop = await getProposal(db, req.principal!, req.params.id);
          if (!prop) throw notFound();
          // the return form's note is its own field
          const errors =
            a.action === 'return' && pr.errors.note ? { ...pr.errors, 'return.note': pr.errors.note } : pr.errors;
          return proposalPage(req, reply, prop, {
            errors,
            form: a.action === 'resubmit' ? req.body : { code: req.body.code ?? '', note: req.body.note ?? '' },
            status: pr.status,
            message: pr.message,
          });
        }
      },
    );
  }

  // ---- import --------------------------------------------------------------------------------
  const importPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    o: { year?: number; notice?: string; message?: string; errors?: ImportError[]; status?: number } = {},
  ) => {
    const p = req.principal!;
    const year = o.year ?? (await defaultYear(db, p.pemdaId));
    const body = html`
<p class="muted">${tr(req, 'cat.import.hint', { columns: IMPORT_COLUMNS.map((c) => c.header + (c.required ? '*' : '')).join(', ') })}</p>
<p><a href="/catalogue/import/template.csv">${tr(req, 'cat.action.download_template')}</a></p>
${o.message ? html`<p class="error" role="alert">${o.message}</p>` : ''}
${
  o.errors?.length
    ? html`<table class="data"><thead><tr><th class="num">${tr(req, 'cat.import.row')}</th><th>${tr(req, 'cat.import.column')}</th><th>${tr(req, 'cat.import.reason')}</th></tr></thead>
<tbody>${o.errors.map((e) => html`<tr><td class="num">${e.row}</td><td>${e.column}</td><td>${e.reason}</td></tr>`)}</tbody></table>`
    : ''
}
<form method="post" action="/catalogue/import" enctype="multipart/form-data" class="form">
  ${csrfField(req)}
  <label>${tr(req, 'cat.field.year')}<select name="year">${await yearOptions(p.pemdaId, year)}</select></label>
  <label>${tr(req, 'cat.field.file')}<input name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required></label>
  <div class="actions"><button type="submit">${tr(req, 'common.import')}</button> <a href="/catalogue">${tr(req, 'common.cancel')}</a></div>
</form>`;
    return sendPage(req, reply, { title: tr(req, 'cat.import.title'), body, notice: o.notice, status: o.status });
  };

  app.get(
    '/catalogue/import',
    {
      config: { auth: { permission: 'cat.manage' } },
      schema: { ...page('Page: import form'), querystring: z.object({ done: z.string().optional() }) },
    },
    async (req, reply) =>
      importPage(req, reply, { notice: req.query.done ? decodeNotice(req.query.done, req) : undefined }),
  );

  app.get(
    '/catalogue/import/template.csv',
    { config: { auth: { permission: 'cat.manage' } }, schema: page('The import CSV template') },
    async (_req, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="standar-harga-template.csv"')
        .send(templateCsv()),
  );

  app.post(
    '/catalogue/import',
    {
      config: { auth: { permission: 'cat.manage' } },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: page('Form: upload an import file'),
    },
    async (req, reply) => {
      const yearField = (req.body as { year?: unknown } | undefined)?.year;
      const year = typeof yearField === 'string' && /^\d{4}$/.test(yearField) ? Number(yearField) : undefined;
      let file: Buffer;
      try {
        file = uploadedFile(req.body);
      } catch {
        return importPage(req, reply, { year, message: tr(req, 'cat.import.no_file'), status: 400 });
      }
      if (!year) return importPage(req, reply, { message: tr(req, 'cat.error.year'), status: 400 });
      const res = await importCatalogue(db, req.principal!, file, { year, lang: req.lang });
      if (!res.ok)
        return importPage(req, reply, {
          year,
          message: tr(req, 'cat.import.failed', { count: res.errors.length }),
          errors: res.errors,
          status: 400,
        });
      return reply.redirect(`/catalogue/import?done=${res.created}.${res.updated}.${res.unchanged}`, 303);
    },
  );
}

function decodeNotice(done: string, req: FastifyRequest): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(done);
  return m ? tr(req, 'cat.import.done', { created: m[1]!, updated: m[2]!, unchanged: m[3]! }) : undefined;
}
