// The authorisation matrix (issue #10, hostile-input suite), generated from the route table: every
// route × anonymous / every role / another OPD / another Pemda. The expected outcome is what each
// route declares next to itself (config.auth: 'public', or a permission and an OPD scope):
//  - anonymous callers get no 2xx from a route that is not public;
//  - a role without the route's permission gets a 403;
//  - an OPD-scoped role acting on another OPD's sub kegiatan / OPD gets no 2xx;
//  - the admin of a second Pemda gets no 2xx from a route addressing the first Pemda's records.
// Requests that would be allowed are not sent (nothing is written); no response may be a 5xx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteAuth } from '../core/auth/auth.ts';
import { ensurePemda } from '../core/tenancy.ts';
import { isOpdScoped, ROLES, type Role } from '../core/roles.ts';
import { testApp, type TestContext } from '../testing/harness.ts';
import { createApiToken, createUser } from '../modules/users/index.ts';
import { openStage, opdIdOf, subsOf } from '../modules/budgeting/testing.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
  await createUser(t.db, t.server.registry.system(t.pemdaId, 'test'), {
    username: 'platform',
    password: 'kopi susu gula aren',
    full_name: 'Operator Platform',
    role: 'platform_admin',
  });
});
const roleHas = (role: Role, permission: string) => t.server.registry.permissions.roleHas(role, permission);
after(async () => t?.close());

const DEMO_USER: Record<Role, string> = {
  admin: 'admin',
  bappeda: 'bappeda',
  tapd: 'tapd',
  opd_operator: 'diskominfo.operator',
  opd_head: 'diskominfo.head',
  dprd: 'dprd',
  inspektorat: 'inspektorat',
  tim_data: 'tim_data',
  cc_operator: 'cc_operator',
  cc_unit: 'diskominfo.unit',
  kecamatan: 'kecamatan',
  kelurahan: 'kelurahan',
  platform_admin: 'platform',
};

interface Route {
  method: string;
  url: string;
  auth?: RouteAuth;
}

function routes(): Route[] {
  const seen = new Set<string>();
  return t.server.paduRoutes.filter((r) => {
    const key = `${r.method} ${r.url}`;
    if (seen.has(key) || r.url.includes('*') || r.url.startsWith('/docs') || r.url.startsWith('/static')) return false;
    seen.add(key);
    return true;
  });
}

const fill = (url: string, values: Record<string, string> = {}) =>
  url.replace(
    /:(\w+)/g,
    (_, name: string) => values[name] ?? (/year/i.test(name) ? '2027' : /code/i.test(name) ? '99' : '1'),
  );

/** A JSON body holding nothing but empty lists, e.g. {"rows":[]}. */
function onlyEmptyLists(body: string): boolean {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    return Object.values(v).every((x) => Array.isArray(x) && x.length === 0);
  } catch {
    return false;
  }
}

async function call(method: string, url: string, headers: Record<string, string>) {
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  return t.server.inject({
    method: method as 'GET',
    url,
    headers: { ...headers, ...(unsafe ? { 'content-type': 'application/json' } : {}) },
    ...(unsafe ? { payload: '{}' } : {}),
  });
}

test('the route table is complete: every route declares its authorisation', () => {
  const rs = routes();
  assert.ok(rs.length > 150, `${rs.length} routes`);
  const undeclared = rs.filter((r) => !r.auth && r.url !== '/openapi.json' && r.url !== '/healthz');
  assert.deepEqual(
    undeclared.map((r) => `${r.method} ${r.url}`),
    [],
  );
});

test('anonymous: no 2xx and no 5xx from any route that is not public', async () => {
  const bad: string[] = [];
  let n = 0;
  for (const r of routes()) {
    if (!r.auth || r.auth === 'public') continue;
    for (const accept of ['application/json', 'text/html']) {
      const res = await call(r.method, fill(r.url), { accept });
      n++;
      if (res.statusCode < 300 || res.statusCode >= 500)
        bad.push(`${r.method} ${r.url} (${accept}) → ${res.statusCode}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(n > 300, `${n} requests`);
});

test('every role × every route it lacks the permission of: 403', async () => {
  const bad: string[] = [];
  let n = 0;
  for (const role of ROLES) {
    const headers = await t.as(DEMO_USER[role]);
    for (const r of routes()) {
      if (!r.auth || r.auth === 'public' || roleHas(role, r.auth.permission)) continue;
      const res = await call(r.method, fill(r.url), headers);
      n++;
      if (res.statusCode !== 403) bad.push(`${role} ${r.method} ${r.url} → ${res.statusCode}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(n > 500, `${n} requests`);
});

test("OPD-scoped roles on another OPD's sub kegiatan and OPD: no 2xx, no 5xx", async () => {
  const stage = await openStage(t);
  const dinkes = await opdIdOf(t, 'dinkes');
  const theirSub = (await subsOf(t, stage.id, dinkes))[0]!;
  const values = { opdId: String(dinkes), stageId: String(stage.id) };
  const bad: string[] = [];
  let n = 0;
  for (const role of ROLES.filter(isOpdScoped)) {
    const headers = await t.as(DEMO_USER[role]);
    for (const r of routes()) {
      if (!r.auth || r.auth === 'public' || !r.auth.opd) continue;
      if (!roleHas(role, r.auth.permission)) continue;
      const url = r.url.includes('/sub-kegiatan/:id')
        ? fill(r.url, { ...values, id: String(theirSub.id) })
        : r.url.includes(':opdId')
          ? fill(r.url, values)
          : null;
      if (!url) continue;
      const res = await call(r.method, url, headers);
      n++;
      if (res.statusCode < 300 || res.statusCode >= 500) bad.push(`${role} ${r.method} ${url} → ${res.statusCode}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(n > 20, `${n} requests`);
});

test("the admin of another Pemda reaches none of the first Pemda's records by id", async () => {
  const other = await ensurePemda(t.db, { code: '98.02', name: 'Kota Lain', kind: 'kota' });
  await createUser(
    t.db,
    t.server.registry.system(other.id, 'test'),
    { username: 'admin', password: 'x', full_name: 'Admin Kota Lain', role: 'admin' },
    { demo: true },
  );
  const headers = { authorization: `Bearer ${await createApiToken(t.db, other.id, 'admin', 'matrix')}` };
  const stage = await openStage(t);
  const dinkes = await opdIdOf(t, 'dinkes');
  const sub = (await subsOf(t, stage.id, dinkes))[0]!;
  const values = { opdId: String(dinkes), stageId: String(stage.id) };
  const bad: string[] = [];
  let n = 0;
  for (const r of routes()) {
    if (r.method !== 'GET' || !r.auth || r.auth === 'public') continue;
    if (!roleHas('admin', r.auth.permission)) continue;
    const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    // only routes addressing a record by id (a year or a code names nothing of the first Pemda)
    if (!params.some((p) => /id$/i.test(p))) continue;
    const url = fill(r.url, r.url.includes('/sub-kegiatan/:id') ? { ...values, id: String(sub.id) } : values);
    const res = await call('GET', url, { ...headers, accept: 'application/json' });
    n++;
    // a list filtered by the caller's Pemda may answer 200 with nothing in it (no record leaks)
    if ((res.statusCode < 300 && !onlyEmptyLists(res.body)) || res.statusCode >= 500)
      bad.push(`${r.method} ${url} → ${res.statusCode} ${res.body.slice(0, 120)}`);
  }
  assert.deepEqual(bad, []);
  assert.ok(n > 30, `${n} requests`);
});
