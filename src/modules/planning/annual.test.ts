// RKPD and Renja: the surface the RKA uses (approved Renja items, RKPD indicative ceilings), the
// consistency checks (run on demand and before verification/approval), the Renja workflow and who
// may do what, optimistic versions, the RKPD approval.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listOpds, seedFiscalYear } from '../master-data/index.ts';
import { systemPrincipal } from '../../core/roles.ts';
import { getApprovedRenjaItem, listApprovedRenjaItems, rkpdIndicativeCeilings } from './index.ts';

let t: TestContext;
let opd: Record<string, number> = {};
before(async () => {
  t = await testApp();
  // 2029: a year of the demo RPJMD/Renstra that the demo leaves empty (2026 is the executed year with
  // its approved Renja, 2027 the budget year, 2028 the running Musrenbang); it gets its nomenclature
  await seedFiscalYear(
    { db: t.db, pemdaId: t.pemdaId, actor: systemPrincipal(t.server.registry.permissions, t.pemdaId) },
    2029,
  );
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
});
after(async () => t?.close());

const api = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => t.server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

test('the RKA refuses a sub kegiatan that is not in the OPD’s approved Renja: getApprovedRenjaItem', async () => {
  // in Dinas Kesehatan's approved Renja 2027: carried over with target, unit and pagu
  const ref = await getApprovedRenjaItem(t.db, t.pemdaId, 2027, opd.dinkes!, '1.02.02.2.01.0002');
  assert.ok(ref);
  assert.equal(ref.opdId, opd.dinkes);
  assert.equal(ref.year, 2027);
  assert.match(ref.paguIndikatif, /^\d+$/);
  assert.ok(BigInt(ref.paguIndikatif) > 0n);
  assert.ok(ref.target && ref.unit);
  assert.ok(ref.fundingSourceCode);
  // a sub kegiatan of another OPD, of no OPD, of another year: refused (undefined)
  assert.equal(await getApprovedRenjaItem(t.db, t.pemdaId, 2027, opd.dinkes!, '1.03.10.2.01.0051'), undefined);
  assert.equal(await getApprovedRenjaItem(t.db, t.pemdaId, 2027, opd.dinkes!, '1.02.99.2.01.0001'), undefined);
  assert.equal(await getApprovedRenjaItem(t.db, t.pemdaId, 2028, opd.dinkes!, '1.02.02.2.01.0002'), undefined);
  // another Pemda never sees it
  assert.equal(await getApprovedRenjaItem(t.db, t.pemdaId + 1000, 2027, opd.dinkes!, '1.02.02.2.01.0002'), undefined);
  // every OPD's approved Renja holds every sub kegiatan it carries (the budgeting demo draws from them)
  const all = await listApprovedRenjaItems(t.db, t.pemdaId, 2027);
  const dinkes = await listApprovedRenjaItems(t.db, t.pemdaId, 2027, opd.dinkes);
  assert.ok(all.length > 1000);
  assert.ok(dinkes.length >= 30 && dinkes.every((i) => i.opdId === opd.dinkes));
  assert.ok(
    dinkes.some((i) => i.subKegiatanCode === '1.02.01.2.02.0001'),
    'the support program of its bidang',
  );
  const opds = new Set(all.map((i) => i.opdId));
  assert.ok(opds.size >= 40);
});

test('rkpdIndicativeCeilings: the approved RKPD’s ceilings per OPD and sub kegiatan; none before approval', async () => {
  const c = await rkpdIndicativeCeilings(t.db, t.pemdaId, 2027);
  assert.ok(c.length > 1000);
  const one = c.find((x) => x.opdId === opd.dpupr && x.subKegiatanCode === '1.03.10.2.01.0051')!;
  assert.ok(one);
  assert.match(one.paguIndikatif, /^\d+$/);
  assert.equal(one.fundingSourceCode, 'DAK-FISIK');
  // per OPD, the sub kegiatan fit the OPD's indicative ceiling in the RKPD
  const ov = json(await api('GET', '/api/v1/planning/rkpd/2027', await t.as('tapd')));
  for (const o of ov.opds as Array<{ opd_id: number; ceiling: string; renja_total: string }>) {
    const sum = c.filter((x) => x.opdId === o.opd_id).reduce((s, x) => s + BigInt(x.paguIndikatif), 0n);
    assert.ok(sum <= BigInt(o.ceiling), `OPD ${o.opd_id}`);
  }
  assert.deepEqual(await rkpdIndicativeCeilings(t.db, t.pemdaId, 2028), []);
});

test('Renja workflow with consistency checks; OPD scope; approval only by Bappeda; RKPD approval', async () => {
  const bappeda = await t.as('bappeda');
  const op = await t.as('dishub.operator');
  const head = await t.as('dishub.head');
  // another OPD cannot create or edit dishub's Renja
  assert.equal(
    (await api('POST', '/api/v1/planning/renja', await t.as('dinkes.operator'), { year: 2029, opd_id: opd.dishub }))
      .statusCode,
    403,
  );
  let r = await api('POST', '/api/v1/planning/renja', op, { year: 2029, opd_id: opd.dishub });
  assert.equal(r.statusCode, 201, r.body);
  const renja = json(r);
  assert.equal((await api('POST', '/api/v1/planning/renja', op, { year: 2029, opd_id: opd.dishub })).statusCode, 409);
  // an empty Renja and no RKPD: the checks say so
  let checks = json(await api('GET', `/api/v1/planning/renja/${renja.id}/checks`, op));
  assert.equal(checks.ok, false);
  assert.deepEqual(checks.checks.map((c: { code: string }) => c.code).sort(), ['empty', 'no_rkpd']);
  // take the Renstra's sub kegiatan (targets and ceilings of 2029)
  r = await api('POST', `/api/v1/planning/renja/${renja.id}/from-renstra`, op);
  assert.equal(r.statusCode, 200, r.body);
  assert.ok(json(r).added >= 20);
  assert.equal(
    (await api('POST', `/api/v1/planning/renja/${renja.id}/from-renstra`, await t.as('dinkes.operator'))).statusCode,
    403,
  );
  const detail = json(await api('GET', `/api/v1/planning/renja/${renja.id}`, op));
  const item = detail.items.find((i: { sub_kegiatan_code: string }) => i.sub_kegiatan_code === '2.15.02.2.02.0002');
  assert.ok(item.target && item.unit && BigInt(item.pagu) > 0n && item.renstra_node_id, 'taken from the Renstra');
  // a sub kegiatan of a bidang dishub does not carry is refused; a duplicate too
  const foreign = await api('POST', `/api/v1/planning/renja/${renja.id}/items`, op, {
    sub_kegiatan_code: '1.03.10.2.01.0051',
  });
  assert.equal(foreign.statusCode, 400);
  assert.equal(json(foreign).fields[0].field, 'sub_kegiatan_code');
  assert.equal(
    (await api('POST', `/api/v1/planning/renja/${renja.id}/items`, op, { sub_kegiatan_code: '2.15.02.2.02.0002' }))
      .statusCode,
    400,
  );
  // edit an item (target, funding, location, pagu), stale version → 409, another OPD → 403
  r = await api('PATCH', `/api/v1/planning/renja-items/${item.id}`, op, {
    version: item.version,
    funding_source_code: 'PAD',
    location: 'Simpang Lima',
    pagu: '1.500.000.000',
    target: '12,5',
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(json(r).pagu, '1500000000');
  assert.equal(json(r).target, '12.5');
  assert.equal(
    (await api('PATCH', `/api/v1/planning/renja-items/${item.id}`, op, { version: item.version, pagu: 1 })).statusCode,
    409,
  );
  assert.equal(
    (
      await api('PATCH', `/api/v1/planning/renja-items/${item.id}`, await t.as('dinkes.operator'), {
        version: item.version + 1,
        pagu: 1,
      })
    ).statusCode,
    403,
  );
  // a missing target is an error
  r = await api('PATCH', `/api/v1/planning/renja-items/${item.id}`, op, { version: item.version + 1, target: null });
  assert.equal(r.statusCode, 200);
  // RKPD 2029 with a ceiling below the Renja total (TAPD may not set it)
  assert.equal((await api('POST', '/api/v1/planning/rkpd', await t.as('tapd'), { year: 2029 })).statusCode, 403);
  assert.equal(
    (await api('POST', '/api/v1/planning/rkpd', bappeda, { year: 2029, theme: 'Pemulihan ekonomi' })).statusCode,
    201,
  );
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/rkpd/2029/ceilings', bappeda, {
        ceilings: [{ opd_id: opd.dishub, pagu: '1000' }],
      })
    ).statusCode,
    200,
  );
  // simulate a sub kegiatan whose program is missing from the Renstra (the trace check)
  await sql`UPDATE pln_renstra_node SET code = '2.15.09' WHERE pemda_id = ${t.pemdaId} AND code = '2.15.01' AND renstra_id = ${renja.renstra_id}`.execute(
    t.db,
  );
  checks = json(await api('GET', `/api/v1/planning/renja/${renja.id}/checks`, bappeda));
  const codes = new Set(
    checks.checks.filter((c: { severity: string }) => c.severity === 'error').map((c: { code: string }) => c.code),
  );
  assert.ok(codes.has('no_target'), JSON.stringify(checks.checks.slice(0, 5)));
  assert.ok(codes.has('over_ceiling'));
  assert.ok(codes.has('no_trace'));
  assert.ok(checks.checks.some((c: { message: string }) => /melebihi pagu indikatif RKPD/.test(c.message)));
  await sql`UPDATE pln_renstra_node SET code = '2.15.01' WHERE pemda_id = ${t.pemdaId} AND code = '2.15.09' AND renstra_id = ${renja.renstra_id}`.execute(
    t.db,
  );
  // the OPD submits (head only); the OPD cannot verify/approve; Bappeda's verification runs the checks
  let rj = json(await api('GET', `/api/v1/planning/renja/${renja.id}`, op)).renja;
  assert.equal(
    (await api('POST', `/api/v1/planning/renja/${renja.id}/submit`, op, { version: rj.version })).statusCode,
    403,
  );
  assert.equal(
    (await api('POST', `/api/v1/planning/renja/${renja.id}/submit`, await t.as('dinkes.head'), { version: rj.version }))
      .statusCode,
    403,
    'another OPD head',
  );
  rj = json(await api('POST', `/api/v1/planning/renja/${renja.id}/submit`, head, { version: rj.version }));
  assert.equal(rj.status, 'submitted');
  assert.equal(
    (await api('PATCH', `/api/v1/planning/renja-items/${item.id}`, op, { version: item.version + 2, target: '10' }))
      .statusCode,
    409,
    'a submitted Renja is frozen',
  );
  assert.equal(
    (await api('POST', `/api/v1/planning/renja/${renja.id}/verify`, head, { version: rj.version })).statusCode,
    403,
  );
  assert.equal(
    (await api('POST', `/api/v1/planning/renja/${renja.id}/approve`, head, { version: rj.version })).statusCode,
    403,
    'an OPD cannot approve its own Renja',
  );
  r = await api('POST', `/api/v1/planning/renja/${renja.id}/verify`, bappeda, { version: rj.version });
  assert.equal(r.statusCode, 409);
  assert.equal(json(r).error, 'checks_failed');
  assert.ok(json(r).details.checks.length >= 2);
  // returned with a note, fixed by the OPD, resubmitted
  assert.equal(
    (await api('POST', `/api/v1/planning/renja/${renja.id}/return`, bappeda, { version: rj.version })).statusCode,
    400,
    'a note is needed',
  );
  rj = json(
    await api('POST', `/api/v1/planning/renja/${renja.id}/return`, bappeda, {
      version: rj.version,
      note: 'Lengkapi target dan sesuaikan pagu',
    }),
  );
  assert.equal(rj.status, 'draft');
  assert.equal(rj.note, 'Lengkapi target dan sesuaikan pagu');
  const fixed = json(await api('GET', `/api/v1/planning/renja/${renja.id}`, op)).items.find(
    (i: { id: number }) => i.id === item.id,
  );
  assert.equal(
    (await api('PATCH', `/api/v1/planning/renja-items/${item.id}`, op, { version: fixed.version, target: '10' }))
      .statusCode,
    200,
  );
  const total = (
    json(await api('GET', `/api/v1/planning/renja/${renja.id}`, op)).items as Array<{ pagu: string }>
  ).reduce((s, i) => s + BigInt(i.pagu), 0n);
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/rkpd/2029/ceilings', bappeda, {
        ceilings: [{ opd_id: opd.dishub, pagu: total.toString() }],
      })
    ).statusCode,
    200,
  );
  assert.equal(json(await api('GET', `/api/v1/planning/renja/${renja.id}/checks`, op)).ok, true);
  rj = json(await api('POST', `/api/v1/planning/renja/${renja.id}/submit`, head, { version: rj.version }));
  rj = json(await api('POST', `/api/v1/planning/renja/${renja.id}/verify`, bappeda, { version: rj.version }));
  assert.equal(rj.status, 'verified');
  // the RKPD approval takes the indicative ceilings per sub kegiatan from the verified Renja
  const rk = json(await api('GET', '/api/v1/planning/rkpd/2029', bappeda)).rkpd;
  assert.equal(
    (await api('POST', '/api/v1/planning/rkpd/2029/approve', await t.as('tapd'), { version: rk.version })).statusCode,
    403,
  );
  r = await api('POST', '/api/v1/planning/rkpd/2029/approve', bappeda, { version: rk.version });
  assert.equal(r.statusCode, 200, r.body);
  const ceilings = await rkpdIndicativeCeilings(t.db, t.pemdaId, 2029);
  assert.equal(ceilings.length, json(await api('GET', `/api/v1/planning/renja/${renja.id}`, op)).items.length);
  assert.equal(
    ceilings.reduce((s, c) => s + BigInt(c.paguIndikatif), 0n),
    total,
  );
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/rkpd/2029/ceilings', bappeda, {
        ceilings: [{ opd_id: opd.dishub, pagu: '1' }],
      })
    ).statusCode,
    409,
    'an approved RKPD is fixed',
  );
  // no pokir window is set for 2029 in this database: the Renja can be approved
  assert.equal(await getApprovedRenjaItem(t.db, t.pemdaId, 2029, opd.dishub!, '2.15.02.2.02.0002'), undefined);
  r = await api('POST', `/api/v1/planning/renja/${renja.id}/approve`, bappeda, { version: rj.version });
  assert.equal(r.statusCode, 200, r.body);
  const ref = await getApprovedRenjaItem(t.db, t.pemdaId, 2029, opd.dishub!, '2.15.02.2.02.0002');
  assert.ok(ref);
  assert.equal(ref.target, '10');
  assert.equal(ref.fundingSourceCode, 'PAD');
  assert.equal(ref.paguIndikatif, '1500000000');
  // an approved Renja cannot be edited or have items removed
  assert.equal((await api('DELETE', `/api/v1/planning/renja-items/${item.id}`, bappeda)).statusCode, 409);
});

test('a Renja item holding proposals cannot be removed; the Renja pages render for the OPD and Bappeda', async () => {
  const bappeda = await t.as('bappeda');
  const renja = json(await api('GET', `/api/v1/planning/renja?year=2027&opd_id=${opd.dpupr}`, bappeda)).rows[0];
  const rv = await api('POST', `/api/v1/planning/renja/${renja.id}/revise`, bappeda, {
    version: renja.version,
    note: 'revisi',
  });
  assert.equal(rv.statusCode, 200, rv.body);
  const items = json(await api('GET', `/api/v1/planning/renja/${renja.id}`, bappeda)).items as Array<{
    id: number;
    proposals: number;
  }>;
  const withProposals = items.find((i) => i.proposals > 0)!;
  assert.ok(withProposals, 'the demo Renja items hold Musrenbang proposals');
  const del = await api('DELETE', `/api/v1/planning/renja-items/${withProposals.id}`, await t.as('dpupr.operator'));
  assert.equal(del.statusCode, 409);
  assert.ok(json(del).details.proposals.length > 0);
  for (const [user, url, marker] of [
    ['dpupr.operator', '/perencanaan/renja?year=2027', 'Dinas Pekerjaan Umum'],
    ['dpupr.operator', `/perencanaan/renja/${renja.id}`, 'Pemeriksaan konsistensi'],
    ['dpupr.operator', `/perencanaan/renja-item/${withProposals.id}`, 'MR27-'],
    ['bappeda', '/perencanaan/rkpd/2027', 'Pagu indikatif RKPD'],
    ['tapd', '/perencanaan/rkpd', '2027'],
  ] as const) {
    const s = await t.session(user);
    const page = await t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
    assert.equal(page.statusCode, 200, `${url}: ${page.body.slice(0, 300)}`);
    assert.ok(page.body.includes(marker), `${url} shows ${marker}`);
  }
  // the Renja page offers the workflow only to whom it belongs
  const opPage = await t.server.inject({
    method: 'GET',
    url: `/perencanaan/renja/${renja.id}`,
    headers: { ...(await t.session('dpupr.head')).headers, accept: 'text/html' },
  });
  assert.match(opPage.body, /Ajukan ke Bappeda/);
  const other = await t.server.inject({
    method: 'GET',
    url: `/perencanaan/renja/${renja.id}`,
    headers: { ...(await t.session('dinkes.head')).headers, accept: 'text/html' },
  });
  assert.doesNotMatch(other.body, /Ajukan ke Bappeda/);
  // a form post on the page (session + CSRF): submit by the head
  const s = await t.session('dpupr.head');
  const cur = json(await api('GET', `/api/v1/planning/renja/${renja.id}`, bappeda)).renja;
  const post = await t.server.inject({
    method: 'POST',
    url: `/perencanaan/renja/${renja.id}/submit`,
    headers: { cookie: s.headers.cookie!, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: `_csrf=${s.csrf}&version=${cur.version}`,
  });
  assert.equal(post.statusCode, 303, post.body.slice(0, 300));
  assert.equal(json(await api('GET', `/api/v1/planning/renja/${renja.id}`, bappeda)).renja.status, 'submitted');
});
