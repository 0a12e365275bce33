// `padu seed --scale`'s generated data (addScaleData, on the demo) at a small size ('test': 4 OPD, 2 units, 60 sub kegiatan, 3,000 lines) on the
// demo: the counts asked for, every maintained total consistent, lines of realistic spread that
// pass the line rules, planning and users to match, and a second run that adds nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { allModules } from '../../app.ts';
import { addScaleData, SCALES } from '../../core/seed.ts';
import { getPemda } from '../../core/tenancy.ts';
import { inconsistentTotals } from './testing.ts';
import { getOpenStage } from './index.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const scale = { ...SCALES.test, lines: 3_500 };

async function counts() {
  const stage = (await getOpenStage(t.db, t.pemdaId))!;
  const one = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(t.db)).rows[0]!.n;
  const p = t.pemdaId;
  return {
    opds: await one(
      sql`SELECT count(*)::int AS n FROM md_organisation WHERE pemda_id = ${p} AND kind = 'opd' AND short_name ~ '^sk[0-9]{3}$'`,
    ),
    units: await one(
      sql`SELECT count(*)::int AS n FROM md_organisation u JOIN md_organisation o ON o.pemda_id = u.pemda_id AND o.id = u.parent_id
           WHERE u.pemda_id = ${p} AND u.kind = 'unit' AND o.short_name ~ '^sk[0-9]{3}$'`,
    ),
    subs: await one(
      sql`SELECT count(*)::int AS n FROM bud_sub_kegiatan s JOIN md_organisation o ON o.pemda_id = s.pemda_id AND o.id = s.opd_id
           WHERE s.pemda_id = ${p} AND s.stage_id = ${stage.id} AND o.short_name ~ '^sk[0-9]{3}$'`,
    ),
    lines: await one(
      sql`SELECT count(*)::int AS n FROM bud_line l JOIN md_organisation o ON o.pemda_id = l.pemda_id AND o.id = l.opd_id
           WHERE l.pemda_id = ${p} AND l.stage_id = ${stage.id} AND o.short_name ~ '^sk[0-9]{3}$'`,
    ),
    renjaItems: await one(
      sql`SELECT count(*)::int AS n FROM pln_renja_item i JOIN pln_renja r ON r.pemda_id = i.pemda_id AND r.id = i.renja_id
           JOIN md_organisation o ON o.pemda_id = r.pemda_id AND o.id = r.opd_id
           WHERE i.pemda_id = ${p} AND r.year = ${scale.year} AND r.status = 'approved' AND o.short_name ~ '^sk[0-9]{3}$'`,
    ),
    items: await one(
      sql`SELECT count(*)::int AS n FROM cat_item WHERE pemda_id = ${p} AND year = ${scale.year} AND code LIKE '9.9.%'`,
    ),
    users: await one(
      sql`SELECT count(*)::int AS n FROM usr_user WHERE pemda_id = ${p} AND username ~ '^sk[0-9]{3}\\.(operator|head|unit)$'`,
    ),
  };
}

test('seed --scale (test size): the counts asked for, consistent maintained totals, realistic lines; a second run adds nothing', async () => {
  const steps: string[] = [];
  const pemda = (await getPemda(t.db, t.pemdaId))!;
  await addScaleData(t.db, allModules, pemda, scale, (_d, _t, label) => steps.push(label));
  assert.ok(steps.includes('budgeting: lines'), 'progress is reported while the lines are generated');
  const c = await counts();
  assert.deepEqual(c, {
    opds: scale.opds,
    units: scale.units,
    subs: scale.subKegiatan,
    lines: scale.lines,
    renjaItems: scale.subKegiatan,
    items: scale.catalogueItems,
    users: scale.opds * 3,
  });

  const bad = await inconsistentTotals(t.db, t.pemdaId);
  assert.deepEqual(bad, { subs: [], opds: [], overCeiling: [] }, 'every maintained total equals what it totals');
  // the generated OPD ceilings hold their sub kegiatan's ceilings
  const opdOver = await sql<{ opd_id: number }>`
    SELECT c.opd_id FROM bud_opd_ceiling c
     WHERE c.pemda_id = ${t.pemdaId}
       AND c.ceiling < (SELECT coalesce(sum(s.ceiling), 0) FROM bud_sub_kegiatan s
                         WHERE s.pemda_id = c.pemda_id AND s.stage_id = c.stage_id AND s.opd_id = c.opd_id)`.execute(
    t.db,
  );
  assert.deepEqual(opdOver.rows, []);

  // spread: lines over many sub kegiatan and accounts, both coefficient shapes, some taxed and discounted,
  // every line's sub kegiatan of its own OPD, and priced from a catalogue item allowed on its account
  const stage = (await getOpenStage(t.db, t.pemdaId))!;
  const spread = (
    await sql<{
      subs: number;
      accounts: number;
      persons: number;
      taxed: number;
      discounted: number;
      foreign: number;
      off_account: number;
      max_per_sub: number;
      min_price: string;
      max_price: string;
      total: string;
    }>`
      SELECT count(DISTINCT l.sub_kegiatan_id)::int AS subs, count(DISTINCT l.account_code)::int AS accounts,
             count(*) FILTER (WHERE l.v2 IS NOT NULL)::int AS persons, count(*) FILTER (WHERE l.tax > 0)::int AS taxed,
             count(*) FILTER (WHERE l.unit_price < l.catalogue_price)::int AS discounted,
             count(*) FILTER (WHERE s.opd_id <> l.opd_id OR s.code <> l.sub_kegiatan_code)::int AS foreign,
             count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM cat_item_account a WHERE a.pemda_id = l.pemda_id AND a.item_id = l.item_id
                                                  AND a.version = l.item_version AND a.account_code = l.account_code))::int AS off_account,
             (SELECT max(n) FROM (SELECT count(*)::int AS n FROM bud_line x WHERE x.pemda_id = ${t.pemdaId} AND x.stage_id = ${stage.id}
                                    AND x.created_by LIKE 'sk%' GROUP BY x.sub_kegiatan_id) m) AS max_per_sub,
             min(l.unit_price)::text AS min_price, max(l.unit_price)::text AS max_price, sum(l.total)::text AS total
        FROM bud_line l JOIN bud_sub_kegiatan s ON s.pemda_id = l.pemda_id AND s.id = l.sub_kegiatan_id
       WHERE l.pemda_id = ${t.pemdaId} AND l.stage_id = ${stage.id} AND l.created_by LIKE 'sk%'`.execute(t.db)
  ).rows[0]!;
  assert.equal(spread.foreign, 0);
  assert.equal(spread.off_account, 0);
  assert.ok(spread.subs > scale.subKegiatan * 0.6, `lines over most sub kegiatan (${spread.subs})`);
  assert.ok(spread.accounts >= 10, `many accounts (${spread.accounts})`);
  const share = (n: number) => n / scale.lines;
  assert.ok(share(spread.persons) > 0.05 && share(spread.persons) < 0.3, `persons × times ${spread.persons}`);
  // about Rp 20 million a line on average (a kabupaten's 100,000 lines: about Rp 2 trillion)
  const avg = Number(BigInt(spread.total) / BigInt(scale.lines));
  assert.ok(avg > 5_000_000 && avg < 60_000_000, `average line Rp ${avg}`);
  assert.ok(share(spread.taxed) > 0.05 && share(spread.taxed) < 0.3, `taxed ${spread.taxed}`);
  assert.ok(share(spread.discounted) > 0.2 && share(spread.discounted) < 0.5, `discounted ${spread.discounted}`);
  assert.ok(
    spread.max_per_sub > (scale.lines / scale.subKegiatan) * 2,
    `skewed: a big sub kegiatan (${spread.max_per_sub})`,
  );
  assert.ok(BigInt(spread.max_price) > 100n * BigInt(spread.min_price), 'prices spread over orders of magnitude');

  // one audit record per entity kind and per batch of lines
  const audit = await sql<{ entity: string; n: number }>`
    SELECT entity, count(*)::int AS n FROM core_audit_log
     WHERE pemda_id = ${t.pemdaId} AND action = 'seed' AND entity_id LIKE ANY (ARRAY['scale %', 'stage %'])
       AND (after->>'scale' = ${scale.name} OR entity_id = ${`scale ${scale.name}`})
     GROUP BY entity ORDER BY entity`.execute(t.db);
  assert.deepEqual(Object.fromEntries(audit.rows.map((r) => [r.entity, r.n])), {
    bud_line: 1,
    bud_opd: 1,
    bud_totals: 1,
    catalogue_item: 1,
    nomenclature: 1,
    organisation: 1,
    renja: 1,
  });

  // idempotent
  await addScaleData(t.db, allModules, pemda, scale);
  assert.deepEqual(await counts(), c);
});
