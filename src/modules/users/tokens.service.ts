// API tokens seen by their owner and the admin: listing (never the secret) and revocation.
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';

export interface TokenOut {
  id: number;
  name: string;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** active | expired | revoked */
  state: 'active' | 'expired' | 'revoked';
}

export async function listTokens(db: Db, pemdaId: number, userId: number): Promise<TokenOut[]> {
  const rows = await db
    .selectFrom('usr_api_token')
    .select(['id', 'name', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
    .where('pemda_id', '=', pemdaId)
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
  const now = Date.now();
  return rows.map((r) => ({
    ...r,
    expires_at: new Date(r.expires_at),
    last_used_at: r.last_used_at ? new Date(r.last_used_at) : null,
    revoked_at: r.revoked_at ? new Date(r.revoked_at) : null,
    state: r.revoked_at ? 'revoked' : new Date(r.expires_at).getTime() <= now ? 'expired' : 'active',
  }));
}

/**
 * Revoke a token of `userId` (the caller has checked that the actor is that user or may manage
 * users). Revoking an already revoked token is a no-op; a token of someone else is a 404.
 */
export async function revokeToken(db: Db, actor: Principal, userId: number, tokenId: number): Promise<TokenOut> {
  await mutate(db, actor, async (uow) => {
    const row = await uow.trx
      .selectFrom('usr_api_token')
      .select(['id', 'name', 'revoked_at'])
      .where('pemda_id', '=', actor.pemdaId)
      .where('user_id', '=', userId)
      .where('id', '=', tokenId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    if (row.revoked_at) return;
    await uow.trx
      .updateTable('usr_api_token')
      .set({ revoked_at: new Date() })
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', tokenId)
      .execute();
    uow.audit({ action: 'revoke', entity: 'api_token', entityId: tokenId, after: { user_id: userId, name: row.name } });
  });
  return (await listTokens(db, actor.pemdaId, userId)).find((t) => t.id === tokenId)!;
}
