// Request and response schemas of the planning API (the *.routes.ts files beside this one), and
// small request helpers they share.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import { conflictOut, errorOut } from './common.ts';

export const tags = ['planning'];
export const ts = z.date();
export const money = z.string().describe('integer rupiah as a decimal string');
export const dec = z.string().describe('exact decimal');

export const rpjmdOut = z.object({
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
export const indicatorOut = z.object({
  id: z.number(),
  name: z.string(),
  unit: z.string(),
  formula: z.string(),
  baseline: dec.nullable(),
  version: z.number(),
  targets: z.array(z.object({ year: z.number(), value: dec })),
});
export const nodeOut = z.object({
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
export const rpjmdNodeRow = z.object({
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
export const renstraOut = z.object({
  id: z.number(),
  rpjmd_id: z.number(),
  opd_id: z.number(),
  status: z.enum(['draft', 'approved']),
  version: z.number(),
  created_at: ts,
  updated_at: ts,
});
export const renstraNodeRow = z.object({
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
export const indicatorRow = z.object({
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
export const ceilingsOut = z.array(z.object({ year: z.number(), pagu: money }));
export const cascadeLevel = z.object({
  level: z.string(),
  id: z.number().nullable(),
  code: z.string(),
  text: z.string(),
  indicators: z.array(
    z.object({ name: z.string(), unit: z.string(), baseline: dec.nullable(), target: dec.nullable() }),
  ),
});
export const rkpdOut = z.object({
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
export const renjaOut = z.object({
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
export const renjaItemOut = z.object({
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
export const checkOut = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  key: z.string(),
  message: z.string(),
  item_id: z.number().nullable(),
  sub_kegiatan_code: z.string().nullable(),
});
export const proposalOut = z.object({
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
export const stepOut = z.object({
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
export const trackBase = z.object({
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
export const trackOut = trackBase.extend({ earlier: trackBase.extend({ earlier: z.unknown().nullable() }).nullable() });
export const cycleOut = z.object({
  year: z.number(),
  musrenbang_open: z.boolean(),
  pokir_opens_at: ts.nullable(),
  pokir_closes_at: ts.nullable(),
  version: z.number(),
  updated_at: ts,
});
export const categoryOut = z.object({
  code: z.string(),
  name: z.string(),
  sub_kegiatan_code: z.string().nullable(),
  opd_id: z.number().nullable(),
  active: z.boolean(),
  version: z.number(),
});
export const memberOut = z.object({
  id: z.number(),
  user_id: z.number().nullable(),
  name: z.string(),
  fraksi: z.string(),
  komisi: z.string(),
  dapil: z.string(),
  active: z.boolean(),
});
export const weightsOut = z.object({
  urgency: z.number(),
  beneficiaries: z.number(),
  alignment: z.number(),
  readiness: z.number(),
  cost: z.number(),
  carry_over: z.number(),
});
export const versionBody = z.object({ version: intIn(z.number().int().positive()) });
export const noteBody = z.object({
  version: intIn(z.number().int().positive()),
  note: z.string().trim().max(2000).optional(),
});
export const errs = { 400: errorOut, 403: errorOut, 404: errorOut, 409: conflictOut };

/** The OPD a request acts on, for core's OPD check of OPD-scoped roles. */
export const pid = (req: FastifyRequest) => req.principal!.pemdaId;
export const idOf = (req: FastifyRequest) => Number((req.params as { id: string }).id);
