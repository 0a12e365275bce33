// "No role name in a service": services authorise with core's requirePermission/can on permissions
// declared in the manifests; role names appear only in those declarations (and core). This test reads
// every *.service.ts of every module and fails on a role used as a role there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PUBLIC_ROLE, ROLES } from '../core/roles.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

// Role names that are also domain words (Musrenbang/Pokir stages, regions, proposal sources) count
// only on a line that speaks of roles; the others count anywhere.
const DOMAIN_WORDS = new Set(['kelurahan', 'kecamatan', 'dprd', 'bappeda', 'tapd']);
const ALL_ROLES: string[] = [...ROLES, PUBLIC_ROLE];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The role literals of a source text used as roles: "line: 'role'" entries. */
export function roleLiterals(src: string): string[] {
  const found: string[] = [];
  stripComments(src)
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(/(['"`])([a-z_]+)\1/g)) {
        const name = m[2]!;
        if (!ALL_ROLES.includes(name)) continue;
        const aboutRoles = /\broles?\b|\.role\b/.test(line);
        if (!DOMAIN_WORDS.has(name) || aboutRoles) found.push(`${i + 1}: '${name}'`);
      }
    });
  return found;
}

function serviceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.service.ts'))
    .map((f) => path.join(dir, f))
    .sort();
}

test('the detector finds role names used as roles, and not stage names', () => {
  assert.deepEqual(
    roleLiterals(
      [
        "if (p.role === 'bappeda') return;",
        "const pokir = ['dprd', 'admin'].includes(p.role);",
        "notify({ roles: ['opd_operator', 'opd_head'] });",
        "if (actor.role !== 'public') throw forbidden();",
        "const CHAIN = ['kelurahan', 'kecamatan', 'dprd', 'opd', 'tapd']; // stages, not roles: 'admin'",
        "stage: 'bappeda',",
      ].join('\n'),
    ),
    ["1: 'bappeda'", "2: 'dprd'", "2: 'admin'", "3: 'opd_operator'", "3: 'opd_head'", "4: 'public'"],
  );
});

test('no service file of any module names a role', () => {
  const files = serviceFiles(here);
  assert.ok(files.length >= 10, `found only ${files.length} service files`);
  const offenders = files.flatMap((f) =>
    roleLiterals(fs.readFileSync(f, 'utf8')).map((hit) => `${path.relative(here, f)}:${hit}`),
  );
  assert.deepEqual(offenders, [], 'use requirePermission/can with a permission declared in the manifest');
});
