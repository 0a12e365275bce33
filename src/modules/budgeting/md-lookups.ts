// Read-only lists of master data that master-data's public surface (index.ts) does not offer yet:
// the sub kegiatan of some bidang urusan and the leaf accounts of a class, for a fiscal year. They
// are the only place where budgeting reads md_ tables directly; they belong in
// master-data/index.ts (listNomenclature / listAccounts) and should move there.
import type { Db } from '../../core/db/database.ts';

export async function listSubKegiatanOf(db: Db, pemdaId: number, year: number, bidang: string[]): Promise<Array<{ code: string; name: string; indicator: string; unit: string }>> {
  if (!bidang.length) return [];
  return db
    .selectFrom('md_nomenclature')
    .select(['code', 'name', 'indicator', 'unit'])
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('level', '=', 'sub_kegiatan')
    .where('active', '=', true)
    .where((eb) => eb.or(bidang.map((b) => eb('code', 'like', `${b}.%`))))
    .orderBy('code')
    .execute();
}

/** Active leaf accounts (sub rincian objek) of a class ('4', '5', '6') for a year. */
export async function listLeafAccounts(db: Db, pemdaId: number, year: number, accountClass: string): Promise<Array<{ code: string; name: string }>> {
  return db
    .selectFrom('md_account')
    .select(['code', 'name'])
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('level', '=', 'sub_rincian_objek')
    .where('active', '=', true)
    .where('code', 'like', `${accountClass}.%`)
    .orderBy('code')
    .execute();
}
