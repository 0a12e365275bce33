// Open data downloads of the portal, at stable URLs: the lines of a public stage (whole Pemda, one
// OPD, one sub kegiatan) in CSV and JSON, streamed page by page; the Fiscal Data Package of a stage;
// realisation per sub kegiatan and the Musrenbang/Pokir outcomes of a year.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { notFound } from '../../core/errors.ts';
import {
  executionYears,
  listPublicStages,
  streamStageLines,
  type LineFilter,
  type PublicLine,
} from '../budgeting/index.ts';
import { ocdsReleasePackage, reportingMonth, subStatuses } from '../controlling/index.ts';
import { listFundingSources, listOpds } from '../master-data/index.ts';
import { listPublicOutcomes } from '../planning/index.ts';
import { FDP_COLUMNS, fdpDescriptor, fdpHasProposal, fdpRows } from './fdp.ts';
import { cacheable, csvLine, portalPemda, publicStage, stageSlug } from './portal.ts';

const hide = { hide: true } as const;
const yearP = intIn(z.number().int().min(2000).max(2100));
const slugP = z.string().regex(/^(murni|perubahan|pergeseran-\d{1,2})$/);
const fileP = z.enum(['lines.csv', 'lines.json']);
const pemdaQ = z.object({ pemda: z.string().max(10).optional() });

const LINE_COLUMNS = [
  'id',
  'opd_code',
  'opd_name',
  'kind',
  'program_code',
  'sub_kegiatan_code',
  'account_code',
  'name',
  'spec',
  'unit',
  'coefficient',
  'unit_price',
  'total',
  'funding_source',
] as const;

export async function portalData(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  const sendLines = async (
    reply: FastifyReply,
    pemdaId: number,
    stageId: number,
    f: LineFilter,
    format: 'csv' | 'json',
    fileBase: string,
  ) => {
    const [opds, funds] = await Promise.all([listOpds(db, pemdaId), listFundingSources(db, pemdaId)]);
    const opd = new Map(opds.map((o) => [o.id, o]));
    const fund = new Map(funds.map((x) => [x.id, x.code]));
    const coef = (l: PublicLine) =>
      [
        [l.v1, l.u1],
        [l.v2, l.u2],
        [l.v3, l.u3],
        [l.v4, l.u4],
      ]
        .filter(([v]) => v !== null)
        .map(([v, u]) => `${String(v).replace(/\.?0+$/, '')} ${u}`)
        .join(' x ');
    const rowOf = (l: PublicLine) => ({
      id: l.id,
      opd_code: opd.get(l.opd_id)?.code ?? String(l.opd_id),
      opd_name: opd.get(l.opd_id)?.name ?? '',
      kind: l.kind,
      program_code: l.program_code ?? '',
      sub_kegiatan_code: l.sub_kegiatan_code ?? '',
      account_code: l.account_code,
      name: l.name,
      spec: l.spec,
      unit: l.unit,
      coefficient: coef(l),
      unit_price: l.unit_price,
      total: l.total,
      funding_source: l.funding_source_id ? (fund.get(l.funding_source_id) ?? '') : '',
    });
    const out = new PassThrough();
    (async () => {
      const put = async (s: string) => {
        if (!out.write(s)) await new Promise((r) => out.once('drain', r));
      };
      let first = true;
      if (format === 'csv') await put(`\uFEFF${csvLine([...LINE_COLUMNS])}`);
      else await put('{"lines":[');
      for await (const page of streamStageLines(db, pemdaId, stageId, f)) {
        for (const l of page) {
          const r = rowOf(l);
          if (format === 'csv') await put(csvLine(LINE_COLUMNS.map((c) => r[c])));
          else await put(`${first ? '' : ','}${JSON.stringify(r)}`);
          first = false;
        }
      }
      out.end(format === 'json' ? ']}' : '');
    })().catch((e) => out.destroy(e as Error));
    cacheable(reply);
    reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    if (format === 'csv') reply.header('content-disposition', `attachment; filename="${fileBase}.csv"`);
    return reply.send(out);
  };

  const stageOf = async (req: Parameters<typeof portalPemda>[1], year: number, slug: string) => {
    const pemda = await portalPemda(db, req);
    return { pemda, stage: await publicStage(db, pemda.id, year, slug) };
  };

  app.get(
    '/portal/data/:year/:stage/:file',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ year: yearP, stage: slugP, file: fileP }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const { pemda, stage } = await stageOf(req, req.params.year, req.params.stage);
      const fmt = req.params.file.endsWith('.csv') ? 'csv' : 'json';
      return sendLines(reply, pemda.id, stage.id, {}, fmt, `apbd-${stage.year}-${stageSlug(stage)}`);
    },
  );
  app.get(
    '/portal/data/:year/:stage/opd/:opd/:file',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        params: z.object({ year: yearP, stage: slugP, opd: intIn(z.number().int().positive()), file: fileP }),
        querystring: pemdaQ,
      },
    },
    async (req, reply) => {
      const { pemda, stage } = await stageOf(req, req.params.year, req.params.stage);
      const fmt = req.params.file.endsWith('.csv') ? 'csv' : 'json';
      return sendLines(
        reply,
        pemda.id,
        stage.id,
        { opdId: req.params.opd },
        fmt,
        `apbd-${stage.year}-${stageSlug(stage)}-opd${req.params.opd}`,
      );
    },
  );
  app.get(
    '/portal/data/:year/:stage/opd/:opd/sub/:sub/:file',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        params: z.object({
          year: yearP,
          stage: slugP,
          opd: intIn(z.number().int().positive()),
          sub: z.string().regex(/^[\d.]{5,40}$/),
          file: fileP,
        }),
        querystring: pemdaQ,
      },
    },
    async (req, reply) => {
      const { pemda, stage } = await stageOf(req, req.params.year, req.params.stage);
      const fmt = req.params.file.endsWith('.csv') ? 'csv' : 'json';
      const { opd, sub } = req.params;
      return sendLines(
        reply,
        pemda.id,
        stage.id,
        { opdId: opd, sub },
        fmt,
        `apbd-${stage.year}-${stageSlug(stage)}-opd${opd}-${sub}`,
      );
    },
  );

  // ---- Fiscal Data Package ------------------------------------------------------------------------------
  app.get(
    '/portal/data/:year/:stage/fdp/datapackage.json',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ year: yearP, stage: slugP }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const { pemda, stage } = await stageOf(req, req.params.year, req.params.stage);
      const executed = (await executionYears(db, pemda.id)).includes(stage.year);
      const proposed = await fdpHasProposal(db, pemda.id, stage);
      cacheable(reply);
      return fdpDescriptor(pemda, stage, 'belanja.csv', { executed, proposed });
    },
  );
  app.get(
    '/portal/data/:year/:stage/fdp/belanja.csv',
    {
      config: { auth: 'public' },
      schema: { ...hide, params: z.object({ year: yearP, stage: slugP }), querystring: pemdaQ },
    },
    async (req, reply) => {
      const { pemda, stage } = await stageOf(req, req.params.year, req.params.stage);
      const { rows } = await fdpRows(db, pemda.id, stage);
      cacheable(reply);
      reply.type('text/csv; charset=utf-8');
      return csvLine([...FDP_COLUMNS]) + rows.map((r) => csvLine(FDP_COLUMNS.map((c) => r[c]))).join('');
    },
  );

  // ---- realisation and proposals ---------------------------------------------------------------------------
  app.get(
    '/portal/data/realisasi/:year/:file',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        params: z.object({ year: yearP, file: z.enum(['realisasi.csv', 'realisasi.json']) }),
        querystring: pemdaQ,
      },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const year = req.params.year;
      if (!(await executionYears(db, pemda.id)).includes(year)) throw notFound();
      const month = reportingMonth(year) || 1;
      const opds = new Map((await listOpds(db, pemda.id)).map((o) => [o.id, o]));
      const rows = (await subStatuses(db, pemda.id, year, month)).map((s) => ({
        year,
        month,
        opd_code: opds.get(s.opd_id)?.code ?? String(s.opd_id),
        opd_name: opds.get(s.opd_id)?.name ?? '',
        sub_kegiatan_code: s.sub_kegiatan_code,
        sub_kegiatan_name: s.name,
        budget: s.budget,
        planned: s.planned,
        realised: s.realised,
        physical_pct: s.physical_pct,
      }));
      cacheable(reply);
      if (req.params.file.endsWith('.json')) return { year, month, rows };
      reply.type('text/csv; charset=utf-8');
      const cols = Object.keys(rows[0] ?? { year: 0 }) as Array<keyof (typeof rows)[number]>;
      return csvLine(cols) + rows.map((r) => csvLine(cols.map((c) => r[c] as string | number | null))).join('');
    },
  );
  app.get(
    '/portal/data/usulan/:year/:file',
    {
      config: { auth: 'public' },
      schema: {
        ...hide,
        params: z.object({ year: yearP, file: z.enum(['usulan.csv', 'usulan.json']) }),
        querystring: pemdaQ,
      },
    },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      const opds = new Map((await listOpds(db, pemda.id)).map((o) => [o.id, o]));
      const rows = (await listPublicOutcomes(db, pemda.id, req.params.year)).map((r) => ({
        tracking_code: r.tracking_code,
        kind: r.kind,
        title: r.title,
        stage: r.stage,
        status: r.status,
        opd_code: r.opd_id ? (opds.get(r.opd_id)?.code ?? '') : '',
        sub_kegiatan_code: r.sub_kegiatan_code ?? '',
        recommended_amount: r.recommended_amount ?? '',
      }));
      cacheable(reply);
      if (req.params.file.endsWith('.json')) return { year: req.params.year, rows };
      reply.type('text/csv; charset=utf-8');
      const cols = [
        'tracking_code',
        'kind',
        'title',
        'stage',
        'status',
        'opd_code',
        'sub_kegiatan_code',
        'recommended_amount',
      ] as const;
      return csvLine([...cols]) + rows.map((r) => csvLine(cols.map((c) => r[c]))).join('');
    },
  );

  // ---- procurement packages as Open Contracting (OCDS 1.1) -------------------------------------------------
  app.get(
    '/portal/data/:year/ocds.json',
    { config: { auth: 'public' }, schema: { ...hide, params: z.object({ year: yearP }), querystring: pemdaQ } },
    async (req, reply) => {
      const pemda = await portalPemda(db, req);
      if (!(await listPublicStages(db, pemda.id, req.params.year)).length) throw notFound();
      cacheable(reply);
      reply.type('application/json; charset=utf-8');
      return ocdsReleasePackage(db, pemda, req.params.year, `${req.protocol}://${req.host}`);
    },
  );
}
