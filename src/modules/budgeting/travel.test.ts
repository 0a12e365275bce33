import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { openStage, opdIdOf, sub, subsOf, sumLines } from './testing.ts';

let t: TestContext;
let subId: number;
const P = '/api/v1/budget';

before(async () => {
  t = await testApp();
  const stageId = (await openStage(t)).id;
  const opd = await opdIdOf(t, 'diskominfo');
  const drafts = (await subsOf(t, stageId, opd))
    .filter((s) => s.status === 'draft')
    .sort((a, b) => (BigInt(b.remaining) > BigInt(a.remaining) ? 1 : -1));
  subId = drafts[0]!.id;
  assert.ok(BigInt(drafts[0]!.remaining) > 40_000_000n);
});
after(async () => t?.close());

// Kabupaten Demo is in Kalimantan Selatan; Jawa Timur is another province. Demo SBU 2027 rates:
//   uang harian luar kota Jawa Timur        Rp   410.000 per person-day
//   penginapan Jawa Timur, golongan I–III   Rp   615.000 per person-night (150% of the daily rate)
//   tiket pesawat Jawa Timur, pulang pergi  Rp 1.900.000 per person
//   representasi: none for golongan I–III
// 3 persons, 2 days (1 night):
//   uang harian   3 × 2 × 410.000   = 2.460.000
//   penginapan    3 × 1 × 615.000   = 1.845.000
//   transport     3 × 1 × 1.900.000 = 5.700.000
//   total                            10.005.000
const trip = {
  description: 'Konsultasi SPBE ke Kementerian',
  persons: 3,
  days: 2,
  province: 'Jawa Timur',
  travel_kind: 'luar_kota',
  transport: 'pesawat',
  grade: 'gol_1_2_3',
};

test('a 3-person, 2-day trip to another province is priced entirely from SBU; its total is the sum of its components', async () => {
  const preview = await t.server.inject({
    method: 'POST',
    url: `${P}/sub-kegiatan/${subId}/travel/preview`,
    headers: await t.as('diskominfo.operator'),
    payload: trip,
  });
  assert.equal(preview.statusCode, 200, preview.body);
  assert.equal(json(preview).total, '10005000');

  const before = await sub(t, subId);
  const res = await t.server.inject({
    method: 'POST',
    url: `${P}/sub-kegiatan/${subId}/travel`,
    headers: await t.as('diskominfo.operator'),
    payload: trip,
  });
  assert.equal(res.statusCode, 201, res.body);
  const out = json(res);
  const byComponent = Object.fromEntries(out.lines.map((l: { travel_component: string }) => [l.travel_component, l]));
  assert.deepEqual(Object.keys(byComponent).sort(), ['penginapan', 'transport', 'uang_harian']);
  assert.equal(byComponent.uang_harian.unit_price, '410000');
  assert.equal(byComponent.uang_harian.coefficient, '3 Orang x 2 Hari');
  assert.equal(byComponent.uang_harian.total, '2460000');
  assert.equal(byComponent.penginapan.unit_price, '615000');
  assert.equal(byComponent.penginapan.coefficient, '3 Orang x 1 Malam');
  assert.equal(byComponent.penginapan.total, '1845000');
  assert.equal(byComponent.transport.unit_price, '1900000');
  assert.equal(byComponent.transport.coefficient, '3 Orang x 1 Kali');
  assert.equal(byComponent.transport.total, '5700000');
  assert.equal(out.total, '10005000');
  for (const l of out.lines) {
    assert.equal(l.item_kind, 'SBU', 'every component is an SBU item');
    assert.equal(l.unit_price, l.catalogue_price, 'priced at the SBU rate, not typed');
    assert.equal(l.account_code, '5.1.02.04.01.0001', 'perjalanan dinas biasa');
    assert.equal(l.free_text, false);
  }
  const after = await sub(t, subId);
  assert.equal(BigInt(after.planned) - BigInt(before.planned), 10_005_000n);
  assert.equal(BigInt(after.planned), await sumLines(t, subId));

  // a trip's lines change only through the trip
  const l = out.lines[0];
  const edit = await t.server.inject({
    method: 'PATCH',
    url: `${P}/lines/${l.id}`,
    headers: await t.as('diskominfo.operator'),
    payload: { version: l.version, unit_price: '1' },
  });
  assert.equal(edit.statusCode, 422);
  const del = await t.server.inject({
    method: 'DELETE',
    url: `${P}/lines/${l.id}?version=${l.version}`,
    headers: await t.as('diskominfo.operator'),
  });
  assert.equal(del.statusCode, 422);

  // re-plan: eselon II gets representation; 4 days
  const replan = await t.server.inject({
    method: 'PUT',
    url: `${P}/travel/${out.id}`,
    headers: await t.as('diskominfo.operator'),
    payload: { ...trip, grade: 'eselon_2', days: 4, version: out.version },
  });
  assert.equal(replan.statusCode, 200, replan.body);
  const r2 = json(replan);
  assert.ok(r2.lines.some((x: { travel_component: string }) => x.travel_component === 'representasi'));
  assert.equal(r2.total, r2.lines.reduce((s: bigint, x: { total: string }) => s + BigInt(x.total), 0n).toString());
  const stale = await t.server.inject({
    method: 'PUT',
    url: `${P}/travel/${out.id}`,
    headers: await t.as('diskominfo.operator'),
    payload: { ...trip, version: out.version },
  });
  assert.equal(stale.statusCode, 409);
  // delete the trip: planned back where it was
  const gone = await t.server.inject({
    method: 'DELETE',
    url: `${P}/travel/${out.id}?version=${r2.version}`,
    headers: await t.as('diskominfo.operator'),
  });
  assert.equal(gone.statusCode, 204, gone.body);
  assert.equal((await sub(t, subId)).planned, before.planned);
});

test('a destination without SBU rates, or another OPD, is refused', async () => {
  const none = await t.server.inject({
    method: 'POST',
    url: `${P}/sub-kegiatan/${subId}/travel`,
    headers: await t.as('diskominfo.operator'),
    payload: { ...trip, province: 'Atlantis' },
  });
  assert.equal(none.statusCode, 422);
  assert.match(json(none).message, /SBU/);
  assert.equal(
    (
      await t.server.inject({
        method: 'POST',
        url: `${P}/sub-kegiatan/${subId}/travel`,
        headers: await t.as('dinkes.operator'),
        payload: trip,
      })
    ).statusCode,
    403,
  );
});
