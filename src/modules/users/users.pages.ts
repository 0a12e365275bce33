// Web pages of the users module: log-in, log-out and user administration.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr, issueMessage } from '../../core/http/layout.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { SESSION_COOKIE } from '../../core/http/server.ts';
import { listPemda } from '../../core/tenancy.ts';
import { DEMO_PASSWORD, DEMO_PEMDA, demoSeedPolicy } from '../../core/seed.ts';
import { ROLES } from '../../core/roles.ts';
import { listOpds, listRegions } from '../master-data/index.ts';
import {
  createUser,
  getUser,
  listUsers,
  login,
  loginPemdaId,
  logout,
  updateUser,
  type PublicUser,
} from './users.service.ts';
import { setSessionCookie } from './users.routes.ts';

type Errors = Record<string, string>;

/**
 * Where to go after log-in: a path of this site only. Refused (→ "/"): anything not starting with
 * one "/", a "//" or "/\\" (another host), any backslash (browsers read it as "/"), any control
 * character or space (browsers drop tabs and newlines: "/\t/evil.example" is "//evil.example").
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/';
  if (!next.startsWith('/') || next.startsWith('//')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\\\u0000-\u0020\u007f]/.test(next)) return '/';
  return next;
}

function fieldErr(errors: Errors, name: string): Html | string {
  return errors[name] ? html`<span class="field-error" id="${name}-error">${errors[name]}</span>` : '';
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

export async function usersPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db, config } = ctx;
  const hide = { hide: true };

  const loginForm = async (
    req: FastifyRequest,
    opts: { error?: string; username?: string; next?: string; pemda?: string },
  ) => {
    const pemdas = await listPemda(db);
    // the demo password is shown only on a demo (a checkout's own data folder), never elsewhere
    const demo = demoSeedPolicy(config) === 'seed' && pemdas.some((p) => p.code === DEMO_PEMDA.code);
    return html`<form method="post" action="/login" class="form narrow">
  ${csrfField(req)}
  <input type="hidden" name="next" value="${opts.next ?? '/'}">
  ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
  ${
    pemdas.length > 1
      ? html`<label>${tr(req, 'usr.login.pemda')}<select name="pemda">${pemdas.map((p) => html`<option value="${p.code}" ${p.code === opts.pemda ? 'selected' : ''}>${p.name} (${p.code})</option>`)}</select></label>`
      : ''
  }
  <label>${tr(req, 'usr.login.username')}<input name="username" autocomplete="username" required value="${opts.username ?? ''}" autofocus></label>
  <label>${tr(req, 'usr.login.password')}<input name="password" type="password" autocomplete="current-password" required></label>
  <div class="actions"><button type="submit">${tr(req, 'usr.login.submit')}</button></div>
  ${demo ? html`<p class="muted">${tr(req, 'usr.login.demo_hint', { password: DEMO_PASSWORD })}</p>` : ''}
</form>`;
  };

  app.get(
    '/login',
    {
      config: { auth: 'public' },
      schema: { ...hide, querystring: z.object({ next: z.string().optional(), lang: z.string().optional() }) },
    },
    async (req, reply) => {
      if (req.principal) return reply.redirect(safeNext(req.query.next));
      return sendPage(req, reply, {
        title: tr(req, 'usr.login.title'),
        body: await loginForm(req, { next: safeNext(req.query.next) }),
      });
    },
  );

  app.post(
    '/login',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        body: z.object({
          pemda: z.string().max(200).optional(),
          pemda_id: intIn(z.number().int().positive().optional()),
          username: z.string().max(64),
          password: z.string().max(200),
          next: z.string().optional(),
          _csrf: z.string().optional(),
        }),
      },
    },
    async (req, reply) => {
      const next = safeNext(req.body.next);
      try {
        const s = await login(db, config, {
          pemdaId: await loginPemdaId(db, { pemda: req.body.pemda, pemdaId: req.body.pemda_id }),
          username: req.body.username,
          password: req.body.password,
          ip: req.ip,
          userAgent: req.headers['user-agent'],
        });
        setSessionCookie(reply, req.protocol === 'https', s);
        return reply.redirect(next, 303);
      } catch (err) {
        if (!(err instanceof AppError) || (err.status !== 401 && err.status !== 429 && err.status !== 400)) throw err;
        const body = await loginForm(req, {
          error: tr(req, err.fields[0]?.message ?? err.messageKey),
          username: req.body.username,
          next,
          pemda: req.body.pemda,
        });
        return sendPage(req, reply, { title: tr(req, 'usr.login.title'), body, status: err.status });
      }
    },
  );

  app.post('/logout', { config: { auth: { permission: 'session' } }, schema: hide }, async (req, reply) => {
    if (req.sessionId) await logout(db, req.principal!, req.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  // ---- user administration -------------------------------------------------------------------
  app.get(
    '/users',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        ...hide,
        querystring: z.object({
          q: z.string().max(100).optional(),
          role: z.enum(ROLES).optional().or(z.literal('')),
          page: intIn(z.number().int().min(1).default(1)),
        }),
      },
    },
    async (req, reply) => {
      const role = req.query.role || undefined;
      const { rows, total } = await listUsers(db, req.principal!.pemdaId, {
        q: req.query.q,
        role,
        limit: 50,
        offset: (req.query.page - 1) * 50,
      });
      const opds = new Map((await listOpds(db, req.principal!.pemdaId)).map((o) => [o.id, o.shortName || o.name]));
      const pages = Math.max(1, Math.ceil(total / 50));
      const body = html`
<form method="get" class="filters">
  <input type="search" name="q" value="${req.query.q ?? ''}" placeholder="${tr(req, 'common.search')}" aria-label="${tr(req, 'common.search')}">
  <select name="role" aria-label="${tr(req, 'usr.field.role')}"><option value="">${tr(req, 'usr.all_roles')}</option>${ROLES.map((r) => html`<option value="${r}" ${r === role ? 'selected' : ''}>${tr(req, `role.${r}`)}</option>`)}</select>
  <button>${tr(req, 'common.filter')}</button>
  <a class="button" href="/users/new">${tr(req, 'common.new')}</a>
</form>
<p class="muted">${tr(req, 'common.total_rows', { count: total })}</p>
<table class="data"><thead><tr><th>${tr(req, 'usr.field.username')}</th><th>${tr(req, 'usr.field.full_name')}</th><th>${tr(req, 'usr.field.role')}</th><th>${tr(req, 'usr.field.opd')}</th><th>${tr(req, 'common.status')}</th></tr></thead>
<tbody>${rows.map(
        (u) =>
          html`<tr><td><a href="/users/${u.id}">${u.username}</a></td><td>${u.full_name}</td><td>${tr(req, `role.${u.role}`)}</td><td>${u.opd_id ? opds.get(u.opd_id) : ''}</td><td>${u.active ? tr(req, 'common.active') : html`<span class="badge">${tr(req, 'common.inactive')}</span>`}</td></tr>`,
      )}</tbody></table>
<p class="pager">${tr(req, 'common.page_of', { page: req.query.page, pages })}
 ${req.query.page > 1 ? html`<a href="?q=${req.query.q ?? ''}&role=${role ?? ''}&page=${req.query.page - 1}">${tr(req, 'common.prev')}</a>` : ''}
 ${req.query.page < pages ? html`<a href="?q=${req.query.q ?? ''}&role=${role ?? ''}&page=${req.query.page + 1}">${tr(req, 'common.next')}</a>` : ''}</p>`;
      return sendPage(req, reply, { title: tr(req, 'usr.list.title'), body });
    },
  );

  const userForm = async (
    req: FastifyRequest,
    u: Partial<PublicUser> & { version?: number },
    errors: Errors,
    isNew: boolean,
  ) => {
    const pemdaId = req.principal!.pemdaId;
    const [opds, regions] = await Promise.all([listOpds(db, pemdaId), listRegions(db, pemdaId)]);
    return html`<form method="post" class="form">
  ${csrfField(req)}
  ${isNew ? '' : html`<input type="hidden" name="version" value="${u.version}">`}
  ${
    isNew
      ? html`<label>${tr(req, 'usr.field.username')}<input name="username" required value="${u.username ?? ''}" aria-describedby="username-error">${fieldErr(errors, 'username')}</label>`
      : ''
  }
  <label>${tr(req, 'usr.field.full_name')}<input name="full_name" required value="${u.full_name ?? ''}">${fieldErr(errors, 'full_name')}</label>
  <label>${tr(req, 'usr.field.nip')}<input name="nip" inputmode="numeric" value="${u.nip ?? ''}">${fieldErr(errors, 'nip')}</label>
  <label>${tr(req, 'usr.field.role')}<select name="role">${ROLES.map((r) => html`<option value="${r}" ${r === u.role ? 'selected' : ''}>${tr(req, `role.${r}`)}</option>`)}</select>${fieldErr(errors, 'role')}</label>
  <label>${tr(req, 'usr.field.opd')}<select name="opd_id"><option value="">—</option>${opds.map((o) => html`<option value="${o.id}" ${o.id === u.opd_id ? 'selected' : ''}>${o.code} ${o.name}</option>`)}</select>${fieldErr(errors, 'opd_id')}</label>
  <label>${tr(req, 'usr.field.region')}<select name="region_id"><option value="">—</option>${regions.map((r) => html`<option value="${r.id}" ${r.id === u.region_id ? 'selected' : ''}>${r.code} ${r.name}</option>`)}</select>${fieldErr(errors, 'region_id')}</label>
  <label>${tr(req, isNew ? 'usr.field.password' : 'usr.field.new_password')}<input name="password" type="password" autocomplete="new-password" ${isNew ? 'required' : ''}>${fieldErr(errors, 'password')}</label>
  ${isNew ? '' : html`<label class="check"><input type="checkbox" name="active" value="true" ${u.active ? 'checked' : ''}> ${tr(req, 'common.active')}</label>`}
  <div class="actions"><button type="submit">${tr(req, 'common.save')}</button> <a href="/users">${tr(req, 'common.cancel')}</a>${isNew ? '' : html` <a href="/users/${u.id}/tokens">${tr(req, 'usr.tokens.title')}</a>`}</div>
</form>`;
  };

  const formBody = z.record(z.string(), z.string());
  const emptyToNull = (v: string | undefined) => (v === undefined || v === '' ? null : v);

  app.get('/users/new', { config: { auth: { permission: 'users.manage' } }, schema: hide }, async (req, reply) =>
    sendPage(req, reply, {
      title: tr(req, 'usr.new.title'),
      body: await userForm(req, { role: 'opd_operator' }, {}, true),
    }),
  );

  app.post(
    '/users/new',
    { config: { auth: { permission: 'users.manage' } }, schema: { ...hide, body: formBody } },
    async (req, reply) => {
      const b = req.body;
      const input = {
        username: b.username ?? '',
        password: b.password ?? '',
        full_name: b.full_name ?? '',
        nip: emptyToNull(b.nip),
        role: b.role as never,
        opd_id: emptyToNull(b.opd_id) as never,
        region_id: emptyToNull(b.region_id) as never,
      };
      try {
        const u = await createUser(db, req.principal!, input);
        return reply.redirect(`/users/${u.id}?saved=1`, 303);
      } catch (err) {
        const errors = errorsOf(req, err);
        if (!errors) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'usr.new.title'),
          body: await userForm(
            req,
            { ...input, opd_id: Number(b.opd_id) || null, region_id: Number(b.region_id) || null },
            errors,
            true,
          ),
          status: 400,
        });
      }
    },
  );

  const idParams = z.object({ id: intIn(z.number().int().positive()) });
  app.get(
    '/users/:id',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: { ...hide, params: idParams, querystring: z.object({ saved: z.string().optional() }) },
    },
    async (req, reply) => {
      const u = await getUser(db, req.principal!.pemdaId, req.params.id);
      if (!u) throw notFound();
      return sendPage(req, reply, {
        title: tr(req, 'usr.edit.title', { username: u.username }),
        notice: req.query.saved ? tr(req, 'common.saved') : undefined,
        body: await userForm(req, u, {}, false),
      });
    },
  );

  app.post(
    '/users/:id',
    { config: { auth: { permission: 'users.manage' } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const b = req.body;
      const current = await getUser(db, req.principal!.pemdaId, req.params.id);
      if (!current) throw notFound();
      const input = {
        version: Number(b.version),
        full_name: b.full_name,
        nip: emptyToNull(b.nip),
        role: b.role as never,
        opd_id: emptyToNull(b.opd_id) as never,
        region_id: emptyToNull(b.region_id) as never,
        active: b.active === 'true',
        password: b.password ? b.password : undefined,
      };
      try {
        await updateUser(db, req.principal!, req.params.id, input);
        return reply.redirect(`/users/${req.params.id}?saved=1`, 303);
      } catch (err) {
        const errors = errorsOf(req, err);
        if (!errors) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'usr.edit.title', { username: current.username }),
          body: await userForm(
            req,
            { ...current, ...input, opd_id: Number(b.opd_id) || null, region_id: Number(b.region_id) || null },
            errors,
            false,
          ),
          status: 400,
        });
      }
    },
  );
}
