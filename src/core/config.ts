// Environment parsed once, failing fast on bad values (Outline's rule).
import { z } from 'zod';

/**
 * A whole-number environment variable: digits only ("8"). Unset means the default; "", "abc",
 * "0x10", "1e3", " 7" and out-of-range values stop the start-up with an error naming the variable
 * (z.coerce.number() read "" as 0 and "0x10" as 16: core/number.ts).
 */
export function envInt(min: number, max: number, fallback: number) {
  return z
    .string({ error: 'must be a whole number (digits only)' })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      if (!/^\d{1,15}$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number (digits only), got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${v}` });
        return z.NEVER;
      }
      return n;
    });
}

const schema = z.object({
  PORT: envInt(1, 65535, 3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional().or(z.literal('')), // empty = not set
  PADU_DATA_DIR: z.string().default('./data'),
  PADU_SESSION_HOURS: envInt(1, 24 * 30, 8),
  // `true`/`false`, a number of trusted proxy hops, or a comma-separated list of proxy addresses/CIDRs
  PADU_TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .refine((v) => parseTrustProxy(v) !== undefined, {
      message:
        'PADU_TRUST_PROXY: use false, true, a number of proxy hops (1) or proxy addresses/CIDRs (10.0.0.0/8,::1)',
    }),
  PADU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PADU_LOGIN_MAX_ATTEMPTS: envInt(1, 1_000_000, 10),
  PADU_DEMO_SEED: z.enum(['auto', 'never']).default('auto'),
  PADU_TIMEZONE: z.string().default('Asia/Jakarta'),
  PADU_AUDIT_KEY: z.string().optional(), // Ed25519 private key file (PEM); default <data dir>/audit-ed25519.pem
  PADU_AUDIT_TRUSTED_KEYS: z.string().optional(), // comma-separated public key files (rotated-out keys)
  PADU_AUDIT_SEAL_SECONDS: envInt(0, 3600, 5), // 0 = no in-process sealer
  // PostgreSQL connections per process: few, so that waiting happens in the pool's FIFO queue rather
  // than among row locks in the database (docs/benchmarks.md: 5 vs 10 vs 20 under the rush)
  PADU_DB_POOL: envInt(1, 200, 5),
  PADU_WORKERS: envInt(1, 64, 1), // `padu serve` processes sharing the port (PostgreSQL only)
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  sessionHours: number;
  /** Fastify's trustProxy: false, true (any hop, legacy), a hop count, or the proxies' addresses/CIDRs. */
  trustProxy: TrustProxy;
  logLevel: string;
  loginMaxAttempts: number;
  demoSeed: 'auto' | 'never';
  timeZone: string;
  auditKeyFile: string | undefined;
  auditTrustedKeyFiles: string[];
  auditSealSeconds: number;
  /** PostgreSQL connections per process (PADU_DB_POOL). */
  dbPool: number;
  /** Server processes of `padu serve` (node:cluster, one port); more than 1 needs PostgreSQL. */
  workers: number;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: e.PADU_DATA_DIR,
    sessionHours: e.PADU_SESSION_HOURS,
    trustProxy: parseTrustProxy(e.PADU_TRUST_PROXY)!,
    logLevel: e.PADU_LOG_LEVEL,
    loginMaxAttempts: e.PADU_LOGIN_MAX_ATTEMPTS,
    demoSeed: e.PADU_DEMO_SEED,
    timeZone: e.PADU_TIMEZONE,
    auditKeyFile: e.PADU_AUDIT_KEY || undefined,
    auditTrustedKeyFiles: (e.PADU_AUDIT_TRUSTED_KEYS ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
    auditSealSeconds: e.PADU_AUDIT_SEAL_SECONDS,
    dbPool: e.PADU_DB_POOL,
    workers: e.PADU_WORKERS,
  };
}

export type TrustProxy = boolean | number | string[];

const CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)(?:\/\d{1,3})?$/i;

/**
 * `false` — ignore X-Forwarded-For (the socket address is the client);
 * `true` — trust every hop (the LEFTMOST address, which the client can forge: only for a proxy that
 * overwrites the header); `N` — trust the N nearest hops; `a,b/nn` — trust only these proxies.
 */
export function parseTrustProxy(v: string): TrustProxy | undefined {
  if (v === 'false' || v === '' || v === '0') return false;
  if (v === 'true') return true;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const parts = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return parts.length && parts.every((x) => CIDR.test(x)) ? parts : undefined;
}
