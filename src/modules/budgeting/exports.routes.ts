// e-Budgeting API: the RKA-SKPD prints (PDF, XLSX) of an OPD or one sub kegiatan, and an OPD's lines
// (CSV, JSON).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { notFound } from '../../core/errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { getSub } from './rka.service.ts';
import { sendLinesCsv, sendLinesJson } from './exports.ts';
import { sendRkaPdf } from './exports.pdf.ts';
import { sendRkaXlsx } from './exports.xlsx.ts';
import { idParams, stageOpdParams, tags } from './budgeting.schema.ts';
import { apiContext, P, read } from './routes.common.ts';

export async function exportsApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const { app, db, opd } = apiContext(appIn, ctx);
  // ---- exports -------------------------------------------------------------------------------------------------
  const exportQuery = z.object({ lang: z.enum(['id', 'en']).optional() });
  const sendExport =
    (format: 'pdf' | 'xlsx' | 'csv' | 'json') =>
    async (req: FastifyRequest, reply: FastifyReply, stageId: number, opdId: number, subId?: number) => {
      requirePermission(req.principal!, 'bud.read', { opdId: opdId });
      const args = { db, pemdaId: req.principal!.pemdaId, stageId, opdId, subId, lang: req.lang };
      if (format === 'pdf') return sendRkaPdf(reply, args);
      if (format === 'xlsx') return sendRkaXlsx(reply, args);
      if (format === 'csv') return sendLinesCsv(reply, args);
      return sendLinesJson(reply, args);
    };
  for (const format of ['pdf', 'xlsx'] as const) {
    app.get(
      `${P}/stages/:stageId/opds/:opdId/rka.${format}`,
      {
        config: { auth: { ...read, opd: opd.param } },
        schema: {
          tags,
          summary: `RKA-SKPD of an OPD (${format.toUpperCase()}, official layout)`,
          params: stageOpdParams,
          querystring: exportQuery,
        },
      },
      async (req, reply) => sendExport(format)(req, reply, req.params.stageId, req.params.opdId),
    );
    app.get(
      `${P}/sub-kegiatan/:id/rka.${format}`,
      {
        config: { auth: { ...read, opd: opd.sub } },
        schema: {
          tags,
          summary: `RKA of one sub kegiatan (${format.toUpperCase()}, official layout)`,
          params: idParams,
          querystring: exportQuery,
        },
      },
      async (req, reply) => {
        const s = await getSub(db, req.principal!.pemdaId, req.params.id);
        if (!s) throw notFound('bud.error.sub_unknown');
        return sendExport(format)(req, reply, s.stage_id, s.opd_id, s.id);
      },
    );
  }
  for (const format of ['csv', 'json'] as const) {
    app.get(
      `${P}/stages/:stageId/opds/:opdId/lines.${format}`,
      {
        config: { auth: { ...read, opd: opd.param } },
        schema: {
          tags,
          summary: `All lines of an OPD in the stage as ${format.toUpperCase()} (streamed)`,
          params: stageOpdParams,
        },
      },
      async (req, reply) => sendExport(format)(req, reply, req.params.stageId, req.params.opdId),
    );
  }
}
