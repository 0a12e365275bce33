// Profile one catalogue import in-process (not a benchmark entry): clones the test template on
// PostgreSQL (TEST_DATABASE_URL, or IMPORT_TEMPLATE=<database> to clone an existing one), imports
// BENCH_IMPORT_ROWS (100,000) CSV rows while timing the event loop's longest stalls, and prints
// the phases. Run with `node --cpu-prof --cpu-prof-dir=<dir> --import tsx bench/import-profile.ts`
// to see where the time goes.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/core/db/database.ts';
import { AppRegistry } from '../src/core/registry.ts';
import { allModules } from '../src/app.ts';
import { importCatalogue } from '../src/modules/catalogue/index.ts';
import { postgresClone } from '../src/testing/harness.ts';
import { eventLoopLine } from './harness.ts';

let t0 = performance.now();
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const base = process.env.TEST_DATABASE_URL!;
const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

let url: string;
let drop: () => Promise<void>;
if (process.env.IMPORT_TEMPLATE) {
  const name = `padu_prof_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${process.env.IMPORT_TEMPLATE}`);
  await admin.end();
  url = withDb(base, name);
  drop = async () => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
} else {
  const c = await postgresClone();
  await c.handle.close();
  url = c.url;
  drop = c.drop;
  console.log(`template cloned into ${url}`);
}
// PROFILE_SQL=1: print every statement slower than 100 ms
if (process.env.PROFILE_SQL) {
  const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    const text = String((args[0] as { text?: string })?.text ?? args[0])
      .replace(/\s+/g, ' ')
      .slice(0, 90);
    const r = orig.apply(this, args);
    if (r && typeof (r as Promise<unknown>).then === 'function')
      void (r as Promise<unknown>).then(
        () =>
          performance.now() - t > 100 &&
          console.log(
            `    +${(performance.now() - t0).toFixed(0)} sql ${(performance.now() - t).toFixed(0)} ms: ${text}`,
          ),
        () => undefined,
      );
    return r;
  };
}
const handle = await openDatabase({ kind: 'postgresql', url, poolSize: 10 });
const db = handle.db;
const pemda = await db.selectFrom('core_pemda').select('id').where('code', '=', '99.01').executeTakeFirstOrThrow();
const client = new pg.Client({ connectionString: url });
await client.connect();
const accounts = (
  await client.query<{ code: string }>(
    `SELECT DISTINCT a.account_code AS code FROM cat_item_account a JOIN cat_item i ON i.pemda_id = a.pemda_id AND i.id = a.item_id WHERE i.year = 2027 ORDER BY 1 LIMIT 40`,
  )
).rows.map((r) => r.code);
await client.end();
const csvOf = (priceBase: number) => {
  const out = ['jenis,kode,nama,spesifikasi,satuan,harga,akun'];
  for (let i = 0; i < ROWS; i++) {
    const code = `8.1.${Math.floor(i / 10_000)}.${Math.floor(i / 100) % 100}.${i % 100}`;
    out.push(
      `SSH,${code},Barang uji ${i},Spesifikasi ${i % 97},Buah,${priceBase + ((i * 7919) % 5_000_000)},${accounts[i % accounts.length]}`,
    );
  }
  return Buffer.from(out.join('\n'));
};
const actor = new AppRegistry(allModules).system(pemda.id, 'profile');

// the longest gaps between 10 ms ticks = the longest time the loop was held
let phase = '';
let doneAt = 0;
let gaps: number[] = [];
let last = performance.now();
const tick = setInterval(() => {
  const now = performance.now();
  gaps.push(now - last - 10);
  if (now - last > 150)
    console.log(`    stall ${(now - last).toFixed(0)} ms ending at +${(now - t0).toFixed(0)} ms (${phase} ${doneAt})`);
  last = now;
}, 10);

// round 1 creates ROWS items; with PROFILE_UPDATE=1 round 2 changes the price of every one of them
for (const [round, priceBase] of (process.env.PROFILE_UPDATE ? [1_000, 2_000] : [1_000]).entries()) {
  const csv = csvOf(priceBase);
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  gaps = [];
  let phaseAt = performance.now();
  phase = '';
  t0 = performance.now();
  const res = await importCatalogue(db, actor, csv, {
    year: 2027,
    onProgress: (done, _total, p) => {
      doneAt = done;
      if (p !== phase) {
        console.log(
          `  ${phase || 'read'}: ${(performance.now() - phaseAt).toFixed(0)} ms (at +${(performance.now() - t0).toFixed(0)})`,
        );
        phase = p;
        phaseAt = performance.now();
      }
    },
  });
  const total = performance.now() - t0;
  console.log(`  ${phase}: ${(performance.now() - phaseAt).toFixed(0)} ms`);
  h.disable();
  console.log(
    `round ${round + 1}, import of ${ROWS} rows: ${(total / 1000).toFixed(2)} s, ${JSON.stringify(res.ok ? res : res.errors.slice(0, 3))}`,
  );
  console.log(eventLoopLine(h, gaps));
}
clearInterval(tick);
await handle.close();
await drop();
