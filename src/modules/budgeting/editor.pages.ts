// The line editor and the travel calculator. Plain forms (POST → 303, or the form again with its
// errors); with JavaScript, htmx posts the form to a preview endpoint as you type and swaps in the
// computed total and the remaining ceiling, and the catalogue picker (/catalogue/picker) searches
// as you type; /budget/editor.js (a few lines, same origin for the CSP) puts a picked item in the form.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { confirmed, csrfField, issueMessage, sendConfirm, sendFragment, sendPage, tr } from '../../core/http/layout.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { formatIdNumber, readFormNumbers, type NumberFields, intIn } from '../../core/number.ts';
import { badRequest, type FieldError } from '../../core/errors.ts';
import { getOrganisation, listAccounts, listFundingSources } from '../master-data/index.ts';
import { getCurrentPrice, listGrades, listProvinces, searchCatalogue, type PricedItem } from '../catalogue/index.ts';
import { requireStage } from './stages.service.ts';
import {
  createLine,
  createOpdLine,
  deleteLine,
  getLine,
  getSettings,
  getSub,
  lineOut,
  previewLine,
  updateLine,
  type LineInput,
  type SubKegiatan,
} from './rka.service.ts';
import {
  createTravel,
  deleteTravel,
  getTravel,
  previewTravel,
  updateTravel,
  type TravelInput,
} from './travel.service.ts';
import { formBody, money, str, type FormBody } from './pages.common.ts';

type Errors = Record<string, string>;
const hide = { hide: true } as const;

const EDITOR_JS = `// Padu line editor: a picked catalogue item goes into the form; htmx then recomputes the preview.
document.addEventListener('click', function (e) {
  var b = e.target.closest && e.target.closest('button.pick');
  var form = document.getElementById('line-form');
  if (!b || !form) return;
  e.preventDefault();
  form.elements.item_id.value = b.dataset.id;
  var chosen = document.getElementById('chosen-item');
  var price = String(b.dataset.price).replace(/\\B(?=(\\d{3})+(?!\\d))/g, '.');
  if (chosen) chosen.textContent = b.dataset.code + ' ' + b.dataset.name + ' · ' + b.dataset.unit + ' · Rp ' + price;
  if (form.elements.unit_price) form.elements.unit_price.placeholder = price;
  if (form.elements.u1 && !form.elements.u1.value) form.elements.u1.value = b.dataset.unit;
  var results = document.getElementById('picker-results');
  if (results) results.innerHTML = '';
  form.dispatchEvent(new Event('change', { bubbles: true }));
});
`;

const BUDGET_CSS = `/* e-Budgeting: the line editor and the picker (on top of padu.css). */
form.form.wide { max-width: 64rem; }
form.form fieldset { min-width: 0; border: 1px solid var(--line); }
form.form select { max-width: 100%; }
ul.picker { list-style: none; padding: 0; margin: .3rem 0; max-height: 22rem; overflow-y: auto; border: 1px solid var(--line); }
ul.picker li { border-bottom: 1px solid var(--line); }
ul.picker button.pick, ul.picker label { display: block; width: 100%; text-align: left; background: #fff; color: var(--fg); border: 0; border-radius: 0; padding: .3rem .5rem; font-weight: 400; }
ul.picker button.pick:hover, ul.picker button.pick:focus { background: #e8f1f8; }
dl.detail.preview dd { font-variant-numeric: tabular-nums; }
button.default-submit { position: absolute; left: -9999px; width: 1px; height: 1px; overflow: hidden; }
dd.error, td.error, b.error { background: none; border: 0; color: var(--err); padding: 0; font-weight: 700; }
`;

function errorsOf(req: FastifyRequest, err: unknown): Errors | null {
  if (
    err instanceof AppError &&
    (err.status === 422 || err.status === 400 || err.status === 409 || err.status === 423)
  ) {
    const out: Errors = { _: tr(req, err.messageKey, err.params) };
    for (const f of err.fields) out[f.field] = /\s/.test(f.message) ? f.message : tr(req, f.message, f.params);
    return out;
  }
  if (err instanceof z.ZodError)
    return Object.fromEntries(err.issues.map((i) => [i.path.join('.'), issueMessage(req, i)]));
  return null;
}

const fe = (errors: Errors, ...names: string[]): Html | string => {
  const m = names.map((n) => errors[n]).find(Boolean);
  return m ? html`<span class="field-error">${m}</span>` : '';
};

/** The numeric fields of the line form, read with the one Indonesian number rule (core/number.ts). */
const LINE_NUMBERS: NumberFields = [
  [/^v[1-4]$/, 'decimal'],
  ['unit_price', 'rupiah'],
];
/** Form field → API field, so that a number error is shown beside its input. */
const lineField = (f: FieldError): FieldError =>
  /^v[1-4]$/.test(f.field) ? { ...f, field: `factors.${Number(f.field.slice(1)) - 1}.v` } : f;

/** The line input of the editor form and the numbers that could not be read (field names are the API's). */
export function readLineForm(raw: FormBody): { input: LineInput; errors: FieldError[] } {
  const { body: b, errors } = readFormNumbers(raw, LINE_NUMBERS);
  const factors: Array<{ v: string; u: string }> = [];
  for (let n = 1; n <= 4; n++) {
    const v = str(b, `v${n}`);
    if (v) factors.push({ v, u: str(b, `u${n}`) });
  }
  const price = str(b, 'unit_price');
  const itemId = Number(str(b, 'item_id')) || null;
  return {
    input: {
      account_code: str(b, 'account'),
      group_header: str(b, 'group_header'),
      description_header: str(b, 'description_header'),
      item_id: itemId,
      ...(itemId ? {} : { name: str(b, 'name'), spec: str(b, 'spec'), unit: str(b, 'unit') }),
      ...(price ? { unit_price: price } : {}),
      factors,
      tax: str(b, 'tax') === 'true',
      funding_source_id: Number(str(b, 'funding_source_id')) || null,
    },
    errors: errors.map(lineField),
  };
}

/** The line input of the editor form (field names are those of the API, factors as v1/u1…v4/u4); a number that cannot be read is a 400 naming its field. */
export function lineFromForm(b: FormBody): LineInput {
  const r = readLineForm(b);
  if (r.errors.length) throw badRequest(r.errors);
  return r.input;
}

const msgOf = (req: FastifyRequest, x: { message: string; params?: Record<string, string | number> }) =>
  /\s/.test(x.message) ? x.message : tr(req, x.message, x.params);

/** The label of a line field, as the form shows it (never the API name). */
function lineFieldLabel(req: FastifyRequest, field: string): string {
  const m = /^factors\.(\d)\.(v|u)$/.exec(field);
  if (m) return tr(req, m[2] === 'v' ? 'bud.field.factor' : 'bud.field.factor_unit', { n: Number(m[1]) + 1 });
  const key: Record<string, string> = {
    account_code: 'bud.field.account',
    item_id: 'bud.field.item',
    unit_price: 'bud.field.unit_price',
    name: 'bud.field.name',
    factors: 'bud.field.coefficient',
    total: 'bud.field.total',
  };
  return key[field] ? tr(req, key[field]) : tr(req, 'bud.field.line');
}

/** Why the preview cannot compute: what is still missing or wrong, in the words of the form. */
function whyNoPreview(
  req: FastifyRequest,
  values: FormBody,
  errs: Array<{ field: string; message: string; params?: Record<string, string | number> }>,
): string[] {
  const out: string[] = [];
  if (!str(values, 'account')) out.push(tr(req, 'bud.line.why_account'));
  if (!str(values, 'item_id') && !str(values, 'name') && !str(values, 'unit_price'))
    out.push(tr(req, 'bud.line.why_item'));
  if (!str(values, 'v1')) out.push(tr(req, 'bud.line.why_volume'));
  for (const e of errs) {
    if (e.field === 'account_code' && !str(values, 'account')) continue;
    if (e.field.startsWith('factors') && !str(values, 'v1')) continue;
    out.push(`${lineFieldLabel(req, e.field)}: ${msgOf(req, e)}`);
  }
  return [...new Set(out)];
}

interface FormCtx {
  action: string;
  kind: 'belanja' | 'pendapatan' | 'pembiayaan';
  sub?: SubKegiatan;
  year: number;
  lineId?: string;
  version?: number;
  values: FormBody;
  errors: Errors;
  item?: PricedItem | null;
  pickerRows?: PricedItem[];
  back: string;
}

export async function editorPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  app.get('/budget/budget.css', { config: { auth: 'public' }, schema: hide }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(BUDGET_CSS),
  );
  app.get('/budget/editor.js', { config: { auth: 'public' }, schema: hide }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(EDITOR_JS),
  );

  async function lineForm(req: FastifyRequest, c: FormCtx): Promise<Html> {
    const p = req.principal!;
    const settings = await getSettings(db, p.pemdaId);
    const accounts = await listAccounts(db, p.pemdaId, c.year, {
      level: 'sub_rincian_objek',
      under: [c.kind === 'belanja' ? '5' : c.kind === 'pendapatan' ? '4' : '6'],
    });
    const funding = await listFundingSources(db, p.pemdaId);
    const v = c.values;
    const e = c.errors;
    const belanja = c.kind === 'belanja';
    const account = str(v, 'account');
    const factor = (
      n: number,
    ) => html`<label>${tr(req, 'bud.field.factor', { n })}<input name="v${n}" id="v${n}" inputmode="decimal" data-num="decimal" data-unit-field="u${n}" size="8" value="${str(v, `v${n}`)}" ${n === 1 ? 'required' : ''}>${fe(e, `factors.${n - 1}.v`)}</label>
<label>${tr(req, 'bud.field.factor_unit', { n })}<input name="u${n}" size="10" value="${str(v, `u${n}`)}" ${n === 1 ? 'required' : ''}>${fe(e, `factors.${n - 1}.u`)}</label>`;
    const item = c.item;
    const freeText = belanja && settings.allow_free_text;
    return html`${e._ ? html`<p class="error" role="alert">${e._}</p>` : ''}
<link rel="stylesheet" href="/budget/budget.css">
<form method="post" action="${c.action}" id="line-form" class="form wide">
  ${csrfField(req)}
  <button type="submit" class="default-submit" tabindex="-1" aria-hidden="true">${tr(req, 'common.save')}</button>
  <input type="hidden" name="item_id" value="${item?.itemId ?? str(v, 'item_id')}">
  <input type="hidden" name="year" value="${c.year}">
  ${c.lineId ? html`<input type="hidden" name="line_id" value="${c.lineId}"><input type="hidden" name="version" value="${c.version}">` : ''}
  <label>${tr(req, 'bud.field.account')}<select name="account" required
    ${belanja ? html`hx-get="/catalogue/picker" hx-trigger="change" hx-target="#picker-results" hx-include="#line-form [name=q], #line-form [name=year]"` : ''}>
    <option value="">—</option>${accounts.map((a) => html`<option value="${a.code}" ${a.code === account ? 'selected' : ''}>${a.code} ${a.name}</option>`)}</select>${fe(e, 'account_code')}</label>
  <label>${tr(req, 'bud.field.group')}<input name="group_header" value="${str(v, 'group_header')}" maxlength="300"></label>
  <label>${tr(req, 'bud.field.description')}<input name="description_header" value="${str(v, 'description_header')}" maxlength="300"></label>
  ${
    belanja
      ? html`<fieldset><legend>${tr(req, 'bud.field.item')}</legend>
    <p id="chosen-item">${item ? `${item.code} ${item.name} · ${item.unit} · ${money(req, item.price)}` : html`<span class="muted">—</span>`}</p>${fe(e, 'item_id')}
    <label>${tr(req, 'bud.line.picker')}<input type="search" name="q" value="${str(v, 'q')}" autocomplete="off" placeholder="${tr(req, 'bud.line.picker_hint')}"
      hx-get="/catalogue/picker" hx-trigger="input changed delay:300ms, search" hx-target="#picker-results" hx-include="#line-form [name=account], #line-form [name=year]"></label>
    <button type="submit" class="secondary" name="op" value="search" formnovalidate>${tr(req, 'common.search')}</button>
    <div id="picker-results" aria-live="polite">${
      c.pickerRows?.length
        ? html`<ul class="picker">${c.pickerRows.map((r) => html`<li><label class="check"><input type="radio" name="item_id" value="${r.itemId}"> <b>${r.code}</b> ${r.name} ${r.spec ? html`<span class="muted">${r.spec}</span>` : ''} · ${r.unit} · ${money(req, r.price)}</label></li>`)}</ul>`
        : ''
    }</div>
    ${
      freeText
        ? html`<details ${!item && str(v, 'name') ? 'open' : ''}><summary>${tr(req, 'bud.line.free_text')}</summary>
      <label>${tr(req, 'bud.field.name')}<input name="name" value="${str(v, 'name')}">${fe(e, 'name')}</label>
      <label>${tr(req, 'bud.field.spec')}<input name="spec" value="${str(v, 'spec')}"></label>
      <label>${tr(req, 'bud.field.unit')}<input name="unit" value="${str(v, 'unit')}"></label></details>`
        : ''
    }
  </fieldset>`
      : html`<label>${tr(req, 'bud.field.name')}<input name="name" value="${str(v, 'name')}" required>${fe(e, 'name')}</label>
  <label>${tr(req, 'bud.field.unit')}<input name="unit" value="${str(v, 'unit')}"></label>`
  }
  <label>${tr(req, 'bud.field.unit_price')}<input name="unit_price" inputmode="numeric" data-num="rupiah" value="${str(v, 'unit_price')}" placeholder="${item ? item.price : ''}" ${belanja ? '' : 'required'}>${fe(e, 'unit_price')}</label>
  <fieldset><legend>${tr(req, 'bud.field.coefficient')}</legend><div class="filters">${[1, 2, 3, 4].map(factor)}</div></fieldset>
  ${belanja ? html`<label class="check"><input type="checkbox" name="tax" value="true" ${str(v, 'tax') === 'true' ? 'checked' : ''}> ${tr(req, 'bud.field.tax', { rate: settings.ppn_rate })}</label>` : ''}
  <label>${tr(req, 'bud.field.funding_source')}<select name="funding_source_id"><option value="">—</option>${funding.map((f) => html`<option value="${f.id}" ${String(f.id) === str(v, 'funding_source_id') ? 'selected' : ''}>${f.code} ${f.name}</option>`)}</select></label>
  ${
    c.sub
      ? html`<div id="line-preview" hx-post="/budget/sub/${c.sub.id}/lines/preview" hx-trigger="load, input from:#line-form delay:300ms, change from:#line-form" hx-include="#line-form" aria-live="polite">${await previewFragment(req, c.sub, v, c.lineId)}</div>`
      : ''
  }
  ${fe(e, 'total')}
  <div class="actions"><button type="submit" id="save-line">${tr(req, 'common.save')}</button> <a href="${c.back}">${tr(req, 'common.cancel')}</a></div>
</form>
<script src="/budget/editor.js" defer></script>`;
  }

  /** The computed amounts and the remaining ceiling, before and after this line; or why they cannot be computed yet. */
  async function previewFragment(
    req: FastifyRequest,
    sub: SubKegiatan,
    values: FormBody,
    lineId?: string,
  ): Promise<Html> {
    const read = readLineForm(values);
    // a number that cannot be read computes nothing (never a guess): the preview says why instead
    const input = read.errors.length ? { ...read.input, factors: [] } : read.input;
    const pv = await previewLine(db, req.principal!, sub.id, input, lineId);
    const over = BigInt(pv.remaining_after) < 0n;
    const errs = read.errors.length ? read.errors : pv.errors;
    const why = !pv.line ? whyNoPreview(req, values, errs) : [];
    return html`<dl class="detail preview">
  ${pv.line ? html`<dt>${tr(req, 'bud.field.subtotal')}</dt><dd>${money(req, pv.line.subtotal)}</dd><dt>${tr(req, 'bud.field.ppn')}</dt><dd>${money(req, pv.line.tax)}</dd><dt>${tr(req, 'bud.field.total')}</dt><dd id="preview-total"><b>${money(req, pv.line.total)}</b></dd>` : ''}
  <dt>${tr(req, 'bud.field.ceiling')}</dt><dd>${money(req, pv.ceiling)}</dd>
  <dt>${tr(req, 'bud.field.remaining')}</dt><dd id="preview-remaining-before">${money(req, pv.remaining_before)}</dd>
  <dt>${tr(req, 'bud.line.remaining_after')}</dt><dd id="preview-remaining" class="${over ? 'error' : ''}">${money(req, pv.remaining_after)}</dd>
</dl>${
      pv.line && errs.length
        ? html`<ul class="errors">${errs.map((x) => html`<li>${lineFieldLabel(req, x.field)}: ${msgOf(req, x)}</li>`)}</ul>`
        : why.length
          ? html`<div class="hint" id="preview-why"><p>${tr(req, 'bud.line.preview_cannot')}</p><ul>${why.map((w) => html`<li>${w}</li>`)}</ul></div>`
          : ''
    }`;
  }

  const idParams = z.object({ id: intIn(z.number().int().positive()) });
  const subOpd = async (req: FastifyRequest) =>
    (await getSub(db, req.principal!.pemdaId, Number((req.params as { id: string }).id)))?.opd_id;
  const lineOpd = async (req: FastifyRequest) =>
    (await getLine(db, req.principal!.pemdaId, String((req.params as { id: string }).id)))?.opd_id;
  const write = { permission: 'bud.line.write' };
  const editorQuery = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

  async function loadSub(req: FastifyRequest, id: number): Promise<SubKegiatan> {
    const s = await getSub(db, req.principal!.pemdaId, id);
    if (!s) throw notFound('bud.error.sub_unknown');
    return s;
  }

  async function pickerFor(req: FastifyRequest, year: number, values: FormBody): Promise<PricedItem[] | undefined> {
    const q = str(values, 'q');
    if (!q) return undefined;
    return (
      await searchCatalogue(db, req.principal!.pemdaId, {
        year,
        text: q,
        account: str(values, 'account') || undefined,
        limit: 20,
      })
    ).rows;
  }
  const itemOf = async (req: FastifyRequest, values: FormBody) => {
    const id = Number(str(values, 'item_id'));
    return id ? ((await getCurrentPrice(db, req.principal!.pemdaId, id)) ?? null) : null;
  };

  // new line (GET also serves the no-JavaScript catalogue search: the form re-submitted with ?q=)
  app.get(
    '/budget/sub/:id/lines/new',
    { config: { auth: { ...write, opd: subOpd } }, schema: { ...hide, params: idParams, querystring: editorQuery } },
    async (req, reply) => {
      const s = await loadSub(req, req.params.id);
      const values: FormBody = { u1: '', ...req.query };
      const year = (await requireStage(db, req.principal!.pemdaId, s.stage_id)).year;
      const body = await lineForm(req, {
        action: `/budget/sub/${s.id}/lines/new`,
        kind: 'belanja',
        sub: s,
        year,
        values,
        errors: {},
        item: await itemOf(req, values),
        pickerRows: await pickerFor(req, year, values),
        back: `/budget/sub/${s.id}`,
      });
      return sendPage(req, reply, { title: tr(req, 'bud.line.new_title', { code: s.code }), body });
    },
  );

  app.post(
    '/budget/sub/:id/lines/new',
    { config: { auth: { ...write, opd: subOpd } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const s = await loadSub(req, req.params.id);
      if (str(req.body, 'op') === 'search') {
        // the catalogue search without JavaScript: the form again with the results (nothing saved)
        const year = (await requireStage(db, req.principal!.pemdaId, s.stage_id)).year;
        const body = await lineForm(req, {
          action: `/budget/sub/${s.id}/lines/new`,
          kind: 'belanja',
          sub: s,
          year,
          values: req.body,
          errors: {},
          item: await itemOf(req, req.body),
          pickerRows: (await pickerFor(req, year, req.body)) ?? [],
          back: `/budget/sub/${s.id}`,
        });
        return sendPage(req, reply, { title: tr(req, 'bud.line.new_title', { code: s.code }), body });
      }
      try {
        const line = await createLine(db, req.principal!, s.id, lineFromForm(req.body));
        return reply.redirect(`/budget/sub/${s.id}?saved=1#line-${line.id}`, 303);
      } catch (err) {
        const errors = errorsOf(req, err);
        if (!errors) throw err;
        const year = (await requireStage(db, req.principal!.pemdaId, s.stage_id)).year;
        const body = await lineForm(req, {
          action: `/budget/sub/${s.id}/lines/new`,
          kind: 'belanja',
          sub: s,
          year,
          values: req.body,
          errors,
          item: await itemOf(req, req.body),
          back: `/budget/sub/${s.id}`,
        });
        return sendPage(req, reply, {
          title: tr(req, 'bud.line.new_title', { code: s.code }),
          body,
          status: (err as AppError).status ?? 400,
        });
      }
    },
  );

  app.post(
    '/budget/sub/:id/lines/preview',
    {
      config: { auth: { permission: 'bud.read', opd: subOpd } },
      schema: { ...hide, params: idParams, body: formBody },
    },
    async (req, reply) => {
      const s = await loadSub(req, req.params.id);
      return sendFragment(reply, await previewFragment(req, s, req.body, str(req.body, 'line_id') || undefined));
    },
  );

  // edit / delete a line
  const lineParams = z.object({ id: z.string().regex(/^\d{1,18}$/) });
  const valuesOf = (l: ReturnType<typeof lineOut>): FormBody => {
    const v: FormBody = {
      account: l.account_code,
      group_header: l.group_header,
      description_header: l.description_header,
      item_id: l.item_id ? String(l.item_id) : '',
      name: l.name,
      spec: l.spec,
      unit: l.unit,
      unit_price: l.unit_price ? formatIdNumber(l.unit_price) : '',
      tax: l.tax_rate !== '0' ? 'true' : '',
      funding_source_id: l.funding_source_id ? String(l.funding_source_id) : '',
    };
    l.factors.forEach((f, i) => {
      v[`v${i + 1}`] = formatIdNumber(f.v);
      v[`u${i + 1}`] = f.u;
    });
    return v;
  };
  app.get(
    '/budget/lines/:id/edit',
    { config: { auth: { ...write, opd: lineOpd } }, schema: { ...hide, params: lineParams, querystring: editorQuery } },
    async (req, reply) => {
      const l = await getLine(db, req.principal!.pemdaId, req.params.id);
      if (!l) throw notFound('bud.error.line_unknown');
      const o = lineOut(l);
      const stage = await requireStage(db, req.principal!.pemdaId, l.stage_id);
      const s = l.sub_kegiatan_id ? await loadSub(req, l.sub_kegiatan_id) : undefined;
      const values = { ...valuesOf(o), ...req.query };
      const back = s ? `/budget/sub/${s.id}` : `/budget/opd/${l.opd_id}?stage_id=${l.stage_id}`;
      const form = await lineForm(req, {
        action: `/budget/lines/${l.id}/edit`,
        kind: l.kind,
        sub: s,
        year: stage.year,
        lineId: String(l.id),
        version: l.version,
        values,
        errors: {},
        item: await itemOf(req, values),
        pickerRows: await pickerFor(req, stage.year, values),
        back,
      });
      const del = html`<form method="post" action="/budget/lines/${l.id}/delete" class="actions">${csrfField(req)}<input type="hidden" name="version" value="${l.version}"><button class="secondary">${tr(req, 'bud.line.delete')}</button></form>`;
      return sendPage(req, reply, {
        title: tr(req, 'bud.line.edit_title', { code: s?.code ?? l.account_code }),
        body: html`${form}${del}`,
      });
    },
  );

  app.post(
    '/budget/lines/:id/edit',
    { config: { auth: { ...write, opd: lineOpd } }, schema: { ...hide, params: lineParams, body: formBody } },
    async (req, reply) => {
      const l = await getLine(db, req.principal!.pemdaId, req.params.id);
      if (!l) throw notFound('bud.error.line_unknown');
      const back = l.sub_kegiatan_id
        ? `/budget/sub/${l.sub_kegiatan_id}`
        : `/budget/opd/${l.opd_id}?stage_id=${l.stage_id}`;
      if (str(req.body, 'op') === 'search') {
        const stage = await requireStage(db, req.principal!.pemdaId, l.stage_id);
        const s = l.sub_kegiatan_id ? await loadSub(req, l.sub_kegiatan_id) : undefined;
        const body = await lineForm(req, {
          action: `/budget/lines/${l.id}/edit`,
          kind: l.kind,
          sub: s,
          year: stage.year,
          lineId: String(l.id),
          version: Number(str(req.body, 'version')),
          values: req.body,
          errors: {},
          item: await itemOf(req, req.body),
          pickerRows: (await pickerFor(req, stage.year, req.body)) ?? [],
          back,
        });
        return sendPage(req, reply, {
          title: tr(req, 'bud.line.edit_title', { code: s?.code ?? l.account_code }),
          body,
        });
      }
      try {
        const input = lineFromForm(req.body);
        await updateLine(db, req.principal!, l.id, {
          ...input,
          item_id: input.item_id ?? null,
          version: Number(str(req.body, 'version')),
        });
        return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}saved=1`, 303);
      } catch (err) {
        const errors = errorsOf(req, err);
        if (!errors) throw err;
        const stage = await requireStage(db, req.principal!.pemdaId, l.stage_id);
        const s = l.sub_kegiatan_id ? await loadSub(req, l.sub_kegiatan_id) : undefined;
        const body = await lineForm(req, {
          action: `/budget/lines/${l.id}/edit`,
          kind: l.kind,
          sub: s,
          year: stage.year,
          lineId: String(l.id),
          version: Number(str(req.body, 'version')),
          values: req.body,
          errors,
          item: await itemOf(req, req.body),
          back,
        });
        return sendPage(req, reply, {
          title: tr(req, 'bud.line.edit_title', { code: s?.code ?? l.account_code }),
          body,
          status: (err as AppError).status ?? 400,
        });
      }
    },
  );

  app.post(
    '/budget/lines/:id/delete',
    { config: { auth: { ...write, opd: lineOpd } }, schema: { ...hide, params: lineParams, body: formBody } },
    async (req, reply) => {
      const l = await getLine(db, req.principal!.pemdaId, req.params.id);
      if (!l) throw notFound('bud.error.line_unknown');
      const back = l.sub_kegiatan_id
        ? `/budget/sub/${l.sub_kegiatan_id}`
        : `/budget/opd/${l.opd_id}?stage_id=${l.stage_id}`;
      const o = lineOut(l);
      const params = { name: o.name, account: o.account_code, total: money(req, o.total) };
      if (!confirmed(req.body))
        return sendConfirm(req, reply, {
          title: tr(req, 'bud.confirm.delete_line_title'),
          what: [tr(req, 'bud.confirm.delete_line_what', params), tr(req, 'bud.confirm.delete_line_after')],
          action: `/budget/lines/${l.id}/delete`,
          body: req.body,
          yes: tr(req, 'bud.confirm.delete_line_yes'),
          back,
          danger: true,
        });
      await deleteLine(db, req.principal!, l.id, Number(str(req.body, 'version')));
      const q = new URLSearchParams({ done: 'delete_line', d_name: params.name, d_total: params.total });
      return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}${q.toString()}`, 303);
    },
  );

  // revenue / financing lines of an OPD
  const opdParams = z.object({ opdId: intIn(z.number().int().positive()) });
  const opdFromParam = (req: FastifyRequest) => (req.params as { opdId: number }).opdId;
  const kindQuery = z.object({
    kind: z.enum(['pendapatan', 'pembiayaan']),
    stage_id: intIn(z.number().int().positive()),
  });
  app.get(
    '/budget/opd/:opdId/lines/new',
    {
      config: { auth: { ...write, opd: opdFromParam } },
      schema: { ...hide, params: opdParams, querystring: kindQuery },
    },
    async (req, reply) => {
      const stage = await requireStage(db, req.principal!.pemdaId, req.query.stage_id);
      const org = await getOrganisation(db, req.principal!.pemdaId, req.params.opdId);
      const body = await lineForm(req, {
        action: `/budget/opd/${req.params.opdId}/lines/new?kind=${req.query.kind}&stage_id=${stage.id}`,
        kind: req.query.kind,
        year: stage.year,
        values: { u1: 'Tahun' },
        errors: {},
        back: `/budget/opd/${req.params.opdId}?stage_id=${stage.id}`,
      });
      return sendPage(req, reply, { title: `${tr(req, `bud.kind.${req.query.kind}`)} · ${org?.name ?? ''}`, body });
    },
  );
  app.post(
    '/budget/opd/:opdId/lines/new',
    {
      config: { auth: { ...write, opd: opdFromParam } },
      schema: { ...hide, params: opdParams, querystring: kindQuery, body: formBody },
    },
    async (req, reply) => {
      const stage = await requireStage(db, req.principal!.pemdaId, req.query.stage_id);
      const back = `/budget/opd/${req.params.opdId}?stage_id=${stage.id}`;
      try {
        await createOpdLine(db, req.principal!, stage.id, req.params.opdId, req.query.kind, lineFromForm(req.body));
        return reply.redirect(`${back}&saved=1`, 303);
      } catch (err) {
        const errors = errorsOf(req, err);
        if (!errors) throw err;
        const body = await lineForm(req, {
          action: `/budget/opd/${req.params.opdId}/lines/new?kind=${req.query.kind}&stage_id=${stage.id}`,
          kind: req.query.kind,
          year: stage.year,
          values: req.body,
          errors,
          back,
        });
        return sendPage(req, reply, {
          title: tr(req, `bud.kind.${req.query.kind}`),
          body,
          status: (err as AppError).status ?? 400,
        });
      }
    },
  );

  // ---- the travel calculator ---------------------------------------------------------------------------------------
  const travelFromForm = (raw: FormBody): TravelInput => {
    const { body: b, errors } = readFormNumbers(raw, [
      ['persons', 'integer'],
      ['days', 'integer'],
    ]);
    // only valid combinations: a trip inside the region never flies (the SBU has no such fare)
    if (str(b, 'travel_kind') === 'dalam_kota' && str(b, 'transport') === 'pesawat')
      errors.push({ field: 'transport', message: 'bud.error.travel_no_flight_inside' });
    if (errors.length) throw badRequest(errors);
    return {
      description: str(b, 'description'),
      persons: Number(str(b, 'persons')) || 0,
      days: Number(str(b, 'days')) || 0,
      province: str(b, 'province'),
      travel_kind: (str(b, 'travel_kind') || 'luar_kota') as 'luar_kota',
      transport: (str(b, 'transport') || 'none') as 'none',
      grade: str(b, 'grade'),
    };
  };

  async function travelForm(
    req: FastifyRequest,
    s: SubKegiatan,
    action: string,
    values: FormBody,
    errors: Errors,
    travelId?: number,
    version?: number,
  ): Promise<Html> {
    const year = (await requireStage(db, req.principal!.pemdaId, s.stage_id)).year;
    const provinces = await listProvinces(db, req.principal!.pemdaId, year);
    const grades = listGrades();
    const v = values;
    const sel = (name: string, opts: Array<[string, string]>, parents: Record<string, string> = {}, filterBy = '') =>
      html`<select name="${name}" id="travel-${name}" ${filterBy ? html`data-filter-by="${filterBy}"` : ''}>${opts.map(([k, label]) => html`<option value="${k}" ${parents[k] ? html`data-parent="${parents[k]}"` : ''} ${k === str(v, name) ? 'selected' : ''}>${label}</option>`)}</select>`;
    return html`${errors._ ? html`<p class="error" role="alert">${errors._}</p>` : ''}
<link rel="stylesheet" href="/budget/budget.css">
<form method="post" action="${action}" id="travel-form" class="form wide">
  ${csrfField(req)}
  ${travelId ? html`<input type="hidden" name="travel_id" value="${travelId}"><input type="hidden" name="version" value="${version}">` : ''}
  <label>${tr(req, 'bud.field.trip')}<input name="description" value="${str(v, 'description')}" required>${fe(errors, 'description')}</label>
  <label>${tr(req, 'bud.field.persons')}<input name="persons" inputmode="numeric" data-num="integer" data-unit="${tr(req, 'bud.travel.unit_persons')}" value="${str(v, 'persons') || '1'}" required>${fe(errors, 'persons')}</label>
  <label>${tr(req, 'bud.field.days')}<input name="days" inputmode="numeric" data-num="integer" data-unit="${tr(req, 'bud.travel.unit_days')}" value="${str(v, 'days') || '1'}" required>${fe(errors, 'days')}</label>
  <label>${tr(req, 'bud.field.province')}${sel(
    'province',
    provinces.map((x) => [x, x]),
  )}${fe(errors, 'province')}</label>
  <label>${tr(req, 'bud.field.travel_kind')}${sel('travel_kind', [
    ['luar_kota', tr(req, 'bud.travel.luar_kota')],
    ['dalam_kota', tr(req, 'bud.travel.dalam_kota')],
  ])}</label>
  <label>${tr(req, 'bud.field.transport')}${sel(
    'transport',
    [
      ['pesawat', tr(req, 'bud.travel.pesawat')],
      ['darat', tr(req, 'bud.travel.darat')],
      ['none', tr(req, 'bud.travel.none')],
    ],
    { pesawat: 'luar_kota', darat: 'luar_kota dalam_kota', none: 'luar_kota dalam_kota' },
    'travel_kind',
  )}<span class="hint">${tr(req, 'bud.travel.transport_hint')}</span>${fe(errors, 'transport')}</label>
  <label>${tr(req, 'bud.field.grade')}${sel(
    'grade',
    grades.map((g) => [g.code, g.label]),
  )}</label>
  <div id="travel-preview" hx-post="/budget/sub/${s.id}/travel/preview" hx-trigger="load, input from:#travel-form delay:300ms, change from:#travel-form" hx-include="#travel-form" aria-live="polite">${await travelPreview(req, s, v, travelId)}</div>
  ${fe(errors, 'total')}
  <div class="actions"><button>${tr(req, 'bud.travel.save')}</button> <a href="/budget/sub/${s.id}">${tr(req, 'common.cancel')}</a></div>
</form>`;
  }

  async function travelPreview(
    req: FastifyRequest,
    s: SubKegiatan,
    values: FormBody,
    travelId?: number,
  ): Promise<Html> {
    try {
      const input = travelFromForm(values);
      if (!input.province || !input.persons || !input.days) return html``;
      const pv = await previewTravel(
        db,
        req.principal!,
        s.id,
        { ...input, description: input.description.length >= 3 ? input.description : 'Perjalanan dinas' },
        travelId,
      );
      return html`<h3>${tr(req, 'bud.travel.components')}</h3><table class="data"><tbody>${pv.lines.map(
        (l) =>
          html`<tr><td>${tr(req, `bud.travel.${l.travel_component}`)}</td><td>${l.name}</td><td>${[l.v1, l.v2]
            .filter(Boolean)
            .map((x, i) => `${x} ${i === 0 ? l.u1 : l.u2}`)
            .join(
              ' x ',
            )}</td><td class="num">${money(req, l.unit_price)}</td><td class="num">${money(req, l.total)}</td></tr>`,
      )}</tbody><tfoot><tr><td colspan="4">${tr(req, 'bud.field.total')}</td><td class="num" id="travel-total">${money(req, pv.total)}</td></tr></tfoot></table>
<p>${tr(req, 'bud.field.remaining')}: ${money(req, pv.remaining_before)} → <b class="${BigInt(pv.remaining_after) < 0n ? 'error' : ''}" id="travel-remaining">${money(req, pv.remaining_after)}</b></p>`;
    } catch (err) {
      const e = errorsOf(req, err);
      if (!e) throw err;
      const fieldMsgs = Object.entries(e).filter(([k]) => k !== '_');
      return html`<p class="error">${fieldMsgs.length ? fieldMsgs.map(([k, m]) => `${tr(req, `bud.field.${k}`)}: ${m}`).join(' ') : e._}</p>`;
    }
  }

  app.get(
    '/budget/sub/:id/travel',
    { config: { auth: { ...write, opd: subOpd } }, schema: { ...hide, params: idParams } },
    async (req, reply) => {
      const s = await loadSub(req, req.params.id);
      const body = await travelForm(
        req,
        s,
        `/budget/sub/${s.id}/travel`,
        {
          persons: '2',
          days: '3',
          travel_kind: 'luar_kota',
          transport: 'pesawat',
          province: 'DKI Jakarta',
          grade: 'gol_1_2_3',
        },
        {},
      );
      return sendPage(req, reply, {
        title: tr(req, 'bud.travel.title', { code: s.code }),
        body: html`${body}<script src="/budget/editor.js" defer></script>`,
      });
    },
  );
  app.post(
    '/budget/sub/:id/travel/preview',
    {
      config: { auth: { permission: 'bud.read', opd: subOpd } },
      schema: { ...hide, params: idParams, body: formBody },
    },
    async (req, reply) => {
      const s = await loadSub(req, req.params.id);
      return sendFragment(
        reply,
        await travelPreview(req, s, req.body, Number(str(req.body, 'travel_id')) || undefined),
      );
    },
  );
  app.post(
    '/budget/sub/:id/travel',
    { config: { auth: { ...write, opd: subOpd } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const s = await loadSub(req, req.params.id);
      try {
        await createTravel(db, req.principal!, s.id, travelFromForm(req.body));
        return reply.redirect(`/budget/sub/${s.id}?saved=1`, 303);
      } catch (err) {
        const errors = errorsOf(req, err);
        if (!errors) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'bud.travel.title', { code: s.code }),
          body: await travelForm(req, s, `/budget/sub/${s.id}/travel`, req.body, errors),
          status: (err as AppError).status ?? 400,
        });
      }
    },
  );

  const travelOpd = async (req: FastifyRequest) =>
    (
      await db
        .selectFrom('bud_travel')
        .select('opd_id')
        .where('pemda_id', '=', req.principal!.pemdaId)
        .where('id', '=', Number((req.params as { id: string }).id))
        .executeTakeFirst()
    )?.opd_id;
  app.get(
    '/budget/travel/:id/edit',
    { config: { auth: { ...write, opd: travelOpd } }, schema: { ...hide, params: idParams } },
    async (req, reply) => {
      const tv = await getTravel(db, req.principal!.pemdaId, req.params.id);
      if (!tv) throw notFound('bud.error.travel_unknown');
      const s = await loadSub(req, tv.sub_kegiatan_id);
      const transport = tv.lines.find((l) => l.travel_component === 'transport');
      const values: FormBody = {
        description: tv.description,
        persons: String(tv.persons),
        days: String(tv.days),
        province: tv.province,
        travel_kind: tv.travel_kind,
        grade: tv.grade,
        transport: transport ? (/darat/i.test(transport.name) ? 'darat' : 'pesawat') : 'none',
      };
      const form = await travelForm(req, s, `/budget/travel/${tv.id}/edit`, values, {}, tv.id, tv.version);
      const del = html`<form method="post" action="/budget/travel/${tv.id}/delete" class="actions">${csrfField(req)}<input type="hidden" name="version" value="${tv.version}"><button class="secondary">${tr(req, 'bud.travel.delete')}</button></form>`;
      return sendPage(req, reply, {
        title: tr(req, 'bud.travel.title', { code: s.code }),
        body: html`${form}${del}<script src="/budget/editor.js" defer></script>`,
      });
    },
  );
  app.post(
    '/budget/travel/:id/edit',
    { config: { auth: { ...write, opd: travelOpd } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const tv = await getTravel(db, req.principal!.pemdaId, req.params.id);
      if (!tv) throw notFound('bud.error.travel_unknown');
      const s = await loadSub(req, tv.sub_kegiatan_id);
      try {
        await updateTravel(db, req.principal!, tv.id, {
          ...travelFromForm(req.body),
          version: Number(str(req.body, 'version')),
        });
        return reply.redirect(`/budget/sub/${s.id}?saved=1`, 303);
      } catch (err) {
        const errors = errorsOf(req, err);
        if (!errors) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'bud.travel.title', { code: s.code }),
          body: await travelForm(
            req,
            s,
            `/budget/travel/${tv.id}/edit`,
            req.body,
            errors,
            tv.id,
            Number(str(req.body, 'version')),
          ),
          status: (err as AppError).status ?? 400,
        });
      }
    },
  );
  app.post(
    '/budget/travel/:id/delete',
    { config: { auth: { ...write, opd: travelOpd } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const tv = await getTravel(db, req.principal!.pemdaId, req.params.id);
      if (!tv) throw notFound('bud.error.travel_unknown');
      await deleteTravel(db, req.principal!, tv.id, Number(str(req.body, 'version')));
      return reply.redirect(`/budget/sub/${tv.sub_kegiatan_id}?saved=1`, 303);
    },
  );
}
