// What the e-Budgeting API files share: the typed app with the OPD resolvers (opd.resolvers.ts), the
// ceiling and RKPD outputs.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ModuleContext } from '../../core/module.ts';
import { notFound } from '../../core/errors.ts';
import { requireOpd } from './stages.service.ts';
import { getOpdCeiling } from './rka.service.ts';
import { resolvers } from './opd.resolvers.ts';

export const P = '/api/v1/budget';
export const read = { permission: 'bud.read' };

/** The typed app, the database, the OPD resolvers and the OPD filter check of one API file. */
export function apiContext(appIn: FastifyInstance, ctx: ModuleContext) {
  const { db } = ctx;
  return {
    app: appIn.withTypeProvider<ZodTypeProvider>(),
    db,
    opd: resolvers(db),
    /** A listing filtered by an OPD that is not one of this Pemda's answers 404, not 200 with no rows. */
    knownOpdFilter: async (pemdaId: number, opdId: number | undefined) => {
      if (opdId !== undefined) await requireOpd(db, pemdaId, opdId, 'path');
    },
  };
}

export function ceilingOut(c: Awaited<ReturnType<typeof getOpdCeiling>>) {
  if (!c) throw notFound();
  return {
    ...c,
    ceiling: String(c.ceiling),
    planned: String(c.planned),
    input_until: c.input_until ? new Date(c.input_until) : null,
  };
}

/** The approved RKPD's pagu indikatif next to a ceiling: null when the RKPD has none for it. */
export function rkpdCompare(rkpd: bigint | undefined, ceiling: string) {
  return rkpd === undefined
    ? { rkpd_ceiling: null, rkpd_difference: null }
    : { rkpd_ceiling: rkpd.toString(), rkpd_difference: (BigInt(ceiling) - rkpd).toString() };
}
