// The line editor's form: read (Indonesian numbers, factors v1/u1…v4/u4), rendered with the catalogue
// picker, and its live preview (the computed total and the remaining ceiling, or why it cannot be
// computed yet). The pages that serve it: editor.pages.ts.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../core/db/database.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, tr } from '../../core/http/layout.ts';
import { badRequest, type FieldError } from '../../core/errors.ts';
import { formatIdNumber, readFormNumbers, type NumberFields } from '../../core/number.ts';
import { listAccounts, listFundingSources } from '../master-data/index.ts';
import { getCurrentPrice, searchCatalogue, type PricedItem } from '../catalogue/index.ts';
import { getSettings, lineOut, previewLine, type LineInput, type SubKegiatan } from './rka.service.ts';
import { fe, money, str, type FormBody, type FormErrors } from './pages.common.ts';

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

export interface FormCtx {
  action: string;
  kind: 'belanja' | 'pendapatan' | 'pembiayaan';
  sub?: SubKegiatan;
  year: number;
  lineId?: string;
  version?: number;
  values: FormBody;
  errors: FormErrors;
  item?: PricedItem | null;
  pickerRows?: PricedItem[];
  back: string;
}

export async function lineForm(db: Db, req: FastifyRequest, c: FormCtx): Promise<Html> {
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
    ? html`<div id="line-preview" hx-post="/budget/sub/${c.sub.id}/lines/preview" hx-trigger="load, input from:#line-form delay:300ms, change from:#line-form" hx-include="#line-form" aria-live="polite">${await previewFragment(db, req, c.sub, v, c.lineId)}</div>`
    : ''
}
${fe(e, 'total')}
<div class="actions"><button type="submit" id="save-line">${tr(req, 'common.save')}</button> <a href="${c.back}">${tr(req, 'common.cancel')}</a></div>
</form>
<script src="/budget/editor.js" defer></script>`;
}

/** The computed amounts and the remaining ceiling, before and after this line; or why they cannot be computed yet. */
export async function previewFragment(
  db: Db,
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

/** The catalogue search of the form without JavaScript (its q): undefined when nothing is searched. */
export async function pickerFor(
  db: Db,
  req: FastifyRequest,
  year: number,
  values: FormBody,
): Promise<PricedItem[] | undefined> {
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

/** The catalogue item the form names, with its current price. */
export const itemOf = async (db: Db, req: FastifyRequest, values: FormBody) => {
  const id = Number(str(values, 'item_id'));
  return id ? ((await getCurrentPrice(db, req.principal!.pemdaId, id)) ?? null) : null;
};

/** A saved line as the values of the form. */
export const valuesOf = (l: ReturnType<typeof lineOut>): FormBody => {
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
