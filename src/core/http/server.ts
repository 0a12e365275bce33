// The HTTP server: Fastify with Zod schemas (validation + OpenAPI), security headers, cookies,
// forms, the request context (language, Pemda, principal) and the one place where each route's
// declared authorisation is enforced.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import helmet from 'helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { AppError, translateError, type FieldError } from '../errors.ts';
import { isLang, setTimeZone, zodIssueMessage, type Lang, type Translate } from '../i18n/i18n.ts';
import type { AuthProvider, RouteAuth } from '../auth/auth.ts';
import { findPemdaByCode, listPemda, type Pemda } from '../tenancy.ts';
import { antispamRoutes } from './antispam.ts';
import { refuseControlChars } from './input-guard.ts';
import { AccessLog, headersOf } from './plumbing.ts';
import { html } from './html.ts';
import { sendPage } from './layout.ts';
import type { ModuleManifest } from '../module.ts';
import { isOpdScoped } from '../roles.ts';
import { AppRegistry } from '../registry.ts';
import { can } from '../auth/policy.ts';
import { EventHub } from '../events/events.ts';
import { finishOpenApi, type RouteFacts } from './openapi.ts';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    pemda: Pemda | null;
  }
  interface FastifyInstance {
    /** Every route registered, with whether it is hidden from the OpenAPI document. */
    paduRoutes: Array<{ method: string; url: string; hidden: boolean; auth?: RouteAuth }>;
    /** This app's messages, permissions, navigation and Pemda cache (built from its manifests). */
    registry: AppRegistry;
  }
}

export const SESSION_COOKIE = 'padu_session';
export const PRE_CSRF_COOKIE = 'padu_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ServerOptions {
  config: Config;
  database: DatabaseHandle;
  modules: ModuleManifest[];
  logger?: boolean;
  /** The app's registry; built from `modules` when not given. */
  registry?: AppRegistry;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { config, database, modules } = opts;
  const db = database.db;
  const registry = opts.registry ?? new AppRegistry(modules);
  const { permissions } = registry;
  const t: Translate = registry.i18n.t;
  setTimeZone(config.timeZone);
  const app = Fastify({
    logger: opts.logger === false ? false : { level: config.logLevel },
    logController: new AccessLog(),
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 2 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('registry', registry);

  // ---- module wiring -------------------------------------------------------------------
  let auth: AuthProvider | null = null;
  for (const m of modules) {
    if (m.authProvider) auth = m.authProvider({ db, config });
  }

  // ---- plumbing ----------------------------------------------------------------------------
  // slow links in OPD offices: gzip/brotli every text response above 1 KB
  await app.register(fastifyCompress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    // brotli's default quality (11) costs far more CPU than it saves on dynamic pages
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: 20 * 1024 * 1024, files: 1, fields: 50 },
  });
  // Security headers: helmet's middleware built once (@fastify/helmet rebuilds it, parsing the CSP,
  // on every request: 4 % of a line save's CPU)
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    // the API docs page (swagger-ui) needs inline styles and its init script
    hsts: config.trustProxy ? undefined : false,
  });
  // its headers do not depend on the request: taken once from a stand-in response and set as they are
  const securityHeaderList = headersOf(securityHeaders);
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of securityHeaderList) reply.raw.setHeader(name, value);
    done();
  });

  const require = createRequire(import.meta.url);
  const htmxDir = path.dirname(require.resolve('htmx.org/dist/htmx.min.js'));
  await app.register(fastifyStatic, {
    root: [fileURLToPath(new URL('./public/', import.meta.url)), htmxDir],
    prefix: '/static/',
    maxAge: '1d',
    allowedPath: (p) => !p.includes('..'),
  });

  await app.register(fastifySwagger, {
    openapi: {
      // 3.1: Zod's JSON Schema (2020-12) maps nullable values to type unions, which 3.0 cannot express
      openapi: '3.1.0',
      info: {
        title: 'Padu API',
        description:
          'Padu — integrated e-Government platform for Indonesian regional governments. ' +
          'Authenticate with a session cookie (web) or `Authorization: Bearer <token>` (machine clients).',
        version: '0.1.0',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      servers: [{ url: '/', description: 'This Padu server (paths are relative to where it is served)' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("script-src 'self'", "script-src 'self'"),
    uiConfig: { docExpansion: 'list', deepLinking: false },
    transformSpecification: () => openApiDocument(),
  });

  // ---- every route must declare its authorisation --------------------------------------------
  const routeList: Array<{ method: string; url: string; hidden: boolean; auth?: RouteAuth }> = [];
  const routeFacts: RouteFacts[] = [];
  app.decorate('paduRoutes', routeList);
  let finished: Record<string, unknown> | undefined;
  /** The OpenAPI document, completed once (operationIds, error responses; see openapi.ts). */
  const openApiDocument = () => (finished ??= finishOpenApi(app.swagger() as Record<string, unknown>, routeFacts));
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) {
      if (m !== 'HEAD')
        routeList.push({
          method: m,
          url: route.url,
          hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide),
          auth: (route.config as { auth?: RouteAuth } | undefined)?.auth,
        });
    }
    const cfg = route.config as { auth?: RouteAuth } | undefined;
    const url = route.url;
    for (const m of [route.method].flat()) routeFacts.push({ method: m, url, public: cfg?.auth === 'public' });
    if (url.startsWith('/docs') || url.startsWith('/static')) {
      route.config = { ...(route.config ?? {}), auth: 'public' } as typeof route.config;
      return;
    }
    if (!cfg?.auth) throw new Error(`Route ${route.method} ${url} declares no config.auth`);
    if (cfg.auth !== 'public' && !permissions.has(cfg.auth.permission)) {
      throw new Error(`Route ${route.method} ${url} uses unknown permission ${cfg.auth.permission}`);
    }
  });

  // ---- request context -----------------------------------------------------------------------
  app.decorateRequest('principal', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('pemda', null);
  app.decorateRequest('lang', 'id');

  app.addHook('onRequest', async (req, reply) => {
    req.lang = pickLang(req, reply);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const sessionToken = req.cookies[SESSION_COOKIE];
    if (auth && bearer) {
      const r = await auth.fromApiToken(bearer);
      if (!r) throw new AppError(401, 'unauthorized', 'error.unauthorized');
      req.principal = registry.principal(r.principal);
    } else if (auth && sessionToken) {
      const r = await auth.fromSession(sessionToken);
      if (r) {
        req.principal = registry.principal(r.principal);
        req.sessionId = r.sessionId ?? null;
        req.csrfToken = r.csrf ?? null;
      } else {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
    }
    if (!req.csrfToken && !bearer) {
      // double-submit token for forms used before log-in (log-in, public forms)
      let pre = req.cookies[PRE_CSRF_COOKIE];
      if (!pre || !/^[A-Za-z0-9_-]{20,64}$/.test(pre)) {
        pre = randomBytes(24).toString('base64url');
        reply.setCookie(PRE_CSRF_COOKIE, pre, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: req.protocol === 'https',
        });
      }
      req.csrfToken = pre;
    }
    if (req.principal) req.pemda = (await registry.pemdas.get(db, req.principal.pemdaId)) ?? null;
    gateUpload(req);
  });

  // NUL bytes and control characters in any text of the request: a 400 naming the field
  app.addHook('preValidation', refuseControlChars);

  // Who may call the route is checked before its input is validated (a 403 never leaks what a
  // valid body would look like); the OPD scope is checked after, on the validated params.
  app.addHook('preValidation', async (req, reply) => {
    const routeAuth = req.routeOptions.config.auth;
    if (!routeAuth) return; // 404 handler
    if (UNSAFE.has(req.method) && !(routeAuth === 'public' && req.routeOptions.config.csrf === false)) checkCsrf(req);
    if (routeAuth === 'public') return;
    if (!req.principal) {
      if (wantsHtml(req) && req.method === 'GET') {
        return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
      }
      throw new AppError(401, 'unauthorized', 'error.unauthorized');
    }
    if (!can(req.principal, routeAuth.permission)) throw new AppError(403, 'forbidden', 'error.forbidden');
  });

  app.addHook('preHandler', async (req) => {
    const routeAuth = req.routeOptions.config.auth;
    if (!routeAuth || routeAuth === 'public' || !req.principal) return;
    if (routeAuth.opd && isOpdScoped(req.principal.role)) {
      const target = await routeAuth.opd(req);
      if (target === null || target === undefined || target !== req.principal.opdId) {
        // reading another OPD's data says "melihat", changing it "mengubah"
        const reading = req.method === 'GET' || req.method === 'HEAD';
        throw new AppError(403, 'forbidden', reading ? 'error.forbidden_opd_read' : 'error.forbidden_opd');
      }
    }
  });

  // ---- errors: a clear 4xx naming the field, in the user's language; never a raw 500 --------
  app.setErrorHandler((err: unknown, req, reply) => {
    const lang = req.lang ?? 'id';
    let status = 500;
    let code = 'internal';
    let message = t(lang, 'error.internal');
    let fields: FieldError[] = [];
    let details: unknown;
    if (err instanceof AppError) {
      status = err.status;
      code = err.code;
      ({ message, fields } = translateError(err, t, lang));
      details = err.details;
      const retry = (details as { retry_after?: unknown } | undefined)?.retry_after;
      if (status === 429 && typeof retry === 'number') reply.header('retry-after', String(Math.max(1, retry)));
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      status = 400;
      code = 'validation';
      message = t(lang, 'error.validation');
      const part = (err as { validationContext?: string }).validationContext ?? 'body';
      fields = err.validation.map((v) => {
        const pathParts = v.instancePath.split('/').filter(Boolean);
        const issue = {
          ...(v.params as object),
          code: v.keyword,
          path: pathParts,
          message: v.message,
        } as unknown as z.core.$ZodIssue;
        return { field: pathParts.join('.') || part, message: zodIssueMessage(t, lang, issue) };
      });
    } else if (err instanceof z.ZodError) {
      status = 400;
      code = 'validation';
      message = t(lang, 'error.validation');
      fields = err.issues.map((i) => ({ field: i.path.join('.'), message: zodIssueMessage(t, lang, i) }));
    } else if (
      typeof err === 'object' &&
      err &&
      'statusCode' in err &&
      typeof err.statusCode === 'number' &&
      err.statusCode < 500
    ) {
      status = err.statusCode;
      code = (err as { code?: string }).code ?? 'bad_request';
      message = status === 413 ? t(lang, 'error.body_too_large') : String((err as unknown as Error).message);
    } else if (isPgError(err)) {
      const mapped = mapPgError(t, lang, err);
      status = mapped.status;
      code = mapped.code;
      message = mapped.message;
      fields = mapped.fields;
    }
    if (status >= 500) req.log.error({ err }, 'unhandled error');
    if (wantsHtml(req)) {
      const body = html`<p class="error">${message}</p>${fields.length ? html`<ul class="errors">${fields.map((f) => html`<li><b>${f.field}</b>: ${f.message}</li>`)}</ul>` : ''}<p><a href="/">${t(lang, 'nav.home')}</a></p>`;
      return sendPage(req, reply, { title: `${status}`, body, status });
    }
    return reply.code(status).send({ error: code, message, fields, ...(details === undefined ? {} : { details }) });
  });

  app.setNotFoundHandler((req, reply) => {
    const message = t(req.lang ?? 'id', 'error.not_found');
    if (wantsHtml(req)) return sendPage(req, reply, { title: '404', body: html`<p>${message}</p>`, status: 404 });
    return reply.code(404).send({ error: 'not_found', message, fields: [] });
  });

  // one LISTEN per process for the live pages (closed with the server)
  const events = new EventHub(database);
  // before the server closes: end the live streams (they would hold it open)
  app.addHook('preClose', async () => events.close());

  // ---- core routes ------------------------------------------------------------------------------
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['core'],
        summary: 'Liveness and database check',
        response: {
          200: z.object({
            status: z.literal('ok'),
            database: z.enum(['pglite', 'postgresql']),
            version: z.string(),
            time: z.string(),
          }),
        },
      },
    },
    async () => {
      await db.selectFrom('core_pemda').select('id').limit(1).execute();
      return { status: 'ok' as const, database: database.kind, version: '0.1.0', time: new Date().toISOString() };
    },
  );
  await antispamRoutes(app, db, async (code) => {
    const p = code
      ? await findPemdaByCode(db, code)
      : (await listPemda(db)).length === 1
        ? (await listPemda(db))[0]
        : undefined;
    if (!p || !p.active) throw new AppError(404, 'not_found', 'error.not_found');
    return p.id;
  });
  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => openApiDocument());

  for (const m of modules) {
    if (m.routes) await app.register(async (scope) => m.routes!(scope, { db, config, events, modules }));
  }
  return app;
}

/**
 * Fastify (5.12+) treats a bare hop count as "trust nothing"; Padu's PADU_TRUST_PROXY=N means the N
 * nearest hops (the socket peer and the proxies in front of it) are Padu's own proxies, so the
 * client is the address N entries from the right of X-Forwarded-For — what a client writes further
 * left is ignored. (Only right when Padu is reachable through those proxies alone; otherwise list
 * the proxies' addresses/CIDRs.)
 */
export function fastifyTrustProxy(
  tp: Config['trustProxy'],
): boolean | string[] | ((addr: string, i: number) => boolean) {
  return typeof tp === 'number' ? (_addr: string, i: number) => i < tp : tp;
}

/**
 * Multipart bodies are parsed (and their files buffered) before the preValidation hooks run, so
 * who may upload is decided here, before the body is read: anonymous callers of a non-public route
 * get their 401 (and callers without the route's permission their 403) without sending the file; a
 * public route takes uploads only if it declares its own limits (config.multipartOptions), and a
 * body declared larger than them is refused at once.
 */
function gateUpload(req: FastifyRequest): void {
  if (!req.headers['content-type']?.toLowerCase().startsWith('multipart/')) return;
  const cfg = req.routeOptions.config as { auth?: RouteAuth; multipartOptions?: { limits?: { fileSize?: number } } };
  if (!cfg.auth) return;
  if (cfg.auth !== 'public') {
    if (!req.principal) throw new AppError(401, 'unauthorized', 'error.unauthorized');
    if (!can(req.principal, cfg.auth.permission)) throw new AppError(403, 'forbidden', 'error.forbidden');
    return;
  }
  const fileSize = cfg.multipartOptions?.limits?.fileSize;
  if (!fileSize) throw new AppError(415, 'unsupported_media_type', 'error.validation');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > fileSize + 64 * 1024)
    throw new AppError(413, 'body_too_large', 'error.body_too_large');
}

function pickLang(req: FastifyRequest, reply: FastifyReply): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(q)) {
    reply.setCookie('lang', q, { path: '/', sameSite: 'lax', maxAge: 365 * 86400 });
    return q;
  }
  const c = req.cookies?.lang;
  if (isLang(c)) return c;
  const al = req.headers['accept-language'];
  // API clients may ask for English; a browser (a page, or htmx fetching a fragment of one) keeps the page's language
  const browser = req.headers.accept?.includes('text/html') || req.headers['hx-request'] === 'true';
  if (typeof al === 'string' && /^en\b/i.test(al) && !browser) return 'en';
  return 'id';
}

export function wantsHtml(req: FastifyRequest): boolean {
  if (req.url.startsWith('/api/')) return false;
  return (req.headers.accept ?? '').includes('text/html') || req.headers['hx-request'] === 'true';
}

function checkCsrf(req: FastifyRequest): void {
  const viaBearer = /^Bearer\s/i.test(req.headers.authorization ?? '');
  if (viaBearer) return;
  const ct = req.headers['content-type'] ?? '';
  const isForm = ct.startsWith('application/x-www-form-urlencoded') || ct.startsWith('multipart/form-data');
  // A session cookie confers authority: every unsafe request with one must carry its token.
  // Without a session, only browser forms (which a foreign site could post) need the pre-token.
  if (!req.sessionId && !isForm) return;
  const sent =
    (req.headers['x-csrf-token'] as string | undefined) ??
    ((req.body as Record<string, unknown> | undefined)?._csrf as string | undefined);
  const expected = req.csrfToken;
  if (!sent || !expected || !safeEqual(String(sent), expected)) {
    throw new AppError(403, 'csrf', 'error.csrf');
  }
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

interface PgError {
  code: string;
  constraint?: string;
  detail?: string;
  column?: string;
}

function isPgError(err: unknown): err is PgError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as PgError).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((err as PgError).code)
  );
}

/** Constraint violations that slipped past validation are still the user's 4xx, not a 500. */
function mapPgError(
  t: Translate,
  lang: Lang,
  err: PgError,
): { status: number; code: string; message: string; fields: FieldError[] } {
  const field =
    err.column ??
    /\(([^)]+)\)=/
      .exec(err.detail ?? '')?.[1]
      ?.split(', ')
      .pop() ??
    err.constraint ??
    '';
  switch (err.code) {
    case '23505':
      return {
        status: 409,
        code: 'duplicate',
        message: t(lang, 'error.duplicate', { field }),
        fields: [{ field, message: t(lang, 'error.duplicate', { field }) }],
      };
    case '23503':
      return {
        status: 400,
        code: 'reference',
        message: t(lang, 'error.reference', { field }),
        fields: [{ field, message: t(lang, 'error.reference', { field }) }],
      };
    case '22021': // a character not in the encoding (NUL in text), should validation miss one
    case '22P05':
    case '23502':
    case '23514':
    case '22001':
    case '22P02':
    case '22003':
      return {
        status: 400,
        code: 'validation',
        message: t(lang, 'error.validation'),
        fields: [{ field, message: t(lang, 'error.validation') }],
      };
    case '40001':
    case '40P01':
      return { status: 409, code: 'conflict', message: t(lang, 'error.conflict'), fields: [] };
    default:
      return { status: 500, code: 'internal', message: t(lang, 'error.internal'), fields: [] };
  }
}
