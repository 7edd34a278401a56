// Imported by src/services/net.rs (wasm-bindgen snippet): one DNS-over-HTTPS GET (RFC 8484)
// for the report page's DKIM key lookups, with the browser's fetch (gloo-net, which the
// Check page uses, cost the report page's module 2.3 KB gzipped more). Resolves to the
// wire-format answer; rejects with an Error saying why ("timeout" when `ms` passed first).
export async function doh_get(url, ms) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), ms);
  try {
    const r = await fetch(url, { headers: { Accept: 'application/dns-message' }, cache: 'no-store', signal: ctl.signal });
    if (r.status !== 200) throw new Error('answered HTTP ' + r.status);
    return new Uint8Array(await r.arrayBuffer());
  } catch (e) {
    throw new Error(ctl.signal.aborted ? 'timeout' : (e && e.message) || String(e));
  } finally {
    clearTimeout(timer);
  }
}
