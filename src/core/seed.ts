// Seeding: reference data every Pemda needs (a new Pemda gets it from `addPemda`), and the demo
// data ("Kabupaten Demo" by default; any Pemda code works).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { sql } from 'kysely';
import type { ModuleManifest, ScaleSpec } from './module.ts';
import { AppRegistry } from './registry.ts';
import type { Principal } from './roles.ts';
import { mutate } from './audit/audit.ts';
import { fieldError } from './errors.ts';
import { findPemdaByCode, listPemda, pemdaInput, type Pemda, type PemdaInput } from './tenancy.ts';

export const DEMO_PEMDA = {
  code: '99.01',
  name: 'Kabupaten Demo',
  kind: 'kabupaten',
  province: 'Kalimantan Selatan',
} as const;
export const DEMO_PASSWORD = 'padu-demo';

export type Progress = (done: number, total: number, label: string) => void;

async function runSteps(
  db: Db,
  pemda: Pemda,
  modules: ModuleManifest[],
  kinds: Array<'seedBase' | 'seedDemo'>,
  registry: AppRegistry,
  progress?: Progress,
): Promise<void> {
  const actor = registry.system(pemda.id, 'seed');
  const steps = modules.flatMap((m) =>
    kinds.flatMap((k) => (m[k] ? [{ label: `${m.name}: ${k === 'seedBase' ? 'base' : 'demo'}`, run: m[k] }] : [])),
  );
  let i = 0;
  for (const s of steps) {
    progress?.(i, steps.length, s.label);
    await s.run({ db, pemdaId: pemda.id, actor, progress });
    i++;
  }
  progress?.(steps.length, steps.length, 'done');
}

/**
 * Create a Pemda with the base data of every module (nomenclature, accounts, funding sources,
 * units, default settings). The Pemda stays inactive (invisible at log-in) until its base data is
 * complete; re-running after a failure resumes (every seedBase is idempotent). The platform
 * administrator who asks is recorded in the audit trail of their own Pemda.
 */
export async function addPemda(
  db: Db,
  modules: ModuleManifest[],
  input: PemdaInput,
  opts: { actor?: Principal; progress?: Progress; registry?: AppRegistry } = {},
): Promise<Pemda> {
  const registry = opts.registry ?? new AppRegistry(modules);
  const v = pemdaInput.parse(input);
  let pemda = await findPemdaByCode(db, v.code);
  if (pemda?.active) throw fieldError('code', 'core.pemda.code_taken', { code: v.code });
  const sameName = (await listPemda(db, { all: true })).find(
    (p) => p.name.trim().toLowerCase() === v.name.trim().toLowerCase() && p.code !== v.code,
  );
  if (sameName) throw fieldError('name', 'core.pemda.name_taken', { name: v.name });
  if (!pemda) {
    const insert = (trx: Db) =>
      trx
        .insertInto('core_pemda')
        .values({ ...v, active: false, settings: '{}' })
        .returningAll()
        .executeTakeFirstOrThrow();
    pemda = opts.actor
      ? await mutate(db, opts.actor, async (uow) => {
          const row = await insert(uow.trx as unknown as Db);
          uow.audit({ action: 'create', entity: 'pemda', entityId: row.code, after: { ...v, id: row.id } });
          return row;
        })
      : await insert(db);
  }
  await runSteps(db, pemda, modules, ['seedBase'], registry, opts.progress);
  return db
    .updateTable('core_pemda')
    .set({ active: true })
    .where('id', '=', pemda.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Create or refresh a demo Pemda: "Kabupaten Demo" (99.01) by default, or any other Pemda (by its
 * input, created with its base data when missing). Every step is idempotent.
 */
export async function seedDemo(
  db: Db,
  modules: ModuleManifest[],
  progress?: Progress,
  registry: AppRegistry = new AppRegistry(modules),
  target: PemdaInput = DEMO_PEMDA,
): Promise<Pemda> {
  const existing = await findPemdaByCode(db, target.code);
  const pemda = existing?.active ? existing : await addPemda(db, modules, target, { progress, registry });
  if (existing?.active) await runSteps(db, pemda, modules, ['seedBase'], registry, progress);
  await runSteps(db, pemda, modules, ['seedDemo'], registry, progress);
  // Statistics for the planner after the bulk load, as after any data load: without them PostgreSQL
  // plans a prepared statement's generic plan blind and may scan a Pemda's sub kegiatan by the
  // wrong index (issue #9: seen in the line save until autovacuum got round to the tables)
  await sql`ANALYZE`.execute(db);
  return pemda;
}

/**
 * The generated data sets of `padu seed --scale` (on top of the demo, in its APBD year). 'test' is a
 * small one for the test suite.
 */
export const SCALES: Record<'kabupaten' | 'metro' | 'test', ScaleSpec> = {
  kabupaten: {
    name: 'kabupaten',
    year: 2027,
    opds: 40,
    units: 20,
    subKegiatan: 2_000,
    lines: 100_000,
    catalogueItems: 4_000,
    seed: 6306,
  },
  metro: {
    name: 'metro',
    year: 2027,
    opds: 200,
    units: 100,
    subKegiatan: 20_000,
    lines: 1_000_000,
    catalogueItems: 20_000,
    seed: 3171,
  },
  test: { name: 'test', year: 2027, opds: 4, units: 2, subKegiatan: 60, lines: 3_000, catalogueItems: 150, seed: 99 },
};

/**
 * The demo Pemda (`seedDemo`) plus generated data of the given scale: every module's `seedScale`,
 * in module order (organisations and nomenclature, users, Renja, catalogue, then the budget).
 * Running it again adds nothing.
 */
export async function seedScale(
  db: Db,
  modules: ModuleManifest[],
  scale: ScaleSpec,
  progress?: Progress,
  registry: AppRegistry = new AppRegistry(modules),
  target: PemdaInput = DEMO_PEMDA,
): Promise<Pemda> {
  const pemda = await seedDemo(db, modules, progress, registry, target);
  await addScaleData(db, modules, pemda, scale, progress, registry);
  return pemda;
}

/** Every module's `seedScale` on a Pemda that has the demo data (what `seedScale` adds after `seedDemo`). */
export async function addScaleData(
  db: Db,
  modules: ModuleManifest[],
  pemda: Pemda,
  scale: ScaleSpec,
  progress?: Progress,
  registry: AppRegistry = new AppRegistry(modules),
): Promise<void> {
  const actor = registry.system(pemda.id, 'seed-scale');
  for (const m of modules) {
    if (!m.seedScale) continue;
    progress?.(0, 1, `${m.name}: ${scale.name}`);
    await m.seedScale({ db, pemdaId: pemda.id, actor, progress, scale });
  }
  progress?.(1, 1, 'done');
}

/** A new (real) Pemda with the reference data every Pemda needs (no demo data, no users). */
/** The Pemda with this code, created with its base data (`addPemda`) when missing or unfinished. */
export async function createPemda(
  db: Db,
  modules: ModuleManifest[],
  input: PemdaInput,
  progress?: Progress,
  registry: AppRegistry = new AppRegistry(modules),
): Promise<Pemda> {
  const existing = await findPemdaByCode(db, input.code);
  if (existing?.active) return existing;
  return addPemda(db, modules, input, { progress, registry });
}

/** The folder of this checkout (where package.json is). */
export const checkoutRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What `serve` does on an empty database. The demo (with its published password) is seeded only
 * when Padu runs from a source checkout (a .git beside package.json) on its default data folder
 * (`npm start` in a clone); never on a database given by DATABASE_URL nor in any other data folder,
 * where the operator creates the Pemda and its first admin with `padu user add`.
 */
export function demoSeedPolicy(config: Config, root: string = checkoutRoot): 'seed' | 'refuse' {
  if (config.databaseUrl || config.demoSeed === 'never') return 'refuse';
  const isCheckout = fs.existsSync(path.join(root, '.git')) && fs.existsSync(path.join(root, 'package.json'));
  return isCheckout && path.resolve(config.dataDir) === path.resolve(root, 'data') ? 'seed' : 'refuse';
}

/** How to start a real deployment on an empty database (printed by `serve`). */
export const FIRST_ADMIN_HELP = `Empty database: no Pemda and no users yet. The demo data (with its published password) is put
only on a checkout's own data folder (npm start) or by \`padu seed --demo\`. Create your Pemda and its
first administrator (the password is asked for, or read from standard input):

  padu user add --pemda 63.06 --pemda-name "Kabupaten Banjar" --pemda-kind kabupaten \\
                --username admin --role admin --name "Administrator"

then log in at /login and create the other users under Pengguna.`;

/** True when no Pemda exists yet (first start). */
export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('core_pemda').select('id').limit(1).executeTakeFirst();
  return !row;
}

/** A small deterministic PRNG (mulberry32) for demo seeds: the same demo every time. */
export function demoRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
