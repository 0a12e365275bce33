// Demo budget of "Kabupaten Demo": fiscal year 2027, budgeted now (November 2026). KUA-PPAS
// (ceilings for every OPD) is closed; the APBD murni stage is open with an input window around
// today. Six OPD have a full RKA: sub kegiatan of the bidang they carry, hundreds of lines priced
// from the catalogue (bulk-inserted, amounts by the same rule as the service), a few free-text
// lines, official trips priced from SBU (through the travel service), revenue and financing for the
// finance agencies, and sub kegiatan at every workflow status (through the workflow service).
// Idempotent: nothing happens when the year already exists.
import { demoRandom } from '../../core/seed.ts';
import { sql } from 'kysely';
import type { SeedContext } from '../../core/module.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import type { Grants, Principal, Role } from '../../core/roles.ts';
import {
  importFile,
  listFundingSources,
  listOpds,
  listRegions,
  getNomenclature,
  listNomenclature,
  listOpdBidang,
} from '../master-data/index.ts';
import { searchCatalogue, listProvinces, type PricedItem } from '../catalogue/index.ts';
import { findUserByUsername } from '../users/index.ts';
import { computeAmounts, normDecimal, parseFactors } from './calc.ts';
import { closeStage, createYear, openNextStage } from './stages.service.ts';
import { createOpdLine, updateSettings } from './rka.service.ts';
import { createTravel } from './travel.service.ts';
import { approveSub, returnSub, submitSub } from './workflow.service.ts';
import { parseDecimal } from '../../core/money.ts';

export const DEMO_YEAR = 2027;
const DAY = 86_400_000;

/** The OPD with a full demo RKA (short names of the master-data demo). */
export const RKA_OPDS = ['dinkes', 'disdik', 'dpupr', 'diskominfo', 'bpkad', 'dishub'] as const;

// Revenue and financing leaf accounts the master-data sample lacks (demo, status B).
const EXTRA_ACCOUNTS = `kode,nama,status
4.1.01.12.01.0001,Pajak Bumi dan Bangunan Perdesaan dan Perkotaan (PBB-P2),B
4.1.01.19.01.0001,Pajak Barang dan Jasa Tertentu atas Makanan dan/atau Minuman,B
4.1.02.01.01.0001,Retribusi Pelayanan Kesehatan di Puskesmas,B
4.1.02.01.01.0002,Retribusi Pelayanan Kesehatan di Laboratorium Kesehatan Daerah,B
4.2.01.01.01.0001,Dana Alokasi Umum (DAU),B
4.2.01.01.02.0001,Dana Bagi Hasil Pajak,B
6.1.01.01.01.0001,Sisa Lebih Perhitungan Anggaran Tahun Anggaran Sebelumnya,B
6.2.02.01.01.0001,Penyertaan Modal Daerah pada Badan Usaha Milik Daerah,B
`;

const rng = demoRandom;

/** Which accounts suit a sub kegiatan, by words of its name (the rest: office supplies and meetings). */
const THEMES: Array<[RegExp, string[]]> = [
  [
    /rapat|koordinasi|konsultasi/i,
    ['5.1.02.01.01.0052', '5.1.02.01.01.0024', '5.1.02.02.01.0003', '5.1.02.04.01.0004'],
  ],
  [/logistik/i, ['5.1.02.01.01.0024', '5.1.02.01.01.0025', '5.1.02.01.01.0029', '5.1.02.01.01.0004']],
  [/cetak|penggandaan/i, ['5.1.02.01.01.0026', '5.1.02.01.01.0025']],
  [/bacaan|peraturan/i, ['5.1.02.02.01.0062']],
  [/tamu/i, ['5.1.02.01.01.0053', '5.1.02.01.01.0052']],
  [/kendaraan/i, ['5.1.02.03.02.0035', '5.1.02.01.01.0004']],
  [/pendidikan dan pelatihan|pelatihan/i, ['5.1.02.02.12.0003', '5.1.02.02.01.0003', '5.1.02.04.01.0005']],
  [/mebel/i, ['5.2.02.05.02.0001']],
  [/listrik|penerangan/i, ['5.1.02.01.01.0024', '5.1.02.02.05.0001']],
  [/gedung|bangunan/i, ['5.1.02.03.03.0001', '5.2.03.01.01.0001']],
  [/jalan/i, ['5.2.04.01.01.0003', '5.1.02.02.05.0001']],
  [/jaringan|spbe|informatika/i, ['5.2.02.10.02.0004', '5.2.02.10.01.0002', '5.2.02.10.02.0003']],
  [/puskesmas|kesehatan|rumah sakit/i, ['5.2.03.01.01.0001', '5.2.02.05.02.0004', '5.1.02.01.01.0026']],
  [/jasa|surat|komunikasi|pelayanan umum/i, ['5.1.02.02.05.0009', '5.1.02.02.06.0001', '5.1.02.01.01.0024']],
];
const DEFAULT_ACCOUNTS = ['5.1.02.01.01.0024', '5.1.02.01.01.0026', '5.1.02.01.01.0052'];

interface DemoLine {
  subIdx: number;
  account: string;
  group: string;
  desc: string;
  item: PricedItem | null;
  name: string;
  spec: string;
  unit: string;
  unitPrice: bigint;
  factors: Array<{ v: string; u: string }>;
  tax: boolean;
}

async function principal(
  db: Db,
  pemdaId: number,
  grants: Grants | undefined,
  username: string,
  fallback: { role: Role; opdId: number | null },
): Promise<Principal> {
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
    : {
        pemdaId,
        userId: 0,
        username,
        fullName: username,
        role: fallback.role,
        opdId: fallback.opdId,
        regionId: null,
        via: 'cli',
        grants,
      };
}

const roundUp = (v: bigint, step: bigint) => ((v + step - 1n) / step) * step;

export async function seedDemoBudget(ctx: SeedContext): Promise<void> {
  const { db, pemdaId, actor } = ctx;
  const exists = await db
    .selectFrom('bud_year')
    .select('year')
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', DEMO_YEAR)
    .executeTakeFirst();
  if (exists) return;
  const r = rng(2027);
  const now = Date.now();

  // the executed year (DEMO_YEAR − 1, seed.executed.ts) has the same revenue and financing lines
  const accountsFile = Buffer.from(EXTRA_ACCOUNTS);
  for (const year of [DEMO_YEAR - 1, DEMO_YEAR]) {
    const imported = await importFile(db, actor, 'accounts', accountsFile, {
      year,
      mode: 'seed',
      lang: 'en',
      fileName: 'budgeting-accounts.csv',
    });
    if (!imported.ok)
      throw new Error(`budgeting seed: accounts refused: ${JSON.stringify(imported.errors.slice(0, 5))}`);
  }

  const tapd = await principal(db, pemdaId, actor.grants, 'tapd', { role: 'tapd', opdId: null });
  await updateSettings(db, tapd, { ppn_rate: '11', allow_free_text: true });

  const opds = await listOpds(db, pemdaId);
  const byShort = new Map(opds.map((o) => [o.shortName, o]));
  const funding = new Map((await listFundingSources(db, pemdaId)).map((f) => [f.code, f.id]));
  const regions = await listRegions(db, pemdaId);
  const kecamatan = regions.filter((x) => x.kind === 'kecamatan');

  // catalogue items per account (2027)
  const itemsByAccount = new Map<string, PricedItem[]>();
  const allAccounts = [...new Set([...THEMES.flatMap(([, a]) => a), ...DEFAULT_ACCOUNTS])];
  for (const account of allAccounts) {
    const { rows } = await searchCatalogue(db, pemdaId, { year: DEMO_YEAR, account, limit: 60 });
    const usable = rows.filter((x) => x.kind !== 'SBU' || !x.sbu);
    if (usable.length) itemsByAccount.set(account, usable);
  }

  // ---- plan each RKA OPD: sub kegiatan and lines ----------------------------------------------
  interface PlannedSub {
    code: string;
    name: string;
    funding: number | null;
    region: number | null;
    ceiling: bigint;
    travel: boolean;
  }
  interface PlannedOpd {
    opdId: number;
    short: string;
    subs: PlannedSub[];
    lines: DemoLine[];
  }
  const plans: PlannedOpd[] = [];
  for (const short of RKA_OPDS) {
    const opd = byShort.get(short);
    if (!opd) continue;
    const bidang = (await listOpdBidang(db, pemdaId, opd.id))[0];
    if (!bidang) continue;
    const noms = await listNomenclature(db, pemdaId, DEMO_YEAR, { level: 'sub_kegiatan', under: [bidang] });
    // the bidang's own program first (its sub kegiatan are few), then the support program
    const own = noms.filter((n) => !n.code.startsWith(`${bidang}.01.`));
    const support = noms.filter((n) => n.code.startsWith(`${bidang}.01.`));
    const chosen = [
      ...own.slice(0, 4),
      ...support.filter((_, i) => i % 2 === 0).slice(0, 12 - Math.min(own.length, 4)),
    ];
    const plan: PlannedOpd = { opdId: opd.id, short, subs: [], lines: [] };
    for (const [subIdx, n] of chosen.entries()) {
      const theme = THEMES.find(([re]) => re.test(n.name))?.[1] ?? DEFAULT_ACCOUNTS;
      const accounts = theme.filter((a) => itemsByAccount.has(a));
      const useAccounts = accounts.length ? accounts : DEFAULT_ACCOUNTS.filter((a) => itemsByAccount.has(a));
      let planned = 0n;
      const lineCount = r.int(6, 14);
      for (let i = 0; i < lineCount && useAccounts.length; i++) {
        const account = useAccounts[i % useAccounts.length]!;
        const item = r.pick(itemsByAccount.get(account)!);
        const persons = /makan|minum|snack|nasi|meeting|honorarium/i.test(item.name);
        const factors = persons
          ? [
              { v: String(r.int(10, 60)), u: 'Orang' },
              { v: String(r.int(1, 12)), u: 'Kali' },
            ]
          : [{ v: String(item.price.length > 7 ? r.int(1, 3) : r.int(2, 48)), u: item.unit || 'Buah' }];
        const discount = r.next() < 0.35 ? BigInt(r.int(1, 8)) : 0n;
        const unitPrice = (BigInt(item.price) * (100n - discount)) / 100n;
        const tax = item.kind === 'SSH' && r.next() < 0.2;
        const line: DemoLine = {
          subIdx,
          account,
          group: r.next() < 0.5 ? `Kegiatan ${n.name.split(' ').slice(0, 3).join(' ')}` : '',
          desc: r.next() < 0.3 ? `Triwulan ${r.int(1, 4)}` : '',
          item,
          name: item.name,
          spec: item.spec,
          unit: item.unit,
          unitPrice,
          factors,
          tax,
        };
        plan.lines.push(line);
        planned += amounts(line).total;
      }
      // one free-text line in a few sub kegiatan (flagged for TAPD)
      if (subIdx % 5 === 2) {
        const line: DemoLine = {
          subIdx,
          account: '5.1.02.01.01.0024',
          group: '',
          desc: '',
          item: null,
          name: 'Jasa dokumentasi dan publikasi kegiatan',
          spec: 'foto dan video, termasuk penyuntingan',
          unit: 'Paket',
          unitPrice: BigInt(r.int(15, 40)) * 100_000n,
          factors: [{ v: '1', u: 'Paket' }],
          tax: false,
        };
        plan.lines.push(line);
        planned += amounts(line).total;
      }
      const travel = subIdx % 4 === 1;
      const slack = travel ? 60_000_000n : BigInt(r.int(0, 20)) * 1_000_000n;
      plan.subs.push({
        code: n.code,
        name: n.name,
        funding: funding.get(r.pick(['DAU', 'DAU', 'PAD', 'DBH', 'DAK-NONFISIK'])) ?? null,
        region: kecamatan.length ? r.pick(kecamatan).id : null,
        ceiling: roundUp(planned, 1_000_000n) + slack,
        travel,
      });
    }
    plans.push(plan);
  }

  // ---- KUA-PPAS: ceilings for every OPD (closed) ---------------------------------------------------
  const kua = await createYear(db, tapd, {
    year: DEMO_YEAR,
    input_opens_at: new Date(now - 120 * DAY),
    input_closes_at: new Date(now - 60 * DAY),
  });
  await mutate(db, tapd, async (uow) => {
    const trx = uow.trx;
    const ceilings = opds
      .filter((o) => o.kind === 'opd')
      .map((o) => {
        const plan = plans.find((p) => p.opdId === o.id);
        const allocated = plan?.subs.reduce((s, x) => s + x.ceiling, 0n) ?? 0n;
        const ceiling = plan ? roundUp((allocated * 105n) / 100n, 10_000_000n) : BigInt(r.int(15, 180)) * 100_000_000n;
        const finance = o.shortName === 'bpkad' || o.shortName === 'bapenda';
        return {
          pemda_id: pemdaId,
          stage_id: kua.id,
          opd_id: o.id,
          ceiling: ceiling.toString(),
          allow_revenue: finance || o.shortName === 'dinkes',
          allow_financing: o.shortName === 'bpkad',
        };
      });
    await trx.insertInto('bud_opd_ceiling').values(ceilings).execute();
    const subs = plans.flatMap((p) =>
      p.subs.map((s) => {
        const seg = s.code.split('.');
        return {
          pemda_id: pemdaId,
          stage_id: kua.id,
          opd_id: p.opdId,
          code: s.code,
          bidang_code: seg.slice(0, 2).join('.'),
          program_code: seg.slice(0, 3).join('.'),
          kegiatan_code: seg.slice(0, 5).join('.'),
          name: s.name,
          funding_source_id: s.funding,
          ceiling: s.ceiling.toString(),
          region_id: s.region,
          location: s.region ? '' : 'Seluruh kabupaten',
        };
      }),
    );
    if (subs.length) await trx.insertInto('bud_sub_kegiatan').values(subs).execute();
    uow.audit({
      action: 'seed',
      entity: 'bud_opd',
      entityId: `stage ${kua.id}`,
      after: { ceilings: ceilings.length, sub_kegiatan: subs.length },
    });
  });
  // outputs of the sub kegiatan from the nomenclature
  for (const p of plans) {
    for (const s of p.subs) {
      const nom = await getNomenclature(db, pemdaId, DEMO_YEAR, s.code);
      if (nom?.indicator) {
        await db
          .updateTable('bud_sub_kegiatan')
          .set({ output_indicator: nom.indicator, target_unit: nom.unit, target_volume: String(r.int(1, 12)) })
          .where('pemda_id', '=', pemdaId)
          .where('stage_id', '=', kua.id)
          .where('opd_id', '=', p.opdId)
          .where('code', '=', s.code)
          .execute();
      }
    }
  }
  await closeStage(db, tapd, kua.id);

  // ---- APBD murni: a copy of KUA-PPAS, open around today -------------------------------------------
  const murni = await openNextStage(db, tapd, {
    year: DEMO_YEAR,
    kind: 'murni',
    input_opens_at: new Date(now - 14 * DAY),
    input_closes_at: new Date(now + 42 * DAY),
  });
  const subIds = new Map(
    (
      await db
        .selectFrom('bud_sub_kegiatan')
        .select(['id', 'opd_id', 'code', 'kegiatan_code', 'program_code', 'funding_source_id'])
        .where('pemda_id', '=', pemdaId)
        .where('stage_id', '=', murni.id)
        .execute()
    ).map((s) => [`${s.opd_id}|${s.code}`, s]),
  );
  await mutate(db, tapd, async (uow) => {
    const trx = uow.trx;
    const rows = plans.flatMap((p) =>
      p.lines.map((l) => {
        const sub = subIds.get(`${p.opdId}|${p.subs[l.subIdx]!.code}`)!;
        const a = amounts(l);
        const f = l.factors.map((x) => ({ v: normDecimal(x.v)!, u: x.u }));
        return {
          pemda_id: pemdaId,
          stage_id: murni.id,
          opd_id: p.opdId,
          kind: 'belanja' as const,
          sub_kegiatan_id: sub.id,
          sub_kegiatan_code: sub.code,
          kegiatan_code: sub.kegiatan_code,
          program_code: sub.program_code,
          account_code: l.account,
          group_header: l.group,
          description_header: l.desc,
          item_id: l.item?.itemId ?? null,
          item_version: l.item?.version ?? null,
          item_kind: l.item?.kind ?? null,
          item_code: l.item?.code ?? null,
          name: l.name,
          spec: l.spec,
          unit: l.unit,
          catalogue_price: l.item ? l.item.price : null,
          unit_price: l.unitPrice.toString(),
          v1: f[0]!.v,
          u1: f[0]!.u,
          v2: f[1]?.v ?? null,
          u2: f[1]?.u ?? null,
          v3: null,
          u3: null,
          v4: null,
          u4: null,
          subtotal: a.subtotal.toString(),
          tax_rate: l.tax ? '11' : '0',
          tax: a.tax.toString(),
          total: a.total.toString(),
          free_text: l.item === null,
          funding_source_id: sub.funding_source_id,
          created_by: `${p.short}.operator`,
          updated_by: `${p.short}.operator`,
        };
      }),
    );
    for (let i = 0; i < rows.length; i += 400)
      await trx
        .insertInto('bud_line')
        .values(rows.slice(i, i + 400))
        .execute();
    // the maintained sums, from the lines
    await sql`UPDATE bud_sub_kegiatan s SET planned = x.total
                FROM (SELECT sub_kegiatan_id, sum(total) AS total FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${murni.id} AND kind = 'belanja' GROUP BY sub_kegiatan_id) x
               WHERE s.pemda_id = ${pemdaId} AND s.id = x.sub_kegiatan_id`.execute(trx);
    await sql`UPDATE bud_opd_ceiling c SET planned = x.total
                FROM (SELECT opd_id, sum(total) AS total FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${murni.id} AND kind = 'belanja' GROUP BY opd_id) x
               WHERE c.pemda_id = ${pemdaId} AND c.stage_id = ${murni.id} AND c.opd_id = x.opd_id`.execute(trx);
    uow.audit({ action: 'seed', entity: 'bud_line', entityId: `stage ${murni.id}`, after: { lines: rows.length } });
  });

  // ---- official trips, priced from SBU through the travel service -------------------------------------
  const provinces = await listProvinces(db, pemdaId, DEMO_YEAR);
  const destinations = [
    'DKI Jakarta',
    'Jawa Timur',
    'Kalimantan Timur',
    'Jawa Barat',
    'Bali',
    'Sulawesi Selatan',
  ].filter((p) => provinces.includes(p));
  for (const p of plans) {
    const op = await principal(db, pemdaId, actor.grants, `${p.short}.operator`, {
      role: 'opd_operator',
      opdId: p.opdId,
    });
    for (const s of p.subs.filter((x) => x.travel)) {
      const sub = subIds.get(`${p.opdId}|${s.code}`)!;
      if (!destinations.length) break;
      await createTravel(db, op, sub.id, {
        description: `Konsultasi ${s.name.split(' ').slice(0, 4).join(' ')}`,
        persons: r.int(2, 4),
        days: r.int(2, 4),
        province: r.pick(destinations),
        travel_kind: 'luar_kota',
        transport: 'pesawat',
        grade: r.pick(['gol_1_2_3', 'eselon_3_4_gol_4', 'eselon_2']),
      });
    }
  }

  // ---- revenue and financing --------------------------------------------------------------------------
  const revenue: Array<[string, string, string, string, string]> = [
    ['dinkes', '4.1.02.01.01.0001', 'Retribusi pelayanan kesehatan di puskesmas', '12500', '68000'],
    ['dinkes', '4.1.02.01.01.0002', 'Retribusi pemeriksaan laboratorium', '45000', '9000'],
    ['bapenda', '4.1.01.12.01.0001', 'PBB-P2 (target ketetapan)', '1', '14500000000'],
    ['bapenda', '4.1.01.19.01.0001', 'PBJT makanan dan minuman', '1', '6200000000'],
    ['bpkad', '4.2.01.01.01.0001', 'Dana Alokasi Umum', '1', '742000000000'],
    ['bpkad', '4.2.01.01.02.0001', 'Dana Bagi Hasil Pajak', '1', '38500000000'],
  ];
  for (const [short, account, name, qty, price] of revenue) {
    const o = byShort.get(short);
    if (!o) continue;
    const op = await principal(db, pemdaId, actor.grants, `${short}.operator`, { role: 'opd_operator', opdId: o.id });
    await createOpdLine(db, op, murni.id, o.id, 'pendapatan', {
      account_code: account,
      name,
      unit: qty === '1' ? 'Tahun' : 'Layanan',
      unit_price: price,
      factors: [{ v: qty, u: qty === '1' ? 'Tahun' : 'Layanan' }],
    });
  }
  const bpkad = byShort.get('bpkad');
  if (bpkad) {
    const op = await principal(db, pemdaId, actor.grants, 'bpkad.operator', { role: 'opd_operator', opdId: bpkad.id });
    await createOpdLine(db, op, murni.id, bpkad.id, 'pembiayaan', {
      account_code: '6.1.01.01.01.0001',
      name: 'SiLPA tahun anggaran 2026 (perkiraan)',
      unit: 'Tahun',
      unit_price: '25000000000',
      factors: [{ v: '1', u: 'Tahun' }],
    });
    await createOpdLine(db, op, murni.id, bpkad.id, 'pembiayaan', {
      account_code: '6.2.02.01.01.0001',
      name: 'Penyertaan modal pada PDAM',
      unit: 'Tahun',
      unit_price: '5000000000',
      factors: [{ v: '1', u: 'Tahun' }],
    });
  }

  // ---- workflow: approved, submitted, returned, draft ------------------------------------------------------
  for (const p of plans) {
    const head = await principal(db, pemdaId, actor.grants, `${p.short}.head`, { role: 'opd_head', opdId: p.opdId });
    const ids = p.subs.map((s) => subIds.get(`${p.opdId}|${s.code}`)!.id);
    const [a, b, c, d] = ids;
    for (const id of [a, b, c, d].filter((x): x is number => x !== undefined)) await submitSub(db, head, id);
    if (a) await approveSub(db, tapd, a, { note: 'Sesuai KUA-PPAS dan standar harga.' });
    if (b) await approveSub(db, tapd, b);
    if (d) {
      const line = await db
        .selectFrom('bud_line')
        .select('id')
        .where('pemda_id', '=', pemdaId)
        .where('sub_kegiatan_id', '=', d)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      await returnSub(db, tapd, d, {
        note: 'Volume belum didukung data kebutuhan.',
        line_notes: line ? [{ line_id: String(line.id), note: 'Lampirkan perhitungan kebutuhan volume.' }] : [],
      });
    }
  }
}

function amounts(l: DemoLine) {
  const f = parseFactors(l.factors);
  if (!f.ok) throw new Error('bad demo factor');
  return computeAmounts(l.unitPrice, f.scaled, l.tax ? parseDecimal('11')! : 0n);
}
