// Demo data only where it belongs (issue #10 finding 5): `serve` seeds the demo (and its published
// password) only in a checkout's default data folder; elsewhere, and always with DATABASE_URL, it
// refuses and says how to create the first admin; the log-in page shows the password only on a demo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { checkoutRoot, demoSeedPolicy } from '../core/seed.ts';
import { freePort } from '../testing/processes.ts';
import { testApp } from '../testing/harness.ts';
import { DEMO_PASSWORD } from '../core/seed.ts';

const bin = new URL('../../bin/padu.mjs', import.meta.url).pathname;
const cfg = (env: Record<string, string>) => loadConfig(env as NodeJS.ProcessEnv);

test("demoSeedPolicy: a checkout's default data folder only; never with DATABASE_URL", () => {
  const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-co-'));
  try {
    fs.mkdirSync(path.join(checkout, '.git'));
    fs.writeFileSync(path.join(checkout, 'package.json'), '{}');
    const inCheckout = (env: Record<string, string>) => demoSeedPolicy(cfg(env), checkout);
    assert.equal(inCheckout({ PADU_DATA_DIR: path.join(checkout, 'data') }), 'seed');
    assert.equal(inCheckout({ PADU_DATA_DIR: '/var/lib/padu' }), 'refuse');
    assert.equal(
      inCheckout({ PADU_DATA_DIR: path.join(checkout, 'data'), DATABASE_URL: 'postgres://u@h/db' }),
      'refuse',
    );
    assert.equal(inCheckout({ PADU_DATA_DIR: path.join(checkout, 'data'), PADU_DEMO_SEED: 'never' }), 'refuse');
    // an installed copy (no .git) never seeds the demo
    fs.rmSync(path.join(checkout, '.git'), { recursive: true });
    assert.equal(inCheckout({ PADU_DATA_DIR: path.join(checkout, 'data') }), 'refuse');
  } finally {
    fs.rmSync(checkout, { recursive: true, force: true });
  }
  assert.equal(
    demoSeedPolicy(cfg({ PADU_DATA_DIR: path.join(checkoutRoot, 'data') })),
    fs.existsSync(path.join(checkoutRoot, '.git')) ? 'seed' : 'refuse',
  );
});

/** Start `padu serve`, wait until it serves (or exits), then stop it; its standard error. */
async function serveOnce(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: {
      ...process.env,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      PADU_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c) => (err += String(c)));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 180_000);
    child.stderr.on('data', () => {
      if (/Padu is serving/.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  return err;
}

test('serve on an empty data folder outside the checkout seeds nothing and says how to start', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-serve-'));
  try {
    const err = await serveOnce({ PADU_DATA_DIR: dir, DATABASE_URL: '' });
    assert.match(err, /Padu is serving/, err);
    assert.match(err, /padu user add --pemda/);
    assert.doesNotMatch(err, new RegExp(DEMO_PASSWORD));
    const h = await openDatabase({ kind: 'pglite', dataDir: dir });
    const n = await h.db.selectFrom('core_pemda').select('id').execute();
    await h.close();
    assert.equal(n.length, 0, 'no demo Pemda');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'serve with DATABASE_URL on an empty database refuses to seed the demo',
  { skip: !process.env.TEST_DATABASE_URL && 'PostgreSQL only (TEST_DATABASE_URL)' },
  async () => {
    const base = process.env.TEST_DATABASE_URL!;
    const name = `padu_empty_${process.pid}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    try {
      const err = await serveOnce({ DATABASE_URL: u.toString() });
      assert.match(err, /padu user add --pemda/);
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      const r = await c.query('SELECT count(*)::int AS n FROM core_pemda');
      await c.end();
      assert.equal(r.rows[0].n, 0);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  },
);

test('the log-in page shows the demo password only on a demo deployment', async () => {
  const t = await testApp(); // demo data, but PADU_DEMO_SEED=never: not a demo deployment
  try {
    const page = await t.server.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes(DEMO_PASSWORD), 'no password on a non-demo log-in page');
  } finally {
    await t.close();
  }
});
