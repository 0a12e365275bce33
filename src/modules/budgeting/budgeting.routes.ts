// REST API of e-Budgeting (/api/v1/budget/…): stages, ceilings, the RKA (sub kegiatan, lines,
// trips), the workflow, review, notifications and exports. OPD-scoped roles reach only their own
// OPD: each route names the OPD it acts on (core refuses another with 403).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { translateFields } from '../../core/http/layout.ts';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import type { Db } from '../../core/db/database.ts';
import { notFound } from '../../core/errors.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { listOpds } from '../master-data/index.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import {
  closeStage,
  createYear,
  createYearSchema,
  getStage,
  inputState,
  listLocks,
  listStages,
  listYears,
  lockSchema,
  openNextStage,
  openStageSchema,
  opdInputSchema,
  requireStage,
  setLock,
  setOpdInput,
  setWindow,
  windowSchema,
  requireOpd,
} from './stages.service.ts';
import {
  createLine,
  createOpdLine,
  createSub,
  deleteLine,
  deleteSub,
  getLine,
  getOpdCeiling,
  getSettings,
  getSub,
  type SubKegiatan,
  lineInputSchema,
  lineOut,
  lineUpdateSchema,
  listLines,
  listSubs,
  opdCeilingSchema,
  previewLine,
  setOpdCeiling,
  setSubCeiling,
  settingsSchema,
  subCeilingSchema,
  subCreateSchema,
  subOut,
  subUpdateSchema,
  updateLine,
  updateSettings,
  updateSub,
  lineOutSchema,
} from './rka.service.ts';
import {
  approveSub,
  listReviews,
  noteSchema,
  reopenSub,
  returnSchema,
  returnSub,
  submitRka,
  submitSub,
} from './workflow.service.ts';
import {
  createTravel,
  deleteTravel,
  getTravel,
  listTravels,
  previewTravel,
  travelInputSchema,
  updateTravel,
} from './travel.service.ts';
import { expenditureRollup, opdOverview, reviewFlags, stageTotals } from './totals.queries.ts';
import { initCeilingsFromRkpd, rkpdCeilings, rkpdInitSchema } from './rkpd.service.ts';
import { listNotifications, markRead } from './notifications.service.ts';
import { sendRkaPdf, sendRkaXlsx, sendLinesCsv, sendLinesJson } from './exports.ts';

const tags = ['budgeting'];
const fieldOut = z.object({ field: z.string(), message: z.string() });
const errorOut = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(fieldOut),
  details: z.unknown().optional(),
});
const errors = { 400: errorOut, 403: errorOut, 404: errorOut, 409: errorOut, 422: errorOut, 423: errorOut };

/** A fresh schema per use: a shared instance would become an unnamed $ref in the OpenAPI document. */
const money = () => z.string().describe('integer rupiah');
const stageOut = z.object({
  id: z.number(),
  year: z.number(),
  seq: z.number(),
  kind: z.enum(['kua_ppas', 'murni', 'pergeseran', 'perubahan']),
  name: z.string(),
  status: z.enum(['open', 'closed']),
  input_opens_at: z.date(),
  input_closes_at: z.date(),
  source_stage_id: z.number().nullable(),
  opened_at: z.date(),
  closed_at: z.date().nullable(),
  version: z.number(),
});
export const subOutSchema = z.object({
  id: z.number(),
  version: z.number(),
  stage_id: z.number(),
  opd_id: z.number(),
  code: z.string(),
  kegiatan_code: z.string(),
  program_code: z.string(),
  name: z.string(),
  funding_source_id: z.number().nullable(),
  ceiling: money(),
  planned: money(),
  remaining: money(),
  region_id: z.number().nullable(),
  location: z.string(),
  output_indicator: z.string(),
  target_volume: z.string().nullable(),
  target_unit: z.string(),
  month_from: z.number(),
  month_to: z.number(),
  status: z.enum(['draft', 'submitted', 'returned', 'approved']),
  review_note: z.string().nullable(),
  submitted_at: z.date().nullable(),
  reviewed_at: z.date().nullable(),
});
const travelOut = z.object({
  id: z.number(),
  version: z.number(),
  sub_kegiatan_id: z.number(),
  description: z.string(),
  persons: z.number(),
  days: z.number(),
  province: z.string(),
  travel_kind: z.string(),
  grade: z.string(),
  account_code: z.string(),
  total: money(),
  lines: z.array(lineOutSchema),
});
const opdCeilingOut = z.object({
  stage_id: z.number(),
  opd_id: z.number(),
  ceiling: money(),
  planned: money(),
  allow_revenue: z.boolean(),
  allow_financing: z.boolean(),
  input_mode: z.enum(['window', 'open', 'closed']),
  input_until: z.date().nullable(),
  version: z.number(),
});
const settingsOut = z.object({ ppn_rate: z.string(), allow_free_text: z.boolean(), version: z.number() });

const stageParams = z.object({ stageId: intIn(z.number().int().positive()) });
const stageOpdParams = z.object({
  stageId: intIn(z.number().int().positive()),
  opdId: intIn(z.number().int().positive()),
});
const idParams = z.object({ id: intIn(z.number().int().positive()) });
const lineParams = z.object({ id: z.string().regex(/^\d{1,18}$/) });
const versionQuery = z.object({ version: intIn(z.number().int().min(1)) });

function ceilingOut(c: Awaited<ReturnType<typeof getOpdCeiling>>) {
  if (!c) throw notFound();
  return {
    ...c,
    ceiling: String(c.ceiling),
    planned: String(c.planned),
    input_until: c.input_until ? new Date(c.input_until) : null,
  };
}

/** The approved RKPD's pagu indikatif next to a ceiling: null when the RKPD has none for it. */
function rkpdCompare(rkpd: bigint | undefined, ceiling: string) {
  return rkpd === undefined
    ? { rkpd_ceiling: null, rkpd_difference: null }
    : { rkpd_ceiling: rkpd.toString(), rkpd_difference: (BigInt(ceiling) - rkpd).toString() };
}

/** OPD resolvers: the OPD a request acts on, read from the record it names (pemda-filtered). */
/** The sub kegiatan a request names (`:id`), read once per request: the OPD check and the handler share it. */
const subByRequest = new WeakMap<FastifyRequest, Promise<SubKegiatan | undefined>>();
function subOfRequest(db: Db, req: FastifyRequest): Promise<SubKegiatan | undefined> {
  let p = subByRequest.get(req);
  if (!p) {
    p = getSub(db, req.principal!.pemdaId, Number((req.params as { id: string }).id));
    subByRequest.set(req, p);
  }
  return p;
}

export function resolvers(db: Db) {
  return {
    param: (req: FastifyRequest) => (req.params as { opdId?: number }).opdId,
    query: (req: FastifyRequest) => {
      const v = (req.query as { opd_id?: number | string }).opd_id;
      return v === undefined || v === '' ? undefined : Number(v);
    },
    sub: async (req: FastifyRequest) => (await subOfRequest(db, req))?.opd_id,
    line: async (req: FastifyRequest) =>
      (await getLine(db, req.principal!.pemdaId, String((req.params as { id: string }).id)))?.opd_id,
    travel: async (req: FastifyRequest) =>
      (
        await db
          .selectFrom('bud_travel')
          .select('opd_id')
          .where('pemda_id', '=', req.principal!.pemdaId)
          .where('id', '=', Number((req.params as { id: string }).id))
          .executeTakeFirst()
      )?.opd_id,
  };
}

export async function budgetingApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  /** A listing filtered by an OPD that is not one of this Pemda's answers 404, not 200 with no rows. */
  const knownOpdFilter = async (pemdaId: number, opdId: number | undefined) => {
    if (opdId !== undefined) await requireOpd(db, pemdaId, opdId, 'path');
  };
  const opd = resolvers(db);
  const P = '/api/v1/budget';
  const read = { permission: 'bud.read' };

  // ---- settings ------------------------------------------------------------------------------
  app.get(
    `${P}/settings`,
    {
      config: { auth: read },
      schema: { tags, summary: 'PPN rate and free-text policy of the Pemda', response: { 200: settingsOut } },
    },
    async (req) => getSettings(db, req.principal!.pemdaId),
  );
  app.put(
    `${P}/settings`,
    {
      config: { auth: { permission: 'bud.settings.write' } },
      schema: {
        tags,
        summary: 'Set the PPN rate (percent) and whether items outside the catalogue are allowed',
        body: settingsSchema,
        response: { 200: settingsOut, ...errors },
      },
    },
    async (req) => updateSettings(db, req.principal!, req.body),
  );

  // ---- years and stages ------------------------------------------------------------------------
  app.get(
    `${P}/stages`,
    {
      config: { auth: read },
      schema: {
        tags,
        summary: 'Fiscal years and their stages (the open one has input_open for the window)',
        querystring: z.object({ year: intIn(z.number().int().optional()) }),
        response: {
          200: z.object({ years: z.array(z.number()), stages: z.array(stageOut.extend({ input_open: z.boolean() })) }),
        },
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const [years, stages] = await Promise.all([listYears(db, pemdaId), listStages(db, pemdaId, req.query.year)]);
      return { years, stages: stages.map((s) => ({ ...s, input_open: inputState(s, undefined).open })) };
    },
  );
  app.post(
    `${P}/years`,
    {
      config: { auth: { permission: 'bud.stage.manage' } },
      schema: {
        tags,
        summary: 'Start a fiscal year: its KUA-PPAS stage opens',
        body: createYearSchema,
        response: { 201: stageOut, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await createYear(db, req.principal!, req.body)),
  );
  app.post(
    `${P}/stages`,
    {
      config: { auth: { permission: 'bud.stage.manage' } },
      schema: {
        tags,
        summary: 'Open the next stage of a year (murni, pergeseran, perubahan) as a copy of the closed previous stage',
        body: openStageSchema,
        response: { 201: stageOut.extend({ copied: z.record(z.string(), z.number()) }), ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await openNextStage(db, req.principal!, req.body)),
  );
  app.get(
    `${P}/stages/:stageId`,
    {
      config: { auth: read },
      schema: {
        tags,
        summary: 'A stage with the Pemda totals (non-OPD readers) ',
        params: stageParams,
        response: { 200: stageOut.extend({ totals: z.unknown() }), ...errors },
      },
    },
    async (req) => {
      const s = await requireStage(db, req.principal!.pemdaId, req.params.stageId);
      const totals = isOpdScoped(req.principal!.role) ? null : await stageTotals(db, req.principal!.pemdaId, s.id);
      return { ...s, totals };
    },
  );
  app.patch(
    `${P}/stages/:stageId/window`,
    {
      config: { auth: { permission: 'bud.stage.manage' } },
      schema: {
        tags,
        summary: 'Move the input window of the open stage',
        params: stageParams,
        body: windowSchema.and(z.object({ version: z.number().int().optional() })),
        response: { 200: stageOut, ...errors },
      },
    },
    async (req) => setWindow(db, req.principal!, req.params.stageId, req.body),
  );
  app.post(
    `${P}/stages/:stageId/close`,
    {
      config: { auth: { permission: 'bud.stage.manage' } },
      schema: {
        tags,
        summary: 'Close (freeze) the open stage',
        params: stageParams,
        response: { 200: stageOut, ...errors },
      },
    },
    async (req) => closeStage(db, req.principal!, req.params.stageId),
  );
  app.put(
    `${P}/stages/:stageId/opds/:opdId/input`,
    {
      config: { auth: { permission: 'bud.stage.manage' } },
      schema: {
        tags,
        summary: "Open or close one OPD's input (until a time); 'window' returns it to the stage window",
        params: stageOpdParams,
        body: opdInputSchema,
        response: { 200: opdCeilingOut, ...errors },
      },
    },
    async (req) => ceilingOut(await setOpdInput(db, req.principal!, req.params.stageId, req.params.opdId, req.body)),
  );
  app.get(
    `${P}/stages/:stageId/locks`,
    {
      config: { auth: { ...read, opd: opd.query } },
      schema: {
        tags,
        summary: 'Locked kegiatan and sub kegiatan (OPD roles: pass their opd_id)',
        params: stageParams,
        querystring: z.object({ opd_id: intIn(z.number().int().positive().optional()) }),
      },
    },
    async (req) => {
      await knownOpdFilter(req.principal!.pemdaId, req.query.opd_id);
      return { rows: await listLocks(db, req.principal!.pemdaId, req.params.stageId, req.query.opd_id) };
    },
  );
  app.post(
    `${P}/stages/:stageId/locks`,
    {
      config: { auth: { permission: 'bud.stage.manage' } },
      schema: {
        tags,
        summary: 'Lock a kegiatan or sub kegiatan of an OPD',
        params: stageParams,
        body: lockSchema,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (req, reply) => {
      await setLock(db, req.principal!, req.params.stageId, req.body, true);
      return reply.code(204).send();
    },
  );
  app.delete(
    `${P}/stages/:stageId/locks`,
    {
      config: { auth: { permission: 'bud.stage.manage' } },
      schema: {
        tags,
        summary: 'Unlock a kegiatan or sub kegiatan of an OPD',
        params: stageParams,
        body: lockSchema,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (req, reply) => {
      await setLock(db, req.principal!, req.params.stageId, req.body, false);
      return reply.code(204).send();
    },
  );

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
      config: { auth: { permission: 'bud.line.write', opd: opd.sub } },
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
          sub: await subOfRequest(db, req),
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

  // ---- exports -------------------------------------------------------------------------------------------------
  const exportQuery = z.object({ lang: z.enum(['id', 'en']).optional() });
  const sendExport =
    (format: 'pdf' | 'xlsx' | 'csv' | 'json') =>
    async (req: FastifyRequest, reply: FastifyReply, stageId: number, opdId: number, subId?: number) => {
      requirePermission(req.principal!, 'bud.read', { opdId: opdId });
      const args = { db, pemdaId: req.principal!.pemdaId, stageId, opdId, subId, lang: req.lang };
      if (format === 'pdf') return sendRkaPdf(reply, args);
      if (format === 'xlsx') return sendRkaXlsx(reply, args);
      if (format === 'csv') return sendLinesCsv(reply, args);
      return sendLinesJson(reply, args);
    };
  for (const format of ['pdf', 'xlsx'] as const) {
    app.get(
      `${P}/stages/:stageId/opds/:opdId/rka.${format}`,
      {
        config: { auth: { ...read, opd: opd.param } },
        schema: {
          tags,
          summary: `RKA-SKPD of an OPD (${format.toUpperCase()}, official layout)`,
          params: stageOpdParams,
          querystring: exportQuery,
        },
      },
      async (req, reply) => sendExport(format)(req, reply, req.params.stageId, req.params.opdId),
    );
    app.get(
      `${P}/sub-kegiatan/:id/rka.${format}`,
      {
        config: { auth: { ...read, opd: opd.sub } },
        schema: {
          tags,
          summary: `RKA of one sub kegiatan (${format.toUpperCase()}, official layout)`,
          params: idParams,
          querystring: exportQuery,
        },
      },
      async (req, reply) => {
        const s = await getSub(db, req.principal!.pemdaId, req.params.id);
        if (!s) throw notFound('bud.error.sub_unknown');
        return sendExport(format)(req, reply, s.stage_id, s.opd_id, s.id);
      },
    );
  }
  for (const format of ['csv', 'json'] as const) {
    app.get(
      `${P}/stages/:stageId/opds/:opdId/lines.${format}`,
      {
        config: { auth: { ...read, opd: opd.param } },
        schema: {
          tags,
          summary: `All lines of an OPD in the stage as ${format.toUpperCase()} (streamed)`,
          params: stageOpdParams,
        },
      },
      async (req, reply) => sendExport(format)(req, reply, req.params.stageId, req.params.opdId),
    );
  }
}
