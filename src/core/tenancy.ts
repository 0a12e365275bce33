// The tenant: a Pemda (kabupaten, kota or provinsi). Every domain row carries its pemda_id.
import { z } from 'zod';
import type { Db } from './db/database.ts';
import type { PemdaTable } from './db/schema.ts';
import type { Selectable } from 'kysely';

export type Pemda = Selectable<PemdaTable>;

export const pemdaInput = z.object({
  code: z.string().regex(/^\d{2}(\.\d{2})?$/, 'core.pemda.code_format'),
  name: z.string().min(3).max(200),
  kind: z.enum(['kabupaten', 'kota', 'provinsi']),
  province: z.string().max(100).default(''),
});
export type PemdaInput = z.input<typeof pemdaInput>;

export async function getPemda(db: Db, id: number): Promise<Pemda | undefined> {
  return db.selectFrom('core_pemda').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * One app's cache of Pemda rows by id (each request reads its Pemda). Safe with several processes
 * without invalidation: a Pemda's id, code and name never change after creation (no code path
 * updates them), and a Pemda still being created (inactive) is not cached.
 */
export class PemdaCache {
  private readonly rows = new Map<number, Pemda>();

  async get(db: Db, id: number): Promise<Pemda | undefined> {
    const hit = this.rows.get(id);
    if (hit) return hit;
    const row = await getPemda(db, id);
    if (row?.active) this.rows.set(id, row);
    return row;
  }

  /** Drop one Pemda (after it changed) or all. */
  forget(id?: number): void {
    if (id === undefined) this.rows.clear();
    else this.rows.delete(id);
  }
}

/** Active Pemda (those people log in to); `all` adds those still being created. */
export async function listPemda(db: Db, opts: { all?: boolean } = {}): Promise<Pemda[]> {
  let q = db.selectFrom('core_pemda').selectAll();
  if (!opts.all) q = q.where('active', '=', true);
  return q.orderBy('id').execute();
}

export async function findPemdaByCode(db: Db, code: string): Promise<Pemda | undefined> {
  return db.selectFrom('core_pemda').selectAll().where('code', '=', code).executeTakeFirst();
}

const looseName = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * The active Pemda a person names: its code ("63.10") or its name ("Kabupaten Banjar"; case and
 * spacing ignored). People never type a numeric id.
 */
export async function findPemdaByRef(db: Db, ref: string): Promise<Pemda | undefined> {
  const r = ref.trim();
  if (!r) return undefined;
  const byCode = await findPemdaByCode(db, r);
  if (byCode) return byCode.active ? byCode : undefined;
  return (await listPemda(db)).find((p) => looseName(p.name) === looseName(r));
}

/**
 * The Pemda of a log-in: the one named by `ref` (code or name), else the one with `id` (kept for
 * older API clients), else the only active Pemda. 'ambiguous' when several exist and none is named.
 */
export async function resolveLoginPemda(
  db: Db,
  ref: { pemda?: string | null; pemdaId?: number | null },
): Promise<Pemda | 'unknown' | 'ambiguous'> {
  if (ref.pemda && ref.pemda.trim()) return (await findPemdaByRef(db, ref.pemda)) ?? 'unknown';
  if (ref.pemdaId) {
    const p = await getPemda(db, ref.pemdaId);
    return p?.active ? p : 'unknown';
  }
  const all = await listPemda(db);
  if (all.length === 1) return all[0]!;
  return all.length ? 'ambiguous' : 'unknown';
}

/** Create a Pemda (idempotent by code). Not audited: the audit chain belongs to a Pemda. */
export async function ensurePemda(db: Db, input: PemdaInput): Promise<Pemda> {
  const v = pemdaInput.parse(input);
  const existing = await findPemdaByCode(db, v.code);
  if (existing) return existing;
  return db
    .insertInto('core_pemda')
    .values({ ...v, settings: '{}' })
    .returningAll()
    .executeTakeFirstOrThrow();
}
