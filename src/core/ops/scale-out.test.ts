// Scale-out: two real `padu serve` processes on one PostgreSQL database serve one Pemda as if
// behind a load balancer. A session made on one works on the other, a write on one is read on the
// other, log-in throttling counts attempts across both, and a log-out on one ends the session on both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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
