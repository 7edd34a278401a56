// Accessibility and small screens (issue 15 items 6 and 7): axe-core (WCAG 2.1 A and AA
// rules, from npm) on Check results, Deploy, Lint (a policy, a pasted certificate chain) and Reports at 1280 and 390 px in light
// and dark mode must find no serious or critical violation; every route has one h1, a
// title, aria-current on its nav item, and no horizontal page scroll at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT, startSiteAndMock, stopSiteAndMock } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let site;
let mock;
let browser;

before(async () => ({ site, mock, browser } = await startSiteAndMock()));
after(() => stopSiteAndMock({ site, mock, browser }));

const q = () => `?${new URLSearchParams({ doh: mock.doh })}`;

// Each page as a user leaves it: the route, what to wait for, what to do first.
const PAGES = [
  { name: 'check good.test', hash: '#/check/good.test', ready: '[data-verdict]' },
  { name: 'check uncovered.test (fix shown)', hash: '#/check/uncovered.test', ready: '#fix' },
  { name: 'deploy deploy.test', hash: '#/deploy/deploy.test', ready: '[data-live="read"]' },
  { name: 'lint policy', hash: '#/lint/policy', ready: '[data-valid]' },
  {
    name: 'lint certificate (a weak chain pasted)', hash: '#/lint/certificate/mx.cert.test', ready: '#cert-input',
    then: async (page) => {
      await page.fill('#cert-input', fs.readFileSync(path.join(ROOT, 'tests', 'certs', 'weak.pem'), 'utf8'));
      await page.locator('li.finding').first().waitFor();
    },
  },
  {
    name: 'reports (sample week)', hash: '#/reports', ready: '#try-sample',
    then: async (page) => {
      await page.locator('#try-sample').click();
      await page.locator('.metric[data-metric="reports"]').waitFor({ timeout: 15000 });
      await page.locator('table.files').waitFor({ timeout: 15000 });
    },
  },
];

async function open(width, colorScheme, p) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${site.url}/${q()}${p.hash}`);
  await page.locator(p.ready).first().waitFor({ timeout: 15000 });
  if (p.then) await p.then(page);
  return { context, page };
}

async function axe(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.length}× e.g. ${v.nodes[0].target.join(' ')} — ${v.nodes[0].failureSummary.split('\n').slice(0, 2).join(' ')}`);
  });
}

for (const colorScheme of ['light', 'dark']) {
  for (const width of [1280, 390]) {
    test(`axe: no serious or critical WCAG 2.1 AA violation at ${width} px, ${colorScheme}`, async () => {
      const found = [];
      for (const p of PAGES) {
        const { context, page } = await open(width, colorScheme, p);
        for (const v of await axe(page)) found.push(`${p.name}: ${v}`);
        await context.close();
      }
      assert.deepEqual(found, []);
    });
  }
}

test('every route: one h1, a title naming it, aria-current on its nav item, no horizontal scroll at 320 px', async () => {
  const routes = [...PAGES, { name: 'check (empty)', hash: '#/check', ready: '#domain' }];
  for (const p of routes) {
    const { context, page } = await open(320, 'light', p);
    assert.equal(await page.locator('h1').count(), 1, `${p.name}: one h1`);
    const h1 = (await page.locator('h1').textContent()).trim();
    assert.equal(await page.title(), `${h1} — mtasts`, p.name);
    assert.equal(await page.locator('header nav [aria-current="page"]').count(), 1, `${p.name}: aria-current`);
    if (p.hash.startsWith('#/lint/')) assert.equal(await page.locator('.tabs [aria-current="page"]').getAttribute('data-kind'), p.hash.split('/')[2]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 4).map((e) => `${e.tagName.toLowerCase()}.${e.className}`));
    assert.ok(overflow <= 0, `${p.name}: ${overflow} px of horizontal scroll at 320 px (${wide})`);
    await context.close();
  }
  // The domain names itself in the title, and a bad domain is marked invalid for assistive technology.
  const { context, page } = await open(1280, 'light', PAGES[0]);
  assert.equal(await page.title(), 'Check good.test — mtasts');
  await page.locator('#domain').fill('not a domain');
  await page.locator('#domain').press('Enter');
  await page.locator('#domain-error').waitFor();
  assert.equal(await page.locator('#domain').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#domain').getAttribute('aria-describedby'), 'domain-error');
  assert.equal(await page.locator('[data-verdict]').count(), 0, 'the results of good.test are gone');
  // The skip link is the first stop for the keyboard and lands on the heading.
  await page.keyboard.press('Tab');
  await page.evaluate(() => document.activeElement.blur());
  await page.locator('.skip-link').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  await context.close();
});
