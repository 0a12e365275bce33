// The password policy (issue #10 finding 10): 12 characters or a passphrase, never a common password.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { DEMO_PASSWORD } from '../../core/seed.ts';
import { passwordProblem } from './password-policy.ts';

test('passwordProblem: length or passphrase, common passwords and their variants refused', () => {
  for (const [p, want] of [
    ['12345678', 'usr.error.password_short'],
    ['Ab3$efgh', 'usr.error.password_short'],
    ['password1234', 'usr.error.password_common'], // "password" + digits
    ['qwertyuiop12', 'usr.error.password_common'],
    ['123456789012', 'usr.error.password_common'],
    ['aaaaaaaaaaaaaaa', 'usr.error.password_common'],
    ['Indonesia2025', 'usr.error.password_common'],
    ['tj8#Lw2q-Vz9m', null],
    ['kopi susu gula', null], // a passphrase of three words
    ['kopi susu', 'usr.error.password_short'],
  ] as const)
    assert.equal(passwordProblem(p), want, p);
  assert.equal(passwordProblem('budi.santoso-2025!', 'budi.santoso'), 'usr.error.password_username');
});

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

test('the API refuses 12345678 and a common password, naming the field; a good one is accepted', async () => {
  const admin = await t.as('admin');
  const create = (password: string, username: string) =>
    t.server.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...admin, 'accept-language': 'en' },
      payload: { username, password, full_name: 'Pengguna Baru', role: 'dprd' },
    });
  const short = await create('12345678', 'pw.short');
  assert.equal(short.statusCode, 400);
  assert.deepEqual(
    json(short).fields.map((f: { field: string }) => f.field),
    ['password'],
  );
  assert.match(json(short).fields[0].message, /12 characters/);
  const common = await create('password1234', 'pw.common');
  assert.equal(common.statusCode, 400);
  assert.match(json(common).fields[0].message, /too common/);
  assert.equal((await create('tj8#Lw2q-Vz9m', 'pw.good')).statusCode, 201);
  // the demo users keep the published demo password (seeded directly)
  const demo = await t.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { pemda_id: t.pemdaId, username: 'admin', password: DEMO_PASSWORD },
  });
  assert.equal(demo.statusCode, 200);
});
