// Live feeds: a change reaches the room's and the unit's event streams; a unit's stream carries
// its own OPD only; a client that reconnects with Last-Event-ID receives what it missed; with two
// server processes on one PostgreSQL database, a change made through one reaches a live client of
// the other within one second (LISTEN/NOTIFY).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { json, testApp, usingPostgres, type TestContext } from '../../testing/harness.ts';
import { connectSse } from '../../testing/sse.ts';
import { freePort } from '../../testing/processes.ts';
import { listOpds, listRegions } from '../master-data/index.ts';

let t: TestContext;
let base = '';
let opd: Record<string, number> = {};
let kecId = 0;
let catId = 0;

before(async () => {
  t = await testApp();
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.server.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
  kecId = (await listRegions(t.db, t.pemdaId, 'kecamatan'))[3]!.id;
  catId = (
    json(await t.server.inject({ method: 'GET', url: '/api/v1/cc/categories', headers: await t.as('cc_operator') }))
      .rows as Array<{ code: string; id: number }>
  ).find((c) => c.code === 'KLL')!.id;
});
after(async () => t?.close());

const api = async (method: 'GET' | 'POST', url: string, user: string, payload?: unknown) =>
  t.server.inject({
    method,
    url,
    headers: await t.as(user),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function newIncident(): Promise<number> {
  const r = await api('POST', '/api/v1/cc/incidents', 'cc_operator', {
    kecamatan_id: kecId,
    category_id: catId,
    description: 'Tabrakan beruntun',
    confirm_new: true,
  });
  assert.equal(r.statusCode, 201, r.body);
  return json(r).incident_id;
}

async function cookie(user: string): Promise<string> {
  return (await t.session(user)).headers.cookie!;
}

test('the room and the unit see a dispatch and a step live; another OPD’s unit sees nothing', async () => {
  const room = await connectSse(`${base}/command-center/live/ops`, { cookie: await cookie('cc_operator') });
  const dishub = await connectSse(`${base}/command-center/live/unit`, { cookie: await cookie('dishub.unit') });
  const damkar = await connectSse(`${base}/command-center/live/unit?opd_id=${opd.dishub}`, {
    cookie: await cookie('damkar.unit'),
  });
  assert.equal(room.status, 200);
  assert.equal(dishub.status, 200);
  const id = await newIncident();
  await room.waitFor((e) => e.data?.type === 'incident.created' && e.data.incident_id === id);
  const [aid] = json(
    await api('POST', `/api/v1/cc/incidents/${id}/dispatch`, 'cc_operator', { opd_ids: [opd.dishub] }),
  ).assignment_ids;
  await dishub.waitFor((e) => e.data?.type === 'assignment.new' && e.data.assignment_id === aid);
  await api('POST', `/api/v1/cc/assignments/${aid}/status`, 'dishub.unit', { status: 'acknowledged' });
  await room.waitFor((e) => e.data?.type === 'assignment.status' && e.data.status === 'acknowledged');
  // damkar asked for dishub's feed: it gets its own (empty) feed instead
  assert.equal(damkar.events.filter((e) => e.data).length, 0);
  // a stream is refused to who may not read it
  const refused = await connectSse(`${base}/command-center/live/ops`, { cookie: await cookie('dishub.unit') });
  assert.equal(refused.status, 403);
  for (const c of [room, dishub, damkar, refused]) c.close();
});

test('a client that reconnects with Last-Event-ID receives the events it missed, once, in order', async () => {
  const c1 = await connectSse(`${base}/command-center/live/ops`, { cookie: await cookie('cc_operator') });
  const id = await newIncident();
  await c1.waitFor((e) => e.data?.incident_id === id);
  const last = c1.lastId!;
  c1.close();
  // missed while away
  const [aid] = json(
    await api('POST', `/api/v1/cc/incidents/${id}/dispatch`, 'cc_operator', { opd_ids: [opd.dishub] }),
  ).assignment_ids;
  await api('POST', `/api/v1/cc/assignments/${aid}/status`, 'dishub.unit', { status: 'en_route' });
  const c2 = await connectSse(`${base}/command-center/live/ops`, {
    cookie: await cookie('cc_operator'),
    'last-event-id': last,
  });
  await c2.waitFor((e) => e.data?.type === 'assignment.status' && e.data.status === 'en_route');
  const got = c2.events.filter((e) => e.data).map((e) => e.data!.type);
  assert.deepEqual(got, ['incident.dispatched', 'assignment.status']);
  // then live again
  await api('POST', `/api/v1/cc/assignments/${aid}/status`, 'dishub.unit', { status: 'on_scene' });
  await c2.waitFor((e) => e.data?.status === 'on_scene');
  assert.ok(
    c2.events.every((e, i, all) => i === 0 || BigInt(e.id!) > BigInt(all[i - 1]!.id!)),
    'ids increase',
  );
  c2.close();
});

test(
  'two server processes on one PostgreSQL database: a change through one reaches a live client of the other within 1 s',
  { skip: usingPostgres ? false : 'needs PostgreSQL (TEST_DATABASE_URL): PGlite is one process' },
  async () => {
    const port = await freePort();
    const bin = fileURLToPath(new URL('../../../bin/padu.mjs', import.meta.url));
    const child: ChildProcess = spawn(process.execPath, [bin, 'serve'], {
      env: {
        ...process.env,
        DATABASE_URL: t.databaseUrl!,
        PORT: String(port),
        HOST: '127.0.0.1',
        PADU_DEMO_SEED: 'never',
        PADU_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    try {
      const other = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`${other}/healthz`)).ok) break;
        } catch {
          /* not yet */
        }
        if (i > 300) throw new Error(`second process did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const room = await connectSse(`${other}/command-center/live/ops`, { cookie: await cookie('cc_operator') });
      assert.equal(room.status, 200);
      const id = await newIncident();
      await room.waitFor((e) => e.data?.incident_id === id, 3000);
      const [aid] = json(
        await api('POST', `/api/v1/cc/incidents/${id}/dispatch`, 'cc_operator', { opd_ids: [opd.dishub] }),
      ).assignment_ids;
      const t0 = performance.now();
      const r = await api('POST', `/api/v1/cc/assignments/${aid}/status`, 'dishub.unit', { status: 'acknowledged' });
      assert.equal(r.statusCode, 200);
      const e = await room.waitFor((x) => x.data?.assignment_id === aid && x.data?.status === 'acknowledged', 1000);
      assert.ok(e.receivedAt - t0 < 1000, `arrived after ${Math.round(e.receivedAt - t0)} ms`);
      room.close();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  },
);
