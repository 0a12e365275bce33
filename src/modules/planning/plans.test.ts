// Medium-term plans: RPJMD and Renstra with indicators and ceilings, who may edit them, the cascade
// (pohon kinerja) both ways, the OpenAPI document, the pages, the audit chain.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listOpds } from '../master-data/index.ts';

let t: TestContext;
let opd: Record<string, number> = {};
before(async () => {
  t = await testApp();
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
});
after(async () => t?.close());

const api = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => t.server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

test('the demo RPJMD: goals, targets with indicators and yearly targets, programs with ceilings', async () => {
  const h = await t.as('inspektorat');
  const list = json(await api('GET', '/api/v1/planning/rpjmd', h)).rows;
  assert.equal(list[0].year_from, 2025);
  const tree = json(await api('GET', `/api/v1/planning/rpjmd/${list[0].id}`, h));
  const kinds = (k: string) => tree.nodes.filter((n: { kind: string }) => n.kind === k);
  assert.equal(kinds('mission').length, 3);
  assert.ok(kinds('goal').length >= 3 && kinds('target').length >= 6 && kinds('strategy').length >= 6);
  assert.ok(kinds('program').length > 40);
  const goal = kinds('goal')[0];
  assert.equal(goal.indicators[0].targets.length, 5);
  assert.match(goal.indicators[0].baseline, /^\d+(\.\d+)?$/);
  const prog = kinds('program').find((p: { program_code: string }) => p.program_code === '1.03.10');
  assert.equal(prog.opd_id, opd.dpupr);
  assert.equal(prog.ceilings.length, 5);
  assert.match(prog.ceilings[0].pagu, /^\d+$/);
  // Renstra for every OPD
  const renstra = json(await api('GET', '/api/v1/planning/renstra', h)).rows;
  assert.ok(renstra.length >= 40);
  const dinkes = json(
    await api(
      'GET',
      `/api/v1/planning/renstra/${renstra.find((r: { opd_id: number }) => r.opd_id === opd.dinkes).id}`,
      h,
    ),
  );
  const sub = dinkes.nodes.find((n: { code: string }) => n.code === '1.02.02.2.01.0002');
  assert.equal(sub.kind, 'sub_kegiatan');
  assert.equal(sub.indicators[0].targets.length, 5);
  assert.equal(sub.ceilings.length, 5);
});

test('RPJMD editing: Bappeda only, in a draft, with the element kinds in order and known program codes', async () => {
  const bappeda = await t.as('bappeda');
  for (const u of ['tapd', 'dinkes.head', 'inspektorat', 'dprd'])
    assert.equal(
      (await api('POST', '/api/v1/planning/rpjmd', await t.as(u), { year_from: 2030, title: 'X' })).statusCode,
      403,
      u,
    );
  assert.equal(
    (await api('POST', '/api/v1/planning/rpjmd', bappeda, { year_from: 2027, title: 'Overlap' })).statusCode,
    400,
  );
  let r = await api('POST', '/api/v1/planning/rpjmd', bappeda, {
    year_from: 2030,
    title: 'RPJMD 2030–2034',
    vision: 'Visi baru',
  });
  assert.equal(r.statusCode, 201, r.body);
  const rp = json(r);
  assert.equal(rp.year_to, 2034);
  const mission = json(
    await api('POST', `/api/v1/planning/rpjmd/${rp.id}/nodes`, bappeda, {
      kind: 'mission',
      code: 'M1',
      text: 'Misi satu',
    }),
  );
  // a goal needs a mission parent; a target cannot hang under a mission
  assert.equal(
    (await api('POST', `/api/v1/planning/rpjmd/${rp.id}/nodes`, bappeda, { kind: 'goal', text: 'Tujuan' })).statusCode,
    400,
  );
  assert.equal(
    (
      await api('POST', `/api/v1/planning/rpjmd/${rp.id}/nodes`, bappeda, {
        kind: 'target',
        parent_id: mission.id,
        text: 'Sasaran',
      })
    ).statusCode,
    400,
  );
  const goal = json(
    await api('POST', `/api/v1/planning/rpjmd/${rp.id}/nodes`, bappeda, {
      kind: 'goal',
      parent_id: mission.id,
      code: 'T1',
      text: 'Tujuan satu',
    }),
  );
  const target = json(
    await api('POST', `/api/v1/planning/rpjmd/${rp.id}/nodes`, bappeda, {
      kind: 'target',
      parent_id: goal.id,
      code: 'S1',
      text: 'Sasaran satu',
    }),
  );
  // a program code must exist in the nomenclature of the period (2030–2034 has none seeded)
  r = await api('POST', `/api/v1/planning/rpjmd/${rp.id}/nodes`, bappeda, {
    kind: 'program',
    parent_id: target.id,
    text: 'Program',
    program_code: '1.02.02',
  });
  assert.equal(r.statusCode, 400);
  assert.equal(json(r).fields[0].field, 'program_code');
  // indicators: targets inside the period, exact decimals
  r = await api('POST', '/api/v1/planning/indicators', bappeda, {
    rpjmd_node_id: goal.id,
    name: 'IPM',
    unit: 'poin',
    baseline: '73,25',
    targets: [
      { year: 2030, value: '73.5' },
      { year: 2034, value: 75 },
    ],
  });
  assert.equal(r.statusCode, 201, r.body);
  const ind = json(r);
  assert.equal(ind.baseline, '73.25');
  assert.equal(
    (
      await api('POST', '/api/v1/planning/indicators', bappeda, {
        rpjmd_node_id: goal.id,
        name: 'X',
        targets: [{ year: 2029, value: '1' }],
      })
    ).statusCode,
    400,
  );
  assert.equal(
    (
      await api('POST', '/api/v1/planning/indicators', await t.as('dinkes.operator'), {
        rpjmd_node_id: goal.id,
        name: 'X',
      })
    ).statusCode,
    403,
    'RPJMD indicators are Bappeda’s',
  );
  r = await api('PATCH', `/api/v1/planning/indicators/${ind.id}`, bappeda, {
    version: ind.version,
    targets: [{ year: 2031, value: '74.125' }],
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(json(r).targets, [{ year: 2031, value: '74.125' }]);
  assert.equal(
    (await api('PATCH', `/api/v1/planning/indicators/${ind.id}`, bappeda, { version: ind.version, name: 'stale' }))
      .statusCode,
    409,
  );
  // a node with children cannot be deleted
  assert.equal((await api('DELETE', `/api/v1/planning/rpjmd-nodes/${goal.id}`, bappeda)).statusCode, 409);
  // approve: then it is fixed
  r = await api('PATCH', `/api/v1/planning/rpjmd/${rp.id}`, bappeda, { version: rp.version, status: 'approved' });
  assert.equal(r.statusCode, 200);
  assert.equal(
    (await api('POST', `/api/v1/planning/rpjmd/${rp.id}/nodes`, bappeda, { kind: 'mission', text: 'Misi dua' }))
      .statusCode,
    409,
  );
});

test('Renstra editing: the OPD edits its own draft Renstra only; links to the RPJMD are checked', async () => {
  const bappeda = await t.as('bappeda');
  const rpjmd = json(await api('GET', '/api/v1/planning/rpjmd', bappeda)).rows.find(
    (r: { year_from: number }) => r.year_from === 2025,
  );
  const tree = json(await api('GET', `/api/v1/planning/rpjmd/${rpjmd.id}`, bappeda));
  const target = tree.nodes.find((n: { kind: string }) => n.kind === 'target');
  const renstra = json(await api('GET', `/api/v1/planning/renstra?opd_id=${opd.dinkes}`, bappeda)).rows[0];
  const op = await t.as('dinkes.operator');
  // approved: fixed; the OPD cannot reopen it; Bappeda can
  assert.equal(
    (
      await api('POST', `/api/v1/planning/renstra/${renstra.id}/nodes`, op, {
        kind: 'goal',
        text: 'Tujuan baru',
        rpjmd_node_id: target.id,
      })
    ).statusCode,
    409,
  );
  assert.equal(
    (await api('PATCH', `/api/v1/planning/renstra/${renstra.id}`, op, { version: renstra.version, status: 'draft' }))
      .statusCode,
    403,
  );
  const reopened = json(
    await api('PATCH', `/api/v1/planning/renstra/${renstra.id}`, bappeda, {
      version: renstra.version,
      status: 'draft',
    }),
  );
  assert.equal(reopened.status, 'draft');
  // another OPD cannot touch it
  assert.equal(
    (
      await api('POST', `/api/v1/planning/renstra/${renstra.id}/nodes`, await t.as('dpupr.operator'), {
        kind: 'goal',
        text: 'x',
        rpjmd_node_id: target.id,
      })
    ).statusCode,
    403,
  );
  // a goal must serve an RPJMD target
  assert.equal(
    (
      await api('POST', `/api/v1/planning/renstra/${renstra.id}/nodes`, op, {
        kind: 'goal',
        text: 'Tujuan tanpa sasaran',
      })
    ).statusCode,
    400,
  );
  const goal = json(
    await api('POST', `/api/v1/planning/renstra/${renstra.id}/nodes`, op, {
      kind: 'goal',
      text: 'Meningkatnya layanan gizi',
      rpjmd_node_id: target.id,
      code: 'G9',
    }),
  );
  const tgt = json(
    await api('POST', `/api/v1/planning/renstra/${renstra.id}/nodes`, op, {
      kind: 'target',
      parent_id: goal.id,
      text: 'Turunnya stunting',
      code: 'S9',
    }),
  );
  // programs only of a bidang the OPD carries; kegiatan under their program
  const wrong = await api('POST', `/api/v1/planning/renstra/${renstra.id}/nodes`, op, {
    kind: 'program',
    parent_id: tgt.id,
    code: '1.03.10',
  });
  assert.equal(wrong.statusCode, 400);
  assert.equal(json(wrong).fields[0].field, 'code');
  const dupe = await api('POST', `/api/v1/planning/renstra/${renstra.id}/nodes`, op, {
    kind: 'program',
    parent_id: tgt.id,
    code: '1.02.05',
  });
  assert.equal(dupe.statusCode, 400, 'already in this Renstra');
  // ceilings and indicators of the OPD's own Renstra
  const sub = (
    json(await api('GET', `/api/v1/planning/renstra/${renstra.id}`, op)).nodes as Array<{ id: number; code: string }>
  ).find((n) => n.code === '1.02.02.2.01.0002')!;
  const c = await api('PUT', `/api/v1/planning/renstra-nodes/${sub.id}/ceilings`, op, {
    ceilings: [
      { year: 2026, pagu: '2.000.000.000' },
      { year: 2027, pagu: 2500000000 },
    ],
  });
  assert.equal(c.statusCode, 200, c.body);
  assert.deepEqual(json(c), [
    { year: 2026, pagu: '2000000000' },
    { year: 2027, pagu: '2500000000' },
  ]);
  assert.equal(
    (
      await api('PUT', `/api/v1/planning/renstra-nodes/${sub.id}/ceilings`, op, {
        ceilings: [{ year: 2026, pagu: '12,5' }],
      })
    ).statusCode,
    400,
    'no fractional rupiah',
  );
  assert.equal(
    (await api('PUT', `/api/v1/planning/renstra-nodes/${sub.id}/ceilings`, await t.as('dpupr.head'), { ceilings: [] }))
      .statusCode,
    403,
  );
  assert.equal(
    (
      await api('POST', '/api/v1/planning/indicators', op, {
        renstra_node_id: tgt.id,
        name: 'Prevalensi stunting',
        unit: '%',
        baseline: '24.1',
        targets: [{ year: 2026, value: '20' }],
      })
    ).statusCode,
    201,
  );
  assert.equal(
    (
      await api('POST', '/api/v1/planning/indicators', await t.as('dpupr.operator'), {
        renstra_node_id: tgt.id,
        name: 'x',
      })
    ).statusCode,
    403,
  );
  // the element page: edit, indicators, ceilings through no-JS forms (session + CSRF)
  const s = await t.session('dinkes.operator');
  const form = (url: string, body: Record<string, string>) =>
    t.server.inject({
      method: 'POST',
      url,
      headers: { cookie: s.headers.cookie!, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ _csrf: s.csrf, ...body }).toString(),
    });
  const page = await t.server.inject({
    method: 'GET',
    url: `/perencanaan/renstra-node/${tgt.id}`,
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Prevalensi stunting/);
  let f = await form(`/perencanaan/renstra-node/${tgt.id}`, {
    version: String(tgt.version),
    seq: '9',
    text: 'Turunnya prevalensi stunting balita',
  });
  assert.equal(f.statusCode, 303, f.body.slice(0, 300));
  const ind = json(await api('GET', `/api/v1/planning/renstra/${renstra.id}`, op)).nodes.find(
    (n: { id: number }) => n.id === tgt.id,
  ).indicators[0];
  f = await form(`/perencanaan/indikator/${ind.id}?back=${encodeURIComponent(`/perencanaan/renstra-node/${tgt.id}`)}`, {
    version: String(ind.version),
    name: ind.name,
    unit: '%',
    baseline: '24,1',
    t_2026: '20',
    t_2027: '18,5',
  });
  assert.equal(f.statusCode, 303, f.body.slice(0, 300));
  const after = json(await api('GET', `/api/v1/planning/renstra/${renstra.id}`, op)).nodes.find(
    (n: { id: number }) => n.id === tgt.id,
  );
  assert.equal(after.text, 'Turunnya prevalensi stunting balita');
  assert.deepEqual(after.indicators[0].targets, [
    { year: 2026, value: '20' },
    { year: 2027, value: '18.5' },
  ]);
  f = await form(`/perencanaan/renstra-node/${sub.id}/ceilings`, { c_2028: '3.000.000.000' });
  assert.equal(f.statusCode, 303);
  // a goal with children cannot be deleted; the error comes back on the page
  f = await form(`/perencanaan/renstra-node/${goal.id}/delete`, {});
  assert.equal(f.statusCode, 409);
  assert.match(f.body, /masih memiliki turunan/);
  // another OPD's operator cannot post to it
  const other = await t.session('dpupr.operator');
  const no = await t.server.inject({
    method: 'POST',
    url: `/perencanaan/renstra-node/${tgt.id}`,
    headers: {
      cookie: other.headers.cookie!,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    },
    payload: `_csrf=${other.csrf}&version=9&text=x`,
  });
  assert.equal(no.statusCode, 403);
});

test('the cascade of a demo sub kegiatan reaches its RPJMD goal; a goal shows everything under it', async () => {
  const h = await t.as('dprd');
  const c = json(
    await api('GET', `/api/v1/planning/cascade/sub-kegiatan?year=2027&opd_id=${opd.dpupr}&code=1.03.10.2.01.0051`, h),
  );
  assert.equal(c.complete, true);
  const levels = c.levels.map((l: { level: string }) => l.level);
  assert.deepEqual(levels, [
    'vision',
    'mission',
    'goal',
    'target',
    'rpjmd_program',
    'renstra_goal',
    'renstra_target',
    'program',
    'kegiatan',
    'sub_kegiatan',
  ]);
  const goal = c.levels.find((l: { level: string }) => l.level === 'goal');
  assert.equal(goal.text, 'Meningkatkan kualitas dan pemerataan infrastruktur wilayah');
  assert.ok(
    c.levels.find((l: { level: string }) => l.level === 'sub_kegiatan').indicators[0].target,
    'with the year’s target',
  );
  // a sub kegiatan the OPD does not plan: no chain
  const none = json(
    await api('GET', `/api/v1/planning/cascade/sub-kegiatan?year=2027&opd_id=${opd.dpupr}&code=1.02.02.2.01.0002`, h),
  );
  assert.equal(none.complete, false);
  assert.deepEqual(none.levels, []);
  const g = json(await api('GET', `/api/v1/planning/cascade/goal/${goal.id}?year=2027`, h));
  const opds = new Set(
    g.targets.flatMap((x: { renstra: Array<{ opd_id: number }> }) => x.renstra.map((r) => r.opd_id)),
  );
  assert.ok(opds.has(opd.dpupr) && opds.has(opd.dishub));
  assert.ok(
    g.renjaItems.some(
      (i: { sub_kegiatan_code: string; opd_id: number }) =>
        i.sub_kegiatan_code === '1.03.10.2.01.0051' && i.opd_id === opd.dpupr,
    ),
  );
  assert.equal(
    (
      await api(
        'GET',
        `/api/v1/planning/cascade/goal/${c.levels.find((l: { level: string }) => l.level === 'target').id}`,
        h,
      )
    ).statusCode,
    404,
    'a target is not a goal',
  );
  // the page
  const s = await t.session('dpupr.operator');
  const page = await t.server.inject({
    method: 'GET',
    url: `/perencanaan/pohon-kinerja?year=2027&opd_id=${opd.dpupr}&code=1.03.10.2.01.0051`,
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Tujuan RPJMD/);
  assert.match(page.body, /Meningkatkan kualitas dan pemerataan infrastruktur wilayah/);
  const gp = await t.server.inject({
    method: 'GET',
    url: `/perencanaan/pohon-kinerja?year=2027&goal=${goal.id}`,
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(gp.statusCode, 200);
  assert.match(gp.body, /Dinas Perhubungan/);
});

test('every planning endpoint is in /openapi.json; the pages render in Indonesian and English; the audit chain holds', async () => {
  const doc = json(await t.server.inject({ method: 'GET', url: '/openapi.json' }));
  const paths = Object.keys(doc.paths);
  for (const p of [
    '/api/v1/planning/rpjmd',
    '/api/v1/planning/renstra/{id}/nodes',
    '/api/v1/planning/indicators',
    '/api/v1/planning/cascade/sub-kegiatan',
    '/api/v1/planning/rkpd/{year}/approve',
    '/api/v1/planning/renja/{id}/approve',
    '/api/v1/planning/renja/{id}/checks',
    '/api/v1/planning/proposals/{id}/decision',
    '/api/v1/planning/pokir',
    '/api/v1/planning/backlog',
    '/api/v1/public/musrenbang',
    '/api/v1/public/proposals/{code}',
    '/api/v1/public/pokir',
  ]) {
    assert.ok(paths.includes(p), p);
  }
  const planningOps = Object.values(doc.paths)
    .flatMap((x) => Object.values(x as object))
    .filter((o: { tags?: string[] }) => o.tags?.includes('planning'));
  assert.ok(planningOps.length >= 50);
  assert.ok(planningOps.every((o: { summary?: string }) => o.summary));
  const rpjmdId = json(await api('GET', '/api/v1/planning/rpjmd', await t.as('bappeda'))).rows.find(
    (r: { year_from: number }) => r.year_from === 2025,
  ).id;
  const renstraId = json(await api('GET', `/api/v1/planning/renstra?opd_id=${opd.diskominfo}`, await t.as('bappeda')))
    .rows[0].id;
  for (const [user, url, marker] of [
    ['bappeda', '/perencanaan', 'Perencanaan Pembangunan'],
    ['bappeda', '/perencanaan/rpjmd', 'RPJMD Kabupaten Demo'],
    ['dinkes.operator', `/perencanaan/rpjmd/${rpjmdId}`, 'Meningkatkan kualitas hidup'],
    ['bappeda', '/perencanaan/renstra', 'Dinas Kesehatan'],
    ['diskominfo.operator', `/perencanaan/renstra/${renstraId}`, '2.16.03.2.01.0003'],
    ['kecamatan', '/perencanaan/pohon-kinerja', 'Pohon Kinerja'],
  ] as const) {
    const s = await t.session(user);
    const page = await t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
    assert.equal(page.statusCode, 200, `${url}: ${page.body.slice(0, 300)}`);
    assert.ok(page.body.includes(marker), `${url} shows ${marker}`);
  }
  const en = await t.server.inject({
    method: 'GET',
    url: '/perencanaan?lang=en',
    headers: { ...(await t.session('bappeda')).headers, accept: 'text/html' },
  });
  assert.match(en.body, /Development Planning/);
  // the hub links only where the user may go: Musrenbang for Bappeda, not for the Command Center operator
  const hubOf = async (user: string) =>
    (
      await t.server.inject({
        method: 'GET',
        url: '/perencanaan',
        headers: { ...(await t.session(user)).headers, accept: 'text/html' },
      })
    ).body;
  assert.match(await hubOf('bappeda'), /<main>[\s\S]*href="\/musrenbang"/);
  assert.doesNotMatch((await hubOf('cc_operator')).split('<main>')[1]!, /href="\/musrenbang"/);
  // the home page offers planning; form errors come back on the page
  const home = await t.server.inject({
    method: 'GET',
    url: '/',
    headers: { ...(await t.session('bappeda')).headers, accept: 'text/html' },
  });
  assert.match(home.body, /href="\/perencanaan"/);
  const s = await t.session('bappeda');
  const bad = await t.server.inject({
    method: 'POST',
    url: '/perencanaan/rpjmd',
    headers: { cookie: s.headers.cookie!, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: `_csrf=${s.csrf}&year_from=2026&title=Tumpang`,
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /tumpang tindih/);
  const verify = json(await api('GET', '/api/v1/audit/verify', await t.as('inspektorat')));
  assert.equal(verify.ok, true);
});
