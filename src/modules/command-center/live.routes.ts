// Server-Sent Events of the command center: the operations room's feed (every incident) and each
// unit's feed (its own OPD's assignments only). Replay from core_event on reconnect (Last-Event-ID).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { streamEvents } from '../../core/events/sse.ts';
import { OPS_CHANNEL, opdChannel } from './incidents.service.ts';

const hide = { hide: true } as const;
const q = z.object({
  after: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
  opd_id: intIn(z.number().int().positive().max(2_147_483_647).optional()),
});

export async function livePages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db, events } = ctx;

  app.get(
    '/command-center/live/ops',
    { config: { auth: { permission: 'cc.read' } }, schema: { ...hide, querystring: q } },
    async (req, reply) => {
      await streamEvents(req, reply, events, db, { pemdaId: req.principal!.pemdaId, channels: [OPS_CHANNEL] });
    },
  );

  app.get(
    '/command-center/live/unit',
    { config: { auth: { permission: 'cc.queue' } }, schema: { ...hide, querystring: q } },
    async (req, reply) => {
      const p = req.principal!;
      const opdId = isOpdScoped(p.role) ? p.opdId : (req.query.opd_id ?? null);
      requirePermission(p, 'cc.queue', { opdId });
      await streamEvents(req, reply, events, db, { pemdaId: p.pemdaId, channels: [opdChannel(opdId!)] });
    },
  );
}
