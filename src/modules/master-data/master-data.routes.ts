// REST API of the master data: for each resource, list/search, read, create, update (PATCH or PUT
// with the version read), deactivate/activate and bulk import, under /api/v1/master-data/<kind>.
import { acceptSpreadsheetBodies, IMPORT_BODY_LIMIT, uploadedFile } from '../../core/http/upload.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import type { ModuleContext } from '../../core/module.ts';
import { AppError } from '../../core/errors.ts';
import type { OpdResolver } from '../../core/auth/auth.ts';
import { parseOrganisationCode } from './codes.ts';
import { DbLookup, anyDb, getRow, type ListQuery } from './master-data.repository.ts';
import { createRecord, defaultYear, getRecord, listRecords, setActive, updateRecord } from './master-data.service.ts';
import { importFile, MAX_IMPORT_ROWS } from './import.ts';
import { RESOURCES, organisations, type ResourceDef } from './resources.ts';

const tags = ['master-data'];

export const errorOut = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string(), row: z.number().optional() })),
});
const conflictOut = errorOut.extend({ details: z.unknown() });
const importOk = z.object({
  ok: z.literal(true),
  count: z.number(),
  inserted: z.number(),
  updated: z.number(),
  unchanged: z.number(),
});
const idParams = z.object({ id: intIn(z.number().int().positive().max(2147483647)) });

/** The list query of a resource: search, paging, active flag, year and its filters. */
export function listQuerySchema(def: ResourceDef): z.ZodObject {
  const shape: Record<string, z.ZodType> = {
    q: z.string().trim().max(100).optional().describe('Search in code and name (also tolerates typos in the name)'),
    page: intIn(z.number().int().min(1).default(1)),
    page_size: intIn(z.number().int().min(1).max(500).default(50)),
    active: z
      .enum(['true', 'false'])
      .optional()
      .describe('Only active (true) or inactive (false) rows; both when absent'),
  };
  if (def.yearly)
    shape.year = intIn(
      z
        .number()
        .int()
        .min(2000)
        .max(2100)
        .optional()
        .describe('Fiscal year (default: this year, or the latest year with data)'),
    );
  for (const f of def.filters) {
    shape[f.name] = f.values
      ? z.enum(f.values as [string, ...string[]]).optional()
      : f.numeric
        ? intIn(z.number().int().positive().optional())
        : z.string().trim().max(40).optional();
  }
  return z.object(shape);
}

export async function toListQuery(
  db: Db,
  def: ResourceDef,
  pemdaId: number,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed by listQuerySchema(def), whose filters vary per resource
  q: Record<string, any>,
): Promise<ListQuery> {
  return {
    q: q.q || undefined,
    page: q.page ?? 1,
    pageSize: q.page_size ?? 50,
    active: q.active === undefined ? undefined : q.active === 'true',
    year: def.yearly ? (q.year ?? (await defaultYear(db, def, pemdaId))) : undefined,
    filters: Object.fromEntries(def.filters.map((f) => [f.name, q[f.name]])),
  };
}

/**
 * The OPD an organisation write acts on, for core's OPD scope check: the OPD of the organisation
 * being changed, or the parent OPD of a new unit; null for a new OPD/kecamatan (admin only). When
 * the code is malformed or names no existing OPD there is nothing to scope: the caller's own OPD
 * is returned so that the service answers 400 naming the field (it re-checks the scope itself).
 */
export function organisationOpd(db: Db): OpdResolver {
  return async (req: FastifyRequest) => {
    const p = req.principal!;
    const id = (req.params as { id?: unknown } | undefined)?.id;
    if (id !== undefined) {
      const row = /^\d{1,9}$/.test(String(id)) ? await getRow(db, organisations, p.pemdaId, Number(id)) : undefined;
      return row ? ((row.parent_id as number | null) ?? (row.id as number)) : p.opdId;
    }
    const code = (req.body as { code?: unknown } | undefined)?.code;
    const parsed = typeof code === 'string' ? parseOrganisationCode(code.trim()) : null;
    if (!parsed) return p.opdId;
    if (parsed.kind !== 'unit') return null;
    const parent = await new DbLookup(anyDb(db), p.pemdaId).byCode('organisations', parsed.rootCode);
    return parent ? (parent.id as number) : p.opdId;
  };
}

export async function masterDataApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  acceptSpreadsheetBodies(app); // raw CSV/XLSX bodies for the import endpoints

  for (const def of RESOURCES) {
    const base = `/api/v1/master-data/${def.key}`;
    const write = { permission: def.writePermission, ...(def.opdScoped ? { opd: organisationOpd(db) } : {}) };
    const listOut = z.object({
      items: z.array(def.rowSchema),
      total: z.number(),
      page: z.number(),
      page_size: z.number(),
      year: z.number().optional(),
    });
    const name = def.entity.replace('_', ' ');

    app.get(
      base,
      {
        config: { auth: { permission: 'md.read' } },
        schema: {
          tags,
          summary: `List and search ${def.key}`,
          querystring: listQuerySchema(def),
          response: { 200: listOut, 400: errorOut },
        },
      },
      async (req) => {
        const pemdaId = req.principal!.pemdaId;
        const q = await toListQuery(db, def, pemdaId, req.query as Parameters<typeof toListQuery>[3]);
        const { items, total } = await listRecords(db, def, pemdaId, q);
        return { items, total, page: q.page, page_size: q.pageSize, ...(def.yearly ? { year: q.year } : {}) };
      },
    );

    app.get(
      `${base}/:id`,
      {
        config: { auth: { permission: 'md.read' } },
        schema: { tags, summary: `One ${name}`, params: idParams, response: { 200: def.rowSchema, 404: errorOut } },
      },
      async (req) => getRecord(db, def, req.principal!.pemdaId, req.params.id),
    );

    app.post(
      base,
      {
        config: { auth: write },
        schema: {
          tags,
          summary: `Create a ${name}`,
          description: 'Codes are validated (format, parent existence); a 400 names the field.',
          body: def.createSchema,
          response: { 201: def.rowSchema, 400: errorOut, 403: errorOut, 409: errorOut },
        },
      },
      async (req, reply) => reply.code(201).send(await createRecord(db, req.principal!, def, req.body)),
    );

    for (const method of ['PATCH', 'PUT'] as const) {
      app.route({
        method,
        url: `${base}/:id`,
        config: { auth: write },
        schema: {
          tags,
          summary: `Update a ${name} (send the version you read; 409 when stale)`,
          description: 'Fields left out keep their value. The code (and year, level, kind) cannot change.',
          params: idParams,
          body: def.updateSchema,
          response: { 200: def.rowSchema, 400: errorOut, 403: errorOut, 404: errorOut, 409: conflictOut },
        },
        handler: async (req) => updateRecord(db, req.principal!, def, (req.params as { id: number }).id, req.body),
      });
    }

    for (const action of ['deactivate', 'activate'] as const) {
      app.post(
        `${base}/:id/${action}`,
        {
          config: { auth: write },
          schema: {
            tags,
            summary: `${action === 'deactivate' ? 'Deactivate' : 'Activate'} a ${name}`,
            params: idParams,
            body: z.object({ version: z.number().int().positive().optional() }).optional(),
            response: { 200: def.rowSchema, 403: errorOut, 404: errorOut, 409: conflictOut },
          },
        },
        async (req) => setActive(db, req.principal!, def, req.params.id, action === 'activate', req.body?.version),
      );
    }

    app.post(
      `${base}/import`,
      {
        config: { auth: { permission: def.importPermission } },
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags,
          summary: `Bulk import ${def.key} from CSV or XLSX (all or nothing)`,
          description:
            `Send the file as the raw body (Content-Type text/csv or ` +
            `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet) or as the multipart field \`file\`. ` +
            `Rows are matched by code: new codes are inserted, existing ones updated. When any row is bad, ` +
            `nothing is written and the 400 lists each error with its row (1 = the first data row after the header; 0 = the header) ` +
            `and column. At most ${MAX_IMPORT_ROWS} rows. The column headers are listed on /master-data/${def.key}/import.`,
          querystring: z.object({ year: intIn(z.number().int().min(2000).max(2100).optional()) }),
          response: { 200: importOk, 400: errorOut, 403: errorOut },
        },
      },
      async (req) => {
        const file = uploadedFile(req.body);
        const yearField = (req.body as { year?: unknown } | undefined)?.year;
        const year =
          req.query.year ??
          (typeof yearField === 'string' && /^\d{4}$/.test(yearField) ? Number(yearField) : undefined);
        const res = await importFile(db, req.principal!, def.key, file, { year, lang: req.lang });
        if (!res.ok) {
          throw new AppError(
            400,
            'import',
            'md.import.failed',
            { count: res.errors.length },
            res.errors.map((e) => ({ field: e.column, message: e.reason, row: e.row })),
          );
        }
        return res;
      },
    );
  }
}
