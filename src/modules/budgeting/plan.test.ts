// The budget wired to the plan: the RKA chooses only from the OPD's approved Renja and carries its
// target and location over; the sub kegiatan page shows the proposals behind it; TAPD starts the
// ceilings from the approved RKPD (TAPD only, idempotent, never below what is planned).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listFundingSources } from '../master-data/index.ts';
import {
  getApprovedRenjaItem,
  listApprovedRenjaItems,
  proposalsForRenjaItem,
  rkpdIndicativeCeilings,
} from '../planning/index.ts';
import { openStage, opdIdOf, sub, subsOf } from './testing.ts';

let t: TestContext;
let stageId: number;
let dinkes: number;
const P = '/api/v1/budget';

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  dinkes = await opdIdOf(t, 'dinkes');
});
after(async () => t?.close());

async function page(user: string, url: string) {
  const s = await t.session(user);
  return t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
}
async function form(user: string, url: string, fields: Record<string, string>) {
  const s = await t.session(user);
  return t.server.inject({
    method: 'POST',
    url,
    headers: { cookie: s.headers.cookie!, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: new URLSearchParams({ ...fields, _csrf: s.csrf }).toString(),
  });
}
/** Audit records of the budget's sub kegiatan and OPD ceilings (log-ins of the test users are audited too). */
const auditSeq = async () =>
  (
    await t.db
      .selectFrom('core_audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('pemda_id', '=', t.pemdaId)
      .where('entity', 'in', ['bud_sub_kegiatan', 'bud_opd'])
      .executeTakeFirstOrThrow()
  ).n;
const initRkpd = async (user: string, payload: object = {}) =>
  t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/ceilings/from-rkpd`,
    headers: await t.as(user),
    payload,
  });

test('the RKA takes a sub kegiatan of the approved Renja with its target, location and funding source; the page offers only those', async () => {
  const have = new Set((await subsOf(t, stageId, dinkes)).map((s) => s.code));
  const items = (await listApprovedRenjaItems(t.db, t.pemdaId, 2027, dinkes)).filter(
    (i) => !have.has(i.subKegiatanCode),
  );
  assert.ok(items.length >= 2, 'the approved Renja holds sub kegiatan the RKA does not have yet');
  // the operator's select offers exactly those
  const opdPage = await page('dinkes.operator', `/budget/opd/${dinkes}`);
  assert.equal(opdPage.statusCode, 200);
  const offered = [...opdPage.body.matchAll(/<option value="(\d\.\d{2}\.\d{2}\.\d\.\d{2}\.\d{4})">/g)].map((m) => m[1]);
  assert.deepEqual(
    offered,
    items.map((i) => i.subKegiatanCode),
  );
  // defaults from the Renja item
  const item = items[0]!;
  const funding = await listFundingSources(t.db, t.pemdaId);
  const res = await t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/opds/${dinkes}/sub-kegiatan`,
    headers: await t.as('dinkes.operator'),
    payload: { code: item.subKegiatanCode },
  });
  assert.equal(res.statusCode, 201, res.body);
  const created = json(res);
  assert.equal(created.target_volume, item.target);
  assert.equal(created.target_unit, item.unit);
  assert.equal(created.location, item.location);
  assert.ok(item.location, 'the demo Renja item has a location');
  assert.equal(created.region_id, item.regionId);
  assert.equal(created.funding_source_id, funding.find((f) => f.code === item.fundingSourceCode)?.id ?? null);
  assert.notEqual(created.funding_source_id, null);
  assert.equal(created.status, 'draft');
  // what the request gives wins
  const other = items[1]!;
  const given = json(
    await t.server.inject({
      method: 'POST',
      url: `${P}/stages/${stageId}/opds/${dinkes}/sub-kegiatan`,
      headers: await t.as('dinkes.operator'),
      payload: {
        code: other.subKegiatanCode,
        location: 'Puskesmas Sukamaju',
        target_volume: '3',
        target_unit: 'Paket',
      },
    }),
  );
  assert.equal(given.location, 'Puskesmas Sukamaju');
  assert.equal(given.target_volume, '3');
  assert.equal(given.target_unit, 'Paket');
  // the page form (no funding source chosen: the Renja's)
  const third = items[2];
  if (third) {
    const posted = await form('dinkes.operator', `/budget/opd/${dinkes}/sub`, {
      stage_id: String(stageId),
      code: third.subKegiatanCode,
      funding_source_id: '',
    });
    assert.equal(posted.statusCode, 303, posted.body);
    const row = (await subsOf(t, stageId, dinkes)).find((s) => s.code === third.subKegiatanCode)!;
    assert.equal(
      (await sub(t, row.id)).funding_source_id,
      funding.find((f) => f.code === third.fundingSourceCode)?.id ?? null,
    );
  }
});

test('the RKA refuses (422 on code) a sub kegiatan that is not in the approved Renja — e.g. while the Renja is under revision', async () => {
  const disdik = await opdIdOf(t, 'disdik');
  const have = new Set((await subsOf(t, stageId, disdik)).map((s) => s.code));
  const code = (await listApprovedRenjaItems(t.db, t.pemdaId, 2027, disdik)).find(
    (i) => !have.has(i.subKegiatanCode),
  )!.subKegiatanCode;
  const bappeda = await t.as('bappeda');
  const renja = json(
    await t.server.inject({
      method: 'GET',
      url: `/api/v1/planning/renja?year=2027&opd_id=${disdik}`,
      headers: bappeda,
    }),
  ).rows[0];
  const rv = await t.server.inject({
    method: 'POST',
    url: `/api/v1/planning/renja/${renja.id}/revise`,
    headers: bappeda,
    payload: { version: renja.version, note: 'Revisi target' },
  });
  assert.equal(rv.statusCode, 200, rv.body);
  assert.equal(await getApprovedRenjaItem(t.db, t.pemdaId, 2027, disdik, code), undefined);
  const before = await auditSeq();
  const res = await t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/opds/${disdik}/sub-kegiatan`,
    headers: await t.as('disdik.operator'),
    payload: { code },
  });
  assert.equal(res.statusCode, 422, res.body);
  const body = json(res);
  assert.equal(body.fields[0].field, 'code');
  assert.match(body.message, /tidak ada dalam Renja OPD yang disetujui untuk tahun 2027/);
  // TAPD cannot add it through a sub kegiatan ceiling either
  const ceil = await t.server.inject({
    method: 'PUT',
    url: `${P}/stages/${stageId}/opds/${disdik}/sub-kegiatan-ceiling`,
    headers: await t.as('tapd'),
    payload: { code, ceiling: '1000000' },
  });
  assert.equal(ceil.statusCode, 422, ceil.body);
  assert.equal(json(ceil).fields[0].field, 'code');
  assert.equal(await auditSeq(), before, 'nothing written');
  assert.ok(!(await subsOf(t, stageId, disdik)).some((s) => s.code === code));
  // the page says why there is nothing to choose from
  const opdPage = await page('disdik.operator', `/budget/opd/${disdik}`);
  assert.match(opdPage.body, /id="no-renja"/);
  assert.match(opdPage.body, /belum memiliki Renja 2027 yang disetujui/);
  assert.ok(!opdPage.body.includes(`action="/budget/opd/${disdik}/sub"`), 'no add form');
});

test('the sub kegiatan page shows the Renja item and the Musrenbang/Pokir proposals behind it, linked to their public tracking page', async () => {
  const dpupr = await opdIdOf(t, 'dpupr');
  const subs = await subsOf(t, stageId, dpupr);
  let found: { id: number; proposals: Array<{ trackingCode: string; kind: string }> } | undefined;
  for (const s of subs) {
    const ref = await getApprovedRenjaItem(t.db, t.pemdaId, 2027, dpupr, s.code);
    const proposals = ref ? await proposalsForRenjaItem(t.db, t.pemdaId, ref.renjaItemId) : [];
    if (proposals.length) {
      found = { id: s.id, proposals };
      break;
    }
  }
  assert.ok(found, 'a demo RKA sub kegiatan of the roads agency has proposals behind it');
  assert.ok(found.proposals.some((p) => p.kind === 'pokir') && found.proposals.some((p) => p.kind === 'musrenbang'));
  const res = await page('dpupr.operator', `/budget/sub/${found.id}`);
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /Usulan Musrenbang dan Pokir/);
  for (const p of found.proposals)
    assert.ok(res.body.includes(`href="/lacak?kode=${p.trackingCode}&amp;pemda=99.01"`), `links ${p.trackingCode}`);
  const track = await t.server.inject({
    method: 'GET',
    url: `/lacak?kode=${found.proposals[0]!.trackingCode}&pemda=99.01`,
    headers: { accept: 'text/html' },
  });
  assert.equal(track.statusCode, 200, 'the link opens the public tracking page');
  // the Renja target is shown
  assert.match(res.body, /Target Renja/);
});

test('TAPD initialises the ceilings from the RKPD: TAPD only, never below what is planned (422 listing the conflicts, nothing written)', async () => {
  for (const user of ['bappeda', 'admin', 'dinkes.operator', 'dinkes.head', 'dprd', 'inspektorat']) {
    assert.equal((await initRkpd(user)).statusCode, 403, user);
  }
  const ceilingsBefore = await t.db
    .selectFrom('bud_opd_ceiling')
    .select(['opd_id', 'ceiling'])
    .where('pemda_id', '=', t.pemdaId)
    .where('stage_id', '=', stageId)
    .orderBy('opd_id')
    .execute();
  const subsBefore = await t.db
    .selectFrom('bud_sub_kegiatan')
    .select(['id', 'ceiling'])
    .where('pemda_id', '=', t.pemdaId)
    .where('stage_id', '=', stageId)
    .orderBy('id')
    .execute();
  const seq = await auditSeq();
  // the demo RKA plans some sub kegiatan above their pagu indikatif
  const res = await initRkpd('tapd');
  assert.equal(res.statusCode, 422, res.body);
  const conflicts = json(res).details.conflicts as Array<{
    opd_id: number;
    code: string | null;
    sub_kegiatan_id: number | null;
    rkpd_ceiling: string;
    planned: string;
  }>;
  assert.ok(conflicts.length > 0);
  for (const c of conflicts) assert.ok(BigInt(c.planned) > BigInt(c.rkpd_ceiling), `${c.code}: planned above the RKPD`);
  const rkpd = await rkpdIndicativeCeilings(t.db, t.pemdaId, 2027);
  const c0 = conflicts.find((c) => c.code)!;
  assert.equal(
    c0.rkpd_ceiling,
    rkpd.find((r) => r.opdId === c0.opd_id && r.subKegiatanCode === c0.code)!.paguIndikatif,
  );
  assert.equal((await sub(t, c0.sub_kegiatan_id!)).planned, c0.planned);
  assert.match(json(res).message, /di bawah anggaran yang sudah direncanakan/);
  // nothing written
  assert.equal(await auditSeq(), seq);
  assert.deepEqual(
    await t.db
      .selectFrom('bud_opd_ceiling')
      .select(['opd_id', 'ceiling'])
      .where('pemda_id', '=', t.pemdaId)
      .where('stage_id', '=', stageId)
      .orderBy('opd_id')
      .execute(),
    ceilingsBefore,
  );
  assert.deepEqual(
    await t.db
      .selectFrom('bud_sub_kegiatan')
      .select(['id', 'ceiling'])
      .where('pemda_id', '=', t.pemdaId)
      .where('stage_id', '=', stageId)
      .orderBy('id')
      .execute(),
    subsBefore,
  );
  // one OPD alone, too
  const one = await initRkpd('tapd', { opd_id: c0.opd_id });
  assert.equal(one.statusCode, 422);
  assert.ok(json(one).details.conflicts.every((c: { opd_id: number }) => c.opd_id === c0.opd_id));
  // the stages page: the button, and the conflicts listed on a page when refused
  const stagesPage = await page('tapd', '/budget/stages');
  assert.ok(stagesPage.body.includes(`action="/budget/stages/${stageId}/from-rkpd"`));
  const ask = await form('tapd', `/budget/stages/${stageId}/from-rkpd`, {});
  assert.equal(ask.statusCode, 200, 'first a confirmation page');
  assert.match(ask.body, /Inisialisasi pagu .* dari RKPD\?/);
  assert.match(ask.body, /name="confirm" value="1"/);
  const refused = await form('tapd', `/budget/stages/${stageId}/from-rkpd`, { confirm: '1' });
  assert.equal(refused.statusCode, 422);
  assert.ok(
    refused.body.includes(`href="/budget/sub/${c0.sub_kegiatan_id}"`),
    'the conflict links to its sub kegiatan',
  );
  assert.equal(await auditSeq(), seq);
});

test('TAPD initialises an OPD from the RKPD (sub kegiatan added as drafts with the Renja details), idempotently, then adjusts; the difference stays visible', async () => {
  const rsud = await opdIdOf(t, 'rsud');
  const rkpd = (await rkpdIndicativeCeilings(t.db, t.pemdaId, 2027)).filter((r) => r.opdId === rsud);
  assert.ok(rkpd.length > 0, 'the RKPD names the RSUD');
  assert.equal((await subsOf(t, stageId, rsud)).length, 0, 'no RKA yet');
  const total = rkpd.reduce((s, r) => s + BigInt(r.paguIndikatif), 0n);
  const res = await initRkpd('tapd', { opd_id: rsud });
  assert.equal(res.statusCode, 200, res.body);
  const r = json(res);
  assert.equal(r.created, rkpd.length);
  assert.equal(r.updated, 0);
  assert.deepEqual(r.skipped, []);
  assert.deepEqual(
    r.opds.map((o: { opd_id: number; ceiling: string }) => [o.opd_id, o.ceiling]),
    [[rsud, total.toString()]],
  );
  const opd = json(
    await t.server.inject({ method: 'GET', url: `${P}/stages/${stageId}/opds/${rsud}`, headers: await t.as('tapd') }),
  );
  assert.equal(opd.ceiling.ceiling, total.toString());
  assert.equal(opd.summary.rkpd_ceiling, total.toString());
  assert.equal(opd.summary.rkpd_difference, '0');
  assert.equal(opd.sub_kegiatan.length, rkpd.length);
  const renja = await listApprovedRenjaItems(t.db, t.pemdaId, 2027, rsud);
  for (const s of opd.sub_kegiatan) {
    const it = rkpd.find((x) => x.subKegiatanCode === s.code)!;
    assert.equal(s.ceiling, it.paguIndikatif);
    assert.equal(s.rkpd_ceiling, it.paguIndikatif);
    assert.equal(s.rkpd_difference, '0');
    assert.equal(s.status, 'draft');
    const ri = renja.find((x) => x.subKegiatanCode === s.code)!;
    assert.equal(s.target_volume, ri.target);
    assert.equal(s.location, ri.location);
  }
  const audit = await t.db
    .selectFrom('core_audit_log')
    .select(['action', 'entity'])
    .where('pemda_id', '=', t.pemdaId)
    .where('opd_id', '=', rsud)
    .where('action', 'in', ['create_from_rkpd', 'ceiling_from_rkpd'])
    .execute();
  assert.equal(audit.filter((a) => a.action === 'create_from_rkpd').length, rkpd.length);
  assert.equal(audit.filter((a) => a.entity === 'bud_opd').length, 1);
  // idempotent: nothing changes, nothing is recorded
  const seq = await auditSeq();
  const again = json(await initRkpd('tapd', { opd_id: rsud }));
  assert.equal(again.created, 0);
  assert.equal(again.updated, 0);
  assert.equal(again.unchanged, rkpd.length);
  assert.equal(await auditSeq(), seq);
  // TAPD adjusts one sub kegiatan down: the difference shows per sub kegiatan and per OPD
  const first = opd.sub_kegiatan[0];
  const cut = BigInt(first.ceiling) / 2n;
  const set = await t.server.inject({
    method: 'PUT',
    url: `${P}/stages/${stageId}/opds/${rsud}/sub-kegiatan-ceiling`,
    headers: await t.as('tapd'),
    payload: { code: first.code, ceiling: cut.toString() },
  });
  assert.equal(set.statusCode, 200, set.body);
  const adjusted = json(
    await t.server.inject({ method: 'GET', url: `${P}/stages/${stageId}/opds/${rsud}`, headers: await t.as('tapd') }),
  );
  assert.equal(
    adjusted.sub_kegiatan.find((s: { code: string }) => s.code === first.code).rkpd_difference,
    (cut - BigInt(first.ceiling)).toString(),
  );
  const overview = json(
    await t.server.inject({ method: 'GET', url: `${P}/stages/${stageId}/opds`, headers: await t.as('bappeda') }),
  ).rows;
  const row = overview.find((o: { opd_id: number }) => o.opd_id === rsud);
  assert.equal(row.rkpd_ceiling, total.toString());
  assert.equal(row.rkpd_difference, '0', 'the OPD ceiling stays');
  const dinkesRow = overview.find((o: { opd_id: number }) => o.opd_id === dinkes);
  assert.equal(BigInt(dinkesRow.rkpd_difference), BigInt(dinkesRow.ceiling) - BigInt(dinkesRow.rkpd_ceiling));
  // the pages show pagu indikatif vs pagu vs planned
  const ov = await page('bappeda', '/budget');
  assert.match(ov.body, /Pagu indikatif \(RKPD\)/);
  assert.match(ov.body, /Selisih pagu − RKPD/);
  const opdPage = await page('tapd', `/budget/opd/${rsud}`);
  assert.match(opdPage.body, /Pagu indikatif \(RKPD\)/);
  const diff = cut - BigInt(first.ceiling);
  assert.ok(
    opdPage.body.includes(`Rp -${new Intl.NumberFormat('id-ID').format(-diff)}`),
    'the difference of the adjusted sub kegiatan is shown',
  );
  // initialising again brings the adjusted ceiling back to the RKPD's
  const reset = json(await initRkpd('tapd', { opd_id: rsud }));
  assert.equal(reset.updated, 1);
  assert.equal((await subsOf(t, stageId, rsud)).find((s) => s.code === first.code)!.ceiling, first.ceiling);
  // after the page form, the stages page tells what was done
  const notice = await page('tapd', `/budget/stages?stage_id=${stageId}&rkpd=1&opds=0&created=0&updated=1&skipped=0`);
  assert.match(
    notice.body,
    /Pagu dari RKPD: 0 pagu OPD diubah, 0 sub kegiatan ditambahkan, 1 pagu sub kegiatan diubah, 0 dilewati/,
  );
});

test('the new action is in /openapi.json', async () => {
  const spec = json(await t.server.inject({ method: 'GET', url: '/openapi.json' }));
  const op = spec.paths['/api/v1/budget/stages/{stageId}/ceilings/from-rkpd']?.post;
  assert.ok(op, 'documented');
  assert.deepEqual(op.tags, ['budgeting']);
});
