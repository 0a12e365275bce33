// e-Budgeting API: the TAPD workflow (submit, approve, return, reopen), the review flags and the
// budget notifications.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import {
  approveSub,
  noteSchema,
  reopenSub,
  returnSchema,
  returnSub,
  submitRka,
  submitSub,
} from './workflow.service.ts';
import { reviewFlags } from './totals.queries.ts';
import { listNotifications, markRead } from './notifications.service.ts';
import { errors, idParams, stageOpdParams, stageParams, subOutSchema, tags } from './budgeting.schema.ts';
import { apiContext, P, read } from './routes.common.ts';

export async function workflowApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const { app, db, opd, knownOpdFilter } = apiContext(appIn, ctx);
  // ---- workflow -----------------------------------------------------------------------------------------
  app.post(
    `${P}/stages/:stageId/opds/:opdId/submit`,
    {
      config: { auth: { permission: 'bud.submit', opd: opd.param } },
      schema: {
        tags,
        summary: 'Head of OPD: submit the RKA (every draft or returned sub kegiatan with lines)',
        params: stageOpdParams,
        body: noteSchema.optional(),
        response: { 200: z.object({ rows: z.array(subOutSchema) }), ...errors },
      },
    },
    async (req) => ({
      rows: await submitRka(db, req.principal!, req.params.stageId, req.params.opdId, req.body ?? {}),
    }),
  );
  app.post(
    `${P}/sub-kegiatan/:id/submit`,
    {
      config: { auth: { permission: 'bud.submit', opd: opd.sub } },
      schema: {
        tags,
        summary: 'Head of OPD: submit one sub kegiatan to TAPD',
        params: idParams,
        body: noteSchema.optional(),
        response: { 200: subOutSchema, ...errors },
      },
    },
    async (req) => submitSub(db, req.principal!, req.params.id, req.body ?? {}),
  );
  app.post(
    `${P}/sub-kegiatan/:id/approve`,
    {
      config: { auth: { permission: 'bud.verify' } },
      schema: {
        tags,
        summary: 'TAPD: approve a submitted sub kegiatan (it is locked)',
        params: idParams,
        body: noteSchema.optional(),
        response: { 200: subOutSchema, ...errors },
      },
    },
    async (req) => approveSub(db, req.principal!, req.params.id, req.body ?? {}),
  );
  app.post(
    `${P}/sub-kegiatan/:id/return`,
    {
      config: { auth: { permission: 'bud.verify' } },
      schema: {
        tags,
        summary: 'TAPD: return a submitted sub kegiatan to the OPD with a note and notes per line',
        params: idParams,
        body: returnSchema,
        response: { 200: subOutSchema, ...errors },
      },
    },
    async (req) => returnSub(db, req.principal!, req.params.id, req.body),
  );
  app.post(
    `${P}/sub-kegiatan/:id/reopen`,
    {
      config: { auth: { permission: 'bud.verify' } },
      schema: {
        tags,
        summary: 'TAPD: reopen an approved sub kegiatan for revision',
        params: idParams,
        body: noteSchema.optional(),
        response: { 200: subOutSchema, ...errors },
      },
    },
    async (req) => reopenSub(db, req.principal!, req.params.id, req.body ?? {}),
  );

  // ---- review ---------------------------------------------------------------------------------------------
  app.get(
    `${P}/stages/:stageId/flags`,
    {
      config: { auth: { ...read, opd: opd.query } },
      schema: {
        tags,
        summary:
          'Lines flagged for TAPD: free-text items, prices at the catalogue ceiling, changed since the last review',
        params: stageParams,
        querystring: z.object({
          opd_id: intIn(z.number().int().positive().optional()),
          limit: intIn(z.number().int().min(1).max(5000).default(500)),
        }),
      },
    },
    async (req) => {
      await knownOpdFilter(req.principal!.pemdaId, req.query.opd_id);
      return {
        rows: await reviewFlags(db, req.principal!.pemdaId, req.params.stageId, req.query.opd_id, req.query.limit),
      };
    },
  );

  // ---- notifications ------------------------------------------------------------------------------------
  app.get(
    `${P}/notifications`,
    {
      config: { auth: { permission: 'bud.notifications' } },
      schema: {
        tags,
        summary: 'My budget notifications, newest first',
        querystring: z.object({
          unread: z.enum(['true', 'false']).optional(),
          limit: intIn(z.number().int().min(1).max(200).default(50)),
        }),
      },
    },
    async (req) =>
      listNotifications(db, req.principal!, { limit: req.query.limit, unreadOnly: req.query.unread === 'true' }),
  );
  app.post(
    `${P}/notifications/read`,
    {
      config: { auth: { permission: 'bud.notifications' } },
      schema: {
        tags,
        summary: 'Mark notifications read (all when no ids)',
        body: z.object({ ids: z.array(z.string().regex(/^\d+$/)).max(500).default([]) }),
      },
    },
    async (req) => ({ marked: await markRead(db, req.principal!, req.body.ids) }),
  );
}
