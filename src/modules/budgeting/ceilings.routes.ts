// e-Budgeting API: the ceilings (pagu) of the OPD and their sub kegiatan, set by hand or from the
// approved RKPD, and the overview of a stage (per OPD, roll-up, one OPD's RKA).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { listOpds } from '../master-data/index.ts';
import { inputState, requireStage } from './stages.service.ts';
import {
  getOpdCeiling,
  listSubs,
  opdCeilingSchema,
  setOpdCeiling,
  setSubCeiling,
  subCeilingSchema,
  subOut,
} from './rka.service.ts';
import { expenditureRollup, opdOverview, stageTotals } from './totals.queries.ts';
import { initCeilingsFromRkpd, rkpdCeilings, rkpdInitSchema } from './rkpd.service.ts';
import { errors, money, opdCeilingOut, stageOpdParams, stageParams, subOutSchema, tags } from './budgeting.schema.ts';
import { apiContext, ceilingOut, P, read, rkpdCompare } from './routes.common.ts';

export async function ceilingsApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const { app, db, opd, knownOpdFilter } = apiContext(appIn, ctx);
  // ---- ceilings and overview ---------------------------------------------------------------------
  app.get(
    `${P}/stages/:stageId/opds`,
    {
      config: { auth: { ...read, opd: opd.query } },
      schema: {
        tags,
        summary:
          'Per OPD: pagu indikatif of the approved RKPD vs ceiling vs planned, sub kegiatan progress, revenue, financing (OPD roles: pass their opd_id)',
        params: stageParams,
        querystring: z.object({ opd_id: intIn(z.number().int().positive().optional()) }),
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const stage = await requireStage(db, pemdaId, req.params.stageId);
      const names = new Map((await listOpds(db, pemdaId)).map((o) => [o.id, o]));
      await knownOpdFilter(pemdaId, req.query.opd_id);
      const rows = await opdOverview(db, pemdaId, req.params.stageId, req.query.opd_id);
      const rkpd = await rkpdCeilings(db, pemdaId, stage.year);
      return {
        rows: rows.map((r) => ({
          ...r,
          opd_code: names.get(r.opd_id)?.code ?? '',
          opd_name: names.get(r.opd_id)?.name ?? '',
          ...rkpdCompare(rkpd.opd.get(r.opd_id), r.ceiling),
        })),
      };
    },
  );
  app.get(
    `${P}/stages/:stageId/totals`,
    {
      config: { auth: { ...read, opd: opd.query } },
      schema: {
        tags,
        summary: 'Expenditure roll-up: OPD → program → kegiatan → sub kegiatan; and the Pemda totals',
        params: stageParams,
        querystring: z.object({ opd_id: intIn(z.number().int().positive().optional()) }),
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      await requireStage(db, pemdaId, req.params.stageId);
      await knownOpdFilter(pemdaId, req.query.opd_id);
      return {
        pemda: req.query.opd_id ? null : await stageTotals(db, pemdaId, req.params.stageId),
        rollup: await expenditureRollup(db, pemdaId, req.params.stageId, req.query.opd_id),
      };
    },
  );
  app.get(
    `${P}/stages/:stageId/opds/:opdId`,
    {
      config: { auth: { ...read, opd: opd.param } },
      schema: {
        tags,
        summary:
          "An OPD's RKA in the stage: ceiling, input state, sub kegiatan (each with the RKPD's pagu indikatif and the difference)",
        params: stageOpdParams,
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const opdId = req.params.opdId;
      const stage = await requireStage(db, pemdaId, req.params.stageId);
      const c = await getOpdCeiling(db, pemdaId, stage.id, opdId);
      const [overview] = await opdOverview(db, pemdaId, stage.id, opdId);
      const subs = await listSubs(db, pemdaId, stage.id, opdId);
      const rkpd = await rkpdCeilings(db, pemdaId, stage.year);
      return {
        stage_id: stage.id,
        opd_id: opdId,
        ceiling: c ? ceilingOut(c) : null,
        summary: overview ? { ...overview, ...rkpdCompare(rkpd.opd.get(opdId), overview.ceiling) } : null,
        input: inputState(stage, c),
        sub_kegiatan: subs.map((s) => ({
          ...subOut(s),
          lines: s.lines,
          ...rkpdCompare(rkpd.sub.get(`${opdId}|${s.code}`), String(s.ceiling)),
        })),
      };
    },
  );
  app.put(
    `${P}/stages/:stageId/opds/:opdId/ceiling`,
    {
      config: { auth: { permission: 'bud.ceiling.write' } },
      schema: {
        tags,
        summary: "Set an OPD's ceiling (and whether it enters revenue / financing)",
        params: stageOpdParams,
        body: opdCeilingSchema,
        response: { 200: opdCeilingOut, ...errors },
      },
    },
    async (req) => ceilingOut(await setOpdCeiling(db, req.principal!, req.params.stageId, req.params.opdId, req.body)),
  );
  app.put(
    `${P}/stages/:stageId/opds/:opdId/sub-kegiatan-ceiling`,
    {
      config: { auth: { permission: 'bud.ceiling.write' } },
      schema: {
        tags,
        summary: "Set the ceiling and funding source of one of an OPD's sub kegiatan (adds it when absent)",
        params: stageOpdParams,
        body: subCeilingSchema,
        response: { 200: subOutSchema, ...errors },
      },
    },
    async (req) => subOut(await setSubCeiling(db, req.principal!, req.params.stageId, req.params.opdId, req.body)),
  );

  app.post(
    `${P}/stages/:stageId/ceilings/from-rkpd`,
    {
      config: { auth: { permission: 'bud.ceiling.write' } },
      schema: {
        tags,
        summary:
          "TAPD: set the open stage's OPD and sub kegiatan ceilings to the approved RKPD's indicative ceilings (adding the Renja's sub kegiatan the RKA lacks, as drafts). Idempotent. 422 with details.conflicts, nothing written, when a ceiling would fall below what is planned",
        params: stageParams,
        body: rkpdInitSchema.optional(),
        response: {
          200: z.object({
            stage_id: z.number(),
            year: z.number(),
            opds: z.array(z.object({ opd_id: z.number(), ceiling_before: money(), ceiling: money() })),
            created: z.number(),
            updated: z.number(),
            unchanged: z.number(),
            skipped: z.array(z.object({ opd_id: z.number(), code: z.string(), reason: z.string() })),
          }),
          ...errors,
        },
      },
    },
    async (req) => initCeilingsFromRkpd(db, req.principal!, req.params.stageId, req.body ?? {}),
  );
}
