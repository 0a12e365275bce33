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

/** One app's cache of Pemda rows by id (each request reads its Pemda; the rows rarely change). */
export class PemdaCache {
  private readonly rows = new Map<number, Pemda>();

  async get(db: Db, id: number): Promise<Pemda | undefined> {
    const hit = this.rows.get(id);
    if (hit) return hit;
    const row = await getPemda(db, id);
    if (row) this.rows.set(id, row);
    return row;
  }

  /** Drop one Pemda (after it changed) or all. */
  forget(id?: number): void {
    if (id === undefined) this.rows.clear();
    else this.rows.delete(id);
  }
}

export async function listPemda(db: Db): Promise<Pemda[]> {
  return db.selectFrom('core_pemda').selectAll().where('active', '=', true).orderBy('id').execute();
}

export async function findPemdaByCode(db: Db, code: string): Promise<Pemda | undefined> {
  return db.selectFrom('core_pemda').selectAll().where('code', '=', code).executeTakeFirst();
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
