// REST API of the users module: log-in/log-out, the current user, user administration, tokens.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { ROLES } from '../../core/roles.ts';
import { notFound } from '../../core/errors.ts';
import { SESSION_COOKIE } from '../../core/http/server.ts';
import { permissionsOf } from '../../core/auth/policy.ts';
import {
  createApiToken,
  createUser,
  getUser,
  listUsers,
  login,
  loginPemdaId,
  logout,
  updateUser,
  userCreateSchema,
  userUpdateSchema,
  TOKEN_DAYS_DEFAULT,
  TOKEN_DAYS_MAX,
  type NewSession,
} from './users.service.ts';
import { listTokens, revokeToken } from './tokens.service.ts';

const userOut = z.object({
  id: z.number(),
  username: z.string(),
  full_name: z.string(),
  nip: z.string().nullable(),
  role: z.enum(ROLES),
  opd_id: z.number().nullable(),
  region_id: z.number().nullable(),
  active: z.boolean(),
  demo: z.boolean(),
  version: z.number(),
  created_at: z.date(),
  updated_at: z.date(),
});
const errorOut = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })),
});

export function setSessionCookie(reply: import('fastify').FastifyReply, secure: boolean, s: NewSession) {
  reply.setCookie(SESSION_COOKIE, s.cookie, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    expires: s.expiresAt,
  });
}

export async function usersApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db, config } = ctx;
  const tags = ['users'];

  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Log in with username and password; sets the session cookie',
        description:
          'Name the Pemda by `pemda`: its code (kode wilayah, e.g. "63.10") or its name ("Kabupaten Banjar"). ' +
          'It may be left out when the deployment serves one Pemda. `pemda_id` (numeric) is still accepted. ' +
          'API tokens carry their Pemda, so bearer clients never name it.',
        body: z.object({
          pemda: z.string().trim().max(200).optional(),
          pemda_id: z.number().int().positive().optional(),
          username: z.string().min(1).max(64),
          password: z.string().min(1).max(200),
        }),
        response: {
          200: z.object({ user: userOut, csrf: z.string(), expires_at: z.date() }),
          400: errorOut,
          401: errorOut,
          429: errorOut,
        },
      },
    },
    async (req, reply) => {
      const s = await login(db, config, {
        pemdaId: await loginPemdaId(db, { pemda: req.body.pemda, pemdaId: req.body.pemda_id }),
        username: req.body.username,
        password: req.body.password,
        ip: req.ip,
        userAgent: req.headers['user-agent'],
      });
      setSessionCookie(reply, req.protocol === 'https', s);
      return { user: s.user, csrf: s.csrf, expires_at: s.expiresAt };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { auth: { permission: 'session' } },
      schema: { tags, summary: 'End the current session', response: { 204: z.undefined() } },
    },
    async (req, reply) => {
      if (req.sessionId) await logout(db, req.principal!, req.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { auth: { permission: 'session' } },
      schema: {
        tags,
        summary: 'The current user and what they may do',
        response: { 200: z.object({ user: userOut, permissions: z.array(z.string()) }) },
      },
    },
    async (req) => {
      const user = await getUser(db, req.principal!.pemdaId, req.principal!.userId);
      if (!user) throw notFound();
      return { user, permissions: permissionsOf(req.principal) };
    },
  );

  app.get(
    '/api/v1/users',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        tags,
        summary: 'List users',
        querystring: z.object({
          q: z.string().max(100).optional(),
          role: z.enum(ROLES).optional(),
          opd_id: intIn(z.number().int().positive().optional()),
          limit: intIn(z.number().int().min(1).max(500).default(50)),
          offset: intIn(z.number().int().min(0).default(0)),
        }),
        response: { 200: z.object({ rows: z.array(userOut), total: z.number() }) },
      },
    },
    async (req) => listUsers(db, req.principal!.pemdaId, { ...req.query, opdId: req.query.opd_id }),
  );

  app.post(
    '/api/v1/users',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: { tags, summary: 'Create a user', body: userCreateSchema, response: { 201: userOut, 400: errorOut } },
    },
    async (req, reply) => reply.code(201).send(await createUser(db, req.principal!, req.body)),
  );

  app.get(
    '/api/v1/users/:id',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        tags,
        summary: 'One user',
        params: z.object({ id: intIn(z.number().int().positive()) }),
        response: { 200: userOut, 404: errorOut },
      },
    },
    async (req) => {
      const u = await getUser(db, req.principal!.pemdaId, req.params.id);
      if (!u) throw notFound();
      return u;
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        tags,
        summary: 'Update a user (send the version you read; 409 when stale). active=false deactivates.',
        params: z.object({ id: intIn(z.number().int().positive()) }),
        body: userUpdateSchema,
        response: { 200: userOut, 400: errorOut, 404: errorOut, 409: errorOut.extend({ details: z.unknown() }) },
      },
    },
    async (req) => updateUser(db, req.principal!, req.params.id, req.body),
  );

  app.post(
    '/api/v1/users/:id/tokens',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        tags,
        summary: 'Create an API bearer token for a user (shown once)',
        params: z.object({ id: intIn(z.number().int().positive()) }),
        body: z.object({
          name: z.string().trim().min(1).max(100),
          expires_in_days: z.number().int().min(1).max(TOKEN_DAYS_MAX).default(TOKEN_DAYS_DEFAULT),
        }),
        response: { 201: z.object({ token: z.string() }), 400: errorOut, 404: errorOut },
      },
    },
    async (req, reply) => {
      const u = await getUser(db, req.principal!.pemdaId, req.params.id);
      if (!u) throw notFound();
      const token = await createApiToken(
        db,
        req.principal!.pemdaId,
        u.username,
        req.body.name,
        req.principal!,
        req.body.expires_in_days,
      );
      return reply.code(201).send({ token });
    },
  );

  // ---- tokens: listed and revoked by their owner, and by the admin ------------------------------
  const tokenOut = z.object({
    id: z.number(),
    name: z.string(),
    created_at: z.date(),
    expires_at: z.date(),
    last_used_at: z.date().nullable(),
    revoked_at: z.date().nullable(),
    state: z.enum(['active', 'expired', 'revoked']),
  });
  app.get(
    '/api/v1/me/tokens',
    {
      config: { auth: { permission: 'session' } },
      schema: {
        tags,
        summary: 'My API tokens (never their secret)',
        response: { 200: z.object({ rows: z.array(tokenOut) }) },
      },
    },
    async (req) => ({ rows: await listTokens(db, req.principal!.pemdaId, req.principal!.userId) }),
  );
  app.delete(
    '/api/v1/me/tokens/:tokenId',
    {
      config: { auth: { permission: 'session' } },
      schema: {
        tags,
        summary: 'Revoke one of my API tokens',
        params: z.object({ tokenId: intIn(z.number().int().positive()) }),
        response: { 200: tokenOut, 404: errorOut },
      },
    },
    async (req) => revokeToken(db, req.principal!, req.principal!.userId, req.params.tokenId),
  );
  app.get(
    '/api/v1/users/:id/tokens',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        tags,
        summary: "A user's API tokens",
        params: z.object({ id: intIn(z.number().int().positive()) }),
        response: { 200: z.object({ rows: z.array(tokenOut) }), 404: errorOut },
      },
    },
    async (req) => {
      if (!(await getUser(db, req.principal!.pemdaId, req.params.id))) throw notFound();
      return { rows: await listTokens(db, req.principal!.pemdaId, req.params.id) };
    },
  );
  app.delete(
    '/api/v1/users/:id/tokens/:tokenId',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        tags,
        summary: "Revoke a user's API token",
        params: z.object({ id: intIn(z.number().int().positive()), tokenId: intIn(z.number().int().positive()) }),
        response: { 200: tokenOut, 404: errorOut },
      },
    },
    async (req) => revokeToken(db, req.principal!, req.params.id, req.params.tokenId),
  );
}
