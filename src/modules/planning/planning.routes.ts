// REST API of the planning module (/api/v1/planning/…, public parts under /api/v1/public/…).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { fieldError, notFound } from '../../core/errors.ts';
import { hitRateLimit } from '../../core/http/rate-limit.ts';
import { tr } from '../../core/http/layout.ts';
import { antispamGate, checkAntispam, withoutAntispam } from '../../core/http/antispam.ts';
import { systemPrincipal } from '../../core/roles.ts';
import { conflictOut, errorOut, idParam, yearParam } from './common.ts';
import * as plans from './plans.service.ts';
import * as annual from './annual.service.ts';
import * as props from './proposals.service.ts';
import * as settings from './settings.service.ts';
import { loadWeights } from './priority.ts';
import { CITIZEN_FORM, citizenFormLimits, publicPemda } from './public-pemda.ts';

const tags = ['planning'];
const ts = z.date();
const money = z.string().describe('integer rupiah as a decimal string');
const dec = z.string().describe('exact decimal');

const rpjmdOut = z.object({
  id: z.number(),
  year_from: z.number(),
  year_to: z.number(),
  title: z.string(),
  vision: z.string(),
  status: z.enum(['draft', 'approved']),
  version: z.number(),
  created_at: ts,
  updated_at: ts,
});
const indicatorOut = z.object({
  id: z.number(),
  name: z.string(),
  unit: z.string(),
  formula: z.string(),
  baseline: dec.nullable(),
  version: z.number(),
  targets: z.array(z.object({ year: z.number(), value: dec })),
});
const nodeOut = z.object({
  id: z.number(),
  parent_id: z.number().nullable(),
  kind: z.string(),
  seq: z.number(),
  code: z.string(),
  text: z.string(),
  version: z.number(),
  program_code: z.string().nullable().optional(),
  opd_id: z.number().nullable().optional(),
  rpjmd_node_id: z.number().nullable().optional(),
  indicators: z.array(indicatorOut),
  ceilings: z.array(z.object({ year: z.number(), pagu: money })),
});
const rpjmdNodeRow = z.object({
  id: z.number(),
  rpjmd_id: z.number(),
  parent_id: z.number().nullable(),
  kind: z.string(),
  seq: z.number(),
  code: z.string(),
  text: z.string(),
  program_code: z.string().nullable(),
  opd_id: z.number().nullable(),
  version: z.number(),
});
const renstraOut = z.object({
  id: z.number(),
  rpjmd_id: z.number(),
  opd_id: z.number(),
  status: z.enum(['draft', 'approved']),
  version: z.number(),
  created_at: ts,
  updated_at: ts,
});
const renstraNodeRow = z.object({
  id: z.number(),
  renstra_id: z.number(),
  parent_id: z.number().nullable(),
  kind: z.string(),
  seq: z.number(),
  code: z.string(),
  text: z.string(),
  rpjmd_node_id: z.number().nullable(),
  version: z.number(),
});
const indicatorRow = z.object({
  id: z.number(),
  rpjmd_node_id: z.number().nullable(),
  renstra_node_id: z.number().nullable(),
  name: z.string(),
  unit: z.string(),
  formula: z.string(),
  baseline: z.string().nullable(),
  version: z.number(),
  targets: z.array(z.object({ year: z.number(), value: dec })),
});
const ceilingsOut = z.array(z.object({ year: z.number(), pagu: money }));
const cascadeLevel = z.object({
  level: z.string(),
  id: z.number().nullable(),
  code: z.string(),
  text: z.string(),
  indicators: z.array(
    z.object({ name: z.string(), unit: z.string(), baseline: dec.nullable(), target: dec.nullable() }),
  ),
});
const rkpdOut = z.object({
  id: z.number(),
  year: z.number(),
  rpjmd_id: z.number(),
  theme: z.string(),
  priorities: z.string(),
  status: z.enum(['draft', 'approved']),
  approved_at: ts.nullable(),
  approved_by: z.string().nullable(),
  version: z.number(),
  created_at: ts,
  updated_at: ts,
});
const renjaOut = z.object({
  id: z.number(),
  year: z.number(),
  opd_id: z.number(),
  renstra_id: z.number().nullable(),
  status: z.enum(['draft', 'submitted', 'verified', 'approved']),
  note: z.string(),
  submitted_at: ts.nullable(),
  verified_at: ts.nullable(),
  verified_by: z.string().nullable(),
  approved_at: ts.nullable(),
  approved_by: z.string().nullable(),
  version: z.number(),
  created_at: ts,
  updated_at: ts,
});
const renjaItemOut = z.object({
  id: z.number(),
  renja_id: z.number(),
  sub_kegiatan_code: z.string(),
  renstra_node_id: z.number().nullable(),
  target: dec.nullable(),
  unit: z.string().nullable(),
  region_id: z.number().nullable(),
  location: z.string(),
  funding_source_code: z.string().nullable(),
  pagu: money,
  source: z.string(),
  version: z.number(),
  proposals: z.number().optional(),
});
const checkOut = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  key: z.string(),
  message: z.string(),
  item_id: z.number().nullable(),
  sub_kegiatan_code: z.string().nullable(),
});
const proposalOut = z.object({
  id: z.number(),
  tracking_code: z.string(),
  kind: z.enum(['musrenbang', 'pokir']),
  year: z.number(),
  title: z.string(),
  problem: z.string(),
  category_code: z.string().nullable(),
  kecamatan_id: z.number(),
  kelurahan_id: z.number().nullable(),
  address: z.string(),
  latitude: dec.nullable(),
  longitude: dec.nullable(),
  volume: dec,
  unit: z.string(),
  estimated_cost: money,
  beneficiaries: z.number().nullable(),
  source: z.string(),
  dprd_member_id: z.number().nullable(),
  suggested_sub_kegiatan_code: z.string().nullable(),
  suggested_opd_id: z.number().nullable(),
  sub_kegiatan_code: z.string().nullable(),
  opd_id: z.number().nullable(),
  mapping_confirmed: z.boolean(),
  stage: z.string(),
  status: z.string(),
  recommended_amount: money.nullable(),
  recommended_volume: dec.nullable(),
  urgency: z.number().nullable(),
  priority_score: dec.nullable(),
  feasible: z.boolean().nullable(),
  feasibility_reason: z.string(),
  merged_into_id: z.number().nullable(),
  renja_item_id: z.number().nullable(),
  carried_from_id: z.number().nullable(),
  has_photo: z.boolean(),
  version: z.number(),
  created_at: ts,
  updated_at: ts,
  rank: z.number().optional(),
});
const stepOut = z.object({
  id: z.number(),
  stage: z.string(),
  action: z.string(),
  amount: money.nullable(),
  volume: dec.nullable(),
  reason: z.string(),
  related_id: z.number().nullable(),
  related_code: z.string().nullable(),
  actor_name: z.string(),
  actor_role: z.string(),
  at: ts,
});
const trackBase = z.object({
  proposal: z.object({
    tracking_code: z.string(),
    kind: z.string(),
    year: z.number(),
    title: z.string(),
    problem: z.string(),
    category_code: z.string().nullable(),
    kecamatan: z.string(),
    kelurahan: z.string().nullable(),
    address: z.string(),
    volume: dec,
    unit: z.string(),
    estimated_cost: money,
    stage: z.string(),
    status: z.string(),
    recommended_amount: money.nullable(),
    recommended_volume: dec.nullable(),
    priority_score: dec.nullable(),
    opd: z.string().nullable(),
    sub_kegiatan_code: z.string().nullable(),
    sub_kegiatan_name: z.string().nullable(),
    feasible: z.boolean().nullable(),
    feasibility_reason: z.string(),
    dprd_member: z.string().nullable(),
    has_photo: z.boolean(),
    merged_into: z.string().nullable(),
    carried_from: z.string().nullable(),
    carried_to: z.string().nullable(),
    renja: z
      .object({
        year: z.number(),
        opd: z.string(),
        sub_kegiatan_code: z.string(),
        status: z.string(),
        /** Published once the Renja is approved; null while it is still being drafted. */
        pagu: money.nullable(),
      })
      .nullable(),
  }),
  steps: z.array(
    z.object({
      stage: z.string(),
      action: z.string(),
      at: ts,
      amount: money.nullable(),
      volume: dec.nullable(),
      reason: z.string(),
      related_code: z.string().nullable(),
      actor_role: z.string(),
    }),
  ),
});
/** The history of the proposal it was carried over from (same shape, nested). */
const trackOut = trackBase.extend({ earlier: trackBase.extend({ earlier: z.unknown().nullable() }).nullable() });
const cycleOut = z.object({
  year: z.number(),
  musrenbang_open: z.boolean(),
  pokir_opens_at: ts.nullable(),
  pokir_closes_at: ts.nullable(),
  version: z.number(),
  updated_at: ts,
});
const categoryOut = z.object({
  code: z.string(),
  name: z.string(),
  sub_kegiatan_code: z.string().nullable(),
  opd_id: z.number().nullable(),
  active: z.boolean(),
  version: z.number(),
});
const memberOut = z.object({
  id: z.number(),
  user_id: z.number().nullable(),
  name: z.string(),
  fraksi: z.string(),
  komisi: z.string(),
  dapil: z.string(),
  active: z.boolean(),
});
const weightsOut = z.object({
  urgency: z.number(),
  beneficiaries: z.number(),
  alignment: z.number(),
  readiness: z.number(),
  cost: z.number(),
  carry_over: z.number(),
});
const versionBody = z.object({ version: z.coerce.number().int().positive() });
const noteBody = z.object({
  version: z.coerce.number().int().positive(),
  note: z.string().trim().max(2000).optional(),
});
const errs = { 400: errorOut, 403: errorOut, 404: errorOut, 409: conflictOut };

/** The OPD a request acts on, for core's OPD check of OPD-scoped roles. */
const pid = (req: FastifyRequest) => req.principal!.pemdaId;
const idOf = (req: FastifyRequest) => Number((req.params as { id: string }).id);

export async function planningApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
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
          rpjmd_id: z.coerce.number().int().positive().optional(),
          opd_id: z.coerce.number().int().positive().optional(),
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
          year: z.coerce.number().int().min(2000).max(2100),
          opd_id: z.coerce.number().int().positive(),
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
        querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }),
        response: { 200: z.unknown(), 404: errorOut },
      },
    },
    async (req) => {
      const t = await plans.cascadeForGoal(db, pid(req), req.params.id, req.query.year);
      if (!t) throw notFound();
      return t;
    },
  );

  // ---- RKPD ------------------------------------------------------------------------------------------------
  app.get(
    `${P}/rkpd`,
    {
      config: read,
      schema: {
        tags,
        summary: 'RKPD documents, newest first',
        response: { 200: z.object({ rows: z.array(rkpdOut) }) },
      },
    },
    async (req) => ({ rows: await annual.listRkpd(db, pid(req)) }),
  );
  app.post(
    `${P}/rkpd`,
    {
      config: { auth: { permission: 'planning.rkpd.write' } },
      schema: {
        tags,
        summary: 'Create the RKPD of a fiscal year (under the RPJMD covering it)',
        body: annual.rkpdCreateSchema,
        response: { 201: rkpdOut, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await annual.createRkpd(db, req.principal!, req.body)),
  );
  app.get(
    `${P}/rkpd/:year`,
    {
      config: read,
      schema: {
        tags,
        summary:
          'The RKPD of a year: per OPD the indicative ceiling, the Renja total and status; once approved, the indicative ceilings per OPD and sub kegiatan',
        params: yearParam,
        response: {
          200: z.object({
            rkpd: rkpdOut.nullable(),
            opds: z.array(
              z.object({
                opd_id: z.number(),
                ceiling: money.nullable(),
                renja_id: z.number().nullable(),
                renja_status: z.string().nullable(),
                renja_total: money,
                items: z.number(),
              }),
            ),
            items: z.array(
              z.object({
                opd_id: z.number(),
                sub_kegiatan_code: z.string(),
                pagu: money,
                funding_source_code: z.string().nullable(),
                target: dec.nullable(),
                unit: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const o = await annual.rkpdOverview(db, pid(req), req.params.year);
      return { ...o, rkpd: o.rkpd ?? null };
    },
  );
  app.patch(
    `${P}/rkpd/:year`,
    {
      config: { auth: { permission: 'planning.rkpd.write' } },
      schema: {
        tags,
        summary: 'Update the theme and priorities of a draft RKPD',
        params: yearParam,
        body: annual.rkpdUpdateSchema,
        response: { 200: rkpdOut, ...errs },
      },
    },
    async (req) => annual.updateRkpd(db, req.principal!, req.params.year, req.body),
  );
  app.put(
    `${P}/rkpd/:year/ceilings`,
    {
      config: { auth: { permission: 'planning.rkpd.write' } },
      schema: {
        tags,
        summary: 'Set the indicative ceiling (pagu indikatif) of OPD in a draft RKPD',
        params: yearParam,
        body: annual.rkpdCeilingsSchema,
        response: { 200: z.array(z.object({ opd_id: z.number(), pagu: money })), ...errs },
      },
    },
    async (req) => annual.setRkpdCeilings(db, req.principal!, req.params.year, req.body),
  );
  app.post(
    `${P}/rkpd/:year/approve`,
    {
      config: { auth: { permission: 'planning.rkpd.write' } },
      schema: {
        tags,
        summary:
          'Approve the RKPD: every Renja verified and within its ceiling; takes the indicative ceilings per sub kegiatan',
        params: yearParam,
        body: versionBody,
        response: { 200: rkpdOut, ...errs },
      },
    },
    async (req) => annual.approveRkpd(db, req.principal!, req.params.year, req.body),
  );

  // ---- Renja --------------------------------------------------------------------------------------------------
  const renjaOpd = (req: FastifyRequest) => annual.opdOfRenja(db, pid(req), idOf(req));
  const itemOpd = (req: FastifyRequest) => annual.opdOfRenjaItem(db, pid(req), idOf(req));
  app.get(
    `${P}/renja`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Renja documents with item count and total (filter by year, OPD)',
        querystring: z.object({
          year: z.coerce.number().int().min(2000).max(2100).optional(),
          opd_id: z.coerce.number().int().positive().optional(),
        }),
        response: { 200: z.object({ rows: z.array(renjaOut.extend({ total: money, items: z.number() })) }) },
      },
    },
    async (req) => ({ rows: await annual.listRenja(db, pid(req), { year: req.query.year, opdId: req.query.opd_id }) }),
  );
  app.post(
    `${P}/renja`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: (req) => (req.body as { opd_id?: number })?.opd_id } },
      schema: {
        tags,
        summary: 'Create the Renja of an OPD for a year',
        body: annual.renjaCreateSchema,
        response: { 201: renjaOut, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await annual.createRenja(db, req.principal!, req.body)),
  );
  app.get(
    `${P}/renja/:id`,
    {
      config: read,
      schema: {
        tags,
        summary: 'A Renja with its items',
        params: idParam,
        response: { 200: z.object({ renja: renjaOut, items: z.array(renjaItemOut) }), 404: errorOut },
      },
    },
    async (req) => {
      const renja = await annual.getRenja(db, pid(req), req.params.id);
      if (!renja) throw notFound();
      return { renja, items: await annual.renjaItems(db, pid(req), renja.id) };
    },
  );
  app.get(
    `${P}/renja/:id/checks`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Run the consistency checks of a Renja (trace to Renstra, targets, ceiling in the RKPD, nomenclature)',
        params: idParam,
        response: { 200: z.object({ ok: z.boolean(), checks: z.array(checkOut) }), 404: errorOut },
      },
    },
    async (req) => {
      const checks = await annual.renjaChecks(db, pid(req), req.params.id);
      return {
        ok: !checks.some((c) => c.severity === 'error'),
        checks: checks.map((c) => ({ ...c, message: tr(req, c.key, c.params) })),
      };
    },
  );
  app.post(
    `${P}/renja/:id/items`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: renjaOpd } },
      schema: {
        tags,
        summary: 'Add a sub kegiatan to a draft Renja (target, unit and pagu default to the Renstra’s for the year)',
        params: idParam,
        body: annual.renjaItemCreateSchema,
        response: { 201: renjaItemOut, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await annual.addRenjaItem(db, req.principal!, req.params.id, req.body)),
  );
  app.post(
    `${P}/renja/:id/from-renstra`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: renjaOpd } },
      schema: {
        tags,
        summary: 'Add every sub kegiatan of the OPD’s Renstra not yet in the draft Renja',
        params: idParam,
        response: { 200: z.object({ added: z.number() }), ...errs },
      },
    },
    async (req) => annual.addItemsFromRenstra(db, req.principal!, req.params.id),
  );
  app.patch(
    `${P}/renja-items/:id`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: itemOpd } },
      schema: {
        tags,
        summary: 'Update a Renja item (target, unit, location, funding source, pagu indikatif)',
        params: idParam,
        body: annual.renjaItemUpdateSchema,
        response: { 200: renjaItemOut, ...errs },
      },
    },
    async (req) => annual.updateRenjaItem(db, req.principal!, req.params.id, req.body),
  );
  app.delete(
    `${P}/renja-items/:id`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: itemOpd } },
      schema: {
        tags,
        summary: 'Remove an item (without linked proposals) from a draft Renja',
        params: idParam,
        response: { 204: z.undefined(), ...errs },
      },
    },
    async (req, reply) => {
      await annual.deleteRenjaItem(db, req.principal!, req.params.id);
      return reply.code(204).send();
    },
  );
  const flows = [
    ['submit', 'planning.renja.submit', 'The OPD submits its draft Renja to Bappeda', annual.submitRenja],
    [
      'verify',
      'planning.renja.verify',
      'Bappeda verifies a submitted Renja (the checks must pass)',
      annual.verifyRenja,
    ],
    [
      'approve',
      'planning.renja.verify',
      'Bappeda approves a verified Renja (checks pass, Pokir window closed): the RKA may then choose from it',
      annual.approveRenja,
    ],
    [
      'return',
      'planning.renja.verify',
      'Bappeda returns a submitted or verified Renja to the OPD with a note',
      annual.returnRenja,
    ],
    [
      'revise',
      'planning.renja.verify',
      'Bappeda reopens an approved Renja for revision (note required)',
      annual.reviseRenja,
    ],
  ] as const;
  for (const [name, perm, summary, fn] of flows) {
    app.post(
      `${P}/renja/:id/${name}`,
      {
        config: { auth: { permission: perm, opd: renjaOpd } },
        schema: { tags, summary, params: idParam, body: noteBody, response: { 200: renjaOut, ...errs } },
      },
      async (req) => fn(db, req.principal!, req.params.id, req.body),
    );
  }

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
        querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
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

  // ---- settings ---------------------------------------------------------------------------------------------
  app.get(
    `${P}/cycles`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Planning cycle per year: Musrenbang open, Pokir window',
        response: { 200: z.object({ rows: z.array(cycleOut) }) },
      },
    },
    async (req) => ({
      rows: await settings.listCycles(db, pid(req)),
    }),
  );
  app.put(
    `${P}/cycles/:year`,
    {
      config: { auth: { permission: 'planning.settings' } },
      schema: {
        tags,
        summary: 'Set a year’s cycle (Musrenbang open; Pokir window, which must close before the Renja is finalised)',
        params: yearParam,
        body: settings.cycleSchema,
        response: { 200: cycleOut, ...errs },
      },
    },
    async (req) => settings.setCycle(db, req.principal!, req.params.year, req.body),
  );
  app.get(
    `${P}/priority-weights`,
    {
      config: read,
      schema: { tags, summary: 'Weights of the priority-score criteria', response: { 200: weightsOut } },
    },
    async (req) => loadWeights(db, pid(req)),
  );
  app.put(
    `${P}/priority-weights`,
    {
      config: { auth: { permission: 'planning.settings' } },
      schema: {
        tags,
        summary: 'Set the weights (0–100) and rescore open proposals',
        body: settings.weightsSchema,
        response: { 200: z.object({ weights: weightsOut, rescored: z.number() }), ...errs },
      },
    },
    async (req) => settings.setWeights(db, req.principal!, req.body),
  );
  app.get(
    `${P}/categories`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Proposal categories and their suggested sub kegiatan and OPD',
        response: { 200: z.object({ rows: z.array(categoryOut) }) },
      },
    },
    async (req) => ({
      rows: await settings.listCategories(db, pid(req), true),
    }),
  );
  app.put(
    `${P}/categories/:code`,
    {
      config: { auth: { permission: 'planning.settings' } },
      schema: {
        tags,
        summary: 'Create or update a proposal category',
        params: z.object({ code: z.string().max(40) }),
        body: settings.categorySchema,
        response: { 200: categoryOut, ...errs },
      },
    },
    async (req) => settings.setCategory(db, req.principal!, req.params.code, req.body),
  );
  app.get(
    `${P}/dprd-members`,
    {
      config: { auth: { permission: 'planning.pokir.read' } },
      schema: {
        tags,
        summary: 'DPRD members (komisi, dapil)',
        response: { 200: z.object({ rows: z.array(memberOut) }) },
      },
    },
    async (req) => ({
      rows: await settings.listMembers(db, pid(req)),
    }),
  );
  app.put(
    `${P}/dprd-members`,
    {
      config: { auth: { permission: 'planning.dprd.manage' } },
      schema: {
        tags,
        summary: 'Register or update a DPRD member (linked to a user with the dprd role)',
        body: settings.memberSchema,
        response: { 200: memberOut, ...errs },
      },
    },
    async (req) => settings.upsertMember(db, req.principal!, req.body),
  );
  app.get(
    `${P}/opd-komisi`,
    {
      config: read,
      schema: {
        tags,
        summary: 'The DPRD partner commission of each OPD',
        response: { 200: z.object({ rows: z.array(z.object({ opd_id: z.number(), komisi: z.string() })) }) },
      },
    },
    async (req) => ({
      rows: await settings.listOpdKomisi(db, pid(req)),
    }),
  );
  app.put(
    `${P}/opd-komisi`,
    {
      config: { auth: { permission: 'planning.dprd.manage' } },
      schema: {
        tags,
        summary: 'Set the partner commission of an OPD',
        body: settings.opdKomisiSchema,
        response: { 200: z.object({ opd_id: z.number(), komisi: z.string() }), ...errs },
      },
    },
    async (req) => settings.setOpdKomisi(db, req.principal!, req.body),
  );

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
        systemPrincipal(req.server.registry.permissions, pemda.id, 'warga'),
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
        querystring: pubQuery.extend({ year: z.coerce.number().int().min(2000).max(2100) }),
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
