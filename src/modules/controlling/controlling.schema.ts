// zod schemas of the controlling routes.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';

export const yearQ = intIn(z.number().int().min(2000).max(2100));
export const monthQ = intIn(z.number().int().min(1).max(12));
export const idQ = intIn(z.number().int().positive());

export const dashboardQuery = z.object({ year: yearQ.optional(), month: monthQ.optional(), opd_id: idQ.optional() });
export const listQuery = z.object({
  year: yearQ.optional(),
  opd_id: idQ.optional(),
  sub: z.string().max(40).optional(),
  package_id: idQ.optional(),
  limit: intIn(z.number().int().min(1).max(1000).default(100)),
  offset: intIn(z.number().int().min(0).default(0)),
});
export const importQuery = z.object({ year: yearQ });
export const realisationBody = z.object({
  year: yearQ,
  sp2d_number: z.string().max(100),
  date: z.string().max(40),
  opd: z.union([z.string().max(60), z.number()]),
  sub_kegiatan: z.string().max(40),
  account: z.string().max(40),
  amount: z.union([z.string().max(40), z.number()]),
  payee: z.string().max(300).optional(),
  description: z.string().max(1000).optional(),
  package_id: idQ.nullable().optional(),
});
export const progressBody = z.object({
  year: yearQ,
  opd_id: idQ,
  sub_kegiatan_code: z.string().max(40),
  month: monthQ,
  percent: z.union([z.string().max(10), z.number()]),
  note: z.string().max(1000).optional(),
});
export const errorOut = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string(), row: z.number().optional() }).passthrough()),
  details: z.unknown().optional(),
});

const moneyIn = z.union([z.string().max(40), z.number()]);
export const packageBody = z.object({
  year: yearQ,
  opd_id: idQ,
  name: z.string().max(300),
  method: z.enum(['tender', 'e_purchasing', 'direct', 'swakelola']),
  planned_start: monthQ,
  planned_end: monthQ,
  lines: z.array(z.object({ line_id: z.string().max(20), amount: moneyIn.optional() })).max(500),
  value: moneyIn.optional(),
});
export const contractBody = z.object({
  contract_value: moneyIn,
  contract_date: z.string().max(10),
  supplier: z.string().max(300),
  terms: z.array(z.object({ percent: z.number().int(), condition: z.string().max(300).optional() })).max(24),
});
