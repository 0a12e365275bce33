// The Pemda's budgeting settings: the PPN rate and whether items outside the catalogue are allowed.
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { parseDecimal } from '../../core/money.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { normDecimal } from './calc.ts';
import { staleError } from './errors.ts';
import { DECIMAL_RE, type Handle } from './rka.common.ts';

export interface Settings {
  ppn_rate: string;
  allow_free_text: boolean;
  version: number;
}

/** The settings from their row (or the defaults when the Pemda has none yet). */
export function settingsOf(r: { ppn_rate: string; allow_free_text: boolean; version: number } | undefined): Settings {
  return r
    ? { ppn_rate: normDecimal(r.ppn_rate)!, allow_free_text: r.allow_free_text, version: r.version }
    : { ppn_rate: '11', allow_free_text: false, version: 0 };
}

export async function getSettings(db: Handle, pemdaId: number): Promise<Settings> {
  const r = await db
    .selectFrom('bud_setting')
    .select(['ppn_rate', 'allow_free_text', 'version'])
    .where('pemda_id', '=', pemdaId)
    .executeTakeFirst();
  return settingsOf(r);
}

export const settingsSchema = z.object({
  ppn_rate: z
    .string()
    .trim()
    .regex(DECIMAL_RE, 'bud.error.rate_format')
    .refine((v) => parseDecimal(v)! <= 100n * 10_000n, 'bud.error.rate_format'),
  allow_free_text: z.boolean(),
  version: z.number().int().min(0).optional(),
});

export async function updateSettings(
  db: Db,
  actor: Principal,
  input: z.input<typeof settingsSchema>,
): Promise<Settings> {
  requirePermission(actor, 'bud.settings.write');
  const v = settingsSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    await uow.trx
      .insertInto('bud_setting')
      .values({ pemda_id: pemdaId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const before = await uow.trx
      .selectFrom('bud_setting')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (v.version !== undefined && v.version !== 0 && v.version !== before.version) throw staleError(before);
    const rate = normDecimal(v.ppn_rate.replace(',', '.'))!;
    const after = await uow.trx
      .updateTable('bud_setting')
      .set({ ppn_rate: rate, allow_free_text: v.allow_free_text, version: before.version + 1, updated_at: new Date() })
      .where('pemda_id', '=', pemdaId)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'update', entity: 'bud_setting', entityId: pemdaId, before, after });
    return { ppn_rate: normDecimal(after.ppn_rate)!, allow_free_text: after.allow_free_text, version: after.version };
  });
}
