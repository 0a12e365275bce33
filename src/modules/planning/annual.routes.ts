// REST API of the annual plans: the RKPD and the Renja of each OPD, with its workflow.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { notFound } from '../../core/errors.ts';
import { tr } from '../../core/http/layout.ts';
import { errorOut, idParam, yearParam } from './common.ts';
import * as annual from './annual.service.ts';

import {
  tags,
  money,
  dec,
  rkpdOut,
  renjaOut,
  renjaItemOut,
  checkOut,
  versionBody,
  noteBody,
  errs,
  pid,
  idOf,
} from './planning.schema.ts';

export async function annualApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const P = '/api/v1/planning';
  const read = { auth: { permission: 'planning.read' } } as const;

  // ---- RKPD ------------------------------------------------------------------------------------------------
  app.get(
    `${P}/rkpd`,
    {
      config: read,
      schema: {
        tags,
        summary: 'RKPD documents, newest first',
        response: { 200: z.object({ rows: z.array(rkpdOut) }) },
      },
    },
    async (req) => ({ rows: await annual.listRkpd(db, pid(req)) }),
  );
  app.post(
    `${P}/rkpd`,
    {
      config: { auth: { permission: 'planning.rkpd.write' } },
      schema: {
        tags,
        summary: 'Create the RKPD of a fiscal year (under the RPJMD covering it)',
        body: annual.rkpdCreateSchema,
        response: { 201: rkpdOut, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await annual.createRkpd(db, req.principal!, req.body)),
  );
  app.get(
    `${P}/rkpd/:year`,
    {
      config: read,
      schema: {
        tags,
        summary:
          'The RKPD of a year: per OPD the indicative ceiling, the Renja total and status; once approved, the indicative ceilings per OPD and sub kegiatan',
        params: yearParam,
        response: {
          200: z.object({
            rkpd: rkpdOut.nullable(),
            opds: z.array(
              z.object({
                opd_id: z.number(),
                ceiling: money.nullable(),
                renja_id: z.number().nullable(),
                renja_status: z.string().nullable(),
                renja_total: money,
                items: z.number(),
              }),
            ),
            items: z.array(
              z.object({
                opd_id: z.number(),
                sub_kegiatan_code: z.string(),
                pagu: money,
                funding_source_code: z.string().nullable(),
                target: dec.nullable(),
                unit: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const o = await annual.rkpdOverview(db, pid(req), req.params.year);
      return { ...o, rkpd: o.rkpd ?? null };
    },
  );
  app.patch(
    `${P}/rkpd/:year`,
    {
      config: { auth: { permission: 'planning.rkpd.write' } },
      schema: {
        tags,
        summary: 'Update the theme and priorities of a draft RKPD',
        params: yearParam,
        body: annual.rkpdUpdateSchema,
        response: { 200: rkpdOut, ...errs },
      },
    },
    async (req) => annual.updateRkpd(db, req.principal!, req.params.year, req.body),
  );
  app.put(
    `${P}/rkpd/:year/ceilings`,
    {
      config: { auth: { permission: 'planning.rkpd.write' } },
      schema: {
        tags,
        summary: 'Set the indicative ceiling (pagu indikatif) of OPD in a draft RKPD',
        params: yearParam,
        body: annual.rkpdCeilingsSchema,
        response: { 200: z.array(z.object({ opd_id: z.number(), pagu: money })), ...errs },
      },
    },
    async (req) => annual.setRkpdCeilings(db, req.principal!, req.params.year, req.body),
  );
  app.post(
    `${P}/rkpd/:year/approve`,
    {
      config: { auth: { permission: 'planning.rkpd.write' } },
      schema: {
        tags,
        summary:
          'Approve the RKPD: every Renja verified and within its ceiling; takes the indicative ceilings per sub kegiatan',
        params: yearParam,
        body: versionBody,
        response: { 200: rkpdOut, ...errs },
      },
    },
    async (req) => annual.approveRkpd(db, req.principal!, req.params.year, req.body),
  );

  // ---- Renja --------------------------------------------------------------------------------------------------
  const renjaOpd = (req: FastifyRequest) => annual.opdOfRenja(db, pid(req), idOf(req));
  const itemOpd = (req: FastifyRequest) => annual.opdOfRenjaItem(db, pid(req), idOf(req));
  app.get(
    `${P}/renja`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Renja documents with item count and total (filter by year, OPD)',
        querystring: z.object({
          year: intIn(z.number().int().min(2000).max(2100).optional()),
          opd_id: intIn(z.number().int().positive().optional()),
        }),
        response: { 200: z.object({ rows: z.array(renjaOut.extend({ total: money, items: z.number() })) }) },
      },
    },
    async (req) => ({ rows: await annual.listRenja(db, pid(req), { year: req.query.year, opdId: req.query.opd_id }) }),
  );
  app.post(
    `${P}/renja`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: (req) => (req.body as { opd_id?: number })?.opd_id } },
      schema: {
        tags,
        summary: 'Create the Renja of an OPD for a year',
        body: annual.renjaCreateSchema,
        response: { 201: renjaOut, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await annual.createRenja(db, req.principal!, req.body)),
  );
  app.get(
    `${P}/renja/:id`,
    {
      config: read,
      schema: {
        tags,
        summary: 'A Renja with its items',
        params: idParam,
        response: { 200: z.object({ renja: renjaOut, items: z.array(renjaItemOut) }), 404: errorOut },
      },
    },
    async (req) => {
      const renja = await annual.getRenja(db, pid(req), req.params.id);
      if (!renja) throw notFound();
      return { renja, items: await annual.renjaItems(db, pid(req), renja.id) };
    },
  );
  app.get(
    `${P}/renja/:id/checks`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Run the consistency checks of a Renja (trace to Renstra, targets, ceiling in the RKPD, nomenclature)',
        params: idParam,
        response: { 200: z.object({ ok: z.boolean(), checks: z.array(checkOut) }), 404: errorOut },
      },
    },
    async (req) => {
      const checks = await annual.renjaChecks(db, pid(req), req.params.id);
      return {
        ok: !checks.some((c) => c.severity === 'error'),
        checks: checks.map((c) => ({ ...c, message: tr(req, c.key, c.params) })),
      };
    },
  );
  app.post(
    `${P}/renja/:id/items`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: renjaOpd } },
      schema: {
        tags,
        summary: 'Add a sub kegiatan to a draft Renja (target, unit and pagu default to the Renstra’s for the year)',
        params: idParam,
        body: annual.renjaItemCreateSchema,
        response: { 201: renjaItemOut, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await annual.addRenjaItem(db, req.principal!, req.params.id, req.body)),
  );
  app.post(
    `${P}/renja/:id/from-renstra`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: renjaOpd } },
      schema: {
        tags,
        summary: 'Add every sub kegiatan of the OPD’s Renstra not yet in the draft Renja',
        params: idParam,
        response: { 200: z.object({ added: z.number() }), ...errs },
      },
    },
    async (req) => annual.addItemsFromRenstra(db, req.principal!, req.params.id),
  );
  app.patch(
    `${P}/renja-items/:id`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: itemOpd } },
      schema: {
        tags,
        summary: 'Update a Renja item (target, unit, location, funding source, pagu indikatif)',
        params: idParam,
        body: annual.renjaItemUpdateSchema,
        response: { 200: renjaItemOut, ...errs },
      },
    },
    async (req) => annual.updateRenjaItem(db, req.principal!, req.params.id, req.body),
  );
  app.delete(
    `${P}/renja-items/:id`,
    {
      config: { auth: { permission: 'planning.renja.write', opd: itemOpd } },
      schema: {
        tags,
        summary: 'Remove an item (without linked proposals) from a draft Renja',
        params: idParam,
        response: { 204: z.undefined(), ...errs },
      },
    },
    async (req, reply) => {
      await annual.deleteRenjaItem(db, req.principal!, req.params.id);
      return reply.code(204).send();
    },
  );
  const flows = [
    ['submit', 'planning.renja.submit', 'The OPD submits its draft Renja to Bappeda', annual.submitRenja],
    [
      'verify',
      'planning.renja.verify',
      'Bappeda verifies a submitted Renja (the checks must pass)',
      annual.verifyRenja,
    ],
    [
      'approve',
      'planning.renja.verify',
      'Bappeda approves a verified Renja (checks pass, Pokir window closed): the RKA may then choose from it',
      annual.approveRenja,
    ],
    [
      'return',
      'planning.renja.verify',
      'Bappeda returns a submitted or verified Renja to the OPD with a note',
      annual.returnRenja,
    ],
    [
      'revise',
      'planning.renja.verify',
      'Bappeda reopens an approved Renja for revision (note required)',
      annual.reviseRenja,
    ],
  ] as const;
  for (const [name, perm, summary, fn] of flows) {
    app.post(
      `${P}/renja/:id/${name}`,
      {
        config: { auth: { permission: perm, opd: renjaOpd } },
        schema: { tags, summary, params: idParam, body: noteBody, response: { 200: renjaOut, ...errs } },
      },
      async (req) => fn(db, req.principal!, req.params.id, req.body),
    );
  }
}
