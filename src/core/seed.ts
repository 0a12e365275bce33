// Seeding: reference data every Pemda needs, and the "Kabupaten Demo" demo data.
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
