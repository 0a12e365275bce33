// Request schemas of the APBD routes and pages (apbd.routes.ts, apbd.pages.ts), and the OPD resolver
// of a DPA route: shared here so that pages and routes do not import each other.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { intIn } from '../../../core/number.ts';
import type { Db } from '../../../core/db/database.ts';
import { getDpa } from './dpa.service.ts';

export const stageParams = z.object({ stageId: intIn(z.number().int().positive()) });
export const idParams = z.object({ id: intIn(z.number().int().positive()) });
const CODE = /^[0-9.]{1,40}$/;
export const drillQuery = z.object({
  opd_id: intIn(z.number().int().positive().optional()),
  ub: z.string().regex(CODE).optional(),
  sub: z.string().regex(CODE).optional(),
  acc: z.string().regex(CODE).optional(),
  fn: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  limit: intIn(z.number().int().min(1).max(1000).default(100)),
  offset: intIn(z.number().int().min(0).default(0)),
});
export const reportQuery = z.object({
  compare: z
    .string()
    .regex(/^(none|\d+)$/)
    .optional(),
  opd_id: intIn(z.number().int().positive().optional()),
  format: z.enum(['json', 'csv', 'xlsx', 'pdf']).default('json'),
  lang: z.enum(['id', 'en']).optional(),
});

export function dpaResolver(db: Db) {
  return async (req: FastifyRequest) =>
    (await getDpa(db, req.principal!.pemdaId, Number((req.params as { id: string }).id)))?.opd_id;
}
