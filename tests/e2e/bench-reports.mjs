// Benchmark, not a test: time from giving the page N gzipped reports (the file input's
// change event, which is what a drop or a pick fires) to the rendered dashboard with its
// tables, in headless
// Chromium, and the longest main-thread task meanwhile. The time Playwright itself needs to
// hand 10,000 files to the browser (seconds) is before the change event and not counted.
// Usage: node bench-reports.mjs DIR_OF_JSON_GZ [N ...]   (see tests/bench/run.sh)
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch } from './lib.mjs';

const dir = process.argv[2];
const counts = (process.argv.slice(3).length ? process.argv.slice(3) : ['1000', '10000']).map(Number);
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.json.gz')).sort().map((f) => path.join(dir, f));
const site = await serveDist();
const browser = await launch();
console.log('| gzipped reports | drop to rendered dashboard | longest task | tasks over 100 ms |');
console.log('|---:|---:|---:|---:|');
for (const n of counts) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${site.url}/#/reports`);
  await page.locator('input#report-files').waitFor({ state: 'attached' });
  await page.evaluate(() => {
    window.__long = [];
    document.querySelector('input#report-files').addEventListener('change', () => {
      window.__t0 = performance.now();
    }, { capture: true });
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: false });
  });
  const files = all.slice(0, n);
  await page.setInputFiles('input#report-files', files);
  await page.waitForFunction((n) => {
    const m = document.querySelector('.metric[data-metric="reports"]');
    return m && document.querySelector('table.files')
      && Number(m.dataset.value) + Number(document.querySelector('.metric[data-metric="duplicates"]').dataset.value) === n;
  }, files.length, { timeout: 120000, polling: 50 });
  const ms = await page.evaluate(() => performance.now() - window.__t0);
  // Tasks that began before the change event are the browser taking in the files.
  const long = await page.evaluate(() => window.__long.filter(([start]) => start >= window.__t0).map(([, d]) => d));
  const before = await page.evaluate(() => window.__long.filter(([start]) => start < window.__t0).map(([, d]) => d));
  if (before.length) console.error(`(the browser's own file intake: ${before.map((d) => d.toFixed(0)).join(', ')} ms, not counted)`);
  const max = long.length ? Math.max(...long) : 0;
  console.log(`| ${files.length} | ${(ms / 1000).toFixed(2)} s | ${max.toFixed(0)} ms | ${long.filter((d) => d > 100).length} |`);
  await page.close();
}
await browser.close();
await site.close();
