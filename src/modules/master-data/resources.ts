// The six master-data resources as definitions: table, inputs (form fields, API body, import
// columns), list columns and filters, zod schemas, and the validation hooks that derive what a
// code implies (level, parent, kind). One generic service, API, page set and importer run them.
import { z } from 'zod';
import type { HtmlValue } from '../../core/http/html.ts';
import { fieldError, forbidden } from '../../core/errors.ts';
import { isOpdScoped, type Principal } from '../../core/roles.ts';
import type { Db } from '../../core/db/database.ts';
import type { Trx } from '../../core/audit/audit.ts';
import {
  ACCOUNT_LEVELS,
  NOMENCLATURE_LEVELS,
  REGION_KINDS,
  accountAncestors,
  accountLevel,
  isValidFundingSourceCode,
  isValidNip,
  isValidShortName,
  isValidUnitCode,
  nomenclatureLevel,
  nomenclatureParentCode,
  parseOrganisationCode,
  regionInPemda,
  regionKind,
  regionParentCode,
} from './codes.ts';
import {
  allBidang,
  bidangOf,
  reparentAccounts,
  setBidang,
  type ImportLookup,
  type Lookup,
} from './master-data.repository.ts';

export const RESOURCE_KEYS = [
  'organisations',
  'nomenclature',
  'accounts',
  'regions',
  'funding-sources',
  'units',
] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];
export type MdTable =
  'md_organisation' | 'md_nomenclature' | 'md_account' | 'md_region' | 'md_funding_source' | 'md_unit';
/** A database row of a master-data table (the generic layer does not know which). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a row of a table chosen at run time
export type Row = Record<string, any>;

export const ORG_KINDS = ['opd', 'unit', 'kecamatan'] as const;

/** What a resource's validation hook derives from an input: the columns to write. */
export interface Prepared {
  values: Row;
  /** For resources whose parent is referenced by id: the parent's code (resolved to an id on write). */
  parentCode?: string | null;
  /** Set by the service before authorisation: the resolved parent id. */
  parentId?: number | null;
  /** Resource-specific data for afterWrite (the organisation's bidang). */
  extra?: Row;
}

export interface WriteCtx {
  trx: Trx;
  pemdaId: number;
  /** The Pemda's kode wilayah (regions must lie inside it). */
  pemdaCode: string;
  principal: Principal;
  lookup: Lookup;
  /** Fiscal year of yearly resources. */
  year: number | null;
  audit: (e: {
    action: string;
    entityId: string | number;
    before?: unknown;
    after?: unknown;
    opdId?: number | null;
  }) => void;
}

export type Op = 'create' | 'update' | 'activate' | 'deactivate';

export interface OptionsCtx {
  db: Db;
  pemdaId: number;
  t: (key: string) => string;
}

export interface InputDef {
  /** Body key = form field name = column (or a virtual input such as organisation_code). */
  name: string;
  label: string;
  control: 'text' | 'textarea' | 'select' | 'multiselect' | 'number';
  /** Shown on the new / edit form (default true). */
  create?: boolean;
  update?: boolean;
  required?: boolean;
  /** Read as a number from forms and files. */
  numeric?: boolean;
  /** A blank form field or cell means null. */
  nullable?: boolean;
  options?: (
    ctx: OptionsCtx,
  ) => Promise<Array<{ value: string; label: string }>> | Array<{ value: string; label: string }>;
  /** Static option values, labelled by `${enumLabel}.${value}`. */
  values?: readonly string[];
  enumLabel?: string;
  hint?: string;
  /** Show on the form only when true for the row (null when new). */
  show?: (row: Row | null) => boolean;
  /** The CSV/XLSX column that fills this input (headers are case-insensitive). */
  import?: { header: string; aliases?: string[]; required?: boolean };
  inputmode?: 'numeric' | 'text';
  maxlength?: number;
}

/** A data row of an imported file: its spreadsheet row number and its cells by input name. */
export interface ImportRecord {
  row: number;
  raw: Record<string, string>;
}

export interface ColumnDef {
  name: string;
  label: string;
  /** Shown in the list (all columns show on the detail page). */
  list?: boolean;
  /** Values translated as `${enumLabel}.${value}`. */
  enumLabel?: string;
  /** The column holds the id of a row of another resource (shown as a link). */
  ref?: ResourceKey;
  render?: (row: Row) => HtmlValue;
}

export interface FilterDef {
  /** Query parameter = column. */
  name: string;
  label: string;
  values?: readonly string[];
  enumLabel?: string;
  numeric?: boolean;
  /** Accepted in the query (links from a parent's page), not shown as a select. */
  hidden?: boolean;
}

export interface ResourceDef {
  key: ResourceKey;
  /** Audit entity name. */
  entity: string;
  table: MdTable;
  /** i18n keys: plural title, one item, one-line description. */
  title: string;
  one: string;
  about: string;
  yearly: boolean;
  /** How a row names its parent. */
  parent: 'id' | 'code' | null;
  writePermission: string;
  importPermission: string;
  /** Writes are scoped to an OPD (routes declare an opd resolver). */
  opdScoped?: boolean;
  uniqueColumns?: string[];
  inputs: InputDef[];
  columns: ColumnDef[];
  filters: FilterDef[];
  searchColumns: string[];
  createSchema: z.ZodObject;
  updateSchema: z.ZodObject;
  rowSchema: z.ZodObject;
  /** Import notes shown on the import page (i18n keys). */
  importNotes?: string[];
  /** Validate an input (merged over `existing` on update) and derive the columns to write. */
  prepare(ctx: WriteCtx, input: Row, existing: Row | null): Promise<Prepared>;
  authorize?(ctx: WriteCtx, op: Op, prep: Prepared | null, existing: Row | null): Promise<void>;
  /** After the row is written (create/update): returns true when it changed something. */
  afterWrite?(ctx: WriteCtx, id: number, prep: Prepared, existing: Row | null): Promise<boolean>;
  /** Rewrite an import's rows before validation (the nomenclature's X.XX rows). */
  expandImport?(
    records: ImportRecord[],
    lookup: ImportLookup,
    fail: (row: number, key: string) => void,
  ): ImportRecord[];
  /** After a bulk import of rows (codes written). */
  afterImport?(
    ctx: WriteCtx,
    written: Array<{ id: number; code: string; inserted: boolean; prep: Prepared }>,
  ): Promise<void>;
  /** Add computed fields to rows for the API (the organisation's bidang). */
  decorate?(db: Db | Trx, pemdaId: number, rows: Row[]): Promise<Row[]>;
  auditOpdId?(row: Row): number | null;
}

// ---- zod helpers ---------------------------------------------------------------------------------
const required = {
  error: (i: { input: unknown }) => (i.input === undefined || i.input === null ? 'field.required' : undefined),
};
const reqText = (max: number) => z.string(required).trim().min(1, 'field.required').max(max);
const optText = (max: number) => z.string().trim().max(max).optional();
const yearSchema = z.number(required).int().min(2000).max(2100);
const version = z.number(required).int().positive();
const timestamps = { active: z.boolean(), version: z.number(), created_at: z.date(), updated_at: z.date() };
const BIDANG_RE = /^[1-8]\.\d{2}$/;

function updateOf(create: z.ZodObject, immutable: string[]): z.ZodObject {
  const omit = Object.fromEntries(immutable.map((k) => [k, true])) as Record<string, true>;
  return create.omit(omit).partial().extend({ version });
}

const codeCol: ColumnDef = { name: 'code', label: 'md.field.code', list: true };
const nameCol: ColumnDef = { name: 'name', label: 'md.field.name', list: true };
const activeCol: ColumnDef = { name: 'active', label: 'common.status', list: true };
const codeInput = (hint: string, maxlength = 30): InputDef => ({
  name: 'code',
  label: 'md.field.code',
  control: 'text',
  update: false,
  required: true,
  hint,
  maxlength,
  import: { header: 'kode', aliases: ['code'], required: true },
});
const nameInput = (maxlength = 200): InputDef => ({
  name: 'name',
  label: 'md.field.name',
  control: 'text',
  required: true,
  maxlength,
  import: { header: 'nama', aliases: ['name', 'uraian'], required: true },
});
const yearInput: InputDef = {
  name: 'year',
  label: 'md.field.year',
  control: 'number',
  update: false,
  required: true,
  numeric: true,
};

async function mustBeBidang(ctx: WriteCtx, field: string, codes: string[]): Promise<void> {
  for (const b of codes)
    if (!(await ctx.lookup.bidangExists(b))) throw fieldError(field, 'md.error.bidang_unknown', { code: b });
}

// ---- organisations -----------------------------------------------------------------------------
const orgCreate = z.object({
  code: reqText(30),
  name: reqText(200),
  short_name: reqText(40).toLowerCase(),
  kind: z.enum(ORG_KINDS).optional(),
  head_name: optText(200),
  head_nip: z
    .string()
    .trim()
    .regex(/^\d{18}$/, 'md.error.nip_format')
    .nullable()
    .optional(),
  bidang: z.array(z.string().trim().regex(BIDANG_RE, 'md.error.bidang_format')).max(10).optional(),
});

export const organisations: ResourceDef = {
  key: 'organisations',
  entity: 'organisation',
  table: 'md_organisation',
  title: 'md.org.title',
  one: 'md.org.one',
  about: 'md.org.about',
  yearly: false,
  parent: 'id',
  writePermission: 'md.org.write',
  importPermission: 'md.write',
  opdScoped: true,
  uniqueColumns: ['short_name'],
  inputs: [
    codeInput('md.hint.org_code', 22),
    nameInput(),
    {
      name: 'short_name',
      label: 'md.field.short_name',
      control: 'text',
      required: true,
      hint: 'md.hint.short_name',
      maxlength: 40,
      import: { header: 'singkatan', aliases: ['short_name', 'nama_singkat'], required: true },
    },
    {
      name: 'kind',
      label: 'md.field.kind',
      control: 'select',
      update: false,
      values: ORG_KINDS,
      enumLabel: 'md.org.kind',
      hint: 'md.hint.derived',
      import: { header: 'jenis', aliases: ['kind'] },
    },
    {
      name: 'head_name',
      label: 'md.field.head_name',
      control: 'text',
      maxlength: 200,
      import: { header: 'nama_kepala', aliases: ['head_name', 'kepala'] },
    },
    {
      name: 'head_nip',
      label: 'md.field.head_nip',
      control: 'text',
      nullable: true,
      inputmode: 'numeric',
      maxlength: 18,
      hint: 'md.hint.nip',
      import: { header: 'nip_kepala', aliases: ['head_nip', 'nip'] },
    },
    {
      name: 'bidang',
      label: 'md.field.bidang',
      control: 'multiselect',
      hint: 'md.hint.bidang',
      show: (row) => !row || row.kind !== 'unit',
      options: async ({ db, pemdaId }) =>
        (await allBidang(db, pemdaId)).map((b) => ({ value: b.code, label: `${b.code} ${b.name}` })),
      import: { header: 'bidang_urusan', aliases: ['bidang'] },
    },
  ],
  columns: [
    codeCol,
    nameCol,
    { name: 'short_name', label: 'md.field.short_name', list: true },
    { name: 'kind', label: 'md.field.kind', list: true, enumLabel: 'md.org.kind' },
    { name: 'head_name', label: 'md.field.head_name' },
    { name: 'head_nip', label: 'md.field.head_nip' },
    activeCol,
  ],
  filters: [
    { name: 'kind', label: 'md.field.kind', values: ORG_KINDS, enumLabel: 'md.org.kind' },
    { name: 'parent_id', label: 'md.field.parent', numeric: true, hidden: true },
  ],
  searchColumns: ['code', 'name', 'short_name'],
  createSchema: orgCreate,
  updateSchema: updateOf(orgCreate, ['code', 'kind']),
  rowSchema: z.object({
    id: z.number(),
    code: z.string(),
    name: z.string(),
    short_name: z.string(),
    kind: z.enum(ORG_KINDS),
    parent_id: z.number().nullable(),
    head_name: z.string(),
    head_nip: z.string().nullable(),
    bidang: z.array(z.string()),
    ...timestamps,
  }),
  importNotes: ['md.import.note.org'],

  async prepare(ctx, input, existing) {
    let kind: string;
    let parentCode: string | null = null;
    const code = existing ? (existing.code as string) : (input.code as string);
    if (existing) {
      kind = existing.kind;
      parentCode = existing.parent_id
        ? ((await ctx.lookup.byId('organisations', existing.parent_id))?.code ?? null)
        : null;
    } else {
      const parsed = parseOrganisationCode(code);
      if (!parsed) throw fieldError('code', 'md.error.org_code_format');
      if (input.kind && input.kind !== parsed.kind)
        throw fieldError('kind', 'md.error.org_kind_mismatch', { kind: parsed.kind });
      kind = parsed.kind;
      await mustBeBidang(ctx, 'code', parsed.bidang);
      if (kind === 'unit') {
        if (!(await ctx.lookup.byCode('organisations', parsed.rootCode)))
          throw fieldError('code', 'md.error.org_parent_missing', { code: parsed.rootCode });
        parentCode = parsed.rootCode;
      }
    }
    if (!isValidShortName(input.short_name)) throw fieldError('short_name', 'md.error.short_name_format');
    if (input.head_nip && !isValidNip(input.head_nip)) throw fieldError('head_nip', 'md.error.nip_format');
    let bidang = input.bidang as string[] | undefined;
    if (bidang !== undefined) {
      bidang = [...new Set(bidang)];
      if (kind === 'unit' && bidang.length) throw fieldError('bidang', 'md.error.bidang_unit');
      await mustBeBidang(ctx, 'bidang', bidang);
    }
    // a new OPD carries the bidang of its code unless others are chosen
    if (!existing && kind !== 'unit' && !bidang?.length) bidang = parseOrganisationCode(code)!.bidang;
    return {
      values: {
        code,
        name: input.name,
        short_name: input.short_name,
        kind,
        head_name: input.head_name ?? '',
        head_nip: input.head_nip ?? null,
      },
      parentCode,
      extra: { bidang },
    };
  },

  // OPD-scoped roles (operator, head) add and edit units of their own OPD, and edit only the head
  // and short name of the OPD itself; new OPD and kecamatan, and everything else, are the admin's.
  async authorize(ctx, op, prep, existing) {
    const p = ctx.principal;
    if (!isOpdScoped(p.role)) return;
    if (!existing) {
      if (prep?.values.kind !== 'unit') throw forbidden('md.error.opd_admin_only');
      if (prep.parentId !== p.opdId) throw forbidden('error.forbidden_opd');
      return;
    }
    if (existing.kind === 'unit') {
      if (existing.parent_id !== p.opdId) throw forbidden('error.forbidden_opd');
      return;
    }
    if (existing.id !== p.opdId) throw forbidden('error.forbidden_opd');
    if (op !== 'update') throw forbidden('md.error.opd_admin_only');
    const current = (await bidangOf(ctx.trx, ctx.pemdaId, [existing.id])).get(existing.id) ?? [];
    const wanted = prep?.extra?.bidang as string[] | undefined;
    const bidangChanged = wanted !== undefined && [...wanted].sort().join() !== current.join();
    if (prep?.values.name !== existing.name || bidangChanged) throw forbidden('md.error.opd_fields_admin_only');
  },

  async afterWrite(ctx, id, prep) {
    const bidang = prep.extra?.bidang as string[] | undefined;
    return bidang === undefined ? false : setBidang(ctx.trx, ctx.pemdaId, id, bidang);
  },

  async afterImport(ctx, written) {
    for (const w of written) {
      const bidang = w.prep.extra?.bidang as string[] | undefined;
      if (bidang !== undefined) await setBidang(ctx.trx, ctx.pemdaId, w.id, bidang);
    }
  },

  async decorate(db, pemdaId, rows) {
    const links = await bidangOf(
      db,
      pemdaId,
      rows.map((r) => r.id as number),
    );
    return rows.map((r) => ({ ...r, bidang: links.get(r.id) ?? [] }));
  },

  auditOpdId: (row) => (row.parent_id as number | null) ?? (row.id as number),
};

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

// ---- regions -------------------------------------------------------------------------------------
const regionCreate = z.object({
  code: reqText(20),
  name: reqText(200),
  organisation_id: z.number().int().positive().nullable().optional(),
  organisation_code: z.string().trim().max(30).optional(),
});

export const regions: ResourceDef = {
  key: 'regions',
  entity: 'region',
  table: 'md_region',
  title: 'md.region.title',
  one: 'md.region.one',
  about: 'md.region.about',
  yearly: false,
  parent: 'id',
  writePermission: 'md.write',
  importPermission: 'md.write',
  inputs: [
    codeInput('md.hint.region_code', 16),
    nameInput(),
    {
      name: 'organisation_id',
      label: 'md.field.organisation',
      control: 'select',
      numeric: true,
      nullable: true,
      hint: 'md.hint.region_organisation',
      show: (row) => !row || row.kind === 'kecamatan',
      options: async ({ db, pemdaId }) =>
        (
          await db
            .selectFrom('md_organisation')
            .select(['id', 'code', 'name'])
            .where('pemda_id', '=', pemdaId)
            .where('kind', '=', 'kecamatan')
            .orderBy('code')
            .execute()
        ).map((o) => ({ value: String(o.id), label: `${o.code} ${o.name}` })),
    },
    {
      name: 'organisation_code',
      label: 'md.field.organisation_code',
      control: 'text',
      create: false,
      update: false,
      import: { header: 'kode_organisasi', aliases: ['organisation_code'] },
    },
  ],
  columns: [
    codeCol,
    nameCol,
    { name: 'kind', label: 'md.field.kind', list: true, enumLabel: 'md.region.kind' },
    { name: 'organisation_id', label: 'md.field.organisation', ref: 'organisations' },
    activeCol,
  ],
  filters: [
    { name: 'kind', label: 'md.field.kind', values: REGION_KINDS, enumLabel: 'md.region.kind' },
    { name: 'parent_id', label: 'md.field.parent', numeric: true, hidden: true },
  ],
  searchColumns: ['code', 'name'],
  createSchema: regionCreate,
  updateSchema: updateOf(regionCreate, ['code']),
  rowSchema: z.object({
    id: z.number(),
    code: z.string(),
    name: z.string(),
    kind: z.enum(REGION_KINDS),
    parent_id: z.number().nullable(),
    organisation_id: z.number().nullable(),
    ...timestamps,
  }),
  importNotes: ['md.import.note.regions'],

  async prepare(ctx, input, existing) {
    const code = existing ? (existing.code as string) : (input.code as string);
    const kind = regionKind(code);
    if (!kind) throw fieldError('code', 'md.error.region_code_format');
    let parentCode: string | null;
    if (existing) {
      parentCode = existing.parent_id ? ((await ctx.lookup.byId('regions', existing.parent_id))?.code ?? null) : null;
    } else {
      if (!regionInPemda(code, ctx.pemdaCode))
        throw fieldError('code', 'md.error.region_outside_pemda', { pemda: ctx.pemdaCode });
      parentCode = regionParentCode(code);
      if (parentCode && !(await ctx.lookup.byCode('regions', parentCode)))
        throw fieldError('code', 'md.error.parent_missing', { code: parentCode });
    }
    let organisationId = (input.organisation_id as number | null | undefined) ?? null;
    let orgField = 'organisation_id';
    if (input.organisation_code) {
      orgField = 'organisation_code';
      const org = await ctx.lookup.byCode('organisations', input.organisation_code);
      if (!org) throw fieldError(orgField, 'md.error.organisation_unknown');
      organisationId = org.id;
    }
    if (organisationId !== null) {
      if (kind !== 'kecamatan') throw fieldError(orgField, 'md.error.organisation_kecamatan_only');
      const org = await ctx.lookup.byId('organisations', organisationId);
      if (!org) throw fieldError(orgField, 'md.error.organisation_unknown');
      if (org.kind !== 'kecamatan') throw fieldError(orgField, 'md.error.organisation_not_kecamatan');
    }
    return { values: { code, name: input.name, kind, organisation_id: organisationId }, parentCode };
  },
};

// ---- funding sources and units of measure ---------------------------------------------------
const simpleRow = z.object({ id: z.number(), code: z.string(), name: z.string(), ...timestamps });

const fundingCreate = z.object({ code: reqText(30).toUpperCase(), name: reqText(200) });
export const fundingSources: ResourceDef = {
  key: 'funding-sources',
  entity: 'funding_source',
  table: 'md_funding_source',
  title: 'md.funding.title',
  one: 'md.funding.one',
  about: 'md.funding.about',
  yearly: false,
  parent: null,
  writePermission: 'md.funding.write',
  importPermission: 'md.funding.write',
  inputs: [codeInput('md.hint.funding_code'), nameInput()],
  columns: [codeCol, nameCol, activeCol],
  filters: [],
  searchColumns: ['code', 'name'],
  createSchema: fundingCreate,
  updateSchema: updateOf(fundingCreate, ['code']),
  rowSchema: simpleRow,
  async prepare(_ctx, input, existing) {
    const code = existing ? (existing.code as string) : (input.code as string);
    if (!existing && !isValidFundingSourceCode(code)) throw fieldError('code', 'md.error.funding_code_format');
    return { values: { code, name: input.name } };
  },
};

const unitCreate = z.object({ code: reqText(30), name: reqText(100) });
export const units: ResourceDef = {
  key: 'units',
  entity: 'unit',
  table: 'md_unit',
  title: 'md.unit.title',
  one: 'md.unit.one',
  about: 'md.unit.about',
  yearly: false,
  parent: null,
  writePermission: 'md.write',
  importPermission: 'md.write',
  inputs: [codeInput('md.hint.unit_code'), nameInput(100)],
  columns: [codeCol, nameCol, activeCol],
  filters: [],
  searchColumns: ['code', 'name'],
  createSchema: unitCreate,
  updateSchema: updateOf(unitCreate, ['code']),
  rowSchema: simpleRow,
  async prepare(_ctx, input, existing) {
    const code = existing ? (existing.code as string) : (input.code as string);
    if (!existing && !isValidUnitCode(code)) throw fieldError('code', 'md.error.unit_code_format');
    return { values: { code, name: input.name } };
  },
};

export const RESOURCES: readonly ResourceDef[] = [
  organisations,
  nomenclature,
  accounts,
  regions,
  fundingSources,
  units,
];

export function resourceOf(key: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.key === key);
}

/** Who may do what: the manifest's grants (checked with core's requirePermission). */
export const PERMISSIONS = {
  'md.read': ['*'],
  'md.write': ['admin'],
  'md.org.write': ['admin', 'opd_head', 'opd_operator'],
  'md.nomenclature.write': ['admin', 'bappeda'],
  'md.account.write': ['admin', 'tapd'],
  'md.funding.write': ['admin', 'tapd'],
} as const satisfies Record<string, readonly string[]>;
