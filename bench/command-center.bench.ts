// Command Center benchmarks: the time from a status change to its arrival at 500 connected live
// clients (Server-Sent Events through LISTEN/NOTIFY), and the intake save rate (validation,
// duplicate check, unit of work with audit, timeline and live event) next to a bare INSERT endpoint.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { json, testApp } from '../src/testing/harness.ts';
import { listOpds, listRegions } from '../src/modules/master-data/index.ts';
import { httpLoad, type BenchEntry, type Measure } from './harness.ts';

const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 500);
const CHANGES = 20;

export async function commandCenterBenches() {
  const t = await testApp();
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.server.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const op = await t.as('cc_operator');
  const unitH = await t.as('damkar.unit');
  const opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
  const kec = (await listRegions(t.db, t.pemdaId, 'kecamatan'))[2]!;
  const cat = (
    json(await t.server.inject({ method: 'GET', url: '/api/v1/cc/categories', headers: op })).rows as Array<{
      code: string;
      id: number;
    }>
  ).find((c) => c.code === 'HWN')!.id;
  const body = JSON.stringify({
    kecamatan_id: kec.id,
    category_id: cat,
    description: 'Ular masuk rumah',
    confirm_new: true,
  });

  const bare = Fastify();
  bare.post('/incident', async () => {
    const r = await sql<{
      id: number;
    }>`INSERT INTO cc_incident (pemda_id, category_id, priority, description, kecamatan_id, received_at, created_by)
      VALUES (${t.pemdaId}, ${cat}, 2, 'Ular masuk rumah', ${kec.id}, now(), 'bench') RETURNING id`.execute(t.db);
    return { id: r.rows[0]!.id };
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareAddr = bare.server.address();
  const bareBase = `http://127.0.0.1:${typeof bareAddr === 'object' && bareAddr ? bareAddr.port : 0}`;

  const latencies: number[] = [];
  const sse = async (): Promise<Measure> => {
    const cookie = (await t.session('cc_operator')).headers.cookie!;
    // the clients live in another process (bench/sse-clients.ts): the server's event loop only serves
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./sse-clients.ts', import.meta.url)),
        JSON.stringify({ url: `${base}/command-center/live/ops`, cookie, clients: CLIENTS, changes: CHANGES }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.value !== 'READY') throw new Error(`live clients did not start: ${String(first.value)}`);
    const sent = new Map<string, number>();
    for (let k = 0; k < CHANGES; k++) {
      const inc = json(
        await t.server.inject({ method: 'POST', url: '/api/v1/cc/incidents', headers: op, payload: JSON.parse(body) }),
      );
      const [aid] = json(
        await t.server.inject({
          method: 'POST',
          url: `/api/v1/cc/incidents/${inc.incident_id}/dispatch`,
          headers: op,
          payload: { opd_ids: [opd.damkar] },
        }),
      ).assignment_ids;
      await new Promise((r) => setTimeout(r, 100)); // let the dispatch event reach every client first
      sent.set(String(aid), performance.timeOrigin + performance.now());
      const res = await t.server.inject({
        method: 'POST',
        url: `/api/v1/cc/assignments/${aid}/status`,
        headers: unitH,
        payload: { status: 'acknowledged' },
      });
      if (res.statusCode !== 200) throw new Error(res.body);
    }
    const result = await lines.next();
    const at = JSON.parse(String(result.value)) as Record<string, number[]>;
    for (const [aid, t0] of sent) {
      const got = at[aid] ?? [];
      if (got.length !== CLIENTS) throw new Error(`assignment ${aid}: ${got.length} of ${CLIENTS} clients got it`);
      for (const x of got) latencies.push(x - t0);
    }
    latencies.sort((a, b) => a - b);
    return { unit: 'ms', value: latencies[Math.floor(latencies.length * 0.99)]! };
  };

  const entries: BenchEntry[] = [
    {
      name: `live: status change → ${CLIENTS} SSE clients of the room, p99 (${CHANGES} changes)`,
      padu: sse,
      get note() {
        const p = (q: number) => latencies[Math.floor(latencies.length * q)];
        return latencies.length
          ? `p50 ${p(0.5)!.toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms, measured from the start of the request that changes the status (its audited write included) to the event parsed by each client; the clients run in a separate process`
          : '';
      },
    },
    {
      name: 'intake: POST /api/v1/cc/incidents (validate, duplicates, audit, timeline, event) vs a bare INSERT endpoint',
      padu: () =>
        httpLoad(`${base}/api/v1/cc/incidents`, {
          method: 'POST',
          headers: { ...op, 'content-type': 'application/json' },
          body,
          connections: 10,
        }),
      baseline: () =>
        httpLoad(`${bareBase}/incident`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
          connections: 10,
        }),
    },
  ];
  return {
    label: `Command Center (${t.handle.kind})`,
    entries,
    close: async () => {
      await bare.close();
      await t.close();
    },
  };
}
