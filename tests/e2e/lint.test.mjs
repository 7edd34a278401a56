// The Lint view in a real Chromium against the built site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './lib.mjs';

let site;
let browser;

before(async () => {
  site = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

async function lint(page, text) {
  await page.fill('#lint-input', text);
}

test('an invalid policy shows its codes, spans and verdict', async () => {
  const { page, errors, requests } = await openPage(browser, `${site.url}/#/lint/policy`);
  await page.locator('#lint-input').waitFor();
  await lint(page, 'version: STSv1\nmode: enforce\nmx: *.*.example.com\nmx: mail.example.com\nmax_age: 99999999\n');
  const finding = page.locator('li.finding[data-code="sts-policy/max-age-out-of-range"]');
  await finding.waitFor();
  assert.equal(await finding.getAttribute('data-severity'), 'error');
  assert.match(await finding.textContent(), /RFC 8461 §3\.2/);
  assert.equal(await page.locator('li.finding[data-code="sts-policy/mx-bad-wildcard"]').count(), 1);
  assert.equal(await page.locator('.verdict').getAttribute('data-valid'), 'false');
  // The offending text is marked in the annotated copy of the input.
  const marks = await page.locator('.annotated mark.sev-error').allTextContents();
  assert.ok(marks.includes('99999999'), `marks: ${JSON.stringify(marks)}`);
  // Hovering a finding lights up its span.
  await finding.hover();
  assert.equal(await page.locator('.annotated mark.active').textContent(), '99999999');
  await page.mouse.move(0, 0);
  // And by keyboard: an underline is a tab stop described by its finding, and focusing it
  // lights the finding up; focusing a finding lights its underline up.
  const mark = page.locator('.annotated mark', { hasText: '99999999' });
  const describedBy = await mark.getAttribute('aria-describedby');
  assert.ok(describedBy && (await page.locator(`#${describedBy.split(' ')[0]}`).getAttribute('data-code')).startsWith('sts-policy/max-age'), describedBy);
  await mark.focus();
  await page.locator('li.finding.active[data-code="sts-policy/max-age-out-of-range"]').waitFor();
  await page.keyboard.press('Shift+Tab');
  await page.locator('li.finding[data-code="sts-policy/mx-bad-wildcard"]').focus();
  const lit = await page.locator('.annotated mark.active').allTextContents();
  assert.ok(lit.length > 0 && lit.every((t) => '*.*.example.com'.includes(t)), JSON.stringify(lit));
  const rfc = finding.locator('a.rfc');
  assert.equal(await rfc.getAttribute('href'), 'https://www.rfc-editor.org/rfc/rfc8461#section-3.2');
  await screenshot(page, 'lint-policy-invalid');
  assert.deepEqual(errors, []);
  // Everything happened locally: the page fetched only its own files.
  assert.deepEqual(requests.filter((u) => !u.startsWith(site.url)), []);
});

test('a valid policy is valid', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/lint/policy`);
  await page.locator('#lint-input').waitFor();
  await lint(page, 'version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n');
  await page.locator('.verdict[data-valid="true"]').waitFor();
  assert.equal(await page.locator('li.finding').count(), 0);
  assert.match(await page.locator('.summary').textContent(), /604800 s \(7 days\)/);
  assert.deepEqual(errors, []);
});

test('the record tabs apply the record-set rule', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/lint/sts-record`);
  await page.locator('.lint[data-kind="sts-record"]').waitFor();
  await lint(page, 'v=STSv1; id=1\nv=STSv1; id=2\n');
  await page.locator('li.finding[data-code="sts-txt/multiple-records"]').first().waitFor();
  assert.equal(await page.locator('li.finding[data-code="sts-txt/multiple-records"]').count(), 2);
  await page.click('a.tab[data-kind="tlsrpt-record"]');
  await page.locator('.lint[data-kind="tlsrpt-record"]').waitFor();
  assert.equal(new URL(page.url()).hash, '#/lint/tlsrpt-record');
  await lint(page, 'v=TLSRPTv1; rua=http://reports.example.com/');
  await page.locator('li.finding[data-code="tlsrpt-txt/rua-unsupported-scheme"]').waitFor();
  await screenshot(page, 'lint-tlsrpt-invalid');
  // Back to the first tab: its text was kept.
  await page.goBack();
  await page.locator('.lint[data-kind="sts-record"]').waitFor();
  assert.equal(await page.inputValue('#lint-input'), 'v=STSv1; id=1\nv=STSv1; id=2\n');
  assert.deepEqual(errors, []);
});

test('examples load and the page works offline once loaded', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/lint/policy`);
  await page.locator('#lint-input').waitFor();
  // The service worker has precached this build: the network can go.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.context().setOffline(true);
  await page.click('button[data-example="1"]');
  await page.locator('li.finding[data-code="sts-policy/bad-mode"]').waitFor();
  await page.click('button[data-example="0"]');
  await page.locator('.verdict[data-valid="true"]').waitFor();
  // Offline, a reload still opens the app; Lint (a report, by the report worker) and
  // Reports work, and the Check page says it needs the network.
  await page.reload();
  await page.locator('.offline-banner[data-offline="true"]').waitFor();
  await page.goto(`${site.url}/#/lint/report`);
  // A hash change re-renders after goto returns: wait for the report tab, or the click
  // lands on the policy tab's example button still on screen.
  await page.locator('.lint[data-kind="report"]').waitFor();
  await page.click('button[data-example="1"]');
  await page.locator('li.finding[data-code="report/datetime-no-timezone"]').first().waitFor();
  await page.goto(`${site.url}/#/reports`);
  await page.click('#try-sample');
  await page.locator('.metric[data-metric="reports"]').waitFor();
  assert.ok(Number(await page.locator('.metric[data-metric="reports"]').getAttribute('data-value')) > 0);
  await page.context().setOffline(false);
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
});

test('a pasted TLS-RPT report shows its quirks where they are', async () => {
  const { page, errors, requests } = await openPage(browser, `${site.url}/#/lint/report`);
  await page.locator('.lint[data-kind="report"]').waitFor();
  await page.click('button[data-example="1"]');
  const tz = page.locator('li.finding[data-code="report/datetime-no-timezone"]');
  await tz.first().waitFor();
  assert.equal(await tz.count(), 2);
  assert.equal(await tz.first().getAttribute('data-severity'), 'info');
  await page.locator('li.finding[data-code="report/policy-string-json-array"]').waitFor();
  assert.equal(await page.locator('.verdict').getAttribute('data-valid'), 'true');
  // The finding's JSON pointer was turned into a span of the pasted text.
  await tz.first().hover();
  assert.equal(await page.locator('.annotated mark.active').textContent(), '"2023-01-10T00:00:00"');
  await lint(page, '{"organization-name": "x", ');
  await page.locator('li.finding[data-code="report/not-json"]').waitFor();
  assert.equal(await page.locator('.verdict').getAttribute('data-valid'), 'false');
  await screenshot(page, 'lint-report');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(site.url)), []);
});

test('a pasted curl capture of the policy fetch is checked like a sender would', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/lint/policy-fetch`);
  await page.locator('.lint[data-kind="policy-fetch"]').waitFor();
  assert.match(await page.locator('.hint').first().textContent(), /curl -sS -D - --max-redirs 0/);
  await page.click('button[data-example="1"]');
  await page.locator('li.finding[data-code="sts-fetch/redirect"]').waitFor();
  await lint(page, 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n');
  await page.locator('li.finding[data-code="sts-fetch/content-type"]').waitFor();
  assert.equal(await page.locator('.annotated mark.sev-error').first().textContent(), 'Content-Type: text/html');
  assert.deepEqual(errors, []);
});

test('a curl -L capture (301 then 200) is a redirect error, not valid', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/lint/policy-fetch`);
  await page.locator('#lint-input').waitFor();
  await lint(page, 'HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.com/mta-sts.txt\r\n\r\nHTTP/2 200\r\ncontent-type: text/plain\r\n\r\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n');
  await page.locator('li.finding[data-code="sts-fetch/redirect"]').waitFor();
  assert.equal(await page.locator('.verdict').getAttribute('data-valid'), 'false');
  assert.deepEqual(errors, []);
});

test('a 5 MB pasted report with thousands of findings keeps the page responsive', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/lint/report`);
  await page.locator('#lint-input').waitFor();
  const n = 30000;
  const detail = `{"result-type":"made-up-type","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx.example.com","failed-session-count":1,"padding":"${'x'.repeat(100)}"}`;
  const report = `{"organization-name":"big","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},"contact-info":"x","report-id":"big","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com","policy-string":["version: STSv1"]},"summary":{"total-successful-session-count":0,"total-failure-session-count":${n}},"failure-details":[${Array(n).fill(detail).join(',\n')}]}]}`;
  assert.ok(report.length > 5_000_000);
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask' });
  });
  // A paste: the value arrives at once with one input event (page.fill types it through
  // the editor, which takes minutes for 5 MB).
  const started = Date.now();
  await page.evaluate((text) => {
    const area = document.querySelector('#lint-input');
    area.value = text;
    area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, report);
  await page.locator('#show-all-findings').waitFor({ timeout: 60000 });
  const ms = Date.now() - started;
  assert.equal(await page.locator('li.finding').count(), 200, 'the first 200 findings are listed');
  assert.match(await page.locator('.more-findings').textContent(), /of 6[0-9],[0-9]{3}|of 6[0-9]{4}/);
  // Typing one more character is not a new multi-second freeze: the big paste is linted
  // once typing pauses.
  const before = await page.evaluate(() => window.__long.length);
  await page.locator('#lint-input').press('End');
  await page.locator('#lint-input').type(' ');
  const typedLong = await page.evaluate((b) => window.__long.slice(b), before);
  const longest = await page.evaluate(() => Math.max(0, ...window.__long));
  console.log(`# 5 MB report, ${n * 2}+ findings: shown in ${ms} ms; longest main-thread task ${longest.toFixed(0)} ms; tasks over 50 ms while typing one key: ${typedLong.length}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a first visit opens on a correct example, not a page of red', async () => {
  for (const kind of ['policy', 'sts-record', 'tlsrpt-record', 'policy-fetch']) {
    const { page } = await openPage(browser, `${site.url}/#/lint/${kind}`);
    await page.locator('.verdict[data-valid]').waitFor();
    assert.equal(await page.locator('.verdict').getAttribute('data-valid'), 'true', kind);
    assert.equal(await page.locator('li.finding[data-severity="error"]').count(), 0, kind);
    await page.close();
  }
});

test('the Lint text is kept across reloads when the user opts in, and only then', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/#/lint/policy`);
  await page.locator('#lint-input').waitFor();
  const mine = 'version: STSv1\nmode: testing\nmx: mail.mine.test\nmax_age: 86400\n';
  await page.locator('#lint-input').fill(mine);
  await page.waitForTimeout(500);
  await page.reload();
  await page.locator('#lint-input').waitFor();
  assert.notEqual(await page.locator('#lint-input').inputValue(), mine, 'not kept without opting in');
  await page.locator('#lint-input').fill(mine);
  await page.locator('#keep-lint').check();
  await page.locator('#keep-lint-note', { hasText: 'kept in this browser' }).waitFor();
  await page.goto(`${site.url}/#/lint/sts-record`);
  await page.locator('#lint-input').fill('v=STSv1; id=mine');
  await page.waitForTimeout(600);
  await page.reload();
  await page.locator('#lint-input').waitFor();
  await page.waitForFunction(() => document.querySelector('#lint-input').value === 'v=STSv1; id=mine');
  await page.goto(`${site.url}/#/lint/policy`);
  assert.equal(await page.locator('#lint-input').inputValue(), mine);
  assert.ok(await page.locator('#keep-lint').isChecked());
  // Opting out forgets: a reload opens on the examples again.
  await page.locator('#keep-lint').uncheck();
  await page.locator('#keep-lint-note', { hasText: 'Nothing kept' }).waitFor();
  await page.reload();
  await page.locator('#lint-input').waitFor();
  await page.waitForTimeout(300);
  assert.notEqual(await page.locator('#lint-input').inputValue(), mine);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a policy with mechanical mistakes gets a corrected copy that lints clean', async () => {
  const { page } = await openPage(browser, `${site.url}/#/lint/policy`);
  await page.locator('#lint-input').waitFor();
  await page.fill('#lint-input', 'mode: Enforce\nversion: STSv1\nmx: Mail.Example.com.\nmax-age: 604800\n');
  const fixed = page.locator('#lint-fix [data-artifact="policy"]');
  await fixed.waitFor();
  const text = await fixed.evaluate((e) => e.textContent);
  assert.equal(text, 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n');
  assert.equal(await page.locator('#lint-fix .changes li').count(), 4);
  await page.fill('#lint-input', text);
  await page.waitForFunction(() => document.querySelector('.verdict')?.dataset.valid === 'true');
  assert.equal(await page.locator('#lint-fix').count(), 0, 'nothing left to fix');
  // A mistake that needs a decision gets no automatic copy.
  await page.fill('#lint-input', 'version: STSv1\nmode: enforce\nmx: *.*.example.net\nmax_age: 604800\n');
  await page.locator('.verdict[data-valid="false"]').waitFor();
  assert.equal(await page.locator('#lint-fix').count(), 0);
  await page.close();
});
