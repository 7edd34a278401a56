import { serveDist, launch, openPage, screenshot } from './lib.mjs';
import { startMock } from '../mock/server.mjs';
const site = await serveDist();
const mock = await startMock();
const browser = await launch(mock.chromiumArgs);
for (const d of process.argv.slice(2)) {
  const { page, errors } = await openPage(browser, `${site.url}/?doh=${encodeURIComponent(mock.doh)}&doh2=${encodeURIComponent(mock.doh2)}#/check/${d}`);
  try { await page.locator('[data-verdict]').waitFor({ timeout: 8000 }); } catch (e) { console.log('no verdict', e.message.split('\n')[0]); }
  const v = await page.locator('[data-verdict]').getAttribute('data-verdict').catch(() => null);
  const codes = await page.locator('[data-code]').evaluateAll((els) => els.map((e) => e.dataset.code));
  const meta = await page.locator('.check-meta').textContent().catch(() => '');
  console.log(d, v, JSON.stringify(codes), meta, errors);
  await screenshot(page, `explore-${d}`);
  await page.close();
}
console.log(mock.log.filter(l => !l.includes('dns-query')).join('\n'));
await browser.close(); await mock.close(); await site.close();
