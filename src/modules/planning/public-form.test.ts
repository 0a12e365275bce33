// The citizens' Musrenbang form under attack (issue #10 findings 2 and 13): anti-spam challenge and
// honeypot, limits per address and per Pemda counted before the body is read, photos refused while
// they stream in, forged X-Forwarded-For headers ignored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { challengeAnswer } from '../../core/http/antispam.ts';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listRegions } from '../master-data/index.ts';

let t: TestContext;
let kelId = 0;

async function openMusrenbang(ctx: TestContext) {
  const bappeda = await ctx.as('bappeda');
  const cycles = json(await ctx.server.inject({ method: 'GET', url: '/api/v1/planning/cycles', headers: bappeda }))
    .rows as Array<{ year: number; version: number; pokir_opens_at: string | null; pokir_closes_at: string | null }>;
  const c = cycles.find((x) => x.year === 2027)!;
  const res = await ctx.server.inject({
    method: 'PUT',
    url: '/api/v1/planning/cycles/2027',
    headers: bappeda,
    payload: {
      version: c.version,
      musrenbang_open: true,
      pokir_opens_at: c.pokir_opens_at,
      pokir_closes_at: c.pokir_closes_at,
    },
  });
  assert.equal(res.statusCode, 200, res.body);
}

before(async () => {
  t = await testApp();
  await openMusrenbang(t);
  kelId = (await listRegions(t.db, t.pemdaId)).find((r) => r.kind !== 'kecamatan')!.id;
});
after(async () => t?.close());

const fields = () => ({
  title: 'Posyandu',
  problem: 'Stunting',
  category_code: 'posyandu',
  kelurahan_id: String(kelId),
  volume: '2',
  unit: 'Kegiatan',
  estimated_cost: '20000000',
  submitter_name: 'A',
  submitter_contact: 'a@b.c',
});

async function proposals(ctx: TestContext): Promise<number> {
  const r = await ctx.db
    .selectFrom('pln_proposal')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function apiChallenge(ctx: TestContext) {
  const c = json(await ctx.server.inject({ method: 'GET', url: '/api/v1/public/challenge?form=pln.usul' }));
  return { challenge_token: c.token as string, challenge_answer: await challengeAnswer(ctx.db, c.token) };
}

function postApi(ctx: TestContext, payload: object, opts: { ip?: string; xff?: string } = {}) {
  return ctx.server.inject({
    method: 'POST',
    url: '/api/v1/public/musrenbang',
    remoteAddress: opts.ip ?? '127.0.0.1',
    headers: opts.xff ? { 'x-forwarded-for': opts.xff } : {},
    payload: { ...fields(), kelurahan_id: kelId, ...payload },
  });
}

/** GET the page (CSRF cookie and token, challenge), then POST the form as a browser would. */
async function postPage(ip: string, extra: (page: string) => Promise<Record<string, string>>) {
  const page = await t.server.inject({
    method: 'GET',
    url: '/usulan',
    headers: { accept: 'text/html' },
    remoteAddress: ip,
  });
  assert.equal(page.statusCode, 200);
  const pre = page.cookies.find((c) => c.name === 'padu_csrf')!.value;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return t.server.inject({
    method: 'POST',
    url: '/usulan',
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    cookies: { padu_csrf: pre },
    payload: new URLSearchParams({ ...fields(), _csrf: csrf, ...(await extra(page.body)) }).toString(),
  });
}
const tokenOf = (page: string) => /name="challenge_token" value="([^"]+)"/.exec(page)![1]!;

test('the form asks a question in words, has a honeypot, and needs no JavaScript', async () => {
  const page = await t.server.inject({ method: 'GET', url: '/usulan', headers: { accept: 'text/html' } });
  assert.match(page.body, /berapa (satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan) ditambah/);
  assert.match(page.body, /class="hp" aria-hidden="true">.*name="padu_hp"/s);
  const ok = await postPage('192.0.2.1', async (p) => ({
    challenge_token: tokenOf(p),
    challenge_answer: await challengeAnswer(t.db, tokenOf(p)),
  }));
  assert.equal(ok.statusCode, 303, ok.body);
});

test('no answer, a wrong answer, a filled honeypot or a replayed token: 400 on `challenge`, nothing written', async () => {
  const before = await proposals(t);
  const none = await postPage('192.0.2.2', async () => ({}));
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /pertanyaan pengaman/i);
  const wrong = await postPage('192.0.2.2', async (p) => ({ challenge_token: tokenOf(p), challenge_answer: '99' }));
  assert.equal(wrong.statusCode, 400);
  const honey = await postPage('192.0.2.3', async (p) => ({
    challenge_token: tokenOf(p),
    challenge_answer: await challengeAnswer(t.db, tokenOf(p)),
    padu_hp: 'http://spam.example',
  }));
  assert.equal(honey.statusCode, 400);
  assert.equal(await proposals(t), before);
  // a solved challenge is good once
  const c = await apiChallenge(t);
  assert.equal((await postApi(t, c, { ip: '192.0.2.4' })).statusCode, 201);
  const replay = await postApi(t, c, { ip: '192.0.2.5' });
  assert.equal(replay.statusCode, 400);
  assert.equal(json(replay).fields[0].field, 'challenge');
  // a forged token
  const forged = await postApi(
    t,
    { ...c, challenge_token: c.challenge_token.replace(/.$/, (x) => (x === 'A' ? 'B' : 'A')) },
    { ip: '192.0.2.6' },
  );
  assert.equal(forged.statusCode, 400);
  assert.equal(await proposals(t), before + 1);
});

test('20 addresses posting 5 proposals each without solving the challenge get none in', async () => {
  const before = await proposals(t);
  let accepted = 0;
  for (let a = 0; a < 20; a++)
    for (let i = 0; i < 5; i++)
      if (
        (await postApi(t, { challenge_token: 'x', challenge_answer: '1' }, { ip: `198.18.0.${a}` })).statusCode === 201
      )
        accepted++;
  assert.equal(accepted, 0);
  assert.equal(await proposals(t), before);
});

test('the per-address limit holds even for solved challenges, and is counted before the body is read', async () => {
  const ip = '192.0.2.50';
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await postApi(t, await apiChallenge(t), { ip })).statusCode);
  assert.deepEqual(statuses, [201, 201, 201, 201, 201]);
  // the 6th: refused before a byte of its (large) body is read
  let pulled = 0;
  const body = new Readable({
    read() {
      pulled++;
      this.push(pulled > 40 ? null : Buffer.alloc(256 * 1024, 0x61));
    },
  });
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/public/musrenbang',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: body,
  });
  assert.equal(res.statusCode, 429, res.body);
  assert.ok(Number(res.headers['retry-after']) > 0);
  assert.ok(pulled < 40, `only ${pulled} chunk(s) of 40 were read`);
});

test('a photo over the limit is refused while it streams in (413), never buffered whole', async () => {
  const boundary = '----padu';
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
  const page = await t.server.inject({
    method: 'GET',
    url: '/usulan',
    headers: { accept: 'text/html' },
    remoteAddress: '192.0.2.60',
  });
  const pre = page.cookies.find((c) => c.name === 'padu_csrf')!.value;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const parts = [
    ...Object.entries({ ...fields(), _csrf: csrf }).map(
      ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
    ),
    `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`,
  ];
  // the declared length is small (chunked upload): the limit must hold while streaming
  let pulled = 0;
  const chunks = [Buffer.from(parts.join('')), ...Array.from({ length: 12 }, () => big.subarray(0, 256 * 1024))];
  const body = new Readable({
    read() {
      const c = chunks[pulled++];
      this.push(c ?? Buffer.from(`\r\n--${boundary}--\r\n`));
      if (!c) this.push(null);
    },
  });
  const res = await t.server.inject({
    method: 'POST',
    url: '/usulan',
    remoteAddress: '192.0.2.60',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'text/html' },
    cookies: { padu_csrf: pre },
    payload: body,
  });
  assert.equal(res.statusCode, 413, res.body.slice(0, 300));
  // a declared length over the limit is refused before reading
  const declared = await t.server.inject({
    method: 'POST',
    url: '/usulan',
    remoteAddress: '192.0.2.61',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(19 * 1024 * 1024),
    },
    cookies: { padu_csrf: pre },
    payload: Buffer.from(`--${boundary}--\r\n`),
  });
  assert.equal(declared.statusCode, 413);
});

test('anonymous multipart posts to a signed-in route are refused before the file is read', async () => {
  let pulled = 0;
  const body = new Readable({
    read() {
      pulled++;
      this.push(pulled > 40 ? null : Buffer.alloc(256 * 1024, 0x61));
    },
  });
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/master-data/organisations/import',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    payload: body,
  });
  assert.equal(res.statusCode, 401);
  assert.ok(pulled < 40, `only ${pulled} chunk(s) of 40 were read`);
  // and a public route without declared upload limits takes no multipart at all
  const login = await t.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    payload: '--x--\r\n',
  });
  assert.equal(login.statusCode, 415);
});

test('behind a proxy (PADU_TRUST_PROXY=1) a forged X-Forwarded-For does not reset the per-address limit', async () => {
  const p = await testApp({ PADU_TRUST_PROXY: '1' });
  try {
    await openMusrenbang(p);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await postApi(p, await apiChallenge(p), { xff: `10.1.2.${i}, 203.0.113.99` })).statusCode);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429, 429]);
    assert.equal((await postApi(p, await apiChallenge(p), { xff: '203.0.113.100' })).statusCode, 201);
  } finally {
    await p.close();
  }
});
