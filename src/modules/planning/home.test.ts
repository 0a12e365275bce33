// The home page shows planning work (issue #11): Bappeda the planning progress of the year, an OPD
// the proposals waiting for its decision; the figures are those of the tables.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

async function home(user: string): Promise<string> {
  const s = await t.session(user);
  const res = await t.server.inject({ method: 'GET', url: '/', headers: { ...s.headers, accept: 'text/html' } });
  assert.equal(res.statusCode, 200);
  return res.body;
}
const text = (body: string, id: string) => {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(?:dd|p)>`).exec(body);
  assert.ok(m, `#${id} is on the page`);
  return m[1]!.replace(/<[^>]+>/g, '').trim();
};
const count = async (q: ReturnType<typeof sql<{ n: string }>>) => Number((await q.execute(t.db)).rows[0]!.n);

test('Bappeda home: RKPD, Renja approved of all and waiting, proposals waiting for Bappeda', async () => {
  const year = Number(
    (await sql<{ y: number }>`SELECT max(year) AS y FROM pln_rkpd WHERE pemda_id = ${t.pemdaId}`.execute(t.db)).rows[0]!
      .y,
  );
  const renja = await count(sql`SELECT count(*) AS n FROM pln_renja WHERE pemda_id = ${t.pemdaId} AND year = ${year}`);
  const approved = await count(
    sql`SELECT count(*) AS n FROM pln_renja WHERE pemda_id = ${t.pemdaId} AND year = ${year} AND status = 'approved'`,
  );
  const waiting = await count(
    sql`SELECT count(*) AS n FROM pln_proposal WHERE pemda_id = ${t.pemdaId} AND stage = 'bappeda' AND status = 'pending'`,
  );
  const body = await home('bappeda');
  assert.match(body, new RegExp(`Keadaan perencanaan tahun ${year}`));
  assert.equal(text(body, 'home-renja'), `${approved} / ${renja}`);
  assert.equal(text(body, 'home-waiting'), String(waiting));
  assert.match(body, /href="\/musrenbang\?stage=bappeda&amp;status=pending"/);
  assert.doesNotMatch(body, /id="home-proposals"/);
});

test('OPD home: the proposals waiting for its decision; roles without planning work get no panel', async () => {
  const opd = Number(
    (
      await sql<{
        id: number;
      }>`SELECT opd_id AS id FROM usr_user WHERE pemda_id = ${t.pemdaId} AND username = 'dinkes.head'`.execute(t.db)
    ).rows[0]!.id,
  );
  const n = await count(
    sql`SELECT count(*) AS n FROM pln_proposal WHERE pemda_id = ${t.pemdaId} AND stage = 'opd' AND status = 'pending' AND opd_id = ${opd}`,
  );
  assert.equal(text(await home('dinkes.head'), 'home-waiting'), `${n} usulan menunggu keputusan OPD`);
  for (const user of ['inspektorat', 'tim_data'])
    assert.doesNotMatch(await home(user), /id="home-planning"|id="home-proposals"/);
});
