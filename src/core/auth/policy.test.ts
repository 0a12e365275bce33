import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Permissions } from './auth.ts';
import { can, regionScopeOf, requirePermission } from './policy.ts';
import { publicPrincipal, systemPrincipal, withGrants } from '../roles.ts';

test("the public principal holds only permissions granted to 'public', never '*' (every signed-in role)", () => {
  const perms = new Permissions();
  perms.add('x.read', ['*']);
  perms.add('x.citizen', ['public']);
  perms.add('x.admin', ['admin']);
  const citizen = publicPrincipal(perms, 1);
  assert.equal(can(citizen, 'x.read'), false);
  assert.equal(can(citizen, 'x.admin'), false);
  assert.equal(can(citizen, 'x.citizen'), true);
  assert.throws(() => requirePermission(citizen, 'x.read'), /forbidden/);
  const admin = systemPrincipal(perms, 1);
  assert.equal(can(admin, 'x.read'), true);
  assert.equal(can(admin, 'x.citizen'), false, "'public' is not granted to signed-in roles by '*'");
});

test('region scope: a kelurahan or kecamatan operator acts in its own region; one without a region in none', () => {
  const perms = new Permissions();
  const base = { pemdaId: 1, userId: 9, username: 'u', fullName: 'U', opdId: null, via: 'session' } as const;
  assert.deepEqual(regionScopeOf(withGrants({ ...base, role: 'kelurahan', regionId: 7 }, perms)), {
    level: 'kelurahan',
    id: 7,
  });
  assert.deepEqual(regionScopeOf(withGrants({ ...base, role: 'kecamatan', regionId: null }, perms)), {
    level: 'kecamatan',
    id: 0,
  });
  assert.equal(regionScopeOf(withGrants({ ...base, role: 'bappeda', regionId: 7 }, perms)), null);
});
