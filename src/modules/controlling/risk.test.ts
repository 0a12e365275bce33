import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { EXECUTED_YEAR } from '../budgeting/index.ts';
import { searchCatalogue } from '../catalogue/index.ts';
import { listOpds } from '../master-data/index.ts';

let t: TestContext;
let stage2026: number;
let stage2027: number;
const opd: Record<string, number> = {};
interface Sub {
  id: number;
  code: string;
  kegiatan_code: string;
  program_code: string;
}
const subs: Record<string, Sub[]> = {};

before(async () => {
  t = await testApp();
  for (const o of await listOpds(t.db, t.pemdaId)) opd[o.shortName] = o.id;
  const st = await sql<{
    id: number;
    year: number;
  }>`SELECT id, year FROM bud_stage WHERE pemda_id = ${t.pemdaId} AND kind = 'murni'`.execute(t.db);
  stage2026 = st.rows.find((s) => s.year === EXECUTED_YEAR)!.id;
  stage2027 = st.rows.find((s) => s.year === EXECUTED_YEAR + 1)!.id;
  for (const [key, stage] of [
    ['2026', stage2026],
    ['2027', stage2027],
  ] as const) {
    for (const short of ['diskominfo', 'dishub']) {
      subs[`${key}.${short}`] = (
        await sql<Sub>`SELECT id, code, kegiatan_code, program_code FROM bud_sub_kegiatan WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage} AND opd_id = ${opd[short]} ORDER BY code`.execute(
          t.db,
        )
      ).rows;
    }
  }
});
after(async () => t?.close());

/** A free-text expenditure line straight into a stage (fixture). */
async function line(
  stage: number,
  short: string,
  subIdx: number,
  name: string,
  unitPrice: number,
  volume: number,
  account = '5.1.02.01.01.0024',
) {
  const s = subs[`${stage === stage2026 ? '2026' : '2027'}.${short}`]![subIdx]!;
  const total = BigInt(unitPrice) * BigInt(volume);
  const r = await sql<{
    id: string;
  }>`INSERT INTO bud_line (pemda_id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code,
      program_code, account_code, name, spec, unit, unit_price, v1, u1, subtotal, tax_rate, tax, total, free_text)
    VALUES (${t.pemdaId}, ${stage}, ${opd[short]}, 'belanja', ${s.id}, ${s.code}, ${s.kegiatan_code}, ${s.program_code}, ${account},
      ${name}, '', 'Buah', ${unitPrice}, ${volume}, 'Buah', ${total}, 0, 0, ${total}, true) RETURNING id::text AS id`.execute(
    t.db,
  );
  return r.rows[0]!.id;
}

const signals = async (stage: number, user = 'inspektorat') => {
  const res = await t.server.inject({
    method: 'GET',
    url: `/api/v1/controlling/risk?stage_id=${stage}`,
    headers: await t.as(user),
  });
  assert.equal(res.statusCode, 200, res.body);
  return json(res) as {
    stats: { lines: number; flagged_lines: number; at_ceiling: number; catalogue: number };
    signals: Array<{
      rule: string;
      line_id: string;
      amount: string;
      score: string;
      reason: string;
      name: string;
      reviewed: unknown;
    }>;
  };
};
const has = (s: Awaited<ReturnType<typeof signals>>, rule: string, id: string) =>
  s.signals.some((x) => x.rule === rule && x.line_id === id);

test('the demo: fewer than one line in ten flagged; the top of the ranking is the real finding; the ceiling is a statistic', async () => {
  for (const stage of [stage2026, stage2027]) {
    const s = await signals(stage);
    assert.ok(s.stats.lines > 100);
    assert.ok(s.stats.flagged_lines * 10 < s.stats.lines, `${s.stats.flagged_lines} of ${s.stats.lines} flagged`);
    assert.ok(s.stats.at_ceiling > 0, 'lines at the catalogue ceiling are counted');
    assert.ok(!s.signals.some((x) => /ceiling|batas/i.test(x.rule)), 'the ceiling is not a signal');
  }
  const s = await signals(stage2026);
  // the top is a finding an auditor acts on (not a mere free-text or rare item), and the planted one is
  // near it (the random demo RKA holds identical expensive lines that rank above it as duplicates)
  assert.ok(
    ['OUT_OF_PROPORTION', 'DUP_WITHIN', 'SPLIT', 'KEYWORD', 'ABOVE_CATALOGUE'].includes(s.signals[0]!.rule),
    s.signals[0]!.rule,
  );
  const glue = s.signals.findIndex((x) => x.rule === 'OUT_OF_PROPORTION' && x.name === 'Lem kertas cair');
  assert.ok(glue >= 0 && glue < 15, `the planted finding ranks ${glue + 1}`);
  assert.match(s.signals[glue]!.reason, /tidak sebanding/);
  for (let i = 1; i < s.signals.length; i++)
    assert.ok(BigInt(s.signals[i - 1]!.score) >= BigInt(s.signals[i]!.score), 'ranked by weighted amount at risk');
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: `/api/v1/controlling/risk?stage_id=${stage2026}`,
        headers: await t.as('dinkes.operator'),
      })
    ).statusCode,
    403,
  );
});

test('each rule trips on its line and not on a similar innocent one', async () => {
  const S = stage2026;
  const ids = {
    free: await line(S, 'diskominfo', 0, 'Uji teks bebas', 10_000, 2),
    dupA: await line(S, 'diskominfo', 1, 'Uji kembar', 75_000, 3),
    dupB: await line(S, 'diskominfo', 1, 'Uji kembar', 75_000, 3),
    dupOk: await line(S, 'diskominfo', 1, 'Uji kembar', 75_000, 4),
    acrossA: await line(S, 'diskominfo', 2, 'Uji lintas OPD', 250_000, 4),
    acrossB: await line(S, 'dishub', 0, 'Uji lintas OPD', 250_000, 4),
    acrossOkA: await line(S, 'diskominfo', 2, 'Uji lintas beda', 250_000, 4),
    acrossOkB: await line(S, 'dishub', 0, 'Uji lintas beda', 250_000, 5),
    split1: await line(S, 'diskominfo', 3, 'Uji pecah paket', 1_000_000, 40),
    split2: await line(S, 'diskominfo', 3, 'Uji pecah paket', 1_000_000, 40),
    split3: await line(S, 'diskominfo', 3, 'Uji pecah paket', 1_000_000, 40),
    noSplit1: await line(S, 'diskominfo', 3, 'Uji tidak pecah', 1_000_000, 30),
    noSplit2: await line(S, 'diskominfo', 3, 'Uji tidak pecah', 1_000_000, 30),
    splitElsewhere: await line(S, 'diskominfo', 4, 'Uji tidak pecah', 1_000_000, 50),
    rare: await line(S, 'dishub', 1, 'Uji barang langka', 900_000_000, 1),
    rareOk: await line(S, 'dishub', 1, 'Uji barang langka kecil', 10_000, 1),
    keyword: await line(S, 'dishub', 2, 'Bingkisan hari raya', 150_000, 20),
    keywordOk: await line(S, 'dishub', 2, 'Buku tulis bergaris', 5_000, 20),
    glue: await line(S, 'dishub', 0, 'Uji lem serbaguna', 5_000, 20_000),
    laptop: await line(S, 'dishub', 0, 'Uji laptop kerja', 20_000_000, 5),
  };
  // prices above the catalogue: a free-text line named like a catalogue item, above and below its price
  const item = (
    await searchCatalogue(t.db, t.pemdaId, { year: EXECUTED_YEAR + 1, account: '5.1.02.01.01.0024', limit: 5 })
  ).rows.find((x) => BigInt(x.price) > 1000n)!;
  const above = await line(stage2027, 'diskominfo', 0, item.name, Number(BigInt(item.price) * 2n), 3);
  const below = await line(stage2027, 'diskominfo', 1, item.name, Number(BigInt(item.price) / 2n), 3);
  // volume far above last year's for the same OPD, sub kegiatan and item
  await line(S, 'dishub', 0, 'Uji lompatan volume', 10_000, 10);
  await line(S, 'dishub', 0, 'Uji volume stabil', 10_000, 10);
  const jump = await line(stage2027, 'dishub', 0, 'Uji lompatan volume', 10_000, 50);
  const steady = await line(stage2027, 'dishub', 0, 'Uji volume stabil', 10_000, 20);

  const s = await signals(S);
  assert.ok(has(s, 'FREE_TEXT', ids.free));
  assert.ok(
    !has(
      s,
      'FREE_TEXT',
      (
        await sql<{
          id: string;
        }>`SELECT min(id)::text AS id FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${S} AND NOT free_text AND kind = 'belanja'`.execute(
          t.db,
        )
      ).rows[0]!.id,
    ),
  );
  assert.ok(has(s, 'DUP_WITHIN', ids.dupB));
  assert.ok(!has(s, 'DUP_WITHIN', ids.dupOk) && !has(s, 'DUP_WITHIN', ids.dupA));
  assert.ok(has(s, 'DUP_ACROSS', ids.acrossA) && has(s, 'DUP_ACROSS', ids.acrossB));
  assert.ok(!has(s, 'DUP_ACROSS', ids.acrossOkA) && !has(s, 'DUP_ACROSS', ids.acrossOkB));
  for (const id of [ids.split1, ids.split2, ids.split3]) assert.ok(has(s, 'SPLIT', id));
  assert.ok(
    !has(s, 'SPLIT', ids.noSplit1) && !has(s, 'SPLIT', ids.noSplit2) && !has(s, 'SPLIT', ids.splitElsewhere),
    'another sub kegiatan is another purchase',
  );
  assert.equal(s.signals.find((x) => x.rule === 'SPLIT' && x.line_id === ids.split1)!.amount, '120000000');
  assert.ok(has(s, 'OUT_OF_PATTERN', ids.rare));
  assert.ok(!has(s, 'OUT_OF_PATTERN', ids.rareOk));
  assert.ok(has(s, 'KEYWORD', ids.keyword));
  assert.ok(!has(s, 'KEYWORD', ids.keywordOk));
  assert.ok(has(s, 'OUT_OF_PROPORTION', ids.glue));
  assert.ok(!has(s, 'OUT_OF_PROPORTION', ids.laptop));
  const s27 = await signals(stage2027);
  assert.ok(has(s27, 'ABOVE_CATALOGUE', above), `above the catalogue price of ${item.name}`);
  assert.ok(!has(s27, 'ABOVE_CATALOGUE', below));
  assert.ok(has(s27, 'VOLUME_JUMP', jump));
  assert.ok(!has(s27, 'VOLUME_JUMP', steady));
  // every signal has its reason in words and an amount at risk
  for (const x of s.signals) assert.ok(x.reason.length > 10 && /^\d+$/.test(x.amount));
});

test('a signal is marked reviewed with a note (audited); the CSV lists the ranking; internal search finds draft lines despite a typo', async () => {
  const s = await signals(stage2026);
  const top = s.signals[0]!;
  const body = {
    stage_id: stage2026,
    rule: top.rule,
    line_id: top.line_id,
    note: 'Dicek: volume sesuai kebutuhan sekolah.',
  };
  const denied = await t.server.inject({
    method: 'POST',
    url: '/api/v1/controlling/risk/review',
    headers: await t.as('disdik.head'),
    payload: body,
  });
  assert.equal(denied.statusCode, 403);
  const ok = await t.server.inject({
    method: 'POST',
    url: '/api/v1/controlling/risk/review',
    headers: await t.as('inspektorat'),
    payload: body,
  });
  assert.equal(ok.statusCode, 200, ok.body);
  const after1 = await signals(stage2026);
  assert.ok(after1.signals.find((x) => x.line_id === top.line_id && x.rule === top.rule)!.reviewed);
  const audit = await t.db
    .selectFrom('core_audit_log')
    .select('action')
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', 'ctl_risk_review')
    .execute();
  assert.equal(audit.length, 1);
  const csv = await t.server.inject({
    method: 'GET',
    url: `/controlling/risk.csv?stage_id=${stage2026}`,
    headers: (await t.session('tapd')).headers,
  });
  assert.equal(csv.statusCode, 200);
  assert.ok(csv.body.split('\r\n')[1]!.startsWith(`1,${top.rule},`), 'the CSV starts with the top of the ranking');
  assert.ok(csv.body.split('\r\n')[1]!.includes(`,${top.line_id},`));
  const page = await t.server.inject({
    method: 'GET',
    url: `/controlling/risk?stage_id=${stage2026}`,
    headers: (await t.session('inspektorat')).headers,
  });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /id="risk-stats"/);
  // a draft line of the open stage, found by a misspelt word
  const draft = (
    await sql<{
      name: string;
    }>`SELECT name FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage2027} AND name ~* '^kertas' LIMIT 1`.execute(
      t.db,
    )
  ).rows[0]!.name;
  const found = await t.server.inject({
    method: 'GET',
    url: `/controlling/risk/search?stage_id=${stage2027}&q=kertsa`,
    headers: (await t.session('tapd')).headers,
  });
  assert.equal(found.statusCode, 200);
  assert.ok(found.body.includes(draft));
});
