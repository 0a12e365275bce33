// REST API of the medium-term plans: RPJMD, Renstra, their indicators and ceilings, the cascade.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { notFound } from '../../core/errors.ts';
import { errorOut, idParam } from './common.ts';
import * as plans from './plans.service.ts';

import {
  tags,
  rpjmdOut,
  nodeOut,
  rpjmdNodeRow,
  renstraOut,
  renstraNodeRow,
  indicatorRow,
  ceilingsOut,
  cascadeLevel,
  errs,
  pid,
  idOf,
} from './planning.schema.ts';

export async function plansApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const P = '/api/v1/planning';
  const read = { auth: { permission: 'planning.read' } } as const;

  // ---- RPJMD ------------------------------------------------------------------------------------------
  app.get(
    `${P}/rpjmd`,
    {
      config: read,
      schema: {
        tags,
        summary: 'RPJMD documents, newest first',
        response: { 200: z.object({ rows: z.array(rpjmdOut) }) },
      },
    },
    async (req) => ({
      rows: await plans.listRpjmd(db, pid(req)),
    }),
  );
  app.post(
    `${P}/rpjmd`,
    {
      config: { auth: { permission: 'planning.rpjmd.write' } },
      schema: {
        tags,
        summary: 'Create an RPJMD (five years from year_from)',
        body: plans.rpjmdCreateSchema,
        response: { 201: rpjmdOut, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await plans.createRpjmd(db, req.principal!, req.body)),
  );
  app.get(
    `${P}/rpjmd/:id`,
    {
      config: read,
      schema: {
        tags,
        summary:
          'An RPJMD with its tree: missions, goals, targets, strategies, programs, indicators with yearly targets, program ceilings',
        params: idParam,
        response: { 200: z.object({ rpjmd: rpjmdOut, nodes: z.array(nodeOut) }), 404: errorOut },
      },
    },
    async (req) => {
      const t = await plans.rpjmdTree(db, pid(req), req.params.id);
      if (!t) throw notFound();
      return t;
    },
  );
  app.patch(
    `${P}/rpjmd/:id`,
    {
      config: { auth: { permission: 'planning.rpjmd.write' } },
      schema: {
        tags,
        summary: 'Update an RPJMD (title, vision, status draft/approved); send the version read',
        params: idParam,
        body: plans.rpjmdUpdateSchema,
        response: { 200: rpjmdOut, ...errs },
      },
    },
    async (req) => plans.updateRpjmd(db, req.principal!, req.params.id, req.body),
  );
  app.post(
    `${P}/rpjmd/:id/nodes`,
    {
      config: { auth: { permission: 'planning.rpjmd.write' } },
      schema: {
        tags,
        summary: 'Add a mission, goal (tujuan), target (sasaran), strategy or program to a draft RPJMD',
        params: idParam,
        body: plans.rpjmdNodeCreateSchema,
        response: { 201: rpjmdNodeRow, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await plans.addRpjmdNode(db, req.principal!, req.params.id, req.body)),
  );
  app.patch(
    `${P}/rpjmd-nodes/:id`,
    {
      config: { auth: { permission: 'planning.rpjmd.write' } },
      schema: {
        tags,
        summary: 'Update an RPJMD element',
        params: idParam,
        body: plans.rpjmdNodeUpdateSchema,
        response: { 200: rpjmdNodeRow, ...errs },
      },
    },
    async (req) => plans.updateRpjmdNode(db, req.principal!, req.params.id, req.body),
  );
  app.delete(
    `${P}/rpjmd-nodes/:id`,
    {
      config: { auth: { permission: 'planning.rpjmd.write' } },
      schema: {
        tags,
        summary: 'Delete an RPJMD element without children or Renstra links',
        params: idParam,
        response: { 204: z.undefined(), ...errs },
      },
    },
    async (req, reply) => {
      await plans.deleteRpjmdNode(db, req.principal!, req.params.id);
      return reply.code(204).send();
    },
  );
  app.put(
    `${P}/rpjmd-nodes/:id/ceilings`,
    {
      config: { auth: { permission: 'planning.rpjmd.write' } },
      schema: {
        tags,
        summary: "Set an RPJMD program's indicative ceiling per year (replaces them)",
        params: idParam,
        body: plans.ceilingsSchema,
        response: { 200: ceilingsOut, ...errs },
      },
    },
    async (req) => plans.setRpjmdCeilings(db, req.principal!, req.params.id, req.body),
  );

  // ---- Renstra ------------------------------------------------------------------------------------------
  app.get(
    `${P}/renstra`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Renstra documents (filter by RPJMD, OPD)',
        querystring: z.object({
          rpjmd_id: intIn(z.number().int().positive().optional()),
          opd_id: intIn(z.number().int().positive().optional()),
        }),
        response: { 200: z.object({ rows: z.array(renstraOut) }) },
      },
    },
    async (req) => ({
      rows: await plans.listRenstra(db, pid(req), { rpjmdId: req.query.rpjmd_id, opdId: req.query.opd_id }),
    }),
  );
  app.post(
    `${P}/renstra`,
    {
      config: {
        auth: { permission: 'planning.renstra.write', opd: (req) => (req.body as { opd_id?: number })?.opd_id },
      },
      schema: {
        tags,
        summary: 'Create the Renstra of an OPD under an RPJMD',
        body: plans.renstraCreateSchema,
        response: { 201: renstraOut, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await plans.createRenstra(db, req.principal!, req.body)),
  );
  app.get(
    `${P}/renstra/:id`,
    {
      config: read,
      schema: {
        tags,
        summary:
          'A Renstra with its tree: goals, targets, programs, kegiatan, sub kegiatan, indicators with yearly targets, ceilings per year',
        params: idParam,
        response: { 200: z.object({ renstra: renstraOut, nodes: z.array(nodeOut) }), 404: errorOut },
      },
    },
    async (req) => {
      const t = await plans.renstraTree(db, pid(req), req.params.id);
      if (!t) throw notFound();
      return t;
    },
  );
  app.patch(
    `${P}/renstra/:id`,
    {
      config: { auth: { permission: 'planning.renstra.approve' } },
      schema: {
        tags,
        summary: 'Approve a Renstra or send it back to draft (Bappeda)',
        params: idParam,
        body: plans.renstraUpdateSchema,
        response: { 200: renstraOut, ...errs },
      },
    },
    async (req) => plans.setRenstraStatus(db, req.principal!, req.params.id, req.body),
  );
  const renstraOpd = async (req: FastifyRequest) => (await plans.getRenstra(db, pid(req), idOf(req)))?.opd_id;
  const renstraNodeOpd = (req: FastifyRequest) => plans.opdOfRenstraNode(db, pid(req), idOf(req));
  app.post(
    `${P}/renstra/:id/nodes`,
    {
      config: { auth: { permission: 'planning.renstra.write', opd: renstraOpd } },
      schema: {
        tags,
        summary: 'Add a goal, target, program, kegiatan or sub kegiatan to a draft Renstra',
        params: idParam,
        body: plans.renstraNodeCreateSchema,
        response: { 201: renstraNodeRow, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await plans.addRenstraNode(db, req.principal!, req.params.id, req.body)),
  );
  app.patch(
    `${P}/renstra-nodes/:id`,
    {
      config: { auth: { permission: 'planning.renstra.write', opd: renstraNodeOpd } },
      schema: {
        tags,
        summary: 'Update a Renstra element',
        params: idParam,
        body: plans.renstraNodeUpdateSchema,
        response: { 200: renstraNodeRow, ...errs },
      },
    },
    async (req) => plans.updateRenstraNode(db, req.principal!, req.params.id, req.body),
  );
  app.delete(
    `${P}/renstra-nodes/:id`,
    {
      config: { auth: { permission: 'planning.renstra.write', opd: renstraNodeOpd } },
      schema: {
        tags,
        summary: 'Delete a Renstra element without children or Renja items',
        params: idParam,
        response: { 204: z.undefined(), ...errs },
      },
    },
    async (req, reply) => {
      await plans.deleteRenstraNode(db, req.principal!, req.params.id);
      return reply.code(204).send();
    },
  );
  app.put(
    `${P}/renstra-nodes/:id/ceilings`,
    {
      config: { auth: { permission: 'planning.renstra.write', opd: renstraNodeOpd } },
      schema: {
        tags,
        summary: 'Set the indicative ceiling per year of a Renstra program, kegiatan or sub kegiatan',
        params: idParam,
        body: plans.ceilingsSchema,
        response: { 200: ceilingsOut, ...errs },
      },
    },
    async (req) => plans.setRenstraCeilings(db, req.principal!, req.params.id, req.body),
  );

  // ---- indicators -----------------------------------------------------------------------------------------
  app.post(
    `${P}/indicators`,
    {
      config: { auth: { permission: 'planning.indicator.write' } },
      schema: {
        tags,
        summary:
          'Add a performance indicator (name, unit, formula, baseline, target per year) to an RPJMD or Renstra element',
        body: plans.indicatorCreateSchema,
        response: { 201: indicatorRow, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await plans.addIndicator(db, req.principal!, req.body)),
  );
  app.patch(
    `${P}/indicators/:id`,
    {
      config: { auth: { permission: 'planning.indicator.write' } },
      schema: {
        tags,
        summary: 'Update an indicator; targets, when sent, replace the yearly targets',
        params: idParam,
        body: plans.indicatorUpdateSchema,
        response: { 200: indicatorRow, ...errs },
      },
    },
    async (req) => plans.updateIndicator(db, req.principal!, req.params.id, req.body),
  );
  app.delete(
    `${P}/indicators/:id`,
    {
      config: { auth: { permission: 'planning.indicator.write' } },
      schema: { tags, summary: 'Delete an indicator', params: idParam, response: { 204: z.undefined(), ...errs } },
    },
    async (req, reply) => {
      await plans.deleteIndicator(db, req.principal!, req.params.id);
      return reply.code(204).send();
    },
  );

  // ---- cascade ----------------------------------------------------------------------------------------------
  app.get(
    `${P}/cascade/sub-kegiatan`,
    {
      config: read,
      schema: {
        tags,
        summary:
          'Cascade (pohon kinerja) of a sub kegiatan of an OPD: the chain up to the RPJMD goal, mission and vision, with indicators and the year’s targets',
        querystring: z.object({
          year: intIn(z.number().int().min(2000).max(2100)),
          opd_id: intIn(z.number().int().positive()),
          code: z.string().trim().max(40),
        }),
        response: {
          200: z.object({ complete: z.boolean(), matched: z.string().nullable(), levels: z.array(cascadeLevel) }),
        },
      },
    },
    async (req) => {
      const c = await plans.cascadeForSubKegiatan(db, pid(req), req.query.year, req.query.opd_id, req.query.code);
      return { complete: c.complete, matched: c.matched, levels: c.levels };
    },
  );
  app.get(
    `${P}/cascade/goal/:id`,
    {
      config: read,
      schema: {
        tags,
        summary:
          'Cascade of an RPJMD goal: its targets, strategies and programs, the Renstra goals that serve them with their programs, kegiatan and sub kegiatan, and (with year) the Renja items',
        params: idParam,
        querystring: z.object({ year: intIn(z.number().int().min(2000).max(2100).optional()) }),
        response: { 200: z.unknown(), 404: errorOut },
      },
    },
    async (req) => {
      const t = await plans.cascadeForGoal(db, pid(req), req.params.id, req.query.year);
      if (!t) throw notFound();
      return t;
    },
  );
}
