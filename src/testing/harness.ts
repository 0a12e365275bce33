// Test harness. Each test file gets its own database cloned from a migrated, demo-seeded template
// built once per source version: a PGlite data-folder tarball (default) or a PostgreSQL template
// database (when TEST_DATABASE_URL is set). Cloning costs a fraction of an initdb + seed.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../core/config.ts';
import { openDatabase, type DatabaseHandle } from '../core/db/database.ts';

import { seedDemo } from '../core/seed.ts';
import { allModules as modules, createApp, migrateAll, type App } from '../app.ts';
import { createApiToken, createSession } from '../modules/users/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = path.join(root, '.test-cache');

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** A hash of every source file that shapes the template (migrations, seeds, code). */
function sourceVersion(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.test.ts')) h.update(p).update(fs.readFileSync(p));
    }
  };
  walk(path.join(root, 'src'));
  return h.digest('hex').slice(0, 16);
}

async function buildTemplate(handle: DatabaseHandle): Promise<void> {
  await migrateAll(handle);
  await seedDemo(handle.db, modules);
}

/** A fresh in-memory PGlite database from the demo template. */
export async function pgliteClone(): Promise<DatabaseHandle> {
  const file = path.join(cacheDir, `pglite-${sourceVersion()}.tar`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const h = await openDatabase({ kind: 'pglite', dataDir: null });
    await buildTemplate(h);
    const blob = await h.dump!();
    await h.close();
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    fs.renameSync(tmp, file);
    for (const old of fs.readdirSync(cacheDir))
      if (old.startsWith('pglite-') && path.join(cacheDir, old) !== file)
        fs.rmSync(path.join(cacheDir, old), { force: true });
  }
  const blob = new Blob([fs.readFileSync(file)]);
  return openDatabase({ kind: 'pglite', dataDir: null, loadDataDir: blob });
}

function withDb(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh PostgreSQL database cloned from the demo template (TEST_DATABASE_URL must be set). */
export async function postgresClone(): Promise<{ handle: DatabaseHandle; url: string; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL!;
  const tpl = `padu_tpl_${sourceVersion()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(424242)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [tpl]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${tpl}_building`);
      const h = await openDatabase({ kind: 'postgresql', url: withDb(base, `${tpl}_building`) });
      await buildTemplate(h);
      await h.close();
      await admin.query(`ALTER DATABASE ${tpl}_building RENAME TO ${tpl}`);
    }
    await admin.query('SELECT pg_advisory_unlock(424242)');
    const name = `padu_t_${process.pid}_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${tpl}`);
    const handle = await openDatabase({ kind: 'postgresql', url: withDb(base, name), poolSize: 20 });
    return {
      handle,
      url: withDb(base, name),
      drop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        // pg's Pool.end() resolves before its clients' connections are closed; a FORCE drop that
        // kills a client still closing makes it emit an unhandled 'error'. Wait for them first.
        for (let i = 0; i < 50; i++) {
          const { rows } = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0].n === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  } finally {
    await admin.end();
  }
}

export interface TestContext {
  app: App;
  server: FastifyInstance;
  handle: DatabaseHandle;
  db: DatabaseHandle['db'];
  config: Config;
  /** The demo Pemda's id. */
  pemdaId: number;
  /** PostgreSQL runs only: the URL of this test's database (for a second server process). */
  databaseUrl?: string;
  /** Authorization headers of a demo user (bearer API token). */
  as(username: string): Promise<Record<string, string>>;
  /** Cookie + CSRF headers of a browser session of a demo user. */
  session(username: string): Promise<{ headers: Record<string, string>; csrf: string }>;
  close(): Promise<void>;
}

/** A fresh demo database and an app on it (`env`: extra configuration). Call close() in after(). */
export async function testApp(env: Record<string, string> = {}): Promise<TestContext> {
  let handle: DatabaseHandle;
  let drop = async () => {};
  let databaseUrl: string | undefined;
  if (usingPostgres) ({ handle, drop, url: databaseUrl } = await postgresClone());
  else handle = await pgliteClone();
  // no background audit sealer: tests seal when they mean to (verify seals first)
  const config = loadConfig({
    PADU_LOG_LEVEL: 'silent',
    PADU_DEMO_SEED: 'never',
    PADU_AUDIT_SEAL_SECONDS: '0',
    ...env,
  } as NodeJS.ProcessEnv);
  const app = await createApp({ config, database: handle, logger: false });
  const pemda = await handle.db
    .selectFrom('core_pemda')
    .select('id')
    .where('code', '=', '99.01')
    .executeTakeFirstOrThrow();
  const tokens = new Map<string, string>();
  return {
    app,
    server: app.server,
    handle,
    db: handle.db,
    config,
    pemdaId: pemda.id,
    databaseUrl,
    async as(username) {
      let tok = tokens.get(username);
      if (!tok) {
        tok = await createApiToken(handle.db, pemda.id, username, 'test');
        tokens.set(username, tok);
      }
      return { authorization: `Bearer ${tok}` };
    },
    async session(username) {
      const s = await createSession(handle.db, config, pemda.id, username);
      return { headers: { cookie: `padu_session=${s.cookie}`, 'x-csrf-token': s.csrf }, csrf: s.csrf };
    },
    async close() {
      await app.close();
      await handle.close();
      await drop();
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies loosely
export function json<T = any>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}

/** A multipart/form-data body with text fields and one file field named "file" (upload tests). */
export function multipartBody(
  fields: Record<string, string>,
  file: { content: Buffer; filename: string; type: string },
): { payload: Buffer; contentType: string } {
  const boundary = `----padu${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
