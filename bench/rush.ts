// `npm run bench rush`: the deadline rush. N operators (50, 200, 500; at least four per OPD) save
// catalogue-priced lines through the real HTTP API (session cookie + CSRF) of a Padu server in its
// own process, logging as in production, on PostgreSQL (BENCH_DATABASE_URL); the load generator
// runs in another process (autocannon). The baseline is a bare Fastify process inserting one row
// of the same shape with `pg` under the same load. Padu and the baseline alternate for ROUNDS
// rounds; the table shows medians: saves/s, p50/p99, the server's peak RSS, CPU per save of the
// server process and of the PostgreSQL backends serving it. Writes bench/results.json (key "rush").
// Scale-out (RUSH_PROCS=2): two `padu serve` processes on the same database (two ports), the load's
// connections split half and half over them as a round-robin load balancer would; the baseline runs
// as two processes the same way. CPU per save and peak RSS then sum both processes (the peak of the
// summed RSS). Many Pemda (RUSH_PEMDA=2): a second Pemda added and demo-seeded in the same database
// as `padu pemda add` + `padu seed --demo --pemda` do (addPemda, seedDemo), set up as the first
// (open stage, raised ceilings, operators); the N operators and the OPD count are split half per
// Pemda, and the baseline inserts rows carrying each Pemda's pemda_id in the same split.
// Env: BENCH_DATABASE_URL (required), RUSH_N=50,200,500, RUSH_OPD=3,6 (OPD counts per Pemda; default
// N/4 per Pemda up to all with open sub kegiatan), RUSH_PROCS=1,2 (server processes; default 1),
// RUSH_PEMDA=1,2 (Pemda; default 1), RUSH_SECONDS=8, RUSH_WARMUP=3 (s of the same load before each
// measured round, not measured, for both targets), RUSH_ROUNDS=3, RUSH_PROFILE=<dir> (V8 CPU profiles of
// the Padu processes; with RUSH_NOINLINE=1 inlining is off, so time lands on the function that spends
// it), RUSH_AGAINST=<another checkout> (an A/B: the baseline is Padu of that checkout, not the bare
// insert; same schema needed; the ratio is then this checkout ÷ that one).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import type { TestContext } from '../src/testing/harness.ts';
import { loadConfig } from '../src/core/config.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const ATK = '5.1.02.01.01.0024';

interface RoundResult {
  target: 'padu' | 'bare';
  n: number;
  opds: number;
  procs: number;
  pemdas: number;
  round: number;
  savesPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  peakRssMb: number;
  nodeCpuMsPerSave: number;
  pgCpuMsPerSave: number;
  /** Checks of the split (raw rounds only): bud_line rows added per Pemda, CPU ms per server process. */
  rowsByPemda: Record<string, number>;
  nodeCpuMsByProc: number[];
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
      // node:http, not fetch: fetch refuses the "bad ports" of the Fetch standard, and the ports
      // chosen below can be one of them (4045 is: the baseline then never looked started)
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(url, { method: url.endsWith('/lines') ? 'OPTIONS' : 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      if (status < 500) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start`);
}

/** The Pemda of RUSH_PEMDA beyond the demo (99.01): added and demo-seeded like any other. */
const morePemda = (i: number) =>
  ({
    code: `63.${10 + i}`,
    name: `Kabupaten Rush ${i + 2}`,
    kind: 'kabupaten',
    province: 'Kalimantan Selatan',
  }) as const;

interface OpdRow {
  opd_id: number;
  subs: number[];
}
/** One Pemda made ready for the rush: its operators' sessions, the save body, the row for the bare insert. */
interface PemdaRush {
  pemdaId: number;
  opdRows: OpdRow[];
  sessions: Map<string, { cookie: string; csrf: string }>;
  body: string;
  row: Record<string, unknown>;
}

/** The test context of another Pemda in the same database (API tokens and sessions in that Pemda). */
async function forPemda(t: TestContext, pemdaId: number): Promise<TestContext> {
  if (pemdaId === t.pemdaId) return t;
  const { createApiToken, createSession } = await import('../src/modules/users/index.ts');
  return {
    ...t,
    pemdaId,
    as: async (username) => ({ authorization: `Bearer ${await createApiToken(t.db, pemdaId, username, 'rush')}` }),
    session: async (username) => {
      const s = await createSession(t.db, t.config, pemdaId, username);
      return { headers: { cookie: `padu_session=${s.cookie}`, 'x-csrf-token': s.csrf }, csrf: s.csrf };
    },
  };
}

/** A Pemda's input opened for the rush: its open stage, ceilings raised, its OPD with open sub kegiatan. */
async function openForRush(t: TestContext) {
  const { openStage, itemFor } = await import('../src/modules/budgeting/testing.ts');
  const stage = await openStage(t);
  const item = await itemFor(t, ATK, stage.year);
  await sql`UPDATE bud_opd_ceiling SET ceiling = 100000000000000, input_mode = 'open', input_until = now() + interval '1 day'
            WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id}`.execute(t.db);
  await sql`UPDATE bud_sub_kegiatan SET ceiling = 1000000000000 WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id}`.execute(
    t.db,
  );
  const opdRows = (
    await sql<OpdRow>`SELECT opd_id, array_agg(id ORDER BY id) AS subs FROM bud_sub_kegiatan
      WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id} AND status IN ('draft', 'returned')
      GROUP BY opd_id ORDER BY opd_id`.execute(t.db)
  ).rows;
  return { item, opdRows };
}

/** perOpd operators in each of the Pemda's OPD with their sessions; one save in-process gives the bare row. */
async function operatorsFor(
  t: TestContext,
  opened: Awaited<ReturnType<typeof openForRush>>,
  perOpd: number,
): Promise<PemdaRush> {
  const { createSession } = await import('../src/modules/users/index.ts');
  const { item, opdRows } = opened;
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
  const s0 = sessions.get(`rush.${opdRows[0]!.opd_id}.1`)!;
  const body = JSON.stringify({ account_code: ATK, item_id: item.itemId, factors: [{ v: '3', u: 'Buah' }] });
  const first = await t.server.inject({
    method: 'POST',
    url: `/api/v1/budget/sub-kegiatan/${opdRows[0]!.subs[0]}/lines`,
    headers: { cookie: `padu_session=${s0.cookie}`, 'x-csrf-token': s0.csrf, 'content-type': 'application/json' },
    payload: body,
  });
  if (first.statusCode !== 201) throw new Error(`setup save failed: ${first.statusCode} ${first.body}`);
  const row = (
    await sql<
      Record<string, unknown>
    >`SELECT * FROM bud_line WHERE pemda_id = ${t.pemdaId} AND id = ${JSON.parse(first.body).id}`.execute(t.db)
  ).rows[0]!;
  for (const k of ['id', 'line_key', 'version', 'created_at', 'updated_at', 'origin_line_id', 'review_note'])
    delete row[k];
  return { pemdaId: t.pemdaId, opdRows, sessions, body, row };
}

const list = (v: string | undefined, dflt: string) =>
  [...new Set((v ?? dflt).split(',').map((x) => Math.max(1, Math.floor(Number(x)))))].sort((a, b) => a - b);

export async function rushBench(): Promise<string> {
  const benchUrl = process.env.BENCH_DATABASE_URL;
  if (!benchUrl) throw new Error('rush needs PostgreSQL: set BENCH_DATABASE_URL');
  process.env.TEST_DATABASE_URL = benchUrl;
  const Ns = (process.env.RUSH_N ?? '50,200,500').split(',').map(Number);
  const seconds = Number(process.env.RUSH_SECONDS ?? 8);
  const warmup = Number(process.env.RUSH_WARMUP ?? 3);
  const rounds = Number(process.env.RUSH_ROUNDS ?? 3);
  const procsList = list(process.env.RUSH_PROCS, '1');
  const pemdaList = list(process.env.RUSH_PEMDA, '1');

  // ---- a demo database of its own (cloned from the test template), ceilings raised, input open;
  // with RUSH_PEMDA > 1 more Pemda added with their base data and demo data, as the CLI does
  const { testApp } = await import('../src/testing/harness.ts');
  const { allModules } = await import('../src/app.ts');
  const { addPemda, seedDemo } = await import('../src/core/seed.ts');
  const t = await testApp();
  const dbName = (await sql<{ d: string }>`SELECT current_database() AS d`.execute(t.db)).rows[0]!.d;
  const contexts = [t];
  for (let i = 0; i < Math.max(...pemdaList) - 1; i++) {
    const target = morePemda(i);
    process.stderr.write(`rush: adding Pemda ${target.code} (${target.name}) with its demo data…\n`);
    await addPemda(t.db, allModules, target, { registry: t.app.registry }); // `padu pemda add`
    const p = await seedDemo(t.db, allModules, undefined, t.app.registry, target); // `padu seed --demo --pemda`
    contexts.push(await forPemda(t, p.id));
  }
  const opened = [];
  for (const c of contexts) opened.push(await openForRush(c));
  const M = Math.min(...opened.map((o) => o.opdRows.length));
  // per Pemda: N/pemdas operators over at least four per OPD, up to all OPD with open sub kegiatan
  const opdsFor = (perPemda: number) => Math.max(1, Math.min(M, Math.floor(perPemda / 4)));
  // RUSH_OPD=3,6: the same N spread over that many OPD per Pemda (does the throughput depend on the OPD count?)
  const opdCounts = (perPemda: number) =>
    process.env.RUSH_OPD
      ? process.env.RUSH_OPD.split(',').map((x) => Math.max(1, Math.min(M, Number(x))))
      : [opdsFor(perPemda)];
  // procs outermost: the second server processes start once, after the one-process cases
  const cases = procsList.flatMap((procs) =>
    Ns.flatMap((n) =>
      pemdaList.flatMap((pemdas) => opdCounts(Math.floor(n / pemdas)).map((m) => ({ n, m, procs, pemdas }))),
    ),
  );
  const perOpd = Math.max(...cases.map(({ n, m, pemdas }) => Math.ceil(Math.ceil(n / pemdas) / m)));
  process.stderr.write(
    `rush: ${M} OPD with open sub kegiatan per Pemda; creating ${perOpd} operators each in ${contexts.length} Pemda…\n`,
  );
  const setups: PemdaRush[] = [];
  for (let i = 0; i < contexts.length; i++) setups.push(await operatorsFor(contexts[i]!, opened[i]!, perOpd));
  await t.app.close();
  await t.handle.close(); // the database stays for the servers; dropped at the end

  const u = new URL(benchUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const admin = new pg.Client({ connectionString: benchUrl });
  await admin.connect();
  // counts the rows each Pemda gained in a round (a check of the split); not among the measured backends
  const checker = new pg.Client({ connectionString: dbUrl });
  await checker.connect();
  const checkerPid = (await checker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-rush-'));
  // process i of a target listens on its port + 200 i
  const paduPort = 3900 + (process.pid % 50);
  const barePort = paduPort + 100;
  const portOf = (target: 'padu' | 'bare', i: number) => (target === 'padu' ? paduPort : barePort) + 200 * i;
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl,
    PADU_LOG_LEVEL: 'info',
    PADU_DEMO_SEED: 'never',
    NODE_ENV: 'production',
    // Padu's pool size (its default unless set), given to the baseline as well
    PADU_DB_POOL: String(loadConfig(process.env).dbPool),
  };
  // RUSH_PROFILE=<dir>: a V8 CPU profile of each Padu server process (open it in Chrome DevTools)
  const profile = process.env.RUSH_PROFILE
    ? [
        ...(process.env.RUSH_NOINLINE ? ['--no-turbo-inlining'] : []),
        '--cpu-prof',
        `--cpu-prof-dir=${path.resolve(process.env.RUSH_PROFILE)}`,
      ]
    : [];
  // the baseline's row per Pemda, and the Pemda of every sub kegiatan the load names
  const bareRows = JSON.stringify(setups.map((s) => s.row));
  const bareSubs = JSON.stringify(
    Object.fromEntries(setups.flatMap((s, i) => s.opdRows.flatMap((o) => o.subs.map((id) => [String(id), i])))),
  );
  // RUSH_AGAINST=<another checkout>: the baseline is Padu of that checkout (an A/B of two commits on
  // the same database and load; the schema must be the same)
  const against = process.env.RUSH_AGAINST ? path.resolve(process.env.RUSH_AGAINST) : undefined;
  const start = (target: 'padu' | 'bare', i: number): ChildProcess => {
    const log = fs.openSync(path.join(tmp, `${target}${i ? `-${i + 1}` : ''}.log`), 'a');
    const port = String(portOf(target, i));
    // every Padu process shares the data folder (the audit signing key), as behind a load balancer
    const padu = (dir: string, flags: string[]) =>
      spawn(process.execPath, [...flags, path.join(dir, 'bin/padu.mjs'), 'serve'], {
        env: { ...env, PORT: port, PADU_DATA_DIR: tmp },
        stdio: ['ignore', log, log],
        cwd: dir,
      });
    if (target === 'padu') return padu(root, profile);
    if (against) return padu(against, []);
    return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/rush-bare.ts')], {
      env: { ...env, PORT: port, BARE_ROWS: bareRows, BARE_SUBS: bareSubs },
      stdio: ['ignore', log, log],
      cwd: root,
    });
  };
  const stop = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  };
  const servers: Record<'padu' | 'bare', ChildProcess[]> = { padu: [], bare: [] };
  /** Exactly `procs` processes of Padu and of the baseline running (one at a time started: one key file). */
  const ensureProcs = async (procs: number) => {
    for (const target of ['padu', 'bare'] as const) {
      const list = servers[target];
      while (list.length > procs) await stop(list.pop()!);
      while (list.length < procs) {
        const i = list.length;
        const child = start(target, i);
        list.push(child);
        await waitHealthy(
          target === 'padu'
            ? `http://127.0.0.1:${portOf(target, i)}/healthz`
            : `http://127.0.0.1:${portOf(target, i)}/api/v1/budget/sub-kegiatan/1/lines`,
          child,
          `${target} ${i + 1}`,
        );
      }
    }
  };
  const linesByPemda = async () =>
    new Map(
      (
        await checker.query<{ pemda_id: number; c: number }>(
          'SELECT pemda_id, count(*)::int AS c FROM bud_line GROUP BY pemda_id',
        )
      ).rows.map((r) => [r.pemda_id, r.c]),
    );
  const results: RoundResult[] = [];
  try {
    for (const { n, m, procs, pemdas } of cases) {
      await ensureProcs(procs);
      // operator i belongs to Pemda i mod pemdas; within it, to its OPD j mod m (j = i div pemdas)
      const ops = Array.from({ length: n }, (_, i) => {
        const p = setups[i % pemdas]!;
        const j = Math.floor(i / pemdas);
        const o = p.opdRows[j % m]!;
        const k = Math.floor(j / m);
        const s = p.sessions.get(`rush.${o.opd_id}.${k + 1}`)!;
        return {
          path: `/api/v1/budget/sub-kegiatan/${o.subs[k % o.subs.length]}/lines`,
          headers: { cookie: `padu_session=${s.cookie}`, 'x-csrf-token': s.csrf },
          body: p.body,
        };
      });
      const label = `N=${n} (${m * pemdas} OPD${pemdas > 1 ? `, ${pemdas} Pemda` : ''}${procs > 1 ? `, ${procs} procs` : ''})`;
      for (let round = 1; round <= rounds; round++) {
        for (const target of ['padu', 'bare'] as const) {
          const procList = servers[target];
          const bases = procList.map((_, i) => `http://127.0.0.1:${portOf(target, i)}`);
          const cfgFile = path.join(tmp, `load-${target}-${n}-${m}-${pemdas}-${procs}-${round}.json`);
          fs.writeFileSync(cfgFile, JSON.stringify({ bases, connections: n, seconds, warmup, ops }));
          const byPemda0 = await linesByPemda();
          // the PostgreSQL backends serving this database now (each server keeps a pool of ≤ PADU_DB_POOL)
          const pids = (
            await admin.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND pid <> $2`,
              [dbName, checkerPid],
            )
          ).rows.map((r) => r.pid);
          const pg0 = new Map(pids.map((p) => [p, cpuMs(p)]));
          // CPU and RSS of the target: summed over its processes
          const nodeCpu = () => procList.reduce((a, c) => a + cpuMs(c.pid!)!, 0);
          const rss = () => procList.reduce((a, c) => a + rssMb(c.pid!), 0);
          const node0 = nodeCpu();
          const perProc0 = procList.map((c) => cpuMs(c.pid!)!);
          let peak = rss();
          const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
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
          const node1 = nodeCpu();
          const nodeCpuMsByProc = procList.map((c, i) => cpuMs(c.pid!)! - perProc0[i]!);
          let pgCpu = 0;
          const pidsAfter = (
            await admin.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND pid <> $2`,
              [dbName, checkerPid],
            )
          ).rows.map((r) => r.pid);
          for (const p of pidsAfter) {
            const after = cpuMs(p);
            if (after !== null) pgCpu += after - (pg0.get(p) ?? 0);
          }
          const byPemda1 = await linesByPemda();
          const rowsByPemda = Object.fromEntries(
            [...byPemda1].map(([id, c]) => [String(id), c - (byPemda0.get(id) ?? 0)]).filter(([, c]) => c !== 0),
          );
          const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
            ok: number;
            warmupOk: number;
            non2xx: number;
            errors: number;
            seconds: number;
            p50: number;
            p99: number;
          };
          const res: RoundResult = {
            target,
            n,
            opds: m * pemdas,
            procs,
            pemdas,
            round,
            savesPerSec: r.ok / r.seconds,
            p50: r.p50,
            p99: r.p99,
            non2xx: r.non2xx,
            errors: r.errors,
            peakRssMb: peak,
            // the CPU samples span the warm-up too: divide by every save they paid for
            nodeCpuMsPerSave: r.ok ? (node1 - node0) / (r.ok + r.warmupOk) : 0,
            pgCpuMsPerSave: r.ok ? pgCpu / (r.ok + r.warmupOk) : 0,
            rowsByPemda,
            nodeCpuMsByProc,
          };
          results.push(res);
          process.stderr.write(
            `  ${label} round ${round} ${target}: ${res.savesPerSec.toFixed(0)} saves/s, p50 ${res.p50} ms, p99 ${res.p99} ms, ` +
              `${res.non2xx} non-2xx, ${res.errors} errors, RSS ${res.peakRssMb.toFixed(0)} MB, ` +
              `CPU/save node ${res.nodeCpuMsPerSave.toFixed(2)} ms, pg ${res.pgCpuMsPerSave.toFixed(2)} ms` +
              (pemdas > 1 ? `; rows per Pemda ${Object.values(rowsByPemda).join(' / ')}` : '') +
              (procs > 1
                ? `; CPU s per process ${nodeCpuMsByProc.map((x) => (x / 1000).toFixed(1)).join(' / ')}`
                : '') +
              '\n',
          );
        }
      }
    }
  } finally {
    await Promise.all([...servers.padu, ...servers.bare].map(stop));
    await checker.end();
    await new Promise((r) => setTimeout(r, 500));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }

  // ---- the table (medians over the rounds) and bench/results.json
  const rows = [...cases]
    .sort((a, b) => a.n - b.n || a.pemdas - b.pemdas || a.m - b.m || a.procs - b.procs)
    .map(({ n, m, procs, pemdas }) => {
      const mine = (target: 'padu' | 'bare') =>
        results.filter(
          (r) => r.n === n && r.opds === m * pemdas && r.procs === procs && r.pemdas === pemdas && r.target === target,
        );
      const med = (target: 'padu' | 'bare', k: keyof RoundResult) => median(mine(target).map((r) => Number(r[k])));
      const row = (target: 'padu' | 'bare') => ({
        savesPerSec: med(target, 'savesPerSec'),
        p50: med(target, 'p50'),
        p99: med(target, 'p99'),
        peakRssMb: med(target, 'peakRssMb'),
        nodeCpuMsPerSave: med(target, 'nodeCpuMsPerSave'),
        pgCpuMsPerSave: med(target, 'pgCpuMsPerSave'),
        non2xx: mine(target).reduce((a, r) => a + r.non2xx + r.errors, 0),
      });
      return { n, opds: m * pemdas, opdsPerPemda: m, procs, pemdas, padu: row('padu'), bare: row('bare') };
    });
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const lines = [
    `## Rush: line saves through the HTTP API (PostgreSQL, ${rounds} alternating rounds of ${seconds} s, each after ${warmup} s of unmeasured warm-up, medians)`,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}; load average at the end: ${load}.`,
    '',
    '| N operators (OPD) | procs | Pemda | Padu saves/s | p50 / p99 ms | bare saves/s | p50 / p99 ms | Padu ÷ bare | Padu peak RSS | CPU ms/save node / pg (Padu) | (bare) | errors+timeouts Padu / bare |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.n} (${r.opds}) | ${r.procs} | ${r.pemdas} | ${r.padu.savesPerSec.toFixed(0)} | ${r.padu.p50} / ${r.padu.p99} | ${r.bare.savesPerSec.toFixed(0)} | ${r.bare.p50} / ${r.bare.p99} | ` +
        `${(r.padu.savesPerSec / r.bare.savesPerSec).toFixed(2)}× | ${r.padu.peakRssMb.toFixed(0)} MB | ` +
        `${r.padu.nodeCpuMsPerSave.toFixed(2)} / ${r.padu.pgCpuMsPerSave.toFixed(2)} | ${r.bare.nodeCpuMsPerSave.toFixed(2)} / ${r.bare.pgCpuMsPerSave.toFixed(2)} | ${r.padu.non2xx} / ${r.bare.non2xx} |`,
    ),
  ];
  if (rows.some((r) => r.procs > 1 || r.pemdas > 1))
    lines.push(
      '',
      "procs: server processes of each side on the one database, the load's connections split evenly over " +
        'them (one autocannon, one latency histogram); peak RSS is the peak of their summed RSS and node CPU ' +
        'per save sums them. Pemda: the N operators split evenly over that many Pemda; OPD is the total over them.',
    );
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
