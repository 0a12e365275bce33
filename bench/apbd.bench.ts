// APBD reports at metro scale: 1,000,000 generated lines in one stage (BENCH_APBD_LINES to change),
// over every OPD of the demo with 100 sub kegiatan each. Measured: the summary report (Lampiran I)
// through the service next to the bare SQL aggregate of the same figures; the full Penjabaran II
// streamed as CSV and XLSX next to the bare streaming of the same aggregate, and the peak memory
// (RSS) of the process while each export runs. Then the public portal over the same lines: the APBD
// page of the stage and the typo-tolerant search, each next to its bare SQL.
import { sql } from 'kysely';
import { testApp, type TestContext } from '../src/testing/harness.ts';
import { listAccounts } from '../src/modules/master-data/index.ts';
import { getOpenStage, type Stage } from '../src/modules/budgeting/index.ts';
import {
  collectReport,
  inSnapshot,
  reportDef,
  reportDoc,
  streamRaw,
  writeDoc,
} from '../src/modules/budgeting/testing.ts';
import { timeIt, type BenchEntry, type Measure } from './harness.ts';
import { countingSink } from '../src/testing/streams.ts';

const LINES = Number(process.env.BENCH_APBD_LINES ?? 1_000_000);
const BATCH = 50_000;
/** A search with a typo, as a citizen types it. */
const SEARCH = 'Bnch line 4242';

/** The client: counts bytes, with the back-pressure of a real socket buffer. */
const sink = () => countingSink(64 * 1024);

/** Peak RSS while `fn` runs, sampled every 10 ms. */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number; startMb: number }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: peak / 2 ** 20, startMb: start / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

async function generate(t: TestContext, stage: Stage): Promise<{ subs: number; ms: number }> {
  const t0 = performance.now();
  const pemdaId = t.pemdaId;
  const opds = (
    await sql<{
      opd_id: number;
    }>`SELECT opd_id FROM bud_opd_ceiling WHERE pemda_id = ${pemdaId} AND stage_id = ${stage.id} ORDER BY opd_id`.execute(
      t.db,
    )
  ).rows.map((r) => r.opd_id);
  // 100 sub kegiatan per OPD: programs 02–05 × kegiatan 01–05 × sub kegiatan 0001–0005 of a bench bidang
  await sql`DROP TABLE IF EXISTS bench_sub, bench_acc`.execute(t.db);
  await sql`CREATE TABLE bench_sub (n int PRIMARY KEY, id int, opd_id int, code text, kegiatan_code text, program_code text)`.execute(
    t.db,
  );
  await sql`
    INSERT INTO bud_sub_kegiatan (pemda_id, stage_id, opd_id, code, kegiatan_code, program_code, bidang_code, name, ceiling)
    SELECT ${pemdaId}, ${stage.id}, o.opd_id,
           b.bidang || '.' || lpad(p::text, 2, '0') || '.2.' || lpad(k::text, 2, '0') || '.' || lpad(s::text, 4, '0'),
           b.bidang || '.' || lpad(p::text, 2, '0') || '.2.' || lpad(k::text, 2, '0'),
           b.bidang || '.' || lpad(p::text, 2, '0'), b.bidang, 'Bench sub kegiatan', 0
      FROM unnest(string_to_array(${opds.join(',')}, ',')::int[]) WITH ORDINALITY AS o (opd_id, i)
      CROSS JOIN LATERAL (SELECT (ARRAY['1.01','1.02','1.03','1.04','1.05','1.06','2.07','2.11','2.15','2.16','3.25','3.27','4.01','5.02','7.01'])[1 + (o.i::int % 15)] AS bidang) b
      CROSS JOIN generate_series(2, 5) p CROSS JOIN generate_series(1, 5) k CROSS JOIN generate_series(1, 5) s
    ON CONFLICT DO NOTHING`.execute(t.db);
  await sql`
    INSERT INTO bench_sub SELECT (row_number() OVER (ORDER BY id) - 1)::int, id, opd_id, code, kegiatan_code, program_code
      FROM bud_sub_kegiatan WHERE pemda_id = ${pemdaId} AND stage_id = ${stage.id} AND name = 'Bench sub kegiatan'`.execute(
    t.db,
  );
  const subs = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_sub`.execute(t.db)).rows[0]!.n);
  const leaves = (cls: string) =>
    listAccounts(t.db, pemdaId, stage.year, { level: 'sub_rincian_objek', under: [cls] }).then((a) =>
      a.map((x) => x.code),
    );
  const [exp, rev, fin] = [await leaves('5'), await leaves('4'), await leaves('6')];
  await sql`CREATE TABLE bench_acc (cls text, n int, code text, PRIMARY KEY (cls, n))`.execute(t.db);
  for (const [cls, codes] of [
    ['5', exp],
    ['4', rev],
    ['6', fin],
  ] as const) {
    await sql`INSERT INTO bench_acc SELECT ${cls}, (i - 1)::int, c FROM unnest(string_to_array(${codes.join(',')}, ',')) WITH ORDINALITY AS x (c, i)`.execute(
      t.db,
    );
  }
  const nAcc = { '5': exp.length, '4': rev.length, '6': fin.length };
  const revenueOpd = opds[0]!;
  // 98% expenditure (spread over every sub kegiatan and expenditure account), 1.9% revenue, 0.1% financing;
  // amounts satisfy bud_line's checks: subtotal = unit_price × v1, no tax, total = subtotal
  for (let from = 0; from < LINES; from += BATCH) {
    const to = Math.min(LINES, from + BATCH) - 1;
    await sql`
      INSERT INTO bud_line (pemda_id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code, program_code,
                            account_code, name, unit, unit_price, v1, u1, subtotal, tax_rate, tax, total, free_text, created_by, updated_by)
      SELECT ${pemdaId}::int, ${stage.id}::int, CASE WHEN x.kind = 'belanja' THEN s.opd_id ELSE ${revenueOpd}::int END, x.kind,
             CASE WHEN x.kind = 'belanja' THEN s.id END, CASE WHEN x.kind = 'belanja' THEN s.code END,
             CASE WHEN x.kind = 'belanja' THEN s.kegiatan_code END, CASE WHEN x.kind = 'belanja' THEN s.program_code END,
             a.code, 'Bench line ' || x.g, 'Paket', x.price, x.v, 'Paket', x.price * x.v, 0, 0, x.price * x.v,
             x.kind = 'belanja', 'bench', 'bench'
        FROM (SELECT g, CASE WHEN g % 1000 = 7 THEN 'pembiayaan' WHEN g % 50 = 3 THEN 'pendapatan' ELSE 'belanja' END AS kind,
                     1000 + (g::bigint * 7919) % 500000 AS price, 1 + g % 20 AS v
                FROM generate_series(${from}::int, ${to}::int) g) x
        JOIN bench_sub s ON s.n = x.g % ${subs}::int
        JOIN bench_acc a ON a.cls = CASE x.kind WHEN 'belanja' THEN '5' WHEN 'pendapatan' THEN '4' ELSE '6' END
                        AND a.n = (x.g / ${subs}::int) % CASE x.kind WHEN 'belanja' THEN ${nAcc['5']}::int WHEN 'pendapatan' THEN ${nAcc['4']}::int ELSE ${nAcc['6']}::int END`.execute(
      t.db,
    );
    process.stderr.write(`  generated ${to + 1} lines\r`);
  }
  process.stderr.write('\n');
  await sql`DROP TABLE bench_sub, bench_acc`.execute(t.db);
  // what autovacuum does in production after a bulk load: statistics and the visibility map (index-only scans)
  await sql`VACUUM ANALYZE bud_line`.execute(t.db);
  await sql`VACUUM ANALYZE bud_sub_kegiatan`.execute(t.db);
  return { subs, ms: performance.now() - t0 };
}

export async function apbdBenches() {
  if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
  const t = await testApp();
  const stage = (await getOpenStage(t.db, t.pemdaId))!;
  let ready: Promise<{ subs: number; ms: number }> | null = null;
  const setup = () => (ready ??= generate(t, stage));
  const summary = reportDef('perda-1')!;
  const penjabaran = reportDef('penjabaran-2')!;
  const args = { db: t.db, pemdaId: t.pemdaId, stage, compare: null, lang: 'id' as const };
  let memNote = '';
  let published: Promise<void> | null = null;
  const publish = () =>
    (published ??= (async () => {
      await setup();
      await sql`UPDATE bud_sub_kegiatan SET status = 'approved' WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id}`.execute(
        t.db,
      );
      await sql`UPDATE bud_stage SET status = 'closed', closed_at = now() WHERE pemda_id = ${t.pemdaId} AND id = ${stage.id}`.execute(
        t.db,
      );
      await sql`ANALYZE bud_sub_kegiatan`.execute(t.db);
    })());
  const slug = () => (stage.kind === 'pergeseran' ? `pergeseran-${stage.seq}` : stage.kind);
  const portalUrl = () => `/portal/apbd/${stage.year}/${slug()}`;

  const exportOnce = async (format: 'csv' | 'xlsx') => {
    const out = sink();
    let rows = 0;
    await inSnapshot(t.db, async (trx) => {
      const doc = await reportDoc(penjabaran, args, trx);
      const counted = (async function* () {
        for await (const r of doc.rows) {
          rows++;
          yield r;
        }
      })();
      await writeDoc({ ...doc, rows: counted }, format, out);
    });
    return { bytes: out.bytes, rows };
  };
  const exportEntry = (format: 'csv' | 'xlsx'): BenchEntry => ({
    name: `apbd: full Penjabaran II export, streamed ${format.toUpperCase()} vs bare SQL cursor over the same aggregate`,
    padu: async () => {
      await setup();
      const t0 = performance.now();
      const { result, peakMb, startMb } = await peakRss(() => exportOnce(format));
      const ms = performance.now() - t0;
      memNote = `${result.rows.toLocaleString('en')} rows, ${(result.bytes / 2 ** 20).toFixed(1)} MB ${format.toUpperCase()}; RSS ${startMb.toFixed(0)} → peak ${peakMb.toFixed(0)} MB`;
      return { unit: 'ms', value: ms };
    },
    baseline: async () => {
      // the same ROLLUP query, streamed through the same cursor, rows discarded
      const t0 = performance.now();
      await inSnapshot(t.db, async (trx) => {
        const q = sql`SELECT 1 FROM (SELECT left(l.account_code, 1) AS cls, coalesce(left(l.sub_kegiatan_code, 4), '') AS b, l.opd_id,
                         coalesce(left(l.sub_kegiatan_code, 7), '') AS p, coalesce(left(l.sub_kegiatan_code, 12), '') AS k, coalesce(l.sub_kegiatan_code, '') AS s,
                         left(l.account_code, 3) AS a3, left(l.account_code, 6) AS a6, left(l.account_code, 9) AS a9, left(l.account_code, 12) AS a12, l.account_code AS a17, l.total
                    FROM bud_line l WHERE l.pemda_id = ${t.pemdaId} AND l.stage_id = ${stage.id}) x
              GROUP BY ROLLUP (left(b, 1), b, opd_id, cls, p, k, s, a3, a6, a9, a12, a17)
              ORDER BY GROUPING(left(b, 1)), left(b, 1) COLLATE "C" NULLS FIRST, b COLLATE "C" NULLS FIRST, opd_id NULLS FIRST, cls COLLATE "C" NULLS FIRST,
                       p COLLATE "C" NULLS FIRST, k COLLATE "C" NULLS FIRST, s COLLATE "C" NULLS FIRST, a3 COLLATE "C" NULLS FIRST, a6 COLLATE "C" NULLS FIRST,
                       a9 COLLATE "C" NULLS FIRST, a12 COLLATE "C" NULLS FIRST, a17 COLLATE "C" NULLS FIRST`;
        for await (const _ of streamRaw(trx, q)) void _;
      });
      return { unit: 'ms', value: performance.now() - t0 };
    },
  });

  const entries: BenchEntry[] = [
    {
      name: `apbd: generate ${LINES.toLocaleString('en')} lines (INSERT … SELECT generate_series, ${BATCH.toLocaleString('en')} per batch) + VACUUM ANALYZE`,
      padu: async () => ({ unit: 'ms', value: (await setup()).ms }),
      note: 'setup, not a comparison',
    },
    {
      name: 'apbd: summary report (Lampiran I, via the service) vs bare SQL GROUP BY jenis',
      padu: async () => {
        await setup();
        return timeIt(() => collectReport(summary, args), 5);
      },
      baseline: async () => {
        await setup();
        return timeIt(
          () =>
            sql`SELECT left(account_code, 6) AS jenis, sum(total) FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id} GROUP BY 1`.execute(
              t.db,
            ),
          5,
        );
      },
      note: 'median of 5 after a warm-up',
    },
    {
      name: 'apbd: Lampiran II (urusan × organisation, 3 measures, via the service) vs bare SQL GROUP BY opd, bidang',
      padu: async () => {
        await setup();
        return timeIt(() => collectReport(reportDef('perda-2')!, args), 3);
      },
      baseline: async () =>
        timeIt(
          () =>
            sql`SELECT opd_id, left(sub_kegiatan_code, 4), sum(total) FILTER (WHERE left(account_code, 1) = '4'), sum(total) FILTER (WHERE left(account_code, 1) = '5')
                  FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id} GROUP BY 1, 2`.execute(t.db),
          3,
        ),
      note: 'median of 3',
    },
    exportEntry('csv'),
    exportEntry('xlsx'),
    // the public portal over the same lines: the stage is published (closed, every sub kegiatan
    // approved) by SQL after the reports above, as TAPD's approval would
    {
      name: 'portal: APBD page of the stage (GET /portal/apbd/{year}/{stage}, rendered) vs bare SQL sum by OPD of the public lines',
      padu: async () => {
        await publish();
        return timeIt(async () => {
          const r = await t.server.inject({ method: 'GET', url: portalUrl() });
          if (r.statusCode !== 200) throw new Error(`portal page: ${r.statusCode}`);
        }, 5);
      },
      baseline: async () => {
        await publish();
        return timeIt(
          () =>
            sql`SELECT l.opd_id, sum(l.total) FROM bud_line l
                 WHERE l.pemda_id = ${t.pemdaId} AND l.stage_id = ${stage.id} AND l.kind = 'belanja'
                   AND EXISTS (SELECT 1 FROM bud_sub_kegiatan s WHERE s.pemda_id = l.pemda_id AND s.id = l.sub_kegiatan_id AND s.status = 'approved')
                 GROUP BY l.opd_id`.execute(t.db),
          5,
        );
      },
      note: 'median of 5 after a warm-up; the page also sums revenue and financing and renders the table',
    },
    {
      name: `portal: search "${SEARCH}" (GET /portal/cari, typo-tolerant, 100 results, rendered) vs the same trigram SQL alone`,
      padu: async () => {
        await publish();
        return timeIt(async () => {
          const r = await t.server.inject({
            method: 'GET',
            url: `/portal/cari?q=${encodeURIComponent(SEARCH)}&year=${stage.year}&stage=${slug()}`,
          });
          if (r.statusCode !== 200) throw new Error(`portal search: ${r.statusCode}`);
        }, 5);
      },
      baseline: async () => {
        await publish();
        return timeIt(
          () =>
            t.db.transaction().execute(async (trx) => {
              await sql`SET LOCAL pg_trgm.word_similarity_threshold = 0.45`.execute(trx);
              await sql`SELECT l.id, greatest(word_similarity(${SEARCH}, l.name), word_similarity(${SEARCH}, l.spec)) AS score
                          FROM bud_line l
                         WHERE l.pemda_id = ${t.pemdaId} AND l.stage_id = ${stage.id}
                           AND (l.name ILIKE ${`%${SEARCH}%`} OR ${SEARCH} <% l.name OR ${SEARCH} <% l.spec)
                         ORDER BY score DESC, l.total DESC, l.id LIMIT 100`.execute(trx);
            }),
          5,
        );
      },
      note: 'median of 5 after a warm-up',
    },
  ];
  // the peak memory of the last export, as its own row
  const memEntry = (format: string): BenchEntry => ({
    name: `apbd: peak RSS during the ${format} export`,
    padu: async (): Promise<Measure> => {
      const m = /peak (\d+) MB/.exec(memNote);
      return { unit: 'MB', value: m ? Number(m[1]) : 0 };
    },
    get note() {
      return memNote;
    },
  });
  entries.splice(4, 0, memEntry('CSV'));
  entries.push(memEntry('XLSX'));
  return {
    label: `APBD reports at scale (${t.handle.kind}, ${LINES.toLocaleString('en')} generated lines)`,
    entries,
    close: () => t.close(),
  };
}
