// e-Budgeting API: the OPD's RKA — its sub kegiatan and their lines (belanja), and the OPD's revenue
// and financing lines.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { translateFields } from '../../core/http/layout.ts';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { notFound } from '../../core/errors.ts';
import { getStage, inputState } from './stages.service.ts';
import {
  createLine,
  createOpdLine,
  createSub,
  deleteLine,
  deleteSub,
  getLine,
  getOpdCeiling,
  getSub,
  lineInputSchema,
  lineOut,
  lineOutSchema,
  lineUpdateSchema,
  listLines,
  previewLine,
  subCreateSchema,
  subOut,
  subUpdateSchema,
  updateLine,
  updateSub,
} from './rka.service.ts';
import { listReviews } from './workflow.service.ts';
import { listTravels } from './travel.service.ts';
import { errors, idParams, lineParams, stageOpdParams, subOutSchema, tags, versionQuery } from './budgeting.schema.ts';
import { apiContext, P, read } from './routes.common.ts';
import { lineSaveOfRequest } from './opd.resolvers.ts';

export async function rkaApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const { app, db, opd } = apiContext(appIn, ctx);
  // ---- the OPD's RKA -------------------------------------------------------------------------------
  app.post(
    `${P}/stages/:stageId/opds/:opdId/sub-kegiatan`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.param } },
      schema: {
        tags,
        summary:
          "Add a sub kegiatan of the OPD's approved Renja to the RKA (422 on code otherwise); target, unit, region, location and funding source default to the Renja item's",
        params: stageOpdParams,
        body: subCreateSchema,
        response: { 201: subOutSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(subOut(await createSub(db, req.principal!, req.params.stageId, req.params.opdId, req.body))),
  );
  app.get(
    `${P}/sub-kegiatan/:id`,
    {
      config: { auth: { ...read, opd: opd.sub } },
      schema: {
        tags,
        summary: 'A sub kegiatan with its lines, trips and review history',
        params: idParams,
        response: {
          200: subOutSchema.extend({
            lines: z.array(lineOutSchema),
            travels: z.array(z.unknown()),
            reviews: z.array(z.unknown()),
            input: z.unknown(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const s = await getSub(db, pemdaId, req.params.id);
      if (!s) throw notFound('bud.error.sub_unknown');
      const stage = (await getStage(db, pemdaId, s.stage_id))!;
      const [lines, travels, reviews, c] = await Promise.all([
        listLines(db, pemdaId, { subId: s.id }),
        listTravels(db, pemdaId, s.id),
        listReviews(db, pemdaId, s.id),
        getOpdCeiling(db, pemdaId, s.stage_id, s.opd_id),
      ]);
      return { ...subOut(s), lines: lines.map(lineOut), travels, reviews, input: inputState(stage, c) };
    },
  );
  app.patch(
    `${P}/sub-kegiatan/:id`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.sub } },
      schema: {
        tags,
        summary: 'Edit the RKA details of a sub kegiatan (send the version read)',
        params: idParams,
        body: subUpdateSchema,
        response: { 200: subOutSchema, ...errors },
      },
    },
    async (req) => subOut(await updateSub(db, req.principal!, req.params.id, req.body)),
  );
  app.delete(
    `${P}/sub-kegiatan/:id`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.sub } },
      schema: {
        tags,
        summary: 'Remove a sub kegiatan without lines',
        params: idParams,
        querystring: versionQuery,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (req, reply) => {
      await deleteSub(db, req.principal!, req.params.id, req.query.version);
      return reply.code(204).send();
    },
  );
  app.get(
    `${P}/sub-kegiatan/:id/lines`,
    {
      config: { auth: { ...read, opd: opd.sub } },
      schema: {
        tags,
        summary: 'The lines of a sub kegiatan',
        params: idParams,
        response: { 200: z.object({ rows: z.array(lineOutSchema) }) },
      },
    },
    async (req) => ({ rows: (await listLines(db, req.principal!.pemdaId, { subId: req.params.id })).map(lineOut) }),
  );
  app.post(
    `${P}/sub-kegiatan/:id/lines`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.lineSave } },
      schema: {
        tags,
        summary:
          'Add a line: a leaf account, a catalogue item allowed for it (unit price ≤ catalogue price), up to 4 factors, optional PPN. 422 names the rule broken (price, account, ceiling)',
        params: idParams,
        body: lineInputSchema,
        response: { 201: lineOutSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(
        await createLine(db, req.principal!, req.params.id, req.body, {
          ctx: await lineSaveOfRequest(db, req),
          parsed: req.body,
        }),
      ),
  );
  app.post(
    `${P}/sub-kegiatan/:id/lines/preview`,
    {
      config: { auth: { ...read, opd: opd.sub } },
      schema: {
        tags,
        summary: "Price a line without saving: its total and the sub kegiatan's remaining ceiling",
        params: idParams,
        body: z.object({ line: z.unknown(), line_id: z.string().regex(/^\d+$/).optional() }),
      },
    },
    async (req) => {
      const p = await previewLine(db, req.principal!, req.params.id, req.body.line, req.body.line_id);
      return { ...p, errors: translateFields(req, p.errors) };
    },
  );
  app.get(
    `${P}/lines/:id`,
    {
      config: { auth: { ...read, opd: opd.line } },
      schema: { tags, summary: 'One line', params: lineParams, response: { 200: lineOutSchema, ...errors } },
    },
    async (req) => {
      const l = await getLine(db, req.principal!.pemdaId, req.params.id);
      if (!l) throw notFound('bud.error.line_unknown');
      return lineOut(l);
    },
  );
  app.patch(
    `${P}/lines/:id`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.line } },
      schema: {
        tags,
        summary: 'Change a line; send the version read (409 with the current line when stale)',
        params: lineParams,
        body: lineUpdateSchema,
        response: { 200: lineOutSchema, ...errors },
      },
    },
    async (req) => updateLine(db, req.principal!, req.params.id, req.body),
  );
  app.delete(
    `${P}/lines/:id`,
    {
      config: { auth: { permission: 'bud.line.write', opd: opd.line } },
      schema: {
        tags,
        summary: 'Delete a line (send the version read)',
        params: lineParams,
        querystring: versionQuery,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (req, reply) => {
      await deleteLine(db, req.principal!, req.params.id, req.query.version);
      return reply.code(204).send();
    },
  );
  app.get(
    `${P}/stages/:stageId/opds/:opdId/lines`,
    {
      config: { auth: { ...read, opd: opd.param } },
      schema: {
        tags,
        summary: "An OPD's lines in the stage (paged)",
        params: stageOpdParams,
        querystring: z.object({
          kind: z.enum(['belanja', 'pendapatan', 'pembiayaan']).optional(),
          limit: intIn(z.number().int().min(1).max(5000).default(1000)),
          offset: intIn(z.number().int().min(0).default(0)),
        }),
        response: { 200: z.object({ rows: z.array(lineOutSchema) }) },
      },
    },
    async (req) => ({
      rows: (
        await listLines(db, req.principal!.pemdaId, {
          stageId: req.params.stageId,
          opdId: req.params.opdId,
          kind: req.query.kind,
          limit: req.query.limit,
          offset: req.query.offset,
        })
      ).map(lineOut),
    }),
  );
  for (const kind of ['pendapatan', 'pembiayaan'] as const) {
    app.post(
      `${P}/stages/:stageId/opds/:opdId/${kind === 'pendapatan' ? 'revenue' : 'financing'}-lines`,
      {
        config: { auth: { permission: 'bud.line.write', opd: opd.param } },
        schema: {
          tags,
          summary:
            kind === 'pendapatan'
              ? 'Add a revenue line (accounts 4) for an OPD that collects revenue'
              : 'Add a financing line (accounts 6) for an OPD that manages financing',
          params: stageOpdParams,
          body: lineInputSchema,
          response: { 201: lineOutSchema, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(await createOpdLine(db, req.principal!, req.params.stageId, req.params.opdId, kind, req.body)),
    );
  }
}
