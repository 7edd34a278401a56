//! Report emails' DKIM signatures (issue 12). In the report worker, core prepares each
//! signature (`mtasts_core::tls_rpt::dkim::prepare`: canonicalisation, body hash) while the
//! run is read, and the signatures wait there for their keys; the page looks the key
//! records up over the DNS-over-HTTPS resolver the user chose ([`look_up`]: the only
//! requests the report page makes, and only for emails) and hands them back; the worker
//! then checks each signature with the browser's own WebCrypto (RSASSA-PKCS1-v1_5/SHA-256,
//! Ed25519), so no bignum or curve code is in the module, and core judges (RFC 8460 §3).
//! The CLI does the same natively.

use std::cell::RefCell;

use mtasts_core::check::DnsAnswer;
use mtasts_core::tls_rpt::dkim::{judge, Algorithm, Dkim, Lookup, Prepared, Ready, Step};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::net::Resolver;

/// A key record lookup as the page hands it to the worker: the name, then 0 and the
/// records (each record's strings joined), 1 (no such record), or 2 and why not.
pub type KeyAnswer = (String, u8, Vec<String>);

/// A read job's email inputs, by input index, prepared and waiting for their keys.
pub type Emails = Vec<(usize, Prepared)>;

thread_local! {
    /// In the worker: each read job's emails waiting for their keys, by job.
    pub(crate) static PENDING: RefCell<Vec<(u32, Emails)>> = const { RefCell::new(Vec::new()) };
    /// On the page: key records looked up, by "resolver name" (one lookup per key for the
    /// page's life; failures are asked again).
    static KEYS: RefCell<Vec<(String, KeyAnswer)>> = const { RefCell::new(Vec::new()) };
}

/// The key records these emails' signatures need, each once.
pub fn key_names(emails: &Emails) -> Vec<String> {
    let mut names: Vec<String> = emails
        .iter()
        .flat_map(|(_, p)| p.steps.iter())
        .filter_map(|s| match s {
            Step::Key(pending) => Some(pending.key_name()),
            Step::Done(_) => None,
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// On the page: the key records at `names`, looked up at `resolver` one after the other
/// (a run's emails name a handful of keys, most of them already looked up).
pub async fn look_up(resolver: &Resolver, names: &[String]) -> Vec<KeyAnswer> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let id = format!("{} {name}", resolver.url);
        if let Some(k) = KEYS.with(|k| k.borrow().iter().find(|(i, _)| *i == id).map(|(_, a)| a.clone())) {
            out.push(k);
            continue;
        }
        let answer = match super::net::txt(resolver, name).await {
            DnsAnswer::Records { records, .. } => {
                let joined = records.iter().map(|r| String::from_utf8_lossy(&r.concat()).into_owned()).collect();
                (name.clone(), 0, joined)
            }
            DnsAnswer::NxDomain => (name.clone(), 1, Vec::new()),
            DnsAnswer::ServFail => (name.clone(), 2, vec!["the resolver answered SERVFAIL".into()]),
            DnsAnswer::Timeout => (name.clone(), 2, vec!["the resolver did not answer in time".into()]),
            DnsAnswer::Failed(why) => (name.clone(), 2, vec![why]),
        };
        if answer.1 != 2 {
            KEYS.with(|k| k.borrow_mut().push((id, answer.clone())));
        }
        out.push(answer);
    }
    out
}

/// Key answers as the `dkim` message carries them, `[[name, kind, [string, ...]], ...]`
/// (plain JS arrays: serde for this one shape cost both modules more than the rest).
pub fn to_js(keys: &[KeyAnswer]) -> js_sys::Array {
    keys.iter()
        .map(|(name, kind, strings)| {
            let strings: js_sys::Array = strings.iter().map(|s| JsValue::from_str(s)).collect();
            JsValue::from(js_sys::Array::of3(&name.into(), &(*kind).into(), &strings))
        })
        .collect()
}

/// The key answers of a `dkim` message ([`to_js`]).
pub fn from_js(keys: &JsValue) -> Vec<KeyAnswer> {
    js_sys::Array::from(keys)
        .iter()
        .map(|k| {
            let k = js_sys::Array::from(&k);
            let strings = js_sys::Array::from(&k.get(2)).iter().filter_map(|s| s.as_string()).collect();
            (k.get(0).as_string().unwrap_or_default(), k.get(1).as_f64().map_or(2, |n| n as u8), strings)
        })
        .collect()
}

/// A JS object `{name, hash?}` naming a WebCrypto algorithm.
fn algorithm(a: Algorithm) -> js_sys::Object {
    match a {
        Algorithm::RsaSha256 => {
            crate::engine::message(&[("name", "RSASSA-PKCS1-v1_5".into()), ("hash", "SHA-256".into())])
        }
        Algorithm::Ed25519Sha256 => crate::engine::message(&[("name", "Ed25519".into())]),
    }
}

/// WebCrypto's verdict on the signature: false when it does not verify, or when the
/// browser refuses the key.
async fn verifies(ready: &Ready) -> bool {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::WorkerGlobalScope>() else { return false };
    let Ok(crypto) = scope.crypto() else { return false };
    let subtle = crypto.subtle();
    let alg = algorithm(ready.key.algorithm);
    let format = match ready.key.algorithm {
        Algorithm::RsaSha256 => "spki",
        Algorithm::Ed25519Sha256 => "raw",
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

/// In the worker: the verdicts on read job `of`'s emails, by input index, with these key
/// records.
pub async fn finish(of: u32, keys: &[KeyAnswer]) -> Vec<(usize, Dkim)> {
    let emails = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let at = p.iter().position(|(job, _)| *job == of);
        at.map(|i| p.swap_remove(i).1).unwrap_or_default()
    });
    let mut verdicts = Vec::with_capacity(emails.len());
    for (index, prepared) in emails {
        let mut signatures = Vec::with_capacity(prepared.steps.len());
        for step in prepared.steps {
            signatures.push(match step {
                Step::Done(s) => s,
                Step::Key(pending) => {
                    let name = pending.key_name();
                    let (records, why): (Vec<Vec<u8>>, Option<&str>) = match keys.iter().find(|k| k.0 == name) {
                        Some((_, 0, r)) => (r.iter().map(|s| s.clone().into_bytes()).collect(), None),
                        Some((_, 2, why)) => (Vec::new(), Some(why.first().map_or("no answer", String::as_str))),
                        _ => (Vec::new(), None),
                    };
                    let lookup = match why {
                        Some(why) => Lookup::Failed(why),
                        None if records.is_empty() => Lookup::NotFound,
                        None => Lookup::Records(&records),
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
        verdicts.push((index, judge(&signatures, prepared.reporting_domain.as_deref())));
    }
    verdicts
}
