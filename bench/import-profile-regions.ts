// Profile one master-data (regions) import in-process (not a benchmark entry), like
// import-profile.ts: clones the test template on PostgreSQL (TEST_DATABASE_URL), imports
// BENCH_IMPORT_ROWS (100,000) region rows (kecamatan 99.01.20 and up with their desa/kelurahan)
// while timing the event loop's longest stalls, and prints the phases. Run with
// `node --cpu-prof --cpu-prof-dir=<dir> --import tsx bench/import-profile-regions.ts`.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openDatabase } from '../src/core/db/database.ts';
import { AppRegistry } from '../src/core/registry.ts';
import { allModules } from '../src/app.ts';
import { importFile } from '../src/modules/master-data/index.ts';
import { postgresClone } from '../src/testing/harness.ts';
import { eventLoopLine } from './harness.ts';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const c = await postgresClone();
await c.handle.close();
const handle = await openDatabase({ kind: 'postgresql', url: c.url, poolSize: 10 });
const db = handle.db;
const pemda = await db.selectFrom('core_pemda').select('id').where('code', '=', '99.01').executeTakeFirstOrThrow();
const lines = ['kode,nama,kode_organisasi'];
for (let k = 20, n = 0; n < ROWS; k++) {
  lines.push(`99.01.${k},Kecamatan Uji ${k},`);
  n++;
  for (let j = 0; j < 1_250 && n < ROWS; j++, n++)
    lines.push(
      `99.01.${k}.${j < 999 ? `2${String(j + 1).padStart(3, '0')}` : `1${String(j - 998).padStart(3, '0')}`},Desa ${j},`,
    );
}
const csvOf = (prefix: string) => Buffer.from(lines.join('\n').replaceAll(',Desa ', `,${prefix} `));
const actor = new AppRegistry(allModules).system(pemda.id, 'profile');

// round 1 creates ROWS regions; with PROFILE_UPDATE=1 round 2 renames every desa of them
let last = performance.now();
let t0 = performance.now();
let doneAt = 0;
const gaps: number[] = [];
const tick = setInterval(() => {
  const now = performance.now();
  gaps.push(now - last - 10);
  if (now - last > 60)
    console.log(`    stall ${(now - last).toFixed(0)} ms ending at +${(now - t0).toFixed(0)} ms (done ${doneAt})`);
  last = now;
}, 10);
for (const [round, prefix] of (process.env.PROFILE_UPDATE ? ['Desa', 'Desa Baru'] : ['Desa']).entries()) {
  gaps.length = 0;
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  t0 = performance.now();
  const res = await importFile(db, actor, 'regions', csvOf(prefix), {
    onProgress: (done) => {
      doneAt = done;
    },
  });
  console.log(
    `round ${round + 1}, import of ${ROWS} rows: ${((performance.now() - t0) / 1000).toFixed(2)} s, ${JSON.stringify(res.ok ? res : res.errors.slice(0, 3))}`,
  );
  h.disable();
  console.log(eventLoopLine(h, gaps));
}
clearInterval(tick);
await handle.close();
await c.drop();
