//! The page's only network access: DNS-over-HTTPS queries (RFC 8484) and the MTA-STS policy
//! fetch. Both go where the user asked (a domain, a resolver); nothing else is sent. The
//! report page asks the same resolver for report emails' DKIM keys ([`txt`]).

use gloo_net::http::{Request, Response};
use mtasts_core::check::{DnsAnswer, PolicyFetch};
use mtasts_core::dns::{self, Kind, Reply};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, RequestCache, RequestMode, RequestRedirect, ResponseType};

/// How long a DNS answer may take.
const DNS_TIMEOUT_MS: i32 = 5_000;
/// How long the policy fetch may take (RFC 8461 §3.3 suggests senders wait at least a
/// minute; a page that waits that long looks broken, so this reports a timeout sooner).
const FETCH_TIMEOUT_MS: i32 = 15_000;

/// A DNS-over-HTTPS resolver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolver {
    /// Its RFC 8484 URL template without the `dns` parameter.
    pub url: String,
}

impl Resolver {
    /// Cloudflare's public resolver.
    pub const CLOUDFLARE: &'static str = "https://cloudflare-dns.com/dns-query";
    /// Google's public resolver.
    pub const GOOGLE: &'static str = "https://dns.google/dns-query";

    /// A resolver at `url`.
    pub fn new(url: &str) -> Resolver {
        Resolver { url: url.trim().to_string() }
    }

    /// Its URL without the scheme and the usual `/dns-query` path, for labels
    /// ("dns.google", "doh.example:8443/custom").
    pub fn label(&self) -> String {
        dns::resolver_label(&self.url)
    }
}

/// One answer as read off the wire, for the raw-answers panel.
#[derive(Debug, Clone, PartialEq)]
pub struct RawLookup {
    /// Resolver label.
    pub resolver: String,
    /// Queried name.
    pub name: String,
    /// Record type.
    pub kind: &'static str,
    /// NOERROR, NXDOMAIN, SERVFAIL, timeout, or what failed.
    pub status: String,
    /// The AD bit.
    pub authenticated: bool,
    /// Answer records, zone-file form.
    pub lines: Vec<String>,
    /// Round trip, milliseconds.
    pub ms: f64,
}

/// Runs `req` with a deadline; `Err(None)` is the timeout, `Err(Some(why))` any other
/// failure to get a response.
async fn send_within(req: gloo_net::http::RequestBuilder, ms: i32) -> Result<Response, Option<String>> {
    let controller = AbortController::new().map_err(|_| Some("AbortController is unavailable".to_string()))?;
    let signal = controller.signal();
    let abort = Closure::once_into_js(move || controller.abort());
    let timer = web_sys::window()
        .and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(abort.unchecked_ref(), ms).ok());
    let result = req.abort_signal(Some(&signal)).send().await;
    if let (Some(t), Some(w)) = (timer, web_sys::window()) {
        w.clear_timeout_with_handle(t);
    }
    result.map_err(|e| if signal.aborted() { None } else { Some(e.to_string()) })
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/doh.js")]
extern "C" {
    fn doh_get(url: &str, ms: i32) -> js_sys::Promise;
}

/// Asks `resolver` for the TXT records at `name`, with core's lean codec
/// (`dns::txt_query`, `dns::read_txt`) and `js/doh.js`: the report page's DKIM key
/// lookups, which need neither hickory-proto nor gloo-net in its module.
pub async fn txt(resolver: &Resolver, name: &str) -> DnsAnswer<Vec<Vec<u8>>> {
    let query = match dns::txt_query(name) {
        Ok(q) => q,
        Err(e) => return DnsAnswer::Failed(e),
    };
    match wasm_bindgen_futures::JsFuture::from(doh_get(&dns::get_url(&resolver.url, &query), DNS_TIMEOUT_MS)).await {
        Ok(body) => dns::read_txt(&js_sys::Uint8Array::new(&body).to_vec()),
        Err(e) => match js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()) {
            Some(why) if why == "timeout" => DnsAnswer::Timeout,
            Some(why) => DnsAnswer::Failed(format!("{} could not be asked ({why})", resolver.label())),
            None => DnsAnswer::Failed(format!("{} could not be asked", resolver.label())),
        },
    }
}

/// Asks `resolver` for `name`/`kind`; never fails, failures are answers too.
pub async fn lookup<T>(
    resolver: &Resolver,
    name: &str,
    kind: Kind,
    decode: fn(&[u8]) -> Reply<T>,
) -> (DnsAnswer<T>, RawLookup) {
    let started = crate::services::files::now_ms();
    let mut raw = RawLookup {
        resolver: resolver.label(),
        name: name.to_string(),
        kind: kind.label(),
        status: String::new(),
        authenticated: false,
        lines: vec![],
        ms: 0.0,
    };
    let answer = match dns::query(name, kind) {
        Err(e) => DnsAnswer::Failed(e),
        Ok(q) => {
            // no-store: the browser's HTTP cache would otherwise answer "Check again" with the
            // previous result for up to the record's TTL, even after the resolver was purged.
            let req = Request::get(&dns::get_url(&resolver.url, &q))
                .header("Accept", "application/dns-message")
                .cache(RequestCache::NoStore);
            match send_within(req, DNS_TIMEOUT_MS).await {
                Err(None) => DnsAnswer::Timeout,
                Err(Some(why)) => DnsAnswer::Failed(format!("{} could not be reached ({why})", resolver.label())),
                Ok(resp) if resp.status() != 200 => {
                    DnsAnswer::Failed(format!("{} answered HTTP {}", resolver.label(), resp.status()))
                }
                Ok(resp) => match resp.binary().await {
                    Err(e) => DnsAnswer::Failed(format!("reading the answer from {} failed ({e})", resolver.label())),
                    Ok(body) => {
                        let reply = decode(&body);
                        raw.lines = reply.raw;
                        reply.answer
                    }
                },
            }
        }
    };
    raw.ms = crate::services::files::now_ms() - started;
    raw.status = match &answer {
        DnsAnswer::Records { records, authenticated, .. } => {
            raw.authenticated = *authenticated;
            if records.is_empty() { "NOERROR (no records of this type)" } else { "NOERROR" }.to_string()
        }
        DnsAnswer::NxDomain => "NXDOMAIN".to_string(),
        DnsAnswer::ServFail => "SERVFAIL".to_string(),
        DnsAnswer::Timeout => format!("no answer within {} s", DNS_TIMEOUT_MS / 1000),
        DnsAnswer::Failed(why) => why.clone(),
    };
    (answer, raw)
}

/// Fetches the policy as a browser may: redirects not followed, no cache, CORS. When the
/// answer cannot be read (no CORS header on the policy host, which is usual), a `no-cors`
/// request tells a live host (opaque answer) from an unreachable one or a certificate the
/// browser does not trust (network error).
pub async fn fetch_policy(url: &str) -> PolicyFetch {
    let cors = Request::get(url)
        .mode(RequestMode::Cors)
        .redirect(RequestRedirect::Manual)
        .cache(RequestCache::NoStore)
        .header("Accept", "text/plain");
    match send_within(cors, FETCH_TIMEOUT_MS).await {
        Ok(resp) if resp.type_() == ResponseType::Opaqueredirect => PolicyFetch::Redirect,
        Ok(resp) => {
            let headers = resp.headers();
            let content_type = headers.get("content-type");
            let location = headers.get("location");
            let status = resp.status();
            match resp.binary().await {
                Ok(body) => PolicyFetch::Response { status, content_type, location, body },
                Err(e) => PolicyFetch::Unreachable(format!("the response body could not be read ({e})")),
            }
        }
        Err(None) => PolicyFetch::Unreachable(format!("no answer within {} s", FETCH_TIMEOUT_MS / 1000)),
        Err(Some(_)) => {
            // no-cors requests must follow redirects (the Fetch standard refuses "manual"
            // there), so a redirect without CORS headers looks like any opaque answer.
            let probe = Request::get(url).mode(RequestMode::NoCors).cache(RequestCache::NoStore);
            match send_within(probe, FETCH_TIMEOUT_MS).await {
                Ok(_) => PolicyFetch::Opaque,
                Err(None) => PolicyFetch::Unreachable(format!("no answer within {} s", FETCH_TIMEOUT_MS / 1000)),
                Err(Some(why)) => PolicyFetch::Unreachable(why),
            }
        }
    }
}
