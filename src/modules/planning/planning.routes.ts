// REST API of the planning module (/api/v1/planning/…, public parts under /api/v1/public/…), by feature:
//   plans.routes.ts        the medium-term plans
//   annual.routes.ts       the annual plans
//   proposals.routes.ts    Musrenbang and Pokir proposals.
//   settings.routes.ts     the planning settings
//   public.routes.ts       Public planning (/api/v1/public/…)
// Request and response schemas: planning.schema.ts.
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../core/module.ts';
import { plansApi } from './plans.routes.ts';
import { annualApi } from './annual.routes.ts';
import { proposalsApi } from './proposals.routes.ts';
import { settingsApi } from './settings.routes.ts';
import { publicApi } from './public.routes.ts';

export async function planningApi(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  await plansApi(app, ctx);
  await annualApi(app, ctx);
  await proposalsApi(app, ctx);
  await settingsApi(app, ctx);
  await publicApi(app, ctx);
}
