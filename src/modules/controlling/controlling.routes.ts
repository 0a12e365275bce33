// HTTP API of e-Controlling: parse (schema) → authorise (route permission + the service's
// requirePermission) → service.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import type { ModuleContext } from '../../core/module.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { acceptSpreadsheetBodies, IMPORT_BODY_LIMIT, uploadedFile } from '../../core/http/upload.ts';
import { executionYears } from '../budgeting/index.ts';
import {
  contractBody,
  packageBody,
  dashboardQuery,
  errorOut,
  importQuery,
  listQuery,
  progressBody,
  realisationBody,
} from './controlling.schema.ts';
import { dashboard, reportingMonth, setProgress, subStatuses, visibleOpd } from './monitor.service.ts';
import { createRealisation, importSp2d, listRealisation, SP2D_COLUMNS } from './realisation.service.ts';
import { createPackage, listPackages, setContract } from './packages.service.ts';

const tags = ['controlling'];

/** The year asked for, else the latest year with an approved DPA (404 when there is none). */
export async function yearOr(db: Db, pemdaId: number, year?: number): Promise<number> {
  if (year) return year;
  const years = await executionYears(db, pemdaId);
  if (!years.length) throw notFound('ctl.none_year');
  return years[0]!;
}

export async function controllingApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  acceptSpreadsheetBodies(app);

  app.get(
    '/api/v1/controlling/dashboard',
    {
      config: { auth: { permission: 'ctl.read' } },
      schema: {
        tags,
        summary: 'Absorption per OPD (ranked), per month and per program, with early warnings',
        querystring: dashboardQuery,
      },
    },
    async (req) => {
      const year = await yearOr(db, req.principal!.pemdaId, req.query.year);
      return dashboard(db, req.principal!, { year, month: req.query.month, opdId: req.query.opd_id });
    },
  );

  app.get(
    '/api/v1/controlling/sub-kegiatan',
    {
      config: { auth: { permission: 'ctl.read' } },
      schema: {
        tags,
        summary: 'Budget, cash plan, realisation and physical progress per sub kegiatan',
        querystring: dashboardQuery,
      },
    },
    async (req) => {
      const p = req.principal!;
      const year = await yearOr(db, p.pemdaId, req.query.year);
      const month = req.query.month ?? reportingMonth(year);
      requirePermission(p, 'ctl.read', req.query.opd_id !== undefined ? { opdId: req.query.opd_id } : undefined);
      return { year, month, rows: await subStatuses(db, p.pemdaId, year, month, visibleOpd(p, req.query.opd_id)) };
    },
  );

  app.get(
    '/api/v1/controlling/realisation',
    {
      config: { auth: { permission: 'ctl.read' } },
      schema: { tags, summary: 'Recorded realisation (SP2D rows), newest first', querystring: listQuery },
    },
    async (req) => {
      const year = await yearOr(db, req.principal!.pemdaId, req.query.year);
      const q = req.query;
      return {
        year,
        ...(await listRealisation(db, req.principal!, {
          year,
          opdId: q.opd_id,
          sub: q.sub,
          packageId: q.package_id,
          limit: q.limit,
          offset: q.offset,
        })),
      };
    },
  );

  app.post(
    '/api/v1/controlling/realisation',
    {
      config: { auth: { permission: 'ctl.realisation.write' } },
      schema: {
        tags,
        summary: 'Record one SP2D row by hand (checked against the DPA like an import row)',
        body: realisationBody,
        response: { 201: z.object({ id: z.string(), amount: z.string() }), 422: errorOut },
      },
    },
    async (req, reply) => {
      const { year, ...input } = req.body;
      const r = await createRealisation(db, req.principal!, year, input, req.lang);
      return reply.code(201).send(r);
    },
  );

  app.post(
    '/api/v1/controlling/realisation/import',
    {
      config: { auth: { permission: 'ctl.realisation.write' } },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Import the treasury SP2D register of a year (CSV/XLSX, all rows or none)',
        description:
          `Raw body (text/csv or XLSX) or the multipart field \`file\`. Columns: ${SP2D_COLUMNS.map((c) => c.header + (c.required ? '*' : '')).join(', ')}. ` +
          'An SP2D row already recorded with the same content is skipped (importing a file twice adds nothing); with other content it is refused. ' +
          'A row whose cumulative realisation would exceed its DPA amount (sub kegiatan + account) is refused. When any row is refused nothing is written ' +
          'and the 422 lists each error with its row (1 = first row after the header) and column.',
        querystring: importQuery,
      },
    },
    async (req, reply) => {
      const file = uploadedFile(req.body);
      const res = await importSp2d(db, req.principal!, file, { year: req.query.year, lang: req.lang });
      if (!res.ok)
        throw new AppError(
          422,
          'import',
          'ctl.import.failed',
          { count: res.errors.length },
          res.errors.map((e) => ({ field: e.column, message: e.reason, row: e.row })),
        );
      return reply.code(res.added ? 201 : 200).send(res);
    },
  );

  app.put(
    '/api/v1/controlling/progress',
    {
      config: { auth: { permission: 'ctl.progress.write', opd: (req) => (req.body as { opd_id?: number })?.opd_id } },
      schema: {
        tags,
        summary: 'Set the cumulative physical progress of a sub kegiatan at the end of a month',
        body: progressBody,
      },
    },
    async (req) => setProgress(db, req.principal!, req.body),
  );

  app.get(
    '/api/v1/controlling/packages',
    {
      config: { auth: { permission: 'ctl.read' } },
      schema: {
        tags,
        summary: 'Procurement packages of a year (e-procurement mark, contract, payment stages, realisation)',
        querystring: dashboardQuery,
      },
    },
    async (req) => {
      const year = await yearOr(db, req.principal!.pemdaId, req.query.year);
      return { year, rows: await listPackages(db, req.principal!, { year, opdId: req.query.opd_id }) };
    },
  );
  app.post(
    '/api/v1/controlling/packages',
    {
      config: { auth: { permission: 'ctl.package.write', opd: (req) => (req.body as { opd_id?: number })?.opd_id } },
      schema: {
        tags,
        summary: 'Group DPA lines of one OPD into a procurement package (value ≤ its lines)',
        body: packageBody,
      },
    },
    async (req, reply) => reply.code(201).send(await createPackage(db, req.principal!, req.body)),
  );
  app.put(
    '/api/v1/controlling/packages/:id/contract',
    {
      config: { auth: { permission: 'ctl.package.write' } },
      schema: {
        tags,
        summary: 'Record the contract of a package and its payment stages (percentages summing to 100)',
        params: z.object({ id: intIn(z.number().int().positive()) }),
        body: contractBody,
      },
    },
    async (req) => setContract(db, req.principal!, req.params.id, req.body),
  );
}
