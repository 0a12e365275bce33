// Log-in throttling (issue #10 findings 1 and 2): per (account, address) back-off, a per-address
// failure limit that successful log-ins do not consume, and client addresses taken only from the
// configured trusted proxy hops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { DEMO_PASSWORD } from '../../core/seed.ts';
import { loadConfig } from '../../core/config.ts';

let t: TestContext;
before(async () => {
  t = await testApp({ PADU_LOGIN_MAX_ATTEMPTS: '3' });
});
after(async () => t?.close());

function login(ctx: TestContext, username: string, password: string, opts: { ip?: string; xff?: string } = {}) {
  return ctx.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: opts.ip ?? '127.0.0.1',
    headers: opts.xff ? { 'x-forwarded-for': opts.xff } : {},
    payload: { pemda_id: ctx.pemdaId, username, password },
  });
}

test('wrong passwords from address A do not stop the right password from address B', async () => {
  let last = 0;
  for (let i = 0; i < 6; i++) last = (await login(t, 'disdik.head', 'wrong', { ip: '198.51.100.1' })).statusCode;
  assert.equal(last, 429, 'A is delayed after its free attempts');
  const fromA = await login(t, 'disdik.head', DEMO_PASSWORD, { ip: '198.51.100.1' });
  assert.equal(fromA.statusCode, 429, 'even the right password waits out the delay at A');
  assert.ok(Number(fromA.headers['retry-after']) >= 1, 'Retry-After says how long');
  const fromB = await login(t, 'disdik.head', DEMO_PASSWORD, { ip: '198.51.100.2' });
  assert.equal(fromB.statusCode, 200, fromB.body);
});

test('successful log-ins are not counted: an office behind one NAT address logs everyone in', async () => {
  // the old limits counted every attempt: 10 per user and 50 per address per 15 minutes
  for (let i = 0; i < 24; i++) {
    const res = await login(t, i % 2 ? 'bappeda' : 'disdik.operator', DEMO_PASSWORD, { ip: '198.51.100.10' });
    assert.equal(res.statusCode, 200, `log-in ${i}: ${res.body}`);
  }
});

test('a success forgets earlier failures of the account at that address', async () => {
  const ip = '198.51.100.11';
  for (let i = 0; i < 2; i++) assert.equal((await login(t, 'tapd', 'wrong', { ip })).statusCode, 401);
  assert.equal((await login(t, 'tapd', DEMO_PASSWORD, { ip })).statusCode, 200);
  for (let i = 0; i < 2; i++) assert.equal((await login(t, 'tapd', 'wrong', { ip })).statusCode, 401);
  assert.equal((await login(t, 'tapd', DEMO_PASSWORD, { ip })).statusCode, 200);
});

test('password spraying: failures from one address across many accounts hit the per-address limit', async () => {
  const ip = '198.51.100.20';
  const max = loadConfig({ PADU_LOGIN_MAX_ATTEMPTS: '3' } as NodeJS.ProcessEnv).loginMaxAttempts * 10;
  let refused = 0;
  for (let i = 0; i < max + 2; i++) {
    const res = await login(t, `nobody${i}`, 'wrong', { ip });
    if (res.statusCode === 429) refused++;
  }
  assert.equal(refused, 2);
  // the address is refused, another address is not
  assert.equal((await login(t, 'dprd', DEMO_PASSWORD, { ip })).statusCode, 429);
  assert.equal((await login(t, 'dprd', DEMO_PASSWORD, { ip: '198.51.100.21' })).statusCode, 200);
});

test('PADU_TRUST_PROXY accepts false/true, a hop count or CIDRs, and refuses anything else', () => {
  const tp = (v: string) => loadConfig({ PADU_TRUST_PROXY: v } as NodeJS.ProcessEnv).trustProxy;
  assert.equal(tp('false'), false);
  assert.equal(tp('true'), true);
  assert.equal(tp('1'), 1);
  assert.deepEqual(tp('10.0.0.0/8, 127.0.0.1'), ['10.0.0.0/8', '127.0.0.1']);
  assert.throws(() => tp('yes please'), /PADU_TRUST_PROXY/);
});

for (const trust of ['1', '127.0.0.1/32']) {
  test(`PADU_TRUST_PROXY=${trust}: a forged X-Forwarded-For cannot bypass the limits`, async () => {
    const p = await testApp({ PADU_TRUST_PROXY: trust, PADU_LOGIN_MAX_ATTEMPTS: '3' });
    try {
      // the client forges the header; the proxy (127.0.0.1) appends the address it really saw
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await login(p, 'admin', 'wrong', { xff: `10.9.${i}.${i}, 203.0.113.7` });
        statuses.push(res.statusCode);
      }
      assert.deepEqual(statuses.slice(0, 3), [401, 401, 401]);
      assert.ok(
        statuses.slice(3).every((s) => s === 429),
        statuses.join(','),
      );
      // the real client behind the proxy is throttled; another real client is not
      const other = await login(p, 'admin', DEMO_PASSWORD, { xff: '203.0.113.8' });
      assert.equal(other.statusCode, 200, other.body);
      const who = await p.server.inject({
        method: 'GET',
        url: '/api/v1/me',
        remoteAddress: '127.0.0.1',
        headers: {
          'x-forwarded-for': 'evil, 203.0.113.8',
          cookie: `padu_session=${other.cookies.find((c) => c.name === 'padu_session')!.value}`,
        },
      });
      assert.equal(who.statusCode, 200);
    } finally {
      await p.close();
    }
  });
}

test('without a trusted proxy, X-Forwarded-For is ignored (the socket address counts)', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++)
    statuses.push((await login(t, 'inspektorat', 'wrong', { ip: '198.51.100.30', xff: `10.0.0.${i}` })).statusCode);
  assert.equal(statuses.at(-1), 429);
});
