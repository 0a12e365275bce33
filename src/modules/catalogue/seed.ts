// Demo catalogue of "Kabupaten Demo" for 2026 and 2027 (the year being budgeted in November 2026):
// a few hundred SSH/HSPK/ASB items, the SBU official-travel table for every province, honoraria
// and meeting packages, and price proposals at every status. Everything goes through the importer
// (validated like an upload, bulk-inserted, one audit entry per year) and the proposal service.
// Idempotent: a year that already has items is left alone, and so are existing proposals.
// See seed-data/README.md for which figures are official and which are demo.
import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { SeedContext } from '../../core/module.ts';
import type { Db } from '../../core/db/database.ts';
import type { Grants, Principal } from '../../core/roles.ts';
import { importFile } from '../master-data/index.ts';
import { findUserByUsername } from '../users/index.ts';
import { analyzeCatalogue, importSheet, type Sheet } from './import.ts';
import {
  approveProposal,
  createProposal,
  rejectProposal,
  returnProposal,
  verifyProposal,
  type CatalogueKind,
} from './catalogue.service.ts';

export const SEED_YEARS = [2026, 2027] as const;
/** SSH/HSPK/ASB prices in the demo file are 2027 prices; 2026 is this much lower (demo). */
const PRICE_RISE_PERCENT = 4n;

const HEADERS = [
  'jenis',
  'kode',
  'nama',
  'spesifikasi',
  'satuan',
  'harga',
  'tkdn',
  'akun',
  'komponen_sbu',
  'provinsi',
  'jenis_perjalanan',
  'golongan',
];

const TRAVEL_BIASA = '5.1.02.04.01.0001';
const TRAVEL_DALAM_KOTA = '5.1.02.04.01.0003';

/** Lodging ceiling per grade as a multiple of the province's uang harian luar kota (demo figures). */
const LODGING_FACTOR: Array<[grade: string, percent: bigint]> = [
  ['kepala_daerah', 450n],
  ['eselon_2', 280n],
  ['eselon_3_4_gol_4', 200n],
  ['gol_1_2_3', 150n],
];
/** Uang harian diklat as a share of uang harian luar kota (demo figure). */
const DIKLAT_PERCENT = 30n;

function readCsv(file: string): Record<string, string>[] {
  return parseCsv(fs.readFileSync(new URL(`./seed-data/${file}`, import.meta.url)), {
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
}

const roundTo = (v: bigint, step: bigint) => ((v + step / 2n) / step) * step;

function priceForYear(price2027: bigint, year: number): bigint {
  if (year >= 2027) return price2027;
  const lower = (price2027 * 100n) / (100n + PRICE_RISE_PERCENT);
  return roundTo(lower, price2027 < 10_000n ? 50n : 100n);
}

/** The rows of one year: the demo price list plus the SBU tables. */
export function demoRows(year: number): string[][] {
  const rows: string[][] = [];
  for (const r of readCsv('standar-harga-demo.csv')) {
    rows.push([
      r.jenis!,
      r.kode!,
      r.nama!,
      r.spesifikasi!,
      r.satuan!,
      priceForYear(BigInt(r.harga!), year).toString(),
      r.tkdn!,
      r.akun!,
      '',
      '',
      '',
      '',
    ]);
  }
  const transport = new Map(readCsv('sbu-transport-demo.csv').map((r) => [r.provinsi!, r]));
  readCsv('sbu-uang-harian.csv').forEach((r, i) => {
    const prov = r.provinsi!;
    const pp = String(i + 1).padStart(2, '0');
    const luar = BigInt(r.luar_kota!);
    const dalam = BigInt(r.dalam_kota_lebih_8_jam!);
    const sbu = (
      code: string,
      name: string,
      spec: string,
      unit: string,
      price: bigint,
      account: string,
      component: string,
      travel: string,
      grade: string,
    ) => rows.push(['SBU', code, name, spec, unit, price.toString(), '', account, component, prov, travel, grade]);
    sbu(
      `4.1.01.${pp}.0001`,
      `Uang harian perjalanan dinas luar kota ke ${prov}`,
      'per orang per hari',
      'OH',
      luar,
      TRAVEL_BIASA,
      'uang_harian',
      'luar_kota',
      '',
    );
    sbu(
      `4.1.01.${pp}.0002`,
      `Uang harian perjalanan dinas dalam kota lebih dari 8 jam (${prov})`,
      'per orang per hari',
      'OH',
      dalam,
      TRAVEL_DALAM_KOTA,
      'uang_harian',
      'dalam_kota',
      '',
    );
    sbu(
      `4.1.01.${pp}.0003`,
      `Uang harian diklat di ${prov}`,
      'per orang per hari (demo)',
      'OH',
      roundTo((luar * DIKLAT_PERCENT) / 100n, 1000n),
      TRAVEL_BIASA,
      'uang_harian',
      'diklat',
      '',
    );
    LODGING_FACTOR.forEach(([grade, pct], g) =>
      sbu(
        `4.1.02.${pp}.000${g + 1}`,
        `Batas biaya penginapan di ${prov} (${grade.replace(/_/g, ' ')})`,
        'per orang per malam (demo)',
        'Malam',
        roundTo((luar * pct) / 100n, 1000n),
        TRAVEL_BIASA,
        'penginapan',
        '',
        grade,
      ),
    );
    const t = transport.get(prov);
    if (t?.pesawat_pp)
      sbu(
        `4.1.03.${pp}.0001`,
        `Tiket pesawat ke ${prov}`,
        'pulang pergi, kelas ekonomi, dari Kalimantan Selatan (demo)',
        'Orang',
        BigInt(t.pesawat_pp),
        TRAVEL_BIASA,
        'transport',
        'pesawat',
        '',
      );
    if (t?.darat_pp)
      sbu(
        `4.1.03.${pp}.0002`,
        `Transportasi darat ke ${prov}`,
        'pulang pergi, dari ibu kota kabupaten (demo)',
        'Orang',
        BigInt(t.darat_pp),
        TRAVEL_BIASA,
        'transport',
        'darat',
        '',
      );
  });
  for (const r of readCsv('sbu-lainnya-demo.csv')) {
    rows.push([
      r.jenis!,
      r.kode!,
      r.nama!,
      r.spesifikasi!,
      r.satuan!,
      r.harga!,
      r.tkdn!,
      r.akun!,
      r.komponen_sbu!,
      r.provinsi!,
      r.jenis_perjalanan!,
      r.golongan!,
    ]);
  }
  return rows;
}

export async function seedDemoCatalogue(ctx: SeedContext): Promise<void> {
  const { db, pemdaId, actor } = ctx;
  // Leaf accounts the demo prices need that the master-data sample lacks (demo, status B).
  const extra = fs.readFileSync(new URL('./seed-data/akun-tambahan.csv', import.meta.url));
  for (const year of SEED_YEARS) {
    const res = await importFile(db, actor, 'accounts', extra, {
      year,
      mode: 'seed',
      lang: 'en',
      fileName: 'akun-tambahan.csv',
    });
    if (!res.ok) throw new Error(`catalogue seed: extra accounts refused: ${JSON.stringify(res.errors.slice(0, 5))}`);
  }
  for (const year of SEED_YEARS) {
    const has = await db
      .selectFrom('cat_item')
      .select('id')
      .where('pemda_id', '=', pemdaId)
      .where('year', '=', year)
      .limit(1)
      .executeTakeFirst();
    if (has) continue;
    const sheet: Sheet = { headers: HEADERS, rows: demoRows(year).map((cells, i) => ({ row: i + 1, cells })) };
    const res = await importSheet(db, actor, sheet, { year, lang: 'en', source: 'seed' });
    if (!res.ok) {
      const lines = res.errors.slice(0, 20).map((e) => `  row ${e.row}, ${e.column}: ${e.reason}`);
      throw new Error(`catalogue seed ${year} is invalid:\n${lines.join('\n')}`);
    }
  }
  await seedDemoProposals(db, pemdaId, actor.grants);
  await analyzeCatalogue(db);
}

async function principalOf(
  db: Db,
  pemdaId: number,
  username: string,
  grants: Grants | undefined,
): Promise<Principal | undefined> {
  const u = await findUserByUsername(db, pemdaId, username);
  return u
    ? {
        pemdaId,
        userId: u.id,
        username: u.username,
        fullName: u.full_name,
        role: u.role,
        opdId: u.opd_id,
        regionId: u.region_id,
        via: 'cli',
        grants,
      }
    : undefined;
}

async function itemId(db: Db, pemdaId: number, year: number, kind: CatalogueKind, code: string): Promise<number> {
  const r = await db
    .selectFrom('cat_item')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('kind', '=', kind)
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Proposals for 2027 at every status, made by the demo users through the workflow itself. */
async function seedDemoProposals(db: Db, pemdaId: number, grants: Grants | undefined): Promise<void> {
  const any = await db
    .selectFrom('cat_proposal')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .limit(1)
    .executeTakeFirst();
  if (any) return;
  const [dinkesOp, dinkesHead, disdikOp, dishubOp, dpuprOp, timData, tapd] = await Promise.all(
    ['dinkes.operator', 'dinkes.head', 'disdik.operator', 'dishub.operator', 'dpupr.operator', 'tim_data', 'tapd'].map(
      (u) => principalOf(db, pemdaId, u, grants),
    ),
  );
  if (!dinkesOp || !dinkesHead || !disdikOp || !dishubOp || !dpuprOp || !timData || !tapd) return; // users not seeded
  const year = 2027;

  // submitted: a price change waiting for Tim Data
  await createProposal(db, dinkesOp, {
    item_id: await itemId(db, pemdaId, year, 'SSH', '1.1.12.01.02.0002'),
    price: '68500',
    justification:
      'Survei harga tiga toko alat tulis di ibu kota kabupaten (Oktober 2026): rata-rata Rp 68.500 per rim.',
  });

  // verified: a new item, code assigned by Tim Data, waiting for TAPD
  const kia = await createProposal(db, dinkesHead, {
    year,
    kind: 'SSH',
    name: 'Cetak buku KIA (Kesehatan Ibu dan Anak)',
    spec: 'A5, 100 halaman, full color, sampul art carton',
    unit: 'Eksemplar',
    price: '32000',
    tkdn: '80',
    accounts: ['5.1.02.01.01.0026'],
    justification:
      'Buku KIA dibagikan kepada ibu hamil di 10 puskesmas; belum ada di SSH. Harga dari dua penawaran percetakan lokal.',
  });
  await verifyProposal(db, timData, kia.id, {
    version: kia.version,
    code: '1.1.12.03.01.0101',
    note: 'Harga wajar dibanding cetak buku A5 100 halaman.',
  });

  // approved: a price change that became version 2
  const bus = await createProposal(db, dishubOp, {
    item_id: await itemId(db, pemdaId, year, 'SSH', '1.1.12.04.01.0013'),
    price: '3750000',
    justification: 'Tarif sewa bus 45 kursi naik sejak penyesuaian harga solar; tiga penawaran PO bus terlampir.',
  });
  const busV = await verifyProposal(db, timData, bus.id, { version: bus.version, note: 'Sesuai penawaran.' });
  await approveProposal(db, tapd, bus.id, { version: busV.version, note: 'Disetujui untuk APBD 2027.' });

  // returned to the OPD
  const nasi = await createProposal(db, disdikOp, {
    item_id: await itemId(db, pemdaId, year, 'SSH', '1.1.12.02.01.0001'),
    price: '45000',
    justification: 'Harga nasi kotak di sekitar sekolah lebih mahal dari standar.',
  });
  await returnProposal(db, timData, nasi.id, {
    version: nasi.version,
    note: 'Melebihi rata-rata survei; lampirkan tiga penawaran.',
  });

  // rejected by TAPD
  const aspal = await createProposal(db, dpuprOp, {
    item_id: await itemId(db, pemdaId, year, 'HSPK', '2.1.01.01.0006'),
    price: '210000',
    justification: 'Harga aspal curah naik; analisa harga satuan pekerjaan disesuaikan.',
  });
  const aspalV = await verifyProposal(db, timData, aspal.id, { version: aspal.version });
  await rejectProposal(db, tapd, aspal.id, {
    version: aspalV.version,
    reason: 'Kenaikan 27% tidak didukung analisa harga satuan; gunakan harga berlaku.',
  });
}
