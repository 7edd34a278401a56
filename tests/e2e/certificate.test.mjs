// The MX certificate tab (#/lint/certificate, issue 11) in a real Chromium against the built
// site: every case of tests/certs/cases.json, the list `mtasts probe HOST --paste FILE` is
// held to as well (crates/cli/tests/probe.rs), so a pasted chain gets the CLI's findings and
// verdict; and the Check page's link to the tab, carrying the TLSA records it found.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, openPage, ownModule, screenshot, startSiteAndMock, stopSiteAndMock } from './lib.mjs';

const CERTS = path.join(ROOT, 'tests', 'certs');
const { cases } = JSON.parse(fs.readFileSync(path.join(CERTS, 'cases.json'), 'utf8'));

let site;
let mock;
let browser;

before(async () => ({ site, mock, browser } = await startSiteAndMock()));
after(() => stopSiteAndMock({ site, mock, browser }));

test('every pasted chain gets the findings and verdict mtasts probe --paste gives', async () => {
  for (const c of cases) {
    const query = c.tlsa ? `?tlsa=${encodeURIComponent(c.tlsa)}&ad=${c.ad ? 1 : 0}` : '';
    const { page, errors, requests } = await openPage(browser, `${site.url}/#/lint/certificate/${c.host}${query}`);
    await page.locator('#cert-input').waitFor();
    assert.equal(await page.inputValue('#cert-host'), c.host, c.name);
    await page.fill('#cert-input', fs.readFileSync(path.join(CERTS, c.file), 'utf8'));
    const verdict = page.locator('.verdict[data-valid]');
    await verdict.waitFor();
    const codes = await page.locator('li.finding').evaluateAll((ls) => ls.map((l) => l.dataset.code));
    assert.deepEqual(codes.sort(), [...c.codes].sort(), c.name);
    assert.equal(await verdict.getAttribute('data-valid'), String(c.valid), c.name);
    if (c.file === 'good-openssl.txt' && !c.tlsa) {
      // The chain as read: two certificates, the leaf's names, the protocol from openssl.
      assert.equal(await page.locator('tr[data-cert]').count(), 2);
      assert.match(await page.locator('tr[data-cert="0"]').textContent(), /mx\.cert\.test/);
      assert.match(await page.locator('table.chain caption').textContent(), /TLSv1\.3/);
      await screenshot(page, 'certificate-good');
    }
    if (c.codes.includes('dane/tlsa-match')) {
      assert.equal(await page.locator('[data-dane]').getAttribute('data-dane'), 'true', c.name);
    }
    if (c.file === 'weak.pem') {
      // Trust unknown (PEM only) and two warnings: the headline says so, not just "fine".
      assert.equal(await page.locator('.verdict-title').textContent(), 'Names and dates fine, 2 warnings below');
      await screenshot(page, 'certificate-weak');
    }
    assert.deepEqual(errors, [], c.name);
    // Judged in the page: nothing left it, not even to the resolver.
    assert.deepEqual(requests.filter((u) => !ownModule(u, site.url)), [], c.name);
    await page.close();
  }
});

test('the Check page links each MX host to its certificate tab, with its TLSA records', async () => {
  const q = new URLSearchParams({ doh: mock.doh, doh2: mock.doh2 });
  const { page, errors } = await openPage(browser, `${site.url}/?${q}#/check/dane.test`);
  const link = page.locator('a[data-cert-link="mx.dane.test"]');
  await link.waitFor({ timeout: 15000 });
  assert.match(await link.getAttribute('href'), /^#\/lint\/certificate\/mx\.dane\.test\?tlsa=3%201%201%20[0-9a-f]{64}&ad=1$/);
  await link.click();
  await page.locator('#cert-input').waitFor();
  assert.equal(await page.inputValue('#cert-host'), 'mx.dane.test');
  assert.match(await page.locator('[data-tlsa]').textContent(), /DNSSEC-validated.*3 1 1 [0-9a-f]{64}/);
  // The command to run is there to copy, for this host.
  assert.match(await page.locator('.artefact pre').textContent(), /openssl s_client -starttls smtp -connect mx\.dane\.test:25/);
  assert.equal(await page.title(), 'Lint: MX certificate of mx.dane.test — mtasts');
  // The Lint tabs stay: back to the policy tab and to the certificate tab again.
  await page.locator('a.tab[data-kind="policy"]').click();
  await page.locator('#lint-input').waitFor();
  await page.locator('a.tab[data-kind="certificate"]').click();
  await page.locator('#cert-input').waitFor();
  assert.equal(await page.inputValue('#cert-host'), '');
  assert.deepEqual(errors, []);
});
