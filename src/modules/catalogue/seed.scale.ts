// Generated catalogue for `padu seed --scale`: `catalogueItems` SSH/HSPK/ASB items of the scale's year
// (codes 9.9.<account>.<n>), each allowed on one expenditure leaf account, dealt out over every
// expenditure leaf account of the chart. Prices are log-uniform from Rp 5,000 to Rp 50 million
// (rounded to Rp 100), names from word lists. Bulk inserted, one audit record. Idempotent: nothing
// happens when the year already has generated items.
import { sql } from 'kysely';
import type { ScaleSeedContext } from '../../core/module.ts';
import type { Db } from '../../core/db/database.ts';
import { demoRandom } from '../../core/seed.ts';
import { mutate } from '../../core/audit/audit.ts';
import { listAccounts } from '../master-data/index.ts';

const NOUNS = [
  'Kertas HVS',
  'Tinta Printer',
  'Map Ordner',
  'Kursi Kerja',
  'Meja Rapat',
  'Laptop',
  'Proyektor',
  'Semen Portland',
  'Besi Beton',
  'Aspal Hotmix',
  'Paving Block',
  'Nasi Kotak',
  'Snack Rapat',
  'Air Mineral',
  'Sewa Tenda',
  'Sewa Sound System',
  'Jasa Tenaga Kebersihan',
  'Obat Generik',
  'Reagen Laboratorium',
  'Bahan Bakar Minyak',
  'Suku Cadang Kendaraan',
  'Lampu LED',
  'Kabel Jaringan',
  'Spanduk',
  'Cetak Buku',
];
const SPECS = ['standar', 'ukuran besar', 'ukuran sedang', 'kualitas A', 'lokal', 'impor', 'paket lengkap'];
const UNITS = ['Buah', 'Rim', 'Unit', 'Kotak', 'Paket', 'Liter', 'Sak', 'Meter', 'Orang', 'Kali', 'Lembar', 'Set'];
const KINDS = ['SSH', 'SSH', 'SSH', 'SSH', 'SSH', 'SSH', 'SSH', 'HSPK', 'HSPK', 'ASB'] as const;

export interface ScaleItem {
  itemId: number;
  version: number;
  kind: string;
  code: string;
  name: string;
  spec: string;
  unit: string;
  price: string;
  account: string;
}

/** The generated items of the year with their price and account, ordered by account (then code). */
export async function listScaleItems(db: Db, pemdaId: number, year: number): Promise<ScaleItem[]> {
  const rows = await sql<ScaleItem>`
    SELECT i.id AS "itemId", v.version, i.kind, i.code, v.name, v.spec, v.unit, v.price::text AS price, a.account_code AS account
      FROM cat_item i
      JOIN cat_item_version v ON v.pemda_id = i.pemda_id AND v.item_id = i.id AND v.version = i.current_version
      JOIN cat_item_account a ON a.pemda_id = v.pemda_id AND a.item_id = v.item_id AND a.version = v.version
     WHERE i.pemda_id = ${pemdaId} AND i.year = ${year} AND i.code LIKE '9.9.%' AND i.active
     ORDER BY a.account_code, i.id`.execute(db);
  return rows.rows;
}

export async function seedScaleCatalogue(ctx: ScaleSeedContext): Promise<void> {
  const { db, pemdaId, scale } = ctx;
  const existing = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM cat_item WHERE pemda_id = ${pemdaId} AND year = ${scale.year} AND code LIKE '9.9.%'`.execute(
    db,
  );
  if (existing.rows[0]!.n > 0) return;
  const accounts = (await listAccounts(db, pemdaId, scale.year, { level: 'sub_rincian_objek', under: ['5'] })).map(
    (a) => a.code,
  );
  if (!accounts.length) throw new Error(`seed --scale: no expenditure accounts for ${scale.year}`);
  const r = demoRandom(scale.seed + 2);
  const items = Array.from({ length: scale.catalogueItems }, (_, n) => {
    const a = n % accounts.length;
    const noun = r.pick(NOUNS);
    return {
      kind: r.pick(KINDS),
      code: `9.9.${a + 1}.${Math.floor(n / accounts.length) + 1}`,
      name: `${noun} ${r.pick(SPECS)} ${n + 1}`,
      spec: `${r.pick(SPECS)}, ${r.pick(['merek lokal', 'SNI', 'setara', 'TKDN ≥ 40%'])}`,
      unit: r.pick(UNITS),
      price: String(Math.round(Math.exp(Math.log(5_000) + r.next() * Math.log(10_000)) / 100) * 100),
      account: accounts[a]!,
    };
  });
  await mutate(db, ctx.actor, async (uow) => {
    const trx = uow.trx;
    for (let from = 0; from < items.length; from += 10_000) {
      const b = items.slice(from, from + 10_000);
      const col = <K extends keyof (typeof b)[number]>(k: K) => b.map((x) => x[k]);
      await sql`
        WITH x AS (
          SELECT * FROM unnest(${col('kind')}::text[], ${col('code')}::text[], ${col('name')}::text[], ${col('spec')}::text[],
                               ${col('unit')}::text[], ${col('price')}::bigint[], ${col('account')}::text[])
                 AS x (kind, code, name, spec, unit, price, account)),
        i AS (
          INSERT INTO cat_item (pemda_id, year, kind, code, name)
          SELECT ${pemdaId}::int, ${scale.year}::int, kind, code, name FROM x
          RETURNING id, kind, code),
        v AS (
          INSERT INTO cat_item_version (pemda_id, item_id, version, name, spec, unit, price, source, approved_by_name)
          SELECT ${pemdaId}::int, i.id, 1, x.name, x.spec, x.unit, x.price, 'seed', 'seed'
            FROM i JOIN x ON x.kind = i.kind AND x.code = i.code
          RETURNING item_id)
        INSERT INTO cat_item_account (pemda_id, item_id, version, account_code)
        SELECT ${pemdaId}::int, i.id, 1, x.account FROM i JOIN x ON x.kind = i.kind AND x.code = i.code
         WHERE EXISTS (SELECT 1 FROM v WHERE v.item_id = i.id)`.execute(trx);
      ctx.progress?.(Math.min(items.length, from + b.length), items.length, 'catalogue: items');
    }
    uow.audit({
      action: 'seed',
      entity: 'catalogue_item',
      entityId: `scale ${scale.name}`,
      after: { year: scale.year, items: items.length, accounts: accounts.length },
    });
  });
}
