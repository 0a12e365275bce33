// The procurement-package form: an OPD operator picks lines of the OPD's approved DPA that are in no
// package yet, names the package, its method and planned months (and optionally a value below the
// lines' sum), and saves it through the packages service (the same rules as the API). A refused
// post shows the form again with each error beside its field and every value kept.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { AppError } from '../../core/errors.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, issueMessage, sendPage, tr } from '../../core/http/layout.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { dpaLines, executionYears } from '../budgeting/index.ts';
import { createPackage, getPackages, METHODS } from './packages.service.ts';
import { packageFormQuery } from './packages.schema.ts';
import { num } from './controlling.pages.ts';

const hide = { hide: true } as const;
const anyBody = z.record(z.string(), z.unknown());
const perm = { auth: { permission: 'ctl.package.write' } } as const;

interface FormValues {
  name: string;
  method: string;
  planned_start: string;
  planned_end: string;
  value: string;
  lines: string[];
}
type Errors = Record<string, string>;

const FIELD_ORDER = ['name', 'method', 'planned_start', 'planned_end', 'value', 'lines'] as const;
const LABEL: Record<(typeof FIELD_ORDER)[number], string> = {
  name: 'ctl.pkgform.name',
  method: 'ctl.pkgform.method',
  planned_start: 'ctl.pkgform.start',
  planned_end: 'ctl.pkgform.end',
  value: 'ctl.pkgform.value',
  lines: 'ctl.pkgform.lines',
};

/** The form field an error names ('lines.3.line_id' → 'lines'; 'opd_id'/'year' → the lines, the form's subject). */
function fieldOf(path: string): (typeof FIELD_ORDER)[number] {
  const head = path.split('.')[0] ?? '';
  return (FIELD_ORDER as readonly string[]).includes(head) ? (head as (typeof FIELD_ORDER)[number]) : 'lines';
}

/** Errors of a refused post, by form field, translated. */
function errorsOf(req: FastifyRequest, err: unknown): Errors | null {
  const out: Errors = {};
  const add = (path: string, msg: string) => {
    const f = fieldOf(path);
    out[f] = out[f] ? `${out[f]} ${msg}` : msg;
  };
  if (err instanceof z.ZodError) for (const i of err.issues) add(i.path.map(String).join('.'), issueMessage(req, i));
  else if (err instanceof AppError && err.status < 500) {
    if (err.fields.length)
      for (const f of err.fields) add(f.field, /\s/.test(f.message) ? f.message : tr(req, f.message, f.params));
    else add('lines', tr(req, err.messageKey, err.params));
  } else return null;
  return out;
}

function valuesOf(body: Record<string, unknown>): FormValues {
  const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const raw = body.line;
  const lines = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (x): x is string => typeof x === 'string',
  );
  return {
    name: s('name'),
    method: s('method'),
    planned_start: s('planned_start'),
    planned_end: s('planned_end'),
    value: s('value'),
    lines,
  };
}

export async function packagePages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  const formPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    year: number,
    v: FormValues,
    opts: { errors?: Errors; notice?: string; status?: number } = {},
  ) => {
    const p = req.principal!;
    const lang = req.lang;
    const title = tr(req, 'ctl.pkgform.title', { year });
    if (!p.opdId)
      return sendPage(req, reply, { title, body: html`<p class="muted">${tr(req, 'ctl.pkgform.no_opd')}</p>` });
    const taken = new Set(
      (await getPackages(db, p.pemdaId, { year, opdId: p.opdId })).flatMap((k) => k.lines.map((l) => l.line_id)),
    );
    const free = (await dpaLines(db, p.pemdaId, year, p.opdId)).filter((l) => !taken.has(l.id));
    const e = opts.errors ?? {};
    const picked = new Set(v.lines);
    const err = (f: string): Html | string =>
      e[f] ? html`<span class="field-error" id="${f}-error">${e[f]}</span>` : '';
    const described = (f: string): Html | string =>
      e[f] ? html` aria-invalid="true" aria-describedby="${f}-error"` : '';
    const month = (f: 'planned_start' | 'planned_end') =>
      html`<label>${tr(req, LABEL[f])} <select name="${f}"${described(f)}><option value=""></option>${Array.from(
        { length: 12 },
        (_, i) => String(i + 1),
      ).map(
        (m) => html`<option value="${m}"${v[f] === m ? html` selected` : ''}>${m}</option>`,
      )}</select> ${err(f)}</label>`;
    const summary = Object.keys(e).length
      ? html`<div class="error" role="alert"><p>${tr(req, 'ctl.pkgform.errors')}</p><ul>${FIELD_ORDER.filter(
          (f) => e[f],
        ).map((f) => html`<li><a href="#f-${f}">${tr(req, LABEL[f])}</a>: ${e[f]}</li>`)}</ul></div>`
      : '';
    const body = html`${summary}<p class="muted">${tr(req, 'ctl.pkgform.intro')} <a href="/controlling/packages?year=${year}">${tr(req, 'ctl.pkgform.list')}</a></p>
<form method="post" action="/controlling/packages/new?year=${year}" class="form" id="package-form">${csrfField(req)}
<label id="f-name">${tr(req, LABEL.name)} <input name="name" required minlength="3" maxlength="300" value="${v.name}"${described('name')}> ${err('name')}</label>
<label id="f-method">${tr(req, LABEL.method)} <select name="method"${described('method')}><option value=""></option>${METHODS.map(
      (m) => html`<option value="${m}"${v.method === m ? html` selected` : ''}>${tr(req, `ctl.method.${m}`)}</option>`,
    )}</select> ${err('method')}</label>
<span id="f-planned_start">${month('planned_start')}</span> <span id="f-planned_end">${month('planned_end')}</span>
<label id="f-value">${tr(req, LABEL.value)} <input name="value" inputmode="numeric" maxlength="40" value="${v.value}"${described('value')}> ${err('value')}</label>
<fieldset id="f-lines"${described('lines')}><legend>${tr(req, LABEL.lines)} (${free.length})</legend> ${err('lines')}
${
  free.length
    ? html`<div class="table-wrap"><table class="data" id="package-lines"><thead><tr><th>${tr(req, 'ctl.pkgform.pick')}</th><th>${tr(req, 'ctl.col.sub')}</th>
<th>${tr(req, 'ctl.col.account')}</th><th>${tr(req, 'ctl.pkgform.line')}</th><th class="num">${tr(req, 'ctl.pkgform.amount')}</th></tr></thead><tbody>
${free.map(
  (
    l,
  ) => html`<tr><td><input type="checkbox" name="line" value="${l.id}" id="line-${l.id}"${picked.has(l.id) ? html` checked` : ''}></td>
<td>${l.sub_kegiatan_code ?? ''}</td><td>${l.account_code}</td><td><label for="line-${l.id}">${l.name}</label></td><td class="num">${num(lang, l.total)}</td></tr>`,
)}</tbody></table></div>`
    : html`<p class="muted">${tr(req, 'ctl.pkgform.no_lines')}</p>`
}</fieldset>
<div class="actions"><button>${tr(req, 'ctl.pkgform.send')}</button></div></form>`;
    return sendPage(req, reply, { title, body, notice: opts.notice, status: opts.status });
  };

  const yearOf = async (req: FastifyRequest, asked?: number) =>
    asked ?? (await executionYears(db, req.principal!.pemdaId))[0] ?? new Date().getFullYear();
  const empty: FormValues = { name: '', method: '', planned_start: '', planned_end: '', value: '', lines: [] };

  app.get(
    '/controlling/packages/new',
    { config: perm, schema: { ...hide, querystring: packageFormQuery } },
    async (req, reply) => {
      requirePermission(req.principal, 'ctl.package.write');
      return formPage(req, reply, await yearOf(req, req.query.year), empty);
    },
  );

  app.post(
    '/controlling/packages/new',
    { config: perm, schema: { ...hide, querystring: packageFormQuery, body: anyBody } },
    async (req, reply) => {
      const p = req.principal!;
      const year = await yearOf(req, req.query.year);
      const v = valuesOf(req.body);
      if (!v.lines.length)
        return formPage(req, reply, year, v, { errors: { lines: tr(req, 'ctl.pkgform.lines_required') }, status: 422 });
      try {
        const k = await createPackage(db, p, {
          year,
          opd_id: p.opdId ?? 0,
          name: v.name,
          method: v.method as (typeof METHODS)[number],
          planned_start: v.planned_start,
          planned_end: v.planned_end,
          lines: v.lines.map((line_id) => ({ line_id })),
          value: v.value.trim() ? v.value : undefined,
        });
        const notice = tr(req, 'ctl.pkgform.done', {
          name: k.name,
          lines: k.lines.length,
          value: num(req.lang, k.value),
          eproc: k.e_procurement ? tr(req, 'ctl.pkgform.eproc') : '',
        });
        return formPage(req, reply, year, empty, { notice, status: 201 });
      } catch (err) {
        const errors = errorsOf(req, err);
        if (!errors) throw err;
        const status = err instanceof AppError ? err.status : 400;
        return formPage(req, reply, year, v, { errors, status });
      }
    },
  );
}
