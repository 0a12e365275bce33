// Each app builds its own registry (messages, grants, navigation, Pemda cache) from the manifests
// it runs: two apps in one process do not see each other's menus or messages, nothing doubles, and
// a message key defined by two modules fails at boot naming both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestContext } from '../testing/harness.ts';
import { allModules, createApp } from '../app.ts';
import { buildServer } from './http/server.ts';
import type { ModuleManifest } from './module.ts';
import { AppRegistry } from './registry.ts';
import { DuplicateMessageError, translator } from './i18n/i18n.ts';
import { can, requirePermission } from './auth/policy.ts';
import { systemPrincipal } from './roles.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const extra: ModuleManifest = {
  name: 'extra',
  tablePrefix: 'xtr_',
  permissions: { 'xtr.read': ['admin', 'opd_operator'] },
  messages: { id: { 'xtr.nav': 'Modul Tambahan', 'xtr.hello': 'Halo' }, en: { 'xtr.nav': 'Extra module' } },
  nav: [{ label: 'xtr.nav', href: '/extra', permission: 'xtr.read', section: 'admin' }],
  routes: (app) => {
    app.get('/extra', { config: { auth: { permission: 'xtr.read' } }, schema: { hide: true } }, async () => 'ok');
  },
};

function navLinks(page: string): string[] {
  const nav = /<nav class="nav"[^>]*>([\s\S]*?)<\/nav>/.exec(page)?.[1] ?? '';
  return [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
}

test('two apps in one process: independent menus, messages and grants; no doubled links', async () => {
  const other = await buildServer({
    config: t.config,
    database: t.handle,
    modules: [...allModules, extra],
    logger: false,
  });
  // and a third, identical to the first: building apps must not accumulate anything
  const third = await buildServer({ config: t.config, database: t.handle, modules: allModules, logger: false });
  try {
    const admin = await t.as('admin');
    const home = async (server: typeof other) =>
      (await server.inject({ method: 'GET', url: '/', headers: { ...admin, accept: 'text/html' } })).body;
    const first = navLinks(await home(t.server));
    const second = navLinks(await home(other));
    const again = navLinks(await home(third));
    assert.ok(first.includes('/budget'), 'the demo app has the budgeting link');
    assert.equal(new Set(first).size, first.length, `no doubled link: ${first.join(' ')}`);
    assert.deepEqual(again, first, 'a second identical app changes nothing in the first');
    assert.ok(!first.includes('/extra'));
    assert.deepEqual(second, [...first, '/extra']);

    // messages: the extra module's key is a sentence in its app only
    assert.equal(other.registry.i18n.t('id', 'xtr.hello'), 'Halo');
    assert.equal(other.registry.i18n.t('en', 'xtr.nav'), 'Extra module');
    assert.equal(t.server.registry.i18n.t('id', 'xtr.hello'), 'xtr.hello');
    assert.match(await home(other), /Modul Tambahan/);
    assert.doesNotMatch(await home(t.server), /Modul Tambahan/);

    // grants: the permission exists in the other app only; routes of the other app are not in the first
    assert.equal((await other.inject({ method: 'GET', url: '/extra', headers: admin })).body, 'ok');
    assert.equal((await t.server.inject({ method: 'GET', url: '/extra', headers: admin })).statusCode, 404);
    assert.equal(can(systemPrincipal(other.registry.permissions, t.pemdaId), 'xtr.read'), true);
    assert.equal(can(systemPrincipal(t.server.registry.permissions, t.pemdaId), 'xtr.read'), false);
    assert.notEqual(other.registry.pemdas, t.server.registry.pemdas);
  } finally {
    await other.close();
    await third.close();
  }
});

test('a message key defined by two modules fails at boot, naming both', async () => {
  const clash: ModuleManifest = {
    name: 'clash',
    tablePrefix: 'cls_',
    messages: { id: { 'bud.nav.overview': 'Lain' }, en: {} },
  };
  assert.throws(
    () => new AppRegistry([...allModules, clash]),
    (e: unknown) => e instanceof DuplicateMessageError && /budgeting/.test(e.message) && /clash/.test(e.message),
  );
  await assert.rejects(
    createApp({ config: t.config, database: t.handle, logger: false, modules: [...allModules, clash] }),
    /"bud\.nav\.overview" is defined by both budgeting and clash/,
  );
  // a module redefining a core key is refused too
  assert.throws(() => translator({ id: { 'error.not_found': 'x' }, en: {} }), /error\.not_found.*core/);
  // the same permission declared by two modules as well
  assert.throws(
    () => new AppRegistry([...allModules, { name: 'clash', tablePrefix: 'cls_', permissions: { 'bud.read': ['*'] } }]),
    /bud\.read.*budgeting.*clash/,
  );
});

test('authorisation refuses to decide for a principal without its app grants', () => {
  const bare = { ...systemPrincipal(t.server.registry.permissions, t.pemdaId), grants: undefined };
  assert.throws(() => requirePermission(bare, 'bud.read'), /carries no grants/);
  assert.doesNotThrow(() => requirePermission(t.server.registry.system(t.pemdaId), 'bud.read'));
});
