// Benchmark, not a test: time from giving the page N gzipped reports (the file input's
// change event, which is what a drop or a pick fires) to the rendered dashboard with its
// tables, in headless
// Chromium, and the longest main-thread task meanwhile. The time Playwright itself needs to
// hand 10,000 files to the browser (seconds) is before the change event and not counted.
// Usage: node bench-reports.mjs DIR_OF_JSON_GZ [N ...]   (see tests/bench/run.sh)
// Each measurement is made RUNS times (environment, default 5), alternating with the others,
// and the medians are printed: on a 2-core machine one run's ratio moves by ±0.2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { serveDist, launch, ROOT } from './lib.mjs';

const dir = process.argv[2];
const counts = (process.argv.slice(3).length ? process.argv.slice(3) : ['1000', '10000']).map(Number);
const RUNS = Math.max(1, Number(process.env.RUNS || 5));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.json.gz')).sort().map((f) => path.join(dir, f));
const site = await serveDist();
const browser = await launch();
console.log('| gzipped reports | drop to rendered dashboard | longest task | tasks over 100 ms |');
console.log('|---:|---:|---:|---:|');
/** Gives the page `files`, waits for the dashboard of `expect` reports; ms and long tasks. */
async function drop(files, expect) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${site.url}/#/reports`);
  await page.locator('input#report-files').waitFor({ state: 'attached' });
  // The page starts its report workers when it opens; a person picks files seconds later.
  // Without this pause the time would include loading and compiling the worker module.
  await page.waitForTimeout(2000);
  await page.evaluate(() => {
    window.__long = [];
    document.querySelector('input#report-files').addEventListener('change', () => {
      window.__t0 = performance.now();
    }, { capture: true });
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: false });
  });
  await page.setInputFiles('input#report-files', files);
  await page.waitForFunction((n) => {
    const m = document.querySelector('.metric[data-metric="reports"]');
    return m && document.querySelector('table.files')
      && Number(m.dataset.value) + Number(document.querySelector('.metric[data-metric="duplicates"]').dataset.value) === n;
  }, expect, { timeout: 300000, polling: 50 });
  const ms = await page.evaluate(() => performance.now() - window.__t0);
  // Tasks that began before the change event are the browser taking in the files.
  const long = await page.evaluate(() => window.__long.filter(([start]) => start >= window.__t0).map(([, d]) => d));
  // The floor: the same browser only reading the same files (arrayBuffer of each).
  await page.evaluate(() => {
    const i = document.createElement('input');
    i.type = 'file'; i.multiple = true; i.id = 'floor'; document.body.append(i);
  });
  await page.setInputFiles('input#floor', files);
  const floor = await page.evaluate(async () => {
    const t0 = performance.now();
    await Promise.all(Array.from(document.querySelector('#floor').files).map((f) => f.arrayBuffer()));
    return performance.now() - t0;
  });
  await page.close();
  return { ms, long, floor };
}

const byCount = new Map(counts.map((n) => [n, []]));
for (let run = 0; run < RUNS; run++) {
  for (const n of counts) {
    const files = all.slice(0, n);
    const { ms, long, floor } = await drop(files, files.length);
    byCount.get(n).push(ms / floor);
    const max = long.length ? Math.max(...long) : 0;
    console.log(`| ${files.length} | ${(ms / 1000).toFixed(2)} s | ${max.toFixed(0)} ms | ${long.filter((d) => d > 100).length} |`
      + ` read floor ${(floor / 1000).toFixed(2)} s, ratio ${(ms / floor).toFixed(2)} (target ≤ 1.3); tasks over 50 ms: ${long.filter((d) => d > 50).length} |`);
  }
}
for (const [n, ratios] of byCount) {
  console.log(`${n} .json.gz: median ratio to the read floor ${median(ratios).toFixed(2)} over ${ratios.length} runs`
    + ` (${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≤ 1.3)`);
}

// One mailbox export of the largest N reports, against the native CLI on the same file.
const n = Math.max(...counts);
const mbox = path.join(os.tmpdir(), `mtasts-bench-${n}.mbox`);
const out = fs.openSync(mbox, 'w');
for (const f of all.slice(0, n)) {
  fs.writeSync(out, 'From tlsrpt@example.com Mon Jan  1 00:00:00 2024\nContent-Type: application/tlsrpt+json\n\n');
  fs.writeSync(out, zlib.gunzipSync(fs.readFileSync(f)));
  fs.writeSync(out, '\n');
}
fs.closeSync(out);
const cli = path.join(ROOT, 'target', 'release', 'mtasts');
const mboxRatios = [];
for (let run = 0; run < RUNS; run++) {
  const nativeRuns = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = spawnSync(cli, ['report', '--json', mbox], { maxBuffer: 1 << 30 });
    nativeRuns.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 1) throw new Error(`mtasts report failed: ${r.stderr}`);
  }
  const native = median(nativeRuns);
  const { ms, long } = await drop([mbox], n);
  mboxRatios.push(ms / native);
  console.log(`\n${n}-message mbox (${(fs.statSync(mbox).size / 1e6).toFixed(1)} MB): page ${(ms / 1000).toFixed(2)} s,`
    + ` native mtasts report --json ${(native / 1000).toFixed(2)} s (median of 5), ratio ${(ms / native).toFixed(2)} (target ≤ 3);`
    + ` longest main-thread task ${(long.length ? Math.max(...long) : 0).toFixed(0)} ms, tasks over 50 ms: ${long.filter((d) => d > 50).length}`);
}
console.log(`mbox: median ratio to native ${median(mboxRatios).toFixed(2)} over ${mboxRatios.length} runs`
  + ` (${mboxRatios.map((r) => r.toFixed(2)).join(', ')}; target ≤ 3)`);
fs.rmSync(mbox);
await browser.close();
await site.close();
