// The OPD a budgeting request acts on, read from the record it names (pemda-filtered): the API and
// the pages give it to core (`config.auth.opd`), which refuses an OPD-scoped role another OPD (403).
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../core/db/database.ts';
import { getLine, getSub, readLineSaveContext } from './rka.service.ts';
import type { LineInput } from './lines.schema.ts';

/** `read` done once per request (memoised on the request object): the OPD check and the handler share it. */
function oncePerRequest<T>(read: (db: Db, req: FastifyRequest) => Promise<T>) {
  const byRequest = new WeakMap<FastifyRequest, Promise<T>>();
  return (db: Db, req: FastifyRequest): Promise<T> => {
    let p = byRequest.get(req);
    if (!p) byRequest.set(req, (p = read(db, req)));
    return p;
  };
}

/** The sub kegiatan a request names (`:id`). */
export const subOfRequest = oncePerRequest((db, req) =>
  getSub(db, req.principal!.pemdaId, Number((req.params as { id: string }).id)),
);

/**
 * What a line save reads before it writes (line-save.ts): the save's first statement is also its
 * authorisation read.
 */
export const lineSaveOfRequest = oncePerRequest((db, req) =>
  readLineSaveContext(db, req.principal!.pemdaId, Number((req.params as { id: string }).id), req.body as LineInput),
);

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
