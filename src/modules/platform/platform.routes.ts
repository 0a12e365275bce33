// The platform API: a platform administrator lists and creates the Pemda of a deployment. A new
// Pemda gets the base data of every module (and, when asked, its first administrator).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { addPemda } from '../../core/seed.ts';
import { listPemda } from '../../core/tenancy.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { createUser } from '../users/index.ts';
import { pemdaCreateSchema, pemdaOut } from './platform.schema.ts';

const errorOut = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })),
});

export async function platformApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const modules = ctx.modules ?? [];
  const tags = ['platform'];

  app.get(
    '/api/v1/platform/pemda',
    {
      config: { auth: { permission: 'platform.pemda.manage' } },
      schema: {
        tags,
        summary: 'Every Pemda of the deployment (platform administrators)',
        response: { 200: z.object({ rows: z.array(pemdaOut) }) },
      },
    },
    async (req) => {
      requirePermission(req.principal, 'platform.pemda.manage');
      const rows = await listPemda(db, { all: true });
      return {
        rows: rows.map(({ id, code, name, kind, province, active }) => ({ id, code, name, kind, province, active })),
      };
    },
  );

  app.post(
    '/api/v1/platform/pemda',
    {
      config: { auth: { permission: 'platform.pemda.manage' } },
      schema: {
        tags,
        summary: 'Create a Pemda with the base data of every module (and optionally its first administrator)',
        description:
          'Its users then log in naming it by code or name (`pemda` in POST /api/v1/auth/login). ' +
          'Takes a few seconds: nomenclature and accounts are loaded for the fiscal years.',
        body: pemdaCreateSchema,
        response: {
          201: z.object({ pemda: pemdaOut, admin: z.object({ id: z.number(), username: z.string() }).nullable() }),
          400: errorOut,
        },
      },
    },
    async (req, reply) => {
      requirePermission(req.principal, 'platform.pemda.manage');
      const { admin, ...input } = req.body;
      const pemda = await addPemda(db, modules, input, { actor: req.principal!, registry: req.server.registry });
      let created: { id: number; username: string } | null = null;
      if (admin) {
        const u = await createUser(db, req.server.registry.system(pemda.id, `platform:${req.principal!.username}`), {
          ...admin,
          role: 'admin',
        });
        created = { id: u.id, username: u.username };
      }
      const { id, code, name, kind, province, active } = pemda;
      return reply.code(201).send({ pemda: { id, code, name, kind, province, active }, admin: created });
    },
  );
}
