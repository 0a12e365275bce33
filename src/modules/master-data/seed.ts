// Seeds: the reference data every Pemda needs (nomenclature and accounts for the fiscal years,
// funding sources, units) and the "Kabupaten Demo" organisations and regions. They go through the
// importer in 'seed' mode: validated like any import, missing codes inserted, existing rows left
// as they are (idempotent), one audit entry per table.
import fs from 'node:fs';
import type { SeedContext } from '../../core/module.ts';
import { readSheet, type Sheet } from '../../core/tabular.ts';
import { getPemda } from '../../core/tenancy.ts';
import { importSheet, type ImportOptions } from './import.ts';
import { resourceOf, type ResourceKey } from './resources.ts';

export const SEED_YEARS = [2026, 2027] as const;

async function seedFile(
  ctx: SeedContext,
  kind: ResourceKey,
  file: string,
  opts: ImportOptions = {},
  rewrite?: (sheet: Sheet) => Sheet,
): Promise<void> {
  let sheet = await readSheet(fs.readFileSync(new URL(`./seed-data/${file}`, import.meta.url)));
  if (rewrite) sheet = rewrite(sheet);
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

/**
 * The nomenclature and chart of accounts of one more fiscal year (the same reference files as the
 * seeded years), for a Pemda that plans a year beyond SEED_YEARS — e.g. tests that need a year the
 * demo leaves empty. Idempotent like every seed.
 */
export async function seedFiscalYear(ctx: SeedContext, year: number): Promise<void> {
  await seedFile(ctx, 'nomenclature', 'nomenclature.csv', { year });
  await seedFile(ctx, 'accounts', 'accounts.csv', { year });
}

/** The demo region file is written for Pemda 99.01; any Pemda gets the same regions under its own code. */
export const DEMO_REGION_PREFIX = '99.01';

export async function seedDemo(ctx: SeedContext): Promise<void> {
  await seedFile(ctx, 'organisations', 'organisations.csv');
  const pemda = await getPemda(ctx.db, ctx.pemdaId);
  if (!pemda) throw new Error(`No Pemda ${ctx.pemdaId}`);
  await seedFile(ctx, 'regions', 'regions.csv', {}, (sheet) => {
    const col = sheet.headers.findIndex((h) => h.trim().toLowerCase() === 'kode');
    return {
      headers: sheet.headers,
      rows: sheet.rows.map((r) => ({
        row: r.row,
        cells: r.cells.map((c, i) =>
          i === col && c.startsWith(DEMO_REGION_PREFIX) ? pemda.code + c.slice(DEMO_REGION_PREFIX.length) : c,
        ),
      })),
    };
  });
}
