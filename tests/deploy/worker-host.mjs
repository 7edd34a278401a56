// Runs a generated serverless worker script (`mtasts init --out DIR` writes
// DIR/worker/mta-sts.js) behind Node's own HTTPS server, the way a worker runtime calls its
// fetch handler: each request becomes a standard Request, the handler's Response is sent
// back as it is. Loopback only; prints "listening 127.0.0.1:PORT" once ready.
//
//   node tests/deploy/worker-host.mjs SCRIPT CERT KEY
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [script, cert, key] = process.argv.slice(2);
const worker = (await import(pathToFileURL(path.resolve(script)).href)).default;

const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, async (req, res) => {
  try {
    const url = `https://${req.headers.host || 'localhost'}${req.url}`;
    const response = await worker.fetch(new Request(url, { method: req.method, headers: req.headers }));
    const headers = Object.fromEntries(response.headers.entries());
    res.writeHead(response.status, headers);
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(await response.arrayBuffer()));
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`the worker threw: ${e.stack}`);
  }
});
server.listen(0, '127.0.0.1', () => console.log(`listening 127.0.0.1:${server.address().port}`));
