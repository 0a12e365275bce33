// Public REST API of planning (/api/v1/public/…): a citizen submits a Musrenbang proposal, anyone follows one by its code.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { notFound } from '../../core/errors.ts';
import { hitRateLimit } from '../../core/http/rate-limit.ts';
import { publicPrincipal } from '../../core/roles.ts';
import { conflictOut, errorOut } from './common.ts';
import * as props from './proposals.service.ts';
import { CITIZEN_FORM, citizenFormLimits, publicPemda } from './public-pemda.ts';
import { antispamGate, checkAntispam, withoutAntispam } from '../../core/http/antispam.ts';

import { tags, money, trackOut } from './planning.schema.ts';

export async function publicApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  // ---- public API ---------------------------------------------------------------------------------------------
  const pubQuery = z.object({ pemda: z.string().max(10).optional() });
  app.post(
    '/api/v1/public/musrenbang',
    {
      onRequest: antispamGate(
        db,
        CITIZEN_FORM,
        citizenFormLimits,
        async (req) => (await publicPemda(db, (req.query as { pemda?: string }).pemda)).id,
      ),
      config: { auth: 'public' },
      schema: {
        tags,
        summary:
          'A citizen submits a Musrenbang proposal (rate-limited per address and per Pemda; answer a challenge from ' +
          'GET /api/v1/public/challenge?form=pln.usul); answers the tracking code',
        querystring: pubQuery,
        body: props.citizenProposalSchema.extend({
          challenge_token: z.string().max(200),
          challenge_answer: z.union([z.string().max(10), z.number().int()]).transform(String),
        }),
        response: {
          201: z.object({ tracking_code: z.string(), year: z.number() }),
          400: errorOut,
          409: conflictOut,
          429: errorOut,
        },
      },
    },
    async (req, reply) => {
      const pemda = await publicPemda(db, req.query.pemda);
      await checkAntispam(db, pemda.id, CITIZEN_FORM, req.body);
      const r = await props.createCitizenProposal(
        db,
        publicPrincipal(req.server.registry.permissions, pemda.id),
        withoutAntispam(req.body),
      );
      return reply.code(201).send({ tracking_code: r.tracking_code, year: r.year });
    },
  );
  app.get(
    '/api/v1/public/proposals/:code',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Follow a proposal by its tracking code: every step, date and reason',
        params: z.object({ code: z.string().max(40) }),
        querystring: pubQuery,
        response: { 200: trackOut, 404: errorOut, 429: errorOut },
      },
    },
    async (req) => {
      const pemda = await publicPemda(db, req.query.pemda);
      await hitRateLimit(db, pemda.id, `pln.lacak:${req.ip}`, { windowSeconds: 60, max: 60 });
      const t = await props.publicTrack(db, pemda.id, req.params.code);
      if (!t) throw notFound('pln.error.tracking_unknown');
      return t;
    },
  );
  app.get(
    '/api/v1/public/pokir',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'The Pokir of a year with their outcomes, public once the year’s Renja is finalised',
        querystring: pubQuery.extend({ year: intIn(z.number().int().min(2000).max(2100)) }),
        response: {
          200: z.object({
            rows: z.array(
              z.object({
                tracking_code: z.string(),
                title: z.string(),
                stage: z.string(),
                status: z.string(),
                estimated_cost: money,
                recommended_amount: money.nullable(),
                opd_id: z.number().nullable(),
                sub_kegiatan_code: z.string().nullable(),
                renja_item_id: z.number().nullable(),
                kecamatan_id: z.number(),
                member: z.string(),
                komisi: z.string(),
                dapil: z.string(),
                fraksi: z.string(),
              }),
            ),
          }),
          404: errorOut,
        },
      },
    },
    async (req) => {
      const pemda = await publicPemda(db, req.query.pemda);
      const rows = await props.publicPokir(db, pemda.id, req.query.year);
      if (!rows) throw notFound('pln.error.pokir_not_public');
      return { rows };
    },
  );
}
