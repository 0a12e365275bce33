// The home page is a work page (issue #11): an OPD sees its pagu, what remains, the input deadline
// with a countdown, returned sub kegiatan and unread notifications; TAPD sees the queue's counts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { openStage, opdIdOf, subsOf } from './testing.ts';

let t: TestContext;
let stageId: number;
let dinkes: number;
before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  dinkes = await opdIdOf(t, 'dinkes');
});
after(async () => t?.close());

async function home(user: string): Promise<string> {
  const s = await t.session(user);
  const res = await t.server.inject({ method: 'GET', url: '/', headers: { ...s.headers, accept: 'text/html' } });
  assert.equal(res.statusCode, 200);
  return res.body;
}
const rp = (v: string | bigint) => `Rp ${new Intl.NumberFormat('id-ID').format(BigInt(v))}`;
const between = (body: string, id: string) => {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(?:dd|ul|div)>`).exec(body);
  assert.ok(m, `#${id} is on the page`);
  return m[1]!.replace(/<[^>]+>/g, '');
};

test('OPD home: pagu and what remains as the API computes them, the deadline with a countdown, returned items, unread notifications', async () => {
  const opd = json(
    await t.server.inject({
      method: 'GET',
      url: `/api/v1/budget/stages/${stageId}/opds/${dinkes}`,
      headers: await t.as('dinkes.operator'),
    }),
  );
  const ceiling = String(opd.summary.ceiling ?? opd.ceiling);
  const planned = String(opd.summary.planned);
  for (const user of ['dinkes.operator', 'dinkes.head']) {
    const body = await home(user);
    assert.equal(between(body, 'home-ceiling').trim(), rp(ceiling), `${user}: the pagu`);
    assert.equal(between(body, 'home-remaining').trim(), rp(BigInt(ceiling) - BigInt(planned)), `${user}: remaining`);
    assert.match(between(body, 'home-deadline'), /Ditutup .* \((\d+ hari lagi|hari ini)\)|Input sedang ditutup|Dibuka/);
    assert.match(body, /\d+ pemberitahuan belum dibaca/);
    const returned = (await subsOf(t, stageId, dinkes)).filter((s) => s.status === 'returned').length;
    assert.match(body, new RegExp(`Dikembalikan TAPD: ${returned} sub kegiatan`));
    // the menu is still there, below the work
    assert.ok(body.indexOf('id="home-work"') < body.lastIndexOf('href="/budget/apbd"'), 'work before the menu');
  }
  // a sub kegiatan returned by TAPD shows up, with its link
  const sub = (await subsOf(t, stageId, dinkes)).find((s) => s.status === 'draft' && s.lines > 0)!;
  const post = async (url: string, user: string, payload: object) =>
    t.server.inject({ method: 'POST', url, headers: await t.as(user), payload });
  assert.equal((await post(`/api/v1/budget/sub-kegiatan/${sub.id}/submit`, 'dinkes.head', {})).statusCode, 200);
  const ret = await post(`/api/v1/budget/sub-kegiatan/${sub.id}/return`, 'tapd', { note: 'Lengkapi spesifikasi' });
  assert.equal(ret.statusCode, 200, ret.body);
  const body = await home('dinkes.operator');
  assert.match(between(body, 'home-returned'), new RegExp(sub.code.replace(/\./g, '\\.')));
  assert.match(body, new RegExp(`href="/budget/sub/${sub.id}"`));
});

test('TAPD home: the queue counts by status link to the queue; other roles have no budget panel', async () => {
  const subs = json(
    await t.server.inject({
      method: 'GET',
      url: `/api/v1/budget/stages/${stageId}/opds/${dinkes}`,
      headers: await t.as('tapd'),
    }),
  ).sub_kegiatan as Array<{ id: number; status: string; lines: number }>;
  const draft = subs.find((s) => s.status === 'draft' && s.lines > 0)!;
  const before = await home('tapd');
  const n0 = Number(between(before, 'home-submitted').match(/^\s*(\d+)/)![1]);
  const sub = await t.server.inject({
    method: 'POST',
    url: `/api/v1/budget/sub-kegiatan/${draft.id}/submit`,
    headers: await t.as('dinkes.head'),
    payload: {},
  });
  assert.equal(sub.statusCode, 200, sub.body);
  const after = await home('tapd');
  assert.equal(Number(between(after, 'home-submitted').match(/^\s*(\d+)/)![1]), n0 + 1, 'one more submitted');
  assert.match(after, /href="\/budget\/queue\?status=submitted"/);
  assert.doesNotMatch(after, /id="home-budget"/);
  for (const user of ['dprd', 'inspektorat']) {
    const b = await home(user);
    assert.doesNotMatch(b, /id="home-budget"|id="home-queue"/, `${user} has no budget work panel`);
  }
});

test("another OPD's RKA: the 403 says the user may only *see* their own OPD; the favicon is served", async () => {
  const disdik = await opdIdOf(t, 'disdik');
  const s = await t.session('dinkes.operator');
  const page = await t.server.inject({
    method: 'GET',
    url: `/budget/opd/${disdik}?stage_id=${stageId}`,
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 403);
  assert.match(page.body, /hanya dapat melihat data OPD Anda sendiri/);
  assert.doesNotMatch(page.body, /mengubah/);
  const api = await t.server.inject({
    method: 'GET',
    url: `/api/v1/budget/stages/${stageId}/opds/${disdik}`,
    headers: await t.as('dinkes.operator'),
  });
  assert.equal(api.statusCode, 403);
  assert.match(api.body, /melihat/);
  // every page links the icon, and the icon (and /favicon.ico) answer
  assert.match(await home('dinkes.operator'), /<link rel="icon" href="\/static\/favicon\.svg"/);
  const icon = await t.server.inject({ method: 'GET', url: '/static/favicon.svg' });
  assert.equal(icon.statusCode, 200);
  assert.match(String(icon.headers['content-type']), /image\/svg\+xml/);
  assert.match(icon.body, /<svg/);
  const ico = await t.server.inject({ method: 'GET', url: '/favicon.ico' });
  assert.equal(ico.statusCode, 301);
  assert.equal(ico.headers.location, '/static/favicon.svg');
});
