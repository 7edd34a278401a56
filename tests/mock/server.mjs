// A mock of the outside world for the domain check, on loopback only: a DNS-over-HTTPS
// resolver (RFC 8484, GET ?dns=) for a zone of scenario domains under .test, and the HTTPS
// policy hosts mta-sts.<scenario>.test. Chromium reaches the policy hosts through
// --host-resolver-rules (see chromiumArgs) and accepts the test certificate with
// --ignore-certificate-errors; the page is pointed at the resolver with ?doh=. The CLI
// (`mtasts check --doh ... --resolve mta-sts.<d>=127.0.0.1:PORT --ca-cert ca.pem`) checks
// the certificate for real: cert.pem is signed by the test CA in ca.pem (make-certs.sh).
//
//   node tests/mock/server.mjs [port [zone.json]]   # by hand; prints the URLs and flags
//
// Paths: /dns-query (first resolver), /second/dns-query (a second resolver that sees the
// scenarios' "second" data: split horizon), /__latency/<ms> (delay every answer, DNS and
// policy alike, by ms; the latency knob), /.well-known/mta-sts.txt (by Host header).
import http2 from 'node:http2';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../e2e/package.json', import.meta.url));
const dnsPacket = require('dns-packet');

const HERE = path.dirname(fileURLToPath(import.meta.url));

const policy = (mode, mx, maxAge = 604800) =>
  `version: STSv1\nmode: ${mode}\n${mx.map((m) => `mx: ${m}`).join('\n')}\nmax_age: ${maxAge}\n`;
const rpt = (d) => [[`v=TLSRPTv1; rua=mailto:tlsrpt@${d}`]];
const sts = (id) => [[`v=STSv1; id=${id}`]];
const TLSA_DATA = Buffer.from('8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1', 'hex');

/**
 * The scenarios. Each domain D has: mx (preference, host; [] for NODATA), sts and rpt (TXT
 * records at _mta-sts.D and _smtp._tls.D, each a list of strings; null for NXDOMAIN), ad
 * (the AD bit on its answers), policy (what https://mta-sts.D/.well-known/mta-sts.txt
 * answers), and optional stsCname, servfail (names answering SERVFAIL), tlsa (per MX host),
 * second (what the second resolver sees instead).
 */
export const SCENARIOS = {
  'good.test': {
    mx: [[10, 'mx1.good.test'], [20, 'mx2.good.test']], sts: sts('20240101'), rpt: rpt('good.test'), ad: true,
    policy: { body: policy('enforce', ['mx1.good.test', 'mx2.good.test']) },
  },
  'testing.test': {
    mx: [[10, 'mail.testing.test']], sts: sts('1'), rpt: rpt('testing.test'),
    policy: { body: policy('testing', ['mail.testing.test'], 86400) },
  },
  'norecord.test': { mx: [[10, 'mail.norecord.test']], sts: null, rpt: null, policy: { status: 404, type: 'text/html', body: '<h1>Not found</h1>' } },
  // Issue 9: a syntactically invalid record in front of a good enforce policy. RFC 8461
  // §3.1: senders MUST assume there is no policy, so the domain is broken, not protected.
  'badid.test': {
    mx: [[10, 'mail.badid.test']], sts: [['v=STSv1; id=2026-11-29']], rpt: rpt('badid.test'),
    policy: { body: policy('enforce', ['mail.badid.test']) },
  },
  'tworecords.test': {
    mx: [[10, 'mail.tworecords.test']], sts: [['v=STSv1; id=1'], ['v=STSv1; id=2']], rpt: rpt('tworecords.test'),
    policy: { body: policy('enforce', ['mail.tworecords.test']) },
  },
  'multistring.test': {
    mx: [[10, 'mail.multistring.test']], sts: [['v=STSv1; ', 'id=2024', '0101']], rpt: rpt('multistring.test'),
    policy: { body: policy('enforce', ['mail.multistring.test']) },
  },
  'cname.test': {
    mx: [[10, 'mx.provider.test']], sts: null, stsCname: '_mta-sts.provider.test', rpt: rpt('cname.test'),
    policy: { body: policy('enforce', ['*.provider.test']) },
  },
  'redirect.test': {
    mx: [[10, 'mail.redirect.test']], sts: sts('1'), rpt: rpt('redirect.test'),
    policy: { status: 301, location: 'https://www.redirect.test/mta-sts.txt', body: '' },
  },
  'nocors.test': {
    mx: [[10, 'mail.nocors.test']], sts: sts('1'), rpt: rpt('nocors.test'),
    policy: { cors: false, body: policy('enforce', ['mail.nocors.test']) },
  },
  'contenttype.test': {
    mx: [[10, 'mail.contenttype.test']], sts: sts('1'), rpt: rpt('contenttype.test'),
    policy: { type: 'text/html', body: policy('enforce', ['mail.contenttype.test']) },
  },
  'html404.test': {
    mx: [[10, 'mail.html404.test']], sts: sts('1'), rpt: rpt('html404.test'),
    policy: { status: 404, type: 'text/html', body: '<!doctype html><title>404</title><h1>Not Found</h1>' },
  },
  'uncovered.test': {
    mx: [[10, 'mx1.uncovered.test'], [20, 'backup.mailhost.test']], sts: sts('1'), rpt: rpt('uncovered.test'),
    policy: { body: policy('enforce', ['mx1.uncovered.test', 'old.uncovered.test']) },
  },
  'deepwildcard.test': {
    mx: [[10, 'a.b.mail.deepwildcard.test']], sts: sts('1'), rpt: rpt('deepwildcard.test'),
    policy: { body: policy('enforce', ['*.mail.deepwildcard.test']) },
  },
  'nullmx.test': { mx: [[0, '.']], sts: null, rpt: null, policy: null },
  'dane.test': {
    mx: [[10, 'mx.dane.test']], sts: sts('7'), rpt: rpt('dane.test'), ad: true,
    tlsa: { 'mx.dane.test': [{ usage: 3, selector: 1, matchingType: 1, certificate: TLSA_DATA }] },
    policy: { body: policy('enforce', ['mx.dane.test']) },
  },
  'servfail.test': {
    mx: [[10, 'mail.servfail.test']], sts: sts('1'), rpt: rpt('servfail.test'), servfail: ['_mta-sts.servfail.test'],
    policy: { body: policy('enforce', ['mail.servfail.test']) },
  },
  'unreachable.test': { mx: [[10, 'mail.unreachable.test']], sts: sts('1'), rpt: rpt('unreachable.test'), policy: null },
  'split.test': {
    mx: [[10, 'mail.split.test']], sts: sts('new2'), rpt: rpt('split.test'),
    second: { sts: sts('old1') },
    policy: { body: policy('enforce', ['mail.split.test']) },
  },
  // Issue 10: a domain with mail and nothing else yet, the newcomer Deploy starts from.
  // A zone file (the second argument, or startMock's zone) replaces it with a generated setup.
  'deploy.test': { mx: [[10, 'mx1.mail.deploy.test'], [20, 'mx2.mail.deploy.test']], sts: null, rpt: null, policy: null },
};
// The provider a CNAME'd _mta-sts points at.
const EXTRA_TXT = { '_mta-sts.provider.test': sts('provider42') };

function scenarioOf(name) {
  const labels = name.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const d = labels.slice(i).join('.');
    if (SCENARIOS[d]) return [d, SCENARIOS[d]];
  }
  return [null, null];
}

/** The answer to one question: { rcode, ad, answers }. */
export function resolve(qname, qtype, view = 'first') {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const [d, s] = scenarioOf(name);
  const base = { rcode: 0, ad: Boolean(s && s.ad), answers: [] };
  const rr = (type, data, n = name) => ({ name: n, type, class: 'IN', ttl: 300, data });
  if (EXTRA_TXT[name]) {
    return qtype === 'TXT' ? { ...base, answers: EXTRA_TXT[name].map((t) => rr('TXT', t.map((x) => Buffer.from(x)))) } : base;
  }
  if (!s) return { ...base, rcode: 3 };
  if ((s.servfail || []).includes(name)) return { ...base, rcode: 2 };
  const data = view === 'second' && s.second ? { ...s, ...s.second } : s;
  const txt = (records) => records.map((t) => rr('TXT', t.map((x) => Buffer.from(x))));
  // Any other TXT records of a scenario (DKIM keys: "sel._domainkey.D": [["v=DKIM1; ..."]]).
  if (data.txt && data.txt[name]) return qtype === 'TXT' ? { ...base, answers: txt(data.txt[name]) } : base;
  if (name === d) {
    return qtype === 'MX' ? { ...base, answers: data.mx.map(([p, h]) => rr('MX', { preference: p, exchange: h })) } : base;
  }
  if (name === `_mta-sts.${d}`) {
    if (data.stsCname) {
      const target = data.stsCname;
      const answers = [rr('CNAME', target)];
      if (qtype === 'TXT' && EXTRA_TXT[target]) answers.push(...txt(EXTRA_TXT[target]).map((r) => ({ ...r, name: target })));
      return { ...base, answers };
    }
    if (!data.sts) return { ...base, rcode: 3 };
    return qtype === 'TXT' ? { ...base, answers: txt(data.sts) } : base;
  }
  if (name === `_smtp._tls.${d}`) {
    if (!data.rpt) return { ...base, rcode: 3 };
    return qtype === 'TXT' ? { ...base, answers: txt(data.rpt) } : base;
  }
  if (name === `mta-sts.${d}`) {
    if (!data.policy && d !== 'unreachable.test') return { ...base, rcode: 3 };
    if (qtype === 'A') return { ...base, answers: [rr('A', '127.0.0.1')] };
    return base;
  }
  const tlsaHost = name.startsWith('_25._tcp.') ? name.slice('_25._tcp.'.length) : null;
  if (tlsaHost !== null) {
    const recs = (data.tlsa || {})[tlsaHost];
    if (!recs) return { ...base, rcode: 3 };
    return qtype === 'TLSA' ? { ...base, answers: recs.map((r) => rr('TLSA', r)) } : base;
  }
  if (data.mx.some(([, h]) => h === name)) {
    return qtype === 'A' ? { ...base, answers: [rr('A', '192.0.2.25')] } : base;
  }
  return { ...base, rcode: 3 };
}

function dnsAnswer(query, view) {
  const q = dnsPacket.decode(query);
  const question = q.questions[0];
  const r = resolve(question.name, question.type, view);
  const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (r.ad ? dnsPacket.AUTHENTIC_DATA : 0) | r.rcode;
  return dnsPacket.encode({ type: 'response', id: q.id, flags, questions: q.questions, answers: r.answers });
}

/**
 * Starts the mock on 127.0.0.1 (port 0: a free one). `zone` (optional) adds or replaces
 * scenarios, in the shape of SCENARIOS: how tests serve the records `mtasts init` made.
 */
export function startMock(port = 0, zone = {}) {
  // From a JSON zone file, TLSA data comes as hex.
  for (const scenario of Object.values(zone)) {
    for (const recs of Object.values(scenario.tlsa || {})) {
      for (const r of recs) if (typeof r.certificate === 'string') r.certificate = Buffer.from(r.certificate, 'hex');
    }
  }
  Object.assign(SCENARIOS, zone);
  let latency = 0;
  const log = [];
  // HTTP/2, as public DoH resolvers speak it: the page's concurrent queries share one
  // connection instead of queueing for HTTP/1.1's six per host.
  const server = http2.createSecureServer({
    key: fs.readFileSync(path.join(HERE, 'key.pem')),
    cert: fs.readFileSync(path.join(HERE, 'cert.pem')),
    allowHTTP1: true,
  }, (req, res) => {
    const url = new URL(req.url, 'https://mock');
    const host = (req.headers[':authority'] || req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    log.push(`${req.method} ${host}${url.pathname}${url.search}`);
    const cors = { 'access-control-allow-origin': '*' };
    const latencyMatch = url.pathname.match(/^\/__latency\/(\d+)$/);
    if (latencyMatch) {
      latency = Number(latencyMatch[1]);
      res.writeHead(204, cors);
      res.end();
      return;
    }
    const send = (status, headers, body) => setTimeout(() => { res.writeHead(status, headers); res.end(body); }, latency);
    const doh = url.pathname.match(/^(\/second)?\/dns-query$/);
    if (doh) {
      if (req.method === 'OPTIONS') { res.writeHead(204, { ...cors, 'access-control-allow-headers': '*' }); res.end(); return; }
      const b64 = url.searchParams.get('dns');
      if (!b64) { send(400, cors, 'missing dns parameter'); return; }
      try {
        const body = dnsAnswer(Buffer.from(b64, 'base64url'), doh[1] ? 'second' : 'first');
        send(200, { ...cors, 'content-type': 'application/dns-message', 'cache-control': 'max-age=0' }, body);
      } catch (e) {
        send(400, cors, `bad query: ${e.message}`);
      }
      return;
    }
    const m = host.match(/^mta-sts\.(.+)$/);
    const s = m && SCENARIOS[m[1]];
    if (s && s.policy && url.pathname === '/.well-known/mta-sts.txt') {
      const p = s.policy;
      const headers = { 'content-type': p.type || 'text/plain', 'cache-control': 'no-store' };
      if (p.cors !== false) headers['access-control-allow-origin'] = '*';
      if (p.location) headers.location = p.location;
      send(p.status || 200, headers, p.body);
      return;
    }
    send(404, { 'content-type': 'text/plain' }, 'not found');
  });
  const sessions = new Set();
  server.on('session', (s) => { sessions.add(s); s.on('close', () => sessions.delete(s)); });
  server.on('connection', (c) => { sessions.add(c); c.on('close', () => sessions.delete(c)); });
  return new Promise((resolvePromise) => server.listen(port, '127.0.0.1', () => {
    const actual = server.address().port;
    const base = `https://127.0.0.1:${actual}`;
    resolvePromise({
      port: actual,
      doh: `${base}/dns-query`,
      doh2: `${base}/second/dns-query`,
      log,
      /** Chromium flags: every mta-sts.<scenario>.test to this server, except the unreachable one. */
      chromiumArgs: [
        `--host-resolver-rules=MAP mta-sts.unreachable.test 127.0.0.1:9, MAP mta-sts.*.test 127.0.0.1:${actual}, EXCLUDE 127.0.0.1`,
        '--ignore-certificate-errors',
      ],
      setLatency: (ms) => { latency = ms; },
      close: () => new Promise((r) => { for (const s of sessions) s.destroy(); server.close(r); }),
    });
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const zone = process.argv[3] ? JSON.parse(fs.readFileSync(process.argv[3], 'utf8')) : {};
  const m = await startMock(Number(process.argv[2] || 0), zone);
  console.log(`DoH:   ${m.doh}\nDoH 2: ${m.doh2}\nChromium flags: ${m.chromiumArgs.map((a) => JSON.stringify(a)).join(' ')}`);
  console.log(`CLI:   mtasts check good.test --doh ${m.doh} --doh2 ${m.doh2} --ca-cert ${path.join(HERE, 'ca.pem')} --resolve 'mta-sts.*.test=127.0.0.1:${m.port}'`);
  console.log(`Open: http://127.0.0.1:8080/?doh=${encodeURIComponent(m.doh)}#/check/good.test`);
}
