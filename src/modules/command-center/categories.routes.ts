// The category table, for the Pemda's administrator: the API (PUT one category) and the pages
// (list, edit form). Parse (schema) → authorise → service, as the other command-center routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { intIn } from '../../core/number.ts';
import { AppError } from '../../core/errors.ts';
import { listOpds } from '../master-data/index.ts';
import { categoryIdParam, categoryIn } from './categories.schema.ts';
import { getCategoryForEdit, listAllCategories, updateCategory } from './categories.service.ts';
import type { Category } from './incidents.service.ts';
import { errorBox, errorsOf, fieldErr, formBody, priorityBadge, statusOf, type Errors } from './ui.ts';

const tags = ['command-center'];
const hide = { hide: true } as const;
const versionField = intIn(z.number().int().positive().max(2_147_483_647));
const categoryPut = z.object({ version: versionField }).and(categoryIn);

export async function categoryRoutes(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const perm = { auth: { permission: 'cc.settings' } };

  app.put(
    '/api/v1/cc/categories/:id',
    {
      config: perm,
      schema: {
        tags,
        summary: 'Change a category: responding OPD, default priority, targets (version from the last read)',
        params: categoryIdParam,
        body: categoryPut,
      },
    },
    async (req) => {
      const { version, ...rest } = req.body;
      return updateCategory(db, req.principal!, req.params.id, version, rest);
    },
  );

  const opdNames = async (req: FastifyRequest) =>
    new Map((await listOpds(db, req.principal!.pemdaId)).map((o) => [o.id, o.name]));

  app.get(
    '/command-center/categories',
    { config: perm, schema: { ...hide, querystring: z.object({ ok: z.string().max(20).optional() }) } },
    async (req, reply) => {
      const cats = await listAllCategories(db, req.principal!);
      const names = await opdNames(req);
      const name = (c: Category) => (req.lang === 'en' ? c.name_en : c.name_id);
      const saved = req.query.ok ? cats.find((c) => c.code === req.query.ok) : undefined;
      return sendPage(req, reply, {
        title: tr(req, 'cc.nav.categories'),
        notice: saved ? tr(req, 'cc.cat.saved', { name: name(saved) }) : undefined,
        body: html`<p class="muted">${tr(req, 'cc.cat.intro')}</p>
<div class="table-wrap"><table class="data cc-categories"><thead><tr><th>${tr(req, 'cc.field.category')}</th><th>${tr(req, 'cc.cat.opds')}</th><th>${tr(req, 'cc.field.priority')}</th><th class="num">${tr(req, 'cc.cat.dispatch_min')}</th><th class="num">${tr(req, 'cc.cat.arrive_min')}</th><th class="num">${tr(req, 'cc.cat.resolve_min')}</th><th>${tr(req, 'cc.cat.public')}</th><th></th></tr></thead>
<tbody>${cats.map(
          (c) =>
            html`<tr class="${c.active ? '' : 'muted'}"><td>${c.code} ${name(c)}${c.active ? '' : html` <span class="badge">${tr(req, 'cc.cat.inactive')}</span>`}</td><td>${c.opd_ids.length ? c.opd_ids.map((o) => names.get(o) ?? String(o)).join(', ') : html`<span class="muted">${c.external || '—'}</span>`}</td><td>${priorityBadge(req, c.priority)}</td><td class="num">${c.dispatch_min}</td><td class="num">${c.arrive_min}</td><td class="num">${c.resolve_min}</td><td>${c.public ? tr(req, 'common.yes') : tr(req, 'common.no')}</td><td><a href="/command-center/categories/${c.id}/edit">${tr(req, 'common.edit')}</a></td></tr>`,
        )}</tbody></table></div>`,
      });
    },
  );

  const form = async (
    req: FastifyRequest,
    c: Category,
    values: Record<string, unknown>,
    e?: { errors: Errors; message: string } | null,
  ) => {
    const opds = await listOpds(db, req.principal!.pemdaId);
    const v = (k: string) => String(values[k] ?? '');
    const chosen = new Set([values.opd_ids ?? []].flat().map(String));
    const err = e?.errors;
    const num = (k: string) =>
      html`<label>${tr(req, `cc.cat.${k}`)}<input name="${k}" required inputmode="numeric" value="${v(k)}" aria-describedby="${k}-error">${fieldErr(err, k)}</label>`;
    return html`<form method="post" action="/command-center/categories/${c.id}/edit" class="form cc-category-form">${csrfField(req)}${errorBox(e)}
<input type="hidden" name="version" value="${v('version')}">
<p><b>${c.code}</b></p>
<label>${tr(req, 'cc.cat.name_id')}<input name="name_id" required maxlength="100" value="${v('name_id')}">${fieldErr(err, 'name_id')}</label>
<label>${tr(req, 'cc.cat.name_en')}<input name="name_en" required maxlength="100" value="${v('name_en')}">${fieldErr(err, 'name_en')}</label>
<label>${tr(req, 'cc.field.priority')}<select name="priority">${[1, 2, 3, 4].map((p) => html`<option value="${p}" ${String(p) === v('priority') ? 'selected' : ''}>${p} ${tr(req, `cc.priority.${p}`)}</option>`)}</select>${fieldErr(err, 'priority')}</label>
<div class="grid">${num('dispatch_min')}${num('arrive_min')}${num('resolve_min')}</div>
<fieldset><legend>${tr(req, 'cc.cat.opds')}</legend>${fieldErr(err, 'opd_ids')}${opds.map(
      (o) =>
        html`<label class="check"><input type="checkbox" name="opd_ids" value="${o.id}" ${chosen.has(String(o.id)) ? 'checked' : ''}> ${o.name}</label>`,
    )}</fieldset>
<label>${tr(req, 'cc.cat.external')}<input name="external" maxlength="200" value="${v('external')}">${fieldErr(err, 'external')}</label>
<label class="check"><input type="checkbox" name="public" value="1" ${values.public === true || values.public === '1' ? 'checked' : ''}> ${tr(req, 'cc.cat.public_hint')}</label>
<label class="check"><input type="checkbox" name="active" value="1" ${values.active === true || values.active === '1' ? 'checked' : ''}> ${tr(req, 'cc.cat.active_hint')}</label>
<div class="actions"><button type="submit">${tr(req, 'common.save')}</button> <a href="/command-center/categories">${tr(req, 'common.cancel')}</a></div>
</form>`;
  };

  app.get(
    '/command-center/categories/:id/edit',
    { config: perm, schema: { ...hide, params: categoryIdParam } },
    async (req, reply) => {
      const c = await getCategoryForEdit(db, req.principal!, req.params.id);
      return sendPage(req, reply, {
        title: tr(req, 'cc.cat.edit', { code: c.code }),
        body: await form(req, c, { ...c, opd_ids: c.opd_ids.map(String) }),
      });
    },
  );

  app.post(
    '/command-center/categories/:id/edit',
    { config: perm, schema: { ...hide, params: categoryIdParam, body: z.record(z.string(), z.unknown()) } },
    async (req, reply) => {
      const c = await getCategoryForEdit(db, req.principal!, req.params.id);
      const b = formBody(req.body);
      const values = { ...b, public: b.public === '1', active: b.active === '1', opd_ids: [b.opd_ids ?? []].flat() };
      try {
        const { version, ...input } = categoryPut.parse(values);
        const saved = await updateCategory(db, req.principal!, c.id, version, input);
        return reply.redirect(`/command-center/categories?ok=${encodeURIComponent(saved.code)}`, 303);
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        // a stale edit: show what is saved now (the administrator redoes the change on top of it)
        const stale = err instanceof AppError && err.status === 409;
        return sendPage(req, reply, {
          title: tr(req, 'cc.cat.edit', { code: c.code }),
          body: await form(req, c, stale ? { ...c, opd_ids: c.opd_ids.map(String) } : values, e),
          status: statusOf(err),
        });
      }
    },
  );
}
