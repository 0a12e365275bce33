// Scale-out: two real `padu serve` processes on one PostgreSQL database serve one Pemda as if
// behind a load balancer. A session made on one works on the other, a write on one is read on the
// other, log-in throttling counts attempts across both, and a log-out on one ends the session on both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { postgresClone, usingPostgres } from '../../testing/harness.ts';
import { Client, startServer, type ServerProcess } from '../../testing/processes.ts';
import { DEMO_PASSWORD } from '../seed.ts';

const skip = usingPostgres ? false : 'TEST_DATABASE_URL is not set: two processes need a shared PostgreSQL database';
let servers: ServerProcess[] = [];
let drop = async () => {};

before(async () => {
  if (skip) return;
  const clone = await postgresClone();
  await clone.handle.close();
  drop = clone.drop;
  const env = { DATABASE_URL: clone.url, PADU_LOGIN_MAX_ATTEMPTS: '3' };
  servers = await Promise.all([startServer(env), startServer(env)]);
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await drop();
});

test('two processes, one database: log in on one, work on the other', { skip }, async () => {
  const [a, b] = servers as [ServerProcess, ServerProcess];
  const onA = new Client(a.base);
  assert.equal((await onA.login('admin', DEMO_PASSWORD)).status, 200);
  const onB = onA.on(b.base);

  const me = await onB.req('GET', '/api/v1/me');
  assert.equal(me.status, 200, await me.clone().text());
  assert.equal(((await me.json()) as { user: { username: string } }).user.username, 'admin');

  // a write on B (CSRF token of the session made on A) is read on A
  const code = `Scale${process.pid}`;
  const created = await onB.req('POST', '/api/v1/master-data/units', { code, name: 'Satuan dua proses' });
  assert.equal(created.status, 201, await created.clone().text());
  const { id } = (await created.json()) as { id: number };
  const read = await onA.req('GET', `/api/v1/master-data/units/${id}`);
  assert.equal(read.status, 200);
  assert.equal(((await read.json()) as { code: string }).code, code);

  // log-in failures are counted in the database: attempts spread over both processes add up
  const guesses = [a, b, a, b].map((s) => new Client(s.base));
  const statuses: number[] = [];
  for (const g of guesses) statuses.push((await g.login('bappeda', 'not-the-password')).status);
  assert.deepEqual(statuses.slice(0, 3), [401, 401, 401]);
  assert.equal(statuses[3], 429, `the fourth failure, on the other process, is throttled: ${statuses}`);

  // a log-out on B ends the session on A too
  assert.equal((await onB.req('POST', '/api/v1/auth/logout')).status, 204);
  assert.equal((await onA.req('GET', '/api/v1/me')).status, 401);
});

test(
  'PADU_WORKERS=2: one port served by two worker processes; a dead worker is replaced; SIGTERM ends them all',
  { skip },
  async () => {
    const clone = await postgresClone();
    await clone.handle.close();
    const server = await startServer({ DATABASE_URL: clone.url, PADU_WORKERS: '2' });
    try {
      // the supervisor's children running padu (not, e.g., a transient esbuild service of tsx)
      const workers = () =>
        execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(server.child.pid)], { encoding: 'utf8' })
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.includes('padu.mjs') && !l.includes('<defunct>'))
          .map((l) => l.split(/\s+/)[0]!);
      assert.equal(workers().length, 2, 'two worker processes under the supervisor');
      const c = new Client(server.base);
      assert.equal((await c.login('admin', DEMO_PASSWORD)).status, 200);
      const codes = Array.from({ length: 6 }, (_, i) => `W${process.pid}x${i}`);
      for (const code of codes) {
        const r = await c.req('POST', '/api/v1/master-data/units', { code, name: 'Satuan pekerja' });
        assert.equal(r.status, 201, await r.clone().text());
      }
      const list = await c.req('GET', `/api/v1/master-data/units?q=W${process.pid}x`);
      const body = (await list.json()) as { items?: Array<{ code: string }> } | Array<{ code: string }>;
      const items = Array.isArray(body) ? body : (body.items ?? []);
      for (const code of codes)
        assert.ok(
          items.some((u) => u.code === code),
          `${code} was written`,
        );
      // a worker that dies is replaced
      const [first] = workers();
      process.kill(Number(first), 'SIGKILL');
      for (let i = 0; i < 300 && (workers().length < 2 || workers().includes(first!)); i++)
        await new Promise((r) => setTimeout(r, 200));
      assert.equal(workers().length, 2, 'the supervisor started another worker');
      assert.ok(!workers().includes(first!));
      const ids = workers();
      await server.stop();
      for (const pid of ids) assert.throws(() => process.kill(Number(pid), 0), 'no worker left behind');
    } finally {
      await server.kill();
      await clone.drop();
    }
  },
);
