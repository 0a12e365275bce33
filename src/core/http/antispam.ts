// Anti-spam for public (anonymous) forms, with no third-party service and no JavaScript:
//  - limits per client address and per Pemda (global), counted in an onRequest hook — before the
//    body is read, so a flood of large posts costs no memory;
//  - a honeypot field a person leaves empty (it is labelled so, and hidden from sight by CSS);
//  - an arithmetic question ("Berapa tujuh ditambah dua?") whose answer is checked against a
//    signed, expiring, single-use token (HMAC with a per-Pemda secret kept in the database, so every
//    process checks the same tokens).
// Used by the citizens' Musrenbang form and the command-center public report form:
//   route config  onRequest: antispamGate(db, 'pln.usul', limits, pemdaIdOf)
//   form          ${await antispamFields(db, req, pemdaId, 'pln.usul')}
//   handler       await checkAntispam(db, pemdaId, 'pln.usul', body)   (400 on `challenge`)
//   JSON API      GET /api/v1/public/challenge?form=…  → { question, token }; post challenge_token/_answer
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { fieldError, tooMany } from '../errors.ts';
import type { Lang } from '../i18n/i18n.ts';
import { tr } from './layout.ts';
import { html, type Html } from './html.ts';
import { hitRateLimit, type Window } from './rate-limit.ts';

export const HONEYPOT_FIELD = 'padu_hp';
export const CHALLENGE_TOKEN = 'challenge_token';
export const CHALLENGE_ANSWER = 'challenge_answer';
const TOKEN_TTL_SECONDS = 2 * 3600;

const WORDS: Record<Lang, string[]> = {
  id: ['nol', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
};

export interface AntispamLimits {
  /** Posts per client address (req.ip: see PADU_TRUST_PROXY). */
  perAddress: Window;
  /** Posts per Pemda from all addresses together: a circuit breaker against distributed floods. */
  global: Window;
  /** Message of the 429 (i18n key). */
  messageKey?: string;
}

// ---- per-Pemda secret -------------------------------------------------------------------------------
const secrets = new Map<number, Buffer>();

async function secretOf(db: Db, pemdaId: number): Promise<Buffer> {
  const cached = secrets.get(pemdaId);
  if (cached) return cached;
  await sql`INSERT INTO core_secret (pemda_id, name, value) VALUES (${pemdaId}, 'antispam', ${randomBytes(32).toString('base64')})
    ON CONFLICT (pemda_id, name) DO NOTHING`.execute(db);
  const r = await sql<{
    value: string;
  }>`SELECT value FROM core_secret WHERE pemda_id = ${pemdaId} AND name = 'antispam'`.execute(db);
  const key = Buffer.from(r.rows[0]!.value, 'base64');
  secrets.set(pemdaId, key);
  return key;
}

const mac = (key: Buffer, s: string) => createHmac('sha256', key).update(s).digest();

interface Challenge {
  pemdaId: number;
  form: string;
  issued: number;
  nonce: string;
  a: number;
  b: number;
}

function operands(key: Buffer, form: string, issued: number, nonce: string): { a: number; b: number } {
  const d = mac(key, `q|${form}|${issued}|${nonce}`);
  return { a: 1 + (d[0]! % 9), b: 1 + (d[1]! % 9) };
}

/** A new challenge for a form: the token to post back and its two operands. */
export async function newChallenge(
  db: Db,
  pemdaId: number,
  form: string,
  nowMs = Date.now(),
): Promise<Challenge & { token: string }> {
  const key = await secretOf(db, pemdaId);
  const issued = Math.floor(nowMs / 1000);
  const nonce = randomBytes(12).toString('base64url');
  const sig = mac(key, `t|${pemdaId}|${form}|${issued}|${nonce}`).subarray(0, 16).toString('base64url');
  return {
    pemdaId,
    form,
    issued,
    nonce,
    ...operands(key, form, issued, nonce),
    token: `${pemdaId}.${issued}.${nonce}.${sig}`,
  };
}

async function readToken(
  db: Db,
  pemdaId: number,
  form: string,
  token: unknown,
  nowMs: number,
): Promise<Challenge | null> {
  if (typeof token !== 'string') return null;
  const m = /^(\d{1,9})\.(\d{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m || Number(m[1]) !== pemdaId) return null;
  const issued = Number(m[2]);
  const nonce = m[3]!;
  const key = await secretOf(db, pemdaId);
  const want = mac(key, `t|${pemdaId}|${form}|${issued}|${nonce}`).subarray(0, 16);
  const got = Buffer.from(m[4]!, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  const age = nowMs / 1000 - issued;
  if (age < 0 || age > TOKEN_TTL_SECONDS) return null;
  return { pemdaId, form, issued, nonce, ...operands(key, form, issued, nonce) };
}

/** The question of a challenge in the request's language (numbers as words: not a bare "3 + 4"). */
export function challengeQuestion(req: FastifyRequest, c: { a: number; b: number }): string {
  const lang: Lang = req.lang === 'en' ? 'en' : 'id';
  return tr(req, 'core.antispam.question', { a: WORDS[lang][c.a]!, b: WORDS[lang][c.b]! });
}

/** The hidden honeypot and the question, to put inside a public form. */
export async function antispamFields(
  db: Db,
  req: FastifyRequest,
  pemdaId: number,
  form: string,
  error?: string,
): Promise<Html> {
  const c = await newChallenge(db, pemdaId, form);
  return html`<div class="hp" aria-hidden="true"><label>${tr(req, 'core.antispam.honeypot')}<input name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></label></div>
<input type="hidden" name="${CHALLENGE_TOKEN}" value="${c.token}">
<label>${challengeQuestion(req, c)}<input name="${CHALLENGE_ANSWER}" inputmode="numeric" autocomplete="off" required size="4" aria-describedby="challenge-error">${error ? html`<span class="field-error" id="challenge-error">${error}</span>` : ''}</label>`;
}

/**
 * Check a public form's post: honeypot empty, the challenge answered right, its token genuine,
 * fresh and not used before. Throws a 400 on the field `challenge` otherwise (a filled honeypot
 * gets the same answer as a wrong sum: a bot learns nothing).
 */
export async function checkAntispam(
  db: Db,
  pemdaId: number,
  form: string,
  body: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<void> {
  const wrong = () => fieldError('challenge', 'core.antispam.wrong');
  const hp = body[HONEYPOT_FIELD];
  if (hp !== undefined && hp !== null && String(hp) !== '') throw wrong();
  const c = await readToken(db, pemdaId, form, body[CHALLENGE_TOKEN], nowMs);
  if (!c) throw wrong();
  const answer = String(body[CHALLENGE_ANSWER] ?? '').trim();
  if (!/^\d{1,3}$/.test(answer) || Number(answer) !== c.a + c.b) throw wrong();
  // single use: the nonce is recorded (as a rate-limit row that outlives the token)
  const used = await sql<{ hits: number }>`
    INSERT INTO core_rate_limit (pemda_id, key, window_start, hits)
    VALUES (${pemdaId}, ${`antispam:nonce:${c.nonce}`}, ${new Date(c.issued * 1000).toISOString()}, 1)
    ON CONFLICT (pemda_id, key, window_start) DO NOTHING RETURNING hits`.execute(db);
  if (!used.rows.length) throw wrong();
}

/** Remove the anti-spam fields from a form body before it is validated as the form's data. */
export function withoutAntispam<T extends Record<string, unknown>>(body: T): T {
  const { [HONEYPOT_FIELD]: _h, [CHALLENGE_TOKEN]: _t, [CHALLENGE_ANSWER]: _a, ...rest } = body;
  return rest as T;
}

/** For tests and machine clients that hold the server's database: the answer of a token. */
export async function challengeAnswer(db: Db, token: string): Promise<string> {
  const [pemdaId] = token.split('.');
  for (const form of knownForms) {
    const c = await readToken(db, Number(pemdaId), form, token, Date.now());
    if (c) return String(c.a + c.b);
  }
  throw new Error('unknown challenge token');
}
const knownForms = new Set<string>();

/**
 * Route-level onRequest hook: counts the post against the address and the Pemda before the body
 * is read (429 with Retry-After past either limit). `pemdaIdOf` reads the Pemda from the URL.
 */
export function antispamGate(
  db: Db,
  form: string,
  limits: AntispamLimits,
  pemdaIdOf: (req: FastifyRequest) => Promise<number>,
): onRequestHookHandler {
  knownForms.add(form);
  return async (req) => {
    if (req.method !== 'POST') return;
    const pemdaId = await pemdaIdOf(req);
    const key = limits.messageKey ?? 'error.rate_limited';
    const rethrow = (err: unknown) => {
      const retry = (err as { details?: { retry_after?: number } }).details?.retry_after;
      throw tooMany(key, retry);
    };
    await hitRateLimit(db, pemdaId, `${form}:addr:${req.ip}`, limits.perAddress).catch(rethrow);
    await hitRateLimit(db, pemdaId, `${form}:all`, limits.global).catch(rethrow);
  };
}

/** Register a form name (for the challenge endpoint) without a gate. */
export function registerAntispamForm(form: string): void {
  knownForms.add(form);
}

/** Forms with a challenge (the JSON API hands out challenges for these only). */
export function isAntispamForm(form: string): boolean {
  return knownForms.has(form);
}

/** GET /api/v1/public/challenge?form=…&pemda=…: a challenge for machine clients of a public form. */
export async function antispamRoutes(
  app: FastifyInstance,
  db: Db,
  pemdaIdOf: (code: string | undefined) => Promise<number>,
): Promise<void> {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/api/v1/public/challenge',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['core'],
        summary: 'A security question for a public form; post its token and answer as challenge_token/challenge_answer',
        querystring: z.object({ form: z.string().max(40), pemda: z.string().max(10).optional() }),
        response: {
          200: z.object({ question: z.string(), token: z.string(), expires_in: z.number() }),
        },
      },
    },
    async (req) => {
      if (!isAntispamForm(req.query.form)) throw fieldError('form', 'error.not_found');
      const c = await newChallenge(db, await pemdaIdOf(req.query.pemda), req.query.form);
      return { question: challengeQuestion(req, c), token: c.token, expires_in: TOKEN_TTL_SECONDS };
    },
  );
}
