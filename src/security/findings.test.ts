// Issue #10 findings 7, 8, 9, 11, 12, 14 and 16, each as an attacker would try it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../testing/harness.ts';
import { DEMO_PASSWORD } from '../core/seed.ts';
import { openStage, opdIdOf, subsOf } from '../modules/budgeting/testing.ts';
import { safeNext } from '../modules/users/index.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const auditCount = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM core_audit_log`.execute(t.db)).rows[0]!.n);

test('7. /login?next= goes to same-site paths only; CR/LF is a 400, never a 500', async () => {
  for (const evil of [
    '//evil.example',
    '/\\evil.example',
    '/\t/evil.example/phish',
    '/\n/evil.example',
    'https://evil.example',
    '/%09/evil.example'.replace('%09', '\t'),
    ' /x',
    '/ok\\..\\evil',
  ])
    assert.equal(safeNext(evil), '/', JSON.stringify(evil));
  assert.equal(safeNext('/budget/stages/1?x=1#a'), '/budget/stages/1?x=1#a');
  const s = await t.session('bappeda');
  const tab = await t.server.inject({
    method: 'GET',
    url: '/login?next=/%09/evil.example/phish',
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.ok([302, 400].includes(tab.statusCode), String(tab.statusCode));
  if (tab.statusCode === 302) assert.equal(tab.headers.location, '/');
  const crlf = await t.server.inject({
    method: 'GET',
    url: '/login?next=/x%0d%0aSet-Cookie:%20a=b',
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(crlf.statusCode, 400);
  // the form post: the next path is checked again
  const page = await t.server.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html' } });
  const pre = page.cookies.find((c) => c.name === 'padu_csrf')!.value;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const post = await t.server.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    cookies: { padu_csrf: pre },
    payload: new URLSearchParams({
      pemda_id: String(t.pemdaId),
      username: 'bappeda',
      password: DEMO_PASSWORD,
      next: '/\\evil.example',
      _csrf: csrf,
    }).toString(),
  });
  assert.equal(post.statusCode, 303);
  assert.equal(post.headers.location, '/');
});

test('8. a NUL byte or control character in any text field is a 400 naming the field', async () => {
  const admin = await t.as('admin');
  const tapd = await t.as('tapd'); // (creating a test token is itself audited)
  const before = await auditCount();
  const user = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: admin,
    payload: { username: 'nul.user', password: 'tj8#Lw2q-Vz9m', full_name: 'A\u0000B', role: 'dprd' },
  });
  assert.equal(user.statusCode, 400, user.body);
  assert.deepEqual(
    json(user).fields.map((f: { field: string }) => f.field),
    ['full_name'],
  );
  const nested = await t.server.inject({
    method: 'POST',
    url: '/api/v1/budget/notifications/read',
    headers: tapd,
    payload: { ids: ['1\u0007'] },
  });
  assert.equal(nested.statusCode, 400);
  assert.equal(json(nested).fields[0].field, 'ids.0');
  const query = await t.server.inject({ method: 'GET', url: '/api/v1/users?q=a%00b', headers: admin });
  assert.equal(query.statusCode, 400);
  assert.equal(json(query).fields[0].field, 'q');
  // the anonymous form too (before, a 500)
  const page = await t.server.inject({ method: 'GET', url: '/usulan', headers: { accept: 'text/html' } });
  const pre = page.cookies.find((c) => c.name === 'padu_csrf')!.value;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const form = await t.server.inject({
    method: 'POST',
    url: '/usulan',
    remoteAddress: '192.0.2.200',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    cookies: { padu_csrf: pre },
    payload: new URLSearchParams({ title: 'x\u0000', _csrf: csrf }).toString(),
  });
  assert.equal(form.statusCode, 400);
  // tabs and new lines in a text area stay allowed
  assert.equal(await auditCount(), before);
});

test("9. travel preview with another OPD's travel_id reveals nothing (400 on travel_id)", async () => {
  const stage = await openStage(t);
  const own = (await subsOf(t, stage.id, await opdIdOf(t, 'diskominfo'))).find((s) => s.status === 'draft')!;
  const theirs = (await subsOf(t, stage.id, await opdIdOf(t, 'dinkes'))).find((s) => s.status === 'draft')!;
  const trip = {
    description: 'Rapat koordinasi',
    persons: 2,
    days: 2,
    province: 'Jawa Timur',
    travel_kind: 'luar_kota',
    transport: 'pesawat',
    grade: 'gol_1_2_3',
  };
  const made = await t.server.inject({
    method: 'POST',
    url: `/api/v1/budget/sub-kegiatan/${theirs.id}/travel`,
    headers: await t.as('dinkes.operator'),
    payload: trip,
  });
  assert.equal(made.statusCode, 201, made.body);
  const spy = await t.server.inject({
    method: 'POST',
    url: `/api/v1/budget/sub-kegiatan/${own.id}/travel/preview`,
    headers: await t.as('diskominfo.operator'),
    payload: { ...trip, travel_id: json(made).id },
  });
  assert.equal(spy.statusCode, 400, spy.body);
  assert.equal(json(spy).fields[0].field, 'travel_id');
  assert.ok(!('remaining_before' in json(spy)));
});

test('11. API tokens expire, record their last use (at most once a minute), and are listed and revoked by owner and admin', async () => {
  const admin = await t.as('admin');
  const dprdId = json(await t.server.inject({ method: 'GET', url: '/api/v1/users?q=dprd', headers: admin })).rows.find(
    (u: { username: string }) => u.username === 'dprd',
  ).id;
  const mk = async (name: string, days?: number) =>
    json(
      await t.server.inject({
        method: 'POST',
        url: `/api/v1/users/${dprdId}/tokens`,
        headers: admin,
        payload: { name, ...(days ? { expires_in_days: days } : {}) },
      }),
    ).token as string;
  const tokA = await mk('laporan', 30);
  const tokB = await mk('dasbor');
  const me = (tok: string) =>
    t.server.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: { authorization: `Bearer ${tok}` } });
  const first = await me(tokA);
  assert.equal(first.statusCode, 200);
  const rows = json(first).rows as Array<{
    id: number;
    name: string;
    last_used_at: string | null;
    expires_at: string;
    state: string;
  }>;
  const a = rows.find((r) => r.name === 'laporan')!;
  const b = rows.find((r) => r.name === 'dasbor')!;
  assert.ok(a.last_used_at, 'last use written');
  assert.equal(b.last_used_at, null);
  const days = (Date.parse(a.expires_at) - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30, String(days));
  // the secret is everything after padu_<pemda>_ (base64url: it may itself hold '_')
  assert.ok(!JSON.stringify(rows).includes(tokA.replace(/^padu_\d+_/, '')), 'never the secret');
  // a second use within the minute does not write
  const stamp = a.last_used_at;
  await me(tokA);
  const again = (json(await me(tokA)).rows as typeof rows).find((r) => r.name === 'laporan')!;
  assert.equal(again.last_used_at, stamp);
  // the owner revokes B (signed in with A); B no longer works
  const rev = await t.server.inject({
    method: 'DELETE',
    url: `/api/v1/me/tokens/${b.id}`,
    headers: { authorization: `Bearer ${tokA}` },
  });
  assert.equal(rev.statusCode, 200, rev.body);
  assert.equal(json(rev).state, 'revoked');
  assert.equal((await me(tokB)).statusCode, 401);
  // another user cannot revoke it (404), the admin can
  const other = await t.server.inject({
    method: 'DELETE',
    url: `/api/v1/me/tokens/${a.id}`,
    headers: await t.as('tapd'),
  });
  assert.equal(other.statusCode, 404);
  const listed = await t.server.inject({ method: 'GET', url: `/api/v1/users/${dprdId}/tokens`, headers: admin });
  assert.ok((json(listed).rows as typeof rows).some((r) => r.id === a.id));
  assert.equal(
    (await t.server.inject({ method: 'DELETE', url: `/api/v1/users/${dprdId}/tokens/${a.id}`, headers: admin }))
      .statusCode,
    200,
  );
  assert.equal((await me(tokA)).statusCode, 401);
  // an expired token is refused
  const tokC = await mk('kedaluwarsa');
  await sql`UPDATE usr_api_token SET expires_at = now() - interval '1 minute' WHERE name = 'kedaluwarsa'`.execute(t.db);
  assert.equal((await me(tokC)).statusCode, 401);
  // revocations are audited
  const audited = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM core_audit_log WHERE entity = 'api_token' AND action = 'revoke'`.execute(t.db);
  assert.equal(Number(audited.rows[0]!.n), 2);
  // the page of one's tokens
  const s = await t.session('dprd');
  const page = await t.server.inject({ method: 'GET', url: '/tokens', headers: { ...s.headers, accept: 'text/html' } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /laporan/);
  assert.match(page.body, /dicabut/);
});

test('12. marking notifications read writes an audit record', async () => {
  let user = '';
  for (const u of ['tapd', 'dinkes.head', 'dinkes.operator', 'bappeda', 'diskominfo.head', 'disdik.head']) {
    const r = await t.server.inject({
      method: 'GET',
      url: '/api/v1/budget/notifications?unread=true',
      headers: await t.as(u),
    });
    if (r.statusCode === 200 && json(r).unread > 0) {
      user = u;
      break;
    }
  }
  assert.ok(user, 'a demo user with unread notifications');
  const before = await auditCount();
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/budget/notifications/read',
    headers: await t.as(user),
    payload: {},
  });
  assert.equal(res.statusCode, 200);
  assert.ok(json(res).marked > 0);
  assert.equal(await auditCount(), before + 1);
  const last = await sql<{
    entity: string;
    action: string;
  }>`SELECT entity, action FROM core_audit_log ORDER BY seq DESC LIMIT 1`.execute(t.db);
  assert.deepEqual(last.rows[0], { entity: 'notification', action: 'read' });
});

test("14. public tracking hides a Renja's pagu while the Renja is not approved", async () => {
  const r = await sql<{ tracking_code: string; renja_id: number }>`
    SELECT p.tracking_code, i.renja_id FROM pln_proposal p
    JOIN pln_renja_item i ON i.pemda_id = p.pemda_id AND i.id = p.renja_item_id
    WHERE p.pemda_id = ${t.pemdaId} AND p.kind = 'musrenbang' ORDER BY p.id LIMIT 1`.execute(t.db);
  assert.ok(r.rows.length, 'a demo proposal in a Renja');
  const { tracking_code: code, renja_id: renjaId } = r.rows[0]!;
  const track = async () => {
    const res = await t.server.inject({
      method: 'GET',
      url: `/api/v1/public/proposals/${code}`,
      remoteAddress: '192.0.2.99',
    });
    assert.equal(res.statusCode, 200, res.body);
    return json(res).proposal.renja as { status: string; pagu: string | null };
  };
  await sql`UPDATE pln_renja SET status = 'draft' WHERE pemda_id = ${t.pemdaId} AND id = ${renjaId}`.execute(t.db);
  assert.equal((await track()).pagu, null);
  const page = await t.server.inject({
    method: 'GET',
    url: `/lacak?kode=${code}`,
    headers: { accept: 'text/html' },
    remoteAddress: '192.0.2.98',
  });
  assert.doesNotMatch(/class="track-renja">([^<]*)</.exec(page.body)?.[1] ?? '', /Rp/);
  await sql`UPDATE pln_renja SET status = 'approved' WHERE pemda_id = ${t.pemdaId} AND id = ${renjaId}`.execute(t.db);
  assert.match(String((await track()).pagu), /^\d+$/);
});

/** Does `version` (x.y.z) satisfy an npm engines range made of ||, >=, ^, ~, x.y.z and bare majors? */
function satisfies(version: string, range: string): boolean {
  const [M, m, p] = version.split('.').map(Number) as [number, number, number];
  const cmp = (v: number[]) => M - v[0]! || m - (v[1] ?? 0) || p - (v[2] ?? 0);
  return range.split('||').some((alt) =>
    alt
      .replace(/(>=|<=|>|<|\^|~)\s+/g, '$1')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .every((c) => {
        const mm = /^(>=|>|<=|<|\^|~)?v?(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(c);
        if (!mm) return true;
        const v = [Number(mm[2]), Number(mm[3] ?? 0) || 0, Number(mm[4] ?? 0) || 0];
        switch (mm[1]) {
          case '>=':
            return cmp(v) >= 0;
          case '>':
            return cmp(v) > 0;
          case '<=':
            return cmp(v) <= 0;
          case '<':
            return cmp(v) < 0;
          case '^':
          case '~':
            return M === v[0] && cmp(v) >= 0;
          default:
            return M === v[0] && (mm[3] === undefined || mm[3] === 'x' || m === v[1]);
        }
      }),
  );
}

test('16. every production dependency declares support for the Node version Padu promises', () => {
  const root = new URL('../../', import.meta.url);
  const pkg = JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8'));
  const min = /(\d+\.\d+(?:\.\d+)?)/.exec(pkg.engines.node)![1]!.split('.').concat('0').slice(0, 3).join('.');
  assert.equal(min, '20.11.0');
  const lock = JSON.parse(fs.readFileSync(new URL('package-lock.json', root), 'utf8'));
  const bad = Object.entries(
    lock.packages as Record<string, { dev?: boolean; version: string; engines?: { node?: string } }>,
  )
    .filter(([k, v]) => k && !v.dev && v.engines?.node && !satisfies(min, v.engines.node))
    .map(([k, v]) => `${k}@${v.version} (node ${v.engines!.node})`);
  assert.deepEqual(bad, []);
  assert.ok(satisfies('20.11.0', '18 || 20 || >=22') && !satisfies('20.11.0', '>=22'));
});
