// Open311 GeoReport v2 support: client application keys (issued by the admin, kept as hashes),
// the Pemda of a public request (jurisdiction_id = the Pemda code), and the kecamatan of a point
// (point in polygon over the Pemda's kecamatan boundaries).
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { fieldError, notFound } from '../../core/errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import type { Principal } from '../../core/roles.ts';
import { findPemdaByCode, listPemda, type Pemda } from '../../core/tenancy.ts';
import { listRegions } from '../master-data/index.ts';
import { rings, type Feature } from './geo.ts';
import { loadKecamatanGeoJson } from './seed.ts';

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function listApiClients(db: Db, actor: Principal) {
  requirePermission(actor, 'cc.open311.keys');
  return db
    .selectFrom('cc_api_client')
    .select(['id', 'name', 'key_prefix', 'active', 'created_at'])
    .where('pemda_id', '=', actor.pemdaId)
    .orderBy('id')
    .execute();
}

/** A new client application; its key is shown once and only its hash kept. */
export async function createApiClient(db: Db, actor: Principal, name: string): Promise<{ id: number; key: string }> {
  requirePermission(actor, 'cc.open311.keys');
  const n = name.trim();
  if (n.length < 2 || n.length > 200) throw fieldError('name', 'cc.error.client_name');
  const key = `o311_${randomBytes(24).toString('base64url')}`;
  return mutate(db, actor, async (uow) => {
    const r = await uow.trx
      .insertInto('cc_api_client')
      .values({ pemda_id: actor.pemdaId, name: n, key_hash: hashKey(key), key_prefix: key.slice(0, 9) })
      .returning('id')
      .executeTakeFirstOrThrow();
    uow.audit({
      action: 'create',
      entity: 'cc_api_client',
      entityId: r.id,
      after: { name: n, key_prefix: key.slice(0, 9) },
    });
    return { id: r.id, key };
  });
}

export async function setApiClientActive(db: Db, actor: Principal, id: number, active: boolean): Promise<void> {
  requirePermission(actor, 'cc.open311.keys');
  await mutate(db, actor, async (uow) => {
    const r = await uow.trx
      .updateTable('cc_api_client')
      .set({ active })
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!r) throw notFound();
    uow.audit({ action: active ? 'activate' : 'deactivate', entity: 'cc_api_client', entityId: id, after: { active } });
  });
}

/** The active client application of a key, or undefined. */
export async function clientOfKey(db: Db, pemdaId: number, key: string | undefined) {
  if (!key || key.length > 200) return undefined;
  return db
    .selectFrom('cc_api_client')
    .select(['id', 'name'])
    .where('pemda_id', '=', pemdaId)
    .where('key_hash', '=', hashKey(key))
    .where('active', '=', true)
    .executeTakeFirst();
}

/** The Pemda of a public request: the code given (jurisdiction_id / ?pemda=), else the only one. */
export async function publicPemda(db: Db, code: string | undefined | null): Promise<Pemda> {
  if (code) {
    const p = await findPemdaByCode(db, code);
    if (!p || !p.active) throw notFound();
    return p;
  }
  const all = await listPemda(db);
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw notFound();
  throw fieldError('jurisdiction_id', 'cc.error.jurisdiction');
}

function inRing(lon: number, lat: number, ring: Array<[number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The kecamatan (region id) whose boundary holds the point, from the Pemda's boundary file. */
export async function kecamatanAt(db: Db, pemdaId: number, lat: number, lon: number): Promise<number | undefined> {
  const features: Feature[] = loadKecamatanGeoJson().features;
  const f = features.find((x) => rings(x).some((r) => inRing(lon, lat, r)));
  if (!f) return undefined;
  const kecs = await listRegions(db, pemdaId, 'kecamatan');
  return kecs.find((k) => k.code === f.properties.kode)?.id;
}
