//! `mtasts report --dkim`: the DKIM signatures of report emails, verified with the
//! `mail-auth` crate. Its keys are looked up here, over the same DoH resolver `check` uses
//! (`--doh`, `--ca-cert`, `--resolve`), and handed to it through its cache, so its own
//! resolver never runs; core's `tls_rpt::dkim::judge` then applies RFC 8460 §3.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::resolver::ToFqdn;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::DkimError;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DnsError, Error, MessageAuthenticator, Parameters, ResolverCache, Txt,
};
use mtasts_core::check::DnsAnswer;
use mtasts_core::dns::{self, Kind};
use mtasts_core::tls_rpt::dkim::{judge, Check, Dkim, Signature};

use crate::check::Net;

/// The keys looked up for one email, by fully qualified name.
struct Keys(Mutex<HashMap<Box<str>, Txt>>);

impl ResolverCache<Box<str>, Txt> for Keys {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.remove(name)
    }

    fn insert(&self, key: Box<str>, value: Txt, _: Instant) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(key, value);
        }
    }
}

/// Verifies report emails' signatures, keys over DoH (one lookup per key per run).
pub struct Verifier<'n> {
    net: &'n Net,
    client: reqwest::blocking::Client,
    authenticator: MessageAuthenticator,
    looked_up: Mutex<HashMap<String, Txt>>,
}

impl<'n> Verifier<'n> {
    pub fn new(net: &'n Net) -> Result<Verifier<'n>, String> {
        let doh = net.doh_host();
        let client = net.client(&[doh])?;
        // Never asked: every key it needs is in the cache it is given.
        let authenticator = MessageAuthenticator::new_cloudflare().map_err(|e| e.to_string())?;
        Ok(Verifier { net, client, authenticator, looked_up: Mutex::new(HashMap::new()) })
    }

    /// The key record at `name` ("selector._domainkey.domain."), as mail-auth would have
    /// cached it: parsed, or the error a lookup gives.
    fn key(&self, name: &str) -> Txt {
        if let Some(k) = self.looked_up.lock().ok().and_then(|m| m.get(name).cloned()) {
            return k;
        }
        let (answer, _) = crate::check::lookup(&self.client, &self.net.doh, name, Kind::Txt, dns::decode_txt);
        let key = match answer {
            DnsAnswer::Records { records, .. } if !records.is_empty() => {
                let joined: Vec<Vec<u8>> = records.into_iter().map(|r| r.concat()).collect();
                let mut parsed = Err(Error::Dns(DnsError::InvalidRecordType));
                for r in &joined {
                    parsed = DomainKey::parse(r);
                    if parsed.is_ok() {
                        break;
                    }
                }
                parsed.map_or_else(Txt::Error, Txt::from)
            }
            DnsAnswer::Records { .. } | DnsAnswer::NxDomain => {
                Txt::Error(Error::Dns(DnsError::RecordNotFound(hickory_code(3))))
            }
            DnsAnswer::ServFail => Txt::Error(Error::Dns(DnsError::Resolver("the resolver answered SERVFAIL".into()))),
            DnsAnswer::Timeout => Txt::Error(Error::Dns(DnsError::Resolver("no answer in time".into()))),
            DnsAnswer::Failed(why) => Txt::Error(Error::Dns(DnsError::Resolver(why))),
        };
        if let Ok(mut m) = self.looked_up.lock() {
            m.insert(name.to_string(), key.clone());
        }
        key
    }

    /// The verdict on one email's signatures.
    pub fn verify(&self, raw: &[u8]) -> Dkim {
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return judge(&[], None);
        };
        let keys = Keys(Mutex::new(HashMap::new()));
        for h in &message.dkim_headers {
            let name = format!("{}._domainkey.{}", h.header.s, h.header.d).to_fqdn().into_owned();
            let key = self.key(&name);
            keys.insert(name.into_boxed_str(), key, Instant::now() + Duration::from_secs(3600));
        }
        let outputs =
            pollster::block_on(self.authenticator.verify_dkim(Parameters::new(&message).with_txt_cache(&keys)));
        let mut signatures: Vec<Signature> = outputs
            .iter()
            .filter_map(|o| {
                let s = o.signature()?;
                let (check, why) = match o.result() {
                    DkimResult::Pass => (Check::Pass, String::new()),
                    DkimResult::Fail(e) => (Check::Fail, e.to_string()),
                    DkimResult::TempError(e) => (Check::TempError, e.to_string()),
                    DkimResult::PermError(e) => (Check::PermError, e.to_string()),
                    // A body that no longer matches its hash was changed after signing: a
                    // failed verification (RFC 6376 §6.1.3), whatever mail-auth calls it.
                    DkimResult::Neutral(e @ Error::Dkim(DkimError::FailedBodyHashMatch)) => {
                        (Check::Fail, e.to_string())
                    }
                    DkimResult::Neutral(e) => (Check::Neutral, e.to_string()),
                    DkimResult::None => (Check::Neutral, "not evaluated".to_string()),
                };
                Some(Signature { domain: s.d.clone(), check, body_limited: s.l > 0, why })
            })
            .collect();
        // A signature mail-auth refused to parse still makes the email signed: with l= (it
        // refuses those outright), or malformed.
        for e in &message.errors {
            let (check, body_limited) = match &e.header {
                Error::Dkim(DkimError::SignatureLength) => (Check::Fail, true),
                Error::Dkim(_) | Error::ParseError | Error::MissingParameters => (Check::PermError, false),
                _ => continue,
            };
            let domain = tag(e.value, "d").unwrap_or_default();
            signatures.push(Signature { domain, check, body_limited, why: e.header.to_string() });
        }
        judge(&signatures, reporting_domain(&message).as_deref())
    }
}

/// The value of `name=` in a DKIM-Signature header value.
fn tag(value: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(value).split(';').find_map(|t| {
        let (k, v) = t.split_once('=')?;
        (k.trim() == name).then(|| v.split_whitespace().collect::<String>())
    })
}

/// A DNS response code as mail-auth's resolver types hold it.
fn hickory_code(code: u16) -> mail_auth::hickory_resolver::proto::op::ResponseCode {
    mail_auth::hickory_resolver::proto::op::ResponseCode::from_low(code as u8)
}

/// The reporting domain: the TLS-Report-Submitter header (RFC 8460 §5.3), else the
/// domain of the From address.
fn reporting_domain(message: &AuthenticatedMessage<'_>) -> Option<String> {
    let submitter =
        message.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(b"TLS-Report-Submitter")).map(|(_, v)| v);
    if let Some(v) = submitter {
        let v = String::from_utf8_lossy(v).trim().to_string();
        if !v.is_empty() {
            return Some(v);
        }
    }
    message.from.first().and_then(|a| a.rsplit_once('@')).map(|(_, d)| d.trim_end_matches('>').to_string())
}
