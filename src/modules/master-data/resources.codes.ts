// Master-data resources: the nomenclature (urusan … sub kegiatan) and the chart of accounts.
import { z } from 'zod';
import { fieldError } from '../../core/errors.ts';
import {
  NOMENCLATURE_LEVELS,
  nomenclatureLevel,
  nomenclatureParentCode,
  ACCOUNT_LEVELS,
  accountLevel,
  accountAncestors,
} from './codes.ts';
import { reparentAccounts } from './master-data.repository.ts';
import {
  activeCol,
  codeCol,
  codeInput,
  nameCol,
  nameInput,
  optText,
  reqText,
  type ResourceDef,
  type Row,
  timestamps,
  updateOf,
  yearInput,
  yearSchema,
} from './resource-def.ts';

// ---- nomenclature ------------------------------------------------------------------------------
const nomCreate = z.object({
  year: yearSchema,
  code: reqText(30),
  level: z.enum(NOMENCLATURE_LEVELS).optional(),
  name: reqText(500),
  output: optText(1000),
  indicator: optText(1000),
  unit: optText(50),
});

export const nomenclature: ResourceDef = {
  key: 'nomenclature',
  entity: 'nomenclature',
  table: 'md_nomenclature',
  title: 'md.nomenclature.title',
  one: 'md.nomenclature.one',
  about: 'md.nomenclature.about',
  yearly: true,
  parent: 'code',
  writePermission: 'md.nomenclature.write',
  importPermission: 'md.nomenclature.write',
  inputs: [
    yearInput,
    codeInput('md.hint.nomenclature_code'),
    {
      name: 'level',
      label: 'md.field.level',
      control: 'select',
      update: false,
      values: NOMENCLATURE_LEVELS,
      enumLabel: 'md.level',
      hint: 'md.hint.derived',
      import: { header: 'level', aliases: ['tingkat'] },
    },
    nameInput(500),
    {
      name: 'output',
      label: 'md.field.output',
      control: 'textarea',
      maxlength: 1000,
      show: subOnly,
      import: { header: 'keluaran', aliases: ['output'] },
    },
    {
      name: 'indicator',
      label: 'md.field.indicator',
      control: 'textarea',
      maxlength: 1000,
      show: subOnly,
      import: { header: 'indikator', aliases: ['indicator'] },
    },
    {
      name: 'unit',
      label: 'md.field.unit',
      control: 'text',
      maxlength: 50,
      show: subOnly,
      import: { header: 'satuan', aliases: ['unit'] },
    },
  ],
  columns: [
    codeCol,
    { name: 'level', label: 'md.field.level', list: true, enumLabel: 'md.level' },
    nameCol,
    { name: 'year', label: 'md.field.year' },
    { name: 'output', label: 'md.field.output' },
    { name: 'indicator', label: 'md.field.indicator' },
    { name: 'unit', label: 'md.field.unit', list: true },
    activeCol,
  ],
  filters: [
    { name: 'level', label: 'md.field.level', values: NOMENCLATURE_LEVELS, enumLabel: 'md.level' },
    { name: 'parent_code', label: 'md.field.parent', hidden: true },
  ],
  searchColumns: ['code', 'name'],
  createSchema: nomCreate,
  updateSchema: updateOf(nomCreate, ['year', 'code', 'level']),
  rowSchema: z.object({
    id: z.number(),
    year: z.number(),
    code: z.string(),
    level: z.enum(NOMENCLATURE_LEVELS),
    parent_code: z.string().nullable(),
    name: z.string(),
    output: z.string(),
    indicator: z.string(),
    unit: z.string(),
    ...timestamps,
  }),
  importNotes: ['md.import.note.nomenclature', 'md.import.note.xx'],

  // `X.XX` stands for every bidang urusan (the support program 01 is the same for every OPD):
  // one row per bidang of the year, from the database or from the file itself
  expandImport(records, lookup, fail) {
    const bidang = new Set<string>();
    for (const [code, r] of lookup.own) if (r.level === 'bidang') bidang.add(code);
    for (const r of records)
      if (nomenclatureLevel(String(r.raw.code ?? '').trim()) === 'bidang') bidang.add(String(r.raw.code).trim());
    const sorted = [...bidang].sort();
    return records.flatMap((r) => {
      const code = String(r.raw.code ?? '').trim();
      if (!/^X\.XX(\.|$)/i.test(code)) return [r];
      if (sorted.length === 0) {
        fail(r.row, 'md.import.no_bidang');
        return [];
      }
      return sorted.map((b) => ({ row: r.row, raw: { ...r.raw, code: b + code.slice(4) } }));
    });
  },

  async prepare(ctx, input, existing) {
    const code = existing ? (existing.code as string) : (input.code as string);
    const level = nomenclatureLevel(code);
    if (!level) throw fieldError('code', 'md.error.nomenclature_code_format');
    if (!existing && input.level && input.level !== level)
      throw fieldError('level', 'md.error.level_mismatch', { level });
    const parent = nomenclatureParentCode(code);
    if (!existing && parent && !(await ctx.lookup.byCode('nomenclature', parent, ctx.year))) {
      throw fieldError('code', 'md.error.parent_missing', { code: parent });
    }
    if (level !== 'sub_kegiatan') {
      for (const f of ['output', 'indicator', 'unit'] as const)
        if (input[f]) throw fieldError(f, 'md.error.sub_kegiatan_only');
    }
    return {
      values: {
        year: ctx.year,
        code,
        level,
        parent_code: parent,
        name: input.name,
        output: input.output ?? '',
        indicator: input.indicator ?? '',
        unit: input.unit ?? '',
      },
    };
  },
};

function subOnly(row: Row | null): boolean {
  return !row || row.level === 'sub_kegiatan';
}

// ---- chart of accounts ------------------------------------------------------------------------
const accCreate = z.object({ year: yearSchema, code: reqText(30), name: reqText(300) });

export const accounts: ResourceDef = {
  key: 'accounts',
  entity: 'account',
  table: 'md_account',
  title: 'md.account.title',
  one: 'md.account.one',
  about: 'md.account.about',
  yearly: true,
  parent: 'code',
  writePermission: 'md.account.write',
  importPermission: 'md.account.write',
  inputs: [yearInput, codeInput('md.hint.account_code'), nameInput(300)],
  columns: [
    codeCol,
    { name: 'level', label: 'md.field.level', list: true, enumLabel: 'md.level' },
    nameCol,
    { name: 'year', label: 'md.field.year' },
    activeCol,
  ],
  filters: [
    { name: 'level', label: 'md.field.level', values: ACCOUNT_LEVELS, enumLabel: 'md.level' },
    { name: 'parent_code', label: 'md.field.parent', hidden: true },
  ],
  searchColumns: ['code', 'name'],
  createSchema: accCreate,
  updateSchema: updateOf(accCreate, ['year', 'code']),
  rowSchema: z.object({
    id: z.number(),
    year: z.number(),
    code: z.string(),
    level: z.enum(ACCOUNT_LEVELS),
    parent_code: z.string().nullable(),
    name: z.string(),
    ...timestamps,
  }),
  importNotes: ['md.import.note.accounts'],

  async prepare(ctx, input, existing) {
    const code = existing ? (existing.code as string) : (input.code as string);
    const level = accountLevel(code);
    if (!level) throw fieldError('code', 'md.error.account_code_format');
    let parent: string | null = existing ? existing.parent_code : null;
    if (!existing) {
      const ancestors = accountAncestors(code);
      for (const a of ancestors) {
        if (await ctx.lookup.byCode('accounts', a, ctx.year)) {
          parent = a;
          break;
        }
      }
      // the parent may be any ancestor (official files skip levels), but the akun must exist
      if (ancestors.length && !parent)
        throw fieldError('code', 'md.error.parent_missing', { code: ancestors[ancestors.length - 1]! });
    }
    return { values: { year: ctx.year, code, level, parent_code: parent, name: input.name } };
  },

  // a new intermediate account becomes the parent of the rows below it
  async afterWrite(ctx, _id, _prep, existing) {
    if (existing) return false;
    for (const c of await reparentAccounts(ctx.trx, ctx.pemdaId, ctx.year!)) {
      ctx.audit({
        action: 'update',
        entityId: c.id,
        before: { code: c.code, parent_code: c.from },
        after: { code: c.code, parent_code: c.to },
      });
    }
    return false;
  },

  async afterImport(ctx) {
    await reparentAccounts(ctx.trx, ctx.pemdaId, ctx.year!);
  },
};
