// What a master-data resource definition is: table, inputs, list columns and filters, zod schemas, hooks; and the zod helpers the definitions share.
import { z } from 'zod';
import type { HtmlValue } from '../../core/http/html.ts';
import { fieldError } from '../../core/errors.ts';
import { type Principal } from '../../core/roles.ts';
import type { Db } from '../../core/db/database.ts';
import type { Trx } from '../../core/audit/audit.ts';

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
    lookup: ImportLookupView,
    fail: (row: number, key: string) => void,
  ): ImportRecord[];
  /**
   * After a bulk import, with every row of the file (also those whose columns were unchanged: what
   * is stored beside the row, such as an OPD's bidang, may still have changed). Returns the ids of
   * rows it changed, which count as updated.
   */
  afterImport?(
    ctx: WriteCtx,
    written: Array<{ id: number; code: string; inserted: boolean; prep: Prepared }>,
  ): Promise<Set<number> | void>;
  /** Add computed fields to rows for the API (the organisation's bidang). */
  decorate?(db: Db | Trx, pemdaId: number, rows: Row[]): Promise<Row[]>;
  auditOpdId?(row: Row): number | null;
}

// ---- zod helpers ---------------------------------------------------------------------------------
const required = {
  error: (i: { input: unknown }) => (i.input === undefined || i.input === null ? 'field.required' : undefined),
};
export const reqText = (max: number) => z.string(required).trim().min(1, 'field.required').max(max);
export const optText = (max: number) => z.string().trim().max(max).optional();
export const yearSchema = z.number(required).int().min(2000).max(2100);
const version = z.number(required).int().positive();
export const timestamps = { active: z.boolean(), version: z.number(), created_at: z.date(), updated_at: z.date() };
export const BIDANG_RE = /^[1-8]\.\d{2}$/;

export function updateOf(create: z.ZodObject, immutable: string[]): z.ZodObject {
  const omit = Object.fromEntries(immutable.map((k) => [k, true])) as Record<string, true>;
  return create.omit(omit).partial().extend({ version });
}

export const codeCol: ColumnDef = { name: 'code', label: 'md.field.code', list: true };
export const nameCol: ColumnDef = { name: 'name', label: 'md.field.name', list: true };
export const activeCol: ColumnDef = { name: 'active', label: 'common.status', list: true };
export const codeInput = (hint: string, maxlength = 30): InputDef => ({
  name: 'code',
  label: 'md.field.code',
  control: 'text',
  update: false,
  required: true,
  hint,
  maxlength,
  import: { header: 'kode', aliases: ['code'], required: true },
});
export const nameInput = (maxlength = 200): InputDef => ({
  name: 'name',
  label: 'md.field.name',
  control: 'text',
  required: true,
  maxlength,
  import: { header: 'nama', aliases: ['name', 'uraian'], required: true },
});
export const yearInput: InputDef = {
  name: 'year',
  label: 'md.field.year',
  control: 'number',
  update: false,
  required: true,
  numeric: true,
};

export async function mustBeBidang(ctx: WriteCtx, field: string, codes: string[]): Promise<void> {
  for (const b of codes)
    if (!(await ctx.lookup.bidangExists(b))) throw fieldError(field, 'md.error.bidang_unknown', { code: b });
}

// ---- lookups used by validation: the database, or the database plus an import's pending rows ----
export interface Lookup {
  /** A row of a resource by its code (within `year` for yearly resources), or undefined. */
  byCode(key: ResourceKey, code: string, year?: number | null): Promise<Row | undefined>;
  byId(key: ResourceKey, id: number): Promise<Row | undefined>;
  /** True when another row (not `exceptId`) already holds `value` in the unique `column`. */
  isTaken(key: ResourceKey, column: string, value: unknown, exceptId?: number | null): Promise<boolean>;
  /** True when a bidang urusan with this code exists in the nomenclature (any year). */
  bidangExists(code: string): Promise<boolean>;
}

/** The lookup of an import (master-data.rows.ts ImportLookup): also the file's own rows by code. */
export interface ImportLookupView extends Lookup {
  readonly own: Map<string, Row>;
}
