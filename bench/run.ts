// `npm run bench [-- name-filter]`: Padu next to a bare baseline for each measured path.
// Database: embedded PGlite by default, PostgreSQL when BENCH_DATABASE_URL is set.
import os from 'node:os';
import { report, type BenchEntry, type Row } from './harness.ts';

// the test harness decides PGlite or PostgreSQL when it is loaded: point it at the bench database first
if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
if (process.argv[2] === 'rush') {
  const { rushBench } = await import('./rush.ts');
  console.log(await rushBench());
  process.exit(0);
}
const { foundationBenches } = await import('./foundation.bench.ts');
const { apbdBenches } = await import('./apbd.bench.ts');
const { commandCenterBenches } = await import('./command-center.bench.ts');
const { importBenches } = await import('./import.bench.ts');

const arg = process.argv[2];
type Suite = () => Promise<{ entries: BenchEntry[]; close: () => Promise<void>; label: string }>;
const all: Record<string, Suite> = {
  foundation: foundationBenches,
  apbd: apbdBenches,
  'command-center': commandCenterBenches,
  import: importBenches,
};
// `npm run bench -- apbd` runs one suite, `npm run bench -- import regions` only its entries whose
// name contains the second argument; any other argument filters the entries of every suite by name
const suites = arg && all[arg] ? [all[arg]] : Object.values(all);
const filter = arg && all[arg] ? process.argv[3] : arg;

const out: string[] = [
  `# Padu benchmarks — ${new Date().toISOString()} — ${os.cpus().length} cores, node ${process.version}`,
];
for (const suite of suites) {
  const { entries, close, label } = await suite();
  const rows: Row[] = [];
  try {
    for (const e of entries) {
      if (filter && !e.name.includes(filter)) continue;
      process.stderr.write(`running ${e.name}…\n`);
      const padu = await e.padu();
      const baseline = e.baseline ? await e.baseline() : undefined;
      rows.push({ name: e.name, padu, baseline, note: e.note });
    }
  } finally {
    await close();
  }
  out.push('', report(rows, label));
}
console.log(out.join('\n'));
process.exit(0);
