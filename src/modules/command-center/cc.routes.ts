// REST API of the command center (/api/v1/cc/…): intake, duplicates, incidents, dispatch, merge,
// unit queue and steps, breaches, categories and settings. Parse (schema) → authorise → service.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { dispatchIn, intakeIn, mergeIn, moveIn, settingsIn } from './cc.schema.ts';
import * as inc from './incidents.service.ts';
import * as q from './queries.service.ts';
import { moveAssignment } from './assignments.service.ts';

const tags = ['command-center'];
const idParam = z.object({ id: intIn(z.number().int().positive().max(2_147_483_647)) });
const dupQuery = z.object({
  category_id: intIn(z.number().int().positive()),
  kecamatan_id: intIn(z.number().int().positive()),
  kelurahan_id: intIn(z.number().int().positive().optional()),
  lat: z.string().max(20).optional(),
  lon: z.string().max(20).optional(),
});

export async function ccApi(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const lang = (l: string) => (l === 'en' ? 'en' : 'id') as 'id' | 'en';

  app.get(
    '/api/v1/cc/categories',
    {
      config: { auth: { permission: 'cc.incident.view' } },
      schema: { tags, summary: 'Incident categories, responding OPD and targets' },
    },
    async (req) => ({ rows: await inc.listCategories(db, req.principal!.pemdaId) }),
  );

  app.get(
    '/api/v1/cc/settings',
    { config: { auth: { permission: 'cc.read' } }, schema: { tags, summary: 'Duplicate detection window' } },
    async (req) => inc.getSettings(db, req.principal!.pemdaId),
  );
  app.put(
    '/api/v1/cc/settings',
    {
      config: { auth: { permission: 'cc.settings' } },
      schema: { tags, summary: 'Set the duplicate detection window', body: settingsIn },
    },
    async (req) => {
      await inc.saveSettings(db, req.principal!, req.body);
      return inc.getSettings(db, req.principal!.pemdaId);
    },
  );

  app.get(
    '/api/v1/cc/duplicates',
    {
      config: { auth: { permission: 'cc.intake' } },
      schema: { tags, summary: 'Possible duplicates of an incident being entered', querystring: dupQuery },
    },
    async (req) => ({ rows: await inc.findDuplicates(db, req.principal!.pemdaId, req.query) }),
  );

  app.post(
    '/api/v1/cc/incidents',
    {
      config: { auth: { permission: 'cc.intake' } },
      schema: {
        tags,
        summary: 'Intake of a call: a new incident, or a report merged into an existing one',
        description:
          'With possible duplicates and neither merge_into nor confirm_new, nothing is saved: 409 with details.duplicates.',
        body: intakeIn,
      },
    },
    async (req, reply) => reply.code(201).send(await inc.intake(db, req.principal!, req.body)),
  );

  app.get(
    '/api/v1/cc/incidents',
    {
      config: { auth: { permission: 'cc.read' } },
      schema: {
        tags,
        summary: 'Incidents with their timers (active by default)',
        querystring: z.object({
          status: z.enum(['active', 'closed', 'all']).optional(),
          limit: intIn(z.number().int().min(1).max(1000).optional()),
        }),
      },
    },
    async (req) => ({ rows: await q.listIncidents(db, req.principal!, { ...req.query, lang: lang(req.lang) }) }),
  );

  app.get(
    '/api/v1/cc/incidents/:id',
    {
      config: { auth: { permission: 'cc.incident.view' } },
      schema: { tags, summary: 'One incident: reports, assignments, timeline, timers', params: idParam },
    },
    async (req) => q.getIncident(db, req.principal!, req.params.id, lang(req.lang)),
  );

  app.post(
    '/api/v1/cc/incidents/:id/dispatch',
    {
      config: { auth: { permission: 'cc.dispatch' } },
      schema: { tags, summary: 'Send the incident to one or more OPD units', params: idParam, body: dispatchIn },
    },
    async (req, reply) =>
      reply.code(201).send({ assignment_ids: await inc.dispatch(db, req.principal!, req.params.id, req.body.opd_ids) }),
  );

  app.post(
    '/api/v1/cc/incidents/:id/merge',
    {
      config: { auth: { permission: 'cc.dispatch' } },
      schema: {
        tags,
        summary: 'Merge this incident into another (its reports move over)',
        params: idParam,
        body: mergeIn,
      },
    },
    async (req) => {
      await inc.mergeIncident(db, req.principal!, req.params.id, req.body.into);
      return { merged_into: req.body.into };
    },
  );

  app.get(
    '/api/v1/cc/queue',
    {
      config: { auth: { permission: 'cc.queue' } },
      schema: {
        tags,
        summary: "A unit's queue (a unit: its own OPD)",
        querystring: z.object({ opd_id: intIn(z.number().int().positive().optional()) }),
      },
    },
    async (req) => q.unitQueue(db, req.principal!, req.query.opd_id ?? req.principal!.opdId, lang(req.lang)),
  );

  app.post(
    '/api/v1/cc/assignments/:id/status',
    {
      config: { auth: { permission: 'cc.assignment.move' } },
      schema: {
        tags,
        summary: 'A unit reports a step: acknowledged, en_route, on_scene, resolved or handed_back',
        params: idParam,
        body: moveIn,
      },
    },
    async (req) => moveAssignment(db, req.principal!, req.params.id, req.body),
  );

  app.get(
    '/api/v1/cc/breaches',
    {
      config: { auth: { permission: 'cc.supervise' } },
      schema: { tags, summary: 'Targets passed now by active incidents and assignments' },
    },
    async (req) => ({ rows: await q.breaches(db, req.principal!, lang(req.lang)) }),
  );
}
