// e-Budgeting API: official trips priced from SBU (one line per component).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { notFound } from '../../core/errors.ts';
import {
  createTravel,
  deleteTravel,
  getTravel,
  previewTravel,
  travelInputSchema,
  updateTravel,
} from './travel.service.ts';
import { errors, idParams, tags, travelOut, versionQuery } from './budgeting.schema.ts';
import { apiContext, P, read } from './routes.common.ts';

export async function travelApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const { app, db, opd } = apiContext(appIn, ctx);
  // ---- trips -------------------------------------------------------------------------------------------
  app.post(
    `${P}/sub-kegiatan/:id/travel/preview`,
    {
      config: { auth: { ...read, opd: opd.sub } },
      schema: {
        tags,
        summary: 'Price a trip from SBU without saving (the travel calculator)',
        params: idParams,
        body: travelInputSchema.extend({ travel_id: z.number().int().optional() }),
      },
    },
    async (req) => previewTravel(db, req.principal!, req.params.id, req.body, req.body.travel_id),
  );
  app.post(
    `${P}/sub-kegiatan/:id/travel`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.sub } },
      schema: {
        tags,
        summary: 'Add an official trip: one line per SBU component',
        params: idParams,
        body: travelInputSchema,
        response: { 201: travelOut, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await createTravel(db, req.principal!, req.params.id, req.body)),
  );
  app.get(
    `${P}/travel/:id`,
    {
      config: { auth: { ...read, opd: opd.travel } },
      schema: {
        tags,
        summary: 'A trip with its component lines',
        params: idParams,
        response: { 200: travelOut, ...errors },
      },
    },
    async (req) => {
      const t = await getTravel(db, req.principal!.pemdaId, req.params.id);
      if (!t) throw notFound('bud.error.travel_unknown');
      return t;
    },
  );
  app.put(
    `${P}/travel/:id`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.travel } },
      schema: {
        tags,
        summary: 'Re-plan a trip (send the version read)',
        params: idParams,
        body: travelInputSchema.extend({ version: z.number().int().min(1) }),
        response: { 200: travelOut, ...errors },
      },
    },
    async (req) => updateTravel(db, req.principal!, req.params.id, req.body),
  );
  app.delete(
    `${P}/travel/:id`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.travel } },
      schema: {
        tags,
        summary: 'Delete a trip and its lines',
        params: idParams,
        querystring: versionQuery,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (req, reply) => {
      await deleteTravel(db, req.principal!, req.params.id, req.query.version);
      return reply.code(204).send();
    },
  );
}
