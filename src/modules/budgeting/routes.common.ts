// What the e-Budgeting API files share: the typed app, the OPD resolvers of a request (core checks
// an OPD-scoped role against the OPD they name), the ceiling and RKPD outputs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ModuleContext } from '../../core/module.ts';
import type { Db } from '../../core/db/database.ts';
import { notFound } from '../../core/errors.ts';
import { requireOpd } from './stages.service.ts';
import { getLine, getOpdCeiling, getSub, type SubKegiatan } from './rka.service.ts';

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

/** The sub kegiatan a request names (`:id`), read once per request: the OPD check and the handler share it. */
const subByRequest = new WeakMap<FastifyRequest, Promise<SubKegiatan | undefined>>();
export function subOfRequest(db: Db, req: FastifyRequest): Promise<SubKegiatan | undefined> {
  let p = subByRequest.get(req);
  if (!p) {
    p = getSub(db, req.principal!.pemdaId, Number((req.params as { id: string }).id));
    subByRequest.set(req, p);
  }
  return p;
}

/** OPD resolvers: the OPD a request acts on, read from the record it names (pemda-filtered). */
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
