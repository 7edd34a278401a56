// The Deploy page (#/deploy/<domain>, issue 10) in a real Chromium against the built site
// and the mock resolver: a newcomer with only MX records gets a testing setup for its own
// hosts (the exact texts in [data-artifact]), a wildcard only when accepted, the plan's
// dates from the live max_age (read, or pasted when the browser may not read the policy),
// form errors beside their field, and pages that fit 1280 px and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, startSiteAndMock, stopSiteAndMock } from './lib.mjs';

let site;
let mock;
let browser;

before(async () => ({ site, mock, browser } = await startSiteAndMock()));
after(() => stopSiteAndMock({ site, mock, browser }));

const deployUrl = (domain) => `${site.url}/?${new URLSearchParams({ doh: mock.doh })}#/deploy/${domain}`;
const artefact = (page, id) => page.locator(`[data-artifact="${id}"]`).evaluate((e) => e.textContent);
const steps = (page) => page.locator('.steps [data-not-before]').evaluateAll((els) => els.map((e) => e.dataset.notBefore));
const DAY = 86400 * 1000;

async function open(domain, width = 1280) {
  const o = await openPage(browser, deployUrl(domain));
  await o.page.setViewportSize({ width, height: 900 });
  await o.page.locator('[data-live="read"]').waitFor({ timeout: 15000 });
  return o;
}

test('a newcomer with only MX records gets a testing setup for its own hosts', async () => {
  const { page, errors } = await open('deploy.test');
  assert.match(await page.locator('[data-live]').textContent(), /MX mx1\.mail\.deploy\.test, mx2\.mail\.deploy\.test; no MTA-STS; no TLS-RPT/);
  assert.equal(await artefact(page, 'policy'),
    'version: STSv1\r\nmode: testing\r\nmx: mx1.mail.deploy.test\r\nmx: mx2.mail.deploy.test\r\nmax_age: 86400\r\n');
  assert.match(await artefact(page, 'sts-record'), /^v=STSv1; id=\d{14}$/);
  assert.equal(await artefact(page, 'tlsrpt-record'), 'v=TLSRPTv1; rua=mailto:tlsrpt@deploy.test');
  assert.match(await artefact(page, 'zone'), /_mta-sts\.deploy\.test\.\t300\tIN\tTXT\t"v=STSv1; id=\d{14}"/);
  const covered = await page.locator('.coverage [data-covered]').evaluateAll((els) => els.map((e) => e.dataset.covered));
  assert.deepEqual(covered, ['true', 'true']);
  // Every recipe is there, with its files.
  const recipes = await page.locator('[data-recipe]').evaluateAll((els) => els.map((e) => e.dataset.recipe));
  assert.deepEqual(recipes, ['static', 'nginx', 'caddy', 'apache', 'worker']);
  // The plan to enforce: TLS-RPT now, testing now, enforce a week later, linking to the reports.
  const dates = (await steps(page)).map((d) => Date.parse(d));
  assert.equal(dates[0], dates[1]);
  assert.ok(dates.some((d) => d - dates[0] === 7 * DAY), `a step a week later: ${dates}`);
  assert.equal(await page.locator('.steps a[href="#/reports"]').count(), 1);
  await screenshot(page, 'deploy-newcomer-1280');
  // The wildcard is only used once accepted.
  await page.locator('[data-wildcard="*.mail.deploy.test"] input').check();
  assert.match(await artefact(page, 'policy'), /\r\nmx: \*\.mail\.deploy\.test\r\nmax_age: 86400/);
  // Copy says so.
  const copy = page.locator('.artefact:has([data-artifact="policy"]) button.copy');
  await copy.click();
  assert.equal(await copy.textContent(), 'Copied');
  // Enforce needs a week's max_age: the form says why instead of producing a setup that warns.
  await page.locator('#deploy-mode').selectOption('enforce');
  assert.match(await artefact(page, 'policy'), /mode: enforce\r\n.*max_age: 604800/s);
  await page.locator('#deploy-max-age').fill('86400');
  assert.match(await page.locator('#deploy-max_age-error').textContent(), /lint clean/);
  assert.equal(await page.locator('[data-artifact="policy"]').count(), 0);
  // A report address over http is refused beside its box.
  await page.locator('#deploy-max-age').fill('604800');
  await page.locator('#deploy-rua').fill('http://reports.deploy.test/');
  assert.match(await page.locator('#deploy-rua-error').textContent(), /https only/);
  // The browser's own console lines for the policy fetch it may not read (no host here yet).
  assert.deepEqual(errors.filter((e) => !/blocked by CORS policy|Failed to load resource/.test(e)), []);
  await page.close();
});

test('plans take their dates from the live max_age, read or pasted', async () => {
  // good.test enforces with max_age 604800: removal ends a week after it starts.
  let { page } = await open('good.test');
  assert.equal(await page.locator('#deploy-target').inputValue(), 'mx', 'an enforcing domain is offered an MX move');
  await page.locator('#deploy-target').selectOption('remove');
  let dates = (await steps(page)).map((d) => Date.parse(d));
  assert.equal(dates.at(-1) - dates[0], 7 * DAY);
  await page.locator('#deploy-target').selectOption('mx');
  assert.match(await page.locator('#deploy-plan-error').textContent(), /no MX host/);
  await page.locator('#deploy-new-mx').fill('mx3.good.test');
  dates = (await steps(page)).map((d) => Date.parse(d));
  assert.deepEqual(dates.map((d) => (d - dates[0]) / DAY), [0, 0, 7, 8, 8]);
  await page.close();
  // nocors.test's policy cannot be read from the browser: a year until pasted, then its max_age.
  ({ page } = await open('nocors.test'));
  await page.locator('#deploy-target').selectOption('remove');
  dates = (await steps(page)).map((d) => Date.parse(d));
  assert.equal(dates.at(-1) - dates[0], 31557600 * 1000);
  await page.locator('#deploy-live-policy').fill('version: STSv1\nmode: enforce\nmx: mail.nocors.test\nmax_age: 1209600\n');
  dates = (await steps(page)).map((d) => Date.parse(d));
  assert.equal(dates.at(-1) - dates[0], 14 * DAY);
  await page.close();
});

test('the Deploy page fits a phone and is reached from Check', async () => {
  const { page } = await open('deploy.test', 390);
  await screenshot(page, 'deploy-newcomer-390');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map((e) => `${e.tagName}.${e.className}#${e.id}`));
  assert.ok(overflow <= 0, `no horizontal scroll at 390 px (${overflow} px too wide: ${wide})`);
  await page.locator('[data-recipe="nginx"] summary').click();
  await screenshot(page, 'deploy-newcomer-390');
  await page.goto(`${site.url}/?${new URLSearchParams({ doh: mock.doh })}#/check/norecord.test`);
  await page.locator('[data-verdict]').waitFor({ timeout: 15000 });
  await page.locator('#to-deploy').click();
  await page.locator('[data-live="read"]').waitFor({ timeout: 15000 });
  assert.match(page.url(), /#\/deploy\/norecord\.test$/);
  assert.equal(await page.locator('#nav-deploy').getAttribute('class'), 'active');
  await page.close();
});
