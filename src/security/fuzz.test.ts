// Property-based fuzzing (fast-check) of every JSON endpoint that takes a body, driven by the
// routes' own schemas (their OpenAPI form, generated from the zod schemas): each property of the
// body gets hostile values (wrong types, NUL, huge numbers, "0x10", markup, SQL). Properties: never
// a 5xx; a rejected request (4xx) writes nothing (the audit log does not grow).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { ROLES, type Role } from '../core/roles.ts';
import { testApp, type TestContext } from '../testing/harness.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
const roleHas = (role: Role, permission: string) => t.server.registry.permissions.roleHas(role, permission);
after(async () => t?.close());

const DEMO_USER: Partial<Record<Role, string>> = {
  admin: 'admin',
  bappeda: 'bappeda',
  tapd: 'tapd',
  opd_operator: 'diskominfo.operator',
  opd_head: 'diskominfo.head',
  dprd: 'dprd',
  inspektorat: 'inspektorat',
  tim_data: 'tim_data',
  cc_operator: 'cc_operator',
  kecamatan: 'kecamatan',
  kelurahan: 'kelurahan',
};

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE usr_user; --",
    '0x10',
    '1e999',
    '-1',
    '1.000,5',
    '9'.repeat(40),
    '=HYPERLINK("http://evil.example")',
    '../../etc/passwd',
  ),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((b) => Number(b)),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

interface Op {
  method: string;
  url: string;
  props: string[];
  permission: string;
}

async function operations(): Promise<Op[]> {
  const doc = (await t.server.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }>
    >;
  };
  const auth = new Map(t.server.paduRoutes.map((r) => [`${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`, r.auth]));
  const ops: Op[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(methods)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (!schema) continue;
      const a = auth.get(`${m.toUpperCase()} ${path}`);
      if (!a || a === 'public') continue; // public forms: see public-form.test.ts
      ops.push({
        method: m.toUpperCase(),
        url: path,
        props: Object.keys(schema.properties ?? {}),
        permission: a.permission,
      });
    }
  }
  return ops;
}

const auditCount = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM core_audit_log`.execute(t.db)).rows[0]!.n);

test('every JSON endpoint: hostile bodies never give a 5xx, and a rejected one writes nothing', async () => {
  const ops = await operations();
  assert.ok(ops.length > 60, `${ops.length} operations`);
  const headers = new Map<string, Record<string, string>>();
  for (const role of ROLES) if (DEMO_USER[role]) headers.set(role, await t.as(DEMO_USER[role]!));
  const failures: string[] = [];
  for (const op of ops) {
    const role = ROLES.find((r) => DEMO_USER[r] && roleHas(r, op.permission));
    if (!role) continue;
    const url = op.url.replace(/\{(\w+)\}/g, (_, n: string) => (/year/i.test(n) ? '2027' : '1'));
    const body = op.props.length
      ? fc.record(Object.fromEntries(op.props.map((p) => [p, hostile])), { requiredKeys: [] })
      : fc.constant({});
    await fc
      .assert(
        fc.asyncProperty(body, async (payload) => {
          const before = await auditCount();
          const res = await t.server.inject({
            method: op.method as 'POST',
            url,
            headers: { ...headers.get(role)!, 'content-type': 'application/json' },
            payload: JSON.stringify(payload),
          });
          if (res.statusCode >= 500) {
            failures.push(
              `${op.method} ${op.url} ${JSON.stringify(payload).slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`,
            );
            return false;
          }
          if (res.statusCode >= 400 && (await auditCount()) !== before) {
            failures.push(`${op.method} ${op.url} wrote despite ${res.statusCode}`);
            return false;
          }
          return true;
        }),
        { numRuns: 5, seed: 20261130, endOnFailure: true },
      )
      .catch(() => undefined);
  }
  assert.deepEqual(failures, []);
});
