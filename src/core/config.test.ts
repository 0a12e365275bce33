// Every environment variable Padu reads is documented in the README's table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

test('the README lists every environment variable of config.ts', () => {
  const config = fs.readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const vars = [...config.matchAll(/^\s+([A-Z][A-Z0-9_]+): z\./gm)].map((m) => m[1]!);
  assert.ok(vars.includes('PADU_LOG_LEVEL') && vars.length >= 10);
  assert.deepEqual(
    vars.filter((v) => !readme.includes(`| \`${v}\` |`)),
    [],
  );
});
