// REST API of Musrenbang and Pokir proposals.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { fieldError, notFound } from '../../core/errors.ts';
import { idParam } from './common.ts';
import * as props from './proposals.service.ts';

import { tags, renjaItemOut, proposalOut, stepOut, versionBody, errs, pid } from './planning.schema.ts';

export async function proposalsApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const P = '/api/v1/planning';

  // ---- proposals (Musrenbang and Pokir) -------------------------------------------------------------------------
  app.get(
    `${P}/proposals`,
    {
      config: { auth: { permission: 'planning.proposal.read' } },
      schema: {
        tags,
        summary: 'Musrenbang proposals and Pokir the caller may see, by priority score, with rank per stage',
        querystring: props.listQuerySchema,
        response: { 200: z.object({ rows: z.array(proposalOut), total: z.number() }) },
      },
    },
    async (req) => props.listProposals(db, req.principal!, req.query),
  );
  app.get(
    `${P}/backlog`,
    {
      config: { auth: { permission: 'planning.proposal.read' } },
      schema: {
        tags,
        summary: 'Accepted proposals of earlier years not funded (backlog), for the Musrenbang of a year to see first',
        querystring: z.object({ year: intIn(z.number().int().min(2000).max(2100)) }),
        response: { 200: z.object({ rows: z.array(proposalOut) }) },
      },
    },
    async (req) => ({ rows: await props.listBacklog(db, req.principal!, req.query.year) }),
  );
  app.post(
    `${P}/proposals`,
    {
      config: { auth: { permission: 'planning.proposal.enter' } },
      schema: {
        tags,
        summary: 'Enter a Musrenbang proposal (operator of the kelurahan/kecamatan, or Bappeda)',
        body: props.proposalCreateSchema,
        response: { 201: proposalOut, ...errs },
      },
    },
    async (req, reply) =>
      reply.code(201).send(props.proposalOut(await props.createProposal(db, req.principal!, req.body))),
  );
  app.post(
    `${P}/pokir`,
    {
      config: { auth: { permission: 'planning.pokir.enter' } },
      schema: {
        tags,
        summary: 'A DPRD member enters a Pokir (only inside the year’s window, before the Renja is finalised)',
        body: props.pokirCreateSchema,
        response: { 201: proposalOut, ...errs },
      },
    },
    async (req, reply) =>
      reply.code(201).send(props.proposalOut(await props.createPokir(db, req.principal!, req.body))),
  );
  app.get(
    `${P}/proposals/:id`,
    {
      config: { auth: { permission: 'planning.proposal.read' } },
      schema: {
        tags,
        summary: 'A proposal with every step',
        params: idParam,
        response: { 200: z.object({ proposal: proposalOut, steps: z.array(stepOut) }), ...errs },
      },
    },
    async (req) => {
      const r = await props.loadProposal(db, pid(req), req.params.id);
      if (!props.canSee(req.principal!, r)) throw notFound();
      return { proposal: props.proposalOut(r), steps: await props.proposalSteps(db, pid(req), r.id) };
    },
  );
  app.patch(
    `${P}/proposals/:id`,
    {
      config: { auth: { permission: 'planning.proposal.read' } },
      schema: {
        tags,
        summary: 'Edit a proposal while it waits at its first stage (whoever entered it)',
        params: idParam,
        body: props.proposalUpdateSchema,
        response: { 200: proposalOut, ...errs },
      },
    },
    async (req) => props.proposalOut(await props.updateProposal(db, req.principal!, req.params.id, req.body)),
  );
  app.post(
    `${P}/proposals/:id/mapping`,
    {
      config: { auth: { permission: 'planning.proposal.map' } },
      schema: {
        tags,
        summary: 'Confirm the sub kegiatan and responsible OPD of a proposal (suggested from its category)',
        params: idParam,
        body: props.mappingSchema,
        response: { 200: proposalOut, ...errs },
      },
    },
    async (req) => props.proposalOut(await props.mapProposal(db, req.principal!, req.params.id, req.body)),
  );
  app.post(
    `${P}/proposals/:id/decision`,
    {
      config: { auth: { permission: 'planning.proposal.decide' } },
      schema: {
        tags,
        summary:
          'Decide at the current stage: accept (recommended amount, volume, urgency 1–5), reject (reason), merge into another (merge_into), or defer to the backlog (TAPD; reason)',
        params: idParam,
        body: props.decisionSchema,
        response: { 200: proposalOut, ...errs },
      },
    },
    async (req) => props.proposalOut(await props.decide(db, req.principal!, req.params.id, req.body)),
  );
  app.post(
    `${P}/proposals/:id/renja`,
    {
      config: { auth: { permission: 'planning.proposal.renja' } },
      schema: {
        tags,
        summary: 'Put an accepted proposal into its OPD’s draft Renja (as, or into, the item of its sub kegiatan)',
        params: idParam,
        body: versionBody,
        response: { 200: z.object({ proposal: proposalOut, item: renjaItemOut }), ...errs },
      },
    },
    async (req) => {
      const r = await props.enterRenja(db, req.principal!, req.params.id, req.body);
      return { proposal: props.proposalOut(r.proposal), item: r.item };
    },
  );
  app.post(
    `${P}/proposals/:id/carry-over`,
    {
      config: { auth: { permission: 'planning.proposal.enter' } },
      schema: {
        tags,
        summary: 'Carry a backlog proposal into a later year’s Musrenbang (a new proposal keeping the history)',
        params: idParam,
        body: props.carryOverSchema,
        response: { 201: proposalOut, ...errs },
      },
    },
    async (req, reply) =>
      reply.code(201).send(props.proposalOut(await props.carryOver(db, req.principal!, req.params.id, req.body))),
  );
  app.put(
    `${P}/proposals/:id/photo`,
    {
      config: { auth: { permission: 'planning.proposal.read' } },
      schema: {
        tags,
        summary: 'Attach a photo (JPEG, PNG or WebP, at most 1 MB) as multipart field "photo"',
        params: idParam,
        consumes: ['multipart/form-data'],
        response: { 204: z.undefined(), ...errs },
      },
    },
    async (req, reply) => {
      const data = (req.body as Record<string, unknown> | undefined)?.photo;
      if (!Buffer.isBuffer(data)) throw fieldError('photo', 'field.required');
      await props.setPhoto(db, req.principal!, req.params.id, data);
      return reply.code(204).send();
    },
  );
}
