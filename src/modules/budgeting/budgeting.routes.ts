// REST API of e-Budgeting (/api/v1/budget/…), by feature:
//   stages.routes.ts      the budget settings, fiscal years and stages (windows, OPD input, locks)
//   ceilings.routes.ts    ceilings (by hand or from the RKPD) and the overview of a stage
//   rka.routes.ts         the OPD's RKA: sub kegiatan and lines
//   travel.routes.ts      official trips
//   workflow.routes.ts    the TAPD workflow, review flags and notifications
//   exports.routes.ts     the RKA prints and the line exports
// Shared response and parameter schemas: budgeting.schema.ts; the per-file context: routes.common.ts;
// the OPD a request acts on: opd.resolvers.ts.
// OPD-scoped roles reach only their own OPD: each route names the OPD it acts on (core refuses
// another with 403).
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../core/module.ts';
import { stagesApi } from './stages.routes.ts';
import { ceilingsApi } from './ceilings.routes.ts';
import { rkaApi } from './rka.routes.ts';
import { travelApi } from './travel.routes.ts';
import { workflowApi } from './workflow.routes.ts';
import { exportsApi } from './exports.routes.ts';

export async function budgetingApi(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  await stagesApi(app, ctx);
  await ceilingsApi(app, ctx);
  await rkaApi(app, ctx);
  await travelApi(app, ctx);
  await workflowApi(app, ctx);
  await exportsApi(app, ctx);
}
