// Foundation benchmarks: the full HTTP stack (auth, tenancy, compression, serialisation) against a
// bare Fastify answering the same query, and the audited unit of work against a bare UPDATE.
import Fastify from 'fastify';
import { sql } from 'kysely';
import { testApp } from '../src/testing/harness.ts';
import { mutate } from '../src/core/audit/audit.ts';
import { systemPrincipal } from '../src/core/roles.ts';
import { httpLoad, timeIt, type BenchEntry } from './harness.ts';

export async function foundationBenches() {
  if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
  const t = await testApp();
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.server.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  // the bare baseline: Fastify + the same database, no auth, no schemas, no compression
  const bare = Fastify();
  bare.get('/healthz', async () => {
    await t.db.selectFrom('core_pemda').select('id').limit(1).execute();
    return { status: 'ok' };
  });
  bare.get('/orgs', async () => {
    const r = await sql`SELECT * FROM md_organisation WHERE pemda_id = ${t.pemdaId} ORDER BY code LIMIT 50`.execute(
      t.db,
    );
    return r.rows;
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareAddr = bare.server.address();
  const bareBase = `http://127.0.0.1:${typeof bareAddr === 'object' && bareAddr ? bareAddr.port : 0}`;
  const admin = await t.as('admin');
  const actor = systemPrincipal(t.app.registry.permissions, t.pemdaId, 'bench');

  const entries: BenchEntry[] = [
    {
      name: 'GET /healthz (HTTP, 20 connections)',
      padu: () => httpLoad(`${base}/healthz`),
      baseline: () => httpLoad(`${bareBase}/healthz`),
    },
    {
      name: 'GET organisations list, 50 rows (bearer auth, JSON)',
      padu: () => httpLoad(`${base}/api/v1/master-data/organisations?limit=50`, { headers: admin }),
      baseline: () => httpLoad(`${bareBase}/orgs`),
    },
    {
      name: 'audited update (unit of work + hash chain) vs bare UPDATE, 200 in a row',
      padu: () =>
        timeIt(async () => {
          for (let i = 0; i < 200; i++) {
            await mutate(t.db, actor, async (uow) => {
              await sql`UPDATE core_pemda SET settings = settings WHERE id = ${t.pemdaId}`.execute(uow.trx);
              uow.audit({ action: 'bench', entity: 'pemda', entityId: t.pemdaId, after: { i } });
            });
          }
        }, 3),
      baseline: () =>
        timeIt(async () => {
          for (let i = 0; i < 200; i++) {
            await t.db.transaction().execute(async (trx) => {
              await sql`UPDATE core_pemda SET settings = settings WHERE id = ${t.pemdaId}`.execute(trx);
            });
          }
        }, 3),
    },
  ];
  return {
    label: `Foundation (${t.handle.kind})`,
    entries,
    close: async () => {
      await bare.close();
      await t.close();
    },
  };
}
