// REST API of the consolidated APBD (/api/v1/budget/apbd/…): the attachments of any stage (JSON,
// CSV, XLSX, PDF; compared with an earlier stage), the lines behind a figure, the line-level
// difference of an OPD between two stages, and the DPA-SKPD with its anggaran kas.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../../core/number.ts';
import type { ModuleContext } from '../../../core/module.ts';
import { notFound } from '../../../core/errors.ts';
import { isOpdScoped } from '../../../core/roles.ts';
import { requireStage } from '../stages.service.ts';
import { REPORTS, REPORT_IDS } from './reports.ts';
import { drillLines, lineDiff } from './queries.ts';
import {
  dpaDoc,
  reportDoc,
  reportFileBase,
  reportHead,
  requireReport,
  resolveCompare,
  sendDoc,
  type Format,
} from './apbd.service.ts';
import {
  approveDpa,
  cashPlan,
  cashPlanBody,
  getDpa,
  listDpa,
  produceDpa,
  returnDpa,
  setCashPlan,
  submitDpa,
} from './dpa.service.ts';
import { apbdPages } from './apbd.pages.ts';
import { dpaResolver, drillQuery, idParams, reportQuery, stageParams } from './apbd.schema.ts';

const tags = ['budgeting'];
export async function apbdRoutes(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const P = '/api/v1/budget/apbd';
  const apbdRead = { permission: 'bud.apbd.read' };
  const dpaOpd = dpaResolver(db);

  app.get(
    `${P}/reports`,
    {
      config: { auth: apbdRead },
      schema: { tags, summary: 'The APBD attachments (Perda APBD I–V, Perkada Penjabaran I–II)' },
    },
    async (req) => ({
      rows: REPORTS.map((r) => ({
        id: r.id,
        attachment: req.lang === 'en' ? r.attachment : r.attachment,
        dims: r.dims,
        measures: r.measures.map((m) => m.key),
      })),
    }),
  );

  app.get(
    `${P}/stages/:stageId/reports/:report`,
    {
      config: { auth: apbdRead },
      schema: {
        tags,
        summary:
          'An APBD attachment of a stage, aggregated from the lines (format json, csv, xlsx or pdf; streamed). A pergeseran/perubahan compares with its source stage unless compare=none or another stage id',
        params: stageParams.extend({ report: z.enum(REPORT_IDS) }),
        querystring: reportQuery,
      },
    },
    async (req, reply) => {
      const pemdaId = req.principal!.pemdaId;
      const def = requireReport(req.params.report);
      const stage = await requireStage(db, pemdaId, req.params.stageId);
      const compare = await resolveCompare(db, pemdaId, stage, req.query.compare);
      const r = { db, pemdaId, stage, compare, opdId: req.query.opd_id, lang: req.lang };
      return sendDoc(reply, db, req.query.format as Format, reportFileBase(def, r), async (trx) => {
        const doc = await reportDoc(def, r, trx);
        return { doc, head: reportHead(def, r, doc) };
      });
    },
  );

  app.get(
    `${P}/stages/:stageId/lines`,
    {
      config: { auth: apbdRead },
      schema: {
        tags,
        summary:
          'The lines a figure sums: filtered by OPD, urusan/bidang, program/kegiatan/sub kegiatan code prefix, account prefix, function (paged)',
        params: stageParams,
        querystring: drillQuery,
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const stage = await requireStage(db, pemdaId, req.params.stageId);
      const q = req.query;
      return drillLines(db, pemdaId, stage, { opd: q.opd_id, ub: q.ub, sub: q.sub, acc: q.acc, fn: q.fn }, req.lang, {
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.get(
    `${P}/diff`,
    {
      config: { auth: { permission: 'bud.read', opd: (req) => Number((req.query as { opd_id: string }).opd_id) } },
      schema: {
        tags,
        summary: "An OPD's lines added, removed and changed from one stage to another, with who changed them",
        querystring: z.object({
          opd_id: intIn(z.number().int().positive()),
          from: intIn(z.number().int().positive()),
          to: intIn(z.number().int().positive()),
        }),
      },
    },
    async (req) => {
      const pemdaId = req.principal!.pemdaId;
      const [from, to] = await Promise.all([
        requireStage(db, pemdaId, req.query.from),
        requireStage(db, pemdaId, req.query.to),
      ]);
      const d = await lineDiff(db, pemdaId, req.query.opd_id, from, to, req.lang);
      return { from: from.id, to: to.id, opd_id: req.query.opd_id, ...d };
    },
  );

  // ---- DPA --------------------------------------------------------------------------------------------
  app.post(
    `${P}/stages/:stageId/dpa`,
    {
      config: { auth: { permission: 'bud.dpa.manage' } },
      schema: {
        tags,
        summary: 'TAPD: produce the DPA of every OPD from a closed stage (idempotent)',
        params: stageParams,
      },
    },
    async (req, reply) => reply.code(201).send({ rows: await produceDpa(db, req.principal!, req.params.stageId) }),
  );
  app.get(
    `${P}/dpa`,
    {
      config: {
        auth: {
          permission: 'bud.read',
          opd: (req) => {
            const v = (req.query as { opd_id?: string }).opd_id;
            return v ? Number(v) : undefined;
          },
        },
      },
      schema: {
        tags,
        summary: 'DPA of a stage (OPD roles: pass their opd_id)',
        querystring: z.object({
          stage_id: intIn(z.number().int().positive().optional()),
          opd_id: intIn(z.number().int().positive().optional()),
        }),
      },
    },
    async (req) => ({
      rows: await listDpa(db, req.principal!.pemdaId, { stageId: req.query.stage_id, opdId: req.query.opd_id }),
    }),
  );
  app.get(
    `${P}/dpa/:id`,
    {
      config: { auth: { permission: 'bud.read', opd: dpaOpd } },
      schema: { tags, summary: 'A DPA with the anggaran kas of each sub kegiatan', params: idParams },
    },
    async (req) => {
      const dpa = await getDpa(db, req.principal!.pemdaId, req.params.id);
      if (!dpa) throw notFound('apbd.error.dpa_unknown');
      return { ...dpa, sub_kegiatan: await cashPlan(db, req.principal!.pemdaId, dpa) };
    },
  );
  app.put(
    `${P}/dpa/:id/cash-plan/:subId`,
    {
      config: { auth: { permission: 'bud.dpa.plan', opd: dpaOpd } },
      schema: {
        tags,
        summary:
          'Set the twelve months of a sub kegiatan (they must sum to its budget, else 422); or {spread:true}. 423 once submitted or approved',
        params: idParams.extend({ subId: intIn(z.number().int().positive()) }),
        body: cashPlanBody,
      },
    },
    async (req) => setCashPlan(db, req.principal!, req.params.id, req.params.subId, req.body),
  );
  app.post(
    `${P}/dpa/:id/submit`,
    {
      config: { auth: { permission: 'bud.dpa.submit', opd: dpaOpd } },
      schema: {
        tags,
        summary: 'Head of OPD: submit the DPA (every sub kegiatan planned to its budget)',
        params: idParams,
      },
    },
    async (req) => submitDpa(db, req.principal!, req.params.id),
  );
  app.post(
    `${P}/dpa/:id/approve`,
    {
      config: { auth: { permission: 'bud.dpa.manage' } },
      schema: { tags, summary: 'TAPD: approve a submitted DPA (checked again); it is locked', params: idParams },
    },
    async (req) => approveDpa(db, req.principal!, req.params.id),
  );
  app.post(
    `${P}/dpa/:id/return`,
    {
      config: { auth: { permission: 'bud.dpa.manage' } },
      schema: { tags, summary: 'TAPD: return a submitted DPA to the OPD', params: idParams },
    },
    async (req) => returnDpa(db, req.principal!, req.params.id),
  );
  app.get(
    `${P}/dpa/:id/document`,
    {
      config: { auth: { permission: 'bud.read', opd: dpaOpd } },
      schema: {
        tags,
        summary: 'The DPA-SKPD document (pdf, xlsx, csv or json)',
        params: idParams,
        querystring: z.object({
          format: z.enum(['json', 'csv', 'xlsx', 'pdf']).default('pdf'),
          lang: z.enum(['id', 'en']).optional(),
        }),
      },
    },
    async (req, reply) => {
      const pemdaId = req.principal!.pemdaId;
      const dpa = await getDpa(db, pemdaId, req.params.id);
      if (!dpa) throw notFound('apbd.error.dpa_unknown');
      if (isOpdScoped(req.principal!.role) && req.principal!.opdId !== dpa.opd_id) throw notFound();
      return sendDoc(reply, db, req.query.format, dpa.number.replace(/\//g, '-'), async (trx) => {
        const doc = await dpaDoc(trx, pemdaId, dpa, req.lang);
        return { doc, head: { dpa, measures: doc.measures } };
      });
    },
  );

  await apbdPages(app, ctx);
}
