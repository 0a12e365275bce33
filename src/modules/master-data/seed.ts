// Seeds: the reference data every Pemda needs (nomenclature and accounts for the fiscal years,
// funding sources, units) and the "Kabupaten Demo" organisations and regions. They go through the
// importer in 'seed' mode: validated like any import, missing codes inserted, existing rows left
// as they are (idempotent), one audit entry per table.
import fs from 'node:fs';
import type { SeedContext } from '../../core/module.ts';
import { readSheet } from '../../core/tabular.ts';
import { importSheet, type ImportOptions } from './import.ts';
import { resourceOf, type ResourceKey } from './resources.ts';

export const SEED_YEARS = [2026, 2027] as const;

async function seedFile(ctx: SeedContext, kind: ResourceKey, file: string, opts: ImportOptions = {}): Promise<void> {
  const sheet = await readSheet(fs.readFileSync(new URL(`./seed-data/${file}`, import.meta.url)));
  const res = await importSheet(ctx.db, ctx.actor, resourceOf(kind)!, sheet, {
    ...opts,
    mode: 'seed',
    lang: 'en',
    fileName: file,
  });
  if (!res.ok) {
    const lines = res.errors.slice(0, 20).map((e) => `  row ${e.row}, ${e.column}: ${e.reason}`);
    throw new Error(`Seed file ${file} is invalid:\n${lines.join('\n')}`);
  }
}

export async function seedBase(ctx: SeedContext): Promise<void> {
  const steps: Array<[ResourceKey, string, number | undefined]> = [
    ...SEED_YEARS.flatMap((y): Array<[ResourceKey, string, number]> => [
      ['nomenclature', 'nomenclature.csv', y],
      ['accounts', 'accounts.csv', y],
    ]),
    ['funding-sources', 'funding-sources.csv', undefined],
    ['units', 'units.csv', undefined],
  ];
  for (const [i, [kind, file, year]] of steps.entries()) {
    ctx.progress?.(i, steps.length, `master-data: ${kind}${year ? ` ${year}` : ''}`);
    await seedFile(ctx, kind, file, { year });
  }
}

export async function seedDemo(ctx: SeedContext): Promise<void> {
  await seedFile(ctx, 'organisations', 'organisations.csv');
  await seedFile(ctx, 'regions', 'regions.csv');
}
