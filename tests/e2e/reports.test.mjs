// The report analyser in a real Chromium against the built site: real corpus reports in,
// the right numbers out, nothing sent anywhere, hostile strings inert.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, serveDist, launch, openPage, screenshot, ownModule } from './lib.mjs';

const CORPUS = process.env.MTASTS_CORPUS || path.join(ROOT, '..', 'shared', 'corpus');
let site;
let browser;

function corpusReports() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/vectors\.json$|\.tsv$|\.md$/.test(e.name)) out.push(p);
    }
  };
  walk(CORPUS);
  return out.sort();
}

async function metric(page, id) {
  return Number(await page.locator(`.metric[data-metric="${id}"]`).getAttribute('data-value'));
}

before(async () => {
  assert.ok(fs.existsSync(CORPUS), `corpus not found at ${CORPUS} (set MTASTS_CORPUS)`);
  site = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

test('every corpus report dropped in gives the right totals, with no request made', async () => {
  const { page, errors, requests } = await openPage(browser, `${site.url}/#/reports`);
  await page.locator('input#report-files[type=file][multiple]').waitFor({ state: 'attached' });
  // Report emails' DKIM keys would be looked up at the resolver (dkim.test.mjs); with the
  // check off, nothing at all leaves the page.
  await page.locator('#check-dkim').uncheck();
  const loaded = requests.length;
  const files = corpusReports();
  assert.equal(files.length, 45);
  await page.setInputFiles('input#report-files', files);
  await page.locator('.metric[data-metric="reports"]').waitFor();
  await page.locator('table.files').waitFor();
  // The same totals `mtasts report ../shared/corpus` prints: 19 distinct reports, 26 copies.
  assert.equal(await metric(page, 'reports'), 19);
  assert.equal(await metric(page, 'duplicates'), 26);
  assert.equal(await metric(page, 'successful'), 15378);
  assert.equal(await metric(page, 'failed'), 716);
  assert.equal(await metric(page, 'organisations'), 9);
  assert.equal(await page.locator('tr.file').count(), 45);
  assert.equal(await page.locator('tr.file[data-status="rejected"]').count(), 0);
  // Failure table: filter by one MX, expand a row to its raw detail and report.
  const rowsBefore = await page.locator('tr.failure-row').count();
  assert.ok(rowsBefore > 5, `failure rows: ${rowsBefore}`);
  await page.selectOption('select[data-filter="Receiving MX"]', 'mx2.mail.company-y.example');
  await page.waitForFunction(() => document.querySelectorAll('tr.failure-row').length < 6);
  const rows = await page.locator('tr.failure-row').count();
  assert.ok(rows >= 1 && rows < rowsBefore);
  await page.locator('tr.failure-row button.expand').first().click();
  const detail = await page.locator('tr.failure-detail').textContent();
  assert.match(detail, /"result-type": "starttls-not-supported"/);
  assert.match(detail, /From report/);
  await screenshot(page, 'reports-corpus');
  assert.deepEqual(errors, []);
  // No report byte left the page: after loading the app, no request but the site's own
  // on-demand modules (the report worker, fetched from the site on first use).
  assert.deepEqual(requests.slice(loaded).filter((u) => !ownModule(u, site.url)), []);
  assert.ok(requests.some((u) => /\/report-worker-[0-9a-f]+_bg\.wasm$/.test(u)), 'the report worker was loaded');
  assert.deepEqual(requests.filter((u) => !u.startsWith(site.url)), []);
});

test('the sample week works with no files and says why it is not safe to enforce', async () => {
  const { page, errors, requests } = await openPage(browser, `${site.url}/#/reports`);
  await page.locator('#try-sample').click();
  await page.locator('.readiness[data-verdict="not-yet"]').waitFor();
  assert.match(await page.locator('.readiness').textContent(), /mx2\.example\.com/);
  assert.equal(await metric(page, 'reports'), 14);
  assert.equal(await page.locator('svg.chart g.day').count(), 14);
  const title = await page.locator('svg.chart g.day title').nth(4).textContent();
  // Day 5: Google and Microsoft each saw 8 failures at mx2.
  assert.match(title, /^2024-06-05: [\d,]+ successful, 16 failed$/);
  // The story: what failed, where, since when, whether it stopped, and the remedy.
  const story = page.locator('.stories li[data-story="certificate-expired"][data-mx="mx2.example.com"]');
  assert.equal(await story.getAttribute('data-stopped'), 'true');
  assert.match(await story.textContent(), /certificate-expired at mx2\.example\.com: 48 sessions from 2024-06-04 to 2024-06-06, none since \(reports run to 2024-06-07\)\..*Fix: Renew the certificate on mx2\.example\.com/);
  // The policy reporters applied, as they published it (not sorted).
  assert.equal(await page.locator('.policy-seen pre[data-policy-lines]').first().textContent(),
    'version: STSv1\nmode: testing\nmx: mx1.example.com\nmx: mx2.example.com\nmax_age: 604800');
  // Chart values by keyboard: one tab stop (the latest day), arrows walk the days, and the
  // day in focus is read out.
  const stops = page.locator('svg.chart g.day[tabindex="0"]');
  assert.equal(await stops.count(), 1);
  await stops.focus();
  await page.locator('[data-readout]', { hasText: /^2024-06-07: / }).waitFor();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
  await page.locator('[data-readout]', { hasText: /^2024-06-04: [\d,]+ successful, 14 failed$/ }).waitFor();
  await page.keyboard.press('Home');
  await page.locator('[data-readout]', { hasText: /^2024-06-01: / }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-day')), '2024-06-01');
  await screenshot(page, 'reports-sample');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(site.url)), []);
});

test('reports kept in the browser survive a reload; not kept, a reload asks first; Clear forgets', async () => {
  const { page, errors, requests } = await openPage(browser, `${site.url}/#/reports`);
  const files = corpusReports().filter((f) => /rfc8460|\.json\.gz$/.test(f)).slice(0, 3);
  assert.equal(files.length, 3);
  const guarded = () => page.evaluate(() => {
    const e = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(e);
    return e.defaultPrevented;
  });
  await page.setInputFiles('input#report-files', files);
  await page.locator('.metric[data-metric="reports"]').waitFor();
  const reports = await metric(page, 'reports');
  const failed = await metric(page, 'failed');
  assert.equal(await guarded(), true, 'reports not kept: the browser warns before a reload');
  // Moving around the app loses nothing: Check, Lint, and back to the same dashboard.
  await page.locator('#nav-check').click();
  await page.locator('#domain, input[type=text]').first().waitFor();
  await page.locator('a[href^="#/lint"]').first().click();
  await page.locator('#lint-input').waitFor();
  await page.locator('#nav-reports').click();
  await page.locator('.metric[data-metric="reports"]').waitFor();
  assert.equal(await metric(page, 'reports'), reports);
  assert.equal(await page.locator('tr.file').count(), 3);
  // Opt in: what was read so far is kept, and the warning goes.
  await page.locator('#keep-reports').check();
  await page.locator('#keep-note', { hasText: '3 inputs kept in this browser' }).waitFor();
  assert.equal(await guarded(), false);
  await page.reload();
  await page.locator('#keep-note', { hasText: 'Read again: 3 inputs kept in this browser.' }).waitFor();
  await page.locator('.metric[data-metric="reports"]').waitFor();
  assert.equal(await metric(page, 'reports'), reports);
  assert.equal(await metric(page, 'failed'), failed);
  assert.equal(await page.locator('tr.file').count(), 3);
  assert.ok(await page.locator('#keep-reports').isChecked());
  // Clear forgets them: the next reload starts empty.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.waitForTimeout(300);
  await page.reload();
  await page.locator('input#report-files').waitFor({ state: 'attached' });
  await page.waitForTimeout(1000);
  assert.equal(await page.locator('.metric').count(), 0);
  // Opting out forgets too.
  await page.setInputFiles('input#report-files', files.slice(0, 1));
  await page.locator('.metric[data-metric="reports"]').waitFor();
  await page.locator('#keep-reports').uncheck();
  await page.locator('#keep-note', { hasText: 'Nothing kept' }).waitFor();
  assert.equal(await guarded(), true);
  assert.equal(await page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open('mtasts');
    r.onsuccess = () => { const q = r.result.transaction('inputs').objectStore('inputs').count(); q.onsuccess = () => ok(q.result); };
  })), 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(site.url)), []);
  await page.close();
});

test('a report with markup in every string renders inert', async () => {
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  const report = {
    'organization-name': evil, 'date-range': { 'start-datetime': '2024-01-01T00:00:00Z', 'end-datetime': '2024-01-01T23:59:59Z' },
    'contact-info': evil, 'report-id': evil,
    policies: [{
      policy: { 'policy-type': evil, 'policy-string': [evil], 'policy-domain': evil, 'mx-host': [evil] },
      summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 1 },
      'failure-details': [{ 'result-type': evil, 'sending-mta-ip': evil, 'receiving-mx-hostname': evil, 'receiving-mx-helo': evil,
        'receiving-ip': evil, 'failed-session-count': 1, 'additional-information': evil, 'failure-reason-code': evil }],
    }],
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtasts-xss-'));
  const file = path.join(dir, `${evil.replace(/[/<>"=]/g, '_')}.json`);
  fs.writeFileSync(file, JSON.stringify(report));
  const { page, errors, requests } = await openPage(browser, `${site.url}/#/reports`);
  await page.evaluate(() => { window.__xss = 0; });
  await page.setInputFiles('input#report-files', [file]);
  await page.locator('.metric[data-metric="reports"]').waitFor();
  await page.locator('tr.failure-row button.expand').first().click();
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  assert.equal(await page.locator('.dashboard img').count(), 0);
  assert.equal(await page.locator('.dashboard script').count(), 0);
  assert.ok((await page.locator('.dashboard').textContent()).includes('<img src=x onerror='));
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(site.url) || u.endsWith('/x')), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a Content-Security-Policy forbids inline script, eval and plain-http connections', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/reports`);
  const violations = [];
  await page.exposeFunction('__cspViolation', (v) => violations.push(v));
  await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)));
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
  assert.match(csp, /connect-src 'self' https:;/);
  assert.doesNotMatch(csp, /'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
  // The app itself runs under it (it rendered, nothing was blocked) ...
  await page.locator('#try-sample').click();
  await page.locator('.metric[data-metric="reports"]').waitFor();
  // ... while what it forbids is blocked: injected inline script and plain-http fetches.
  // (eval cannot be probed from here: DevTools evaluation is exempt from CSP; the policy
  // string above has no 'unsafe-eval'.)
  const blocked = await page.evaluate(async () => {
    const out = {};
    const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.appendChild(s);
    out.inline = window.__inline ? 'ran' : 'blocked';
    try { await fetch('http://example.invalid/'); out.fetch = 'ran'; } catch { out.fetch = 'blocked'; }
    return out;
  });
  assert.deepEqual(blocked, { inline: 'blocked', fetch: 'blocked' });
  await page.waitForTimeout(100);
  assert.equal(violations.length, 2, JSON.stringify(violations));
  // The violations are the two probes above; the console errors they log are expected.
  assert.deepEqual(errors.filter((e) => !/Content Security Policy|Refused to|Failed to fetch/.test(e)), []);
});

test('a dropped file, a picked folder, and the live policy comparison', async () => {
  const { page, errors, requests } = await openPage(browser, `${site.url}/#/reports`);
  await page.locator('input#report-folder').waitFor({ state: 'attached' });
  await page.locator('#check-dkim').uncheck(); // the folder has a signed email: no lookup here
  const json = fs.readFileSync(path.join(CORPUS, 'parsedmarc', 'rfc8460.json'), 'utf8');
  const dt = await page.evaluateHandle((text) => {
    const d = new DataTransfer();
    d.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    return d;
  }, json);
  await page.dispatchEvent('.intake', 'drop', { dataTransfer: dt });
  await page.locator('.metric[data-metric="reports"][data-value="1"]').waitFor();
  assert.match(await page.locator('tr.file').first().textContent(), /dropped\.json/);
  // A folder, read recursively, names files by their path inside it.
  await page.setInputFiles('input#report-folder', path.join(CORPUS, 'parsedmarc'));
  await page.locator('.metric[data-metric="duplicates"][data-value="3"]').waitFor();
  assert.equal(await metric(page, 'reports'), 5);
  assert.ok((await page.locator('table.files').textContent()).includes('parsedmarc/extracted/'));
  // Paste the live policy: the RFC example's testing policy now differs from an enforce one.
  await page.locator('details.live summary').click();
  await page.fill('#live-policy', 'version: STSv1\nmode: enforce\nmx: *.mail.company-y.example\nmax_age: 86400\n');
  await page.locator('[data-compare="differs"]').first().waitFor();
  assert.match(await page.locator('.diff').first().textContent(), /− mode: testing \(reporters\).*\+ mode: enforce \(live\)/);
  await page.fill('#live-policy', 'version: STSv1\nmode: testing\nmx: *.mail.company-y.example\nmax_age: 86400\n');
  await page.locator('[data-compare="same"]').first().waitFor();
  // Only the chosen domain's policies are compared (company-y.example has the most sessions).
  assert.equal(await page.inputValue('#live-domain'), 'company-y.example');
  assert.equal(await page.locator('[data-compare]').count(), 1);
  await screenshot(page, 'reports-folder-and-live-policy');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(site.url)), []);
});

test('the daily chart is a time axis: a silent day is a marked gap, the year shows where it turns', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/reports`);
  await page.locator('input#report-files').waitFor({ state: 'attached' });
  const report = (id, day, ok, failed) => ({
    name: `${id}.json`,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({
      'organization-name': 'google.com', 'contact-info': 'x@google.com', 'report-id': id,
      'date-range': { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` },
      policies: [{
        policy: { 'policy-type': 'sts', 'policy-string': ['version: STSv1', 'mode: testing', 'mx: mx.example.com', 'max_age: 86400'], 'policy-domain': 'example.com' },
        summary: { 'total-successful-session-count': ok, 'total-failure-session-count': failed },
        'failure-details': failed ? [{ 'result-type': 'certificate-expired', 'receiving-mx-hostname': 'mx.example.com', 'failed-session-count': failed }] : [],
      }],
    })),
  });
  await page.setInputFiles('input#report-files', [
    report('a', '2023-12-29', 1200, 0), report('b', '2023-12-30', 1350, 4),
    report('c', '2024-01-01', 980, 0), report('d', '2024-01-02', 1410, 12), report('e', '2024-01-03', 1500, 0),
  ]);
  await page.locator('.metric[data-metric="reports"]').waitFor();
  assert.equal(await page.locator('svg.chart').first().locator('g.day[data-day]').count(), 5);
  assert.equal(await page.locator('svg.chart').first().locator('g.day[data-silent-day="2023-12-31"]').count(), 1);
  assert.equal(await page.locator('.silent-days').getAttribute('data-silent-days'), '1');
  const labels = await page.locator('svg.chart').first().locator('text.axis').allTextContents();
  assert.ok(labels.includes('2023-12-29') && labels.includes('2024-01-01'), labels.join(' | '));
  await page.locator('.charts').first().screenshot({ path: `${ROOT}/tests/e2e/artifacts/reports-gap-day.png` });
  assert.deepEqual(errors, []);
});

test('JSON that is not a report is refused: the paste keeps its text and says why, and no dashboard of zeros', async () => {
  const { page } = await openPage(browser, `${site.url}/#/reports`);
  await page.locator('details.paste summary').click();
  await page.locator('#report-paste').fill('{}');
  await page.locator('#add-pasted').click();
  await page.locator('#report-paste-error').waitFor();
  assert.match(await page.locator('#report-paste-error').textContent(), /not a TLS report.*empty object/);
  assert.equal(await page.locator('#report-paste').inputValue(), '{}', 'the text stays to be fixed');
  assert.equal(await page.locator('#report-paste').getAttribute('aria-invalid'), 'true');
  await page.locator('[data-no-reports]').waitFor();
  assert.equal(await page.locator('.metric').count(), 0, 'no dashboard of zeros');
  assert.equal(await page.locator('table.files tr[data-status]').count(), 1);
  // A real report pasted next is counted, and the box empties.
  const good = fs.readFileSync(path.join(CORPUS, 'parsedmarc', 'rfc8460.json'), 'utf8');
  await page.locator('#report-paste').fill(good);
  await page.locator('#add-pasted').click();
  await page.locator('.metric[data-metric="reports"]').waitFor();
  assert.equal(await metric(page, 'reports'), 1);
  assert.equal(await page.locator('#reports-announce').textContent(), '1 report read from 2 inputs.');
  assert.equal(await page.locator('#report-paste').inputValue(), '');
  assert.equal(await page.locator('#report-paste-error').count(), 0);
  await page.close();
});

test('a 2,500-report mailbox: its failure groups and findings reach the page whole, in pieces', async () => {
  // The worker sends failure groups and kept findings in pieces of 1,000: this mailbox
  // needs three of each, and the table's first and last rows come from the last piece.
  const n = 2500;
  const message = (i) => {
    const report = {
      'organization-name': 'Big Mail', 'report-id': `big-${i}`, 'contact-info': 'tlsrpt@big.example',
      'date-range': { 'start-datetime': '2024-03-01T00:00:00Z', 'end-datetime': '2024-03-01T23:59:59Z' },
      policies: [{
        policy: { 'policy-type': 'sts', 'policy-domain': 'example.com', 'mx-host': ['mx.example.com'] },
        summary: { 'total-successful-session-count': 10, 'total-failure-session-count': i + 1 },
        'failure-details': [{
          'result-type': 'certificate-expired', 'sending-mta-ip': `10.${(i >> 8) & 255}.${i & 255}.1`,
          'receiving-mx-hostname': 'mx.example.com', 'failed-session-count': i + 1,
        }],
      }],
    };
    // No TLS-Report-Domain header: one info finding per message.
    return `From tlsrpt@big.example Fri Mar  1 00:00:00 2024\nContent-Type: application/tlsrpt+json\n\n${JSON.stringify(report)}\n`;
  };
  const mbox = path.join(os.tmpdir(), `mtasts-e2e-${process.pid}.mbox`);
  fs.writeFileSync(mbox, Array.from({ length: n }, (_, i) => message(i)).join(''));
  const { page, errors } = await openPage(browser, `${site.url}/#/reports`);
  await page.locator('input#report-files').waitFor({ state: 'attached' });
  await page.setInputFiles('input#report-files', mbox);
  await page.locator('table.files').waitFor({ timeout: 60000 });
  fs.rmSync(mbox);
  assert.equal(await metric(page, 'reports'), n);
  assert.equal(await metric(page, 'failed'), (n * (n + 1)) / 2);
  assert.equal(await page.locator('.failures h2').textContent(), `Failure details (${n} groups)`);
  // Most sessions first: report 2,500's group, from the third piece, with its finding.
  const first = page.locator('tr.failure-row').first();
  assert.match(await first.textContent(), /10\.9\.195\.1.*2,500/);
  await first.locator('button.expand').click();
  assert.match(await page.locator('tr.failure-detail').textContent(), /report\/missing-report-headers/);
  assert.match(await page.locator('tr.failure-detail').textContent(), /big-2499/);
  // Fewest first: only the shown hundred are sorted, and they are the right hundred.
  await page.locator('th button.sort', { hasText: 'Sessions' }).click();
  await page.locator('th[aria-sort="ascending"]').waitFor();
  const sessions = await page.locator('tr.failure-row td.num').allTextContents();
  assert.deepEqual(sessions, Array.from({ length: 100 }, (_, i) => String(i + 1)));
  assert.deepEqual(errors, []);
});
