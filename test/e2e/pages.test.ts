// Every page in the navigation, for the roles that use it: it renders without script errors, and
// its HTML + CSS + JS stay under 150 KB transferred (slow links, old PCs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

const LIMIT = 150 * 1024;

for (const [username, paths] of [
  [
    'admin',
    ['/', '/users', '/audit', '/master-data', '/master-data/nomenclature', '/master-data/accounts', '/catalogue'],
  ],
  ['tapd', ['/budget', '/budget/stages', '/budget/review', '/budget/apbd', '/catalogue/proposals']],
  ['bappeda', ['/perencanaan', '/perencanaan/renja', '/musrenbang', '/pokir']],
  ['dinkes.operator', ['/', '/budget', '/budget/notifications']],
] as const) {
  test(`${username}: every page renders under 150 KB without script errors`, async () => {
    const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await loginAs(e, page, username);
    for (const path of paths) {
      let bytes = 0;
      const count = async (res: import('playwright-core').Response) => {
        const type = res.request().resourceType();
        if (type === 'document' || type === 'stylesheet' || type === 'script')
          bytes += (await res.body().catch(() => Buffer.alloc(0))).length;
      };
      page.on('response', count);
      const res = await page.goto(`${e.base}${path}`, { waitUntil: 'networkidle' });
      page.off('response', count);
      assert.equal(res?.status(), 200, `${path} answers 200`);
      assert.ok(bytes < LIMIT, `${path}: ${bytes} bytes (uncompressed) must stay under ${LIMIT}`);
      assert.ok(((await page.textContent('main')) ?? '').trim().length > 0, `${path} has content`);
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}
