// Seeding: reference data every Pemda needs, and the "Kabupaten Demo" demo data.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { ModuleManifest } from './module.ts';
import { AppRegistry } from './registry.ts';
import { ensurePemda, type Pemda } from './tenancy.ts';

export const DEMO_PEMDA = {
  code: '99.01',
  name: 'Kabupaten Demo',
  kind: 'kabupaten',
  province: 'Kalimantan Selatan',
} as const;
export const DEMO_PASSWORD = 'padu-demo';

export type Progress = (done: number, total: number, label: string) => void;

export async function seedDemo(
  db: Db,
  modules: ModuleManifest[],
  progress?: Progress,
  registry: AppRegistry = new AppRegistry(modules),
): Promise<Pemda> {
  const pemda = await ensurePemda(db, DEMO_PEMDA);
  const actor = registry.system(pemda.id, 'seed');
  const steps = modules.flatMap((m) => [
    ...(m.seedBase ? [{ label: `${m.name}: base`, run: m.seedBase }] : []),
    ...(m.seedDemo ? [{ label: `${m.name}: demo`, run: m.seedDemo }] : []),
  ]);
  let i = 0;
  for (const s of steps) {
    progress?.(i, steps.length, s.label);
    await s.run({ db, pemdaId: pemda.id, actor, progress });
    i++;
  }
  progress?.(steps.length, steps.length, 'done');
  return pemda;
}

/** A new (real) Pemda with the reference data every Pemda needs (no demo data, no users). */
export async function createPemda(
  db: Db,
  modules: ModuleManifest[],
  input: { code: string; name: string; kind: 'kabupaten' | 'kota' | 'provinsi'; province?: string },
  progress?: Progress,
  registry: AppRegistry = new AppRegistry(modules),
): Promise<Pemda> {
  const pemda = await ensurePemda(db, { province: '', ...input });
  const actor = registry.system(pemda.id, 'seed');
  const steps = modules.filter((m) => m.seedBase);
  let i = 0;
  for (const m of steps) {
    progress?.(i++, steps.length, `${m.name}: base`);
    await m.seedBase!({ db, pemdaId: pemda.id, actor, progress });
  }
  progress?.(steps.length, steps.length, 'done');
  return pemda;
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
