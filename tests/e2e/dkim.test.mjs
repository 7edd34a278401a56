// Report emails' DKIM in the report analyser (issue 12, RFC 8460 §3), in a real Chromium
// against the built site: the committed emails of tests/dkim/mails (signed with RSA as an
// SPKI and as a bare RSAPublicKey, with Ed25519; changed after signing; unsigned), their
// keys served by the mock resolver (tests/dkim/zone.json). The page says which were
// signed, forged and unsigned; its only requests are to the resolver, only for the keys,
// each key once; with the check turned off, none at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, serveDist, launch, openPage, screenshot, ownModule } from './lib.mjs';
import { startMock } from '../mock/server.mjs';

const MAILS = path.join(ROOT, 'tests', 'dkim', 'mails');
let site;
let mock;
let browser;

before(async () => {
  site = await serveDist();
  mock = await startMock(0, JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'dkim', 'zone.json'), 'utf8')));
  browser = await launch(mock.chromiumArgs);
});

after(async () => {
  await browser?.close();
  await mock?.close();
  await site?.close();
});

const mails = () => fs.readdirSync(MAILS).sort().map((f) => path.join(MAILS, f));

test('signed, forged and unsigned report emails, keys looked up only at the resolver', async () => {
  const { page, errors, requests } = await openPage(browser, `${site.url}/?${new URLSearchParams({ doh: mock.doh })}#/reports`);
  await page.locator('input#report-files[type=file][multiple]').waitFor({ state: 'attached' });
  assert.ok(await page.locator('#check-dkim').isChecked(), 'on by default');
  assert.match(await page.locator('#dkim-note').textContent(), /looked up at 127\.0\.0\.1:\d+: the only requests this page makes/);
  await page.setInputFiles('input#report-files', mails());
  await page.locator('#dkim-tally').waitFor();
  const dkim = async (file) => page.locator('tr.file', { hasText: file }).locator('td.dkim').getAttribute('data-dkim');
  assert.equal(await dkim('pass-rsa.eml'), 'pass');
  assert.equal(await dkim('pass-pkcs1.eml'), 'pass', 'a bare RSAPublicKey key record');
  assert.equal(await dkim('pass-ed25519.eml'), 'pass');
  assert.equal(await dkim('fail-changed.eml'), 'fail');
  assert.equal(await dkim('none-unsigned.eml'), 'none');
  assert.match(await page.locator('tr.file', { hasText: 'pass-rsa.eml' }).textContent(), /signed by reporter\.test/);
  assert.match(await page.locator('tr.file', { hasText: 'fail-changed.eml' }).textContent(), /DKIM: the signature by reporter\.test does not verify: the body hash does not match/);
  const count = async (label) => page.locator(`[data-dkim-count="${label}"]`).getAttribute('data-value');
  assert.deepEqual([await count('signed'), await count('unsigned'), await count('forged'), await count('unverified')], ['3', '1', '1', '0']);
  // Every report is still counted (the totals say so; --signed-only is the CLI's).
  assert.equal(await page.locator('.metric[data-metric="reports"]').getAttribute('data-value'), '5');
  await screenshot(page, 'reports-dkim');
  // The only requests off the site: the resolver, for the three keys, once each.
  const off = requests.filter((u) => !ownModule(u, site.url));
  const asked = off.map((u) => new URL(u)).map((u) => `${u.origin}${u.pathname}`);
  assert.ok(asked.every((u) => u === mock.doh), `${asked}`);
  assert.equal(off.length, 3, `one lookup per key: ${off}`);
  // The same emails again (another run): the keys are not asked again.
  await page.locator('button', { hasText: 'Clear' }).click();
  await page.setInputFiles('input#report-files', mails());
  await page.locator('#dkim-tally').waitFor();
  assert.equal(requests.filter((u) => !ownModule(u, site.url)).length, 3);
  // A run of unsigned emails alone still gets its verdict (no key to look up).
  await page.locator('button', { hasText: 'Clear' }).click();
  await page.setInputFiles('input#report-files', mails().filter((f) => f.endsWith('none-unsigned.eml')));
  await page.locator('td.dkim[data-dkim="none"]').waitFor();
  assert.deepEqual(errors, []);
});

test('with the check turned off, report emails are read and nothing is looked up', async () => {
  const { page, errors, requests } = await openPage(browser, `${site.url}/?${new URLSearchParams({ doh: mock.doh })}#/reports`);
  await page.locator('#check-dkim').uncheck();
  assert.match(await page.locator('#dkim-note').textContent(), /nothing is looked up/);
  await page.setInputFiles('input#report-files', mails());
  await page.locator('.metric[data-metric="reports"][data-value="5"]').waitFor();
  assert.equal(await page.locator('#dkim-tally').count(), 0);
  assert.equal(await page.locator('td.dkim').count(), 0);
  assert.deepEqual(requests.filter((u) => !ownModule(u, site.url)), []);
  // The choice is remembered in this browser.
  await page.reload();
  await page.locator('#check-dkim').waitFor();
  assert.equal(await page.locator('#check-dkim').isChecked(), false);
  await page.locator('#check-dkim').check();
  assert.deepEqual(errors, []);
});
