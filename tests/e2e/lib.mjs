// Shared helpers for the browser tests: a static server for dist/ on a free loopback
// port, and Debian Chromium driven by playwright-core (no browser download, ever).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startMock } from '../mock/server.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const DIST = process.env.MTASTS_DIST ? path.resolve(process.env.MTASTS_DIST) : path.join(ROOT, 'dist');
export const ARTIFACTS = path.join(ROOT, 'tests', 'e2e', 'artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png',
  '.gz': 'application/gzip', '.txt': 'text/plain',
};

/** Serves dist/ on 127.0.0.1 at a free port; resolves to { url, close }. */
export function serveDist() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`no build at ${DIST}: run "trunk build --release" first`);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.normalize(path.join(DIST, decodeURIComponent(url.pathname)));
    if (!file.startsWith(DIST)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
  }));
}

/** Launches Debian's Chromium headless with the flags this machine needs. */
export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...extraArgs],
  });
}

/** Opens a page that records page errors, console errors and every request it makes. */
/** The built site, the mock resolver and policy hosts, and Chromium routed to the mock:
 * what the Check, Deploy and accessibility tests start before their tests. */
export async function startSiteAndMock() {
  const env = {};
  try {
    env.site = await serveDist();
    env.mock = await startMock();
    env.browser = await launch(env.mock.chromiumArgs);
    return env;
  } catch (e) {
    await stopSiteAndMock(env); // what did start is not left running
    throw e;
  }
}

/** Stops what [startSiteAndMock] started. */
export async function stopSiteAndMock({ site, mock, browser }) {
  await browser?.close();
  await mock?.close();
  await site?.close();
}

export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, errors, requests };
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** True for the site's own on-demand files (the report worker, the report analyser's module,
 * the service worker and what it precaches): fetched from the site itself on first use, and
 * never carrying anything the user gave. */
export function ownModule(url, site) {
  if (!url.startsWith(site)) return false;
  const p = new URL(url).pathname;
  return /^\/(report-worker|reports-ui|mtasts-web|style|favicon)-[0-9a-f]+[._]/.test(p) || /^\/(sw\.js|snippets\/.*\.js)?$/.test(p);
}
