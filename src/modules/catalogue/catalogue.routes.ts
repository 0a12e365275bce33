// REST API of the catalogue under /api/v1/catalogue: search and read items and price versions,
// SBU rates, direct maintenance (Tim Data, admin), the proposal workflow and bulk import.
import { acceptSpreadsheetBodies, IMPORT_BODY_LIMIT, uploadedFile } from '../../core/http/upload.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import type { ModuleContext } from '../../core/module.ts';
import { AppError, fieldError, notFound } from '../../core/errors.ts';
import {
  KINDS,
  PROPOSAL_STATUSES,
  SBU_COMPONENTS,
  approveProposal,
  createItem,
  createProposal,
  defaultYear,
  findSbuRate,
  getItemDetail,
  getPriceVersion,
  getProposal,
  listGrades,
  listProposals,
  listProvinces,
  listYears,
  rejectProposal,
  resubmitProposal,
  returnProposal,
  searchCatalogue,
  updateItem,
  verifyProposal,
  type Proposal,
} from './catalogue.service.ts';
import { IMPORT_COLUMNS, MAX_IMPORT_ROWS, importCatalogue } from './import.ts';

const tags = ['catalogue'];

export const errorOut = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string(), row: z.number().optional() })),
});
const conflictOut = errorOut.extend({ details: z.unknown().optional() });

const sbuOut = z
  .object({
    component: z.enum(SBU_COMPONENTS),
    province: z.string().nullable(),
    travelKind: z.string().nullable(),
    grade: z.string().nullable(),
  })
  .nullable();

export const pricedOut = z.object({
  itemId: z.number(),
  version: z.number().describe('The approved price version; a budget line keeps (itemId, version)'),
  year: z.number(),
  kind: z.enum(KINDS),
  code: z.string(),
  name: z.string(),
  spec: z.string(),
  unit: z.string(),
  price: z.string().describe('Integer rupiah as a decimal string'),
  tkdn: z.string().nullable().describe('Local-content share in %'),
  accounts: z.array(z.string()).describe('Leaf accounts the item may be charged to'),
  sbu: sbuOut,
});
const versionOut = pricedOut.extend({
  approvedAt: z.date(),
  approvedByName: z.string(),
  source: z.enum(['direct', 'proposal', 'import', 'seed']),
  proposalId: z.number().nullable(),
  note: z.string(),
});
const proposalOut = z.object({
  id: z.number(),
  year: z.number(),
  kind: z.enum(KINDS),
  itemId: z.number().nullable(),
  baseVersion: z.number().nullable(),
  opdId: z.number(),
  status: z.enum(PROPOSAL_STATUSES),
  code: z.string().nullable(),
  name: z.string(),
  spec: z.string(),
  unit: z.string(),
  price: z.string(),
  tkdn: z.string().nullable(),
  accounts: z.array(z.string()),
  justification: z.string(),
  proposedByName: z.string(),
  proposedAt: z.date(),
  verifiedByName: z.string().nullable(),
  verifiedAt: z.date().nullable(),
  verifyNote: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: z.date().nullable(),
  decisionNote: z.string().nullable(),
  resultItemId: z.number().nullable(),
  resultVersion: z.number().nullable(),
  version: z.number().describe('Send it back with the next action (409 when stale)'),
});

// Request bodies as clients send them; the service parses them strictly (400 names the field).
const priceIn = z.string().max(30).describe('Integer rupiah as a decimal string, e.g. "65000" (never a float)');
const tkdnIn = z
  .union([z.string().max(10), z.number(), z.null()])
  .optional()
  .describe('TKDN in %, 0..100, up to two decimals');
const accountsIn = z
  .array(z.string().max(30))
  .max(50)
  .describe("Leaf account codes (A.K.JJ.OO.RR.SSSS) of the item's year");
const sbuIn = z.object({
  component: z.enum(SBU_COMPONENTS),
  province: z.string().max(100).nullish(),
  travel_kind: z
    .string()
    .max(40)
    .nullish()
    .describe('uang_harian: luar_kota|dalam_kota|diklat; transport: pesawat|darat; representasi: luar_kota|dalam_kota'),
  grade: z.string().max(40).nullish().describe('see GET /api/v1/catalogue/grades'),
});
const itemCreateBody = z.object({
  year: z.number().int(),
  kind: z.enum(KINDS),
  code: z.string().max(60).describe('Dotted numeric goods code, e.g. 1.1.12.01.01.0004'),
  name: z.string().max(300),
  spec: z.string().max(2000).optional(),
  unit: z.string().max(50),
  price: priceIn,
  tkdn: tkdnIn,
  accounts: accountsIn,
  sbu: sbuIn.nullish(),
  note: z.string().max(1000).optional(),
});
const itemUpdateBody = z.object({
  version: z.number().int().describe('The current version you read (409 when stale)'),
  name: z.string().max(300).optional(),
  spec: z.string().max(2000).optional(),
  unit: z.string().max(50).optional(),
  price: priceIn.optional(),
  tkdn: tkdnIn,
  accounts: accountsIn.optional(),
  active: z.boolean().optional(),
  note: z.string().max(1000).optional(),
});
const proposalBody = z.object({
  item_id: z.number().int().positive().nullish().describe('The item whose price should change; omit for a new item'),
  year: z.number().int().optional().describe('New item: fiscal year'),
  kind: z.enum(KINDS).optional().describe('New item: SSH, HSPK or ASB'),
  code: z.string().max(60).nullish().describe('New item: goods code if known'),
  name: z.string().max(300).optional(),
  spec: z.string().max(2000).optional(),
  unit: z.string().max(50).optional(),
  price: priceIn,
  tkdn: tkdnIn,
  accounts: accountsIn.optional(),
  justification: z.string().max(4000),
  opd_id: z.number().int().positive().optional().describe("Default: the proposer's OPD"),
});
const resubmitBody = proposalBody
  .omit({ item_id: true, year: true, kind: true, opd_id: true, price: true, justification: true })
  .extend({
    version: z.number().int(),
    price: priceIn.optional(),
    justification: z.string().max(4000).optional(),
  });
const versionBody = z.object({ version: z.number().int() });

const idParams = z.object({ id: intIn(z.number().int().positive().max(2147483647)) });
const yearQ = intIn(z.number().int().min(2000).max(2100));

/** The OPD of an existing proposal, for core's OPD scope check (unknown: the caller's own, so the service answers 404). */
export function proposalOpd(db: Db) {
  return async (req: FastifyRequest) => {
    const p = req.principal!;
    const id = Number((req.params as { id?: unknown }).id);
    const row =
      Number.isInteger(id) && id > 0 && id < 2147483648
        ? await db
            .selectFrom('cat_proposal')
            .select('opd_id')
            .where('pemda_id', '=', p.pemdaId)
            .where('id', '=', id)
            .executeTakeFirst()
        : undefined;
    return row ? row.opd_id : p.opdId;
  };
}

export async function catalogueApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  acceptSpreadsheetBodies(app); // raw CSV/XLSX bodies for the import endpoints
  const read = { auth: { permission: 'cat.read' } };

  app.get(
    '/api/v1/catalogue/items',
    {
      config: read,
      schema: {
        tags,
        summary: 'Search the catalogue (current approved prices of active items)',
        description:
          'Matches a code prefix, a name substring or a similar name (typo-tolerant trigram search); best matches first. ' +
          '`account` keeps only items allowed for that leaf account.',
        querystring: z.object({
          q: z.string().trim().max(100).optional(),
          year: yearQ.optional().describe('Fiscal year (default: the newest year with items)'),
          kind: z.enum(KINDS).optional(),
          account: z.string().trim().max(30).optional(),
          limit: intIn(z.number().int().min(1).max(500).default(50)),
          offset: intIn(z.number().int().min(0).default(0)),
        }),
        response: { 200: z.object({ rows: z.array(pricedOut), total: z.number(), year: z.number() }) },
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const year = req.query.year ?? (await defaultYear(db, pemdaId));
      const r = await searchCatalogue(db, pemdaId, {
        year,
        text: req.query.q,
        kind: req.query.kind,
        account: req.query.account || undefined,
        limit: req.query.limit,
        offset: req.query.offset,
      });
      return { ...r, year };
    },
  );

  app.get(
    '/api/v1/catalogue/items/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One item: its current version and its whole price history',
        params: idParams,
        response: {
          200: z.object({ current: pricedOut, active: z.boolean(), versions: z.array(versionOut) }),
          404: errorOut,
        },
      },
    },
    async (req) => {
      const d = await getItemDetail(db, req.principal!.pemdaId, req.params.id);
      if (!d) throw notFound();
      return d;
    },
  );

  app.get(
    '/api/v1/catalogue/items/:id/versions/:version',
    {
      config: read,
      schema: {
        tags,
        summary: 'One approved price version (what a budget line was priced from)',
        params: idParams.extend({ version: intIn(z.number().int().min(1).max(100000)) }),
        response: { 200: pricedOut, 404: errorOut },
      },
    },
    async (req) => {
      const v = await getPriceVersion(db, req.principal!.pemdaId, req.params.id, req.params.version);
      if (!v) throw notFound();
      return v;
    },
  );

  app.post(
    '/api/v1/catalogue/items',
    {
      config: { auth: { permission: 'cat.manage' } },
      schema: {
        tags,
        summary: 'Create an item with an approved first version (Tim Data, admin)',
        body: itemCreateBody,
        response: { 201: pricedOut, 400: errorOut, 403: errorOut, 409: errorOut },
      },
    },
    async (req, reply) => reply.code(201).send(await createItem(db, req.principal!, req.body)),
  );

  app.patch(
    '/api/v1/catalogue/items/:id',
    {
      config: { auth: { permission: 'cat.manage' } },
      schema: {
        tags,
        summary: 'Change an item: a new approved price version, and/or (de)activate it (Tim Data, admin)',
        description:
          'Send the current version you read; 409 when another change came first. Fields left out keep their value.',
        params: idParams,
        body: itemUpdateBody,
        response: {
          200: z.object({ item: pricedOut, active: z.boolean() }),
          400: errorOut,
          403: errorOut,
          404: errorOut,
          409: conflictOut,
        },
      },
    },
    async (req) => updateItem(db, req.principal!, req.params.id, req.body),
  );

  app.get(
    '/api/v1/catalogue/sbu',
    {
      config: read,
      schema: {
        tags,
        summary: 'The SBU travel rate for a destination (uang harian, penginapan, transport, representasi)',
        querystring: z.object({
          year: yearQ.optional(),
          component: z.enum(SBU_COMPONENTS),
          province: z.string().trim().min(1).max(100),
          travel_kind: z.string().trim().max(40).optional(),
          grade: z.string().trim().max(40).optional(),
        }),
        response: { 200: pricedOut, 404: errorOut },
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const q = req.query;
      const r = await findSbuRate(db, pemdaId, {
        year: q.year ?? (await defaultYear(db, pemdaId)),
        component: q.component,
        province: q.province,
        travelKind: q.travel_kind || undefined,
        grade: q.grade || undefined,
      });
      if (!r) throw notFound();
      return r;
    },
  );

  app.get(
    '/api/v1/catalogue/provinces',
    {
      config: read,
      schema: {
        tags,
        summary: 'Destination provinces with SBU rates',
        querystring: z.object({ year: yearQ.optional() }),
        response: { 200: z.object({ year: z.number(), provinces: z.array(z.string()) }) },
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const year = req.query.year ?? (await defaultYear(db, pemdaId));
      return { year, provinces: await listProvinces(db, pemdaId, year) };
    },
  );

  app.get(
    '/api/v1/catalogue/grades',
    {
      config: read,
      schema: {
        tags,
        summary: 'Grade tiers (golongan/eselon) of lodging and representation rates',
        response: { 200: z.object({ grades: z.array(z.object({ code: z.string(), label: z.string() })) }) },
      },
    },
    async (req) => ({ grades: listGrades(req.lang) }),
  );

  app.get(
    '/api/v1/catalogue/years',
    {
      config: read,
      schema: {
        tags,
        summary: 'Fiscal years that have catalogue items, newest first',
        response: { 200: z.object({ years: z.array(z.number()) }) },
      },
    },
    async (req) => ({ years: await listYears(db, req.principal!.pemdaId) }),
  );

  // ---- proposals ----------------------------------------------------------------------------
  app.get(
    '/api/v1/catalogue/proposals',
    {
      config: read,
      schema: {
        tags,
        summary: "Price proposals (OPD users see their own OPD's)",
        querystring: z.object({
          status: z.enum(PROPOSAL_STATUSES).optional(),
          year: yearQ.optional(),
          item_id: intIn(z.number().int().positive().optional()),
          limit: intIn(z.number().int().min(1).max(500).default(50)),
          offset: intIn(z.number().int().min(0).default(0)),
        }),
        response: { 200: z.object({ rows: z.array(proposalOut), total: z.number() }) },
      },
    },
    async (req) => listProposals(db, req.principal!, { ...req.query, itemId: req.query.item_id }),
  );

  app.get(
    '/api/v1/catalogue/proposals/:id',
    {
      config: read,
      schema: { tags, summary: 'One proposal', params: idParams, response: { 200: proposalOut, 404: errorOut } },
    },
    async (req) => {
      const p = await getProposal(db, req.principal!, req.params.id);
      if (!p) throw notFound();
      return p;
    },
  );

  app.post(
    '/api/v1/catalogue/proposals',
    {
      config: {
        auth: {
          permission: 'cat.propose',
          opd: (req) => (req.body as { opd_id?: number } | undefined)?.opd_id ?? req.principal!.opdId,
        },
      },
      schema: {
        tags,
        summary: 'Propose a new item or a price change (OPD operator/head, for their own OPD)',
        description:
          'With item_id: a price change of that item (fields left out keep the current values). Without: a new SSH/HSPK/ASB item (year, kind, name, unit, price, accounts required).',
        body: proposalBody,
        response: { 201: proposalOut, 400: errorOut, 403: errorOut, 409: errorOut },
      },
    },
    async (req, reply) => reply.code(201).send(await createProposal(db, req.principal!, req.body)),
  );

  const transitions: Array<{
    action: string;
    permission: string;
    summary: string;
    body: z.ZodObject;
    run: (id: number, req: FastifyRequest) => Promise<Proposal>;
  }> = [
    {
      action: 'verify',
      permission: 'cat.verify',
      summary: 'Verify a submitted proposal (Tim Data); a new item without a code needs `code`',
      body: versionBody.extend({ note: z.string().max(1000).optional(), code: z.string().max(60).nullish() }),
      run: (id, req) => verifyProposal(db, req.principal!, id, req.body as never),
    },
    {
      action: 'return',
      permission: 'cat.verify',
      summary: 'Return a submitted proposal to its OPD with a note (Tim Data)',
      body: versionBody.extend({ note: z.string().max(1000) }),
      run: (id, req) => returnProposal(db, req.principal!, id, req.body as never),
    },
    {
      action: 'approve',
      permission: 'cat.approve',
      summary: 'Approve a verified proposal (TAPD): creates the approved item version',
      body: versionBody.extend({ note: z.string().max(1000).optional() }),
      run: (id, req) => approveProposal(db, req.principal!, id, req.body as never),
    },
    {
      action: 'reject',
      permission: 'cat.approve',
      summary: 'Reject a verified proposal with a reason (TAPD)',
      body: versionBody.extend({ reason: z.string().max(1000) }),
      run: (id, req) => rejectProposal(db, req.principal!, id, req.body as never),
    },
  ];
  for (const tr of transitions) {
    app.post(
      `/api/v1/catalogue/proposals/:id/${tr.action}`,
      {
        config: { auth: { permission: tr.permission } },
        schema: {
          tags,
          summary: tr.summary,
          params: idParams,
          body: tr.body,
          response: { 200: proposalOut, 400: errorOut, 403: errorOut, 404: errorOut, 409: conflictOut },
        },
      },
      async (req) => tr.run(req.params.id, req),
    );
  }

  app.post(
    '/api/v1/catalogue/proposals/:id/resubmit',
    {
      config: { auth: { permission: 'cat.propose', opd: proposalOpd(db) } },
      schema: {
        tags,
        summary: 'Correct a returned proposal and submit it again (its OPD)',
        params: idParams,
        body: resubmitBody,
        response: { 200: proposalOut, 400: errorOut, 403: errorOut, 404: errorOut, 409: conflictOut },
      },
    },
    async (req) => resubmitProposal(db, req.principal!, req.params.id, req.body),
  );

  // ---- import -------------------------------------------------------------------------------
  app.post(
    '/api/v1/catalogue/import',
    {
      config: { auth: { permission: 'cat.manage' } },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Bulk import catalogue items of one year from CSV or XLSX (all or nothing)',
        description:
          'Send the file as the raw body (Content-Type text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet) ' +
          `or as the multipart field \`file\`. Columns: ${IMPORT_COLUMNS.map((c) => c.header + (c.required ? '*' : '')).join(', ')}. ` +
          'Rows are matched by group + code: new codes become items, changed ones a new approved version (audited). ' +
          `When any row is bad nothing is written and the 400 lists each error with its row (1 = the first row after the header) and column. At most ${MAX_IMPORT_ROWS} rows.`,
        querystring: z.object({ year: yearQ.optional() }),
        response: {
          200: z.object({
            ok: z.literal(true),
            count: z.number(),
            created: z.number(),
            updated: z.number(),
            unchanged: z.number(),
          }),
          400: errorOut,
          403: errorOut,
          409: errorOut,
        },
      },
    },
    async (req) => {
      const file = uploadedFile(req.body);
      const yearField = (req.body as { year?: unknown } | undefined)?.year;
      const year =
        req.query.year ?? (typeof yearField === 'string' && /^\d{4}$/.test(yearField) ? Number(yearField) : undefined);
      if (!year) throw fieldError('year', 'field.required');
      const res = await importCatalogue(db, req.principal!, file, { year, lang: req.lang });
      if (!res.ok) {
        throw new AppError(
          400,
          'import',
          'cat.import.failed',
          { count: res.errors.length },
          res.errors.map((e) => ({ field: e.column, message: e.reason, row: e.row })),
        );
      }
      return res;
    },
  );
}
