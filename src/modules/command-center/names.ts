// Names of regions and OPD come from master data through its index.ts (a module queries only its
// own tables); they change rarely, so each Pemda's are kept for a minute.
import type { Db } from '../../core/db/database.ts';
import { listOpds, listRegions } from '../master-data/index.ts';

export interface Names {
  region(id: number | null | undefined): string | null;
  opd(id: number | null | undefined): string | null;
  opdShort(id: number): string;
}

const cache = new Map<number, { at: number; names: Names }>();

export async function namesOf(db: Db, pemdaId: number): Promise<Names> {
  const hit = cache.get(pemdaId);
  if (hit && Date.now() - hit.at < 60_000) return hit.names;
  const [regions, opds] = await Promise.all([listRegions(db, pemdaId), listOpds(db, pemdaId)]);
  const r = new Map(regions.map((x) => [x.id, x.name]));
  const o = new Map(opds.map((x) => [x.id, x]));
  const names: Names = {
    region: (id) => (id == null ? null : (r.get(id) ?? null)),
    opd: (id) => (id == null ? null : (o.get(id)?.name ?? null)),
    opdShort: (id) => o.get(id)?.shortName || String(id),
  };
  cache.set(pemdaId, { at: Date.now(), names });
  return names;
}
