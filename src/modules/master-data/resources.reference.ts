// Master-data resources: regions, funding sources and units of measure.
import { z } from 'zod';
import { fieldError } from '../../core/errors.ts';
import {
  REGION_KINDS,
  regionKind,
  regionInPemda,
  regionParentCode,
  isValidFundingSourceCode,
  isValidUnitCode,
} from './codes.ts';
import {
  activeCol,
  codeCol,
  codeInput,
  nameCol,
  nameInput,
  reqText,
  type ResourceDef,
  timestamps,
  updateOf,
} from './resource-def.ts';

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
