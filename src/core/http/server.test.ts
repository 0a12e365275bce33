import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, usingPostgres, type TestContext } from '../../testing/harness.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

test('GET /healthz reports the database kind', async () => {
  const res = await t.server.inject({ method: 'GET', url: '/healthz' });
  assert.equal(res.statusCode, 200);
  assert.equal(json(res).status, 'ok');
  assert.equal(json(res).database, usingPostgres ? 'postgresql' : 'pglite');
});

test('/openapi.json describes every API route', async () => {
  const doc = json(await t.server.inject({ method: 'GET', url: '/openapi.json' }));
  assert.match(doc.openapi, /^3\./);
  const documented = new Set<string>();
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`);
  }
  const api = t.server.paduRoutes.filter((r) => r.url.startsWith('/api/'));
  assert.ok(api.length > 10, 'there are API routes');
  const missing = api
    .filter((r) => !documented.has(`${r.method} ${r.url}`))
    .map((r) => `${r.method} ${r.url}${r.hidden ? ' (hidden)' : ''}`);
  assert.deepEqual(missing, []);
  const docs = await t.server.inject({ method: 'GET', url: '/docs/' });
  assert.ok(docs.statusCode === 200 || docs.statusCode === 302);
});

interface Operation {
  operationId?: string;
  summary?: string;
  responses?: Record<string, unknown>;
  security?: unknown[];
}

test('OpenAPI: every operation has a unique stable operationId, a summary and its error responses', async () => {
  const doc = json(await t.server.inject({ method: 'GET', url: '/openapi.json' }));
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.servers?.length, 'servers are listed');
  assert.ok(doc.components.schemas.Error, 'one shared error schema');
  const ids = new Set<string>();
  const problems: string[] = [];
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [m, op] of Object.entries(ops)) {
      const name = `${m.toUpperCase()} ${p}`;
      if (!op.operationId || ids.has(op.operationId)) problems.push(`${name}: operationId ${op.operationId}`);
      if (op.operationId) ids.add(op.operationId);
      if (!op.summary) problems.push(`${name}: no summary`);
      const codes = Object.keys(op.responses ?? {});
      if (!codes.some((c) => /^4\d\d$/.test(c))) problems.push(`${name}: no 4xx response`);
      if (p.includes('{') && !codes.includes('404')) problems.push(`${name}: no 404`);
      if (op.security?.length !== 0 && !(codes.includes('401') && codes.includes('403')))
        problems.push(`${name}: authenticated, without 401/403`);
    }
  }
  assert.deepEqual(problems, []);
  // derived from method and path, so stable across releases
  assert.equal(doc.paths['/api/v1/users/{id}']?.get?.operationId, 'getUsersById');
  // no OpenAPI 3.0 "nullable" left (3.1 uses type unions)
  assert.doesNotMatch(JSON.stringify(doc), /"nullable":/);
});

test('security headers: CSP, no sniffing, no framing', async () => {
  const res = await t.server.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html' } });
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
});

test('unknown routes: JSON 404 for the API, a page for browsers', async () => {
  const api = await t.server.inject({ method: 'GET', url: '/api/v1/nothing-here' });
  assert.equal(api.statusCode, 404);
  assert.equal(json(api).error, 'not_found');
  const page = await t.server.inject({ method: 'GET', url: '/nothing-here', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 404);
  assert.match(page.body, /<html/);
});

test('an expired session is refused and its cookie cleared', async () => {
  const s = await t.session('tapd');
  assert.equal((await t.server.inject({ method: 'GET', url: '/api/v1/me', headers: s.headers })).statusCode, 200);
  await sql`UPDATE usr_session SET expires_at = now() - interval '1 minute'`.execute(t.db);
  const res = await t.server.inject({ method: 'GET', url: '/api/v1/me', headers: s.headers });
  assert.equal(res.statusCode, 401);
  assert.ok(String(res.headers['set-cookie']).includes('padu_session=;'));
});

test('bad JSON input is a 400 naming the field, in Indonesian by default and in English on request', async () => {
  const h = await t.as('admin');
  const id = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: h,
    payload: { username: 'abc', password: 'kopi susu gula aren', full_name: 'A', role: 'raja' },
  });
  assert.equal(id.statusCode, 400);
  const f = json(id).fields.find((x: { field: string }) => x.field === 'role');
  assert.ok(f, JSON.stringify(json(id)));
  assert.match(json(id).message, /tidak valid/);
  const en = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { ...h, 'accept-language': 'en' },
    payload: { username: 'abc', password: 'kopi susu gula aren', full_name: 'A', role: 'raja' },
  });
  assert.match(json(en).message, /not valid/);
});

test('compression: large pages are sent gzip/brotli-encoded', async () => {
  const s = await t.session('admin');
  const res = await t.server.inject({
    method: 'GET',
    url: '/users',
    headers: { ...s.headers, accept: 'text/html', 'accept-encoding': 'gzip' },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-encoding'], 'gzip');
});
