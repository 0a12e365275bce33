// The shape of a budget line, defined once: what a client sends (lineInputSchema), what the API
// answers (lineOutSchema, from which LineOut is derived) and the priced columns (PricedLine, derived
// from the table's row type).
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { LineTable } from './budgeting.tables.ts';
import { DECIMAL_RE, moneyString } from './rka.common.ts';

const factorSchema = z.object({
  v: z.string().trim().regex(DECIMAL_RE, 'bud.error.factor_format'),
  u: z.string().trim().min(1, 'bud.error.factor_unit').max(30),
});

export const lineInputSchema = z.object({
  account_code: z.string().trim().min(1).max(40),
  group_header: z.string().trim().max(300).optional(),
  description_header: z.string().trim().max(300).optional(),
  /** A catalogue item; omit (null) for an item outside the catalogue, where the Pemda allows it. */
  item_id: z.number().int().positive().nullable().optional(),
  name: z.string().trim().max(500).optional(),
  spec: z.string().trim().max(1000).optional(),
  unit: z.string().trim().max(50).optional(),
  /** Integer rupiah as a decimal string; defaults to the catalogue price, may not exceed it. */
  unit_price: moneyString.optional(),
  factors: z.array(factorSchema).min(1).max(4),
  /** Apply the Pemda's PPN rate. */
  tax: z.boolean().optional(),
  funding_source_id: z.number().int().positive().nullable().optional(),
});
export type LineInput = z.input<typeof lineInputSchema>;
export const lineUpdateSchema = lineInputSchema.partial().extend({ version: z.number().int().min(1) });
export type LineUpdateInput = z.input<typeof lineUpdateSchema>;

/** The columns priceLine computes (the rest of a row is where the line sits and who wrote it). */
export type PricedLine = Pick<
  Selectable<LineTable>,
  | 'account_code'
  | 'group_header'
  | 'description_header'
  | 'item_id'
  | 'item_version'
  | 'item_kind'
  | 'item_code'
  | 'name'
  | 'spec'
  | 'unit'
  | 'catalogue_price'
  | 'unit_price'
  | 'v1'
  | 'u1'
  | 'v2'
  | 'u2'
  | 'v3'
  | 'u3'
  | 'v4'
  | 'u4'
  | 'subtotal'
  | 'tax_rate'
  | 'tax'
  | 'total'
  | 'free_text'
  | 'funding_source_id'
>;

/** A fresh schema per use: a shared instance would become an unnamed $ref in the OpenAPI document. */
const money = () => z.string().describe('integer rupiah');
const factorOut = z.object({ v: z.string(), u: z.string() });

/** A line as the API answers it. */
export const lineOutSchema = z.object({
  id: z.string(),
  version: z.number(),
  stage_id: z.number(),
  opd_id: z.number(),
  kind: z.enum(['belanja', 'pendapatan', 'pembiayaan']),
  sub_kegiatan_id: z.number().nullable(),
  sub_kegiatan_code: z.string().nullable(),
  kegiatan_code: z.string().nullable(),
  program_code: z.string().nullable(),
  account_code: z.string(),
  group_header: z.string(),
  description_header: z.string(),
  item_id: z.number().nullable(),
  item_version: z.number().nullable(),
  item_kind: z.string().nullable(),
  item_code: z.string().nullable(),
  name: z.string(),
  spec: z.string(),
  unit: z.string(),
  catalogue_price: money().nullable(),
  unit_price: money(),
  factors: z.array(factorOut),
  coefficient: z.string(),
  volume: z.string(),
  volume_unit: z.string(),
  subtotal: money(),
  tax_rate: z.string(),
  tax: money(),
  total: money(),
  free_text: z.boolean(),
  at_catalogue_price: z.boolean(),
  travel_id: z.number().nullable(),
  travel_component: z.enum(['uang_harian', 'penginapan', 'transport', 'representasi']).nullable(),
  funding_source_id: z.number().nullable(),
  review_note: z.string().nullable(),
  line_key: z.string(),
  origin_line_id: z.string().nullable(),
  updated_by: z.string(),
  updated_at: z.date(),
});
export type LineOut = z.output<typeof lineOutSchema>;
