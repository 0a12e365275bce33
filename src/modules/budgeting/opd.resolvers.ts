// The OPD a budgeting request acts on, read from the record it names (pemda-filtered): the API and
// the pages give it to core (`config.auth.opd`), which refuses an OPD-scoped role another OPD (403).
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../core/db/database.ts';
import { getLine, getSub, readLineSaveContext, type LineSaveContext, type SubKegiatan } from './rka.service.ts';
import type { LineInput } from './lines.schema.ts';

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

/**
 * What a line save reads before it writes (line-save.ts), read once per request: the OPD check
 * and the save share it, so the save's first statement is also its authorisation read.
 */
const lineSaveByRequest = new WeakMap<FastifyRequest, Promise<LineSaveContext | undefined>>();
export function lineSaveOfRequest(db: Db, req: FastifyRequest): Promise<LineSaveContext | undefined> {
  let p = lineSaveByRequest.get(req);
  if (!p) {
    const subId = Number((req.params as { id: string }).id);
    p = readLineSaveContext(db, req.principal!.pemdaId, subId, req.body as LineInput);
    lineSaveByRequest.set(req, p);
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
    /** A line save (validated body): its sub kegiatan's OPD, read with everything the save needs. */
    lineSave: async (req: FastifyRequest) => (await lineSaveOfRequest(db, req))?.sub.opd_id,
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
