// e-Musrenbang: a citizen's proposal from the public form through the three forums, the DPRD
// commission, the OPD and TAPD into a Renja item, the approved Renja, and the RKA lines of that sub
// kegiatan; tracking by code; the role restrictions of every step; merge, backlog and carry-over;
// the priority score; rate limits; photos.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { challengeAnswer } from '../../core/http/antispam.ts';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listOpds, listRegions } from '../master-data/index.ts';
import { listLines, listStages, listSubs } from '../budgeting/index.ts';
import { getApprovedRenjaItem, proposalsForRenjaItem } from './index.ts';
import { priorityScore, DEFAULT_WEIGHTS } from './priority.ts';

let t: TestContext;
let opd: Record<string, number> = {};
let kel: { id: number; parentId: number };
let otherKel: { id: number; parentId: number };
before(async () => {
  t = await testApp();
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
  const regions = await listRegions(t.db, t.pemdaId);
  const k = regions.find((r) => r.kind !== 'kecamatan')!; // the demo 'kelurahan' user's region (Mekar Jaya, Sukamaju)
  kel = { id: k.id, parentId: k.parentId! };
  const o = regions.find((r) => r.kind !== 'kecamatan' && r.parentId !== k.parentId)!;
  otherKel = { id: o.id, parentId: o.parentId! };
});
after(async () => t?.close());

const api = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => t.server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function proposal(id: number) {
  return json(await api('GET', `/api/v1/planning/proposals/${id}`, await t.as('bappeda'))).proposal;
}

async function decide(user: string, id: number, body: Record<string, unknown>) {
  const p = await proposal(id);
  return api('POST', `/api/v1/planning/proposals/${id}/decision`, await t.as(user), { version: p.version, ...body });
}

/** A machine client of the public API: fetch a challenge and answer it. */
async function apiChallenge() {
  const c = json(await t.server.inject({ method: 'GET', url: '/api/v1/public/challenge?form=pln.usul' }));
  return { challenge_token: c.token as string, challenge_answer: await challengeAnswer(t.db, c.token) };
}

/** The anonymous browser: GET the page for its CSRF cookie and token, then POST the form. */
async function publicForm(url: string, fields: Record<string, string>, remoteAddress = '127.0.0.1') {
  const page = await t.server.inject({ method: 'GET', url, headers: { accept: 'text/html' }, remoteAddress });
  assert.equal(page.statusCode, 200, page.body);
  const pre = page.cookies.find((c) => c.name === 'padu_csrf')!.value;
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  // the anti-spam question (core/http/antispam.ts), answered as a person would
  const challenge = /name="challenge_token" value="([^"]+)"/.exec(page.body)?.[1];
  const answers: Record<string, string> = challenge
    ? { challenge_token: challenge, challenge_answer: await challengeAnswer(t.db, challenge), padu_hp: '' }
    : {};
  return t.server.inject({
    method: 'POST',
    url,
    remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    cookies: { padu_csrf: pre },
    payload: new URLSearchParams({ ...answers, ...fields, _csrf: token }).toString(),
  });
}

test('a citizen proposal follows the whole chain into the approved Renja and the RKA lines of its sub kegiatan', async () => {
  const bappeda = await t.as('bappeda');
  // this test runs the 2027 cycle again: Musrenbang 2027 open (2028 closed), the dinkes Renja 2027 reopened
  const cycles = json(await api('GET', '/api/v1/planning/cycles', bappeda)).rows as Array<{
    year: number;
    version: number;
    pokir_opens_at: string | null;
    pokir_closes_at: string | null;
  }>;
  const c27 = cycles.find((c) => c.year === 2027)!;
  const c28 = cycles.find((c) => c.year === 2028)!;
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/cycles/2027', bappeda, {
        version: c27.version,
        musrenbang_open: true,
        pokir_opens_at: c27.pokir_opens_at,
        pokir_closes_at: c27.pokir_closes_at,
      })
    ).statusCode,
    200,
  );
  assert.equal(
    (
      await api('PUT', '/api/v1/planning/cycles/2028', bappeda, {
        version: c28.version,
        musrenbang_open: false,
        pokir_opens_at: c28.pokir_opens_at,
        pokir_closes_at: c28.pokir_closes_at,
      })
    ).statusCode,
    200,
  );

  // 1. the public form (no log-in, CSRF double-submit) answers a tracking code
  const res = await publicForm('/usulan', {
    title: 'Pembangunan puskesmas pembantu Mekar Jaya',
    problem: 'Warga harus menempuh 12 km ke puskesmas terdekat.',
    category_code: 'puskesmas',
    kelurahan_id: String(kel.id),
    address: 'Jl. Mawar RT 03',
    latitude: '-3,4521',
    longitude: '114.6012',
    volume: '1',
    unit: 'Unit',
    estimated_cost: '1.250.000.000',
    beneficiaries: '2400',
    submitter_name: 'Ibu Sari',
    submitter_contact: '081234567890',
  });
  assert.equal(res.statusCode, 303, res.body);
  const code = new URL(res.headers.location as string, 'http://x').searchParams.get('kode')!;
  assert.match(code, /^MR27-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const track0 = await t.server.inject({
    method: 'GET',
    url: res.headers.location as string,
    headers: { accept: 'text/html' },
  });
  assert.equal(track0.statusCode, 200);
  assert.ok(track0.body.includes(code));
  assert.ok(!track0.body.includes('081234567890'), 'the public page never shows the contact');
  const id = json(await api('GET', `/api/v1/planning/proposals?year=2027&q=${code}`, bappeda)).rows[0].id as number;
  let p = await proposal(id);
  assert.equal(p.stage, 'kelurahan');
  assert.equal(p.kecamatan_id, kel.parentId, 'the kecamatan comes from the kelurahan');
  assert.equal(p.estimated_cost, '1250000000');
  assert.equal(p.latitude, '-3.4521');
  assert.equal(p.suggested_sub_kegiatan_code, '1.02.02.2.01.0006', 'suggested from the category');
  assert.equal(p.suggested_opd_id, opd.dinkes);

  // a citizen (anonymous) cannot move it; another kelurahan cannot; the kecamatan is not yet its stage
  assert.equal(
    (await api('POST', `/api/v1/planning/proposals/${id}/decision`, {}, { version: p.version, decision: 'accept' }))
      .statusCode,
    401,
  );
  const anonForm = await t.server.inject({
    method: 'POST',
    url: `/perencanaan/usulan/${id}/keputusan`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: `version=${p.version}&decision=accept`,
  });
  assert.ok([401, 403].includes(anonForm.statusCode));
  assert.equal((await decide('dinkes.operator', id, { decision: 'accept' })).statusCode, 403);
  assert.equal((await decide('tapd', id, { decision: 'accept' })).statusCode, 403);

  // 2. the kelurahan forum accepts (its recommended amount and volume)
  let r = await decide('kelurahan', id, { decision: 'accept', amount: '1.200.000.000', volume: '1', urgency: 5 });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(json(r).stage, 'kecamatan');
  assert.equal(json(r).recommended_amount, '1200000000');
  assert.ok(json(r).priority_score, 'accepted proposals carry a priority score');
  // stale version → 409
  assert.equal(
    (
      await api('POST', `/api/v1/planning/proposals/${id}/decision`, await t.as('kecamatan'), {
        version: p.version,
        decision: 'accept',
      })
    ).statusCode,
    409,
  );
  // the kelurahan operator cannot decide at the kecamatan stage
  assert.equal((await decide('kelurahan', id, { decision: 'accept' })).statusCode, 403);

  // 3. the kecamatan forum confirms the mapping (another sub kegiatan of the same OPD) and accepts
  r = await decide('kecamatan', id, {
    decision: 'accept',
    sub_kegiatan_code: '1.02.02.2.01.0002',
    opd_id: opd.dinkes,
    amount: '1200000000',
  });
  assert.equal(r.statusCode, 200, r.body);
  p = json(r);
  assert.equal(p.stage, 'dprd');
  assert.equal(p.sub_kegiatan_code, '1.02.02.2.01.0002');
  assert.equal(p.mapping_confirmed, true);

  // 4. the DPRD partner commission of Dinas Kesehatan (Komisi IV) — not another commission
  assert.equal(
    (await decide('dprd', id, { decision: 'accept' })).statusCode,
    403,
    'Komisi III is not the partner of Dinkes',
  );
  r = await decide('dprd.rina', id, { decision: 'accept' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(json(r).stage, 'opd');

  // 5. the responsible OPD marks it feasible — another OPD cannot
  assert.equal((await decide('dpupr.operator', id, { decision: 'accept' })).statusCode, 403);
  r = await decide('dinkes.operator', id, {
    decision: 'accept',
    amount: '1100000000',
    reason: 'Lahan hibah warga tersedia',
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(json(r).feasible, true);
  assert.equal(json(r).stage, 'tapd');

  // 6. TAPD accepts: final
  r = await decide('tapd', id, { decision: 'accept' });
  assert.equal(r.statusCode, 200, r.body);
  p = json(r);
  assert.equal(p.stage, 'final');
  assert.equal(p.status, 'accepted');
  assert.equal(p.recommended_amount, '1100000000');

  // 7. into the Renja: the approved Renja must first be reopened (Bappeda) — a draft takes proposals
  const renja = json(await api('GET', `/api/v1/planning/renja?year=2027&opd_id=${opd.dinkes}`, bappeda)).rows[0];
  assert.equal(renja.status, 'approved');
  const before = await getApprovedRenjaItem(t.db, t.pemdaId, 2027, opd.dinkes!, '1.02.02.2.01.0002');
  assert.ok(before, 'the sub kegiatan is in the approved Renja');
  r = await api('POST', `/api/v1/planning/proposals/${id}/renja`, await t.as('dinkes.operator'), {
    version: p.version,
  });
  assert.equal(r.statusCode, 409, 'an approved Renja takes no proposal');
  r = await api('POST', `/api/v1/planning/renja/${renja.id}/revise`, bappeda, {
    version: renja.version,
    note: 'Tambahan hasil Musrenbang',
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(
    await getApprovedRenjaItem(t.db, t.pemdaId, 2027, opd.dinkes!, '1.02.02.2.01.0002'),
    undefined,
    'a Renja under revision is not what the RKA chooses from',
  );
  assert.equal(
    (await api('POST', `/api/v1/planning/proposals/${id}/renja`, await t.as('dpupr.operator'), { version: p.version }))
      .statusCode,
    403,
  );
  r = await api('POST', `/api/v1/planning/proposals/${id}/renja`, await t.as('dinkes.operator'), {
    version: p.version,
  });
  assert.equal(r.statusCode, 200, r.body);
  const item = json(r).item;
  assert.equal(item.sub_kegiatan_code, '1.02.02.2.01.0002');
  assert.equal(
    BigInt(item.pagu),
    BigInt(before!.paguIndikatif) + 1_100_000_000n,
    'the pagu grows by the recommended amount',
  );

  // 8. the OPD submits; the OPD cannot verify or approve its own Renja; Bappeda verifies and approves
  let rj = json(await api('GET', `/api/v1/planning/renja/${renja.id}`, bappeda)).renja;
  assert.equal(
    (
      await api('POST', `/api/v1/planning/renja/${renja.id}/submit`, await t.as('dinkes.operator'), {
        version: rj.version,
      })
    ).statusCode,
    403,
    'the operator does not submit',
  );
  r = await api('POST', `/api/v1/planning/renja/${renja.id}/submit`, await t.as('dinkes.head'), {
    version: rj.version,
  });
  assert.equal(r.statusCode, 200, r.body);
  rj = json(r);
  for (const u of ['dinkes.head', 'dinkes.operator']) {
    assert.equal(
      (await api('POST', `/api/v1/planning/renja/${renja.id}/verify`, await t.as(u), { version: rj.version }))
        .statusCode,
      403,
    );
    assert.equal(
      (await api('POST', `/api/v1/planning/renja/${renja.id}/approve`, await t.as(u), { version: rj.version }))
        .statusCode,
      403,
    );
  }
  r = await api('POST', `/api/v1/planning/renja/${renja.id}/verify`, bappeda, { version: rj.version });
  assert.equal(r.statusCode, 200, r.body);
  r = await api('POST', `/api/v1/planning/renja/${renja.id}/approve`, bappeda, { version: json(r).version });
  assert.equal(r.statusCode, 200, r.body);

  // 9. the RKA may now choose it: the item carries the target, location and pagu; it names the proposal
  const ref = await getApprovedRenjaItem(t.db, t.pemdaId, 2027, opd.dinkes!, '1.02.02.2.01.0002');
  assert.ok(ref);
  assert.equal(ref.renjaItemId, item.id);
  assert.equal(ref.paguIndikatif, item.pagu);
  const linked = await proposalsForRenjaItem(t.db, t.pemdaId, ref.renjaItemId);
  assert.ok(linked.some((l) => l.trackingCode === code && l.kind === 'musrenbang'));
  // …and the RKA lines of that sub kegiatan (budgeting's demo RKA of Dinas Kesehatan, 2027)
  const stage = (await listStages(t.db, t.pemdaId, 2027)).find((s) => s.kind === 'murni')!;
  assert.ok(stage, 'the 2027 budget exists');
  const sub = (await listSubs(t.db, t.pemdaId, stage.id, opd.dinkes!)).find((s) => s.code === ref.subKegiatanCode);
  assert.ok(sub, 'the RKA holds the sub kegiatan of the Renja item');
  const lines = await listLines(t.db, t.pemdaId, { subId: sub.id });
  assert.ok(lines.length > 0, 'with RKA lines');

  // 10. anyone follows it by its code: every step, date and reason, and the Renja it became
  const track = json(await t.server.inject({ method: 'GET', url: `/api/v1/public/proposals/${code.toLowerCase()}` }));
  assert.deepEqual(
    track.steps.map((s: { action: string }) => s.action),
    ['submitted', 'accepted', 'mapped', 'accepted', 'accepted', 'accepted', 'accepted', 'into_renja'],
  );
  assert.deepEqual(
    track.steps.filter((s: { action: string }) => s.action === 'accepted').map((s: { stage: string }) => s.stage),
    ['kelurahan', 'kecamatan', 'dprd', 'opd', 'tapd'],
  );
  assert.equal(track.proposal.renja.status, 'approved');
  assert.equal(track.proposal.feasibility_reason, 'Lahan hibah warga tersedia');
  const page = await t.server.inject({ method: 'GET', url: `/lacak?kode=${code}`, headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Forum kelurahan\/desa/);
  assert.match(page.body, /TAPD/);
  assert.match(page.body, /Masuk Renja/);
  assert.match(page.body, /Lahan hibah warga tersedia/);
});

test('rejections need a reason; merge needs a target of the same scope; inspektorat reads only', async () => {
  const mk = async () => {
    const r = await api('POST', '/api/v1/planning/proposals', await t.as('kelurahan'), {
      year: 2028,
      title: 'Lampu jalan gang Melati',
      problem: 'Gelap',
      category_code: 'rambu_pju',
      kecamatan_id: kel.parentId,
      kelurahan_id: kel.id,
      volume: '4',
      unit: 'Unit',
      estimated_cost: 40000000,
    });
    assert.equal(r.statusCode, 201, r.body);
    return json(r);
  };
  // 2028 Musrenbang is open in the demo (the first test closed it; reopen)
  const bappeda = await t.as('bappeda');
  const c28 = (
    json(await api('GET', '/api/v1/planning/cycles', bappeda)).rows as Array<{
      year: number;
      version: number;
      pokir_opens_at: string;
      pokir_closes_at: string;
    }>
  ).find((c) => c.year === 2028)!;
  await api('PUT', '/api/v1/planning/cycles/2028', bappeda, {
    version: c28.version,
    musrenbang_open: true,
    pokir_opens_at: c28.pokir_opens_at,
    pokir_closes_at: c28.pokir_closes_at,
  });
  const a = await mk();
  const b = await mk();
  assert.equal(a.stage, 'kelurahan');
  // kelurahan operators enter proposals only in their own kelurahan
  const wrong = await api('POST', '/api/v1/planning/proposals', await t.as('kelurahan'), {
    ...a,
    year: 2028,
    kecamatan_id: otherKel.parentId,
    kelurahan_id: otherKel.id,
    estimated_cost: a.estimated_cost,
  });
  assert.equal(wrong.statusCode, 403);
  // the inspektorat reads, never writes
  assert.equal((await api('GET', `/api/v1/planning/proposals/${a.id}`, await t.as('inspektorat'))).statusCode, 200);
  assert.equal((await decide('inspektorat', a.id, { decision: 'accept' })).statusCode, 403);
  assert.equal(
    (await api('POST', '/api/v1/planning/proposals', await t.as('inspektorat'), { year: 2028 })).statusCode,
    403,
  );
  // reject without reason → 400 naming the field
  const noReason = await decide('kelurahan', a.id, { decision: 'reject' });
  assert.equal(noReason.statusCode, 400);
  assert.equal(json(noReason).fields[0].field, 'reason');
  // merge into a proposal of another kelurahan → refused; into b → merged, b records it
  const all2028 = json(await api('GET', '/api/v1/planning/proposals?year=2028&limit=1000', bappeda)).rows as Array<{
    id: number;
    tracking_code: string;
    kelurahan_id: number;
    kecamatan_id: number;
    stage: string;
    status: string;
  }>;
  const other = all2028.find((x) => x.kelurahan_id !== kel.id && x.status === 'pending')!;
  assert.equal(
    (await decide('kelurahan', a.id, { decision: 'merge', merge_into: other.tracking_code })).statusCode,
    400,
  );
  const m = await decide('kelurahan', a.id, { decision: 'merge', merge_into: b.tracking_code, reason: 'Lokasi sama' });
  assert.equal(m.statusCode, 200, m.body);
  assert.equal(json(m).status, 'merged');
  assert.equal(json(m).merged_into_id, b.id);
  const steps = json(await api('GET', `/api/v1/planning/proposals/${b.id}`, bappeda)).steps;
  assert.ok(
    steps.some(
      (s: { action: string; related_code: string }) => s.action === 'absorbed' && s.related_code === a.tracking_code,
    ),
  );
  // a decided proposal cannot be decided again
  assert.equal((await decide('kelurahan', a.id, { decision: 'accept' })).statusCode, 409);
  // the kecamatan cannot accept without a confirmed mapping? (suggested from category → it must confirm)
  await decide('kelurahan', b.id, { decision: 'accept' });
  const noMap = await decide('kecamatan', b.id, { decision: 'accept' });
  assert.equal(noMap.statusCode, 400, 'the mapping must be confirmed at the kecamatan');
  const map = await api('POST', `/api/v1/planning/proposals/${b.id}/mapping`, await t.as('kecamatan'), {
    version: (await proposal(b.id)).version,
    sub_kegiatan_code: '2.15.02.2.02.0002',
    opd_id: opd.dishub,
  });
  assert.equal(map.statusCode, 200, map.body);
  assert.equal((await decide('kecamatan', b.id, { decision: 'accept' })).statusCode, 200);
  // the kecamatan operator of Sukamaju cannot act on another kecamatan
  const far = all2028.find(
    (x) => x.stage === 'kecamatan' && x.status === 'pending' && x.kecamatan_id !== kel.parentId,
  )!;
  assert.ok(far);
  assert.equal((await decide('kecamatan', far.id, { decision: 'accept' })).statusCode, 403);
  // region-scoped users list only their own region
  const mine = json(await api('GET', '/api/v1/planning/proposals?year=2028&limit=500', await t.as('kelurahan')))
    .rows as Array<{ kelurahan_id: number }>;
  assert.ok(mine.length > 0 && mine.every((x) => x.kelurahan_id === kel.id));
});

test('TAPD defers an unfundable proposal to the backlog; next year’s Musrenbang sees it first and carries it over with its history', async () => {
  const bappeda = await t.as('bappeda');
  const atTapd = json(
    await api('GET', '/api/v1/planning/proposals?year=2028&stage=tapd&status=pending&limit=1', bappeda),
  ).rows[0];
  assert.ok(atTapd);
  assert.equal((await decide('tapd', atTapd.id, { decision: 'defer' })).statusCode, 400, 'a reason is needed');
  assert.equal((await decide('kecamatan', atTapd.id, { decision: 'defer', reason: 'x' })).statusCode, 403);
  const d = await decide('tapd', atTapd.id, { decision: 'defer', reason: 'Kapasitas fiskal 2028 tidak mencukupi' });
  assert.equal(d.statusCode, 200, d.body);
  assert.equal(json(d).status, 'backlog');
  // the 2029 Musrenbang opens; its backlog lists the deferred proposal
  await api('PUT', '/api/v1/planning/cycles/2029', bappeda, { musrenbang_open: true });
  const backlog = json(await api('GET', '/api/v1/planning/backlog?year=2029', bappeda)).rows as Array<{ id: number }>;
  assert.ok(backlog.some((b) => b.id === atTapd.id));
  const page = await t.server.inject({
    method: 'GET',
    url: '/musrenbang?year=2029',
    headers: { ...(await t.session('bappeda')).headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.ok(
    page.body.indexOf(atTapd.tracking_code) > 0 &&
      page.body.indexOf('backlog') < page.body.indexOf('table class="data proposals"'),
    'the backlog comes first',
  );
  // carry it over (Bappeda; a dinkes operator may not)
  const v = (await proposal(atTapd.id)).version;
  assert.equal(
    (
      await api('POST', `/api/v1/planning/proposals/${atTapd.id}/carry-over`, await t.as('dinkes.operator'), {
        version: v,
        year: 2029,
      })
    ).statusCode,
    403,
  );
  const c = await api('POST', `/api/v1/planning/proposals/${atTapd.id}/carry-over`, bappeda, {
    version: v,
    year: 2029,
  });
  assert.equal(c.statusCode, 201, c.body);
  const copy = json(c);
  assert.equal(copy.year, 2029);
  assert.equal(copy.stage, 'kelurahan');
  assert.equal(copy.carried_from_id, atTapd.id);
  assert.equal((await proposal(atTapd.id)).status, 'carried');
  const track = json(await t.server.inject({ method: 'GET', url: `/api/v1/public/proposals/${copy.tracking_code}` }));
  assert.equal(track.proposal.carried_from, atTapd.tracking_code);
  assert.ok(
    track.earlier.steps.some((s: { action: string }) => s.action === 'deferred'),
    'the history of the original follows',
  );
  // the carried proposal scores the carry-over criterion once accepted
  assert.ok(
    json(await api('GET', '/api/v1/planning/backlog?year=2029', bappeda)).rows.every(
      (b: { id: number }) => b.id !== atTapd.id,
    ),
  );
});

test('the priority score follows the documented criteria and the adjustable weights', async () => {
  const base = {
    urgency: 5,
    beneficiaries: 2400,
    alignment: 5 as const,
    hasAddress: true,
    hasCoordinates: true,
    hasPhoto: false,
    amount: 1_200_000_000n,
    carriedOver: false,
  };
  // urgency 5, beneficiaries 5, alignment 5, readiness 3, cost (500k/beneficiary) 4, carry-over 0
  // (30·5 + 25·5 + 20·5 + 10·3 + 10·4 + 5·0) / (5·100) · 100 = 445/500 · 100 = 89.00
  assert.equal(priorityScore(base, DEFAULT_WEIGHTS), '89.00');
  assert.equal(priorityScore({ ...base, carriedOver: true }, DEFAULT_WEIGHTS), '94.00');
  assert.equal(
    priorityScore(base, { urgency: 1, beneficiaries: 0, alignment: 0, readiness: 2, cost: 0, carry_over: 0 }),
    '73.33',
  );
  const bappeda = await t.as('bappeda');
  assert.equal(
    (await api('PUT', '/api/v1/planning/priority-weights', await t.as('kecamatan'), { ...DEFAULT_WEIGHTS })).statusCode,
    403,
  );
  const w = await api('PUT', '/api/v1/planning/priority-weights', bappeda, {
    ...DEFAULT_WEIGHTS,
    urgency: 0,
    beneficiaries: 100,
  });
  assert.equal(w.statusCode, 200, w.body);
  assert.ok(json(w).rescored > 0);
  assert.equal(json(await api('GET', '/api/v1/planning/priority-weights', bappeda)).beneficiaries, 100);
  // listed by score, with a rank per stage
  const rows = json(await api('GET', '/api/v1/planning/proposals?year=2027&stage=final&limit=50', bappeda))
    .rows as Array<{ priority_score: string; rank: number }>;
  for (let i = 1; i < rows.length; i++)
    assert.ok(Number(rows[i - 1]!.priority_score) >= Number(rows[i]!.priority_score));
  assert.equal(rows[0]!.rank, 1);
});

test('the public form is rate-limited per IP; photos are checked and served; the pages render', async () => {
  const bappeda = await t.as('bappeda');
  const fields = {
    title: 'Posyandu',
    problem: 'Stunting',
    category_code: 'posyandu',
    kelurahan_id: String(kel.id),
    volume: '2',
    unit: 'Kegiatan',
    estimated_cost: '20000000',
    submitter_name: 'A',
    submitter_contact: 'a@b.c',
  };
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await publicForm('/usulan', fields, '10.9.8.7')).statusCode);
  assert.deepEqual(statuses, [303, 303, 303, 303, 303, 429]);
  // the JSON API too (another address)
  const r = await t.server.inject({
    method: 'POST',
    url: '/api/v1/public/musrenbang',
    remoteAddress: '10.9.8.6',
    payload: { ...fields, kelurahan_id: kel.id, ...(await apiChallenge()) },
  });
  assert.equal(r.statusCode, 201, r.body);
  // a photo must be an image
  const p = json(await api('GET', `/api/v1/planning/proposals?q=${json(r).tracking_code}`, bappeda)).rows[0];
  const boundary = '----padu';
  const multipart = (name: string, data: Buffer, type: string) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="f"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  const kelH = await t.as('kelurahan');
  const bad = await t.server.inject({
    method: 'PUT',
    url: `/api/v1/planning/proposals/${p.id}/photo`,
    headers: { ...kelH, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: multipart('photo', Buffer.from('not an image'), 'image/png'),
  });
  assert.equal(bad.statusCode, 400, bad.body);
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const ok = await t.server.inject({
    method: 'PUT',
    url: `/api/v1/planning/proposals/${p.id}/photo`,
    headers: { ...kelH, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: multipart('photo', png, 'image/png'),
  });
  assert.equal(ok.statusCode, 204, ok.body);
  const img = await t.server.inject({ method: 'GET', url: `/lacak/foto/${json(r).tracking_code}` });
  assert.equal(img.statusCode, 200);
  assert.equal(img.headers['content-type'], 'image/png');
  // the staff pages
  for (const [user, url, marker] of [
    ['kelurahan', '/musrenbang', 'Musrenbang'],
    ['kelurahan', '/musrenbang/baru', 'Usulan baru'],
    ['bappeda', `/perencanaan/usulan/${p.id}`, json(r).tracking_code],
    ['bappeda', '/perencanaan/pengaturan', 'Bobot kriteria'],
  ] as const) {
    const s = await t.session(user);
    const page = await t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
    assert.equal(page.statusCode, 200, `${url}: ${page.body.slice(0, 300)}`);
    assert.ok(page.body.includes(marker), `${url} shows ${marker}`);
  }
  const tapdSettings = await t.server.inject({
    method: 'GET',
    url: '/perencanaan/pengaturan',
    headers: { ...(await t.session('tapd')).headers, accept: 'text/html' },
  });
  assert.equal(tapdSettings.statusCode, 403);
});

test('a decision through the no-JS page form (session + CSRF) answers 303; errors come back on the page', async () => {
  const bappeda = await t.as('bappeda');
  const pending = json(
    await api(
      'GET',
      `/api/v1/planning/proposals?year=2028&stage=kelurahan&status=pending&kelurahan_id=${kel.id}&limit=1`,
      bappeda,
    ),
  ).rows[0];
  const s = await t.session('kelurahan');
  const form = (body: string) =>
    t.server.inject({
      method: 'POST',
      url: `/perencanaan/usulan/${pending.id}/keputusan`,
      headers: { cookie: s.headers.cookie!, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: body,
    });
  assert.equal((await form(`version=${pending.version}&decision=accept`)).statusCode, 403, 'no CSRF token');
  const err = await form(`_csrf=${s.csrf}&version=${pending.version}&decision=reject&reason=`);
  assert.equal(err.statusCode, 400);
  assert.match(err.body, /Alasan wajib diisi/);
  const ok = await form(
    `_csrf=${s.csrf}&version=${pending.version}&decision=accept&amount=10.000.000&volume=2,5&urgency=4&reason=`,
  );
  assert.equal(ok.statusCode, 303, ok.body);
  const p = await proposal(pending.id);
  assert.equal(p.recommended_amount, '10000000');
  assert.equal(p.recommended_volume, '2.5');
});

test('forms keep every choice on an error: "Tolak" without a reason stays "Tolak", the error names the field by its label', async () => {
  const bappeda = await t.as('bappeda');
  // a Musrenbang proposal of the kelurahan user's village, entered through the API
  const created = await api('POST', '/api/v1/planning/proposals', await t.as('kelurahan'), {
    year: 2028,
    title: 'Perbaikan saluran air RT 05',
    problem: 'Banjir setiap musim hujan.',
    kecamatan_id: kel.parentId,
    kelurahan_id: kel.id,
    volume: '150',
    unit: 'Meter',
    estimated_cost: '75000000',
  });
  assert.ok([200, 201].includes(created.statusCode), created.body);
  const id = json(created).id as number;
  const p = json(await api('GET', `/api/v1/planning/proposals/${id}`, bappeda)).proposal;
  const s = await t.session('kelurahan');
  const post = (fields: Record<string, string>) =>
    t.server.inject({
      method: 'POST',
      url: `/perencanaan/usulan/${id}/keputusan`,
      headers: { cookie: s.headers.cookie!, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ ...fields, _csrf: s.csrf }).toString(),
    });
  // the fresh form preselects no decision
  const fresh = await t.server.inject({
    method: 'GET',
    url: `/perencanaan/usulan/${id}`,
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.doesNotMatch(fresh.body, /name="decision" value="accept" required checked/);
  const res = await post({
    version: String(p.version),
    decision: 'reject',
    reason: '',
    amount: '70.000.000',
    urgency: '2',
  });
  assert.equal(res.statusCode, 400, res.body);
  assert.match(res.body, /name="decision" value="reject" required checked/, 'Tolak is still chosen');
  assert.doesNotMatch(res.body, /name="decision" value="accept" required checked/);
  assert.match(res.body, /<b>Alasan \/ catatan<\/b>:/, 'the error names the field by its label');
  assert.doesNotMatch(res.body, /<b>reason<\/b>/);
  assert.match(res.body, /name="amount" [^>]*value="70.000.000"/, 'what was typed stays');
  assert.match(res.body, /<option value="2" selected>2<\/option>/);
  assert.equal(json(await api('GET', `/api/v1/planning/proposals/${id}`, bappeda)).proposal.status, 'pending');
  // an ambiguous number is refused at its field, naming it by its label
  const amb = await post({ version: String(p.version), decision: 'accept', volume: '1.5' });
  assert.equal(amb.statusCode, 400);
  assert.match(amb.body, /<b>Volume<\/b>: &quot;1.5&quot; tidak jelas|<b>Volume<\/b>: "1.5" tidak jelas/);
});

test('the citizen form preselects no village, marks required fields, groups villages under their kecamatan', async () => {
  const page = await t.server.inject({ method: 'GET', url: '/usulan', headers: { accept: 'text/html' } });
  assert.equal(page.statusCode, 200);
  const kelSelect = /<select name="kelurahan_id"[\s\S]*?<\/select>/.exec(page.body)?.[0] ?? '';
  assert.ok(kelSelect, 'the kelurahan select');
  assert.match(kelSelect, /<option value="">— pilih —<\/option>/);
  assert.doesNotMatch(kelSelect, /selected/, 'no village chosen for the citizen');
  assert.match(kelSelect, /data-filter-by="kecamatan_id"/);
  assert.match(kelSelect, /<optgroup label="[^"]+" data-parent="\d+">/);
  assert.match(page.body, /<select name="kecamatan_id" id="kecamatan_id" required><option value="">— pilih —/);
  assert.match(page.body, /abbr class="req"/);
  assert.match(page.body, /titik pemisah ribuan, koma desimal/);
});
