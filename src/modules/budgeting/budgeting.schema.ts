// Response and parameter schemas shared by the e-Budgeting API (stages.routes.ts, ceilings.routes.ts,
// rka.routes.ts, travel.routes.ts, workflow.routes.ts, exports.routes.ts). Request bodies live beside
// their services (stages.service.ts, lines.schema.ts, …).
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import { lineOutSchema } from './rka.service.ts';

export const tags = ['budgeting'];
const fieldOut = z.object({ field: z.string(), message: z.string() });
const errorOut = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(fieldOut),
  details: z.unknown().optional(),
});
export const errors = { 400: errorOut, 403: errorOut, 404: errorOut, 409: errorOut, 422: errorOut, 423: errorOut };

/** A fresh schema per use: a shared instance would become an unnamed $ref in the OpenAPI document. */
export const money = () => z.string().describe('integer rupiah');
export const stageOut = z.object({
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
export const travelOut = z.object({
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
export const opdCeilingOut = z.object({
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
export const settingsOut = z.object({ ppn_rate: z.string(), allow_free_text: z.boolean(), version: z.number() });

export const stageParams = z.object({ stageId: intIn(z.number().int().positive()) });
export const stageOpdParams = z.object({
  stageId: intIn(z.number().int().positive()),
  opdId: intIn(z.number().int().positive()),
});
export const idParams = z.object({ id: intIn(z.number().int().positive()) });
export const lineParams = z.object({ id: z.string().regex(/^\d{1,18}$/) });
export const versionQuery = z.object({ version: intIn(z.number().int().min(1)) });
