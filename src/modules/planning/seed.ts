// Seeds of the planning module.
// Base: the default priority weights. Demo ("Kabupaten Demo"): an RPJMD 2025–2029 with missions,
// goals, targets, strategies, programs, indicators and ceilings; a Renstra for every OPD and
// kecamatan (support program of each bidang it carries plus the substantive programs of the demo
// nomenclature); the RKPD 2027 and an approved Renja 2027 for every OPD holding every sub kegiatan
// that OPD carries in the 2027 nomenclature (the budgeting demo draws its RKA from them); the
// planning cycles of 2027 (closed) and 2028 (open); proposal categories; five DPRD members (the
// demo user `dprd` and four more users `dprd.<name>`, created through the users module) with their
// komisi and dapil; the partner commission of each OPD; 235 Musrenbang proposals and 38 Pokir at
// every stage, with their history. Deterministic (seeded pseudo-random numbers) and bulk-inserted.
import type { SeedContext } from '../../core/module.ts';
import { mutate } from '../../core/audit/audit.ts';
import { DEMO_PASSWORD, demoRandom } from '../../core/seed.ts';
import { getPemda } from '../../core/tenancy.ts';
import {
  getNomenclature,
  listOpdBidang,
  listOpds,
  listRegions,
  type OpdSummary,
  type Region,
} from '../master-data/index.ts';
import { createUser, findUserByUsername } from '../users/index.ts';
import { newTrackingCode } from './proposals.service.ts';
import { CRITERIA, DEFAULT_WEIGHTS, priorityScore } from './priority.ts';
import { programOf } from './common.ts';

export async function seedPlanningBase(ctx: SeedContext): Promise<void> {
  const { db, pemdaId } = ctx;
  await mutate(db, ctx.actor, async (uow) => {
    const inserted = await uow.trx
      .insertInto('pln_priority_weight')
      .values(CRITERIA.map((c) => ({ pemda_id: pemdaId, criterion: c, weight: DEFAULT_WEIGHTS[c] })))
      .onConflict((oc) => oc.columns(['pemda_id', 'criterion']).doNothing())
      .returning('criterion')
      .execute();
    if (inserted.length)
      uow.audit({ action: 'seed', entity: 'priority_weight', entityId: pemdaId, after: DEFAULT_WEIGHTS });
  });
}

// ---- deterministic randomness --------------------------------------------------------------------------
const rng = demoRandom;

async function chunked<T>(rows: T[], size: number, fn: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await fn(rows.slice(i, i + size));
}

// ---- the demo nomenclature (master-data seed: X.XX.01 support program expanded per bidang) -----------------
const SUPPORT: Array<{ keg: string; subs: string[] }> = [
  { keg: '2.01', subs: ['0001', '0002', '0003', '0004', '0005', '0006', '0007'] },
  { keg: '2.02', subs: ['0001', '0003', '0004', '0005', '0007'] },
  { keg: '2.05', subs: ['0009'] },
  { keg: '2.06', subs: ['0001', '0004', '0005', '0006', '0008', '0009'] },
  { keg: '2.07', subs: ['0002', '0005'] },
  { keg: '2.08', subs: ['0001', '0002', '0004'] },
  { keg: '2.09', subs: ['0002', '0009'] },
];
/** Substantive programs of the demo nomenclature: program → kegiatan → sub kegiatan suffixes. */
const SPECIFIC: Record<string, Array<{ program: string; kegiatan: Array<{ code: string; subs: string[] }> }>> = {
  '1.02': [
    {
      program: '1.02.02',
      kegiatan: [
        { code: '1.02.02.2.01', subs: ['0001', '0002', '0003', '0004', '0006'] },
        { code: '1.02.02.2.02', subs: ['0043'] },
      ],
    },
    { program: '1.02.05', kegiatan: [{ code: '1.02.05.2.02', subs: ['0001'] }] },
  ],
  '1.03': [{ program: '1.03.10', kegiatan: [{ code: '1.03.10.2.01', subs: ['0051', '0053', '0055'] }] }],
  '2.15': [
    {
      program: '2.15.02',
      kegiatan: [
        { code: '2.15.02.2.01', subs: ['0001'] },
        { code: '2.15.02.2.02', subs: ['0002', '0003'] },
      ],
    },
  ],
  '2.16': [
    { program: '2.16.02', kegiatan: [{ code: '2.16.02.2.01', subs: [] }] },
    {
      program: '2.16.03',
      kegiatan: [
        { code: '2.16.03.2.01', subs: ['0003'] },
        { code: '2.16.03.2.02', subs: ['0035'] },
      ],
    },
  ],
};
/** Which OPD runs which substantive programs (by short name); kecamatan/other OPD run only support programs. */
const SUBSTANTIVE: Record<string, string[]> = {
  dinkes: ['1.02.02', '1.02.05'],
  rsud: ['1.02.02', '1.02.05'],
  dpupr: ['1.03.10'],
  dishub: ['2.15.02'],
  diskominfo: ['2.16.02', '2.16.03'],
  bpbd: ['1.05.03'],
  damkar: ['1.05.04'],
};
const SPECIFIC_1_05: Record<string, Array<{ code: string; subs: string[] }>> = {
  '1.05.03': ['2.01', '2.02', '2.03', '2.04'].map((k) => ({ code: `1.05.03.${k}`, subs: [] })),
  '1.05.04': ['2.01', '2.02', '2.03', '2.04', '2.05'].map((k) => ({ code: `1.05.04.${k}`, subs: [] })),
};

const UNIT_BY_SUPPORT: Record<string, string> = {
  '2.01': 'Dokumen',
  '2.02.0001': 'Orang/bulan',
  '2.02': 'Laporan',
  '2.05': 'Orang',
  '2.06.0001': 'Paket',
  '2.06.0004': 'Paket',
  '2.06.0005': 'Paket',
  '2.06.0006': 'Dokumen',
  '2.06.0008': 'Laporan',
  '2.06.0009': 'Laporan',
  '2.07': 'Unit',
  '2.08': 'Laporan',
  '2.09': 'Unit',
};
const UNIT_SPECIFIC: Record<string, string> = {
  '1.02.02.2.01.0001': 'Unit',
  '1.02.02.2.01.0002': 'Unit',
  '1.02.02.2.01.0003': 'Unit',
  '1.02.02.2.01.0004': 'Unit',
  '1.02.02.2.01.0006': 'Unit',
  '1.02.02.2.02.0043': 'Dokumen',
  '1.02.05.2.02.0001': 'Dokumen',
  '1.03.10.2.01.0051': 'Km',
  '1.03.10.2.01.0053': 'Km',
  '1.03.10.2.01.0055': 'Km',
  '2.15.02.2.01.0001': 'Dokumen',
  '2.15.02.2.02.0002': 'Unit',
  '2.15.02.2.02.0003': 'Km',
  '2.16.03.2.01.0003': 'Unit',
  '2.16.03.2.02.0035': 'Laporan',
};

const YEARS = [2025, 2026, 2027, 2028, 2029];
const FY = 2027;

function supportUnit(suffix: string): string {
  // suffix: "2.02.0001"
  return UNIT_BY_SUPPORT[suffix] ?? UNIT_BY_SUPPORT[suffix.slice(0, 4)] ?? 'Dokumen';
}

function yearlyTarget(unit: string, r: ReturnType<typeof rng>, staff: number): number[] {
  const base =
    unit === 'Orang/bulan'
      ? staff * 12
      : unit === 'Orang'
        ? r.int(10, 40)
        : unit === 'Km'
          ? r.int(8, 40)
          : unit === 'Unit'
            ? r.int(1, 6)
            : unit === 'Paket'
              ? r.int(1, 4)
              : unit === 'Laporan'
                ? r.pick([4, 12])
                : r.int(1, 4);
  return YEARS.map((_, i) => (unit === 'Orang/bulan' ? base + i * 12 : unit === 'Km' ? base + i * 2 : base));
}

function yearlyPagu(code: string, r: ReturnType<typeof rng>, staff: number): bigint[] {
  const suffix = code.split('.').slice(3).join('.');
  let base: bigint;
  if (suffix === '2.02.0001')
    base = BigInt(staff) * 12n * 6_500_000n; // salaries
  else if (code.startsWith('1.03.10')) base = BigInt(r.int(40, 120)) * 100_000_000n;
  else if (code.startsWith('1.02.02.2.01')) base = BigInt(r.int(15, 60)) * 100_000_000n;
  else if (code.startsWith('2.15.02') || code.startsWith('2.16.03') || code.startsWith('1.02'))
    base = BigInt(r.int(5, 30)) * 100_000_000n;
  else base = BigInt(r.int(5, 60)) * 5_000_000n;
  return YEARS.map((_, i) => (base * BigInt(100 + i * 5)) / 100n);
}

// ---- DPRD members ------------------------------------------------------------------------------------------
const MEMBERS = [
  {
    username: 'dprd',
    name: 'Anggota DPRD Demo',
    komisi: 'III',
    dapil: 'Dapil 1',
    fraksi: 'Fraksi Karya Pembangunan',
    kec: [0, 1],
  },
  {
    username: 'dprd.ahmad',
    name: 'H. Ahmad Fauzan',
    komisi: 'I',
    dapil: 'Dapil 2',
    fraksi: 'Fraksi Amanat Rakyat',
    kec: [2, 3, 4],
  },
  {
    username: 'dprd.siti',
    name: 'Hj. Siti Aminah',
    komisi: 'II',
    dapil: 'Dapil 3',
    fraksi: 'Fraksi Kebangkitan Daerah',
    kec: [5, 6],
  },
  {
    username: 'dprd.rina',
    name: 'Rina Marlina, S.E.',
    komisi: 'IV',
    dapil: 'Dapil 4',
    fraksi: 'Fraksi Demokrasi Rakyat',
    kec: [7, 8, 9],
  },
  {
    username: 'dprd.budi',
    name: 'Budi Santoso',
    komisi: 'III',
    dapil: 'Dapil 2',
    fraksi: 'Fraksi Persatuan',
    kec: [2, 3, 4],
  },
];
const KOMISI_OF: Record<string, string> = {
  satpolpp: 'I',
  bpbd: 'I',
  damkar: 'I',
  diskominfo: 'I',
  disdukcapil: 'I',
  setda: 'I',
  kesbangpol: 'I',
  inspektorat: 'I',
  bkpsdm: 'I',
  setdprd: 'I',
  bpkad: 'II',
  bapenda: 'II',
  diskopdag: 'II',
  distan: 'II',
  diskan: 'II',
  dkp: 'II',
  disnakerin: 'II',
  dpmptsp: 'II',
  dpupr: 'III',
  disperkim: 'III',
  dishub: 'III',
  dlh: 'III',
  bappeda: 'III',
  disdik: 'IV',
  dinkes: 'IV',
  rsud: 'IV',
  dinsos: 'IV',
  dp3a: 'IV',
  dppkb: 'IV',
  disporapar: 'IV',
  disbud: 'IV',
  dispusip: 'IV',
  dpmd: 'IV',
};

async function ensureMembers(ctx: SeedContext): Promise<Array<{ userId: number; m: (typeof MEMBERS)[number] }>> {
  const out: Array<{ userId: number; m: (typeof MEMBERS)[number] }> = [];
  for (const m of MEMBERS) {
    let u = await findUserByUsername(ctx.db, ctx.pemdaId, m.username);
    if (!u) {
      await createUser(
        ctx.db,
        ctx.actor,
        { username: m.username, password: DEMO_PASSWORD, full_name: m.name, role: 'dprd' },
        { demo: true },
      );
      u = await findUserByUsername(ctx.db, ctx.pemdaId, m.username);
    }
    if (u) out.push({ userId: u.id, m });
  }
  return out;
}

// ---- proposal templates ---------------------------------------------------------------------------------------
const CATEGORIES = [
  {
    code: 'jalan_rehab',
    name: 'Perbaikan/rehabilitasi jalan',
    sub: '1.03.10.2.01.0055',
    opd: 'dpupr',
    unit: 'Meter',
    titles: [
      'Rehabilitasi jalan lingkungan RT {n}',
      'Perbaikan jalan desa menuju sekolah',
      'Pengaspalan ulang jalan poros {k}',
      'Perbaikan jalan rusak di dusun {n}',
    ],
    problem: 'Jalan berlubang dan tergenang saat hujan, menyulitkan warga dan anak sekolah.',
    cost: [150, 900],
  },
  {
    code: 'jalan_baru',
    name: 'Pembangunan jalan baru',
    sub: '1.03.10.2.01.0053',
    opd: 'dpupr',
    unit: 'Meter',
    titles: [
      'Pembangunan jalan usaha tani {k}',
      'Pembukaan jalan penghubung antardesa',
      'Pembangunan jalan lingkungan perumahan RT {n}',
    ],
    problem: 'Belum ada akses jalan yang layak untuk mengangkut hasil pertanian.',
    cost: [400, 2000],
  },
  {
    code: 'jalan_pelihara',
    name: 'Pemeliharaan jalan dan drainase',
    sub: '1.03.10.2.01.0051',
    opd: 'dpupr',
    unit: 'Meter',
    titles: ['Pemeliharaan drainase jalan {k}', 'Pembersihan saluran samping jalan RT {n}'],
    problem: 'Saluran tersumbat sehingga air meluap ke badan jalan.',
    cost: [50, 300],
  },
  {
    code: 'puskesmas',
    name: 'Fasilitas kesehatan (puskesmas/pustu)',
    sub: '1.02.02.2.01.0006',
    opd: 'dinkes',
    unit: 'Unit',
    titles: ['Pengembangan pustu {k}', 'Penambahan ruang rawat puskesmas {k}', 'Rehabilitasi poskesdes {k}'],
    problem: 'Fasilitas kesehatan terlalu kecil untuk jumlah pasien dan jauh dari permukiman.',
    cost: [300, 1500],
  },
  {
    code: 'posyandu',
    name: 'Promosi kesehatan dan posyandu',
    sub: '1.02.05.2.02.0001',
    opd: 'dinkes',
    unit: 'Kegiatan',
    titles: [
      'Penyuluhan PHBS dan pencegahan stunting {k}',
      'Revitalisasi posyandu RT {n}',
      'Kampanye cuci tangan di sekolah {k}',
    ],
    problem: 'Angka stunting dan diare di wilayah ini masih tinggi.',
    cost: [20, 120],
  },
  {
    code: 'rambu_pju',
    name: 'Rambu, marka dan penerangan jalan',
    sub: '2.15.02.2.02.0002',
    opd: 'dishub',
    unit: 'Unit',
    titles: [
      'Pemasangan lampu penerangan jalan {k}',
      'Pemasangan rambu dan zebra cross depan sekolah',
      'Pemasangan cermin tikungan di jalan {k}',
    ],
    problem: 'Jalan gelap pada malam hari dan rawan kecelakaan.',
    cost: [30, 250],
  },
  {
    code: 'internet_desa',
    name: 'Jaringan internet desa/kelurahan',
    sub: '2.16.03.2.01.0003',
    opd: 'diskominfo',
    unit: 'Titik',
    titles: ['Pemasangan akses internet kantor desa {k}', 'Titik wifi publik di balai warga {k}'],
    problem: 'Layanan administrasi dan belajar daring terhambat karena tidak ada sinyal internet.',
    cost: [25, 150],
  },
] as const;

interface SeedProposal {
  key: string;
  values: Record<string, unknown>;
  steps: Array<Record<string, unknown>>;
  mergeIntoKey?: string;
  carriedFromKey?: string;
  renjaItem?: { opdId: number; code: string };
}

export async function seedPlanningDemo(ctx: SeedContext): Promise<void> {
  const { db, pemdaId } = ctx;
  if (await db.selectFrom('pln_rpjmd').select('id').where('pemda_id', '=', pemdaId).executeTakeFirst()) return;
  const pemdaName = (await getPemda(db, pemdaId))?.name ?? 'Kabupaten Demo';

  const opds = (await listOpds(db, pemdaId)).filter((o) => o.shortName);
  const byShort = new Map(opds.map((o) => [o.shortName, o]));
  const bidangOf = new Map<number, string[]>();
  for (const o of opds) bidangOf.set(o.id, await listOpdBidang(db, pemdaId, o.id));
  const regions = await listRegions(db, pemdaId);
  const kecamatan = regions.filter((r) => r.kind === 'kecamatan');
  const kelOf = new Map(kecamatan.map((k) => [k.id, regions.filter((r) => r.parentId === k.id)]));
  const members = await ensureMembers(ctx);

  // names from the nomenclature: the support program is the same for every bidang
  const nom = async (code: string) =>
    (await getNomenclature(db, pemdaId, FY, code)) ?? (await getNomenclature(db, pemdaId, FY - 1, code));
  const anyBidang = [...new Set([...bidangOf.values()].flat())];
  const probe = anyBidang[0] ?? '1.01';
  const supportNames = new Map<string, { name: string; indicator: string; unit: string }>();
  const pName = await nom(`${probe}.01`);
  supportNames.set('program', {
    name: pName?.name ?? 'PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH KABUPATEN/KOTA',
    indicator: '',
    unit: '',
  });
  for (const k of SUPPORT) {
    const kn = await nom(`${probe}.01.${k.keg}`);
    supportNames.set(k.keg, { name: kn?.name ?? k.keg, indicator: '', unit: '' });
    for (const s of k.subs) {
      const sn = await nom(`${probe}.01.${k.keg}.${s}`);
      supportNames.set(`${k.keg}.${s}`, { name: sn?.name ?? s, indicator: sn?.indicator ?? '', unit: sn?.unit ?? '' });
    }
  }
  const specificNames = new Map<string, { name: string; indicator: string; unit: string }>();
  for (const progs of [
    ...Object.values(SPECIFIC),
    [
      { program: '1.05.03', kegiatan: SPECIFIC_1_05['1.05.03']! },
      { program: '1.05.04', kegiatan: SPECIFIC_1_05['1.05.04']! },
    ],
  ]) {
    for (const pg of progs) {
      const pn = await nom(pg.program);
      specificNames.set(pg.program, { name: pn?.name ?? pg.program, indicator: '', unit: '' });
      for (const k of pg.kegiatan) {
        const kn = await nom(k.code);
        specificNames.set(k.code, { name: kn?.name ?? k.code, indicator: '', unit: '' });
        for (const s of k.subs) {
          const sn = await nom(`${k.code}.${s}`);
          if (sn) specificNames.set(`${k.code}.${s}`, { name: sn.name, indicator: sn.indicator, unit: sn.unit });
        }
      }
    }
  }
  // bidang whose support program exists in the year's nomenclature
  const supportedBidang = new Set<string>();
  for (const b of anyBidang) if (await nom(`${b}.01.2.01.0001`)) supportedBidang.add(b);

  await mutate(db, ctx.actor, async (uow) => {
    const trx = uow.trx;
    const r = rng(20270101);
    const counts: Record<string, number> = {};

    // ---- cycles, categories, DPRD ----------------------------------------------------------------------
    await trx
      .insertInto('pln_cycle')
      .values([
        {
          pemda_id: pemdaId,
          year: 2027,
          musrenbang_open: false,
          pokir_opens_at: new Date('2026-01-05T00:00:00+07:00'),
          pokir_closes_at: new Date('2026-03-31T23:59:00+07:00'),
        },
        {
          pemda_id: pemdaId,
          year: 2028,
          musrenbang_open: true,
          pokir_opens_at: new Date('2026-11-01T00:00:00+07:00'),
          pokir_closes_at: new Date('2027-03-31T23:59:00+07:00'),
        },
      ])
      .execute();
    await trx
      .insertInto('pln_category')
      .values([
        ...CATEGORIES.map((c) => ({
          pemda_id: pemdaId,
          code: c.code,
          name: c.name,
          sub_kegiatan_code: c.sub,
          opd_id: byShort.get(c.opd)?.id ?? null,
        })),
        { pemda_id: pemdaId, code: 'lainnya', name: 'Lainnya', sub_kegiatan_code: null, opd_id: null },
      ])
      .execute();
    const komisiRows = opds.map((o) => ({ pemda_id: pemdaId, opd_id: o.id, komisi: KOMISI_OF[o.shortName] ?? 'I' }));
    await trx.insertInto('pln_opd_komisi').values(komisiRows).execute();
    const memberRows = await trx
      .insertInto('pln_dprd_member')
      .values(
        members.map(({ userId, m }) => ({
          pemda_id: pemdaId,
          user_id: userId,
          name: m.name,
          fraksi: m.fraksi,
          komisi: m.komisi,
          dapil: m.dapil,
        })),
      )
      .returning(['id', 'user_id'])
      .execute();
    const memberId = new Map(memberRows.map((m) => [m.user_id, m.id]));

    // ---- RPJMD --------------------------------------------------------------------------------------------
    const rpjmd = await trx
      .insertInto('pln_rpjmd')
      .values({
        pemda_id: pemdaId,
        year_from: 2025,
        year_to: 2029,
        title: `RPJMD ${pemdaName} 2025–2029`,
        vision: `Terwujudnya ${pemdaName} yang Maju, Sejahtera dan Berdaya Saing, Berlandaskan Tata Kelola Pemerintahan yang Baik`,
        status: 'approved',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const addRp = async (
      rows: Array<{
        parent_id: number | null;
        kind: 'mission' | 'goal' | 'target' | 'strategy' | 'program';
        seq: number;
        code: string;
        text: string;
        program_code?: string | null;
        opd_id?: number | null;
      }>,
    ) =>
      trx
        .insertInto('pln_rpjmd_node')
        .values(rows.map((x) => ({ pemda_id: pemdaId, rpjmd_id: rpjmd.id, program_code: null, opd_id: null, ...x })))
        .returning(['id', 'code'])
        .execute();
    const M = [
      { code: 'M1', text: 'Meningkatkan kualitas sumber daya manusia yang sehat, cerdas dan berdaya saing' },
      { code: 'M2', text: 'Membangun infrastruktur wilayah yang merata, tangguh dan berkelanjutan' },
      { code: 'M3', text: 'Mewujudkan tata kelola pemerintahan yang bersih, efektif dan berbasis elektronik' },
    ];
    const missions = await addRp(M.map((m, i) => ({ parent_id: null, kind: 'mission', seq: i + 1, ...m })));
    const mId = new Map(missions.map((m) => [m.code, m.id]));
    const G = [
      {
        m: 'M1',
        code: 'T1',
        text: 'Meningkatkan kualitas hidup dan derajat kesehatan masyarakat',
        ind: ['Indeks Pembangunan Manusia', 'poin', '71.2', ['71.6', '72.0', '72.4', '72.8', '73.2']],
      },
      {
        m: 'M2',
        code: 'T2',
        text: 'Meningkatkan kualitas dan pemerataan infrastruktur wilayah',
        ind: ['Indeks Kepuasan Layanan Infrastruktur', 'poin', '68', ['70', '72', '74', '76', '78']],
      },
      {
        m: 'M3',
        code: 'T3',
        text: 'Meningkatkan kualitas tata kelola dan pelayanan publik',
        ind: ['Nilai SAKIP Pemerintah Daerah', 'nilai', '62.5', ['64', '66', '68', '70', '72']],
      },
    ] as const;
    const goals = await addRp(
      G.map((g, i) => ({ parent_id: mId.get(g.m)!, kind: 'goal', seq: i + 1, code: g.code, text: g.text })),
    );
    const gId = new Map(goals.map((g) => [g.code, g.id]));
    const S = [
      {
        g: 'T1',
        code: 'S1.1',
        text: 'Meningkatnya derajat kesehatan masyarakat',
        ind: ['Angka Harapan Hidup', 'tahun', '69.5', ['69.7', '69.9', '70.1', '70.3', '70.5']],
        strategy: 'Pemerataan akses dan mutu fasilitas pelayanan kesehatan dasar serta gerakan hidup sehat',
      },
      {
        g: 'T1',
        code: 'S1.2',
        text: 'Meningkatnya perlindungan sosial dan kualitas pendidikan',
        ind: ['Rata-rata Lama Sekolah', 'tahun', '8.1', ['8.2', '8.3', '8.4', '8.5', '8.6']],
        strategy: 'Perluasan akses pendidikan dan perlindungan kelompok rentan',
      },
      {
        g: 'T2',
        code: 'S2.1',
        text: 'Meningkatnya kemantapan jalan kabupaten',
        ind: ['Persentase jalan kabupaten dalam kondisi mantap', '%', '68', ['70', '73', '76', '79', '82']],
        strategy: 'Pemeliharaan berkala dan peningkatan ruas jalan strategis dan jalan usaha tani',
      },
      {
        g: 'T2',
        code: 'S2.2',
        text: 'Meningkatnya keselamatan dan kelancaran lalu lintas',
        ind: ['Jumlah kecelakaan lalu lintas', 'kejadian/tahun', '142', ['135', '128', '120', '112', '105']],
        strategy: 'Kelengkapan rambu, marka dan penerangan jalan di titik rawan',
      },
      {
        g: 'T2',
        code: 'S2.3',
        text: 'Meningkatnya ketangguhan daerah terhadap bencana dan kebakaran',
        ind: ['Indeks Risiko Bencana', 'poin', '142.3', ['139', '135', '131', '127', '123']],
        strategy: 'Kesiapsiagaan masyarakat dan waktu tanggap kebakaran',
      },
      {
        g: 'T3',
        code: 'S3.1',
        text: 'Meningkatnya penerapan Sistem Pemerintahan Berbasis Elektronik',
        ind: ['Indeks SPBE', 'indeks', '2.6', ['2.8', '3.0', '3.2', '3.4', '3.5']],
        strategy: 'Integrasi layanan dan jaringan intra pemerintah daerah',
      },
      {
        g: 'T3',
        code: 'S3.2',
        text: 'Meningkatnya akuntabilitas kinerja dan keuangan perangkat daerah',
        ind: ['Persentase perangkat daerah dengan nilai SAKIP minimal B', '%', '55', ['60', '65', '70', '75', '80']],
        strategy: 'Penguatan perencanaan, penganggaran dan evaluasi kinerja perangkat daerah',
      },
    ] as const;
    const targets = await addRp(
      S.map((s, i) => ({ parent_id: gId.get(s.g)!, kind: 'target', seq: i + 1, code: s.code, text: s.text })),
    );
    const sId = new Map(targets.map((s) => [s.code, s.id]));
    await addRp(
      S.map((s, i) => ({
        parent_id: sId.get(s.code)!,
        kind: 'strategy',
        seq: i + 1,
        code: `${s.code}.a`,
        text: s.strategy,
      })),
    );
    // RPJMD programs: the substantive ones, and one support program per OPD
    const SERVES: Record<string, string> = {
      '1.02.02': 'S1.1',
      '1.02.05': 'S1.1',
      '1.03.10': 'S2.1',
      '2.15.02': 'S2.2',
      '1.05.03': 'S2.3',
      '1.05.04': 'S2.3',
      '2.16.02': 'S3.1',
      '2.16.03': 'S3.1',
    };
    const rpProgRows: Array<{
      parent_id: number;
      kind: 'program';
      seq: number;
      code: string;
      text: string;
      program_code: string;
      opd_id: number;
    }> = [];
    for (const [short, progs] of Object.entries(SUBSTANTIVE)) {
      const o = byShort.get(short);
      if (!o) continue;
      for (const pc of progs)
        rpProgRows.push({
          parent_id: sId.get(SERVES[pc]!)!,
          kind: 'program',
          seq: rpProgRows.length + 1,
          code: `P${pc}-${short}`,
          text: specificNames.get(pc)?.name ?? pc,
          program_code: pc,
          opd_id: o.id,
        });
    }
    for (const o of opds) {
      const b = (bidangOf.get(o.id) ?? []).find((x) => supportedBidang.has(x));
      if (!b) continue;
      rpProgRows.push({
        parent_id: sId.get('S3.2')!,
        kind: 'program',
        seq: rpProgRows.length + 1,
        code: `P${b}.01-${o.shortName}`,
        text: supportNames.get('program')!.name,
        program_code: `${b}.01`,
        opd_id: o.id,
      });
    }
    const rpPrograms = await addRp(rpProgRows);
    const rpProgId = new Map(rpPrograms.map((p) => [p.code, p.id]));
    // RPJMD indicators and program ceilings
    const rpInd: Array<{ node: number; name: string; unit: string; baseline: string; targets: readonly string[] }> = [
      ...G.map((g) => ({
        node: gId.get(g.code)!,
        name: g.ind[0],
        unit: g.ind[1],
        baseline: g.ind[2],
        targets: g.ind[3],
      })),
      ...S.map((s) => ({
        node: sId.get(s.code)!,
        name: s.ind[0],
        unit: s.ind[1],
        baseline: s.ind[2],
        targets: s.ind[3],
      })),
      ...rpProgRows.map((p) => ({
        node: rpProgId.get(p.code)!,
        name: p.program_code.endsWith('.01')
          ? 'Persentase capaian kinerja perangkat daerah'
          : `Persentase capaian sasaran ${p.text.toLowerCase()}`,
        unit: '%',
        baseline: '80',
        targets: ['85', '88', '91', '94', '97'],
      })),
    ];
    const rpIndRows = await trx
      .insertInto('pln_indicator')
      .values(
        rpInd.map((i) => ({
          pemda_id: pemdaId,
          rpjmd_node_id: i.node,
          renstra_node_id: null,
          name: i.name,
          unit: i.unit,
          baseline: i.baseline,
        })),
      )
      .returning('id')
      .execute();
    await trx
      .insertInto('pln_indicator_target')
      .values(
        rpInd.flatMap((i, n) =>
          YEARS.map((y, k) => ({ pemda_id: pemdaId, indicator_id: rpIndRows[n]!.id, year: y, value: i.targets[k]! })),
        ),
      )
      .execute();
    counts.rpjmd_nodes = missions.length + goals.length + targets.length * 2 + rpPrograms.length;

    // ---- Renstra of every OPD ----------------------------------------------------------------------------------
    const renstras = await trx
      .insertInto('pln_renstra')
      .values(opds.map((o) => ({ pemda_id: pemdaId, rpjmd_id: rpjmd.id, opd_id: o.id, status: 'approved' as const })))
      .returning(['id', 'opd_id'])
      .execute();
    const renstraOf = new Map(renstras.map((x) => [x.opd_id, x.id]));
    type RNode = {
      renstra_id: number;
      parentKey: string | null;
      key: string;
      kind: 'goal' | 'target' | 'program' | 'kegiatan' | 'sub_kegiatan';
      code: string;
      text: string;
      rpjmd_node_id: number | null;
      opd: OpdSummary;
      unit?: string;
      indicator?: string;
    };
    const levels: RNode[][] = [[], [], [], [], []];
    for (const o of opds) {
      const rid = renstraOf.get(o.id)!;
      const carried = (bidangOf.get(o.id) ?? []).filter((b) => supportedBidang.has(b));
      const subst = SUBSTANTIVE[o.shortName] ?? [];
      if (subst.length) {
        const serves = sId.get(SERVES[subst[0]!]!)!;
        levels[0]!.push({
          renstra_id: rid,
          parentKey: null,
          key: `${rid}|G1`,
          kind: 'goal',
          code: 'G1',
          text: `Meningkatnya kinerja layanan ${o.name}`,
          rpjmd_node_id: serves,
          opd: o,
        });
        levels[1]!.push({
          renstra_id: rid,
          parentKey: `${rid}|G1`,
          key: `${rid}|S1`,
          kind: 'target',
          code: 'S1',
          text: `Meningkatnya cakupan dan mutu layanan ${o.name}`,
          rpjmd_node_id: null,
          opd: o,
        });
        for (const pc of subst) {
          const bid = pc.split('.').slice(0, 2).join('.');
          const spec = (SPECIFIC[bid] ?? []).find((x) => x.program === pc) ?? {
            program: pc,
            kegiatan: SPECIFIC_1_05[pc] ?? [],
          };
          levels[2]!.push({
            renstra_id: rid,
            parentKey: `${rid}|S1`,
            key: `${rid}|${pc}`,
            kind: 'program',
            code: pc,
            text: specificNames.get(pc)?.name ?? pc,
            rpjmd_node_id: rpProgId.get(`P${pc}-${o.shortName}`) ?? null,
            opd: o,
          });
          for (const k of spec.kegiatan) {
            levels[3]!.push({
              renstra_id: rid,
              parentKey: `${rid}|${pc}`,
              key: `${rid}|${k.code}`,
              kind: 'kegiatan',
              code: k.code,
              text: specificNames.get(k.code)?.name ?? k.code,
              rpjmd_node_id: null,
              opd: o,
            });
            // RSUD runs the hospital-side sub kegiatan only; the rest of 1.02 traces through the program
            const subs = o.shortName === 'rsud' ? k.subs.filter((s) => ['0001', '0003', '0043'].includes(s)) : k.subs;
            for (const s of subs) {
              const code = `${k.code}.${s}`;
              const sn = specificNames.get(code);
              if (!sn) continue;
              levels[4]!.push({
                renstra_id: rid,
                parentKey: `${rid}|${k.code}`,
                key: `${rid}|${code}`,
                kind: 'sub_kegiatan',
                code,
                text: sn.name,
                rpjmd_node_id: null,
                opd: o,
                unit: sn.unit || UNIT_SPECIFIC[code] || 'Unit',
                indicator: sn.indicator || `Jumlah keluaran ${sn.name}`,
              });
            }
          }
        }
      }
      if (carried.length) {
        levels[0]!.push({
          renstra_id: rid,
          parentKey: null,
          key: `${rid}|G2`,
          kind: 'goal',
          code: 'G2',
          text: `Meningkatnya akuntabilitas kinerja ${o.name}`,
          rpjmd_node_id: sId.get('S3.2')!,
          opd: o,
        });
        levels[1]!.push({
          renstra_id: rid,
          parentKey: `${rid}|G2`,
          key: `${rid}|S2`,
          kind: 'target',
          code: 'S2',
          text: `Meningkatnya kualitas perencanaan, penganggaran dan pelaporan ${o.shortName.toUpperCase()}`,
          rpjmd_node_id: null,
          opd: o,
        });
        for (const b of carried) {
          const pc = `${b}.01`;
          levels[2]!.push({
            renstra_id: rid,
            parentKey: `${rid}|S2`,
            key: `${rid}|${pc}`,
            kind: 'program',
            code: pc,
            text: supportNames.get('program')!.name,
            rpjmd_node_id: rpProgId.get(`P${pc}-${o.shortName}`) ?? null,
            opd: o,
          });
          for (const k of SUPPORT) {
            const kc = `${pc}.${k.keg}`;
            levels[3]!.push({
              renstra_id: rid,
              parentKey: `${rid}|${pc}`,
              key: `${rid}|${kc}`,
              kind: 'kegiatan',
              code: kc,
              text: supportNames.get(k.keg)!.name,
              rpjmd_node_id: null,
              opd: o,
            });
            for (const s of k.subs) {
              const sn = supportNames.get(`${k.keg}.${s}`)!;
              levels[4]!.push({
                renstra_id: rid,
                parentKey: `${rid}|${kc}`,
                key: `${rid}|${kc}.${s}`,
                kind: 'sub_kegiatan',
                code: `${kc}.${s}`,
                text: sn.name,
                rpjmd_node_id: null,
                opd: o,
                unit: sn.unit || supportUnit(`${k.keg}.${s}`),
                indicator: sn.indicator || `Jumlah keluaran ${sn.name}`,
              });
            }
          }
        }
      }
    }
    const nodeId = new Map<string, number>();
    for (const [depth, rows] of levels.entries()) {
      await chunked(rows, 800, async (chunk) => {
        const ins = await trx
          .insertInto('pln_renstra_node')
          .values(
            chunk.map((n, i) => ({
              pemda_id: pemdaId,
              renstra_id: n.renstra_id,
              parent_id: n.parentKey ? nodeId.get(n.parentKey)! : null,
              kind: n.kind,
              seq: depth * 1000 + i,
              code: n.code,
              text: n.text,
              rpjmd_node_id: n.rpjmd_node_id,
            })),
          )
          .returning(['id', 'renstra_id', 'code'])
          .execute();
        for (const x of ins) nodeId.set(`${x.renstra_id}|${x.code}`, x.id);
      });
    }
    counts.renstra_nodes = nodeId.size;
    // Renstra indicators: goals/targets/programs one each; sub kegiatan their output with yearly targets; ceilings per year
    const staffOf = (o: OpdSummary) =>
      o.kind === 'kecamatan' ? 25 : ['dinkes', 'rsud', 'disdik', 'dpupr'].includes(o.shortName) ? 180 : 45;
    const rsInd: Array<{ node: number; name: string; unit: string; baseline: string | null; targets: string[] }> = [];
    const rsCeil: Array<{ node: number; pagu: bigint[] }> = [];
    const subValues = new Map<string, { target: string; unit: string; pagu: bigint }>(); // opdId|code → FY values
    for (const n of [...levels[0]!, ...levels[1]!, ...levels[2]!]) {
      const id = nodeId.get(n.key)!;
      const pct = n.kind === 'goal' ? ['B', 'B', 'BB', 'BB', 'A'] : ['80', '84', '88', '92', '95'];
      rsInd.push({
        node: id,
        name:
          n.kind === 'goal'
            ? 'Nilai SAKIP perangkat daerah'
            : n.kind === 'target'
              ? 'Persentase sasaran kinerja yang tercapai'
              : 'Persentase capaian indikator program',
        unit: n.kind === 'goal' ? 'predikat' : '%',
        baseline: null,
        targets: n.kind === 'goal' ? ['70', '72', '74', '76', '78'] : pct,
      });
    }
    const progSums = new Map<string, bigint[]>();
    for (const n of levels[4]!) {
      const id = nodeId.get(n.key)!;
      const t = yearlyTarget(n.unit!, r, staffOf(n.opd));
      const pagu = yearlyPagu(n.code, r, staffOf(n.opd));
      rsInd.push({ node: id, name: n.indicator!, unit: n.unit!, baseline: String(t[0]), targets: t.map(String) });
      rsCeil.push({ node: id, pagu });
      subValues.set(`${n.opd.id}|${n.code}`, { target: String(t[2]), unit: n.unit!, pagu: pagu[2]! });
      for (const key of [
        `${n.renstra_id}|${n.code.split('.').slice(0, 5).join('.')}`,
        `${n.renstra_id}|${programOf(n.code)}`,
      ]) {
        const sum = progSums.get(key) ?? YEARS.map(() => 0n);
        progSums.set(
          key,
          sum.map((v, i) => v + pagu[i]!),
        );
      }
    }
    for (const [key, pagu] of progSums) {
      const id = nodeId.get(key);
      if (id) rsCeil.push({ node: id, pagu });
    }
    const indIds: number[] = [];
    await chunked(rsInd, 1000, async (chunk) => {
      const ins = await trx
        .insertInto('pln_indicator')
        .values(
          chunk.map((i) => ({
            pemda_id: pemdaId,
            rpjmd_node_id: null,
            renstra_node_id: i.node,
            name: i.name,
            unit: i.unit,
            baseline: i.baseline,
          })),
        )
        .returning('id')
        .execute();
      indIds.push(...ins.map((x) => x.id));
    });
    const targetRows = rsInd.flatMap((i, n) =>
      YEARS.map((y, k) => ({
        pemda_id: pemdaId,
        indicator_id: indIds[n]!,
        year: y,
        value: /^[\d.]+$/.test(i.targets[k]!) ? i.targets[k]! : String(70 + k * 2),
      })),
    );
    await chunked(targetRows, 3000, (chunk) => trx.insertInto('pln_indicator_target').values(chunk).execute());
    const ceilRows = rsCeil.flatMap((c) =>
      YEARS.map((y, k) => ({ pemda_id: pemdaId, node_id: c.node, year: y, pagu: c.pagu[k]!.toString() })),
    );
    await chunked(ceilRows, 3000, (chunk) => trx.insertInto('pln_renstra_ceiling').values(chunk).execute());
    // RPJMD program ceilings: the sums of the Renstra programs that serve them
    const rpCeil: Array<{ pemda_id: number; node_id: number; year: number; pagu: string }> = [];
    for (const p of rpProgRows) {
      const sum = progSums.get(`${renstraOf.get(p.opd_id)}|${p.program_code}`);
      if (sum)
        YEARS.forEach((y, k) =>
          rpCeil.push({ pemda_id: pemdaId, node_id: rpProgId.get(p.code)!, year: y, pagu: sum[k]!.toString() }),
        );
    }
    await chunked(rpCeil, 3000, (chunk) => trx.insertInto('pln_rpjmd_ceiling').values(chunk).execute());
    counts.indicators = rpInd.length + rsInd.length;

    // ---- RKPD 2027 and the approved Renja 2027 of every OPD --------------------------------------------------------
    const rkpd = await trx
      .insertInto('pln_rkpd')
      .values({
        pemda_id: pemdaId,
        year: FY,
        rpjmd_id: rpjmd.id,
        theme: 'Penguatan Infrastruktur dan Kualitas SDM untuk Pertumbuhan Ekonomi yang Inklusif',
        priorities:
          '1. Kemantapan jalan dan konektivitas wilayah; 2. Layanan kesehatan dasar dan penurunan stunting; 3. Transformasi digital pemerintahan; 4. Ketangguhan bencana.',
        status: 'approved',
        approved_at: new Date('2026-06-26T10:00:00+07:00'),
        approved_by: 'Perencana Bappeda',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const renjas = await trx
      .insertInto('pln_renja')
      .values(
        opds.map((o) => ({
          pemda_id: pemdaId,
          year: FY,
          opd_id: o.id,
          renstra_id: renstraOf.get(o.id)!,
          status: 'approved' as const,
          submitted_at: new Date('2026-05-20T09:00:00+07:00'),
          verified_at: new Date('2026-06-10T09:00:00+07:00'),
          verified_by: 'Perencana Bappeda',
          approved_at: new Date('2026-07-01T09:00:00+07:00'),
          approved_by: 'Perencana Bappeda',
        })),
      )
      .returning(['id', 'opd_id'])
      .execute();
    const renjaOf = new Map(renjas.map((x) => [x.opd_id, x.id]));
    const fundingOf = (code: string) =>
      code.startsWith('1.03.10') || code.startsWith('1.02.02.2.01')
        ? 'DAK-FISIK'
        : code.endsWith('2.02.0001')
          ? 'DAU'
          : r.pick(['PAD', 'DAU', 'DAU', 'DBH']);
    const itemRows: Array<{
      pemda_id: number;
      renja_id: number;
      sub_kegiatan_code: string;
      renstra_node_id: number | null;
      target: string;
      unit: string;
      region_id: null;
      location: string;
      funding_source_code: string;
      pagu: bigint;
      source: 'renstra' | 'manual';
    }> = [];
    for (const o of opds) {
      const rid = renstraOf.get(o.id)!;
      for (const b of (bidangOf.get(o.id) ?? []).filter((x) => supportedBidang.has(x))) {
        const codes = [
          ...SUPPORT.flatMap((k) => k.subs.map((s) => `${b}.01.${k.keg}.${s}`)),
          ...(SPECIFIC[b] ?? []).flatMap((pg) => pg.kegiatan.flatMap((k) => k.subs.map((s) => `${k.code}.${s}`))),
        ];
        for (const code of codes) {
          if (!specificNames.has(code) && !code.includes('.01.2.')) continue;
          const v = subValues.get(`${o.id}|${code}`);
          const unit = v?.unit ?? UNIT_SPECIFIC[code] ?? 'Unit';
          const pagu = v?.pagu ?? yearlyPagu(code, r, staffOf(o))[2]!;
          itemRows.push({
            pemda_id: pemdaId,
            renja_id: renjaOf.get(o.id)!,
            sub_kegiatan_code: code,
            renstra_node_id: nodeId.get(`${rid}|${code}`) ?? null,
            target: v?.target ?? String(yearlyTarget(unit, r, staffOf(o))[2]),
            unit,
            region_id: null,
            location: o.kind === 'kecamatan' ? o.name : pemdaName,
            funding_source_code: fundingOf(code),
            pagu,
            source: nodeId.has(`${rid}|${code}`) ? 'renstra' : 'manual',
          });
        }
      }
    }

    // ---- proposals --------------------------------------------------------------------------------------------------
    const kels = regions.filter((x) => x.kind !== 'kecamatan');
    const demoKel = kels[0]!; // the demo 'kelurahan' user's region
    const demoKec = kecamatan.find((k) => k.id === demoKel.parentId) ?? kecamatan[0]!;
    const subKegSet = new Map<number, Set<string>>(); // opd → Renstra sub kegiatan codes
    const progSet = new Map<number, Set<string>>();
    for (const n of levels[4]!)
      (subKegSet.get(n.opd.id) ?? subKegSet.set(n.opd.id, new Set()).get(n.opd.id)!).add(n.code);
    for (const n of levels[2]!) (progSet.get(n.opd.id) ?? progSet.set(n.opd.id, new Set()).get(n.opd.id)!).add(n.code);
    const alignment = (opdId: number | null, code: string | null): 0 | 1 | 3 | 5 =>
      !opdId || !code ? 0 : subKegSet.get(opdId)?.has(code) ? 5 : progSet.get(opdId)?.has(programOf(code)) ? 3 : 1;
    const ACTOR: Record<string, { role: string; name: string }> = {
      kelurahan: { role: 'kelurahan', name: 'Forum Musrenbang Kelurahan/Desa' },
      kecamatan: { role: 'kecamatan', name: 'Forum Musrenbang Kecamatan' },
      dprd: { role: 'dprd', name: 'Komisi Mitra DPRD' },
      bappeda: { role: 'bappeda', name: 'Perencana Bappeda' },
      opd: { role: 'opd_head', name: 'Perangkat Daerah' },
      tapd: { role: 'tapd', name: 'Verifikator TAPD' },
    };
    const day = (y: number, m: number, d: number, h = 9) => new Date(Date.UTC(y, m - 1, d, h - 7, r.int(0, 59)));
    const stageDates: Record<string, [number, number]> = {
      submitted: [1, 8],
      kelurahan: [1, 20],
      kecamatan: [2, 10],
      dprd: [3, 2],
      bappeda: [3, 20],
      opd: [4, 15],
      tapd: [5, 12],
      renja: [5, 28],
    };
    const weights = DEFAULT_WEIGHTS;
    const proposals: SeedProposal[] = [];
    const itemKey = (opdId: number, code: string) => `${opdId}|${code}`;
    const itemExtra = new Map<string, bigint>();
    let seq = 0;

    const make = (o: {
      kind: 'musrenbang' | 'pokir';
      year: number;
      kel: Region;
      cat: (typeof CATEGORIES)[number] | null;
      /** the last stage reached and what happened there */
      reach: string;
      outcome: 'pending' | 'accepted' | 'rejected' | 'merged' | 'backlog' | 'renja';
      reason?: string;
      memberId?: number;
      memberName?: string;
      source?: 'operator' | 'citizen' | 'dprd' | 'carry_over';
      mergeIntoKey?: string;
      carriedFromKey?: string;
      stepYear?: number;
    }) => {
      seq++;
      const cat = o.cat;
      const kec = kecamatan.find((k) => k.id === o.kel.parentId)!;
      const title = (
        cat
          ? r.pick(cat.titles)
          : r.pick([
              'Bantuan sarana olahraga pemuda',
              'Pembangunan pos ronda RT {n}',
              'Pelatihan keterampilan menjahit ibu-ibu PKK',
            ])
      )
        .replace('{n}', String(r.int(1, 12)).padStart(2, '0'))
        .replace('{k}', o.kel.name);
      const unit = cat?.unit ?? 'Paket';
      const volume = unit === 'Meter' ? r.int(2, 16) * 50 : unit === 'Kegiatan' ? r.int(2, 12) : r.int(1, 6);
      const cost = BigInt(cat ? r.int(cat.cost[0], cat.cost[1]) : r.int(20, 200)) * 1_000_000n;
      const beneficiaries = r.int(30, 3000);
      const hasCoord = r.next() < 0.6;
      const chain = o.kind === 'musrenbang' ? ['kelurahan', 'kecamatan', 'dprd', 'opd', 'tapd'] : ['bappeda', 'opd'];
      const opd = cat ? (byShort.get(cat.opd) ?? null) : null;
      const sy = o.stepYear ?? o.year - 1;
      const steps: Array<Record<string, unknown>> = [];
      const source = o.source ?? (o.kind === 'pokir' ? 'dprd' : r.next() < 0.2 ? 'citizen' : 'operator');
      const stepAt = (stage: string) => {
        const [m, d] = stageDates[stage]!;
        return day(sy, m, d + r.int(0, 9));
      };
      steps.push({
        stage: chain[0],
        action: o.carriedFromKey ? 'carried_from' : 'submitted',
        amount: cost.toString(),
        volume: String(volume),
        reason: '',
        at: stepAt('submitted'),
        actor_name:
          o.kind === 'pokir'
            ? (o.memberName ?? 'Anggota DPRD')
            : source === 'citizen'
              ? 'warga'
              : ACTOR.kelurahan!.name,
        actor_role:
          o.kind === 'pokir'
            ? 'dprd'
            : source === 'citizen'
              ? 'warga'
              : source === 'carry_over'
                ? 'kelurahan'
                : 'kelurahan',
      });
      let amount = cost;
      const vol = volume;
      let stage = chain[0]!;
      let status: string = 'pending';
      let urgency: number | null = null;
      let feasible: boolean | null = null;
      let feasibility = '';
      let mapped = false;
      const reachIdx = o.reach === 'final' ? chain.length : chain.indexOf(o.reach);
      for (let i = 0; i <= Math.min(reachIdx, chain.length - 1); i++) {
        const st = chain[i]!;
        stage = st;
        const last = i === reachIdx;
        if (last && o.outcome === 'pending') break;
        if ((st === 'kecamatan' || st === 'bappeda') && cat && opd) {
          steps.push({
            stage: st,
            action: 'mapped',
            reason: cat.sub,
            at: stepAt(st),
            actor_name: ACTOR[st]!.name,
            actor_role: ACTOR[st]!.role,
          });
          mapped = true;
        }
        if (last && o.outcome === 'rejected') {
          status = 'rejected';
          if (st === 'opd') {
            feasible = false;
            feasibility = o.reason ?? 'Tidak layak teknis';
          }
          steps.push({
            stage: st,
            action: 'rejected',
            reason: o.reason ?? 'Tidak menjadi prioritas',
            at: stepAt(st),
            actor_name: ACTOR[st]!.name,
            actor_role: ACTOR[st]!.role,
          });
          break;
        }
        if (last && o.outcome === 'merged') {
          status = 'merged';
          steps.push({
            stage: st,
            action: 'merged',
            reason: 'Usulan serupa di lokasi yang sama',
            at: stepAt(st),
            actor_name: ACTOR[st]!.name,
            actor_role: ACTOR[st]!.role,
            mergeInto: o.mergeIntoKey,
          });
          break;
        }
        if (last && o.outcome === 'backlog' && st === 'tapd') {
          status = 'backlog';
          steps.push({
            stage: st,
            action: 'deferred',
            reason: 'Keterbatasan kapasitas fiskal tahun anggaran ' + o.year,
            at: stepAt(st),
            actor_name: ACTOR.tapd!.name,
            actor_role: 'tapd',
          });
          break;
        }
        if (st === 'opd' || st === 'tapd') amount = (amount * BigInt(r.pick([80, 90, 100]))) / 100n;
        if (st === 'opd') {
          feasible = true;
          feasibility = 'Layak: sesuai standar teknis dan lahan tersedia';
        }
        urgency = urgency ?? r.int(2, 5);
        steps.push({
          stage: st,
          action: 'accepted',
          amount: amount.toString(),
          volume: String(vol),
          reason: st === 'opd' ? feasibility : '',
          at: stepAt(st),
          actor_name: ACTOR[st]!.name,
          actor_role: ACTOR[st]!.role,
        });
        stage = chain[i + 1] ?? 'final';
        if (stage === 'final') status = 'accepted';
      }
      if (o.outcome === 'backlog' && o.kind === 'pokir' && status === 'accepted') {
        status = 'backlog';
        steps.push({
          stage: 'final',
          action: 'deferred',
          reason: 'Keterbatasan kapasitas fiskal',
          at: stepAt('renja'),
          actor_name: ACTOR.bappeda!.name,
          actor_role: 'bappeda',
        });
      }
      if (o.carriedFromKey) status = 'pending';
      const key = `p${seq}`;
      const p: SeedProposal = {
        key,
        mergeIntoKey: o.mergeIntoKey,
        carriedFromKey: o.carriedFromKey,
        values: {
          pemda_id: pemdaId,
          tracking_code: newTrackingCode(o.kind, o.year),
          kind: o.kind,
          year: o.year,
          title,
          problem: cat?.problem ?? 'Kebutuhan warga yang disepakati dalam musyawarah.',
          category_code: cat?.code ?? 'lainnya',
          kecamatan_id: kec.id,
          kelurahan_id: o.kel.id,
          address: `RT ${String(r.int(1, 15)).padStart(2, '0')} ${o.kel.name}`,
          latitude: hasCoord ? (-3.3 - r.next() * 0.3).toFixed(6) : null,
          longitude: hasCoord ? (114.5 + r.next() * 0.4).toFixed(6) : null,
          volume: String(volume),
          unit,
          estimated_cost: cost.toString(),
          beneficiaries,
          source,
          submitter_name: '',
          submitter_contact: '',
          dprd_member_id: o.memberId ?? null,
          suggested_sub_kegiatan_code: cat?.sub ?? null,
          suggested_opd_id: opd?.id ?? null,
          sub_kegiatan_code: cat?.sub ?? null,
          opd_id: opd?.id ?? null,
          mapping_confirmed: mapped,
          stage,
          status,
          recommended_amount: steps.some((s) => s.action === 'accepted') ? amount.toString() : null,
          recommended_volume: steps.some((s) => s.action === 'accepted') ? String(vol) : null,
          urgency,
          feasible,
          feasibility_reason: feasibility,
          created_at: steps[0]!.at,
          updated_at: steps[steps.length - 1]!.at,
        },
        steps,
      };
      if (p.values.source === 'citizen') {
        p.values.submitter_name = r.pick(['Pak Rahmat', 'Ibu Sari', 'Karang Taruna', 'Ketua RT 04', 'Ibu Yuli']);
        p.values.submitter_contact = `08${r.int(11, 99)}${r.int(1000000, 9999999)}`;
      }
      if (steps.some((s) => s.action === 'accepted')) {
        p.values.priority_score = priorityScore(
          {
            urgency,
            beneficiaries,
            alignment: alignment(opd?.id ?? null, cat?.sub ?? null),
            hasAddress: true,
            hasCoordinates: hasCoord,
            hasPhoto: false,
            amount,
            carriedOver: Boolean(o.carriedFromKey),
          },
          weights,
        );
      }
      if (o.outcome === 'renja' && status === 'accepted' && opd && cat) {
        p.renjaItem = { opdId: opd.id, code: cat.sub };
        itemExtra.set(itemKey(opd.id, cat.sub), (itemExtra.get(itemKey(opd.id, cat.sub)) ?? 0n) + amount);
        steps.push({
          stage: 'final',
          action: 'into_renja',
          amount: amount.toString(),
          volume: String(vol),
          reason: cat.sub,
          at: stepAt('renja'),
          actor_name: ACTOR.bappeda!.name,
          actor_role: 'bappeda',
        });
      }
      proposals.push(p);
      return p;
    };

    // Musrenbang 2027 (held January–May 2026): every outcome
    const lastAcceptedByKec = new Map<number, string>();
    for (let i = 0; i < 170; i++) {
      const kel = i % 9 === 0 ? demoKel : kels[(i * 7) % kels.length]!;
      const cat = i % 23 === 22 ? null : CATEGORIES[i % CATEGORIES.length]!;
      const m = i % 20;
      let reach = 'final';
      let outcome: Parameters<typeof make>[0]['outcome'] = 'renja';
      let reason: string | undefined;
      let mergeIntoKey: string | undefined;
      if (!cat)
        [reach, outcome, reason] = [
          'kecamatan',
          'rejected',
          'Bukan kewenangan pemerintah kabupaten; diteruskan ke dana desa',
        ];
      else if (m === 9) [reach, outcome, reason] = ['kelurahan', 'rejected', 'Sudah ditangani melalui dana kelurahan'];
      else if (m === 10) [reach, outcome, reason] = ['kecamatan', 'rejected', 'Lokasi berada di lahan sengketa'];
      else if (m === 11 && lastAcceptedByKec.has(kel.parentId!))
        [reach, outcome, mergeIntoKey] = ['kecamatan', 'merged', lastAcceptedByKec.get(kel.parentId!)];
      else if (m === 12)
        [reach, outcome, reason] = ['dprd', 'rejected', 'Belum sesuai prioritas komisi untuk tahun ini'];
      else if (m === 13) [reach, outcome, reason] = ['opd', 'rejected', 'Tidak layak teknis: status lahan belum jelas'];
      else if (m === 14 || m === 15) [reach, outcome] = ['tapd', 'backlog'];
      else if (m === 16) [reach, outcome, reason] = ['tapd', 'rejected', 'Melebihi pagu indikatif perangkat daerah'];
      const p = make({ kind: 'musrenbang', year: FY, kel, cat, reach, outcome, reason, mergeIntoKey });
      if (outcome === 'renja') lastAcceptedByKec.set(kel.parentId!, p.key);
    }
    // Musrenbang 2028 (running now): pending at every stage, many in the demo kelurahan/kecamatan
    const pending: Array<[string, number]> = [
      ['kelurahan', 20],
      ['kecamatan', 15],
      ['dprd', 10],
      ['opd', 8],
      ['tapd', 7],
    ];
    let j = 0;
    for (const [stage, n] of pending) {
      for (let i = 0; i < n; i++, j++) {
        const kel =
          stage === 'kelurahan' && i < 8
            ? demoKel
            : stage === 'kecamatan' && i < 6
              ? (kelOf.get(demoKec.id)![i % kelOf.get(demoKec.id)!.length] ?? demoKel)
              : kels[(j * 5 + 3) % kels.length]!;
        const cat =
          stage === 'dprd' && i < 5
            ? CATEGORIES[i % 3]!
            : stage === 'opd' && i < 4
              ? CATEGORIES[3 + (i % 2)]!
              : CATEGORIES[j % CATEGORIES.length]!;
        make({ kind: 'musrenbang', year: 2028, kel, cat, reach: stage, outcome: 'pending', stepYear: 2026 });
      }
    }
    // carried over from the 2027 backlog into 2028
    const backlog = proposals
      .filter((p) => p.values.status === 'backlog' && p.values.kind === 'musrenbang')
      .slice(0, 5);
    for (const b of backlog) {
      b.values.status = 'carried';
      const cat = CATEGORIES.find((c) => c.code === b.values.category_code) ?? null;
      const kel = regions.find((x) => x.id === b.values.kelurahan_id)!;
      const p = make({
        kind: 'musrenbang',
        year: 2028,
        kel,
        cat,
        reach: 'kelurahan',
        outcome: 'pending',
        source: 'carry_over',
        carriedFromKey: b.key,
        stepYear: 2026,
      });
      Object.assign(p.values, {
        title: b.values.title,
        problem: b.values.problem,
        volume: b.values.volume,
        unit: b.values.unit,
        estimated_cost: b.values.estimated_cost,
        address: b.values.address,
        beneficiaries: b.values.beneficiaries,
      });
      b.steps.push({
        stage: 'final',
        action: 'carried_over',
        reason: '2028',
        at: day(2026, 10, 20),
        actor_name: ACTOR.kelurahan!.name,
        actor_role: 'kelurahan',
        relatedKey: p.key,
      });
      p.steps[0]!.relatedKey = b.key;
    }
    // Pokir 2027 (window January–March 2026): 30 with outcomes; Pokir 2028 (window open): 8 pending
    const memberList = members.map(({ userId, m }) => ({ id: memberId.get(userId)!, m }));
    for (let i = 0; i < 30; i++) {
      const mem = memberList[i % memberList.length]!;
      const kec = kecamatan[mem.m.kec[i % mem.m.kec.length]!] ?? kecamatan[0]!;
      const kel = kelOf.get(kec.id)![i % kelOf.get(kec.id)!.length]!;
      const cat = CATEGORIES[(i * 3) % CATEGORIES.length]!;
      const m = i % 10;
      const [reach, outcome, reason] =
        m < 6
          ? ['final', 'renja', undefined]
          : m === 6
            ? ['bappeda', 'rejected', 'Duplikasi dengan usulan Musrenbang yang sudah diterima']
            : m === 7
              ? ['opd', 'rejected', 'Tidak layak teknis']
              : m === 8
                ? ['final', 'backlog', undefined]
                : ['bappeda', 'rejected', 'Tidak sesuai dengan sasaran RPJMD'];
      make({
        kind: 'pokir',
        year: FY,
        kel,
        cat,
        reach,
        outcome: outcome as never,
        reason,
        memberId: mem.id,
        memberName: mem.m.name,
      });
    }
    for (let i = 0; i < 8; i++) {
      const mem = memberList[i % memberList.length]!;
      const kec = kecamatan[mem.m.kec[0]!] ?? kecamatan[0]!;
      const kel = kelOf.get(kec.id)![i % kelOf.get(kec.id)!.length]!;
      make({
        kind: 'pokir',
        year: 2028,
        kel,
        cat: CATEGORIES[i % CATEGORIES.length]!,
        reach: i < 5 ? 'bappeda' : 'opd',
        outcome: 'pending',
        memberId: mem.id,
        memberName: mem.m.name,
        stepYear: 2026,
      });
    }
    // the pokir of 2028 were entered inside the open window (November 2026)
    for (const p of proposals.filter((x) => x.values.kind === 'pokir' && x.values.year === 2028))
      for (const s of p.steps) s.at = day(2026, 11, r.int(2, 20));

    // Renja items: the pagu of a sub kegiatan grows by the proposals that entered it
    for (const it of itemRows) {
      const extra = itemExtra.get(itemKey(renjas.find((x) => x.id === it.renja_id)!.opd_id, it.sub_kegiatan_code));
      if (extra) it.pagu += extra;
    }
    const itemIds = new Map<string, number>();
    await chunked(itemRows, 800, async (chunk) => {
      const ins = await trx
        .insertInto('pln_renja_item')
        .values(chunk.map((x) => ({ ...x, pagu: x.pagu.toString() })))
        .returning(['id', 'renja_id', 'sub_kegiatan_code'])
        .execute();
      for (const x of ins) itemIds.set(`${x.renja_id}|${x.sub_kegiatan_code}`, x.id);
    });
    counts.renja_items = itemRows.length;
    // RKPD: ceiling per OPD with 10% headroom (rounded up to a billion); the approved indicative ceilings per sub kegiatan
    const totals = new Map<number, bigint>();
    for (const it of itemRows) {
      const opdId = renjas.find((x) => x.id === it.renja_id)!.opd_id;
      totals.set(opdId, (totals.get(opdId) ?? 0n) + it.pagu);
    }
    await trx
      .insertInto('pln_rkpd_opd_ceiling')
      .values(
        [...totals.entries()].map(([opdId, t]) => ({
          pemda_id: pemdaId,
          rkpd_id: rkpd.id,
          opd_id: opdId,
          pagu: ((((t * 110n) / 100n + 999_999_999n) / 1_000_000_000n) * 1_000_000_000n).toString(),
        })),
      )
      .execute();
    const opdOfRenja = new Map(renjas.map((x) => [x.id, x.opd_id]));
    await chunked(itemRows, 1000, (chunk) =>
      trx
        .insertInto('pln_rkpd_item')
        .values(
          chunk.map((x) => ({
            pemda_id: pemdaId,
            rkpd_id: rkpd.id,
            opd_id: opdOfRenja.get(x.renja_id)!,
            sub_kegiatan_code: x.sub_kegiatan_code,
            pagu: x.pagu.toString(),
            funding_source_code: x.funding_source_code,
            target: x.target,
            unit: x.unit,
          })),
        )
        .execute(),
    );

    // insert the proposals, then their links (merge, carry-over, Renja item) and steps
    const pid = new Map<string, number>();
    await chunked(proposals, 200, async (chunk) => {
      const ins = await trx
        .insertInto('pln_proposal')
        .values(
          chunk.map((p) => ({
            ...(p.values as Record<string, unknown>),
            status: p.mergeIntoKey ? 'pending' : p.values.status, // 'merged' needs the target's id (set below)
            renja_item_id: p.renjaItem
              ? (itemIds.get(`${renjaOf.get(p.renjaItem.opdId)}|${p.renjaItem.code}`) ?? null)
              : null,
          })) as never,
        )
        .returning(['id', 'tracking_code'])
        .execute();
      const byCode = new Map(ins.map((x) => [x.tracking_code, x.id]));
      for (const p of chunk) pid.set(p.key, byCode.get(p.values.tracking_code as string)!);
    });
    for (const p of proposals) {
      if (p.mergeIntoKey)
        await trx
          .updateTable('pln_proposal')
          .set({ merged_into_id: pid.get(p.mergeIntoKey)!, status: 'merged' })
          .where('pemda_id', '=', pemdaId)
          .where('id', '=', pid.get(p.key)!)
          .execute();
      if (p.carriedFromKey)
        await trx
          .updateTable('pln_proposal')
          .set({ carried_from_id: pid.get(p.carriedFromKey)! })
          .where('pemda_id', '=', pemdaId)
          .where('id', '=', pid.get(p.key)!)
          .execute();
    }
    const stepRows = proposals.flatMap((p) =>
      p.steps.map((s) => {
        const { mergeInto, relatedKey, ...rest } = s as Record<string, unknown> & {
          mergeInto?: string;
          relatedKey?: string;
        };
        const related = mergeInto ? pid.get(mergeInto) : relatedKey ? pid.get(relatedKey) : undefined;
        return {
          pemda_id: pemdaId,
          proposal_id: pid.get(p.key)!,
          amount: null,
          volume: null,
          reason: '',
          actor_id: null,
          ...(rest as object),
          related_id: related ?? null,
        };
      }),
    );
    // the merge targets record what they absorbed
    for (const p of proposals.filter((x) => x.mergeIntoKey)) {
      const s = p.steps.find((x) => x.action === 'merged')!;
      stepRows.push({
        pemda_id: pemdaId,
        proposal_id: pid.get(p.mergeIntoKey!)!,
        amount: null,
        volume: null,
        reason: String(s.reason),
        actor_id: null,
        stage: s.stage,
        action: 'absorbed',
        at: s.at,
        actor_name: s.actor_name,
        actor_role: s.actor_role,
        related_id: pid.get(p.key)!,
      } as never);
    }
    stepRows.sort(
      (a, b) => +new Date((a as unknown as { at: Date }).at) - +new Date((b as unknown as { at: Date }).at),
    );
    await chunked(stepRows, 1000, (chunk) =>
      trx
        .insertInto('pln_proposal_step')
        .values(chunk as never)
        .execute(),
    );
    counts.proposals = proposals.filter((p) => p.values.kind === 'musrenbang').length;
    counts.pokir = proposals.length - counts.proposals;
    counts.steps = stepRows.length;

    uow.audit({ action: 'seed', entity: 'planning', entityId: 'demo', after: counts });
  });
}
