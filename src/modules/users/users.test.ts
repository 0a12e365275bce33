import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { ensurePemda } from '../../core/tenancy.ts';
import { DEMO_PASSWORD } from '../../core/seed.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

async function apiLogin(username: string, password = DEMO_PASSWORD, pemdaId = t.pemdaId) {
  return t.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { pemda_id: pemdaId, username, password },
  });
}

test('log in through the API sets an HttpOnly SameSite session cookie; /api/v1/me answers', async () => {
  const res = await apiLogin('admin');
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.cookies.find((c) => c.name === 'padu_session');
  assert.ok(cookie);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  const me = await t.server.inject({ method: 'GET', url: '/api/v1/me', cookies: { padu_session: cookie.value } });
  assert.equal(me.statusCode, 200);
  assert.equal(json(me).user.username, 'admin');
  assert.ok(json(me).permissions.includes('users.manage'));
});

test('a wrong password is a 401 with a translated message; the session store holds no secret', async () => {
  const res = await apiLogin('admin', 'wrong-password');
  assert.equal(res.statusCode, 401);
  assert.match(json(res).message, /salah/);
  const en = await t.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'accept-language': 'en' },
    payload: { pemda_id: t.pemdaId, username: 'admin', password: 'x' },
  });
  assert.match(json(en).message, /Wrong username or password/);
});

test('log-in attempts are rate-limited per user (counters in the database)', async () => {
  let last = 0;
  for (let i = 0; i < t.config.loginMaxAttempts + 1; i++) last = (await apiLogin('dprd', 'nope')).statusCode;
  assert.equal(last, 429);
  // even the right password is refused while the window lasts
  assert.equal((await apiLogin('dprd')).statusCode, 429);
});

test('the log-in form works without JavaScript and needs its CSRF token', async () => {
  const page = await t.server.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 200);
  const pre = page.cookies.find((c) => c.name === 'padu_csrf')!.value;
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const form = (extra: string) => `pemda_id=${t.pemdaId}&username=bappeda&password=${DEMO_PASSWORD}&next=%2F${extra}`;
  const noToken = await t.server.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    cookies: { padu_csrf: pre },
    payload: form(''),
  });
  assert.equal(noToken.statusCode, 403);
  const ok = await t.server.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    cookies: { padu_csrf: pre },
    payload: form(`&_csrf=${token}`),
  });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/');
  const session = ok.cookies.find((c) => c.name === 'padu_session')!.value;
  const home = await t.server.inject({
    method: 'GET',
    url: '/',
    headers: { accept: 'text/html' },
    cookies: { padu_session: session },
  });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /Perencana Bappeda/);
});

test('session-authenticated writes without the CSRF token are refused', async () => {
  const s = await t.session('admin');
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { cookie: s.headers.cookie! },
    payload: { username: 'x.y', password: 'kopi susu gula aren', full_name: 'X', role: 'dprd' },
  });
  assert.equal(res.statusCode, 403);
  assert.equal(json(res).error, 'csrf');
});

test('every demo role sees its own home page', async () => {
  const roles: Array<[string, string]> = [
    ['admin', 'admin'],
    ['bappeda', 'bappeda'],
    ['tapd', 'tapd'],
    ['tim_data', 'tim_data'],
    ['dprd', 'dprd'],
    ['inspektorat', 'inspektorat'],
    ['cc_operator', 'cc_operator'],
    ['dinkes.operator', 'opd_operator'],
    ['dinkes.head', 'opd_head'],
    ['dinkes.unit', 'cc_unit'],
    ['kecamatan', 'kecamatan'],
    ['kelurahan', 'kelurahan'],
  ];
  for (const [username, role] of roles) {
    const s = await t.session(username);
    const home = await t.server.inject({ method: 'GET', url: '/', headers: { ...s.headers, accept: 'text/html' } });
    assert.equal(home.statusCode, 200, username);
    assert.ok(home.body.includes(`class="home role-${role}"`), `${username} gets the ${role} home page`);
  }
  const op = await t.session('dinkes.operator');
  const home = await t.server.inject({ method: 'GET', url: '/', headers: { ...op.headers, accept: 'text/html' } });
  assert.ok(!home.body.includes('href="/users"'), 'an OPD operator is not offered user administration');
  assert.ok(!home.body.includes('href="/audit"'));
});

test('anonymous page requests redirect to the log-in page; API requests get 401', async () => {
  const page = await t.server.inject({ method: 'GET', url: '/users', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 302);
  assert.match(page.headers.location as string, /^\/login\?next=/);
  const api = await t.server.inject({ method: 'GET', url: '/api/v1/users' });
  assert.equal(api.statusCode, 401);
});

test('user administration: admin creates, others get 403, bad input names the field', async () => {
  const admin = await t.as('admin');
  const bad = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: admin,
    payload: { username: 'Bad Name!', password: 'short', full_name: 'Z', role: 'opd_operator' },
  });
  assert.equal(bad.statusCode, 400);
  const fields = json(bad).fields.map((f: { field: string }) => f.field);
  assert.ok(fields.includes('username') && fields.includes('password'), JSON.stringify(json(bad)));

  const noOpd = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: admin,
    payload: { username: 'new.op', password: 'kopi susu gula aren', full_name: 'New Operator', role: 'opd_operator' },
  });
  assert.equal(noOpd.statusCode, 400);
  assert.equal(json(noOpd).fields[0].field, 'opd_id');

  const created = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: admin,
    payload: { username: 'anggota2', password: 'kopi susu gula aren', full_name: 'Anggota Dua', role: 'dprd' },
  });
  assert.equal(created.statusCode, 201, created.body);

  const forbidden = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: await t.as('tapd'),
    payload: { username: 'x2', password: 'kopi susu gula aren', full_name: 'X', role: 'dprd' },
  });
  assert.equal(forbidden.statusCode, 403);
});

test('a stale user update answers 409; deactivation ends sessions and tokens', async () => {
  const admin = await t.as('admin');
  const list = json(await t.server.inject({ method: 'GET', url: '/api/v1/users?q=anggota2', headers: admin }));
  const u = list.rows[0];
  const ok = await t.server.inject({
    method: 'PATCH',
    url: `/api/v1/users/${u.id}`,
    headers: admin,
    payload: { version: u.version, full_name: 'Anggota Dua Baru' },
  });
  assert.equal(ok.statusCode, 200);
  const stale = await t.server.inject({
    method: 'PATCH',
    url: `/api/v1/users/${u.id}`,
    headers: admin,
    payload: { version: u.version, full_name: 'Lost update' },
  });
  assert.equal(stale.statusCode, 409);
  // the stale write is lost, the first one kept
  const now = json(await t.server.inject({ method: 'GET', url: `/api/v1/users/${u.id}`, headers: admin }));
  assert.equal(now.full_name, 'Anggota Dua Baru');
  assert.equal(now.version, u.version + 1);

  const tok = json(
    await t.server.inject({
      method: 'POST',
      url: `/api/v1/users/${u.id}/tokens`,
      headers: admin,
      payload: { name: 'robot' },
    }),
  ).token;
  assert.equal(
    (await t.server.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${tok}` } }))
      .statusCode,
    200,
  );
  await t.server.inject({
    method: 'PATCH',
    url: `/api/v1/users/${u.id}`,
    headers: admin,
    payload: { version: u.version + 1, active: false },
  });
  assert.equal(
    (await t.server.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${tok}` } }))
      .statusCode,
    401,
  );
});

test('a user of one Pemda cannot use its credentials against another Pemda', async () => {
  const other = await ensurePemda(t.db, {
    code: '63.06',
    name: 'Kabupaten Hulu Sungai Selatan',
    kind: 'kabupaten',
    province: 'Kalimantan Selatan',
  });
  // the demo admin's username does not exist in the other Pemda
  assert.equal((await apiLogin('admin', DEMO_PASSWORD, other.id)).statusCode, 401);
  // and the admin's users list never shows another Pemda's users
  const rows = json(
    await t.server.inject({ method: 'GET', url: '/api/v1/users?limit=500', headers: await t.as('admin') }),
  ).rows;
  assert.ok(rows.length > 90);
});
