// e-Budgeting API: the Pemda's budget settings, fiscal years and their stages (input windows, per-OPD
// input, locks).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { isOpdScoped } from '../../core/roles.ts';
import {
  closeStage,
  createYear,
  createYearSchema,
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
} from './stages.service.ts';
import { getSettings, settingsSchema, updateSettings } from './rka.service.ts';
import { stageTotals } from './totals.queries.ts';
import { errors, opdCeilingOut, settingsOut, stageOpdParams, stageOut, stageParams, tags } from './budgeting.schema.ts';
import { apiContext, ceilingOut, P, read } from './routes.common.ts';

export async function stagesApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const { app, db, opd, knownOpdFilter } = apiContext(appIn, ctx);
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
}
