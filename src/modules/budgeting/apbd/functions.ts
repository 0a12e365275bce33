// The klasifikasi fungsi (Lampiran V of the Perda APBD) and the map from bidang urusan to function,
// seeded for every Pemda (idempotent). Status B: believed, not confirmed against the official annex.
import { sql } from 'kysely';
import type { SeedContext } from '../../../core/module.ts';
import './apbd.tables.ts';

export const FUNCTIONS: Array<[string, string]> = [
  ['01', 'PELAYANAN UMUM'],
  ['02', 'PERTAHANAN'],
  ['03', 'KETERTIBAN DAN KEAMANAN'],
  ['04', 'EKONOMI'],
  ['05', 'LINGKUNGAN HIDUP'],
  ['06', 'PERUMAHAN DAN FASILITAS UMUM'],
  ['07', 'KESEHATAN'],
  ['08', 'PARIWISATA DAN BUDAYA'],
  ['09', 'AGAMA'],
  ['10', 'PENDIDIKAN'],
  ['11', 'PERLINDUNGAN SOSIAL'],
];

/** bidang → [function, status]. 02 and 09 are central functions: no bidang of a Pemda maps there. */
export const BIDANG_FUNCTION: Record<string, [string, 'V' | 'B']> = {
  '1.01': ['10', 'V'],
  '1.02': ['07', 'V'],
  '1.03': ['06', 'B'],
  '1.04': ['06', 'V'],
  '1.05': ['03', 'V'],
  '1.06': ['11', 'V'],
  '2.07': ['04', 'B'],
  '2.08': ['11', 'B'],
  '2.09': ['04', 'B'],
  '2.10': ['06', 'B'],
  '2.11': ['05', 'V'],
  '2.12': ['01', 'B'],
  '2.13': ['06', 'B'],
  '2.14': ['07', 'B'],
  '2.15': ['04', 'V'],
  '2.16': ['01', 'B'],
  '2.17': ['04', 'V'],
  '2.18': ['04', 'V'],
  '2.19': ['08', 'B'],
  '2.20': ['01', 'B'],
  '2.21': ['01', 'B'],
  '2.22': ['08', 'V'],
  '2.23': ['10', 'B'],
  '2.24': ['01', 'B'],
  '3.25': ['04', 'V'],
  '3.26': ['08', 'V'],
  '3.27': ['04', 'V'],
  '3.28': ['04', 'B'],
  '3.29': ['04', 'V'],
  '3.30': ['04', 'V'],
  '3.31': ['04', 'V'],
  '3.32': ['04', 'B'],
  '4.01': ['01', 'V'],
  '4.02': ['01', 'V'],
  '5.01': ['01', 'V'],
  '5.02': ['01', 'V'],
  '5.03': ['01', 'V'],
  '5.04': ['01', 'B'],
  '5.05': ['01', 'B'],
  '6.01': ['01', 'V'],
  '7.01': ['01', 'B'],
  '8.01': ['03', 'B'],
};

export async function seedFunctions(ctx: SeedContext): Promise<void> {
  const { db, pemdaId } = ctx;
  await db
    .insertInto('bud_function')
    .values(FUNCTIONS.map(([code, name]) => ({ pemda_id: pemdaId, code, name, status: 'V' as const })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('bud_bidang_function')
    .values(
      Object.entries(BIDANG_FUNCTION).map(([bidang_code, [function_code, status]]) => ({
        pemda_id: pemdaId,
        bidang_code,
        function_code,
        status,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  void sql;
}
