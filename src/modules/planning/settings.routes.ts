// REST API of the planning settings: cycles, categories, DPRD members, priority weights.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { yearParam } from './common.ts';
import * as settings from './settings.service.ts';
import { loadWeights } from './priority.ts';

import { tags, cycleOut, categoryOut, memberOut, weightsOut, errs, pid } from './planning.schema.ts';

export async function settingsApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const P = '/api/v1/planning';
  const read = { auth: { permission: 'planning.read' } } as const;

  // ---- settings ---------------------------------------------------------------------------------------------
  app.get(
    `${P}/cycles`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Planning cycle per year: Musrenbang open, Pokir window',
        response: { 200: z.object({ rows: z.array(cycleOut) }) },
      },
    },
    async (req) => ({
      rows: await settings.listCycles(db, pid(req)),
    }),
  );
  app.put(
    `${P}/cycles/:year`,
    {
      config: { auth: { permission: 'planning.settings' } },
      schema: {
        tags,
        summary: 'Set a year’s cycle (Musrenbang open; Pokir window, which must close before the Renja is finalised)',
        params: yearParam,
        body: settings.cycleSchema,
        response: { 200: cycleOut, ...errs },
      },
    },
    async (req) => settings.setCycle(db, req.principal!, req.params.year, req.body),
  );
  app.get(
    `${P}/priority-weights`,
    {
      config: read,
      schema: { tags, summary: 'Weights of the priority-score criteria', response: { 200: weightsOut } },
    },
    async (req) => loadWeights(db, pid(req)),
  );
  app.put(
    `${P}/priority-weights`,
    {
      config: { auth: { permission: 'planning.settings' } },
      schema: {
        tags,
        summary: 'Set the weights (0–100) and rescore open proposals',
        body: settings.weightsSchema,
        response: { 200: z.object({ weights: weightsOut, rescored: z.number() }), ...errs },
      },
    },
    async (req) => settings.setWeights(db, req.principal!, req.body),
  );
  app.get(
    `${P}/categories`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Proposal categories and their suggested sub kegiatan and OPD',
        response: { 200: z.object({ rows: z.array(categoryOut) }) },
      },
    },
    async (req) => ({
      rows: await settings.listCategories(db, pid(req), true),
    }),
  );
  app.put(
    `${P}/categories/:code`,
    {
      config: { auth: { permission: 'planning.settings' } },
      schema: {
        tags,
        summary: 'Create or update a proposal category',
        params: z.object({ code: z.string().max(40) }),
        body: settings.categorySchema,
        response: { 200: categoryOut, ...errs },
      },
    },
    async (req) => settings.setCategory(db, req.principal!, req.params.code, req.body),
  );
  app.get(
    `${P}/dprd-members`,
    {
      config: { auth: { permission: 'planning.pokir.read' } },
      schema: {
        tags,
        summary: 'DPRD members (komisi, dapil)',
        response: { 200: z.object({ rows: z.array(memberOut) }) },
      },
    },
    async (req) => ({
      rows: await settings.listMembers(db, pid(req)),
    }),
  );
  app.put(
    `${P}/dprd-members`,
    {
      config: { auth: { permission: 'planning.dprd.manage' } },
      schema: {
        tags,
        summary: 'Register or update a DPRD member (linked to a user with the dprd role)',
        body: settings.memberSchema,
        response: { 200: memberOut, ...errs },
      },
    },
    async (req) => settings.upsertMember(db, req.principal!, req.body),
  );
  app.get(
    `${P}/opd-komisi`,
    {
      config: read,
      schema: {
        tags,
        summary: 'The DPRD partner commission of each OPD',
        response: { 200: z.object({ rows: z.array(z.object({ opd_id: z.number(), komisi: z.string() })) }) },
      },
    },
    async (req) => ({
      rows: await settings.listOpdKomisi(db, pid(req)),
    }),
  );
  app.put(
    `${P}/opd-komisi`,
    {
      config: { auth: { permission: 'planning.dprd.manage' } },
      schema: {
        tags,
        summary: 'Set the partner commission of an OPD',
        body: settings.opdKomisiSchema,
        response: { 200: z.object({ opd_id: z.number(), komisi: z.string() }), ...errs },
      },
    },
    async (req) => settings.setOpdKomisi(db, req.principal!, req.body),
  );
}
