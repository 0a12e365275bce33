// Every page of every demo role's navigation on a small phone (360 × 740): the page never scrolls
// sideways (a wide table scrolls inside its own box), and axe-core finds no serious or critical
// accessibility violation. The pages come from the links in each role's <nav class="nav"> on the
// home page, so a new menu item is checked without editing this file; a few work pages one step in
// (line editor, trip form, OPD RKA, proposal) are reached by following links. The citizen's public
// pages (no navigation) are the links of the log-in page plus the two public forms.
//
// One browser, one context per role, each page visited once for both checks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { loginAs, startE2E, type E2E } from './browser.ts';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One demo user per role (src/modules/users/seed.ts). */
const USERS = [
  'admin',
  'tapd',
  'bappeda',
  'tim_data',
  'dprd',
  'inspektorat',
  'cc_operator',
  'dinkes.operator',
  'dinkes.head',
  'damkar.unit',
  'kecamatan',
  'kelurahan',
] as const;

/**
 * Pages one step in from the navigation where a role does its work (the issue names the line
 * editor and the trip form): from a navigation page, follow the first link matching each selector in
 * turn. Each link must exist, so a chain cannot silently vanish.
 */
const STEPS_IN: Partial<Record<(typeof USERS)[number], Array<[string, ...string[]]>>> = {
  'dinkes.operator': [
    ['/budget', 'a[href^="/budget/sub/"]', 'a[href$="/lines/new"]'],
    ['/budget', 'a[href^="/budget/sub/"]', 'a[href^="/budget/lines/"][href$="/edit"]'],
    ['/budget', 'a[href^="/budget/sub/"]', 'a[href$="/travel"]'],
  ],
  tapd: [['/budget', 'a[href^="/budget/opd/"]']],
  bappeda: [
    ['/musrenbang', 'a[href^="/perencanaan/usulan/"]'],
    ['/musrenbang', 'a[href^="/musrenbang/baru"]'],
  ],
  dprd: [['/pokir', 'a[href^="/pokir/baru"]']],
};

/**
 * Known offenders that could not be fixed yet, `check path` → why. Each entry is reported (not
 * silently skipped) and the test fails when an entry no longer fails, so the list only shrinks.
 */
const ALLOWLIST: Record<string, string> = {};

interface Finding {
  check: 'scroll' | 'axe';
  path: string;
  detail: string;
}

/**
 * The page's width beyond the viewport, and the innermost elements sticking out (not inside a scroll
 * box); null when the page fits. A script string: tsx would wrap named functions in a helper the
 * page does not have.
 */
const OVERFLOW_SCRIPT = `(() => {
  const d = document.documentElement;
  if (d.scrollWidth <= d.clientWidth) return null;
  const inScrollBox = (el) => {
    for (let p = el.parentElement; p && p !== d; p = p.parentElement)
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    return false;
  };
  const out = Array.from(document.querySelectorAll('body *')).filter(
    (el) => el.getBoundingClientRect().right > d.clientWidth + 1 && !inScrollBox(el));
  const innermost = out.filter((el) => !out.some((o) => o !== el && el.contains(o)));
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    '(' + Math.round(el.getBoundingClientRect().right) + 'px)';
  return 'scrollWidth ' + d.scrollWidth + ' > ' + d.clientWidth + ': ' + innermost.slice(0, 5).map(name).join(', ');
})()`;

async function horizontalOverflow(page: Page): Promise<string | null> {
  return page.evaluate<string | null>(OVERFLOW_SCRIPT);
}

/** axe-core's serious and critical violations, one line each. */
const AXE_SCRIPT = `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => v.id + ' (' + v.impact + ', ' + v.nodes.length + '×): ' + v.help + ' — ' +
    v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')))`;

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate<string[]>(AXE_SCRIPT);
}

async function check(page: Page, base: string, path: string, findings: Finding[]): Promise<void> {
  const res = await page.goto(`${base}${path}`);
  assert.equal(res?.status(), 200, `${path} answers 200`);
  const wide = await horizontalOverflow(page);
  if (wide) findings.push({ check: 'scroll', path, detail: wide });
  for (const v of await axeViolations(page)) findings.push({ check: 'axe', path, detail: v });
}

/** Compare with the allowlist: new offenders fail; allowlisted ones are reported; fixed ones must leave the list. */
function verdict(who: string, paths: string[], findings: Finding[]): void {
  const unexpected = findings.filter((f) => !(`${f.check} ${f.path}` in ALLOWLIST));
  for (const f of findings.filter((x) => `${x.check} ${x.path}` in ALLOWLIST))
    console.log(`allowlisted (${who}) ${f.check} ${f.path}: ${ALLOWLIST[`${f.check} ${f.path}`]} — ${f.detail}`);
  assert.deepEqual(
    unexpected.map((f) => `${f.check} ${f.path}: ${f.detail}`),
    [],
    `${who}: pages that scroll sideways at 360 px or have serious/critical axe violations`,
  );
  const stale = Object.keys(ALLOWLIST).filter((k) => {
    const [checkName, path] = k.split(' ');
    return paths.includes(path!) && !findings.some((f) => f.check === checkName && f.path === path);
  });
  assert.deepEqual(stale, [], `${who}: allowlist entries that pass now — remove them`);
}

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, bypassCSP: true };

for (const username of USERS) {
  test(`${username}: at 360 px no navigation page scrolls sideways; axe finds nothing serious`, async () => {
    // bypassCSP: axe is injected as a script; the pages' CSP allows only 'self'
    const ctx = await e.browser.newContext(phone);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await loginAs(e, page, username);
    const paths = await page.$$eval('nav.nav a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    assert.ok(paths.length > 1, `${username} has a navigation`);
    const findings: Finding[] = [];
    for (const path of paths) await check(page, e.base, path, findings);
    for (const [start, ...selectors] of STEPS_IN[username] ?? []) {
      await page.goto(`${e.base}${start}`);
      for (const selector of selectors) {
        const href = await page.locator(selector).first().getAttribute('href', { timeout: 5000 });
        assert.ok(href, `${username}: a link ${selector} on ${page.url()}`);
        if (paths.includes(href)) await page.goto(`${e.base}${href}`);
        else {
          paths.push(href);
          await check(page, e.base, href, findings);
        }
      }
    }
    await ctx.close();
    verdict(username, paths, findings);
    assert.deepEqual(errors, []);
  });
}

test('citizen (not logged in): the public pages fit 360 px; axe finds nothing serious', async () => {
  const ctx = await e.browser.newContext(phone);
  const page = await ctx.newPage();
  await page.goto(`${e.base}/login`);
  const linked = await page.$$eval('a[href^="/"]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  const paths = [
    ...new Set([
      '/login',
      ...linked.filter((h) => !h.startsWith('/static') && !h.startsWith('/docs') && !h.includes('lang=')),
      '/lapor',
      '/usulan',
    ]),
  ];
  const findings: Finding[] = [];
  for (const path of paths) await check(page, e.base, path, findings);
  await ctx.close();
  verdict('citizen', paths, findings);
});
