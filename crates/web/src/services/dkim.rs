//! Report emails' DKIM signatures (issue 12), on the report page: the worker hands back a
//! copy of each email input's bytes; here core prepares each signature
//! (`mtasts_core::tls_rpt::dkim::prepare`: canonicalisation, body hash), the key records
//! are looked up over the DNS-over-HTTPS resolver the user chose ([`super::net::txt`]: the
//! only requests the report page makes, only for emails, each key once), the browser's own
//! WebCrypto checks the signature (RSASSA-PKCS1-v1_5/SHA-256, Ed25519; no bignum or curve
//! code in the module), and core judges (RFC 8460 §3). The CLI does the same natively.
//!
//! Not in the worker: there the verifier cost 15 KB gzipped at the speed-tuned opt-level
//! the worker needs, while this module already links SHA-2 and base64 for the certificate
//! tab (BENCHMARKS.md, session 10).

use std::cell::RefCell;

use mtasts_core::check::DnsAnswer;
use mtasts_core::tls_rpt::dkim::{judge, prepare, Algorithm, Dkim, Lookup, Ready, Step};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::net::Resolver;

/// A key record lookup: the records there (each record's strings joined), none, or why
/// there is no answer.
#[derive(Clone)]
enum Looked {
    Records(Vec<Vec<u8>>),
    NotFound,
    Failed(String),
}

thread_local! {
    /// Key records looked up, by "resolver name": one lookup per key for the page's life
    /// (failures are asked again).
    static KEYS: RefCell<Vec<(String, Looked)>> = const { RefCell::new(Vec::new()) };
}

async fn key(resolver: &Resolver, name: &str) -> Looked {
    let id = format!("{} {name}", resolver.url);
    if let Some(k) = KEYS.with(|k| k.borrow().iter().find(|(i, _)| *i == id).map(|(_, l)| l.clone())) {
        return k;
    }
    let looked = match super::net::txt(resolver, name).await {
        DnsAnswer::Records { records, .. } => Looked::Records(records.iter().map(|r| r.concat()).collect()),
        DnsAnswer::NxDomain => Looked::NotFound,
        DnsAnswer::ServFail => Looked::Failed("the resolver answered SERVFAIL".into()),
        DnsAnswer::Timeout => Looked::Failed("the resolver did not answer in time".into()),
        DnsAnswer::Failed(why) => Looked::Failed(why),
    };
    if !matches!(looked, Looked::Failed(_)) {
        KEYS.with(|k| k.borrow_mut().push((id, looked.clone())));
    }
    looked
}

/// WebCrypto's verdict on the signature: false when it does not verify, or when the
/// browser refuses the key.
async fn verifies(ready: &Ready) -> bool {
    let Some(Ok(crypto)) = web_sys::window().map(|w| w.crypto()) else { return false };
    let subtle = crypto.subtle();
    let (format, alg) = match ready.key.algorithm {
        Algorithm::RsaSha256 => {
            ("spki", crate::engine::message(&[("name", "RSASSA-PKCS1-v1_5".into()), ("hash", "SHA-256".into())]))
        }
        Algorithm::Ed25519Sha256 => ("raw", crate::engine::message(&[("name", "Ed25519".into())])),
    };
    let usages = js_sys::Array::of1(&"verify".into());
    let data = js_sys::Uint8Array::from(ready.key.public.as_slice());
    let Ok(imported) = subtle.import_key_with_object(format, &data, &alg, false, &usages) else { return false };
    let Ok(key) = JsFuture::from(imported).await else { return false };
    let signature = js_sys::Uint8Array::from(ready.signature());
    let signed = js_sys::Uint8Array::from(ready.signed());
    let Ok(verifying) =
        subtle.verify_with_object_and_buffer_source_and_buffer_source(&alg, key.unchecked_ref(), &signature, &signed)
    else {
        return false;
    };
    JsFuture::from(verifying).await.ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

/// The verdict on one report email, keys looked up at `resolver`.
pub async fn verify(email: &[u8], resolver: &Resolver) -> Dkim {
    let prepared = prepare(email, Some((js_sys::Date::now() / 1000.0) as u64));
    let mut signatures = Vec::with_capacity(prepared.steps.len());
    for step in prepared.steps {
        signatures.push(match step {
            Step::Done(s) => s,
            Step::Key(pending) => {
                let looked = key(resolver, &pending.key_name()).await;
                let lookup = match &looked {
                    Looked::Records(r) => Lookup::Records(r),
                    Looked::NotFound => Lookup::NotFound,
                    Looked::Failed(why) => Lookup::Failed(why),
                };
                match pending.with_key(lookup) {
                    Ok(ready) => {
                        let ok = verifies(&ready).await;
                        ready.conclude(ok)
                    }
                    Err(decided) => decided,
                }
            }
        });
    }
    judge(&signatures, prepared.reporting_domain.as_deref())
}
