// Catalogue and master-data (regions) imports at 100,000 rows (BENCH_IMPORT_ROWS to change) through
// the real HTTP API of a `padu serve` process, while another client asks /healthz every 20 ms and
// records its latency; next to the bare bulk insert of the same rows (one unnest INSERT per table,
// same driver). PostgreSQL only (BENCH_DATABASE_URL).
import pg from 'pg';
import { postgresClone } from '../src/testing/harness.ts';
import { Client, startServer } from '../src/testing/processes.ts';
import { DEMO_PASSWORD } from '../src/core/seed.ts';
import type { BenchEntry, Measure } from './harness.ts';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);

function csvOf(round: number, accounts: string[]): string {
  const out = ['jenis,kode,nama,spesifikasi,satuan,harga,akun'];
  for (let i = 0; i < ROWS; i++) {
    const code = `8.${round}.${Math.floor(i / 10_000)}.${Math.floor(i / 100) % 100}.${i % 100}`;
    out.push(
      `SSH,${code},Barang uji ${round}-${i},Spesifikasi ${i % 97},Buah,${1_000 + ((i * 7919) % 5_000_000)},${accounts[i % accounts.length]}`,
    );
  }
  return out.join('\n');
}

// Regions of the demo Pemda 99.01 (it has kecamatan 99.01.01–10): kecamatan from 99.01.20 up, each
// followed by up to 1,250 desa (2001–2999) and kelurahan (1001–1251), ROWS rows in all.
const REGION_CHILDREN = 1_250;
function regionRows(): Array<{ code: string; name: string; parent: string | null }> {
  const out: Array<{ code: string; name: string; parent: string | null }> = [];
  for (let k = 20; out.length < ROWS; k++) {
    if (k > 99) throw new Error('BENCH_IMPORT_ROWS too large for one kabupaten');
    const kec = `99.01.${k}`;
    out.push({ code: kec, name: `Kecamatan Uji ${k}`, parent: null });
    for (let j = 0; j < REGION_CHILDREN && out.length < ROWS; j++) {
      const code =
        j < 999 ? `${kec}.2${String(j + 1).padStart(3, '0')}` : `${kec}.1${String(j - 998).padStart(3, '0')}`;
      out.push({ code, name: `${j < 999 ? 'Desa' : 'Kelurahan'} Uji ${k}-${j}`, parent: kec });
    }
  }
  return out;
}

let serverLog = () => '';

/** Poll /healthz every 20 ms while `fn` runs; latency percentiles in ms. */
async function whilePolling<T>(
  base: string,
  fn: () => Promise<T>,
): Promise<{ result: T; p50: number; p99: number; max: number; n: number }> {
  const times: number[] = [];
  let stop = false;
  const poller = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await fetch(`${base}/healthz`)
        .then((r) => r.arrayBuffer())
        .catch((err: unknown) => {
          throw new Error(`/healthz: ${String(err)}\n${serverLog()}`);
        });
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  let result: T;
  try {
    result = await fn();
  } finally {
    stop = true;
    await poller;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { result, p50: at(0.5), p99: at(0.99), max: times.at(-1)!, n: times.length };
}

export async function importBenches() {
  if (!process.env.TEST_DATABASE_URL) throw new Error('the import benchmark needs BENCH_DATABASE_URL (PostgreSQL)');
  const clone = await postgresClone();
  await clone.handle.close();
  const server = await startServer({ DATABASE_URL: clone.url, PADU_LOG_LEVEL: 'info' });
  serverLog = () => `${server.log()}\n(exit ${server.child.exitCode}, signal ${server.child.signalCode})`;
  const bare = new pg.Client({ connectionString: clone.url });
  await bare.connect();
  const accounts = (
    await bare.query(
      `SELECT DISTINCT a.account_code AS code FROM cat_item_account a JOIN cat_item i ON i.pemda_id = a.pemda_id AND i.id = a.item_id WHERE i.year = 2027 ORDER BY 1 LIMIT 40`,
    )
  ).rows.map((r) => r.code as string);
  const pemdaId = (await bare.query(`SELECT id FROM core_pemda WHERE code = '99.01'`)).rows[0].id as number;
  const tim = new Client(server.base);
  if ((await tim.login('tim_data', DEMO_PASSWORD)).status !== 200) throw new Error('log-in failed');
  const admin = new Client(server.base); // regions are written by the admin (md.write)
  if ((await admin.login('admin', DEMO_PASSWORD)).status !== 200) throw new Error('admin log-in failed');
  let round = 0;
  const notes: string[] = [];
  const regionNotes: string[] = [];
  // the regions this benchmark writes (kecamatan 99.01.20 and up, with their desa), removed before each round
  const dropBenchRegions = () =>
    bare.query(`DELETE FROM md_region WHERE pemda_id = $1 AND code ~ '^99\\.01\\.([2-9][0-9])(\\.|$)'`, [pemdaId]);

  const entries: BenchEntry[] = [
    {
      name: `catalogue import, ${ROWS.toLocaleString('en')} rows CSV over HTTP (validate + write, all or nothing)`,
      padu: async (): Promise<Measure> => {
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const csv = csvOf(++round, accounts);
          const r = await whilePolling(server.base, async () => {
            const t0 = performance.now();
            const res = await fetch(`${server.base}/api/v1/catalogue/import?year=2027`, {
              method: 'POST',
              headers: { cookie: `padu_session=${tim.cookie}`, 'x-csrf-token': tim.csrf, 'content-type': 'text/csv' },
              body: csv,
            });
            const body = (await res.json()) as { created?: number };
            if (res.status !== 200 || body.created !== ROWS)
              throw new Error(`import: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
            return performance.now() - t0;
          });
          times.push(r.result);
          notes.push(
            `round ${i + 1}: ${(r.result / 1000).toFixed(2)} s; /healthz meanwhile p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, max ${r.max.toFixed(0)} ms (${r.n} probes)`,
          );
          process.stderr.write(`  ${notes.at(-1)}\n`);
        }
        times.sort((a, b) => a - b);
        return { unit: 'ms', value: times[1]! };
      },
      baseline: async (): Promise<Measure> => {
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = ++round;
          const n = Array.from({ length: ROWS }, (_, k) => k);
          const t0 = performance.now();
          await bare.query('BEGIN');
          const ids = await bare.query(
            `INSERT INTO cat_item (pemda_id, year, kind, code, name, current_version)
             SELECT $3, 2027, 'SSH', u.code, u.name, 1 FROM unnest($1::text[], $2::text[]) AS u(code, name) RETURNING id`,
            [
              n.map((k) => `7.${r}.${Math.floor(k / 10_000)}.${Math.floor(k / 100) % 100}.${k % 100}`),
              n.map((k) => `Barang ${k}`),
              pemdaId,
            ],
          );
          const itemIds = ids.rows.map((x) => x.id as number);
          await bare.query(
            `INSERT INTO cat_item_version (pemda_id, item_id, version, name, spec, unit, price, source, approved_by_name)
             SELECT $4, u.id, 1, u.name, '', 'Buah', u.price, 'import', 'bench' FROM unnest($1::int[], $2::text[], $3::bigint[]) AS u(id, name, price)`,
            [itemIds, n.map((k) => `Barang ${k}`), n.map((k) => String(1000 + k)), pemdaId],
          );
          await bare.query(
            `INSERT INTO cat_item_account (pemda_id, item_id, version, account_code)
             SELECT $3, u.id, 1, u.code FROM unnest($1::int[], $2::text[]) AS u(id, code)`,
            [itemIds, n.map((k) => accounts[k % accounts.length]!), pemdaId],
          );
          await bare.query('COMMIT');
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return { unit: 'ms', value: times[1]! };
      },
      get note() {
        return notes.join('; ');
      },
    },
    {
      name: `master-data import (regions: kecamatan + desa/kelurahan), ${ROWS.toLocaleString('en')} rows CSV over HTTP (validate + write, all or nothing)`,
      padu: async (): Promise<Measure> => {
        const times: number[] = [];
        const regions = regionRows();
        const csv = ['kode,nama,kode_organisasi', ...regions.map((r) => `${r.code},${r.name},`)].join('\n');
        for (let i = 0; i < 3; i++) {
          await dropBenchRegions(); // every round imports new codes
          const r = await whilePolling(server.base, async () => {
            const t0 = performance.now();
            const res = await fetch(`${server.base}/api/v1/master-data/regions/import`, {
              method: 'POST',
              headers: {
                cookie: `padu_session=${admin.cookie}`,
                'x-csrf-token': admin.csrf,
                'content-type': 'text/csv',
              },
              body: csv,
            });
            const body = (await res.json()) as { inserted?: number };
            if (res.status !== 200 || body.inserted !== ROWS)
              throw new Error(`import: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
            return performance.now() - t0;
          });
          times.push(r.result);
          regionNotes.push(
            `round ${i + 1}: ${(r.result / 1000).toFixed(2)} s; /healthz meanwhile p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, max ${r.max.toFixed(0)} ms (${r.n} probes)`,
          );
          process.stderr.write(`  ${regionNotes.at(-1)}\n`);
        }
        times.sort((a, b) => a - b);
        return { unit: 'ms', value: times[1]! };
      },
      baseline: async (): Promise<Measure> => {
        const times: number[] = [];
        const regions = regionRows();
        const kec = regions.filter((r) => r.parent === null);
        const desa = regions.filter((r) => r.parent !== null);
        for (let i = 0; i < 3; i++) {
          await dropBenchRegions();
          const t0 = performance.now();
          await bare.query('BEGIN');
          const ids = await bare.query(
            `INSERT INTO md_region (pemda_id, code, name, kind)
             SELECT $3, u.code, u.name, 'kecamatan' FROM unnest($1::text[], $2::text[]) AS u(code, name) RETURNING id, code`,
            [kec.map((r) => r.code), kec.map((r) => r.name), pemdaId],
          );
          const idOf = new Map(ids.rows.map((x) => [x.code as string, x.id as number]));
          await bare.query(
            `INSERT INTO md_region (pemda_id, code, name, kind, parent_id)
             SELECT $5, u.code, u.name, u.kind, u.parent FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS u(code, name, kind, parent)`,
            [
              desa.map((r) => r.code),
              desa.map((r) => r.name),
              desa.map((r) => (r.code.split('.')[3]!.startsWith('1') ? 'kelurahan' : 'desa')),
              desa.map((r) => idOf.get(r.parent!)!),
              pemdaId,
            ],
          );
          await bare.query('COMMIT');
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return { unit: 'ms', value: times[1]! };
      },
      get note() {
        return regionNotes.join('; ');
      },
    },
  ];
  return {
    entries,
    label: `Catalogue and master-data imports (PostgreSQL, ${ROWS.toLocaleString('en')} rows, server in its own process)`,
    close: async () => {
      await bare.end();
      await server.stop();
      await clone.drop();
    },
  };
}
