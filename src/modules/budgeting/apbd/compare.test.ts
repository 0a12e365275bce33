import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseCsv } from 'csv-parse/sync';
import { json, testApp, type TestContext } from '../../../testing/harness.ts';
import { ATK, itemFor, openStage, opdIdOf, sub, subsOf } from '../testing.ts';
import { percentOf } from './engine.ts';
import { REPORTS } from './reports.ts';

let t: TestContext;
let murni: { id: number };
let perubahan: { id: number };
let dinkes: number;
const P = '/api/v1/budget';
const A = '/api/v1/budget/apbd';

type Row = {
  kind: string;
  key?: string;
  code: string;
  values: string[];
  previous: string[];
  difference: string[];
  percent: Array<string | null>;
  drill?: { opd?: number; ub?: string; sub?: string; acc?: string; fn?: string };
};

before(async () => {
  t = await testApp();
  murni = await openStage(t);
  dinkes = await opdIdOf(t, 'dinkes');
});
after(async () => t?.close());

const get = async (url: string, user = 'tapd') => t.server.inject({ method: 'GET', url, headers: await t.as(user) });

/** The line changed in the test, as the reports see it. */
let line: { id: string; opd_id: number; sub_kegiatan_code: string; account_code: string; line_key: string };
let delta = 0n;
const BIDANG_FN: Record<string, string> = { '1.02': '07' };

test('a perubahan stage in which one line changed shows exactly that difference in every report that contains it', async () => {
  const tapd = await t.as('tapd');
  assert.equal(
    (await t.server.inject({ method: 'POST', url: `${P}/stages/${murni.id}/close`, headers: tapd })).statusCode,
    200,
  );
  const win = {
    input_opens_at: new Date(Date.now() - 3600_000).toISOString(),
    input_closes_at: new Date(Date.now() + 7 * 86400_000).toISOString(),
  };
  const opened = await t.server.inject({
    method: 'POST',
    url: `${P}/stages`,
    headers: tapd,
    payload: { year: 2027, kind: 'perubahan', ...win },
  });
  assert.equal(opened.statusCode, 201, opened.body);
  perubahan = json(opened);
  // one dinkes line, priced below its price: lower its unit price by Rp 1.000
  const s = (await subsOf(t, perubahan.id, dinkes)).find((x) => x.lines > 0 && x.status === 'draft')!;
  const detail = await sub(t, s.id);
  const l = detail.lines.find(
    (x: { travel_id: number | null; unit_price: string }) => x.travel_id === null && BigInt(x.unit_price) > 5000n,
  );
  assert.ok(l, 'a line to change');
  const res = await t.server.inject({
    method: 'PATCH',
    url: `${P}/lines/${l.id}`,
    headers: await t.as('dinkes.operator'),
    payload: { version: l.version, unit_price: String(BigInt(l.unit_price) - 1000n) },
  });
  assert.equal(res.statusCode, 200, res.body);
  delta = BigInt(json(res).total) - BigInt(l.total);
  assert.ok(delta < 0n);
  line = l;

  const contains = (d: Row['drill']) => {
    if (!d) return false;
    if (d.opd !== undefined && d.opd !== line.opd_id) return false;
    if (d.ub && !line.sub_kegiatan_code.startsWith(d.ub)) return false;
    if (d.sub && !line.sub_kegiatan_code.startsWith(d.sub)) return false;
    if (d.acc && !line.account_code.startsWith(d.acc)) return false;
    if (d.fn && BIDANG_FN[line.sub_kegiatan_code.slice(0, 4)] !== d.fn) return false;
    return true;
  };
  for (const def of REPORTS) {
    const res = await get(`${A}/stages/${perubahan.id}/reports/${def.id}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = json(res);
    assert.equal(body.compare.id, murni.id, `${def.id}: a perubahan compares with the stage it was copied from`);
    const rows = body.rows as Row[];
    let touched = 0;
    for (const r of rows) {
      def.measures.forEach((m, i) => {
        let expected = 0n;
        if (r.key === 'surplus' || r.key === 'silpa') expected = -delta;
        else if (r.key === 'total.belanja') expected = delta;
        else if (r.key === 'grand' || r.drill) {
          const inRow = r.key === 'grand' || contains(r.drill);
          const inMeasure = !m.drillAcc || line.account_code.startsWith(m.drillAcc);
          if (inRow && inMeasure && m.key !== 'pembiayaan_netto') expected = delta;
        } else if (r.kind === 'total' || r.kind === 'computed') expected = BigInt(r.difference[i]!) === 0n ? 0n : delta; // per-OPD JUMLAH BELANJA
        assert.equal(BigInt(r.difference[i]!), expected, `${def.id} ${r.key ?? r.code} ${m.key}`);
        assert.equal(BigInt(r.values[i]!) - BigInt(r.previous[i]!), BigInt(r.difference[i]!));
        if (expected !== 0n) touched++;
      });
    }
    assert.ok(touched >= 3, `${def.id}: the change shows in ${touched} figures`);
  }
  // the percentage: exact, one decimal
  const p1 = json(await get(`${A}/stages/${perubahan.id}/reports/perda-1`)).rows as Row[];
  const five = p1.find((r) => r.code === '5')!;
  assert.equal(five.percent[0], percentOf(delta, BigInt(five.previous[0]!)));
  assert.match(five.percent[0]!, /^-?\d+\.\d$/);
  // without comparison, and compared with the murni explicitly
  const plain = json(await get(`${A}/stages/${perubahan.id}/reports/perda-1?compare=none`));
  assert.equal(plain.compare, null);
  assert.equal(plain.rows[0].previous, undefined);
  // the CSV of a comparison carries before, after, increase/(decrease) and %
  const csv = parseCsv((await get(`${A}/stages/${perubahan.id}/reports/perda-1?format=csv`)).body, {
    bom: true,
  }) as string[][];
  assert.deepEqual(csv[0]!.slice(-4), ['Sebelum Perubahan', 'Setelah Perubahan', 'Bertambah/(Berkurang)', '%']);
  const fiveCsv = csv.find((r) => r[3] === '5')!;
  assert.deepEqual(fiveCsv.slice(-4), [five.previous[0], five.values[0], delta.toString(), five.percent[0]]);
  // the HTML page shows the three columns
  const page = await t.server.inject({
    method: 'GET',
    url: `/budget/apbd/report/perda-1?stage_id=${perubahan.id}`,
    headers: { ...(await t.session('dprd')).headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('Bertambah/(Berkurang)'));
  assert.ok(page.body.includes(`(${new Intl.NumberFormat('id-ID').format(-delta)})`), 'the decrease in parentheses');
});

test('line diff between two stages of one OPD: added, removed, changed, with who changed them', async () => {
  const d1 = json(await get(`${A}/diff?opd_id=${dinkes}&from=${murni.id}&to=${perubahan.id}`, 'dinkes.head'));
  assert.deepEqual(d1.counts, { added: 0, removed: 0, changed: 1 });
  assert.equal(d1.rows[0].line_key, line.line_key);
  assert.equal(d1.rows[0].difference, delta.toString());
  assert.equal(d1.rows[0].by.actor, 'dinkes.operator');
  assert.equal(d1.rows[0].by.action, 'update');
  assert.equal(BigInt(d1.after) - BigInt(d1.before), delta);
  // remove one line and add one
  const op = await t.as('dinkes.operator');
  const s = (await subsOf(t, perubahan.id, dinkes)).find((x) => x.lines > 1 && x.status === 'draft')!;
  const victim = (await sub(t, s.id)).lines.find(
    (x: { travel_id: number | null; id: string }) => x.travel_id === null && x.id !== line.id,
  );
  assert.equal(
    (await t.server.inject({ method: 'DELETE', url: `${P}/lines/${victim.id}?version=${victim.version}`, headers: op }))
      .statusCode,
    204,
  );
  const item = await itemFor(t, ATK);
  const added = await t.server.inject({
    method: 'POST',
    url: `${P}/sub-kegiatan/${s.id}/lines`,
    headers: op,
    payload: { account_code: ATK, item_id: item.itemId, factors: [{ v: '1', u: 'Buah' }] },
  });
  assert.equal(added.statusCode, 201, added.body);
  const d2 = json(await get(`${A}/diff?opd_id=${dinkes}&from=${murni.id}&to=${perubahan.id}`));
  assert.deepEqual(d2.counts, { added: 1, removed: 1, changed: 1 });
  const removed = d2.rows.find((r: { change: string }) => r.change === 'removed');
  assert.equal(removed.line_key, victim.line_key);
  assert.equal(removed.after, null);
  assert.equal(removed.by.actor, 'dinkes.operator');
  assert.equal(removed.by.action, 'delete');
  const add = d2.rows.find((r: { change: string }) => r.change === 'added');
  assert.equal(add.before, null);
  assert.equal(add.after.total, json(added).total);
  assert.equal(add.by.action, 'create');
  // another OPD may not read it; the page shows it
  assert.equal(
    (await get(`${A}/diff?opd_id=${dinkes}&from=${murni.id}&to=${perubahan.id}`, 'disdik.head')).statusCode,
    403,
  );
  const page = await t.server.inject({
    method: 'GET',
    url: `/budget/apbd/diff?opd_id=${dinkes}&from=${murni.id}&to=${perubahan.id}`,
    headers: { ...(await t.session('dinkes.head')).headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('Dihapus') && page.body.includes('Ditambah') && page.body.includes('Diubah'));
});
