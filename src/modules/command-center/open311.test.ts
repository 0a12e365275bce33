// Citizens' side: the public report form (rate-limited, photo optional, tracking code, public
// status only) and Open311 GeoReport v2 (discovery, services, definitions, requests GET/POST with
// an api_key, one request, tokens; JSON and XML; spec field names, open/closed, spec errors).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listOpds, listRegions } from '../master-data/index.ts';

let t: TestContext;
let key = '';
let kec: { id: number; code: string; kelCode: string };
let opd: Record<string, number> = {};

before(async () => {
  t = await testApp();
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
  const regions = await listRegions(t.db, t.pemdaId);
  const k = regions.find((r) => r.code === '99.01.02')!;
  kec = { id: k.id, code: k.code, kelCode: regions.find((r) => r.parentId === k.id)!.code };
});
after(async () => t?.close());

const get = (url: string, headers: Record<string, string> = {}) => t.server.inject({ method: 'GET', url, headers });
const form = (url: string, fields: Record<string, string>) =>
  t.server.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
].sort();

test('discovery and the service list, in JSON and XML, with the spec field names', async () => {
  const d = json(await get('/open311/v2/discovery.json'));
  assert.equal(d.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.deepEqual(d.endpoints[0].formats, ['text/xml', 'application/json']);
  const dx = await get('/open311/v2/discovery.xml');
  assert.match(dx.headers['content-type'] as string, /text\/xml/);
  assert.match(
    dx.body,
    /<discovery><changeset>.*<endpoints><endpoint><specification>http:\/\/wiki\.open311\.org\/GeoReport_v2<\/specification>/s,
  );

  const s = json(await get('/open311/v2/services.json'));
  assert.equal(s.length, 13, 'the public categories (not suicide attempts nor bodies found)');
  assert.deepEqual(Object.keys(s[0]).sort(), [
    'description',
    'group',
    'keywords',
    'metadata',
    'service_code',
    'service_name',
    'type',
  ]);
  const fire = s.find((x: { service_code: string }) => x.service_code === 'KBK');
  assert.equal(fire.service_name, 'Kebakaran');
  assert.equal(fire.type, 'realtime');
  assert.ok(!s.some((x: { service_code: string }) => x.service_code === 'BDR'));
  assert.deepEqual(json(await get('/open311/v2/services')), s);
  const sx = await get('/open311/v2/services.xml');
  assert.match(sx.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<services><service><service_code>/);
  assert.equal((sx.body.match(/<service>/g) ?? []).length, 13);
  // English on request
  assert.equal(
    json(await get('/open311/v2/services.json', { 'accept-language': 'en' })).find(
      (x: { service_code: string }) => x.service_code === 'KBK',
    ).service_name,
    'Fire',
  );

  const def = json(await get('/open311/v2/services/KBK.json'));
  assert.equal(def.service_code, 'KBK');
  const attr = def.attributes.find((a: { code: string }) => a.code === 'kecamatan');
  assert.deepEqual(Object.keys(attr).sort(), [
    'code',
    'datatype',
    'datatype_description',
    'description',
    'order',
    'required',
    'values',
    'variable',
  ]);
  assert.equal(attr.datatype, 'singlevaluelist');
  assert.ok(attr.values.some((v: { key: string }) => v.key === kec.code));
  assert.match(
    (await get('/open311/v2/services/KBK.xml')).body,
    /<service_definition><service_code>KBK<\/service_code><attributes><attribute><variable>true<\/variable>/,
  );
  const unknown = await get('/open311/v2/services/BDR.json');
  assert.equal(unknown.statusCode, 404);
  assert.deepEqual(json(unknown), [{ code: 404, description: 'service_code tidak dikenal.' }]);
});

test('POST needs an api_key issued by the admin; bad input is refused in the spec format, in Indonesian', async () => {
  const body = {
    service_code: 'PHN',
    description: 'Pohon tumbang menutup jalan',
    lat: '-3.2000',
    long: '114.4700',
    first_name: 'Rina',
    phone: '081234567890',
    email: 'rina@example.id',
  };
  const none = await form('/open311/v2/requests.json', body);
  assert.equal(none.statusCode, 403);
  assert.deepEqual(json(none), [
    { code: 403, description: 'api_key wajib diisi dengan kunci yang diterbitkan administrator.' },
  ]);
  const noneXml = await form('/open311/v2/requests.xml', { ...body, api_key: 'o311_wrong' });
  assert.equal(noneXml.statusCode, 403);
  assert.match(noneXml.body, /<errors><error><code>403<\/code><description>api_key wajib/);

  // the admin issues a key (shown once)
  const admin = await t.session('admin');
  const issued = await t.server.inject({
    method: 'POST',
    url: '/command-center/open311-clients',
    headers: { ...admin.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: admin.csrf, name: 'Aplikasi Warga Demo' }).toString(),
  });
  assert.equal(issued.statusCode, 201, issued.body);
  key = /<code class="cc-key">(o311_[A-Za-z0-9_-]+)<\/code>/.exec(issued.body)![1]!;
  const op = await t.session('cc_operator');
  assert.equal((await get('/command-center/open311-clients', { ...op.headers, accept: 'text/html' })).statusCode, 403);

  const bad = await form('/open311/v2/requests.json', {
    ...body,
    api_key: key,
    description: '',
    phone: '12',
    long: '',
  });
  assert.equal(bad.statusCode, 400);
  const descs = (json(bad) as Array<{ code: number; description: string }>).map((e) => e.description);
  assert.ok(json(bad).every((e: { code: number }) => e.code === 400));
  assert.ok(
    descs.some((d) => /^description: Uraian kejadian wajib diisi/.test(d)),
    descs.join(' | '),
  );
  assert.ok(
    descs.some((d) => /^reporter_phone: Nomor telepon tidak valid/.test(d)),
    descs.join(' | '),
  );
  const noWhere = await form('/open311/v2/requests.json', {
    api_key: key,
    service_code: 'PHN',
    description: 'x',
    email: 'a@b.id',
  });
  assert.equal(noWhere.statusCode, 400);
  assert.match(json(noWhere)[0].description, /kecamatan/);
  const badService = await form('/open311/v2/requests.json', { ...body, api_key: key, service_code: 'BDR' });
  assert.deepEqual(json(badService), [{ code: 400, description: 'service_code: service_code tidak dikenal.' }]);
});

test('a posted request: its id and token, its status (open, then closed) with the spec fields, no phone nor e-mail', async () => {
  // lat/long inside Sukamaju (kecamatan found from the boundary file)
  const r = await form('/open311/v2/requests.json', {
    api_key: key,
    service_code: 'PHN',
    description: 'Pohon tumbang menutup jalan',
    lat: '-3.2000',
    long: '114.4700',
    first_name: 'Rina',
    phone: '081234567890',
    email: 'rina@example.id',
  });
  assert.equal(r.statusCode, 201, r.body);
  const [{ service_request_id: id, token }] = json(r);
  assert.match(id, /^CC-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  const byAttr = json(
    await form('/open311/v2/requests.xml'.replace('.xml', '.json'), {
      api_key: key,
      service_code: 'JLN',
      description: 'Jalan berlubang',
      [`attribute[kecamatan]`]: kec.code,
      [`attribute[kelurahan]`]: kec.kelCode,
      address_string: 'Jl. Veteran 10',
      email: 'x@y.id',
    }),
  );
  assert.match(byAttr[0].service_request_id, /^CC-/);

  const one = json(await get(`/open311/v2/requests/${id}.json`));
  assert.equal(one.length, 1);
  assert.deepEqual(Object.keys(one[0]).sort(), REQUEST_FIELDS);
  assert.equal(one[0].status, 'open');
  assert.equal(one[0].service_code, 'PHN');
  assert.equal(one[0].lat, -3.2);
  assert.match(one[0].requested_datetime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(one[0].address, /Sukamaju/);
  const raw = (await get(`/open311/v2/requests/${id}.json`)).body + (await get(`/open311/v2/requests/${id}.xml`)).body;
  assert.ok(!raw.includes('081234567890') && !raw.includes('rina@example.id'), 'no phone, no e-mail');
  assert.match(
    (await get(`/open311/v2/requests/${id}.xml`)).body,
    new RegExp(`<service_requests><request><service_request_id>${id}</service_request_id><status>open</status>`),
  );
  assert.deepEqual(json(await get(`/open311/v2/tokens/${token}.json`)), [{ service_request_id: id, token }]);
  assert.equal((await get('/open311/v2/tokens/nope-nope-nope.json')).statusCode, 404);
  assert.deepEqual(json(await get('/open311/v2/requests/CC-AAAA-AAAA.json')), [
    { code: 404, description: 'Laporan tidak ditemukan.' },
  ]);

  // filters
  const list = async (qs: string) =>
    (json(await get(`/open311/v2/requests.json?${qs}`)) as Array<{ service_request_id: string; status: string }>).map(
      (x) => x.service_request_id,
    );
  assert.ok((await list('service_code=PHN')).includes(id));
  assert.ok(!(await list('service_code=KBK')).includes(id));
  assert.ok((await list('status=open')).includes(id));
  assert.ok(!(await list('status=closed')).includes(id));
  assert.ok(
    !(await list(`start_date=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).includes(id),
  );
  assert.ok(
    (
      await list(
        `start_date=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&end_date=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
      )
    ).includes(id),
  );
  assert.deepEqual(await list(`service_request_id=${id},${byAttr[0].service_request_id}`), [
    byAttr[0].service_request_id,
    id,
  ]);
  const badDate = await get('/open311/v2/requests.json?start_date=kemarin');
  assert.equal(badDate.statusCode, 400);
  assert.match(json(badDate)[0].description, /^start_date: Tanggal harus berformat ISO 8601/);
  // call-in reports are not listed publicly
  const calls = await t.db
    .selectFrom('cc_report')
    .select('tracking_code')
    .where('source', '=', 'call')
    .limit(3)
    .execute();
  const all = await list('');
  assert.ok(calls.every((c) => !all.includes(c.tracking_code)));

  // the room dispatches, the unit resolves: closed, with a status note
  const incident = await t.db
    .selectFrom('cc_report')
    .select('incident_id')
    .where('tracking_code', '=', id)
    .executeTakeFirstOrThrow();
  const opH = await t.as('cc_operator');
  const disp = await t.server.inject({
    method: 'POST',
    url: `/api/v1/cc/incidents/${incident.incident_id}/dispatch`,
    headers: opH,
    payload: { opd_ids: [opd.dlh] },
  });
  assert.equal(disp.statusCode, 201, disp.body);
  assert.match(
    json(await get(`/open311/v2/requests/${id}.json`))[0].status_notes,
    /Diteruskan ke Dinas Lingkungan Hidup/,
  );
  await t.server.inject({
    method: 'POST',
    url: `/api/v1/cc/assignments/${json(disp).assignment_ids[0]}/status`,
    headers: await t.as('dlh.unit'),
    payload: { status: 'resolved', note: 'Catatan internal: gergaji mesin rusak' },
  });
  const closed = json(await get(`/open311/v2/requests/${id}.json`))[0];
  assert.equal(closed.status, 'closed');
  assert.equal(closed.status_notes, 'Selesai ditangani');
  assert.equal(closed.agency_responsible, 'Dinas Lingkungan Hidup');
  assert.ok(!(await get(`/open311/v2/requests/${id}.json`)).body.includes('gergaji'), 'no internal note');
  assert.ok((await list('status=closed')).includes(id));
});

test('a deactivated key is refused', async () => {
  const admin = await t.session('admin');
  const c = await t.db
    .selectFrom('cc_api_client')
    .select('id')
    .where('name', '=', 'Aplikasi Warga Demo')
    .executeTakeFirstOrThrow();
  const r = await t.server.inject({
    method: 'POST',
    url: `/command-center/open311-clients/${c.id}/active`,
    headers: { ...admin.headers, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: admin.csrf, active: '0' }).toString(),
  });
  assert.equal(r.statusCode, 303);
  const refused = await form('/open311/v2/requests.json', {
    api_key: key,
    service_code: 'PHN',
    description: 'x',
    lat: '-3.2',
    long: '114.47',
    email: 'a@b.id',
  });
  assert.equal(refused.statusCode, 403);
});

// ---- the public web form ------------------------------------------------------------------------------
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

async function publicPost(fields: Record<string, string>, photo: Buffer | null, remoteAddress: string) {
  const page = await t.server.inject({ method: 'GET', url: '/lapor', headers: { accept: 'text/html' }, remoteAddress });
  assert.equal(page.statusCode, 200);
  const pre = page.cookies.find((c) => c.name === 'padu_csrf')!.value;
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const boundary = '----padu' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ ...fields, _csrf: token }))
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (photo)
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="photo"; filename="p.png"\r\ncontent-type: image/png\r\n\r\n`,
      ),
      photo,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return t.server.inject({
    method: 'POST',
    url: '/lapor',
    remoteAddress,
    headers: { accept: 'text/html', 'content-type': `multipart/form-data; boundary=${boundary}` },
    cookies: { padu_csrf: pre },
    payload: Buffer.concat(parts),
  });
}

test('the public form: a report with a photo gets a tracking code; its page shows the public status only', async () => {
  const cats = json(await get('/open311/v2/services.json')) as Array<{ service_code: string }>;
  assert.ok(cats.length > 0);
  const hwn = await t.db.selectFrom('cc_category').select('id').where('code', '=', 'HWN').executeTakeFirstOrThrow();
  const fields = {
    category_id: String(hwn.id),
    description: 'Buaya terlihat di parit dekat sekolah',
    kecamatan_id: String(kec.id),
    address: 'SDN 3',
    reporter_name: 'Fajar',
    reporter_phone: '0813 5555 1234',
  };
  const r = await publicPost(fields, PNG, '10.1.1.1');
  assert.equal(r.statusCode, 303, r.body);
  const loc = r.headers.location as string;
  const code = /kode=(CC-[A-Z2-9-]+)/.exec(loc)![1]!;
  const page = await get(loc, { accept: 'text/html' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(code));
  assert.match(page.body, /Diterima, menunggu diteruskan/);
  assert.ok(!page.body.includes('5555'), 'no phone number on the public page');
  const photo = await get(`/lapor/foto/${code}`);
  assert.equal(photo.headers['content-type'], 'image/png');
  assert.equal(photo.rawPayload.length, PNG.length);
  // the room sees the phone; the report is a new incident
  const rep = await t.db
    .selectFrom('cc_report')
    .select(['reporter_phone', 'source'])
    .where('tracking_code', '=', code)
    .executeTakeFirstOrThrow();
  assert.deepEqual(rep, { reporter_phone: '0813 5555 1234', source: 'web' });

  // bad input: 400, field by field, in Indonesian, nothing saved
  const bad = await publicPost(
    { ...fields, reporter_phone: '', description: '' },
    Buffer.from('not an image'),
    '10.1.1.2',
  );
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /Uraian kejadian wajib diisi/);
  assert.match(bad.body, /Isi nomor telepon atau e-mail/);
  const notImage = await publicPost(fields, Buffer.from('GIF89a....'), '10.1.1.3');
  assert.equal(notImage.statusCode, 400);
  assert.match(notImage.body, /Foto harus JPEG, PNG atau WebP/);
  // a caller's code shows no phone either, and an unknown code is 404
  const call = await t.db
    .selectFrom('cc_report')
    .select('tracking_code')
    .where('source', '=', 'call')
    .executeTakeFirstOrThrow();
  const callPage = await get(`/lapor/lacak?kode=${call.tracking_code}`, { accept: 'text/html' });
  assert.equal(callPage.statusCode, 200);
  assert.ok(!/08\d{8,}/.test(callPage.body));
  assert.equal((await get('/lapor/lacak?kode=CC-ZZZZ-ZZZZ', { accept: 'text/html' })).statusCode, 404);
});

test('the public form is rate-limited per address', async () => {
  const hwn = await t.db.selectFrom('cc_category').select('id').where('code', '=', 'HWN').executeTakeFirstOrThrow();
  const fields = {
    category_id: String(hwn.id),
    description: 'Ular',
    kecamatan_id: String(kec.id),
    reporter_name: 'A',
    reporter_email: 'a@b.id',
  };
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) codes.push((await publicPost(fields, null, '10.9.9.9')).statusCode);
  assert.deepEqual(codes, [303, 303, 303, 303, 303, 429]);
  assert.equal((await publicPost(fields, null, '10.9.9.10')).statusCode, 303, 'another address is not limited');
});
