import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { ATK, itemFor, openStage, opdIdOf, sub, subsOf } from './testing.ts';

let t: TestContext;
let stageId: number;
let dinkes: number;
let subId: number;
const LIMIT = 150 * 1024;

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  dinkes = await opdIdOf(t, 'dinkes');
  subId = (await subsOf(t, stageId, dinkes)).find((s) => s.status === 'draft' && s.lines > 0)!.id;
});
after(async () => t?.close());

async function page(user: string, url: string) {
  const s = await t.session(user);
  return t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
}
async function form(user: string, url: string, fields: Record<string, string>, extra: Record<string, string> = {}) {
  const s = await t.session(user);
  const body = new URLSearchParams({ ...fields, _csrf: s.csrf }).toString();
  return t.server.inject({
    method: 'POST',
    url,
    headers: {
      cookie: s.headers.cookie!,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
      ...extra,
    },
    payload: body,
  });
}
const rp = (v: bigint | string) => `Rp ${new Intl.NumberFormat('id-ID').format(BigInt(v))}`;

test('pages of every reader: overview, OPD, sub kegiatan, review, stages, notifications — light', async () => {
  const op = await page('dinkes.operator', '/budget');
  assert.equal(op.statusCode, 302);
  assert.equal(op.headers.location, `/budget/opd/${dinkes}`);
  for (const [user, url, marker] of [
    ['dinkes.operator', `/budget/opd/${dinkes}`, 'RKA-SKPD Dinas Kesehatan'],
    ['dinkes.operator', `/budget/sub/${subId}`, 'Rincian belanja'],
    ['bappeda', '/budget', 'Total Pemda'],
    ['dprd', '/budget', 'Dinas Kesehatan'],
    ['inspektorat', `/budget/sub/${subId}`, 'Sisa pagu'],
    ['tapd', '/budget/review', 'Baris yang perlu diperiksa'],
    ['tapd', '/budget/stages', 'Pagu OPD'],
    ['tapd', '/budget/notifications', 'Notifikasi anggaran'],
    ['dinkes.operator', `/budget/sub/${subId}/lines/new`, 'hx-get="/catalogue/picker"'],
    ['dinkes.operator', `/budget/sub/${subId}/travel`, 'Kalkulator perjalanan dinas'],
  ] as const) {
    const res = await page(user, url);
    assert.equal(res.statusCode, 200, `${user} ${url}: ${res.statusCode}`);
    assert.ok(res.body.includes(marker), `${url} shows ${marker}`);
    assert.ok(res.body.length < LIMIT, `${url} is ${res.body.length} bytes`);
  }
  // the home page lists the budget pages in its budgeting section
  const home = await page('tapd', '/');
  assert.ok(home.body.includes('href="/budget/review"'));
  // read-only readers get no edit links, other OPDs nothing
  const dprd = await page('dprd', `/budget/sub/${subId}`);
  assert.ok(!dprd.body.includes('/lines/new'));
  assert.equal((await page('disdik.operator', `/budget/sub/${subId}`)).statusCode, 403);
  assert.equal((await page('bappeda', '/budget/review')).statusCode, 403);
});

test('the line editor without JavaScript: search the catalogue, save, see the remaining ceiling change', async () => {
  const item = await itemFor(t, ATK);
  const search = await form('dinkes.operator', `/budget/sub/${subId}/lines/new`, {
    op: 'search',
    account: ATK,
    q: item.name.split(' ')[0]!,
    v1: '4',
  });
  assert.equal(search.statusCode, 200);
  assert.ok(/name="v1"[^>]*data-num="decimal"[^>]*value="4"/.test(search.body), 'what was typed stays in the form');
  assert.ok(search.body.includes(`name="item_id" value="${item.itemId}"`), 'results are radio buttons in the form');
  const before = await sub(t, subId);
  const fields = {
    account: ATK,
    item_id: String(item.itemId),
    v1: '4',
    u1: 'Buah',
    v2: '3',
    u2: 'Bulan',
    group_header: 'ATK rutin',
  };
  // the live preview (htmx) computes without saving
  const preview = await form('dinkes.operator', `/budget/sub/${subId}/lines/preview`, fields, { 'hx-request': 'true' });
  assert.equal(preview.statusCode, 200, preview.body);
  const total = BigInt(item.price) * 12n;
  assert.ok(preview.body.includes(rp(total)), 'shows the total');
  assert.ok(preview.body.includes(rp(BigInt(before.remaining) - total)), 'shows the remaining ceiling after the line');
  assert.equal((await sub(t, subId)).planned, before.planned, 'a preview writes nothing');
  // save
  const saved = await form('dinkes.operator', `/budget/sub/${subId}/lines/new`, fields);
  assert.equal(saved.statusCode, 303, saved.body);
  const shown = await page('dinkes.operator', `/budget/sub/${subId}`);
  assert.ok(
    shown.body.includes(rp(BigInt(before.remaining) - total)),
    'the sub kegiatan page shows the new remaining ceiling',
  );
  // a price above the catalogue: the form again, with the reason at the field
  const bad = await form('dinkes.operator', `/budget/sub/${subId}/lines/new`, {
    ...fields,
    unit_price: String(BigInt(item.price) + 500n),
  });
  assert.equal(bad.statusCode, 422);
  assert.match(bad.body, /melebihi harga standar katalog/);
  assert.ok(bad.body.includes('id="line-form"'));
});

test('the line form reads Indonesian numbers: 1.000 is a thousand, 1.5 is refused at its field, the form keeps it', async () => {
  const item = await itemFor(t, ATK);
  const base = { account: ATK, item_id: String(item.itemId), u1: 'Kotak' };
  // the preview computes with 1.000 = 1000, and explains why it cannot compute when the volume is unreadable
  const pv = await form(
    'dinkes.operator',
    `/budget/sub/${subId}/lines/preview`,
    { ...base, v1: '1.000' },
    { 'hx-request': 'true' },
  );
  assert.ok(pv.body.includes(rp(BigInt(item.price) * 1000n)), 'preview total = price × 1000');
  const why = await form(
    'dinkes.operator',
    `/budget/sub/${subId}/lines/preview`,
    { ...base, v1: '1.5' },
    { 'hx-request': 'true' },
  );
  assert.match(why.body, /id="preview-why"/);
  assert.match(why.body, /Volume 1: &quot;1\.5&quot; tidak jelas|Volume 1: "1\.5" tidak jelas/);
  const noAccount = await form(
    'dinkes.operator',
    `/budget/sub/${subId}/lines/preview`,
    { v1: '2' },
    { 'hx-request': 'true' },
  );
  assert.match(noAccount.body, /pilih rekening/);
  // 1.5 is refused with the reason beside Volume 1, and the form shows 1.5 again
  const bad = await form('dinkes.operator', `/budget/sub/${subId}/lines/new`, { ...base, v1: '1.5' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /tidak jelas: titik hanya memisahkan ribuan/);
  assert.match(bad.body, /name="v1"[^>]*value="1.5"/);
  // 1.000 is saved as a thousand, through the HTML form and the JSON API alike
  const saved = await form('dinkes.operator', `/budget/sub/${subId}/lines/new`, {
    ...base,
    v1: '1.000',
    unit_price: 'Rp 1.000',
  });
  assert.equal(saved.statusCode, 303, saved.body);
  const lineId = /#line-(\d+)/.exec(saved.headers.location as string)![1]!;
  const edit = await page('dinkes.operator', `/budget/lines/${lineId}/edit`);
  assert.match(edit.body, /name="v1"[^>]*value="1.000"/, 'the edit form shows 1.000 (Indonesian), not 1000');
  assert.match(edit.body, /name="unit_price"[^>]*value="1.000"/);
  const api = json<{ lines: Array<{ id: string; factors: Array<{ v: string }>; total: string }> }>(
    await t.server.inject({
      method: 'GET',
      url: `/api/v1/budget/sub-kegiatan/${subId}`,
      headers: await t.as('dinkes.operator'),
    }),
  );
  const line = api.lines.find((l) => String(l.id) === lineId)!;
  assert.equal(line.factors[0]!.v, '1000', 'the API keeps the canonical form');
  assert.equal(line.total, '1000000');
});

test('the travel calculator previews SBU components and saves the trip', async () => {
  const fields = {
    description: 'Rapat koordinasi di Jakarta',
    persons: '2',
    days: '3',
    province: 'DKI Jakarta',
    travel_kind: 'luar_kota',
    transport: 'pesawat',
    grade: 'gol_1_2_3',
  };
  // only valid combinations: inside the region never by plane; the form says so at the field
  const flight = await form('dinkes.operator', `/budget/sub/${subId}/travel`, { ...fields, travel_kind: 'dalam_kota' });
  assert.equal(flight.statusCode, 400);
  assert.match(flight.body, /Transportasi: perjalanan dalam daerah tidak memakai pesawat atau tarif darat/);
  assert.doesNotMatch(flight.body, /5\.1\.02\.04/, 'no account code in the message');
  const form_ = await page('dinkes.operator', `/budget/sub/${subId}/travel`);
  assert.match(form_.body, /<option value="pesawat" data-parent="luar_kota"/);
  assert.match(form_.body, /<option value="darat" data-parent="luar_kota"[ >]/);
  assert.match(form_.body, /<option value="none" data-parent="luar_kota dalam_kota"/);
  // destinations: dalam daerah only to the Pemda's own province (Kalimantan Selatan in the demo)
  assert.match(form_.body, /<option value="DKI Jakarta" data-parent="luar_kota"[ >]/);
  assert.match(form_.body, /<option value="Kalimantan Selatan" data-parent="luar_kota dalam_kota"/);
  const far = await form('dinkes.operator', `/budget/sub/${subId}/travel`, {
    ...fields,
    travel_kind: 'dalam_kota',
    transport: 'none',
  });
  assert.equal(far.statusCode, 422);
  assert.match(far.body, /Provinsi tujuan: perjalanan dalam daerah hanya ke Kalimantan Selatan/);
  const pv = await form('dinkes.operator', `/budget/sub/${subId}/travel/preview`, fields, { 'hx-request': 'true' });
  assert.equal(pv.statusCode, 200);
  assert.match(pv.body, /Uang harian/);
  assert.match(pv.body, /Penginapan/);
  const before = await sub(t, subId);
  const api = json(
    await t.server.inject({
      method: 'POST',
      url: `/api/v1/budget/sub-kegiatan/${subId}/travel/preview`,
      headers: await t.as('dinkes.operator'),
      payload: { ...fields, persons: 2, days: 3 },
    }),
  );
  const saved = await form('dinkes.operator', `/budget/sub/${subId}/travel`, fields);
  assert.ok(
    BigInt(api.total) <= BigInt(before.remaining),
    `the demo trip (${api.total}) fits the remaining ceiling (${before.remaining})`,
  );
  assert.equal(saved.statusCode, 303, saved.body);
  const after = await sub(t, subId);
  assert.equal(after.travels.length, before.travels.length + 1);
});

test('TAPD returns with a note per line from the page; the OPD sees it', async () => {
  const head = await form('dinkes.head', `/budget/sub/${subId}/submit`, {});
  assert.equal(head.statusCode, 303, head.body);
  const s = await sub(t, subId);
  const reviewPage = await page('tapd', `/budget/sub/${subId}`);
  assert.ok(reviewPage.body.includes(`name="note_${s.lines[0].id}"`), 'a note field per line');
  const ret = await form('tapd', `/budget/sub/${subId}/return`, {
    note: 'Perbaiki volume',
    [`note_${s.lines[0].id}`]: 'Terlalu banyak',
  });
  assert.equal(ret.statusCode, 303, ret.body);
  const opPage = await page('dinkes.operator', `/budget/sub/${subId}`);
  assert.ok(opPage.body.includes('Perbaiki volume'));
  assert.ok(opPage.body.includes('Terlalu banyak'));
  const notes = await page('dinkes.operator', '/budget/notifications');
  assert.match(notes.body, /dikembalikan TAPD/);
  // a refused action shows the reason on a page
  const ask = await form('tapd', `/budget/sub/${subId}/approve`, {});
  assert.equal(ask.statusCode, 200, 'Setujui asks first');
  assert.match(ask.body, /Setujui .*\?/);
  const again = await form('tapd', `/budget/sub/${subId}/approve`, { confirm: '1' });
  assert.equal(again.statusCode, 422);
  assert.match(again.body, /tidak dapat dilakukan/);
});

test('irreversible actions ask first (without JavaScript), saying what will happen, then say what they did', async () => {
  const item = await itemFor(t, ATK);
  const made = await form('dinkes.operator', `/budget/sub/${subId}/lines/new`, {
    account: ATK,
    item_id: String(item.itemId),
    v1: '2',
    u1: 'Buah',
  });
  assert.equal(made.statusCode, 303, made.body);
  const lineId = /#line-(\d+)/.exec(made.headers.location as string)![1]!;
  const before = await sub(t, subId);
  const line = before.lines.find((l: { id: string }) => String(l.id) === lineId);
  // Hapus baris: a confirmation page naming the line and its amount; nothing deleted yet
  const ask = await form('dinkes.operator', `/budget/lines/${lineId}/delete`, { version: String(line.version) });
  assert.equal(ask.statusCode, 200);
  assert.match(ask.body, /Hapus baris ini\?/);
  assert.ok(ask.body.includes(rp(line.total)));
  assert.match(ask.body, new RegExp(`name="version" value="${line.version}"`), 'the confirmation resends the fields');
  assert.equal((await sub(t, subId)).lines.length, before.lines.length, 'nothing deleted before confirming');
  const del = await form('dinkes.operator', `/budget/lines/${lineId}/delete`, {
    version: String(line.version),
    confirm: '1',
  });
  assert.equal(del.statusCode, 303);
  const after = await t.server.inject({
    method: 'GET',
    url: del.headers.location as string,
    headers: { ...(await t.session('dinkes.operator')).headers, accept: 'text/html' },
  });
  assert.match(after.body, /dihapus/, 'the result says what happened');
  assert.equal((await sub(t, subId)).lines.length, before.lines.length - 1);
  // Ajukan RKA: how many sub kegiatan and lines, which OPD
  const submit = await form('dinkes.head', `/budget/opd/${dinkes}/submit`, { stage_id: String(stageId) });
  assert.equal(submit.statusCode, 200);
  assert.match(submit.body, /Ajukan RKA Dinas Kesehatan ke TAPD\?/);
  assert.match(submit.body, /\d+ sub kegiatan Dinas Kesehatan dengan \d+ baris/);
  // Tutup tahapan
  const close = await form('tapd', `/budget/stages/${stageId}/close`, {});
  assert.equal(close.statusCode, 200);
  assert.match(close.body, /Tutup tahapan .*\?/);
  assert.match(close.body, /class="danger"/);
});

test('TAPD work queue: submitted sub kegiatan across OPD, oldest first, filters; the overview badge links to it', async () => {
  const sent = await form('dinkes.head', `/budget/sub/${subId}/submit`, {});
  assert.equal(sent.statusCode, 303, sent.body);
  const s = await sub(t, subId);
  const q = await page('tapd', `/budget/queue?stage_id=${stageId}`);
  assert.equal(q.statusCode, 200);
  assert.ok(q.body.includes(`href="/budget/sub/${subId}"`), 'the submitted sub kegiatan is in the queue');
  assert.match(q.body, /Dinas Kesehatan/);
  assert.ok(q.body.includes(rp(s.planned)));
  // filters: another OPD, a higher amount (typed the Indonesian way), an age
  const disdik = await opdIdOf(t, 'disdik');
  assert.ok(
    !(await page('tapd', `/budget/queue?stage_id=${stageId}&opd_id=${disdik}`)).body.includes(
      `href="/budget/sub/${subId}"`,
    ),
  );
  const big = await page(
    'tapd',
    `/budget/queue?stage_id=${stageId}&amount=${encodeURIComponent('Rp 999.999.999.999')}`,
  );
  assert.ok(!big.body.includes(`href="/budget/sub/${subId}"`));
  assert.ok(
    (await page('tapd', `/budget/queue?stage_id=${stageId}&amount=1.000`)).body.includes(`href="/budget/sub/${subId}"`),
  );
  assert.ok(
    !(await page('tapd', `/budget/queue?stage_id=${stageId}&age=30`)).body.includes(`href="/budget/sub/${subId}"`),
  );
  const bad = await page('tapd', `/budget/queue?stage_id=${stageId}&amount=1.5`);
  assert.match(bad.body, /tidak jelas/);
  // the overview's "Diajukan N" badge leads to the queue of that OPD
  const overview = await page('tapd', `/budget?stage_id=${stageId}`);
  assert.ok(overview.body.includes(`href="/budget/queue?stage_id=${stageId}&amp;opd_id=${dinkes}"`));
  assert.equal((await page('dinkes.operator', '/budget/queue')).statusCode, 403);
  // return it with a note per line: it leaves the "Diajukan" queue
  const ret = await form('tapd', `/budget/sub/${subId}/return`, {
    note: 'Lengkapi',
    [`note_${s.lines[0].id}`]: 'Volume?',
  });
  assert.equal(ret.statusCode, 303, ret.body);
  assert.ok(!(await page('tapd', `/budget/queue?stage_id=${stageId}`)).body.includes(`href="/budget/sub/${subId}"`));
  assert.ok(
    (await page('tapd', `/budget/queue?stage_id=${stageId}&status=returned`)).body.includes(
      `href="/budget/sub/${subId}"`,
    ),
  );
});

test("TAPD forms: the input window and one OPD's access, in the Pemda's time zone (WIB)", async () => {
  const stages = await page('tapd', '/budget/stages');
  assert.equal(stages.statusCode, 200);
  const win = await form('tapd', `/budget/stages/${stageId}/window`, {
    input_opens_at: '2026-11-01T08:00',
    input_closes_at: '2027-01-31T16:00',
  });
  assert.equal(win.statusCode, 303, win.body);
  const st = json(
    await t.server.inject({ method: 'GET', url: `/api/v1/budget/stages/${stageId}`, headers: await t.as('tapd') }),
  );
  assert.equal(new Date(st.input_opens_at).toISOString(), '2026-11-01T01:00:00.000Z', '08.00 WIB');
  assert.equal(new Date(st.input_closes_at).toISOString(), '2027-01-31T09:00:00.000Z');
  assert.ok((await page('tapd', '/budget/stages')).body.includes('value="2026-11-01T08:00"'), 'shown back in WIB');
  const disdik = await opdIdOf(t, 'disdik');
  const closed = await form('tapd', `/budget/stages/${stageId}/input/${disdik}`, { mode: 'closed', until: '' });
  assert.equal(closed.statusCode, 303);
  const opd = json(
    await t.server.inject({
      method: 'GET',
      url: `/api/v1/budget/stages/${stageId}/opds/${disdik}`,
      headers: await t.as('tapd'),
    }),
  );
  assert.equal(opd.input.open, false);
  assert.equal(opd.input.reason, 'opd_closed');
  await form('tapd', `/budget/stages/${stageId}/input/${disdik}`, { mode: 'window' });
});

test('every budget action is in /openapi.json', async () => {
  const spec = json(await t.server.inject({ method: 'GET', url: '/openapi.json' }));
  const paths = Object.keys(spec.paths).filter((p) => p.startsWith('/api/v1/budget'));
  for (const p of [
    '/api/v1/budget/years',
    '/api/v1/budget/stages',
    '/api/v1/budget/stages/{stageId}/close',
    '/api/v1/budget/stages/{stageId}/window',
    '/api/v1/budget/stages/{stageId}/opds/{opdId}/input',
    '/api/v1/budget/stages/{stageId}/locks',
    '/api/v1/budget/stages/{stageId}/opds/{opdId}/ceiling',
    '/api/v1/budget/stages/{stageId}/opds/{opdId}/sub-kegiatan-ceiling',
    '/api/v1/budget/stages/{stageId}/opds/{opdId}/sub-kegiatan',
    '/api/v1/budget/sub-kegiatan/{id}/lines',
    '/api/v1/budget/lines/{id}',
    '/api/v1/budget/sub-kegiatan/{id}/travel',
    '/api/v1/budget/sub-kegiatan/{id}/submit',
    '/api/v1/budget/sub-kegiatan/{id}/approve',
    '/api/v1/budget/sub-kegiatan/{id}/return',
    '/api/v1/budget/stages/{stageId}/opds/{opdId}/submit',
    '/api/v1/budget/stages/{stageId}/flags',
    '/api/v1/budget/notifications',
    '/api/v1/budget/stages/{stageId}/opds/{opdId}/rka.pdf',
    '/api/v1/budget/stages/{stageId}/opds/{opdId}/rka.xlsx',
    '/api/v1/budget/stages/{stageId}/opds/{opdId}/lines.csv',
    '/api/v1/budget/sub-kegiatan/{id}/rka.pdf',
  ]) {
    assert.ok(paths.includes(p), `${p} documented`);
  }
  assert.ok(
    spec.paths['/api/v1/budget/sub-kegiatan/{id}/lines'].post.requestBody,
    'the line body schema is documented',
  );
});
