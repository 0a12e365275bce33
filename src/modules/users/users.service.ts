// Users, log-in, sessions and API tokens. Passwords are hashed with argon2id; session cookies and
// API tokens carry "<pemda id>.<secret>" and only the secret's SHA-256 is stored, so a leaked
// database does not leak working credentials, and every lookup is by the tenant key.
import { createHash, randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import { sql, type Selectable } from 'kysely';
import type { Config } from '../../core/config.ts';
import type { Db } from '../../core/db/database.ts';
import { prepared } from '../../core/db/prepared.ts';
import { mutate } from '../../core/audit/audit.ts';
import { AppError, conflict, fieldError, notFound } from '../../core/errors.ts';
import {
  backoffAttempt,
  backoffReset,
  hitRateLimit,
  pruneRateLimits,
  refundRateLimit,
  type Backoff,
  type Window,
} from '../../core/http/rate-limit.ts';
import { ROLES, isOpdScoped, REGION_SCOPED_ROLES, type Principal, type Role } from '../../core/roles.ts';
import type { AuthResult } from '../../core/auth/auth.ts';
import { resolveLoginPemda } from '../../core/tenancy.ts';
import { getOrganisation, getRegion } from '../master-data/index.ts';
import type { UserTable } from './users.tables.ts';
import { passwordProblem } from './password-policy.ts';

export type User = Selectable<UserTable>;
export type PublicUser = Omit<User, 'password_hash'>;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'usr.error.username_format');
export const passwordSchema = z
  .string()
  .max(200)
  .superRefine((p, ctx) => {
    const problem = passwordProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
/** Demo users carry the published demo password; no policy applies to them. */
const demoPasswordSchema = z.string().max(200);

export const userCreateSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  full_name: z.string().trim().min(2).max(200),
  nip: z
    .string()
    .trim()
    .regex(/^\d{18}$/, 'usr.error.nip_format')
    .nullish()
    .or(z.literal('').transform(() => null)),
  role: z.enum(ROLES),
  opd_id: intIn(z.number().int().positive().nullish()),
  region_id: intIn(z.number().int().positive().nullish()),
});
export type UserCreateInput = z.input<typeof userCreateSchema>;

export const userUpdateSchema = userCreateSchema
  .omit({ username: true, password: true })
  .partial()
  .extend({
    password: passwordSchema.optional(),
    active: z.boolean().optional(),
    version: intIn(z.number().int().positive()),
  });
export type UserUpdateInput = z.input<typeof userUpdateSchema>;

export async function hashPassword(password: string): Promise<string> {
  return argonHash(password); // @node-rs/argon2 defaults to argon2id
}

export function publicUser(u: User): PublicUser {
  const { password_hash: _h, ...rest } = u;
  return rest;
}

async function checkScope(
  db: Db,
  pemdaId: number,
  role: Role,
  opdId: number | null | undefined,
  regionId: number | null | undefined,
) {
  if (isOpdScoped(role)) {
    if (!opdId) throw fieldError('opd_id', 'usr.error.opd_required');
  }
  if (opdId && !(await getOrganisation(db, pemdaId, opdId))) throw fieldError('opd_id', 'usr.error.opd_unknown');
  if (REGION_SCOPED_ROLES.includes(role)) {
    if (!regionId) throw fieldError('region_id', 'usr.error.region_required');
  }
  if (regionId && !(await getRegion(db, pemdaId, regionId))) throw fieldError('region_id', 'usr.error.region_unknown');
}

export async function createUser(
  db: Db,
  actor: Principal,
  input: UserCreateInput,
  opts: { demo?: boolean; passwordHash?: string } = {},
): Promise<PublicUser> {
  const v = (
    opts.demo || opts.passwordHash ? userCreateSchema.extend({ password: demoPasswordSchema }) : userCreateSchema
  ).parse(input);
  const userProblem = opts.demo || opts.passwordHash ? null : passwordProblem(v.password, v.username);
  if (userProblem) throw fieldError('password', userProblem);
  await checkScope(db, actor.pemdaId, v.role, v.opd_id, v.region_id);
  const password_hash = opts.passwordHash ?? (await hashPassword(v.password));
  return mutate(db, actor, async (uow) => {
    const taken = await uow.trx
      .selectFrom('usr_user')
      .select('id')
      .where('pemda_id', '=', actor.pemdaId)
      .where('username', '=', v.username)
      .executeTakeFirst();
    if (taken) throw fieldError('username', 'usr.error.username_taken');
    const row = await uow.trx
      .insertInto('usr_user')
      .values({
        pemda_id: actor.pemdaId,
        username: v.username,
        password_hash,
        full_name: v.full_name,
        nip: v.nip ?? null,
        role: v.role,
        opd_id: v.opd_id ?? null,
        region_id: v.region_id ?? null,
        demo: opts.demo ?? false,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = publicUser(row);
    uow.audit({ action: 'create', entity: 'user', entityId: row.id, opdId: row.opd_id, after });
    return after;
  });
}

export async function updateUser(db: Db, actor: Principal, id: number, input: UserUpdateInput): Promise<PublicUser> {
  const v = userUpdateSchema.parse(input);
  const password_hash = v.password ? await hashPassword(v.password) : undefined;
  return mutate(db, actor, async (uow) => {
    const before = await uow.trx
      .selectFrom('usr_user')
      .selectAll()
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound();
    if (before.version !== v.version) throw conflict('error.conflict', { current: publicUser(before) });
    const role = v.role ?? before.role;
    const opdId = v.opd_id === undefined ? before.opd_id : v.opd_id;
    const regionId = v.region_id === undefined ? before.region_id : v.region_id;
    await checkScope(db, actor.pemdaId, role, opdId, regionId);
    const row = await uow.trx
      .updateTable('usr_user')
      .set({
        full_name: v.full_name ?? before.full_name,
        nip: v.nip === undefined ? before.nip : v.nip,
        role,
        opd_id: opdId ?? null,
        region_id: regionId ?? null,
        active: v.active ?? before.active,
        ...(password_hash ? { password_hash } : {}),
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (row.active === false || password_hash) {
      // deactivation or a new password ends every session and token of the user
      await uow.trx.deleteFrom('usr_session').where('pemda_id', '=', actor.pemdaId).where('user_id', '=', id).execute();
    }
    if (row.active === false) {
      await uow.trx
        .updateTable('usr_api_token')
        .set({ revoked_at: new Date() })
        .where('pemda_id', '=', actor.pemdaId)
        .where('user_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    }
    const after = publicUser(row);
    uow.audit({ action: 'update', entity: 'user', entityId: id, opdId: row.opd_id, before: publicUser(before), after });
    return after;
  });
}

export async function getUser(db: Db, pemdaId: number, id: number): Promise<PublicUser | undefined> {
  const u = await db
    .selectFrom('usr_user')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  return u && publicUser(u);
}

export async function findUserByUsername(db: Db, pemdaId: number, username: string): Promise<User | undefined> {
  return db
    .selectFrom('usr_user')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
}

export async function listUsers(
  db: Db,
  pemdaId: number,
  f: { q?: string; role?: Role; opdId?: number; limit?: number; offset?: number } = {},
): Promise<{ rows: PublicUser[]; total: number }> {
  let q = db.selectFrom('usr_user').where('pemda_id', '=', pemdaId);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('username', 'ilike', like), eb('full_name', 'ilike', like)]));
  }
  if (f.role) q = q.where('role', '=', f.role);
  if (f.opdId) q = q.where('opd_id', '=', f.opdId);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('username')
      .limit(f.limit ?? 50)
      .offset(f.offset ?? 0)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(publicUser), total: Number(count.n) };
}

function toPrincipal(
  u: Pick<User, 'pemda_id' | 'id' | 'username' | 'full_name' | 'role' | 'opd_id' | 'region_id'>,
  via: Principal['via'],
): Principal {
  return {
    pemdaId: u.pemda_id,
    userId: u.id,
    username: u.username,
    fullName: u.full_name,
    role: u.role,
    opdId: u.opd_id,
    regionId: u.region_id,
    via,
  };
}

export interface NewSession {
  cookie: string;
  csrf: string;
  user: PublicUser;
  expiresAt: Date;
}

export async function createSession(
  db: Db,
  config: Config,
  pemdaId: number,
  username: string,
  userAgent?: string,
): Promise<NewSession> {
  const user = await findUserByUsername(db, pemdaId, username);
  if (!user || !user.active) throw notFound();
  const secret = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + config.sessionHours * 3600_000);
  await mutate(db, toPrincipal(user, 'session'), async (uow) => {
    await uow.trx
      .insertInto('usr_session')
      .values({
        pemda_id: pemdaId,
        id: sha256(secret),
        user_id: user.id,
        csrf,
        expires_at: expiresAt,
        user_agent: userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    // expired sessions of this user are dead weight
    await uow.trx
      .deleteFrom('usr_session')
      .where('pemda_id', '=', pemdaId)
      .where('user_id', '=', user.id)
      .where('expires_at', '<', new Date())
      .execute();
    uow.audit({ action: 'login', entity: 'user', entityId: user.id, opdId: user.opd_id });
  });
  return { cookie: `${pemdaId}.${secret}`, csrf, user: publicUser(user), expiresAt };
}

/**
 * Log-in throttling (OWASP ASVS V2.2): failures are counted per (account, client address) with an
 * exponential delay after `loginMaxAttempts` of them — wrong passwords typed elsewhere never stop
 * the right one from the user's own address, so no stranger can lock someone out — and, against
 * password spraying, failures per address across all accounts in a 15-minute window (generous:
 * an office behind one NAT address logs in many people). Successful log-ins count against nothing.
 */
export function loginLimits(config: Config) {
  return {
    pair: {
      free: config.loginMaxAttempts,
      baseSeconds: 1,
      maxSeconds: 15 * 60,
      forgetSeconds: 24 * 3600,
    } satisfies Backoff,
    address: { windowSeconds: 15 * 60, max: config.loginMaxAttempts * 10 } satisfies Window,
  };
}

/** Check a password; throttled per (account, address) and per address (see loginLimits). */
export async function login(
  db: Db,
  config: Config,
  input: { pemdaId: number; username: string; password: string; ip: string; userAgent?: string },
): Promise<NewSession> {
  const username = input.username.trim().toLowerCase();
  const limits = loginLimits(config);
  const addressKey = `login:addr:${input.ip}`;
  const pairKey = `login:pair:${username}|${input.ip}`;
  if (Math.random() < 0.01) await pruneRateLimits(db);
  await hitRateLimit(db, input.pemdaId, addressKey, limits.address);
  try {
    await backoffAttempt(db, input.pemdaId, pairKey, limits.pair);
  } catch (err) {
    await refundRateLimit(db, input.pemdaId, addressKey, limits.address); // refused without a password check
    throw err;
  }
  const user = await findUserByUsername(db, input.pemdaId, username);
  // verify against a dummy hash when the user does not exist, so timing does not reveal it
  const ok = user
    ? await argonVerify(user.password_hash, input.password).catch(() => false)
    : await argonVerify((dummyHash ??= await hashPassword(randomBytes(16).toString('hex'))), input.password).catch(
        () => false,
      );
  if (!user || !ok || !user.active) throw new AppError(401, 'bad_credentials', 'usr.error.bad_credentials');
  await backoffReset(db, input.pemdaId, pairKey);
  await refundRateLimit(db, input.pemdaId, addressKey, limits.address);
  return createSession(db, config, input.pemdaId, username, input.userAgent);
}
let dummyHash: string | undefined;

/** The Pemda a log-in names (code or name; the numeric id only from older API clients); 400 naming `pemda`. */
export async function loginPemdaId(db: Db, ref: { pemda?: string | null; pemdaId?: number | null }): Promise<number> {
  const p = await resolveLoginPemda(db, ref);
  if (p === 'unknown') throw fieldError('pemda', 'usr.error.pemda_unknown');
  if (p === 'ambiguous') throw fieldError('pemda', 'usr.error.pemda_required');
  return p.id;
}

export async function logout(db: Db, principal: Principal, sessionId: string): Promise<void> {
  await mutate(db, principal, async (uow) => {
    await uow.trx
      .deleteFrom('usr_session')
      .where('pemda_id', '=', principal.pemdaId)
      .where('id', '=', sessionId)
      .execute();
    uow.audit({ action: 'logout', entity: 'user', entityId: principal.userId, opdId: principal.opdId });
  });
}

// compiled once: every request with a session cookie or a token parses it
const CREDENTIAL = {
  session: /^(\d{1,9})[._]([A-Za-z0-9_-]{20,100})$/,
  token: /^padu_(\d{1,9})[._]([A-Za-z0-9_-]{20,100})$/,
};
function parseCredential(token: string, kind: keyof typeof CREDENTIAL): { pemdaId: number; secret: string } | null {
  const m = CREDENTIAL[kind].exec(token);
  if (!m) return null;
  return { pemdaId: Number(m[1]), secret: m[2]! };
}

// every request with a session cookie runs this: built and compiled once (core/db/prepared.ts);
// only what a principal needs (no password hash, no dates to parse: the database says if it is live)
const sessionQuery = prepared((db, p: { pemdaId: number; id: string }) =>
  db
    .selectFrom('usr_session as s')
    .innerJoin('usr_user as u', (j) => j.onRef('u.pemda_id', '=', 's.pemda_id').onRef('u.id', '=', 's.user_id'))
    .select(['u.pemda_id', 'u.id', 'u.username', 'u.full_name', 'u.role', 'u.opd_id', 'u.region_id'])
    .select(['s.id as session_id', 's.csrf'])
    .where('s.pemda_id', '=', p.pemdaId)
    .where('s.id', '=', p.id)
    .where('u.active', '=', true)
    .where('s.expires_at', '>', sql<Date>`now()`),
);

export async function sessionAuth(db: Db, cookie: string): Promise<AuthResult | null> {
  const c = parseCredential(cookie, 'session');
  if (!c) return null;
  const row = await sessionQuery.first(db, { pemdaId: c.pemdaId, id: sha256(c.secret) });
  if (!row) return null;
  return { principal: toPrincipal(row, 'session'), sessionId: row.session_id, csrf: row.csrf };
}

export async function tokenAuth(db: Db, token: string): Promise<AuthResult | null> {
  const c = parseCredential(token, 'token');
  if (!c) return null;
  const row = await db
    .selectFrom('usr_api_token as t')
    .innerJoin('usr_user as u', (j) => j.onRef('u.pemda_id', '=', 't.pemda_id').onRef('u.id', '=', 't.user_id'))
    .selectAll('u')
    .select(['t.id as token_id', 't.last_used_at', 't.expires_at'])
    .where('t.pemda_id', '=', c.pemdaId)
    .where('t.token_hash', '=', sha256(c.secret))
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || !row.active || new Date(row.expires_at) <= new Date()) return null;
  // last use, written at most once a minute per token (a busy client costs no write per request)
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await db
      .updateTable('usr_api_token')
      .set({ last_used_at: new Date() })
      .where('pemda_id', '=', c.pemdaId)
      .where('id', '=', row.token_id)
      .execute();
  }
  return { principal: toPrincipal(row, 'token') };
}

export const TOKEN_DAYS_DEFAULT = 90;
export const TOKEN_DAYS_MAX = 365;

/** Create a bearer token for a user; the token is shown once and stored only as a hash. */
export async function createApiToken(
  db: Db,
  pemdaId: number,
  username: string,
  name: string,
  actor?: Principal,
  days: number = TOKEN_DAYS_DEFAULT,
): Promise<string> {
  const user = await findUserByUsername(db, pemdaId, username);
  if (!user) throw fieldError('username', 'usr.error.user_unknown');
  if (!user.active) throw fieldError('username', 'usr.error.user_inactive');
  if (!Number.isInteger(days) || days < 1 || days > TOKEN_DAYS_MAX)
    throw fieldError('expires_in_days', 'usr.error.token_days', { max: TOKEN_DAYS_MAX });
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  await mutate(db, actor ?? toPrincipal(user, 'cli'), async (uow) => {
    const t = await uow.trx
      .insertInto('usr_api_token')
      .values({ pemda_id: pemdaId, user_id: user.id, name, token_hash: sha256(secret), expires_at: expiresAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    uow.audit({
      action: 'create',
      entity: 'api_token',
      entityId: t.id,
      opdId: user.opd_id,
      after: { user: user.username, name, expires_at: expiresAt.toISOString() },
    });
  });
  return `padu_${pemdaId}_${secret}`;
}
