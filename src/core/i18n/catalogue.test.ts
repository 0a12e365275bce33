// The message catalogue of the app: every key is defined once (the registry refuses duplicates),
// has an Indonesian sentence, the same placeholders in both languages, and every message key the
// code names literally (errors, labels, field messages) resolves — so no user ever reads a key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allModules } from '../../app.ts';
import { AppRegistry } from '../registry.ts';
import { AppError, translateError } from '../errors.ts';

const registry = new AppRegistry(allModules);
const { i18n } = registry;
const src = fileURLToPath(new URL('../../', import.meta.url));

test('every key has an Indonesian sentence and the same placeholders in English', () => {
  const problems: string[] = [];
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of i18n.keys()) {
    const id = i18n.template('id', key);
    const en = i18n.template('en', key);
    if (!id?.trim()) problems.push(`${key}: no Indonesian text (${i18n.moduleOf(key)})`);
    if (id && en && placeholders(id).join() !== placeholders(en).join())
      problems.push(`${key}: placeholders differ: {${placeholders(id)}} vs {${placeholders(en)}}`);
  }
  assert.deepEqual(problems, []);
  assert.ok(i18n.keys().length > 500);
});

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !p.includes(`${path.sep}testing${path.sep}`)
      ? [p]
      : [];
  });
}

/** Dotted identifiers that are not message keys: an anti-spam form id and a live-event channel. */
const NOT_MESSAGES = new Set(['pln.usul', 'cc.ops']);

test('every message key named in the code resolves to a sentence', () => {
  // namespaces of message keys ("bud", "error", "common", …); a literal in one that is no key is a leak
  const namespaces = new Set(i18n.keys().map((k) => k.split('.')[0]!));
  const permissions = new Set(registry.permissions.list());
  const unresolved: string[] = [];
  for (const file of sourceFiles(src)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(['"`])([a-z][a-z_]*(?:\.[a-z0-9_]+)+)\1/g)) {
      const key = m[2]!;
      if (!namespaces.has(key.split('.')[0]!) || permissions.has(key) || i18n.has(key)) continue;
      if (NOT_MESSAGES.has(key)) continue;
      if (/\.(ts|js|mjs|json|csv|xlsx|pdf|sql|css|html|sh)$/.test(key)) continue; // file names
      if (/enumLabel:\s*$/.test(text.slice(Math.max(0, m.index! - 20), m.index))) continue; // a prefix: `${label}.${value}`
      const line = text.slice(0, m.index).split('\n').length;
      unresolved.push(`${path.relative(src, file)}:${line} ${key}`);
    }
  }
  assert.deepEqual(unresolved, []);
});

test('an error is translated for the API and the CLI: message and field messages are sentences', () => {
  const err = new AppError(409, 'duplicate', 'usr.error.username_taken', {}, [
    { field: 'username', message: 'usr.error.username_taken' },
  ]);
  for (const lang of ['id', 'en'] as const) {
    const e = translateError(err, i18n.t, lang);
    assert.ok(/\s/.test(e.message) && !e.message.includes('usr.error'), e.message);
    assert.ok(/\s/.test(e.fields[0]!.message), e.fields[0]!.message);
  }
});
