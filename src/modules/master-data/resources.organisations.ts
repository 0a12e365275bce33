// Master-data resource: organisations (OPD, their units, kecamatan offices).
import { z } from 'zod';
import { fieldError, forbidden } from '../../core/errors.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { parseOrganisationCode, isValidShortName, isValidNip } from './codes.ts';
import { allBidang, bidangOf, setBidang } from './master-data.repository.ts';
import {
  activeCol,
  BIDANG_RE,
  codeCol,
  codeInput,
  mustBeBidang,
  nameCol,
  nameInput,
  optText,
  ORG_KINDS,
  reqText,
  type ResourceDef,
  timestamps,
  updateOf,
} from './resource-def.ts';

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
    const changed = new Set<number>();
    for (const w of written) {
      const bidang = w.prep.extra?.bidang as string[] | undefined;
      if (bidang !== undefined && (await setBidang(ctx.trx, ctx.pemdaId, w.id, bidang))) changed.add(w.id);
    }
    return changed;
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
