import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../core/module.ts';
export async function budgetingPages(_app: FastifyInstance, _ctx: ModuleContext): Promise<void> {}
