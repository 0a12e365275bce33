import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, json, type TestContext } from '../../testing/harness.ts';
import { ensurePemda } from '../../core/tenancy.ts';
import {
  getAccount,
  getNomenclature,
  getOrganisation,
  listAccounts,
  listNomenclature,
  listOpds,
  listRegions,
  opdCarriesBidang,
} from './index.ts';

let ctx: TestContext;
before(async () => {
  ctx = await testApp();
});
after(() => ctx.close());

const API = '/api/v1/master-data';
const get = async (user: string, url: string) => ctx.server.inject({ method: 'GET', url, headers: await ctx.as(user) });
const send = async (user: string, method: 'POST' | 'PATCH' | 'PUT', url: string, payload: unknown) =>
  ctx.server.inject({ method, url, headers: await ctx.as(user), payload: payload as object });

async function orgByShort(short: string) {
  const o = (await listOpds(ctx.db, ctx.pemdaId)).find((x) => x.shortName === short);
  assert.ok(o, short);
  return o;
}

test('demo seed: 30+ OPD with slug short names, 10+ kecamatan with 4–8 kelurahan/desa, bidang links', async () => {
  const opds = await listOpds(ctx.db, ctx.pemdaId);
  const shorts = new Set(opds.map((o) => o.shortName));
  assert.ok(opds.filter((o) => o.kind === 'opd').length >= 30);
  for (const s of [
    'bappeda',
    'bpkad',
    'inspektorat',
    'dinkes',
    'disdik',
    'dpupr',
    'dishub',
    'damkar',
    'diskominfo',
    'bpbd',
    'satpolpp',
    'setdprd',
    'setda',
    'dinsos',
    'dlh',
    'dp3a',
    'rsud',
  ]) {
    assert.ok(shorts.has(s), s);
  }
  assert.deepEqual(
    opds.map((o) => o.code),
    [...opds.map((o) => o.code)].sort(),
  );
  const kecOrgs = opds.filter((o) => o.kind === 'kecamatan');
  assert.ok(kecOrgs.length >= 10);
  const kec = await listRegions(ctx.db, ctx.pemdaId, 'kecamatan');
  assert.ok(kec.length >= 10);
  const villages = (await listRegions(ctx.db, ctx.pemdaId)).filter((r) => r.kind !== 'kecamatan');
  for (const k of kec) {
    const n = villages.filter((v) => v.parentId === k.id).length;
    assert.ok(n >= 4 && n <= 8, `${k.name}: ${n}`);
    assert.ok(k.organisationId, `${k.name} is linked to its kecamatan office`);
  }
  const kominfo = await orgByShort('diskominfo');
  assert.equal(await opdCarriesBidang(ctx.db, ctx.pemdaId, kominfo.id, '2.21'), true);
  assert.equal(await opdCarriesBidang(ctx.db, ctx.pemdaId, kominfo.id, '1.02'), false);
  const pkm = await get('admin', `${API}/organisations?q=puskesmas&kind=unit`);
  assert.ok(json(pkm).items.length >= 3);
  const unit = json(pkm).items[0];
  const dinkes = await orgByShort('dinkes');
  assert.equal(unit.parent_id, dinkes.id);
  // a unit answers for its OPD's bidang
  assert.equal(await opdCarriesBidang(ctx.db, ctx.pemdaId, unit.id, '1.02'), true);
  assert.equal((await getOrganisation(ctx.db, ctx.pemdaId, unit.id))?.opdId, dinkes.id);
});

test('base seed: expanded support program, nomenclature and accounts for 2026 and 2027', async () => {
  for (const year of [2026, 2027]) {
    assert.equal((await getNomenclature(ctx.db, ctx.pemdaId, year, '2.16.01.2.06.0009'))?.parentCode, '2.16.01.2.06');
    assert.equal((await getNomenclature(ctx.db, ctx.pemdaId, year, '1.02.02.2.01.0001'))?.level, 'sub_kegiatan');
    const acc = await getAccount(ctx.db, ctx.pemdaId, year, '5.1.02.04.01.0001');
    assert.equal(acc?.name, 'Belanja Perjalanan Dinas Biasa');
    // the sample skips 5.1.01.01 and 5.1.01.01.01: the parent is the nearest existing ancestor
    assert.equal((await getAccount(ctx.db, ctx.pemdaId, year, '5.1.01.01.01.0001'))?.parentCode, '5.1.01');
  }
  const subs = await listNomenclature(ctx.db, ctx.pemdaId, 2027, { level: 'sub_kegiatan', under: ['1.02'] });
  assert.ok(subs.length > 30 && subs.every((s) => s.code.startsWith('1.02.') && s.level === 'sub_kegiatan'));
  assert.ok(subs.some((s) => s.code === '1.02.01.2.01.0001' && s.unit === 'Dokumen'));
  const leaves = await listAccounts(ctx.db, ctx.pemdaId, 2027, { level: 'sub_rincian_objek', under: ['5'] });
  assert.ok(leaves.length > 10 && leaves.every((a) => a.code.startsWith('5.') && a.level === 'sub_rincian_objek'));
  assert.deepEqual(await listAccounts(ctx.db, ctx.pemdaId, 2027, { under: ["5' OR 1=1"] }), []);
  const res = json(await get('bappeda', `${API}/funding-sources?q=DAK`));
  assert.ok(res.items.some((f: { code: string }) => f.code === 'DAK-FISIK'));
  const units = json(await get('dprd', `${API}/units?page_size=500`)).items.map((u: { code: string }) => u.code);
  for (const u of ['Orang', 'Hari', 'Paket', 'OK', 'OH', 'M2', 'Km']) assert.ok(units.includes(u), u);
});

test('malformed or unknown codes are a 400 naming the field', async () => {
  const cases: Array<[string, unknown, string]> = [
    ['organisations', { code: '1.02.0.00.01.0000', name: 'X', short_name: 'xx' }, 'code'],
    ['organisations', { code: '1.02.0.00.0.00.77.0001', name: 'Unit tanpa induk', short_name: 'yatim' }, 'code'], // parent OPD missing
    ['organisations', { code: '1.99.0.00.0.00.01.0000', name: 'Bidang tak dikenal', short_name: 'bx' }, 'code'],
    ['organisations', { code: '1.02.0.00.0.00.09.0000', name: 'X', short_name: 'Has Space' }, 'short_name'],
    ['organisations', { code: '1.02.0.00.0.00.09.0000', name: 'X', short_name: 'xnine', head_nip: '123' }, 'head_nip'],
    ['organisations', { code: '1.02.0.00.0.00.09.0000', name: 'X', short_name: 'xnine', kind: 'kecamatan' }, 'kind'],
    ['organisations', { code: '1.02.0.00.0.00.09.0000', name: 'X', short_name: 'dinkes' }, 'short_name'], // taken
    ['organisations', { code: '1.02.0.00.0.00.01.0000', name: 'X', short_name: 'xnine' }, 'code'], // exists
    ['organisations', { name: 'X', short_name: 'xnine' }, 'code'], // missing
    ['nomenclature', { year: 2026, code: '1.02.02.2.1.0001', name: 'X' }, 'code'],
    ['nomenclature', { year: 2026, code: '1.02.09.2.01', name: 'Program belum ada' }, 'code'],
    ['nomenclature', { year: 2026, code: '1.02.02.2.01.0099', name: 'X', level: 'kegiatan' }, 'level'],
    ['nomenclature', { year: 2026, code: '1.02.03', name: 'Program', output: 'Dokumen' }, 'output'],
    ['nomenclature', { code: '1.02.03', name: 'Program' }, 'year'],
    ['accounts', { year: 2026, code: '524111', name: 'APBN code' }, 'code'],
    ['accounts', { year: 2026, code: '7.1.01', name: 'No akun 7' }, 'code'],
    ['regions', { code: '63.06.01', name: 'Outside' }, 'code'],
    ['regions', { code: '99.01.55.1001', name: 'No kecamatan' }, 'code'],
    ['regions', { code: '99.01.01.1009', name: 'X', organisation_id: 1 }, 'organisation_id'],
    ['funding-sources', { code: 'da k', name: 'X' }, 'code'],
    ['units', { code: ' ', name: 'X' }, 'code'],
  ];
  for (const [kind, body, field] of cases) {
    const res = await send('admin', 'POST', `${API}/${kind}`, body);
    assert.equal(res.statusCode, 400, `${kind} ${JSON.stringify(body)}: ${res.body}`);
    const fields = json(res).fields.map((f: { field: string }) => f.field);
    assert.ok(fields.includes(field), `${kind} ${JSON.stringify(body)} → ${res.body}`);
  }
  // messages follow the user's language
  const en = await ctx.server.inject({
    method: 'POST',
    url: `${API}/accounts?lang=en`,
    headers: await ctx.as('admin'),
    payload: { year: 2026, code: '5.1.2', name: 'X' },
  });
  assert.match(json(en).fields[0].message, /Invalid account code/);
});

test('CRUD, search and deactivate (admin); every change is audited', async () => {
  const headers = await ctx.as('admin');
  const created = await send('admin', 'POST', `${API}/organisations`, {
    code: '1.02.0.00.0.00.01.0010',
    name: 'Puskesmas Teluk Permai',
    short_name: 'pkm-teluk-permai',
    head_name: 'dr. Nadia Putri',
    head_nip: '198502142010012003',
  });
  assert.equal(created.statusCode, 201, created.body);
  const org = json(created);
  assert.equal(org.kind, 'unit');
  assert.equal(org.parent_id, (await orgByShort('dinkes')).id);
  assert.equal(org.version, 1);
  assert.equal(typeof org.id, 'number');

  const one = json(await get('inspektorat', `${API}/organisations/${org.id}`));
  assert.equal(one.name, 'Puskesmas Teluk Permai');

  // search: code, name (case-insensitive, substring), a typo in the name
  for (const q of ['teluk permai', 'TELUK', '01.0010', 'Puskesmas Teluk Permaii']) {
    const found = json(await get('admin', `${API}/organisations?q=${encodeURIComponent(q)}`)).items.map(
      (i: { id: number }) => i.id,
    );
    assert.ok(found.includes(org.id), q);
  }
  assert.equal(
    json(await get('admin', `${API}/organisations?q=${encodeURIComponent('%')}`)).total,
    0,
    'LIKE wildcards are literal',
  );

  const upd = await send('admin', 'PATCH', `${API}/organisations/${org.id}`, {
    name: 'Puskesmas Teluk Permai Baru',
    version: 1,
  });
  assert.equal(upd.statusCode, 200, upd.body);
  assert.equal(json(upd).version, 2);
  const readBack = json(await get('admin', `${API}/organisations/${org.id}`));
  assert.equal(readBack.name, 'Puskesmas Teluk Permai Baru', 'the update is stored');
  assert.equal(readBack.version, 2);
  const put = await send('admin', 'PUT', `${API}/organisations/${org.id}`, {
    name: 'Puskesmas Teluk Permai',
    short_name: 'pkm-teluk-permai',
    version: 2,
  });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(json(put).version, 3);
  const replaced = json(await get('admin', `${API}/organisations/${org.id}`));
  assert.equal(replaced.name, 'Puskesmas Teluk Permai');
  assert.equal(replaced.short_name, 'pkm-teluk-permai');

  const off = await ctx.server.inject({
    method: 'POST',
    url: `${API}/organisations/${org.id}/deactivate`,
    headers,
    payload: { version: 3 },
  });
  assert.equal(off.statusCode, 200, off.body);
  assert.equal(json(off).active, false);
  const actives = json(await get('admin', `${API}/organisations?active=true&q=teluk`)).items;
  assert.ok(!actives.some((i: { id: number }) => i.id === org.id));
  const inactives = json(await get('admin', `${API}/organisations?active=false`)).items;
  assert.ok(inactives.some((i: { id: number }) => i.id === org.id));
  const on = await ctx.server.inject({
    method: 'POST',
    url: `${API}/organisations/${org.id}/activate`,
    headers,
    payload: {},
  });
  assert.equal(json(on).active, true);

  const log = await ctx.db
    .selectFrom('core_audit_log')
    .select(['action', 'opd_id', 'before', 'after'])
    .where('pemda_id', '=', ctx.pemdaId)
    .where('entity', '=', 'organisation')
    .where('entity_id', '=', String(org.id))
    .orderBy('seq')
    .execute();
  assert.deepEqual(
    log.map((l) => l.action),
    ['create', 'update', 'update', 'deactivate', 'activate'],
  );
  assert.equal(log[0]!.opd_id, org.parent_id);
  assert.equal((log[1]!.before as { name: string }).name, 'Puskesmas Teluk Permai');
  assert.equal((log[1]!.after as { name: string }).name, 'Puskesmas Teluk Permai Baru');

  // read-only roles cannot write
  const ro = await send('dprd', 'PATCH', `${API}/organisations/${org.id}`, { name: 'X', version: 5 });
  assert.equal(ro.statusCode, 403);
  assert.equal((await get('admin', `${API}/organisations/99999999`)).statusCode, 404);
});

test('a stale version is a 409 and changes nothing', async () => {
  const body = json(await send('admin', 'POST', `${API}/units`, { code: 'Trip', name: 'Perjalanan' }));
  const first = await send('admin', 'PATCH', `${API}/units/${body.id}`, { name: 'Perjalanan dinas', version: 1 });
  assert.equal(first.statusCode, 200);
  const stale = await send('admin', 'PATCH', `${API}/units/${body.id}`, { name: 'Lain', version: 1 });
  assert.equal(stale.statusCode, 409, stale.body);
  assert.equal(json(stale).details.current.name, 'Perjalanan dinas');
  const noVersion = await send('admin', 'PATCH', `${API}/units/${body.id}`, { name: 'Lain' });
  assert.equal(noVersion.statusCode, 400);
  assert.equal(json(noVersion).fields[0].field, 'version');
  assert.equal(json(await get('admin', `${API}/units/${body.id}`)).name, 'Perjalanan dinas');
  const staleOff = await ctx.server.inject({
    method: 'POST',
    url: `${API}/units/${body.id}/deactivate`,
    headers: await ctx.as('admin'),
    payload: { version: 1 },
  });
  assert.equal(staleOff.statusCode, 409);
});

test('an OPD operator acts only on its own OPD: its units, and its head and short name', async () => {
  const dinkes = await orgByShort('dinkes');
  const dishub = await orgByShort('dishub');
  // a new unit under its own OPD
  const mine = await send('dinkes.operator', 'POST', `${API}/organisations`, {
    code: '1.02.0.00.0.00.01.0020',
    name: 'Puskesmas Pembantu Alalak',
    short_name: 'pustu-alalak',
  });
  assert.equal(mine.statusCode, 201, mine.body);
  const unit = json(mine);
  assert.equal(
    (await send('dinkes.operator', 'PATCH', `${API}/organisations/${unit.id}`, { head_name: 'Bidan Sari', version: 1 }))
      .statusCode,
    200,
  );
  assert.equal(
    (
      await ctx.server.inject({
        method: 'POST',
        url: `${API}/organisations/${unit.id}/deactivate`,
        headers: await ctx.as('dinkes.head'),
        payload: {},
      })
    ).statusCode,
    200,
  );
  // its own OPD: head and short name yes, name no, deactivate no
  const own = json(await get('dinkes.operator', `${API}/organisations/${dinkes.id}`));
  const head = await send('dinkes.operator', 'PATCH', `${API}/organisations/${dinkes.id}`, {
    head_name: 'dr. Baru',
    head_nip: '197803152005012002',
    version: own.version,
  });
  assert.equal(head.statusCode, 200, head.body);
  const rename = await send('dinkes.operator', 'PATCH', `${API}/organisations/${dinkes.id}`, {
    name: 'Dinas Sehat',
    version: own.version + 1,
  });
  assert.equal(rename.statusCode, 403);
  const rebidang = await send('dinkes.operator', 'PATCH', `${API}/organisations/${dinkes.id}`, {
    bidang: ['1.02', '1.06'],
    version: own.version + 1,
  });
  assert.equal(rebidang.statusCode, 403);
  assert.equal(
    (
      await ctx.server.inject({
        method: 'POST',
        url: `${API}/organisations/${dinkes.id}/deactivate`,
        headers: await ctx.as('dinkes.operator'),
        payload: {},
      })
    ).statusCode,
    403,
  );

  // another OPD and its units: 403
  const other = json(await get('dinkes.operator', `${API}/organisations/${dishub.id}`));
  const res = await send('dinkes.operator', 'PATCH', `${API}/organisations/${dishub.id}`, {
    head_name: 'Bukan saya',
    version: other.version,
  });
  assert.equal(res.statusCode, 403, res.body);
  const hubUnit = json(await get('admin', `${API}/organisations?parent_id=${dishub.id}`)).items[0];
  assert.equal(
    (
      await send('dinkes.operator', 'PATCH', `${API}/organisations/${hubUnit.id}`, {
        head_name: 'X',
        version: hubUnit.version,
      })
    ).statusCode,
    403,
  );
  assert.equal(
    (
      await send('dinkes.operator', 'POST', `${API}/organisations`, {
        code: '2.15.0.00.0.00.01.0009',
        name: 'UPTD Parkir',
        short_name: 'uptd-parkir',
      })
    ).statusCode,
    403,
  );
  // a new OPD is the administrator's
  const newOpd = { code: '1.06.0.00.0.00.02.0000', name: 'Badan Amil Demo', short_name: 'bad-amil' };
  assert.equal((await send('dinkes.head', 'POST', `${API}/organisations`, newOpd)).statusCode, 403);
  const byAdmin = await send('admin', 'POST', `${API}/organisations`, newOpd);
  assert.equal(byAdmin.statusCode, 201);
  assert.deepEqual(json(byAdmin).bidang, ['1.06']);
  // other write roles are scoped by permission
  assert.equal(
    (
      await send('bappeda', 'POST', `${API}/organisations`, {
        ...newOpd,
        code: '1.06.0.00.0.00.03.0000',
        short_name: 'x3',
      })
    ).statusCode,
    403,
  );
  assert.equal(
    (await send('tapd', 'POST', `${API}/nomenclature`, { year: 2026, code: '1.02.03', name: 'X' })).statusCode,
    403,
  );
  assert.equal(
    (
      await send('bappeda', 'POST', `${API}/nomenclature`, {
        year: 2027,
        code: '1.02.03',
        name: 'PROGRAM PERENCANAAN DEMO',
      })
    ).statusCode,
    201,
  );
  assert.equal(
    (await send('tapd', 'POST', `${API}/funding-sources`, { code: 'dbh-sda', name: 'DBH Sumber Daya Alam' }))
      .statusCode,
    201,
  );
});

test("a second Pemda's data is invisible to the demo Pemda's users", async () => {
  const other = await ensurePemda(ctx.db, { code: '98.02', name: 'Kota Lain', kind: 'kota', province: 'Lain' });
  const row = await ctx.db
    .insertInto('md_organisation')
    .values({
      pemda_id: other.id,
      code: '1.02.0.00.0.00.01.0000',
      name: 'Dinas Kesehatan Kota Lain',
      short_name: 'dinkes',
      kind: 'opd',
      parent_id: null,
      head_nip: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`INSERT INTO md_unit (pemda_id, code, name) VALUES (${other.id}, 'Rahasia', 'Satuan Kota Lain')`.execute(
    ctx.db,
  );

  const list = json(await get('admin', `${API}/organisations?q=${encodeURIComponent('Kota Lain')}`));
  assert.equal(list.total, 0);
  assert.ok(
    !json(await get('admin', `${API}/organisations?page_size=500`)).items.some((o: { id: number }) => o.id === row.id),
  );
  assert.equal((await get('admin', `${API}/organisations/${row.id}`)).statusCode, 404);
  assert.equal(
    (await send('admin', 'PATCH', `${API}/organisations/${row.id}`, { name: 'Diambil alih', version: 1 })).statusCode,
    404,
  );
  assert.equal(json(await get('admin', `${API}/units?q=Rahasia`)).total, 0);
  assert.equal(await getOrganisation(ctx.db, ctx.pemdaId, row.id), undefined);
  const s = await ctx.session('admin');
  const page = await ctx.server.inject({
    url: `/master-data/organisations/${row.id}`,
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 404);
});

test('accounts: a new intermediate level becomes the parent of the rows below it', async () => {
  const before = await getAccount(ctx.db, ctx.pemdaId, 2027, '5.1.01.01.01.0002');
  assert.equal(before?.parentCode, '5.1.01');
  const res = await send('tapd', 'POST', `${API}/accounts`, {
    year: 2027,
    code: '5.1.01.01',
    name: 'Belanja Gaji dan Tunjangan ASN',
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(json(res).parent_code, '5.1.01');
  assert.equal(json(res).level, 'objek');
  assert.equal((await getAccount(ctx.db, ctx.pemdaId, 2027, '5.1.01.01.01.0002'))?.parentCode, '5.1.01.01');
  // the other year keeps its own chart
  assert.equal((await getAccount(ctx.db, ctx.pemdaId, 2026, '5.1.01.01.01.0002'))?.parentCode, '5.1.01');
  const list = json(await get('tapd', `${API}/accounts?year=2027&parent_code=5.1.01.01`));
  assert.equal(list.total, 2);
  assert.equal(list.year, 2027);
});

test('the OpenAPI document describes the master-data API', async () => {
  const doc = json(await ctx.server.inject({ url: '/openapi.json' }));
  for (const kind of ['organisations', 'nomenclature', 'accounts', 'regions', 'funding-sources', 'units']) {
    const p = doc.paths[`/api/v1/master-data/${kind}`];
    assert.ok(p?.get && p?.post, kind);
    assert.deepEqual(p.get.tags, ['master-data']);
    assert.ok(doc.paths[`/api/v1/master-data/${kind}/{id}`]?.patch, kind);
    assert.ok(doc.paths[`/api/v1/master-data/${kind}/import`]?.post, kind);
  }
  const body = doc.paths['/api/v1/master-data/organisations'].post.requestBody.content['application/json'].schema;
  assert.ok(body.properties.code && body.properties.short_name);
  assert.ok(
    !Object.keys(doc.paths).some((p: string) => p.startsWith('/master-data')),
    'pages are not in the API document',
  );
});
