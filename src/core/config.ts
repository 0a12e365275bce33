// Environment parsed once, failing fast on bad values (Outline's rule).
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional().or(z.literal('')), // empty = not set
  PADU_DATA_DIR: z.string().default('./data'),
  PADU_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(8),
  PADU_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  PADU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PADU_LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  PADU_DEMO_SEED: z.enum(['auto', 'never']).default('auto'),
  PADU_TIMEZONE: z.string().default('Asia/Jakarta'),
  PADU_AUDIT_KEY: z.string().optional(), // Ed25519 private key file (PEM); default <data dir>/audit-ed25519.pem
  PADU_AUDIT_TRUSTED_KEYS: z.string().optional(), // comma-separated public key files (rotated-out keys)
  PADU_AUDIT_SEAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(5), // 0 = no in-process sealer
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  sessionHours: number;
  trustProxy: boolean;
  logLevel: string;
  loginMaxAttempts: number;
  demoSeed: 'auto' | 'never';
  timeZone: string;
  auditKeyFile: string | undefined;
  auditTrustedKeyFiles: string[];
  auditSealSeconds: number;
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
    trustProxy: e.PADU_TRUST_PROXY === 'true',
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
  };
}
