// Command Center: categories, intake (bad input → 400 field by field in Indonesian), duplicates and
// merge, dispatch to several OPD, each unit limited to its own OPD, the steps and the closing of
// the incident, timers and breaches against a controllable clock, the audit trail, the pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listOpds, listRegions } from '../master-data/index.ts';
import { manualClock, setClock } from './index.ts';

let t: TestContext;
let opd: Record<string, number> = {};
let kec: { id: number; kel: number; otherKel: number };
let cat: Record<string, { id: number; priority: number; opd_ids: number[] }> = {};
const clk = manualClock(new Date('2030-03-01T08:00:00Z'));
let restore = () => {};

before(async () => {
  t = await testApp();
  restore = setClock(clk);
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
  const regions = await listRegions(t.db, t.pemdaId);
  const k = regions.find((r) => r.kind === 'kecamatan')!;
  const other = regions.find((r) => r.kind === 'kecamatan' && r.id !== k.id)!;
  kec = {
    id: k.id,
    kel: regions.find((r) => r.parentId === k.id)!.id,
    otherKel: regions.find((r) => r.parentId === other.id)!.id,
  };
  const rows = json(await api('GET', '/api/v1/cc/categories', await t.as('cc_operator'))).rows as Array<{
    code: string;
    id: number;
    priority: number;
    opd_ids: number[];
  }>;
  cat = Object.fromEntries(rows.map((r) => [r.code, r]));
});
after(async () => {
  restore();
  await t?.close();
});

const api = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

const call = (over: Record<string, unknown> = {}) => ({
  reporter_name: 'Budi',
  reporter_phone: '0812-3456-7890',
  kecamatan_id: kec.id,
  kelurahan_id: kec.kel,
  address: 'Jl. A. Yani km 3',
  lat: '-3,2500',
  lon: '114.4500',
  category_id: cat.KBK!.id,
  description: 'Rumah terbakar, asap tebal',
  ...over,
});

test('categories come from the reference list with their OPD and targets', async () => {
  assert.equal(Object.keys(cat).length, 15);
  assert.deepEqual(cat.KBK!.opd_ids, [opd.damkar]);
  assert.deepEqual([...cat.KLL!.opd_ids].sort(), [opd.dishub!, opd.dinkes!].sort());
  assert.equal(cat.KBK!.priority, 1);
  assert.deepEqual(cat.AIR!.opd_ids, [], 'water supply goes to the PDAM, outside the Pemda');
});

test('bad intake is refused with a 400 naming each field in Indonesian, never a 5xx, and saves nothing', async () => {
  const op = await t.as('cc_operator');
  const before = await t.db
    .selectFrom('cc_incident')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [call({ kecamatan_id: undefined }), 'kecamatan_id', /kecamatan/i],
    [call({ category_id: 'abc' }), 'category_id', /kategori/i],
    [call({ description: '   ' }), 'description', /Uraian kejadian wajib/],
    [call({ reporter_phone: '12ab' }), 'reporter_phone', /telepon tidak valid/],
    [call({ lat: '-95' }), 'lat', /Lintang/],
    [call({ lon: undefined }), 'lon', /lintang dan bujur bersama/],
    [call({ priority: 9 }), 'priority', /Prioritas/],
    [call({ kelurahan_id: kec.otherKel }), 'kelurahan_id', /tidak berada di kecamatan/],
    [call({ category_id: 999999 }), 'category_id', /kategori/i],
    [call({ kecamatan_id: kec.kel }), 'kecamatan_id', /kecamatan/i],
    [call({ merge_into: 987654 }), 'merge_into', /tidak ditemukan/],
    [call({ description: ['x'], kecamatan_id: { a: 1 } }), 'kecamatan_id', /kecamatan/i],
  ];
  for (const [body, field, msg] of cases) {
    const res = await api('POST', '/api/v1/cc/incidents', op, body);
    assert.ok(res.statusCode === 400, `${field}: ${res.statusCode} ${res.body}`);
    const f = json(res).fields.find((x: { field: string }) => x.field === field);
    assert.ok(f, `${field} named in ${res.body}`);
    assert.match(f.message, msg);
  }
  const junk = await t.server.inject({
    method: 'POST',
    url: '/api/v1/cc/incidents',
    headers: { ...op, 'content-type': 'application/json' },
    payload: '{"kecamatan_id": ',
  });
  assert.equal(junk.statusCode, 400);
  const after = await t.db
    .selectFrom('cc_incident')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(after.n), Number(before.n));
  // the page answers the same in Indonesian, field by field
  const s = await t.session('cc_operator');
  const page = await t.server.inject({
    method: 'POST',
    url: '/command-center/intake',
    headers: { ...s.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      _csrf: s.csrf,
      category_id: String(cat.KBK!.id),
      description: 'x',
      lat: '95',
      lon: '114',
    }).toString(),
  });
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /Pilih kecamatan lokasi kejadian/);
  assert.match(page.body, /Lintang harus angka antara -90 dan 90/);
});

test('duplicates are shown before saving; merging keeps every reporter and tracking code', async () => {
  const op = await t.as('cc_operator');
  const first = await api('POST', '/api/v1/cc/incidents', op, call());
  assert.equal(first.statusCode, 201, first.body);
  const a = json(first);
  assert.match(a.tracking_code, /^CC-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  clk.advance(5);
  // 150 m away, same category, 5 minutes later
  const second = await api(
    'POST',
    '/api/v1/cc/incidents',
    op,
    call({ reporter_name: 'Siti', lat: '-3.2513', lon: '114.4500' }),
  );
  assert.equal(second.statusCode, 409, second.body);
  const dups = json(second).details.duplicates as Array<{ id: number; distance_m: number }>;
  assert.deepEqual(
    dups.map((d) => d.id),
    [a.incident_id],
  );
  assert.ok(dups[0]!.distance_m > 100 && dups[0]!.distance_m < 200);
  // farther than the window's distance (300 m): no candidate
  const far = json(
    await api(
      'GET',
      `/api/v1/cc/duplicates?category_id=${cat.KBK!.id}&kecamatan_id=${kec.id}&lat=-3.2600&lon=114.4500`,
      op,
    ),
  );
  assert.deepEqual(far.rows, []);
  const merged = json(
    await api('POST', '/api/v1/cc/incidents', op, call({ reporter_name: 'Siti', merge_into: a.incident_id })),
  );
  assert.equal(merged.incident_id, a.incident_id);
  assert.equal(merged.merged, true);
  assert.notEqual(merged.tracking_code, a.tracking_code);
  const own = json(await api('POST', '/api/v1/cc/incidents', op, call({ reporter_name: 'Ahmad', confirm_new: true })));
  assert.notEqual(own.incident_id, a.incident_id);
  const d = json(await api('GET', `/api/v1/cc/incidents/${a.incident_id}`, op));
  assert.deepEqual(
    d.reports.map((r: { reporter_name: string; tracking_code: string }) => [r.reporter_name, r.tracking_code]),
    [
      ['Budi', a.tracking_code],
      ['Siti', merged.tracking_code],
    ],
  );
  // an incident merged into another: its reports move, it is marked merged
  const m = await api('POST', `/api/v1/cc/incidents/${own.incident_id}/merge`, op, { into: a.incident_id });
  assert.equal(m.statusCode, 200, m.body);
  const d2 = json(await api('GET', `/api/v1/cc/incidents/${a.incident_id}`, op));
  assert.equal(d2.reports.length, 3);
  const gone = json(await api('GET', `/api/v1/cc/incidents/${own.incident_id}`, op));
  assert.equal(gone.incident.status, 'merged');
  assert.equal(
    (await api('POST', `/api/v1/cc/incidents/${a.incident_id}/merge`, op, { into: a.incident_id })).statusCode,
    400,
  );
});

test('a unit of one OPD cannot see or move another OPD’s assignments; the incident closes when every unit resolved', async () => {
  const op = await t.as('cc_operator');
  const dishub = await t.as('dishub.unit');
  const dinkes = await t.as('dinkes.unit');
  const damkar = await t.as('damkar.unit');
  const created = json(
    await api(
      'POST',
      '/api/v1/cc/incidents',
      op,
      call({ category_id: cat.KLL!.id, description: 'Tabrakan motor dan mobil', confirm_new: true }),
    ),
  );
  const id = created.incident_id as number;
  // damkar is not sent: it cannot even learn the incident exists
  assert.equal((await api('GET', `/api/v1/cc/incidents/${id}`, damkar)).statusCode, 404);
  const disp = await api('POST', `/api/v1/cc/incidents/${id}/dispatch`, op, { opd_ids: [opd.dishub, opd.dinkes] });
  assert.equal(disp.statusCode, 201, disp.body);
  const [aDishub, aDinkes] = json(disp).assignment_ids as number[];
  assert.equal(
    (await api('POST', `/api/v1/cc/incidents/${id}/dispatch`, op, { opd_ids: [opd.dishub] })).statusCode,
    400,
  );

  // each unit sees its own queue only
  const qDishub = json(await api('GET', '/api/v1/cc/queue', dishub));
  assert.ok(qDishub.active.some((a: { id: number }) => a.id === aDishub));
  assert.ok(!qDishub.active.some((a: { id: number }) => a.id === aDinkes));
  assert.equal((await api('GET', `/api/v1/cc/queue?opd_id=${opd.dinkes}`, dishub)).statusCode, 403);
  assert.ok(
    json(await api('GET', `/api/v1/cc/queue?opd_id=${opd.dinkes}`, op)).active.some(
      (a: { id: number }) => a.id === aDinkes,
    ),
  );
  // dishub sees the incident with its own assignment only, and cannot move dinkes's
  const seen = json(await api('GET', `/api/v1/cc/incidents/${id}`, dishub));
  assert.deepEqual(
    seen.assignments.map((a: { id: number }) => a.id),
    [aDishub],
  );
  const foreign = await api('POST', `/api/v1/cc/assignments/${aDinkes}/status`, dishub, { status: 'acknowledged' });
  assert.ok([403, 404].includes(foreign.statusCode), foreign.body);
  assert.equal(json(await api('GET', `/api/v1/cc/incidents/${id}`, op)).assignments[1].status, 'dispatched');
  // the unit queue page and its live feed refuse another OPD too
  const s = await t.session('dishub.unit');
  const pg = await t.server.inject({
    method: 'GET',
    url: `/command-center/unit?opd_id=${opd.dinkes}`,
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(pg.statusCode, 200);
  assert.ok(!pg.body.includes(`data-assignment="${aDinkes}"`));
  assert.ok(pg.body.includes(`data-assignment="${aDishub}"`));

  // steps: forward only; handing back needs a reason
  clk.advance(1);
  for (const status of ['acknowledged', 'en_route', 'on_scene']) {
    const r = await api('POST', `/api/v1/cc/assignments/${aDishub}/status`, dishub, { status });
    assert.equal(r.statusCode, 200, r.body);
    clk.advance(2);
  }
  const back = await api('POST', `/api/v1/cc/assignments/${aDishub}/status`, dishub, { status: 'en_route' });
  assert.equal(back.statusCode, 409);
  const noReason = await api('POST', `/api/v1/cc/assignments/${aDishub}/status`, dishub, { status: 'handed_back' });
  assert.equal(noReason.statusCode, 400);
  assert.match(json(noReason).fields[0].message, /alasan/);
  const r1 = json(
    await api('POST', `/api/v1/cc/assignments/${aDishub}/status`, dishub, {
      status: 'resolved',
      note: 'Jalan dibersihkan',
    }),
  );
  assert.deepEqual(r1, { status: 'resolved', incident_status: 'dispatched' });
  const r2 = json(
    await api('POST', `/api/v1/cc/assignments/${aDinkes}/status`, dinkes, {
      status: 'resolved',
      note: 'Korban dibawa ke RSUD',
    }),
  );
  assert.deepEqual(r2, { status: 'resolved', incident_status: 'closed' });
  const done = json(await api('GET', `/api/v1/cc/incidents/${id}`, op));
  assert.equal(done.incident.status, 'closed');
  const kinds = done.timeline.map((e: { kind: string; actor_name: string }) => `${e.kind}:${e.actor_name}`);
  assert.ok(kinds.includes('received:Operator Command Center'));
  assert.ok(kinds.some((k: string) => k.startsWith('on_scene:Unit Lapangan Dinas Perhubungan')));
  assert.equal(kinds[kinds.length - 1], 'closed:Unit Lapangan Dinas Kesehatan');
  // audited
  const audit = await t.db
    .selectFrom('core_audit_log')
    .select(['action', 'entity', 'opd_id'])
    .where('entity', 'in', ['cc_incident', 'cc_assignment'])
    .where('entity_id', 'in', [String(id), String(aDishub), String(aDinkes)])
    .execute();
  const acts = audit.map((a) => `${a.entity}:${a.action}`);
  for (const a of [
    'cc_incident:create',
    'cc_assignment:dispatch',
    'cc_assignment:on_scene',
    'cc_assignment:resolved',
    'cc_incident:close',
  ])
    assert.ok(acts.includes(a), a);
});

test('a unit that hands back reopens the incident for the room', async () => {
  const op = await t.as('cc_operator');
  const created = json(
    await api(
      'POST',
      '/api/v1/cc/incidents',
      op,
      call({ category_id: cat.HWN!.id, description: 'Ular masuk rumah', confirm_new: true }),
    ),
  );
  const [aid] = json(
    await api('POST', `/api/v1/cc/incidents/${created.incident_id}/dispatch`, op, { opd_ids: [opd.damkar] }),
  ).assignment_ids;
  const r = json(
    await api('POST', `/api/v1/cc/assignments/${aid}/status`, await t.as('damkar.unit'), {
      status: 'handed_back',
      reason: 'Armada sedang di kebakaran lain',
    }),
  );
  assert.deepEqual(r, { status: 'handed_back', incident_status: 'open' });
  // and the room can send the same OPD again
  assert.equal(
    (await api('POST', `/api/v1/cc/incidents/${created.incident_id}/dispatch`, op, { opd_ids: [opd.damkar] }))
      .statusCode,
    201,
  );
});

test('timers and breaches follow the category targets on the clock', async () => {
  const op = await t.as('cc_operator');
  clk.set(new Date('2030-03-02T10:00:00Z'));
  const created = json(
    await api(
      'POST',
      '/api/v1/cc/incidents',
      op,
      call({ kecamatan_id: kec.id, kelurahan_id: undefined, lat: undefined, lon: undefined, confirm_new: true }),
    ),
  );
  const id = created.incident_id as number;
  const breachesOf = async () =>
    (
      json(await api('GET', '/api/v1/cc/breaches', op)).rows as Array<{
        incident_id: number;
        assignment_id: number | null;
        timer: { kind: string; breached: boolean; elapsedMin: number; targetMin: number };
      }>
    ).filter((b) => b.incident_id === id);
  // fire: dispatch within 3 min, on scene within 15, resolved within 180
  clk.advance(2);
  assert.deepEqual(await breachesOf(), []);
  const t2 = json(await api('GET', `/api/v1/cc/incidents/${id}`, op)).incident.timers;
  assert.deepEqual(
    t2.map((x: { kind: string; elapsedMin: number; targetMin: number; done: boolean }) => [
      x.kind,
      x.elapsedMin,
      x.targetMin,
      x.done,
    ]),
    [
      ['dispatch', 2, 3, false],
      ['arrive', 2, 15, false],
      ['resolve', 2, 180, false],
    ],
  );
  clk.advance(2); // 4 min: the dispatch target has passed
  assert.deepEqual(
    (await breachesOf()).map((b) => [b.timer.kind, b.assignment_id]),
    [['dispatch', null]],
  );
  const [aid] = json(
    await api('POST', `/api/v1/cc/incidents/${id}/dispatch`, op, { opd_ids: [opd.damkar] }),
  ).assignment_ids;
  assert.deepEqual(await breachesOf(), [], 'a late dispatch is done: no longer pending');
  const late = json(await api('GET', `/api/v1/cc/incidents/${id}`, op)).incident;
  assert.equal(late.timers[0].breached, true);
  assert.equal(late.timers[0].done, true);
  assert.equal(late.breached, true);
  clk.advance(12); // 16 min after the report, nobody on scene
  assert.deepEqual(
    (await breachesOf()).map((b) => [b.timer.kind, b.assignment_id, b.timer.elapsedMin]),
    [['arrive', aid, 16]],
  );
  const unit = await t.as('damkar.unit');
  await api('POST', `/api/v1/cc/assignments/${aid}/status`, unit, { status: 'on_scene' });
  assert.deepEqual(await breachesOf(), []);
  clk.advance(200);
  assert.deepEqual(
    (await breachesOf()).map((b) => b.timer.kind),
    ['resolve'],
  );
  const q = json(await api('GET', '/api/v1/cc/queue', unit));
  const item = q.active.find((a: { id: number }) => a.id === aid);
  assert.deepEqual(
    item.timers.map((x: { kind: string; breached: boolean }) => [x.kind, x.breached]),
    [
      ['arrive', true],
      ['resolve', true],
    ],
  );
  // the supervisor page shows it
  const s = await t.session('cc_operator');
  const page = await t.server.inject({
    method: 'GET',
    url: '/command-center/supervisor',
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`/command-center/incidents/${id}"`));
});

test('the pages of the room, the intake, an incident and a unit render for their roles only', async () => {
  const op = await t.session('cc_operator');
  for (const url of [
    '/command-center',
    '/command-center/intake',
    '/command-center/supervisor',
    '/command-center/unit',
  ]) {
    const r = await t.server.inject({ method: 'GET', url, headers: { ...op.headers, accept: 'text/html' } });
    assert.equal(r.statusCode, 200, url);
    assert.ok(!/<script>|style="/.test(r.body), `${url}: no inline script or style`);
  }
  const unit = await t.session('dishub.unit');
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: '/command-center',
        headers: { ...unit.headers, accept: 'text/html' },
      })
    ).statusCode,
    403,
  );
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: '/command-center/unit',
        headers: { ...unit.headers, accept: 'text/html' },
      })
    ).statusCode,
    200,
  );
  const bappeda = await t.session('bappeda');
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: '/command-center/intake',
        headers: { ...bappeda.headers, accept: 'text/html' },
      })
    ).statusCode,
    403,
  );
  // the intake form: a saved call comes back to an empty form with the tracking code
  const r = await t.server.inject({
    method: 'POST',
    url: '/command-center/intake',
    headers: { ...op.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      _csrf: op.csrf,
      category_id: String(cat.JLN!.id),
      kecamatan_id: String(kec.id),
      description: 'Jalan berlubang',
      confirm_new: '1',
    }).toString(),
  });
  assert.equal(r.statusCode, 303, r.body);
  const next = await t.server.inject({
    method: 'GET',
    url: r.headers.location as string,
    headers: { ...op.headers, accept: 'text/html' },
  });
  assert.match(next.body, /tersimpan\. Kode lacak pelapor: CC-/);
});
