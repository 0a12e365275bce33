// Pages of API tokens: "my tokens" for everyone signed in, and a user's tokens for the admin
// (on the user's page). Revoking asks first (a tick box, no JavaScript) and says what it did.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { getUser } from './users.service.ts';
import { listTokens, revokeToken, type TokenOut } from './tokens.service.ts';

const when = (req: FastifyRequest, d: Date | null) =>
  d
    ? new Intl.DateTimeFormat(req.lang === 'en' ? 'en-GB' : 'id-ID', {
        dateStyle: 'medium',
        timeStyle: 'short',
      }).format(d)
    : tr(req, 'usr.tokens.never');

/** The tokens table with a revoke form per active token posting to `${base}/${id}/revoke`. */
export function tokensTable(req: FastifyRequest, tokens: TokenOut[], base: string): Html {
  if (!tokens.length) return html`<p class="muted">${tr(req, 'usr.tokens.none')}</p>`;
  return html`<table class="data tokens"><thead><tr><th>${tr(req, 'usr.tokens.name')}</th><th>${tr(req, 'usr.tokens.created')}</th><th>${tr(req, 'usr.tokens.expires')}</th><th>${tr(req, 'usr.tokens.last_used')}</th><th>${tr(req, 'usr.tokens.state')}</th><th></th></tr></thead>
<tbody>${tokens.map(
    (t) =>
      html`<tr><td>${t.name}</td><td>${when(req, t.created_at)}</td><td>${when(req, t.expires_at)}</td><td>${when(req, t.last_used_at)}</td><td>${tr(req, `usr.tokens.state.${t.state}`)}</td><td>${
        t.state === 'active'
          ? html`<form method="post" action="${base}/${t.id}/revoke" class="inline">${csrfField(req)}<label class="check"><input type="checkbox" name="confirm" value="yes" required> ${tr(req, 'usr.tokens.revoke_confirm')}</label> <button class="danger">${tr(req, 'usr.tokens.revoke')}</button></form>`
          : ''
      }</td></tr>`,
  )}</tbody></table>`;
}

export async function tokensPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const hide = { hide: true } as const;
  const confirmBody = z.object({ confirm: z.literal('yes'), _csrf: z.string().optional() });

  app.get(
    '/tokens',
    {
      config: { auth: { permission: 'session' } },
      schema: { ...hide, querystring: z.object({ revoked: z.string().max(100).optional() }) },
    },
    async (req, reply) => {
      const tokens = await listTokens(db, req.principal!.pemdaId, req.principal!.userId);
      return sendPage(req, reply, {
        title: tr(req, 'usr.tokens.title'),
        notice: req.query.revoked ? tr(req, 'usr.tokens.revoked', { name: req.query.revoked }) : undefined,
        body: html`<p>${tr(req, 'usr.tokens.intro')}</p>${tokensTable(req, tokens, '/tokens')}`,
      });
    },
  );
  app.post(
    '/tokens/:tokenId/revoke',
    {
      config: { auth: { permission: 'session' } },
      schema: { ...hide, params: z.object({ tokenId: intIn(z.number().int().positive()) }), body: confirmBody },
    },
    async (req, reply) => {
      const t = await revokeToken(db, req.principal!, req.principal!.userId, req.params.tokenId);
      return reply.redirect(`/tokens?revoked=${encodeURIComponent(t.name)}`, 303);
    },
  );

  app.get(
    '/users/:id/tokens',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        ...hide,
        params: z.object({ id: intIn(z.number().int().positive()) }),
        querystring: z.object({ revoked: z.string().max(100).optional() }),
      },
    },
    async (req, reply) => {
      const u = await getUser(db, req.principal!.pemdaId, req.params.id);
      if (!u) throw notFound();
      const tokens = await listTokens(db, req.principal!.pemdaId, u.id);
      return sendPage(req, reply, {
        title: `${tr(req, 'usr.tokens.title')}: ${u.username}`,
        notice: req.query.revoked ? tr(req, 'usr.tokens.revoked', { name: req.query.revoked }) : undefined,
        body: html`${tokensTable(req, tokens, `/users/${u.id}/tokens`)}<p><a href="/users/${u.id}">${u.username}</a></p>`,
      });
    },
  );
  app.post(
    '/users/:id/tokens/:tokenId/revoke',
    {
      config: { auth: { permission: 'users.manage' } },
      schema: {
        ...hide,
        params: z.object({ id: intIn(z.number().int().positive()), tokenId: intIn(z.number().int().positive()) }),
        body: confirmBody,
      },
    },
    async (req, reply) => {
      const t = await revokeToken(db, req.principal!, req.params.id, req.params.tokenId);
      return reply.redirect(`/users/${req.params.id}/tokens?revoked=${encodeURIComponent(t.name)}`, 303);
    },
  );
}
