// Every environment variable Padu reads is documented in the README's table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { loadConfig } from './config.ts';

test('the README lists every environment variable of config.ts', () => {
  const config = fs.readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const vars = [...config.matchAll(/^\s+([A-Z][A-Z0-9_]+): (?:z\.|envInt\()/gm)].map((m) => m[1]!);
  assert.ok(vars.includes('PADU_LOG_LEVEL') && vars.length >= 10);
  assert.deepEqual(
    vars.filter((v) => !readme.includes(`| \`${v}\` |`)),
    [],
  );
});

test('an integer environment variable is digits only: "", "abc", "0x10", "1e3", " 7 ", "-1" stop the start-up naming it', () => {
  const load = (env: Record<string, string>) => loadConfig(env as NodeJS.ProcessEnv);
  // unset = the default; digits are read
  assert.equal(load({}).port, 3000);
  assert.equal(load({}).auditSealSeconds, 5);
  assert.equal(load({ PORT: '8080', PADU_SESSION_HOURS: '12', PADU_AUDIT_SEAL_SECONDS: '0' }).port, 8080);
  assert.equal(load({ PADU_SESSION_HOURS: '12' }).sessionHours, 12);
  assert.equal(load({ PADU_AUDIT_SEAL_SECONDS: '0' }).auditSealSeconds, 0);
  assert.equal(load({}).workers, 1);
  assert.equal(load({ PADU_WORKERS: '4' }).workers, 4);
  for (const name of ['PORT', 'PADU_SESSION_HOURS', 'PADU_LOGIN_MAX_ATTEMPTS', 'PADU_AUDIT_SEAL_SECONDS'])
    for (const bad of ['', 'abc', '0x10', '1e3', ' 7 ', '-1', '7.5'])
      assert.throws(
        () => load({ [name]: bad }),
        (e: Error) => e.message.includes(`${name}:`) && /whole number|between/.test(e.message),
        `${name}=${JSON.stringify(bad)}`,
      );
  // out of range
  assert.throws(() => load({ PORT: '70000' }), /PORT: must be between 1 and 65535/);
  assert.throws(() => load({ PADU_AUDIT_SEAL_SECONDS: '3601' }), /PADU_AUDIT_SEAL_SECONDS: must be between 0 and 3600/);
});
