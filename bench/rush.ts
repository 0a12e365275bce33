// `npm run bench rush`: the deadline rush. N operators (50, 200, 500; at least four per OPD) save
// catalogue-priced lines through the real HTTP API (session cookie + CSRF) of a Padu server in its
// own process, logging as in production, on PostgreSQL (BENCH_DATABASE_URL); the load generator
// runs in another process (autocannon). The baseline is a bare Fastify process inserting one row
// of the same shape with `pg` under the same load. Padu and the baseline alternate for ROUNDS
// rounds; the table shows medians: saves/s, p50/p99, the server's peak RSS, CPU per save of the
// server process and of the PostgreSQL backends serving it. Writes bench/results.json (key "rush").
// Env: BENCH_DATABASE_URL (required), RUSH_N=50,200,500, RUSH_OPD=3,6 (OPD counts; default N/4 up to
// all with open sub kegiatan), RUSH_SECONDS=8, RUSH_ROUNDS=3, RUSH_PROFILE=<dir>.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';

const root = fileURLToPath(new URL('../', import.meta.url));
const ATK = '5.1.02.01.01.0024';

interface RoundResult {
  target: 'padu' | 'bare';
  n: number;
  opds: number;
  round: number;
  savesPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  peakRssMb: number;
  nodeCpuMsPerSave: number;
  pgCpuMsPerSave: number;
}

const ticks = 100; // USER_HZ
function cpuMs(pid: number): number | null {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(parts[11]) + Number(parts[12])) * 1000) / ticks;
  } catch {
    return null;
  }
}
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function waitHealthy(url: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    try {
      const r = await fetch(url, { method: url.endsWith('/lines') ? 'OPTIONS' : 'GET' });
      if (r.status < 500) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start`);
}

export async function rushBench(): Promise<string> {
  const benchUrl = process.env.BENCH_DATABASE_URL;
  if (!benchUrl) throw new Error('rush needs PostgreSQL: set BENCH_DATABASE_URL');
  process.env.TEST_DATABASE_URL = benchUrl;
  const Ns = (process.env.RUSH_N ?? '50,200,500').split(',').map(Number);
  const seconds = Number(process.env.RUSH_SECONDS ?? 8);
  const rounds = Number(process.env.RUSH_ROUNDS ?? 3);

  // ---- a demo database of its own (cloned from the test template), ceilings raised, input open
  const { testApp } = await import('../src/testing/harness.ts');
  const { openStage, itemFor } = await import('../src/modules/budgeting/testing.ts');
  const { createSession } = await import('../src/modules/users/index.ts');
  const t = await testApp();
  const dbName = (await sql<{ d: string }>`SELECT current_database() AS d`.execute(t.db)).rows[0]!.d;
  const stage = await openStage(t);
  const item = await itemFor(t, ATK, stage.year);
  await sql`UPDATE bud_opd_ceiling SET ceiling = 100000000000000, input_mode = 'open', input_until = now() + interval '1 day'
            WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id}`.execute(t.db);
  await sql`UPDATE bud_sub_kegiatan SET ceiling = 1000000000000 WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id}`.execute(
    t.db,
  );
  const opdRows = (
    await sql<{ opd_id: number; subs: number[] }>`SELECT opd_id, array_agg(id ORDER BY id) AS subs FROM bud_sub_kegiatan
      WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id} AND status IN ('draft', 'returned')
      GROUP BY opd_id ORDER BY opd_id`.execute(t.db)
  ).rows;
  const M = opdRows.length;
  const opdsFor = (n: number) => Math.max(1, Math.min(M, Math.floor(n / 4)));
  // RUSH_OPD=3,6: the same N spread over that many OPD (does the throughput depend on the OPD count?)
  const opdCounts = (n: number) =>
    process.env.RUSH_OPD
      ? process.env.RUSH_OPD.split(',').map((x) => Math.max(1, Math.min(M, Number(x))))
      : [opdsFor(n)];
  const cases = Ns.flatMap((n) => opdCounts(n).map((m) => ({ n, m })));
  const perOpd = Math.max(...cases.map(({ n, m }) => Math.ceil(n / m)));
  process.stderr.write(`rush: ${M} OPD with open sub kegiatan; creating ${perOpd} operators each…\n`);
  const hash = (
    await sql<{ h: string }>`SELECT password_hash AS h FROM usr_user WHERE pemda_id = ${t.pemdaId} LIMIT 1`.execute(
      t.db,
    )
  ).rows[0]!.h;
  for (const o of opdRows)
    await sql`INSERT INTO usr_user (pemda_id, username, password_hash, full_name, role, opd_id)
      SELECT ${t.pemdaId}, 'rush.' || ${o.opd_id} || '.' || g, ${hash}, 'Operator ' || g, 'opd_operator', ${o.opd_id}
      FROM generate_series(1, ${perOpd}) g ON CONFLICT DO NOTHING`.execute(t.db);
  const sessions = new Map<string, { cookie: string; csrf: string }>();
  for (const o of opdRows)
    for (let i = 1; i <= perOpd; i++) {
      const u = `rush.${o.opd_id}.${i}`;
      const s = await createSession(t.db, t.config, t.pemdaId, u);
      sessions.set(u, { cookie: s.cookie, csrf: s.csrf });
    }
  // one save in-process gives the baseline its row shape
  const s0 = sessions.get(`rush.${opdRows[0]!.opd_id}.1`)!;
  const body = JSON.stringify({ account_code: ATK, item_id: item.itemId, factors: [{ v: '3', u: 'Buah' }] });
  const first = await t.server.inject({
    method: 'POST',
    url: `/api/v1/budget/sub-kegiatan/${opdRows[0]!.subs[0]}/lines`,
    headers: { cookie: `padu_session=${s0.cookie}`, 'x-csrf-token': s0.csrf, 'content-type': 'application/json' },
    payload: body,
  });
  if (first.statusCode !== 201) throw new Error(`setup save failed: ${first.statusCode} ${first.body}`);
  const line = (
    await sql<
      Record<string, unknown>
    >`SELECT * FROM bud_line WHERE pemda_id = ${t.pemdaId} AND id = ${JSON.parse(first.body).id}`.execute(t.db)
  ).rows[0]!;
  for (const k of ['id', 'line_key', 'version', 'created_at', 'updated_at', 'origin_line_id', 'review_note'])
    delete line[k];
  await t.app.close();
  await t.handle.close(); // the database stays for the servers; dropped at the end

  const u = new URL(benchUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const admin = new pg.Client({ connectionString: benchUrl });
  await admin.connect();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-rush-'));
  const paduPort = 3900 + (process.pid % 50);
  const barePort = paduPort + 100;
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl,
    PADU_LOG_LEVEL: 'info',
    PADU_DEMO_SEED: 'never',
    NODE_ENV: 'production',
  };
  const paduLog = fs.openSync(path.join(tmp, 'padu.log'), 'w');
  const bareLog = fs.openSync(path.join(tmp, 'bare.log'), 'w');
  // RUSH_PROFILE=<dir>: a V8 CPU profile of the Padu server (open it in Chrome DevTools)
  const profile = process.env.RUSH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.RUSH_PROFILE)}`]
    : [];
  const padu = spawn(process.execPath, [...profile, path.join(root, 'bin/padu.mjs'), 'serve'], {
    env: { ...env, PORT: String(paduPort), PADU_DATA_DIR: tmp },
    stdio: ['ignore', paduLog, paduLog],
  });
  const bare = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/rush-bare.ts')], {
    env: { ...env, PORT: String(barePort), BARE_ROW: JSON.stringify(line) },
    stdio: ['ignore', bareLog, bareLog],
    cwd: root,
  });
  const results: RoundResult[] = [];
  try {
    await waitHealthy(`http://127.0.0.1:${paduPort}/healthz`, padu, 'padu');
    await waitHealthy(`http://127.0.0.1:${barePort}/api/v1/budget/sub-kegiatan/1/lines`, bare, 'bare');
    for (const { n, m } of cases) {
      const ops = Array.from({ length: n }, (_, i) => {
        const o = opdRows[i % m]!;
        const k = Math.floor(i / m);
        const s = sessions.get(`rush.${o.opd_id}.${k + 1}`)!;
        return {
          path: `/api/v1/budget/sub-kegiatan/${o.subs[k % o.subs.length]}/lines`,
          headers: { cookie: `padu_session=${s.cookie}`, 'x-csrf-token': s.csrf },
        };
      });
      for (let round = 1; round <= rounds; round++) {
        for (const target of ['padu', 'bare'] as const) {
          const proc = target === 'padu' ? padu : bare;
          const port = target === 'padu' ? paduPort : barePort;
          const cfgFile = path.join(tmp, `load-${target}-${n}-${round}.json`);
          fs.writeFileSync(
            cfgFile,
            JSON.stringify({ base: `http://127.0.0.1:${port}`, connections: n, seconds, ops, body }),
          );
          // the PostgreSQL backends serving this database now (each server keeps a pool of ≤ 10)
          const pids = (
            await admin.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
              [dbName],
            )
          ).rows.map((r) => r.pid);
          const pg0 = new Map(pids.map((p) => [p, cpuMs(p)]));
          const node0 = cpuMs(proc.pid!)!;
          let peak = rssMb(proc.pid!);
          const sampler = setInterval(() => (peak = Math.max(peak, rssMb(proc.pid!))), 100);
          const out = execFileSync(
            process.execPath,
            ['--import', 'tsx', path.join(root, 'bench/rush-load.ts'), cfgFile],
            {
              cwd: root,
              encoding: 'utf8',
              maxBuffer: 1 << 20,
            },
          );
          clearInterval(sampler);
          const node1 = cpuMs(proc.pid!)!;
          let pgCpu = 0;
          const pidsAfter = (
            await admin.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
              [dbName],
            )
          ).rows.map((r) => r.pid);
          for (const p of pidsAfter) {
            const after = cpuMs(p);
            if (after !== null) pgCpu += after - (pg0.get(p) ?? 0);
          }
          const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
            ok: number;
            non2xx: number;
            errors: number;
            seconds: number;
            p50: number;
            p99: number;
          };
          const res: RoundResult = {
            target,
            n,
            opds: m,
            round,
            savesPerSec: r.ok / r.seconds,
            p50: r.p50,
            p99: r.p99,
            non2xx: r.non2xx,
            errors: r.errors,
            peakRssMb: peak,
            nodeCpuMsPerSave: r.ok ? (node1 - node0) / r.ok : 0,
            pgCpuMsPerSave: r.ok ? pgCpu / r.ok : 0,
          };
          results.push(res);
          process.stderr.write(
            `  N=${n} (${m} OPD) round ${round} ${target}: ${res.savesPerSec.toFixed(0)} saves/s, p50 ${res.p50} ms, p99 ${res.p99} ms, ` +
              `${res.non2xx} non-2xx, ${res.errors} errors, RSS ${res.peakRssMb.toFixed(0)} MB, ` +
              `CPU/save node ${res.nodeCpuMsPerSave.toFixed(2)} ms, pg ${res.pgCpuMsPerSave.toFixed(2)} ms\n`,
          );
        }
      }
    }
  } finally {
    padu.kill('SIGTERM');
    bare.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }

  // ---- the table (medians over the rounds) and bench/results.json
  const rows = cases.map(({ n, m }) => {
    const med = (target: 'padu' | 'bare', k: keyof RoundResult) =>
      median(results.filter((r) => r.n === n && r.opds === m && r.target === target).map((r) => Number(r[k])));
    const row = (target: 'padu' | 'bare') => ({
      savesPerSec: med(target, 'savesPerSec'),
      p50: med(target, 'p50'),
      p99: med(target, 'p99'),
      peakRssMb: med(target, 'peakRssMb'),
      nodeCpuMsPerSave: med(target, 'nodeCpuMsPerSave'),
      pgCpuMsPerSave: med(target, 'pgCpuMsPerSave'),
      non2xx: results
        .filter((r) => r.n === n && r.opds === m && r.target === target)
        .reduce((a, r) => a + r.non2xx + r.errors, 0),
    });
    return { n, opds: m, padu: row('padu'), bare: row('bare') };
  });
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const lines = [
    `## Rush: line saves through the HTTP API (PostgreSQL, ${rounds} alternating rounds of ${seconds} s, medians)`,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}; load average at the end: ${load}.`,
    '',
    '| N operators (OPD) | Padu saves/s | p50 / p99 ms | bare saves/s | p50 / p99 ms | Padu ÷ bare | Padu peak RSS | CPU ms/save node / pg (Padu) | (bare) | errors+timeouts Padu / bare |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.n} (${r.opds}) | ${r.padu.savesPerSec.toFixed(0)} | ${r.padu.p50} / ${r.padu.p99} | ${r.bare.savesPerSec.toFixed(0)} | ${r.bare.p50} / ${r.bare.p99} | ` +
        `${(r.padu.savesPerSec / r.bare.savesPerSec).toFixed(2)}× | ${r.padu.peakRssMb.toFixed(0)} MB | ` +
        `${r.padu.nodeCpuMsPerSave.toFixed(2)} / ${r.padu.pgCpuMsPerSave.toFixed(2)} | ${r.bare.nodeCpuMsPerSave.toFixed(2)} / ${r.bare.pgCpuMsPerSave.toFixed(2)} | ${r.padu.non2xx} / ${r.bare.non2xx} |`,
    ),
  ];
  const file = path.join(root, 'bench/results.json');
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    /* first write */
  }
  all.rush = { at: new Date().toISOString(), seconds, rounds, loadavg: os.loadavg(), rows, rounds_raw: results };
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
  return lines.join('\n');
}
