import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { searchCatalogue } from '../catalogue/index.ts';
import { ATK, itemFor, openStage, opdIdOf, sub, subsOf, sumLines, type SubRow } from './testing.ts';

let t: TestContext;
let stageId: number;
let dinkes: number;
let target: SubRow;
const P = '/api/v1/budget';

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  dinkes = await opdIdOf(t, 'dinkes');
  const subs = await subsOf(t, stageId, dinkes);
  target = subs.find((s) => s.status === 'draft' && s.lines > 0)!;
  assert.ok(target, 'a draft sub kegiatan with lines');
});
after(async () => t?.close());

const post = async (url: string, payload: unknown, user = 'dinkes.operator') =>
  t.server.inject({ method: 'POST', url, payload: payload as object, headers: await t.as(user) });
const lineCount = async (subId: number) =>
  Number(
    (
      await t.db
        .selectFrom('bud_line')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('pemda_id', '=', t.pemdaId)
        .where('sub_kegiatan_id', '=', subId)
        .executeTakeFirstOrThrow()
    ).n,
  );

test('a catalogue-priced line is computed exactly and moves planned and remaining', async () => {
  const item = await itemFor(t, ATK);
  const before = await sub(t, target.id);
  const res = await post(`${P}/sub-kegiatan/${target.id}/lines`, {
    account_code: ATK,
    item_id: item.itemId,
    factors: [
      { v: '5', u: 'Orang' },
      { v: '2', u: 'Kali' },
      { v: '3', u: 'Hari' },
    ],
    group_header: 'Rapat',
    description_header: 'Triwulan 1',
  });
  assert.equal(res.statusCode, 201, res.body);
  const line = json(res);
  assert.equal(line.unit_price, item.price, 'defaults to the catalogue price');
  assert.equal(line.total, (BigInt(item.price) * 30n).toString());
  assert.equal(line.coefficient, '5 Orang x 2 Kali x 3 Hari');
  assert.equal(line.volume, '30');
  assert.equal(line.at_catalogue_price, true);
  const after = await sub(t, target.id);
  assert.equal(BigInt(after.planned), BigInt(before.planned) + BigInt(line.total));
  assert.equal(BigInt(after.remaining), BigInt(before.remaining) - BigInt(line.total));
  assert.equal(BigInt(after.planned), await sumLines(t, target.id), 'the maintained total equals the sum of the lines');
});

test('PPN: round_half_up on the rounded subtotal, at the Pemda rate', async () => {
  // The example needs an item priced at least Rp4.550 (a lower unit price than the catalogue's is allowed).
  const { rows } = await searchCatalogue(t.db, t.pemdaId, { year: 2027, account: ATK, limit: 50 });
  const item = rows.find((r) => BigInt(r.price) >= 4550n);
  assert.ok(item, `a demo ATK item priced at least 4550 (prices: ${rows.map((r) => r.price).join(', ')})`);
  const before = await sub(t, target.id);
  const res = await post(`${P}/sub-kegiatan/${target.id}/lines`, {
    account_code: ATK,
    item_id: item.itemId,
    unit_price: '4550',
    factors: [{ v: '1', u: 'Buah' }],
    tax: true,
  });
  assert.equal(res.statusCode, 201, res.body);
  const line = json(res);
  assert.equal(line.subtotal, '4550');
  assert.equal(line.tax_rate, '11');
  assert.equal(line.tax, '501'); // 500,5 → 501
  assert.equal(line.total, '5051');
  // end to end: the stored line and the sub kegiatan's planned total carry the tax
  const after = await sub(t, target.id);
  const stored = after.lines.find((l: { id: number | string }) => String(l.id) === String(line.id));
  assert.ok(stored, 'the line is stored');
  assert.equal(stored.total, '5051');
  assert.equal(BigInt(after.planned), BigInt(before.planned) + 5051n);
  assert.equal(BigInt(after.planned), await sumLines(t, target.id));
});

test('a unit price above the catalogue price is refused with 422 naming the field and the maximum; nothing is written', async () => {
  const item = await itemFor(t, ATK);
  const n = await lineCount(target.id);
  const res = await post(`${P}/sub-kegiatan/${target.id}/lines`, {
    account_code: ATK,
    item_id: item.itemId,
    unit_price: String(BigInt(item.price) + 1n),
    factors: [{ v: '1', u: 'Buah' }],
  });
  assert.equal(res.statusCode, 422, res.body);
  const body = json(res);
  assert.equal(body.fields[0].field, 'unit_price');
  assert.match(body.message, /melebihi harga standar katalog/);
  assert.equal(body.details.max, item.price);
  assert.equal(await lineCount(target.id), n);
});

test('an account not allowed for the catalogue item is refused with 422 naming the account', async () => {
  const item = await itemFor(t, ATK);
  const other = '5.1.02.01.01.0026';
  assert.ok(!item.accounts.includes(other));
  const n = await lineCount(target.id);
  const res = await post(`${P}/sub-kegiatan/${target.id}/lines`, {
    account_code: other,
    item_id: item.itemId,
    factors: [{ v: '1', u: 'Buah' }],
  });
  assert.equal(res.statusCode, 422, res.body);
  assert.equal(json(res).fields[0].field, 'account_code');
  assert.match(json(res).message, /tidak diizinkan untuk item katalog/);
  assert.equal(await lineCount(target.id), n);
  // and a non-leaf account
  const notLeaf = await post(`${P}/sub-kegiatan/${target.id}/lines`, {
    account_code: '5.1.02.01.01',
    item_id: item.itemId,
    factors: [{ v: '1', u: 'Buah' }],
  });
  assert.equal(notLeaf.statusCode, 422);
  assert.equal(json(notLeaf).fields[0].field, 'account_code');
});

test('a line that would push the sub kegiatan over its ceiling is refused with 422 naming the remaining amount', async () => {
  const item = await itemFor(t, ATK);
  const s = await sub(t, target.id);
  const n = await lineCount(target.id);
  const qty = BigInt(s.remaining) / BigInt(item.price) + 1n;
  const res = await post(`${P}/sub-kegiatan/${target.id}/lines`, {
    account_code: ATK,
    item_id: item.itemId,
    factors: [{ v: qty.toString(), u: 'Buah' }],
  });
  assert.equal(res.statusCode, 422, res.body);
  const body = json(res);
  assert.equal(body.error, 'rule');
  assert.equal(body.details.remaining, s.remaining);
  const remainingId = new Intl.NumberFormat('id-ID').format(BigInt(s.remaining));
  assert.ok(body.message.includes(`sisa pagu Rp ${remainingId}`), body.message);
  assert.equal(await lineCount(target.id), n);
  assert.equal((await sub(t, target.id)).planned, s.planned);
});

test('a stale update answers 409 with the current line; a fresh one succeeds and bumps the version', async () => {
  const s = await sub(t, target.id);
  const line = s.lines.find(
    (l: { travel_id: number | null; free_text: boolean }) => l.travel_id === null && !l.free_text,
  );
  const ok = await t.server.inject({
    method: 'PATCH',
    url: `${P}/lines/${line.id}`,
    headers: await t.as('dinkes.operator'),
    payload: { version: line.version, factors: [{ v: '1', u: line.factors[0].u }] },
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(json(ok).version, line.version + 1);
  const stale = await t.server.inject({
    method: 'PATCH',
    url: `${P}/lines/${line.id}`,
    headers: await t.as('dinkes.operator'),
    payload: { version: line.version, factors: [{ v: '2', u: line.factors[0].u }] },
  });
  assert.equal(stale.statusCode, 409, stale.body);
  assert.equal(json(stale).details.current.version, line.version + 1);
  assert.equal(json(stale).details.current.volume, '1');
  const del = await t.server.inject({
    method: 'DELETE',
    url: `${P}/lines/${line.id}?version=${line.version}`,
    headers: await t.as('dinkes.operator'),
  });
  assert.equal(del.statusCode, 409);
  assert.equal(BigInt((await sub(t, target.id)).planned), await sumLines(t, target.id));
});

test('another OPD, and roles that do not enter lines, are refused', async () => {
  const item = await itemFor(t, ATK);
  const body = { account_code: ATK, item_id: item.itemId, factors: [{ v: '1', u: 'Buah' }] };
  assert.equal((await post(`${P}/sub-kegiatan/${target.id}/lines`, body, 'disdik.operator')).statusCode, 403);
  for (const user of ['dinkes.head', 'tapd', 'bappeda', 'dprd', 'inspektorat', 'admin']) {
    assert.equal((await post(`${P}/sub-kegiatan/${target.id}/lines`, body, user)).statusCode, 403, user);
  }
  // readers read; another OPD does not
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: `${P}/sub-kegiatan/${target.id}`,
        headers: await t.as('inspektorat'),
      })
    ).statusCode,
    200,
  );
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: `${P}/sub-kegiatan/${target.id}`,
        headers: await t.as('disdik.head'),
      })
    ).statusCode,
    403,
  );
});

test('free-text items: flagged when the Pemda allows them, refused when it does not', async () => {
  const body = {
    account_code: ATK,
    name: 'Jasa khusus',
    unit: 'Paket',
    unit_price: '100000',
    factors: [{ v: '1', u: 'Paket' }],
  };
  const ok = await post(`${P}/sub-kegiatan/${target.id}/lines`, body);
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(json(ok).free_text, true);
  const flags = json(
    await t.server.inject({
      method: 'GET',
      url: `${P}/stages/${stageId}/flags?opd_id=${dinkes}`,
      headers: await t.as('tapd'),
    }),
  ).rows;
  assert.ok(flags.some((f: { id: string; free_text: boolean }) => f.id === json(ok).id && f.free_text));
  const settings = json(await t.server.inject({ method: 'GET', url: `${P}/settings`, headers: await t.as('tapd') }));
  const off = await t.server.inject({
    method: 'PUT',
    url: `${P}/settings`,
    headers: await t.as('tapd'),
    payload: { ppn_rate: settings.ppn_rate, allow_free_text: false, version: settings.version },
  });
  assert.equal(off.statusCode, 200, off.body);
  const refused = await post(`${P}/sub-kegiatan/${target.id}/lines`, body);
  assert.equal(refused.statusCode, 422);
  assert.equal(json(refused).fields[0].field, 'item_id');
  await t.server.inject({
    method: 'PUT',
    url: `${P}/settings`,
    headers: await t.as('tapd'),
    payload: { ppn_rate: '11', allow_free_text: true },
  });
});

test('outside the input window nothing is written (423); TAPD can reopen one OPD for a day', async () => {
  const item = await itemFor(t, ATK);
  const body = { account_code: ATK, item_id: item.itemId, factors: [{ v: '1', u: 'Buah' }] };
  const tapd = await t.as('tapd');
  const stage = json(await t.server.inject({ method: 'GET', url: `${P}/stages/${stageId}`, headers: tapd }));
  const past = {
    input_opens_at: new Date(Date.now() - 10 * 86400_000).toISOString(),
    input_closes_at: new Date(Date.now() - 86400_000).toISOString(),
  };
  assert.equal(
    (await t.server.inject({ method: 'PATCH', url: `${P}/stages/${stageId}/window`, headers: tapd, payload: past }))
      .statusCode,
    200,
  );
  const n = await lineCount(target.id);
  const closed = await post(`${P}/sub-kegiatan/${target.id}/lines`, body);
  assert.equal(closed.statusCode, 423, closed.body);
  assert.match(json(closed).message, /Jadwal input .* sudah berakhir/);
  const s = await sub(t, target.id);
  const line = s.lines[0];
  const upd = await t.server.inject({
    method: 'PATCH',
    url: `${P}/lines/${line.id}`,
    headers: await t.as('dinkes.operator'),
    payload: { version: line.version, group_header: 'x' },
  });
  assert.equal(upd.statusCode, 423);
  assert.equal(await lineCount(target.id), n);
  // reopen dinkes for a day: dinkes writes, disdik still cannot
  const until = new Date(Date.now() + 86400_000).toISOString();
  const reopen = await t.server.inject({
    method: 'PUT',
    url: `${P}/stages/${stageId}/opds/${dinkes}/input`,
    headers: tapd,
    payload: { mode: 'open', until },
  });
  assert.equal(reopen.statusCode, 200, reopen.body);
  assert.equal((await post(`${P}/sub-kegiatan/${target.id}/lines`, body)).statusCode, 201);
  const disdik = await opdIdOf(t, 'disdik');
  const disdikSub = (await subsOf(t, stageId, disdik)).find((x) => x.status === 'draft')!;
  assert.equal((await post(`${P}/sub-kegiatan/${disdikSub.id}/lines`, body, 'disdik.operator')).statusCode, 423);
  // the operator sees the notification
  const notes = json(
    await t.server.inject({ method: 'GET', url: `${P}/notifications`, headers: await t.as('dinkes.operator') }),
  );
  assert.ok(notes.rows.some((r: { message_key: string }) => r.message_key === 'bud.notify.input_opened'));
  // back to the schedule
  await t.server.inject({
    method: 'PUT',
    url: `${P}/stages/${stageId}/opds/${dinkes}/input`,
    headers: tapd,
    payload: { mode: 'window' },
  });
  const restore = await t.server.inject({
    method: 'PATCH',
    url: `${P}/stages/${stageId}/window`,
    headers: tapd,
    payload: { input_opens_at: stage.input_opens_at, input_closes_at: stage.input_closes_at },
  });
  assert.equal(restore.statusCode, 200);
  // strict input: a window of -1 (epoch → 1969), "" or an impossible date is a 400 naming the field
  for (const bad of [-1, '', '2026-02-30', '1969-12-31T00:00:00Z']) {
    const r = await t.server.inject({
      method: 'PATCH',
      url: `${P}/stages/${stageId}/window`,
      headers: tapd,
      payload: { input_opens_at: bad, input_closes_at: stage.input_closes_at },
    });
    assert.equal(r.statusCode, 400, `${JSON.stringify(bad)} → ${r.statusCode}`);
    assert.match(r.body, /input_opens_at/);
  }
  // TAPD locks the sub kegiatan: 423 again
  const lock = await t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/locks`,
    headers: tapd,
    payload: { opd_id: dinkes, code: target.code },
  });
  assert.equal(lock.statusCode, 204, lock.body);
  assert.equal((await post(`${P}/sub-kegiatan/${target.id}/lines`, body)).statusCode, 423);
  await t.server.inject({
    method: 'DELETE',
    url: `${P}/stages/${stageId}/locks`,
    headers: tapd,
    payload: { opd_id: dinkes, code: target.code },
  });
  assert.equal((await post(`${P}/sub-kegiatan/${target.id}/lines`, body)).statusCode, 201);
  // a lock on its kegiatan refuses it too
  const kegiatan = target.code.split('.').slice(0, 5).join('.');
  const lockK = await t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/locks`,
    headers: tapd,
    payload: { opd_id: dinkes, code: kegiatan },
  });
  assert.equal(lockK.statusCode, 204, lockK.body);
  assert.equal((await post(`${P}/sub-kegiatan/${target.id}/lines`, body)).statusCode, 423);
  await t.server.inject({
    method: 'DELETE',
    url: `${P}/stages/${stageId}/locks`,
    headers: tapd,
    payload: { opd_id: dinkes, code: kegiatan },
  });
  assert.equal((await post(`${P}/sub-kegiatan/${target.id}/lines`, body)).statusCode, 201);
});

test('ceilings: TAPD cannot cut a ceiling below what is planned; the roll-up equals the sum of the lines', async () => {
  const s = await sub(t, target.id);
  const tapd = await t.as('tapd');
  const cut = await t.server.inject({
    method: 'PUT',
    url: `${P}/stages/${stageId}/opds/${dinkes}/sub-kegiatan-ceiling`,
    headers: tapd,
    payload: { code: s.code, ceiling: String(BigInt(s.planned) - 1n) },
  });
  assert.equal(cut.statusCode, 422, cut.body);
  assert.equal(json(cut).fields[0].field, 'ceiling');
  const opds = json(await t.server.inject({ method: 'GET', url: `${P}/stages/${stageId}/opds`, headers: tapd })).rows;
  const row = opds.find((o: { opd_id: number }) => o.opd_id === dinkes);
  const maintained = await t.db
    .selectFrom('bud_opd_ceiling')
    .select('planned')
    .where('pemda_id', '=', t.pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', dinkes)
    .executeTakeFirstOrThrow();
  assert.equal(row.planned, maintained.planned);
  const roll = json(
    await t.server.inject({ method: 'GET', url: `${P}/stages/${stageId}/totals?opd_id=${dinkes}`, headers: tapd }),
  ).rollup;
  const opdTotal = roll.find((r: { level: string }) => r.level === 'opd');
  assert.equal(opdTotal.total, row.planned);
  const programs = roll
    .filter((r: { level: string }) => r.level === 'program')
    .reduce((a: bigint, r: { total: string }) => a + BigInt(r.total), 0n);
  assert.equal(programs.toString(), row.planned);
  const subRow = roll.find((r: { level: string; code: string }) => r.level === 'sub_kegiatan' && r.code === s.code);
  assert.equal(subRow.total, (await sub(t, target.id)).planned);
  // an OPD role reading another OPD's overview is refused
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: `${P}/stages/${stageId}/opds`,
        headers: await t.as('dinkes.operator'),
      })
    ).statusCode,
    403,
  );
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: `${P}/stages/${stageId}/opds?opd_id=${dinkes}`,
        headers: await t.as('dinkes.operator'),
      })
    ).statusCode,
    200,
  );
});

test('revenue lines only for OPD that TAPD allows; accounts of class 4', async () => {
  const bpkad = await opdIdOf(t, 'bpkad');
  const body = {
    account_code: '4.2.01.01.01.0001',
    name: 'DAU tambahan',
    unit_price: '1000000',
    factors: [{ v: '1', u: 'Tahun' }],
  };
  const ok = await post(`${P}/stages/${stageId}/opds/${bpkad}/revenue-lines`, body, 'bpkad.operator');
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(json(ok).kind, 'pendapatan');
  const disdik = await opdIdOf(t, 'disdik');
  const no = await post(`${P}/stages/${stageId}/opds/${disdik}/revenue-lines`, body, 'disdik.operator');
  assert.equal(no.statusCode, 422);
  const wrongClass = await post(
    `${P}/stages/${stageId}/opds/${bpkad}/revenue-lines`,
    { ...body, account_code: ATK },
    'bpkad.operator',
  );
  assert.equal(wrongClass.statusCode, 422);
  assert.equal(json(wrongClass).fields[0].field, 'account_code');
});
