// Input schemas of Musrenbang and Pokir proposals (API bodies and forms).
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import { textIn, optText, decimalIn, moneyIn, versionIn, subKegiatanCode } from './common.ts';

// ---- input schemas ---------------------------------------------------------------------------------

const coord = (min: number, max: number) =>
  z.union([z.string().max(20), z.number()]).transform((v, ctx) => {
    const s = String(v).trim().replace(',', '.');
    if (s === '') return null;
    if (!/^-?\d{1,3}(\.\d{1,6})?$/.test(s) || Number(s) < min || Number(s) > max) {
      ctx.addIssue({ code: 'custom', message: 'pln.error.coordinate' });
      return z.NEVER;
    }
    return s;
  });

const proposalFields = {
  title: textIn(300),
  problem: textIn(4000),
  category_code: z
    .string()
    .trim()
    .max(40)
    .nullish()
    .transform((v) => v || null),
  kecamatan_id: intIn(z.number().int().positive()),
  kelurahan_id: intIn(z.number().int().positive().nullish()),
  address: optText(500),
  latitude: coord(-90, 90).nullish(),
  longitude: coord(-180, 180).nullish(),
  volume: decimalIn,
  unit: textIn(60),
  estimated_cost: moneyIn,
  beneficiaries: intIn(z.number().int().min(0).max(10_000_000).nullish()),
};

export const proposalCreateSchema = z.object({ year: intIn(z.number().int().min(2000).max(2100)), ...proposalFields });
export const citizenProposalSchema = z.object({
  ...proposalFields,
  /** Optional: derived from the kelurahan/desa. */
  kecamatan_id: intIn(z.number().int().positive().optional()),
  kelurahan_id: intIn(z.number().int().positive()),
  submitter_name: textIn(200),
  submitter_contact: textIn(200),
});
export const pokirCreateSchema = proposalCreateSchema;
export const proposalUpdateSchema = z.object({
  version: versionIn,
  title: textIn(300).optional(),
  problem: textIn(4000).optional(),
  category_code: z
    .string()
    .trim()
    .max(40)
    .nullish()
    .transform((v) => (v === undefined ? undefined : v || null)),
  kecamatan_id: intIn(z.number().int().positive().optional()),
  kelurahan_id: intIn(z.number().int().positive().nullish()),
  address: optText(500),
  latitude: coord(-90, 90).nullish(),
  longitude: coord(-180, 180).nullish(),
  volume: decimalIn.optional(),
  unit: textIn(60).optional(),
  estimated_cost: moneyIn.optional(),
  beneficiaries: intIn(z.number().int().min(0).max(10_000_000).nullish()),
});

export const mappingSchema = z.object({
  version: versionIn,
  sub_kegiatan_code: subKegiatanCode,
  opd_id: intIn(z.number().int().positive()),
});

export const decisionSchema = z.object({
  version: versionIn,
  decision: z.enum(['accept', 'reject', 'merge', 'defer']),
  amount: moneyIn.optional(),
  volume: decimalIn.optional(),
  urgency: intIn(z.number().int().min(1).max(5).optional()),
  reason: optText(2000),
  merge_into: z.string().trim().max(40).optional(),
  sub_kegiatan_code: subKegiatanCode.optional(),
  opd_id: intIn(z.number().int().positive().optional()),
});
