// Statistics: response-time percentiles per OPD and category against targets (exact figures from
// incidents placed on a controllable clock), counts, CSV, an OPD head's own figures only; the map
// without tiles; Bappeda's hot spots from the demo's repeated floods.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listOpds, listRegions } from '../master-data/index.ts';
import { manualClock, setClock } from './index.ts';

let t: TestContext;
let opd: Record<string, number> = {};
const clk = manualClock(new Date('2031-01-01T01:00:00Z'));
let restore = () => {};

before(async () => {
  t = await testApp();
  restore = setClock(clk);
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
  const kec = (await listRegions(t.db, t.pemdaId, 'kecamatan'))[4]!;
  const cats = json(
    await t.server.inject({ method: 'GET', url: '/api/v1/cc/categories', headers: await t.as('cc_operator') }),
  ).rows as Array<{ code: string; id: number }>;
  const kbk = cats.find((c) => c.code === 'KBK')!.id;
  const op = await t.as('cc_operator');
  const unit = await t.as('damkar.unit');
  // three fires: dispatched after 2, 4, 6 min; on scene after 10, 14, 20 min (target 15); resolved after 60, 90, 200 (target 180)
  for (const [d, a, r] of [
    [2, 10, 60],
    [4, 14, 90],
    [6, 20, 200],
  ] as const) {
    clk.set(new Date('2031-01-01T01:00:00Z'));
    clk.advance(d === 2 ? 0 : d * 30); // different start times, same day
    const start = clk.now();
    const inc = json(
      await t.server.inject({
        method: 'POST',
        url: '/api/v1/cc/incidents',
        headers: op,
        payload: {
          kecamatan_id: kec.id,
          category_id: kbk,
          description: 'Kebakaran gudang',
          lat: '-3.2',
          lon: '114.6',
          confirm_new: true,
        },
      }),
    );
    clk.set(new Date(start.getTime() + d * 60_000));
    const [aid] = json(
      await t.server.inject({
        method: 'POST',
        url: `/api/v1/cc/incidents/${inc.incident_id}/dispatch`,
        headers: op,
        payload: { opd_ids: [opd.damkar] },
      }),
    ).assignment_ids;
    clk.set(new Date(start.getTime() + a * 60_000));
    await t.server.inject({
      method: 'POST',
      url: `/api/v1/cc/assignments/${aid}/status`,
      headers: unit,
      payload: { status: 'on_scene' },
    });
    clk.set(new Date(start.getTime() + r * 60_000));
    const res = await t.server.inject({
      method: 'POST',
      url: `/api/v1/cc/assignments/${aid}/status`,
      headers: unit,
      payload: { status: 'resolved' },
    });
    assert.equal(res.statusCode, 200, res.body);
  }
});
after(async () => {
  restore();
  await t?.close();
});

const page = async (user: string, url: string) => {
  const s = await t.session(user);
  return t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
};

test('p50/p90 response times per OPD and category against targets, in a table and in CSV', async () => {
  const csv = await page('cc_operator', '/command-center/stats?from=2031-01-01&to=2031-01-01&csv=response');
  assert.equal(csv.statusCode, 200);
  assert.match(csv.headers['content-type'] as string, /text\/csv/);
  const lines = csv.body.trim().split('\n');
  assert.equal(
    lines[0],
    'opd,kategori,jumlah,diteruskan_p50_mnt,diteruskan_p90_mnt,target_diteruskan_mnt,tiba_p50_mnt,tiba_p90_mnt,target_tiba_mnt,tiba_tepat_waktu_pct,selesai_p50_mnt,selesai_p90_mnt,target_selesai_mnt',
  );
  // p90 of 2,4,6 = 5.6; of 10,14,20 = 18.8; of 60,90,200 = 178; 2 of 3 on scene within 15 min
  assert.deepEqual(lines.slice(1), [
    'Dinas Pemadam Kebakaran dan Penyelamatan,KBK,3,4.0,5.6,3,14.0,18.8,15,66.7,90.0,178.0,180',
  ]);
  const html = await page('cc_operator', '/command-center/stats?from=2031-01-01&to=2031-01-01');
  assert.equal(html.statusCode, 200);
  assert.match(html.body, /3 kejadian dalam periode ini/);
  assert.match(html.body, /<td class="num cc-over">4,0 \/ 5,6 \(3\)<\/td>/, 'dispatch p90 above target is flagged');
  assert.match(html.body, /66,7 %/);
  const byCat = await page('cc_operator', '/command-center/stats?from=2031-01-01&to=2031-01-01&csv=category');
  assert.equal(byCat.body.trim(), 'category,jumlah,selesai\nKebakaran,3,3');
  const bad = await page('cc_operator', '/command-center/stats?from=2031-13-45');
  assert.equal(bad.statusCode, 400);
});

test("an OPD head sees its own OPD's figures only", async () => {
  const own = await page('damkar.head', '/command-center/stats?from=2031-01-01&to=2031-01-01&csv=response');
  assert.equal(own.statusCode, 200);
  assert.equal(own.body.trim().split('\n').length, 2);
  const other = await page('dinkes.head', '/command-center/stats?from=2031-01-01&to=2031-01-01&csv=response');
  assert.equal(other.body.trim().split('\n').length, 1, 'nothing of another OPD');
  assert.equal((await page('dinkes.operator', '/command-center/stats')).statusCode, 403);
});

test('the map draws the kecamatan and the incidents without any tile server', async () => {
  const r = await page('cc_operator', '/command-center/map?days=28');
  assert.equal(r.statusCode, 200);
  assert.equal((r.body.match(/<path d="M/g) ?? []).length, 10, 'ten kecamatan');
  assert.ok((r.body.match(/<circle cx=/g) ?? []).length > 20, 'the demo incidents');
  assert.match(r.body, /<a href="\/command-center\/incidents\/\d+"><circle/);
  assert.ok(!/https?:\/\/(?!www\.w3\.org)/.test(r.body.replace(/<link[^>]+>/g, '')), 'no external resource');
  assert.ok(r.body.length < 150_000, `light page: ${r.body.length} bytes`);
});

test('Bappeda sees the hot spots of the year with their incidents as evidence', async () => {
  const r = await page('bappeda', '/command-center/hotspots');
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /Teluk Tiram, Pantai Biru<\/td><td>Banjir dan bencana/);
  const id = /Teluk Tiram[\s\S]*?\/command-center\/incidents\/(\d+)/.exec(r.body)![1];
  const inc = await page('bappeda', `/command-center/incidents/${id}`);
  assert.equal(inc.statusCode, 200);
  const api = json(
    await t.server.inject({ method: 'GET', url: `/api/v1/cc/incidents/${id}`, headers: await t.as('bappeda') }),
  );
  assert.ok(
    api.reports.every((x: { reporter_phone: string }) => x.reporter_phone === ''),
    'no callers’ phones for Bappeda',
  );
  assert.equal((await page('cc_operator', '/command-center/hotspots')).statusCode, 403);
});

test('Bappeda raises a Musrenbang proposal from a hot spot; the proposal carries the incidents as evidence', async () => {
  const s = await t.session('bappeda');
  const r0 = await page('bappeda', '/command-center/hotspots');
  const form = /<form method="post" action="\/command-center\/hotspots\/propose"[^>]*>([\s\S]*?)<\/form>/.exec(
    r0.body.slice(r0.body.indexOf('Teluk Tiram')),
  )![1]!;
  const field = (n: string) => new RegExp(`name="${n}" value="([^"]*)"`).exec(form)![1]!;
  const post = (extra: Record<string, string>) =>
    t.server.inject({
      method: 'POST',
      url: '/command-center/hotspots/propose',
      headers: { ...s.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: s.csrf,
        category_code: field('category_code'),
        kecamatan_id: field('kecamatan_id'),
        kelurahan_id: field('kelurahan_id'),
        title: 'Normalisasi saluran Teluk Tiram',
        ...extra,
      }).toString(),
    });
  const r = await post({ estimated_cost: '750.000.000' });
  assert.equal(r.statusCode, 303, r.body);
  const code = decodeURIComponent(/ok=([^&]+)/.exec(r.headers.location as string)![1]!);
  const link = await t.db.selectFrom('cc_hotspot_proposal').selectAll().executeTakeFirstOrThrow();
  assert.equal(link.tracking_code, code);
  assert.ok(link.incident_ids.length >= 3);
  const prop = await t.db
    .selectFrom('pln_proposal')
    .select(['problem', 'estimated_cost', 'kelurahan_id'])
    .where('id', '=', link.proposal_id)
    .executeTakeFirstOrThrow();
  assert.equal(prop.estimated_cost, '750000000');
  for (const id of link.incident_ids) assert.ok(prop.problem.includes(`/command-center/incidents/${id}`));
  const after = await page('bappeda', '/command-center/hotspots');
  assert.match(after.body, new RegExp(`class="cc-proposal" href="/lacak\\?kode=${code}"`));
  // once only
  assert.equal((await post({ estimated_cost: '1' })).statusCode, 409);
});
