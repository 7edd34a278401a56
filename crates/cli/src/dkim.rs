//! `mtasts report --dkim`: the DKIM signatures of report emails. Core reads each signature,
//! canonicalises and checks the body hash, and reads the key record
//! (`mtasts_core::tls_rpt::dkim`); here the keys are looked up over the same DoH resolver
//! `check` uses (`--doh`, `--ca-cert`, `--resolve`) and the public-key operation is done
//! natively (the page does the same with WebCrypto); core's `judge` then applies RFC 8460 §3.

use std::collections::HashMap;
use std::sync::Mutex;

use mtasts_core::check::DnsAnswer;
use mtasts_core::dns::{self, Kind};
use mtasts_core::tls_rpt::dkim::{judge, prepare, Algorithm, Dkim, Lookup, Ready, Signature, Step};

use crate::check::Net;

/// A key record lookup's outcome, kept for the run.
#[derive(Clone)]
enum Looked {
    Records(Vec<Vec<u8>>),
    NotFound,
    Failed(String),
}

/// Verifies report emails' signatures, keys over DoH (one lookup per key per run).
pub struct Verifier<'n> {
    net: &'n Net,
    client: reqwest::blocking::Client,
    looked_up: Mutex<HashMap<String, Looked>>,
}

impl<'n> Verifier<'n> {
    pub fn new(net: &'n Net) -> Result<Verifier<'n>, String> {
        let client = net.client(&[net.doh_host()])?;
        Ok(Verifier { net, client, looked_up: Mutex::new(HashMap::new()) })
    }

    /// The TXT records at `name` ("selector._domainkey.domain"), each record's strings joined.
    fn key(&self, name: &str) -> Looked {
        if let Some(k) = self.looked_up.lock().ok().and_then(|m| m.get(name).cloned()) {
            return k;
        }
        let (answer, _) = crate::check::lookup(&self.client, &self.net.doh, name, Kind::Txt, dns::decode_txt);
        let looked = match answer {
            DnsAnswer::Records { records, .. } => Looked::Records(records.into_iter().map(|r| r.concat()).collect()),
            DnsAnswer::NxDomain => Looked::NotFound,
            DnsAnswer::ServFail => Looked::Failed("the resolver answered SERVFAIL".into()),
            DnsAnswer::Timeout => Looked::Failed("no answer in time".into()),
            DnsAnswer::Failed(why) => Looked::Failed(why),
        };
        if let Ok(mut m) = self.looked_up.lock() {
            m.insert(name.to_string(), looked.clone());
        }
        looked
    }

    /// The verdict on one email's signatures.
    pub fn verify(&self, raw: &[u8]) -> Dkim {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).ok();
        let prepared = prepare(raw, now);
        let signatures: Vec<Signature> = prepared
            .steps
            .into_iter()
            .map(|step| match step {
                Step::Done(s) => s,
                Step::Key(pending) => {
                    let looked = self.key(&pending.key_name());
                    let lookup = match &looked {
                        Looked::Records(r) => Lookup::Records(r),
                        Looked::NotFound => Lookup::NotFound,
                        Looked::Failed(why) => Lookup::Failed(why),
                    };
                    match pending.with_key(lookup) {
                        Ok(ready) => {
                            let verified = verifies(&ready);
                            ready.conclude(verified)
                        }
                        Err(decided) => decided,
                    }
                }
            })
            .collect();
        judge(&signatures, prepared.reporting_domain.as_deref())
    }
}

/// The public-key operation: RSASSA-PKCS1-v1_5 with SHA-256 over the signed data, or
/// Ed25519 over its hash (RFC 8463 §3).
pub fn verifies(ready: &Ready) -> bool {
    match ready.key.algorithm {
        Algorithm::RsaSha256 => {
            use rsa::pkcs8::DecodePublicKey;
            use rsa::signature::Verifier as _;
            let Ok(key) = rsa::RsaPublicKey::from_public_key_der(&ready.key.public) else { return false };
            let Ok(signature) = rsa::pkcs1v15::Signature::try_from(ready.signature()) else { return false };
            rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(ready.signed(), &signature).is_ok()
        }
        Algorithm::Ed25519Sha256 => {
            let Ok(public) = <[u8; 32]>::try_from(ready.key.public.as_slice()) else { return false };
            let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&public) else { return false };
            let Ok(signature) = ed25519_dalek::Signature::from_slice(ready.signature()) else { return false };
            key.verify_strict(ready.signed(), &signature).is_ok()
        }
    }
}
