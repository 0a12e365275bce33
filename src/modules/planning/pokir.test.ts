// DPRD Pokir: entered by registered members inside the year's window only (late entries refused),
// reviewed by Bappeda and the OPD, into the Renja linked to the member and the proposal; the window
// must close before a Renja is approved; who sees the list, and when the public does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listOpds, listRegions, seedFiscalYear } from '../master-data/index.ts';
import { systemPrincipal } from '../../core/roles.ts';
import { getApprovedRenjaItem, proposalsForRenjaItem } from './index.ts';

let t: TestContext;
let opd: Record<string, number> = {};
let loc: { kecamatan_id: number; kelurahan_id: number };
before(async () => {
  t = await testApp();
  // 2029: a year of the demo RPJMD/Renstra that the demo leaves empty (2026 is the executed year with
  // its approved Renja, 2027 the budget year, 2028 the running Musrenbang); it gets its nomenclature
  await seedFiscalYear(
    { db: t.db, pemdaId: t.pemdaId, actor: systemPrincipal(t.server.registry.permissions, t.pemdaId) },
    2029,
  );
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
  const k = (await listRegions(t.db, t.pemdaId)).find((r) => r.kind !== 'kecamatan')!;
  loc = { kecamatan_id: k.parentId!, kelurahan_id: k.id };
});
after(async () => t?.close());

const api = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => t.server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const pokir = (year: number, extra: Record<string, unknown> = {}) => ({
  year,
  title: 'Rehabilitasi jalan poros Mekar Jaya',
  problem: 'Aspirasi reses: jalan rusak berat sepanjang 1,2 km',
  category_code: 'jalan_rehab',
  ...loc,
  volume: '1200',
  unit: 'Meter',
  estimated_cost: '900000000',
  beneficiaries: 3000,
  ...extra,
});
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

test('a Pokir entered after its window closes is refused; so are entries by non-members', async () => {
  const dprd = await t.as('dprd');
  // 2027: the window closed on 31 March 2026
  const late = await api('POST', '/api/v1/planning/pokir', dprd, pokir(2027));
  assert.equal(late.statusCode, 409, late.body);
  assert.equal(json(late).error, 'conflict');
  assert.match(json(late).message, /tertutup/);
  // a window that just closed refuses too
  const bappeda = await t.as('bappeda');
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/cycles/2029', bappeda, {
        musrenbang_open: false,
        pokir_opens_at: iso(-7_200_000),
        pokir_closes_at: iso(-60_000),
      })
    ).statusCode,
    200,
  );
  assert.equal((await api('POST', '/api/v1/planning/pokir', dprd, pokir(2029))).statusCode, 409);
  // and one not yet open
  const c = json(await api('GET', '/api/v1/planning/cycles', bappeda)).rows.find(
    (x: { year: number }) => x.year === 2029,
  );
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/cycles/2029', bappeda, {
        version: c.version,
        musrenbang_open: false,
        pokir_opens_at: iso(3_600_000),
        pokir_closes_at: iso(7_200_000),
      })
    ).statusCode,
    200,
  );
  assert.equal((await api('POST', '/api/v1/planning/pokir', dprd, pokir(2029))).statusCode, 409);
  // only DPRD members enter Pokir
  for (const u of ['bappeda', 'kelurahan', 'dinkes.operator', 'inspektorat'])
    assert.equal((await api('POST', '/api/v1/planning/pokir', await t.as(u), pokir(2028))).statusCode, 403, u);
  const admin = await t.as('admin');
  const nu = await api('POST', '/api/v1/users', admin, {
    username: 'dprd.baru',
    password: 'kopi susu gula aren',
    full_name: 'Anggota Baru',
    role: 'dprd',
  });
  assert.equal(nu.statusCode, 201, nu.body);
  const unregistered = await api('POST', '/api/v1/planning/pokir', await t.as('dprd.baru'), pokir(2028));
  assert.equal(unregistered.statusCode, 403, 'a dprd user without a member record (komisi, dapil)');
  // registered by admin/Bappeda, the member may enter inside the open 2028 window
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/dprd-members', await t.as('tapd'), {
        user_id: json(nu).id,
        name: 'Anggota Baru',
        komisi: 'II',
      })
    ).statusCode,
    403,
  );
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/dprd-members', admin, {
        user_id: json(nu).id,
        name: 'Anggota Baru',
        komisi: 'II',
        dapil: 'Dapil 3',
      })
    ).statusCode,
    200,
  );
  const ok = await api('POST', '/api/v1/planning/pokir', await t.as('dprd.baru'), pokir(2028));
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(json(ok).stage, 'bappeda');
  assert.match(json(ok).tracking_code, /^PK28-/);
  // another member cannot edit it; its author can while it waits at Bappeda
  assert.equal(
    (
      await api('PATCH', `/api/v1/planning/proposals/${json(ok).id}`, await t.as('dprd.siti'), {
        version: json(ok).version,
        title: 'x',
      })
    ).statusCode,
    403,
  );
  const ed = await api('PATCH', `/api/v1/planning/proposals/${json(ok).id}`, await t.as('dprd.baru'), {
    version: json(ok).version,
    title: 'Rehabilitasi jalan poros (revisi)',
  });
  assert.equal(ed.statusCode, 200, ed.body);
});

test('Pokir chain: Bappeda → OPD → Renja item linked to the member; the window must close before the Renja is approved; then the list is public', async () => {
  const bappeda = await t.as('bappeda');
  const dprd = await t.as('dprd');
  // fiscal year 2029 (its nomenclature is seeded; no Renja yet): a window open now
  const c = json(await api('GET', '/api/v1/planning/cycles', bappeda)).rows.find(
    (x: { year: number }) => x.year === 2029,
  );
  const open = await api('PUT', '/api/v1/planning/cycles/2029', bappeda, {
    ...(c ? { version: c.version } : {}),
    musrenbang_open: false,
    pokir_opens_at: iso(-3_600_000),
    pokir_closes_at: iso(3_600_000),
  });
  assert.equal(open.statusCode, 200, open.body);
  let r = await api('POST', '/api/v1/planning/pokir', dprd, pokir(2029));
  assert.equal(r.statusCode, 201, r.body);
  let p = json(r);
  const id = p.id as number;
  // before the Renja: the public sees no Pokir list of 2029; the OPD sees only Pokir mapped to it
  assert.equal((await t.server.inject({ method: 'GET', url: '/api/v1/public/pokir?year=2029' })).statusCode, 404);
  const dinkesList = json(
    await api('GET', '/api/v1/planning/proposals?kind=pokir&limit=500', await t.as('dinkes.operator')),
  ).rows as Array<{ opd_id: number }>;
  assert.ok(dinkesList.length > 0 && dinkesList.every((x) => x.opd_id === opd.dinkes));
  assert.equal(
    json(await api('GET', '/api/v1/planning/proposals?kind=pokir', await t.as('kelurahan'))).total,
    0,
    'kelurahan operators do not see Pokir',
  );
  assert.equal((await api('GET', `/api/v1/planning/proposals/${id}`, await t.as('dinkes.operator'))).statusCode, 404);
  for (const u of ['inspektorat', 'dprd.siti', 'tapd'])
    assert.equal((await api('GET', `/api/v1/planning/proposals/${id}`, await t.as(u))).statusCode, 200, u);

  // the OPD cannot review before Bappeda; Bappeda confirms the mapping and accepts
  assert.equal(
    (
      await api('POST', `/api/v1/planning/proposals/${id}/decision`, await t.as('dpupr.operator'), {
        version: p.version,
        decision: 'accept',
      })
    ).statusCode,
    403,
  );
  assert.equal(
    (await api('POST', `/api/v1/planning/proposals/${id}/decision`, dprd, { version: p.version, decision: 'accept' }))
      .statusCode,
    403,
    'a member does not review their own Pokir',
  );
  r = await api('POST', `/api/v1/planning/proposals/${id}/decision`, bappeda, {
    version: p.version,
    decision: 'accept',
    sub_kegiatan_code: '1.03.10.2.01.0055',
    opd_id: opd.dpupr,
  });
  assert.equal(r.statusCode, 200, r.body);
  p = json(r);
  assert.equal(p.stage, 'opd');
  assert.equal(
    (
      await api('POST', `/api/v1/planning/proposals/${id}/decision`, await t.as('dinkes.head'), {
        version: p.version,
        decision: 'accept',
      })
    ).statusCode,
    403,
  );
  r = await api('POST', `/api/v1/planning/proposals/${id}/decision`, await t.as('dpupr.head'), {
    version: p.version,
    decision: 'accept',
    amount: '850000000',
    reason: 'Ruas masuk prioritas pemeliharaan',
  });
  assert.equal(r.statusCode, 200, r.body);
  p = json(r);
  assert.equal(p.status, 'accepted');
  assert.equal(p.stage, 'final');

  // the OPD's Renja 2029 and the RKPD 2029
  r = await api('POST', '/api/v1/planning/renja', await t.as('dpupr.operator'), { year: 2029, opd_id: opd.dpupr });
  assert.equal(r.statusCode, 201, r.body);
  const renjaId = json(r).id as number;
  r = await api('POST', `/api/v1/planning/proposals/${id}/renja`, await t.as('dpupr.operator'), { version: p.version });
  assert.equal(r.statusCode, 200, r.body);
  const item = json(r).item;
  assert.equal(item.source, 'pokir');
  assert.equal(item.pagu, '850000000');
  assert.equal(item.target, '1200');
  assert.equal(item.region_id, loc.kelurahan_id);
  const linked = await proposalsForRenjaItem(t.db, t.pemdaId, item.id);
  assert.deepEqual(
    linked.map((l) => [l.kind, l.trackingCode]),
    [['pokir', p.tracking_code]],
  );
  const full = json(await api('GET', `/api/v1/planning/proposals/${id}`, bappeda)).proposal;
  assert.equal(full.renja_item_id, item.id);
  assert.ok(full.dprd_member_id, 'linked to the member');
  assert.equal(
    (await api('POST', '/api/v1/planning/rkpd', bappeda, { year: 2029, theme: 'Tema 2029' })).statusCode,
    201,
  );
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/rkpd/2029/ceilings', bappeda, {
        ceilings: [{ opd_id: opd.dpupr, pagu: '5000000000' }],
      })
    ).statusCode,
    200,
  );
  let rj = json(await api('GET', `/api/v1/planning/renja/${renjaId}`, bappeda)).renja;
  rj = json(
    await api('POST', `/api/v1/planning/renja/${renjaId}/submit`, await t.as('dpupr.head'), { version: rj.version }),
  );
  r = await api('POST', `/api/v1/planning/renja/${renjaId}/verify`, bappeda, { version: rj.version });
  assert.equal(r.statusCode, 200, r.body);
  rj = json(r);
  // the Pokir window is still open: the Renja cannot be approved
  r = await api('POST', `/api/v1/planning/renja/${renjaId}/approve`, bappeda, { version: rj.version });
  assert.equal(r.statusCode, 409);
  assert.match(json(r).message, /Jendela Pokir/);
  const c2 = json(await api('GET', '/api/v1/planning/cycles', bappeda)).rows.find(
    (x: { year: number }) => x.year === 2029,
  );
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/cycles/2029', bappeda, {
        version: c2.version,
        musrenbang_open: false,
        pokir_opens_at: iso(-3_600_000),
        pokir_closes_at: iso(-1000),
      })
    ).statusCode,
    200,
  );
  r = await api('POST', `/api/v1/planning/renja/${renjaId}/approve`, bappeda, { version: rj.version });
  assert.equal(r.statusCode, 200, r.body);
  assert.ok(await getApprovedRenjaItem(t.db, t.pemdaId, 2029, opd.dpupr!, '1.03.10.2.01.0055'));
  // once a Renja is approved: no more Pokir, and the window cannot reopen
  assert.equal((await api('POST', '/api/v1/planning/pokir', dprd, pokir(2029))).statusCode, 409);
  const c3 = json(await api('GET', '/api/v1/planning/cycles', bappeda)).rows.find(
    (x: { year: number }) => x.year === 2029,
  );
  const reopen = await api('PUT', '/api/v1/planning/cycles/2029', bappeda, {
    version: c3.version,
    musrenbang_open: false,
    pokir_opens_at: iso(-60_000),
    pokir_closes_at: iso(3_600_000),
  });
  assert.equal(reopen.statusCode, 400);
  assert.equal(json(reopen).fields[0].field, 'pokir_closes_at');
  // the public list of 2029, with the outcome, and its page
  const pub = await t.server.inject({ method: 'GET', url: '/api/v1/public/pokir?year=2029' });
  assert.equal(pub.statusCode, 200, pub.body);
  const row = json(pub).rows.find((x: { tracking_code: string }) => x.tracking_code === p.tracking_code);
  assert.equal(row.member, 'Anggota DPRD Demo');
  assert.equal(row.status, 'accepted');
  assert.equal(row.renja_item_id, item.id);
  const page = await t.server.inject({
    method: 'GET',
    url: '/pokir/publik?year=2029',
    headers: { accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(p.tracking_code));
  const track = json(await t.server.inject({ method: 'GET', url: `/api/v1/public/proposals/${p.tracking_code}` }));
  assert.equal(track.proposal.dprd_member, 'Anggota DPRD Demo');
  assert.deepEqual(
    track.steps.map((s: { action: string }) => s.action),
    ['submitted', 'mapped', 'accepted', 'accepted', 'into_renja'],
  );
});

test('the demo: 2027 Pokir are public with outcomes; 2028 Pokir are not yet; the staff lists and forms render', async () => {
  const pub = json(await t.server.inject({ method: 'GET', url: '/api/v1/public/pokir?year=2027' })).rows as Array<{
    status: string;
    renja_item_id: number | null;
  }>;
  assert.ok(pub.length >= 30);
  assert.ok(pub.some((x) => x.status === 'rejected') && pub.some((x) => x.renja_item_id));
  assert.equal((await t.server.inject({ method: 'GET', url: '/api/v1/public/pokir?year=2028' })).statusCode, 404);
  assert.equal(json(await api('GET', '/api/v1/planning/dprd-members', await t.as('dprd'))).rows.length >= 5, true);
  for (const [user, url, marker] of [
    ['dprd', '/pokir?year=2028', 'Jendela Pokir terbuka'],
    ['dprd', '/pokir/baru?year=2028', 'Pokir baru'],
    ['inspektorat', '/pokir?year=2027', 'Pokir DPRD'],
  ] as const) {
    const s = await t.session(user);
    const page = await t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
    assert.equal(page.statusCode, 200, `${url} ${page.body.slice(0, 200)}`);
    assert.ok(page.body.includes(marker), `${url} shows ${marker}`);
  }
  const kel = await t.server.inject({
    method: 'GET',
    url: '/pokir',
    headers: { ...(await t.session('kelurahan')).headers, accept: 'text/html' },
  });
  assert.equal(kel.statusCode, 404);
  // a Pokir through the form (session + CSRF)
  const s = await t.session('dprd');
  const form = new URLSearchParams({
    _csrf: s.csrf,
    year: '2028',
    title: 'Bantuan lampu jalan',
    problem: 'Gelap',
    category_code: 'rambu_pju',
    kecamatan_id: String(loc.kecamatan_id),
    kelurahan_id: String(loc.kelurahan_id),
    volume: '5',
    unit: 'Unit',
    estimated_cost: '75.000.000',
  });
  const res = await t.server.inject({
    method: 'POST',
    url: '/pokir/baru',
    headers: { cookie: s.headers.cookie!, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: form.toString(),
  });
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  assert.match(res.headers.location as string, /^\/perencanaan\/usulan\/\d+/);
});
