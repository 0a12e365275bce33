// Server-rendered pages of the master data, generic over the resource definitions: an index, and
// per resource a searchable list (htmx live search, plain GET without JavaScript), a detail page,
// new/edit forms (POST → 303, or the form again with per-field messages), (de)activation and the
// CSV/XLSX import with its error report.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import type { ModuleContext } from '../../core/module.ts';
import { AppError } from '../../core/errors.ts';
import { can as allowed } from '../../core/auth/policy.ts';
import { html, type Html, type HtmlValue } from '../../core/http/html.ts';
import { csrfField, sendFragment, sendPage, tr, issueMessage } from '../../core/http/layout.ts';
import { formatDate, formatNumber } from '../../core/i18n/i18n.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { bidangNames, childRows, distinctYears, getRow, parentRow } from './master-data.repository.ts';
import {
  createRecord,
  currentYear,
  getRecord,
  listRecords,
  readStrings,
  setActive,
  updateRecord,
} from './master-data.service.ts';
import { importColumns, importFile, templateCsv, type ImportError } from './import.ts';
import { listQuerySchema, organisationOpd, toListQuery } from './master-data.routes.ts';
import { IMPORT_BODY_LIMIT, uploadedFile } from '../../core/http/upload.ts';
import { JOB_PAGE_FROM_BYTES } from '../../core/jobs/jobs.ts';
import { startImportJob } from './import-jobs.ts';
import { importDoneNotice, importErrorHeadings, importJobPage } from './import-jobs.pages.ts';
import { importErrorTable } from '../../core/jobs/job-page.ts';
import { RESOURCES, type ColumnDef, type InputDef, type ResourceDef, type Row } from './resources.ts';

const PAGE_SIZE = 50;
const hide = { hide: true, tags: ['master-data'] };
type Errors = Record<string, string>;

const can = (req: FastifyRequest, permission: string) => allowed(req.principal, permission);

/** May the user edit this row? OPD-scoped roles only rows of their own OPD. */
function canEdit(req: FastifyRequest, def: ResourceDef, row: Row): boolean {
  if (!can(req, def.writePermission)) return false;
  if (!def.opdScoped || !isOpdScoped(req.principal!.role)) return true;
  return (row.parent_id ?? row.id) === req.principal!.opdId;
}
/** (De)activation: OPD-scoped roles only for the units of their own OPD. */
function canToggle(req: FastifyRequest, def: ResourceDef, row: Row): boolean {
  return canEdit(req, def, row) && (!def.opdScoped || !isOpdScoped(req.principal!.role) || row.kind === 'unit');
}

function errorsOf(req: FastifyRequest, err: unknown): { errors: Errors; message: string; status: number } | null {
  // 403 here is the service's own rule (e.g. an OPD operator renaming its OPD): explain it on the form
  if (err instanceof AppError && (err.status === 400 || err.status === 403 || err.status === 409)) {
    const errors: Errors = Object.fromEntries(
      err.fields.map((f) => [f.field, /\s/.test(f.message) ? f.message : tr(req, f.message, f.params)]),
    );
    return { errors, message: tr(req, err.messageKey, err.params), status: err.status };
  }
  if (err instanceof z.ZodError) {
    return {
      errors: Object.fromEntries(err.issues.map((i) => [String(i.path[0] ?? ''), issueMessage(req, i)])),
      message: tr(req, 'error.validation'),
      status: 400,
    };
  }
  return null;
}

const crumbs = (req: FastifyRequest, def?: ResourceDef) =>
  html`<p class="muted"><a href="/master-data">${tr(req, 'md.title')}</a>${def ? html` › <a href="/master-data/${def.key}">${tr(req, def.title)}</a>` : ''}</p>`;

const badge = (req: FastifyRequest, active: boolean) =>
  active
    ? html`<span class="badge ok">${tr(req, 'common.active')}</span>`
    : html`<span class="badge">${tr(req, 'common.inactive')}</span>`;

function cell(
  req: FastifyRequest,
  def: ResourceDef,
  col: ColumnDef,
  row: Row,
  refs: Map<string, Row>,
  linkCode = true,
): HtmlValue {
  const v = row[col.name];
  if (col.render) return col.render(row);
  if (col.name === 'active') return badge(req, Boolean(v));
  if (col.name === 'code' && linkCode) return html`<a href="/master-data/${def.key}/${row.id}">${v}</a>`;
  if (col.ref) {
    const target = v ? refs.get(`${col.ref}:${v}`) : undefined;
    return target ? html`<a href="/master-data/${col.ref}/${target.id}">${target.code} ${target.name}</a>` : '';
  }
  if (col.enumLabel && v) return tr(req, `${col.enumLabel}.${v}`);
  if (typeof v === 'number' && col.name !== 'year') return formatNumber(req.lang, v);
  return v === null || v === undefined ? '' : String(v);
}

async function loadRefs(db: Db, def: ResourceDef, pemdaId: number, rows: Row[]): Promise<Map<string, Row>> {
  const refs = new Map<string, Row>();
  for (const col of def.columns.filter((c) => c.ref)) {
    const target = RESOURCES.find((r) => r.key === col.ref)!;
    for (const id of new Set(rows.map((r) => r[col.name]).filter(Boolean))) {
      const hit = await getRow(db, target, pemdaId, id as number);
      if (hit) refs.set(`${col.ref}:${id}`, hit);
    }
  }
  return refs;
}

function rowsHtml(req: FastifyRequest, def: ResourceDef, items: Row[], refs: Map<string, Row>, pager: Html): Html {
  const cols = def.columns.filter((c) => c.list);
  return html`${items.length ? items.map((r) => html`<tr>${cols.map((c) => html`<td>${cell(req, def, c, r, refs)}</td>`)}</tr>`) : html`<tr><td colspan="${cols.length}" class="muted">${tr(req, 'common.empty')}</td></tr>`}
<tr class="pager-row"><td colspan="${cols.length}">${pager}</td></tr>`;
}

function pagerHtml(
  req: FastifyRequest,
  def: ResourceDef,
  query: Record<string, unknown>,
  page: number,
  total: number,
): Html {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const link = (p: number) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '' && k !== 'page' && k !== 'page_size') qs.set(k, String(v));
    qs.set('page', String(p));
    return `/master-data/${def.key}?${qs.toString()}`;
  };
  return html`<nav class="pager" aria-label="${tr(req, 'md.pages')}"><span>${tr(req, 'common.total_rows', { count: formatNumber(req.lang, total) })} · ${tr(req, 'common.page_of', { page, pages })}</span>${
    page > 1 ? html`<a href="${link(page - 1)}" rel="prev">${tr(req, 'common.prev')}</a>` : ''
  }${page < pages ? html`<a href="${link(page + 1)}" rel="next">${tr(req, 'common.next')}</a>` : ''}</nav>`;
}

async function options(req: FastifyRequest, db: Db, input: InputDef): Promise<Array<{ value: string; label: string }>> {
  if (input.values) return input.values.map((v) => ({ value: v, label: tr(req, `${input.enumLabel}.${v}`) }));
  if (input.options) return input.options({ db, pemdaId: req.principal!.pemdaId, t: (k) => tr(req, k) });
  return [];
}

async function formHtml(
  req: FastifyRequest,
  db: Db,
  def: ResourceDef,
  opts: { row: Row | null; values: Row; errors: Errors; message?: string; action: string },
): Promise<Html> {
  const { row, values, errors } = opts;
  const fieldNames = new Set<string>();
  const fields: Html[] = [];
  for (const input of def.inputs) {
    const onForm = row ? input.update !== false : input.create !== false;
    const readOnly = row && input.update === false && input.name in row;
    if ((!onForm && !readOnly) || (input.show && !input.show(row))) continue;
    fieldNames.add(input.name);
    const id = `f-${input.name}`;
    const err = errors[input.name];
    const described = [input.hint ? `${id}-hint` : '', err ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
    const label = html`<span>${tr(req, input.label)}${input.required && !readOnly ? html` <abbr title="${tr(req, 'md.required')}">*</abbr>` : ''}</span>`;
    const hint = input.hint ? html`<span class="hint muted" id="${id}-hint">${tr(req, input.hint)}</span>` : '';
    const errHtml = err ? html`<span class="field-error" id="${id}-error">${err}</span>` : '';
    const aria = html`${err ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}`;
    if (readOnly) {
      const v = row![input.name];
      fields.push(
        html`<label>${label}<input id="${id}" value="${input.enumLabel && v ? tr(req, `${input.enumLabel}.${v}`) : (v ?? '')}" readonly disabled></label>`,
      );
      continue;
    }
    const v = values[input.name];
    let control: Html;
    switch (input.control) {
      case 'textarea':
        control = html`<textarea id="${id}" name="${input.name}" rows="3"${input.maxlength ? html` maxlength="${input.maxlength}"` : ''}${aria}>${v ?? ''}</textarea>`;
        break;
      case 'select': {
        const opts = await options(req, db, input);
        control = html`<select id="${id}" name="${input.name}"${aria}><option value="">—</option>${opts.map(
          (o) =>
            html`<option value="${o.value}"${String(v ?? '') === o.value ? html` selected` : ''}>${o.label}</option>`,
        )}</select>`;
        break;
      }
      case 'multiselect': {
        const opts = await options(req, db, input);
        const chosen = new Set((Array.isArray(v) ? v : v ? [v] : []).map(String));
        control = html`<input type="hidden" name="${input.name}" value=""><select id="${id}" name="${input.name}" multiple size="8"${aria}>${opts.map(
          (o) => html`<option value="${o.value}"${chosen.has(o.value) ? html` selected` : ''}>${o.label}</option>`,
        )}</select>`;
        break;
      }
      default:
        control = html`<input id="${id}" name="${input.name}" type="${input.control === 'number' ? 'number' : 'text'}" value="${v ?? ''}"${input.required ? html` required` : ''}${
          input.maxlength ? html` maxlength="${input.maxlength}"` : ''
        }${input.inputmode ? html` inputmode="${input.inputmode}"` : ''}${aria}>`;
    }
    fields.push(html`<label for="${id}">${label}${control}${hint}${errHtml}</label>`);
  }
  const other = Object.entries(errors).filter(([f]) => !fieldNames.has(f));
  return html`<form method="post" action="${opts.action}" class="form" novalidate>
  ${csrfField(req)}
  ${row ? html`<input type="hidden" name="version" value="${values.version ?? row.version}">` : ''}
  ${opts.message ? html`<p class="error" role="alert">${opts.message}</p>` : ''}
  ${other.length ? html`<ul class="errors">${other.map(([f, m]) => html`<li>${f ? html`<b>${f}</b>: ` : ''}${m}</li>`)}</ul>` : ''}
  ${fields}
  <div class="actions"><button type="submit">${tr(req, 'common.save')}</button><a href="${row ? `/master-data/${def.key}/${row.id}` : `/master-data/${def.key}`}">${tr(req, 'common.cancel')}</a></div>
</form>`;
}

/** The form's fields as typed inputs (strings → numbers, lists, nulls), without the CSRF token. */
function formInput(def: ResourceDef, body: unknown): Row {
  const { _csrf: _c, ...raw } = (body ?? {}) as Record<string, unknown>;
  return readStrings(def, raw, 'form', ['version']);
}

/** Form values for re-display: the row's inputs (edit) or the defaults (new). */
function formValues(def: ResourceDef, row: Row | null, req: FastifyRequest): Row {
  if (row) return { ...row };
  return def.yearly ? { year: Number((req.query as { year?: string }).year) || currentYear() } : {};
}

export async function masterDataPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const idParams = z.object({ id: intIn(z.number().int().positive().max(2147483647)) });
  const anyQuery = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
  const flash = (req: FastifyRequest) => {
    const n = (req.query as { notice?: string } | undefined)?.notice;
    return n && /^[a-z_]+$/.test(n) ? tr(req, `md.notice.${n}`) : undefined;
  };

  app.get(
    '/master-data',
    { config: { auth: { permission: 'md.read' } }, schema: { ...hide, summary: 'Master data index' } },
    async (req, reply) => {
      const body = html`<p>${tr(req, 'md.intro')}</p>
<div class="cards">${RESOURCES.map(
        (
          def,
        ) => html`<section class="card"><h2><a href="/master-data/${def.key}">${tr(req, def.title)}</a></h2><p class="muted">${tr(req, def.about)}</p>
<p class="actions"><a href="/master-data/${def.key}">${tr(req, 'md.open_list')}</a>${can(req, def.writePermission) ? html`<a href="/master-data/${def.key}/new">${tr(req, 'common.new')}</a>` : ''}${
          can(req, def.importPermission)
            ? html`<a href="/master-data/${def.key}/import">${tr(req, 'common.import')}</a>`
            : ''
        }</p></section>`,
      )}</div>`;
      return sendPage(req, reply, { title: tr(req, 'md.title'), body });
    },
  );

  for (const def of RESOURCES) {
    const base = `/master-data/${def.key}`;
    const write = { permission: def.writePermission, ...(def.opdScoped ? { opd: organisationOpd(db) } : {}) };
    const listCols = def.columns.filter((c) => c.list);

    // ---- list ----------------------------------------------------------------------------------
    app.get(
      base,
      {
        config: { auth: { permission: 'md.read' } },
        schema: { ...hide, summary: `${def.key}: list page`, querystring: anyQuery },
      },
      async (req, reply) => {
        const pemdaId = req.principal!.pemdaId;
        const raw = Object.fromEntries(
          Object.entries(req.query)
            .map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v])
            .filter(([, v]) => v !== ''),
        );
        const parsed = listQuerySchema(def).safeParse({ ...raw, page_size: PAGE_SIZE });
        if (!parsed.success) throw parsed.error;
        const q = await toListQuery(db, def, pemdaId, parsed.data);
        const { items, total } = await listRecords(db, def, pemdaId, q);
        const refs = await loadRefs(db, def, pemdaId, items);
        const shown = { ...raw, ...(def.yearly ? { year: q.year } : {}) };
        const rows = rowsHtml(req, def, items, refs, pagerHtml(req, def, shown, q.page, total));
        if (req.headers['hx-request'] === 'true') return sendFragment(reply, rows);

        const years = def.yearly
          ? [...new Set([...(await distinctYears(db, def, pemdaId)), currentYear(), q.year!])].sort()
          : [];
        const sel = (name: string, value: unknown) =>
          String(raw[name] ?? '') === String(value) ? html` selected` : '';
        const body = html`${crumbs(req)}
<p class="muted">${tr(req, def.about)}</p>
<div class="actions">${can(req, def.writePermission) ? html`<a class="button" href="${base}/new${def.yearly ? `?year=${q.year}` : ''}">${tr(req, 'common.new')}</a>` : ''}${
          can(req, def.importPermission)
            ? html`<a class="button secondary" href="${base}/import">${tr(req, 'common.import')}</a>`
            : ''
        }</div>
<form method="get" action="${base}" class="filters" role="search">
  <label>${tr(req, 'common.search')}<input type="search" name="q" value="${raw.q ?? ''}" placeholder="${tr(req, 'md.search_placeholder')}" autocomplete="off"
    hx-get="${base}" hx-trigger="keyup changed delay:300ms, search" hx-target="#md-rows" hx-include="closest form"></label>
  ${def.yearly ? html`<label>${tr(req, 'md.field.year')}<select name="year">${years.map((y) => html`<option value="${y}"${y === q.year ? html` selected` : ''}>${y}</option>`)}</select></label>` : ''}
  ${def.filters
    .filter((f) => f.values && !f.hidden)
    .map(
      (f) =>
        html`<label>${tr(req, f.label)}<select name="${f.name}"><option value="">${tr(req, 'md.all')}</option>${f.values!.map(
          (v) => html`<option value="${v}"${sel(f.name, v)}>${tr(req, `${f.enumLabel}.${v}`)}</option>`,
        )}</select></label>`,
    )}
  <label>${tr(req, 'common.status')}<select name="active"><option value="">${tr(req, 'md.all')}</option><option value="true"${sel('active', 'true')}>${tr(req, 'common.active')}</option><option value="false"${sel('active', 'false')}>${tr(req, 'common.inactive')}</option></select></label>
  ${def.filters.filter((f) => f.hidden && raw[f.name]).map((f) => html`<input type="hidden" name="${f.name}" value="${raw[f.name]}">`)}
  <button type="submit">${tr(req, 'common.search')}</button>
</form>
<div class="table-wrap"><table class="data">
<thead><tr>${listCols.map((c) => html`<th scope="col">${tr(req, c.label)}</th>`)}</tr></thead>
<tbody id="md-rows">${rows}</tbody>
</table></div>`;
        return sendPage(req, reply, { title: tr(req, def.title), body, notice: flash(req) });
      },
    );

    // ---- new / create ----------------------------------------------------------------------------
    const newPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      values: Row,
      errors: Errors = {},
      message?: string,
      status = 200,
    ) =>
      sendPage(req, reply, {
        title: tr(req, 'md.new', { what: tr(req, def.one) }),
        body: html`${crumbs(req, def)}${await formHtml(req, db, def, { row: null, values, errors, message, action: base })}`,
        status,
      });

    app.get(
      `${base}/new`,
      {
        config: { auth: { permission: def.writePermission } },
        schema: { ...hide, summary: `${def.key}: new form`, querystring: anyQuery },
      },
      async (req, reply) => newPage(req, reply, formValues(def, null, req)),
    );

    app.post(
      base,
      { config: { auth: write }, schema: { ...hide, summary: `${def.key}: create (form)` } },
      async (req, reply) => {
        const input = formInput(def, req.body);
        try {
          const row = await createRecord(db, req.principal!, def, input);
          return reply.redirect(`${base}/${row.id}?notice=created`, 303);
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          return newPage(req, reply, input, e.errors, e.message, e.status);
        }
      },
    );

    // ---- import ------------------------------------------------------------------------------------
    const importPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      o: { errors?: ImportError[]; notice?: string; message?: string; year?: number; status?: number } = {},
    ) => {
      const cols = importColumns(def);
      const body = html`${crumbs(req, def)}
<p>${tr(req, 'md.import.intro')}</p>
${(def.importNotes ?? []).map((n) => html`<p class="muted">${tr(req, n)}</p>`)}
<h2>${tr(req, 'md.import.columns')}</h2>
<table class="data"><thead><tr><th scope="col">${tr(req, 'md.import.column')}</th><th scope="col">${tr(req, 'md.import.required')}</th><th scope="col">${tr(req, 'md.import.description')}</th></tr></thead>
<tbody>${cols.map(
        (c) =>
          html`<tr><td><code>${c.import.header}</code>${c.import.aliases?.length ? html` <span class="muted">(${c.import.aliases.join(', ')})</span>` : ''}</td><td>${tr(req, c.import.required ? 'common.yes' : 'common.no')}</td><td>${tr(req, c.label)}${c.hint ? html` — ${tr(req, c.hint)}` : ''}${c.values ? html` (${c.values.join(', ')})` : ''}</td></tr>`,
      )}</tbody></table>
<p><a href="${base}/template.csv" download>${tr(req, 'md.import.template')}</a></p>
${o.message ? html`<p class="error" role="alert">${o.message}</p>` : ''}
${
  o.errors
    ? html`<h2>${tr(req, 'md.import.report')}</h2><p class="error" role="alert">${tr(req, 'md.import.failed', { count: o.errors.length })}</p>
${importErrorTable(o.errors, importErrorHeadings(req))}`
    : ''
}
<form method="post" action="${base}/import" enctype="multipart/form-data" class="form">
  ${csrfField(req)}
  ${def.yearly ? html`<label for="f-year">${tr(req, 'md.field.year')}<input id="f-year" name="year" type="number" min="2000" max="2100" value="${o.year ?? currentYear()}" required></label>` : ''}
  <label for="f-file">${tr(req, 'md.import.file')}<input id="f-file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required></label>
  <div class="actions"><button type="submit">${tr(req, 'common.import')}</button><a href="${base}">${tr(req, 'common.cancel')}</a></div>
</form>`;
      return sendPage(req, reply, {
        title: tr(req, 'md.import.title', { what: tr(req, def.title) }),
        body,
        notice: o.notice,
        status: o.status,
      });
    };

    app.get(
      `${base}/import`,
      {
        config: { auth: { permission: def.importPermission } },
        schema: { ...hide, summary: `${def.key}: import form`, querystring: z.object({ done: z.string().optional() }) },
      },
      async (req, reply) => importPage(req, reply, { notice: importDoneNotice(req, req.query.done) }),
    );
    importJobPage(app, db, def, base);

    app.post(
      `${base}/import`,
      {
        config: { auth: { permission: def.importPermission } },
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: { ...hide, summary: `${def.key}: import (form)` },
      },
      async (req, reply) => {
        const yearField = (req.body as { year?: unknown } | undefined)?.year;
        const year = typeof yearField === 'string' && /^\d{4}$/.test(yearField) ? Number(yearField) : undefined;
        let file: Buffer;
        try {
          file = uploadedFile(req.body);
        } catch {
          return importPage(req, reply, { message: tr(req, 'md.import.no_file'), year, status: 400 });
        }
        // a large file continues as a job whose progress page refreshes itself; a small one answers here
        if (file.length >= JOB_PAGE_FROM_BYTES) {
          const job = await startImportJob(db, req.principal!, def, file, { year, lang: req.lang });
          return reply.redirect(`${base}/import/jobs/${job.id}`, 303);
        }
        try {
          const res = await importFile(db, req.principal!, def.key, file, { year, lang: req.lang });
          if (!res.ok) return importPage(req, reply, { errors: res.errors, year, status: 400 });
          return importPage(req, reply, {
            notice: tr(req, 'md.import.ok', {
              count: res.count,
              inserted: res.inserted,
              updated: res.updated,
              unchanged: res.unchanged,
            }),
            year,
          });
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          return importPage(req, reply, {
            message: [e.message, ...Object.values(e.errors)].join(' '),
            year,
            status: e.status,
          });
        }
      },
    );

    app.get(
      `${base}/template.csv`,
      {
        config: { auth: { permission: 'md.read' } },
        schema: { ...hide, summary: `${def.key}: import template (CSV)` },
      },
      async (_req, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${def.key}-template.csv"`)
          .send(templateCsv(def)),
    );

    // ---- detail ------------------------------------------------------------------------------------
    app.get(
      `${base}/:id`,
      {
        config: { auth: { permission: 'md.read' } },
        schema: { ...hide, summary: `${def.key}: detail page`, params: idParams, querystring: anyQuery },
      },
      async (req, reply) => {
        const pemdaId = req.principal!.pemdaId;
        const row = await getRecord(db, def, pemdaId, req.params.id);
        const [parent, children, refs] = await Promise.all([
          parentRow(db, def, pemdaId, row),
          childRows(db, def, pemdaId, row, 100),
          loadRefs(db, def, pemdaId, [row]),
        ]);
        const bidang = Array.isArray(row.bidang) ? (row.bidang as string[]) : null;
        const names = bidang ? await bidangNames(db, pemdaId, bidang) : new Map<string, string>();
        const childHref = `${base}?${def.parent === 'id' ? `parent_id=${row.id}` : `parent_code=${encodeURIComponent(row.code)}&year=${row.year}`}`;
        const body = html`${crumbs(req, def)}
<dl class="detail">
${def.columns.map((c) => html`<dt>${tr(req, c.label)}</dt><dd>${cell(req, def, c, row, refs, false)}</dd>`)}
${def.parent ? html`<dt>${tr(req, 'md.field.parent')}</dt><dd>${parent ? html`<a href="${base}/${parent.id}">${parent.code} ${parent.name}</a>` : '—'}</dd>` : ''}
${bidang ? html`<dt>${tr(req, 'md.field.bidang')}</dt><dd>${bidang.length ? html`<ul>${bidang.map((b) => html`<li>${b} ${names.get(b) ?? ''}</li>`)}</ul>` : '—'}</dd>` : ''}
<dt>${tr(req, 'md.field.version')}</dt><dd>${row.version}</dd>
<dt>${tr(req, 'md.field.updated_at')}</dt><dd>${formatDate(req.lang, row.updated_at, true)}</dd>
</dl>
<div class="actions">
  ${canEdit(req, def, row) ? html`<a class="button" href="${base}/${row.id}/edit">${tr(req, 'common.edit')}</a>` : ''}
  ${
    canToggle(req, def, row)
      ? html`<form method="post" action="${base}/${row.id}/${row.active ? 'deactivate' : 'activate'}" class="inline">${csrfField(req)}<input type="hidden" name="version" value="${row.version}"><button type="submit" class="secondary">${tr(req, row.active ? 'common.deactivate' : 'common.activate')}</button></form>`
      : ''
  }
  <a href="${base}">${tr(req, 'common.back')}</a>
</div>
${
  def.parent && children.length
    ? html`<h2>${tr(req, 'md.children')}</h2>
<table class="data"><thead><tr>${listCols.map((c) => html`<th scope="col">${tr(req, c.label)}</th>`)}</tr></thead>
<tbody>${children.map((r) => html`<tr>${listCols.map((c) => html`<td>${cell(req, def, c, r, refs)}</td>`)}</tr>`)}</tbody></table>
<p><a href="${childHref}">${tr(req, 'md.children_all')}</a></p>`
    : ''
}`;
        return sendPage(req, reply, { title: `${row.code} ${row.name}`, body, notice: flash(req) });
      },
    );

    // ---- edit / update ------------------------------------------------------------------------------
    const editPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      row: Row,
      values: Row,
      errors: Errors = {},
      message?: string,
      status = 200,
    ) =>
      sendPage(req, reply, {
        title: tr(req, 'md.edit', { what: tr(req, def.one) }),
        body: html`${crumbs(req, def)}<p><b>${row.code}</b> ${row.name}</p>${await formHtml(req, db, def, { row, values, errors, message, action: `${base}/${row.id}` })}`,
        status,
      });

    app.get(
      `${base}/:id/edit`,
      { config: { auth: write }, schema: { ...hide, summary: `${def.key}: edit form`, params: idParams } },
      async (req, reply) => {
        const row = await getRecord(db, def, req.principal!.pemdaId, req.params.id);
        return editPage(req, reply, row, formValues(def, row, req));
      },
    );

    app.post(
      `${base}/:id`,
      { config: { auth: write }, schema: { ...hide, summary: `${def.key}: update (form)`, params: idParams } },
      async (req, reply) => {
        const input = formInput(def, req.body);
        try {
          await updateRecord(db, req.principal!, def, req.params.id, input);
          return reply.redirect(`${base}/${req.params.id}?notice=saved`, 303);
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          const row = await getRecord(db, def, req.principal!.pemdaId, req.params.id);
          // on a stale version show the current values, so that saving again is a deliberate choice
          const values = e.status === 409 ? { ...row } : { ...input, version: input.version };
          const message = e.status === 409 ? `${e.message} ${tr(req, 'md.stale_hint')}` : e.message;
          return editPage(req, reply, row, values, e.errors, message, e.status);
        }
      },
    );

    for (const action of ['deactivate', 'activate'] as const) {
      app.post(
        `${base}/:id/${action}`,
        { config: { auth: write }, schema: { ...hide, summary: `${def.key}: ${action} (form)`, params: idParams } },
        async (req, reply) => {
          const v = Number((req.body as { version?: unknown } | undefined)?.version);
          await setActive(
            db,
            req.principal!,
            def,
            req.params.id,
            action === 'activate',
            Number.isInteger(v) && v > 0 ? v : undefined,
          );
          return reply.redirect(`${base}/${req.params.id}?notice=${action}d`, 303);
        },
      );
    }
  }
}
