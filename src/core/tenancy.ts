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

const cache = new Map<number, Pemda>();

export async function getPemda(db: Db, id: number): Promise<Pemda | undefined> {
  const hit = cache.get(id);
  if (hit) return hit;
  const row = await db.selectFrom('core_pemda').selectAll().where('id', '=', id).executeTakeFirst();
  if (row) cache.set(id, row);
  return row;
}

export function forgetPemdaCache(): void {
  cache.clear();
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
