//! An MX host as senders meet it (issue 11): what its SMTP server said, whether it offers
//! STARTTLS, and the certificate chain it presented, judged the way RFC 8461 §4.2 asks a
//! sender to (not expired, chains to a trusted root, a DNS-ID matching the host), with DANE
//! TLSA records (RFC 7672, RFC 6698) matched against the same chain.
//!
//! The caller (the CLI) holds the conversation and runs the TLS library; this module only
//! judges what it saw, at the time `now` it is given. Finding ids end in the RFC 8460 §4.3
//! result type a reporting sender would use where one applies (`smtp/certificate-expired`
//! is what arrives as `certificate-expired` in the reports).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use x509_cert::der::oid::db::rfc5912;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

use crate::check::{DnsAnswer, Tlsa};
use crate::code::Code;
use crate::deploy::rfc3339;
use crate::finding::{Finding, Severity, Span};
use crate::mta_sts::cert::{date, dns_id_matches, dns_names, name, EXPIRY_WARNING_DAYS};
use crate::mta_sts::policy::{Mode, StsPolicy};

/// How far the SMTP conversation got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialogue {
    /// No TCP connection (the system's reason).
    Unreachable(String),
    /// Nothing arrived in time at this step ("the greeting", "EHLO", "STARTTLS", "the TLS
    /// handshake").
    Timeout(String),
    /// The server answered a step with a 4xx or 5xx reply (step, reply as sent).
    Rejected(String, String),
    /// EHLO succeeded without STARTTLS among the extensions (the EHLO reply's lines).
    NoStarttls(Vec<String>),
    /// STARTTLS was offered but the handshake failed (the TLS library's reason).
    TlsFailed(String),
    /// STARTTLS was offered but the server speaks no TLS version from 1.2 up (the TLS
    /// library's reason).
    TooOld(String),
    /// TLS was negotiated with this protocol version and cipher suite.
    Tls {
        /// For example "TLSv1.3".
        version: String,
        /// For example "TLS13_AES_256_GCM_SHA384".
        cipher: String,
    },
}

/// Whether the presented chain leads to a trusted root, as the TLS library decided (the
/// CLI asks webpki with the Mozilla roots, plus `--ca-cert`, at a time inside the leaf's
/// validity, so that expiry and names are judged here and not twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// It does.
    Trusted,
    /// It does not, and why.
    Untrusted(String),
    /// Not known (no chain, or the library was not asked).
    Unknown,
}

/// What the caller saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The MX host name probed.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The server's greeting, when one came.
    pub banner: Option<String>,
    /// How far it got.
    pub dialogue: Dialogue,
    /// The chain as presented, DER, in the order sent (leaf first).
    pub chain: Vec<Vec<u8>>,
    /// The TLS library's verdict on the chain.
    pub trust: Trust,
}

/// One certificate of the chain, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCert {
    /// Subject, RFC 4514 form.
    pub subject: String,
    /// Issuer, RFC 4514 form.
    pub issuer: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// subjectAltName DNS-IDs.
    pub dns_names: Vec<String>,
    /// Key type and size, for example "RSA 2048" or "EC P-256".
    pub key: String,
    /// Signature algorithm, for example "sha256WithRSAEncryption".
    pub signature: String,
}

/// What the TLSA records said about the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dane {
    /// `_25._tcp.<host>`.
    pub name: String,
    /// The records, presentation form ("3 1 1 8cb0…").
    pub records: Vec<String>,
    /// Whether the answer was DNSSEC-validated (AD bit): only then do senders use DANE.
    pub authenticated: bool,
    /// The first DANE-EE or DANE-TA record that matches the chain.
    pub matched: Option<String>,
}

/// The judgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// The host probed.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The greeting.
    pub banner: Option<String>,
    /// STARTTLS was offered and accepted.
    pub starttls: bool,
    /// The negotiated TLS version.
    pub tls_version: Option<String>,
    /// The negotiated cipher suite.
    pub cipher: Option<String>,
    /// The chain as presented, leaf first.
    pub chain: Vec<ChainCert>,
    /// What is wrong (or notable), most harmful first.
    pub findings: Vec<Finding>,
    /// TLSA records and whether one matches, when they were looked up and exist.
    pub dane: Option<Dane>,
    /// STARTTLS offered, and a chain trusted, valid for the host and in date: what a sender
    /// applying an enforce policy needs (the CLI's exit 0).
    pub valid: bool,
}

/// A certificate read, with what the judgement needs beyond what is shown.
struct Read {
    shown: ChainCert,
    not_before: i64,
    not_after: i64,
    rsa_bits: Option<usize>,
    sha1: bool,
    der: Vec<u8>,
    spki: Vec<u8>,
}

const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// ecdsa-with-SHA1 (RFC 3279 §2.2.3): SHA-1 as much as sha1WithRSAEncryption is.
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// The modulus length of a DER RSAPublicKey (RFC 8017 A.1.1: SEQUENCE { modulus INTEGER, … }),
/// in bits, leading zero bytes not counted.
fn rsa_bits(key: &[u8]) -> Option<usize> {
    use x509_cert::der::asn1::UintRef;
    use x509_cert::der::{Reader, SliceReader};
    let mut r = SliceReader::new(key).ok()?;
    let modulus = r
        .sequence(|seq| {
            let n = UintRef::decode(seq)?;
            let _exponent = UintRef::decode(seq)?;
            Ok(n)
        })
        .ok()?;
    let bytes = modulus.as_bytes();
    let first = *bytes.first()?;
    Some(
        bytes
            .len()
            .saturating_sub(1)
            .saturating_mul(8)
            .saturating_add(8usize.saturating_sub(first.leading_zeros() as usize)),
    )
}

fn read(der: &[u8]) -> Result<Read, String> {
    // Where the DER stopped making sense, not der's own wording: its error texts and the
    // names of every ASN.1 tag cost the certificate page's module 0.9 KB gzipped.
    let not_der = |e: x509_cert::der::Error| {
        let at = e.position().map(|p| format!(" (at byte {p})")).unwrap_or_default();
        format!("not a DER-encoded X.509 certificate{at}")
    };
    let cert = Certificate::from_der(der).map_err(not_der)?;
    let tbs = &cert.tbs_certificate;
    let secs = |t: x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    let spki = &tbs.subject_public_key_info;
    let key_bytes = spki.subject_public_key.raw_bytes();
    let alg = spki.algorithm.oid;
    let mut rsa = None;
    let key = if alg == rfc5912::RSA_ENCRYPTION {
        rsa = rsa_bits(key_bytes);
        rsa.map_or("RSA".to_string(), |b| format!("RSA {b}"))
    } else if alg == EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        match curve {
            Some(c) if c == rfc5912::SECP_256_R_1 => "EC P-256".to_string(),
            Some(c) if c == rfc5912::SECP_384_R_1 => "EC P-384".to_string(),
            Some(c) if c == rfc5912::SECP_521_R_1 => "EC P-521".to_string(),
            Some(c) => format!("EC {c}"),
            None => "EC".to_string(),
        }
    } else if alg == ED25519 {
        "Ed25519".to_string()
    } else {
        alg.to_string()
    };
    let sig = cert.signature_algorithm.oid;
    let (signature, sha1) = match sig {
        s if s == rfc5912::SHA_256_WITH_RSA_ENCRYPTION => ("sha256WithRSAEncryption".to_string(), false),
        s if s == rfc5912::SHA_384_WITH_RSA_ENCRYPTION => ("sha384WithRSAEncryption".to_string(), false),
        s if s == rfc5912::SHA_512_WITH_RSA_ENCRYPTION => ("sha512WithRSAEncryption".to_string(), false),
        s if s == rfc5912::SHA_1_WITH_RSA_ENCRYPTION => ("sha1WithRSAEncryption".to_string(), true),
        s if s == ECDSA_WITH_SHA_1 => ("ecdsa-with-SHA1".to_string(), true),
        s if s == rfc5912::ECDSA_WITH_SHA_256 => ("ecdsa-with-SHA256".to_string(), false),
        s if s == rfc5912::ECDSA_WITH_SHA_384 => ("ecdsa-with-SHA384".to_string(), false),
        s if s == rfc5912::ECDSA_WITH_SHA_512 => ("ecdsa-with-SHA512".to_string(), false),
        s if s == ED25519 => ("Ed25519".to_string(), false),
        s if s == RSA_PSS => ("RSASSA-PSS".to_string(), false),
        s => (s.to_string(), false),
    };
    let (not_before, not_after) = (secs(tbs.validity.not_before), secs(tbs.validity.not_after));
    Ok(Read {
        shown: ChainCert {
            subject: name(&tbs.subject),
            issuer: name(&tbs.issuer),
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
            dns_names: dns_names(tbs),
            key,
            signature,
        },
        not_before,
        not_after,
        rsa_bits: rsa,
        sha1,
        der: der.to_vec(),
        spki: spki.to_der().map_err(not_der)?,
    })
}

/// Does TLSA record `t` match certificate `c` (RFC 6698 §2.1: selector 0 the whole
/// certificate, 1 its SubjectPublicKeyInfo; matching 0 exact, 1 SHA-256, 2 SHA-512)?
fn tlsa_matches(t: &Tlsa, c: &Read) -> bool {
    let data: &[u8] = match t.selector {
        0 => &c.der,
        1 => &c.spki,
        _ => return false,
    };
    match t.matching {
        0 => t.data == data,
        1 => t.data.as_slice() == Sha256::digest(data).as_slice(),
        2 => t.data.as_slice() == Sha512::digest(data).as_slice(),
        _ => false,
    }
}

/// Matches the TLSA answer for `host` against the chain (RFC 7672 §3.1): usage 3
/// (DANE-EE) against the leaf, usage 2 (DANE-TA) against the certificates after it; usages
/// 0 and 1 are not for SMTP (§3.1.3) and never match.
fn dane(host: &str, answer: &DnsAnswer<Tlsa>, chain: &[Read], out: &mut Vec<Finding>) -> Option<Dane> {
    let DnsAnswer::Records { records, authenticated, .. } = answer else { return None };
    if records.is_empty() {
        return None;
    }
    let name = format!("_25._tcp.{host}");
    let shown = |t: &Tlsa| t.to_string();
    let matched = records.iter().find(|t| match t.usage {
        3 => chain.first().is_some_and(|leaf| tlsa_matches(t, leaf)),
        2 => chain.iter().skip(1).any(|c| tlsa_matches(t, c)),
        _ => false,
    });
    for t in records.iter().filter(|t| t.usage < 2) {
        out.push(Finding::new(Code::DaneTlsaUsage, Span::at(0), format!("{name}: {}", shown(t))));
    }
    // RFC 7672 §2.2: records of a usage, selector or matching type a sender does not use
    // are unusable, and a set of only unusable records means TLS without DANE, not a
    // failure; so only usable records can fail to match.
    let usable = records.iter().filter(|t| matches!(t.usage, 2 | 3) && t.selector <= 1 && t.matching <= 2).count();
    match (matched, chain.is_empty()) {
        (Some(t), _) => out.push(Finding::new(Code::DaneTlsaMatch, Span::at(0), format!("{name}: {}", shown(t)))),
        (None, _) if usable == 0 => {}
        (None, false) if *authenticated => out.push(Finding::new(
            Code::DaneTlsaMismatch,
            Span::at(0),
            format!("{name} has {usable} usable record(s), none matching"),
        )),
        (None, false) => out.push(Finding::new(
            Code::DaneNotAuthenticated,
            Span::at(0),
            format!("{name}: none of the records matches either, but without DNSSEC senders ignore them"),
        )),
        (None, true) => {}
    }
    Some(Dane {
        name,
        records: records.iter().map(shown).collect(),
        authenticated: *authenticated,
        matched: matched.map(shown),
    })
}

/// What a user pasted about `host`: PEM certificates (a chain, leaf first), or the whole
/// output of `openssl s_client -starttls smtp -connect HOST:25 -showcerts`, whose
/// protocol, cipher and "Verify return code" are read too (OpenSSL's verdict on the chain
/// against the machine's trust store: the one trust judgement a browser can get). Without
/// them the dialogue is taken as TLS of an unknown version and trust as unknown.
pub fn from_paste(text: &str, host: &str) -> Session {
    use base64::Engine;
    let mut chain = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body = rest.get(start.saturating_add(27)..).unwrap_or("");
        let Some(end) = body.find("-----END CERTIFICATE-----") else { break };
        let b64: String = body.get(..end).unwrap_or("").chars().filter(|c| !c.is_ascii_whitespace()).collect();
        chain.push(
            base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()).unwrap_or_else(|_| b64.into_bytes()),
        );
        rest = body.get(end.saturating_add(25)..).unwrap_or("");
    }
    let value = |key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    // "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"
    let new_line = text.lines().find_map(|l| l.trim().strip_prefix("New, ")).map(|l| {
        let (version, cipher) = l.split_once(", Cipher is ").unwrap_or((l, "?"));
        (version.trim().to_string(), cipher.trim().to_string())
    });
    let version = value("Protocol").or_else(|| new_line.as_ref().map(|n| n.0.clone()));
    let cipher = value("Cipher").or_else(|| new_line.as_ref().map(|n| n.1.clone()));
    let dialogue = if text.contains("didn't find starttls") || text.contains("Didn't find STARTTLS") {
        Dialogue::NoStarttls(Vec::new())
    } else {
        Dialogue::Tls {
            version: version.unwrap_or_else(|| "?".to_string()),
            cipher: cipher.unwrap_or_else(|| "?".to_string()),
        }
    };
    // "Verify return code: 0 (ok)" or "Verify return code: 21 (unable to verify the first certificate)"
    let trust = match value("Verify return code") {
        Some(v) if v.starts_with("0 ") || v == "0" => Trust::Trusted,
        // Dates are judged here, against the browser's clock; so is the name.
        Some(v) if v.starts_with("10 ") || v.starts_with("9 ") => Trust::Unknown,
        Some(v) => Trust::Untrusted(format!("OpenSSL: {v}")),
        None => Trust::Unknown,
    };
    Session {
        host: host.trim().trim_end_matches('.').to_ascii_lowercase(),
        port: 25,
        banner: None,
        dialogue,
        chain,
        trust,
    }
}

/// `now` moved inside the validity of the DER certificate `leaf` (unchanged when it is
/// inside, or when the certificate cannot be read): the time at which to ask a TLS library
/// whether the chain is trusted, so that expiry is judged here, once.
pub fn inside_validity(leaf: &[u8], now: i64) -> i64 {
    match read(leaf) {
        Ok(r) => now.clamp(r.not_before, r.not_after.max(r.not_before)),
        Err(_) => now,
    }
}

/// Whether a TLS version or cipher as recorded names one: not the "?" recorded when a paste
/// (or a session) does not say, nor OpenSSL's "(NONE)" after a handshake that failed.
pub fn stated(value: &str) -> bool {
    !matches!(value, "?" | "(NONE)")
}

/// Judges what the caller saw at Unix time `now`; `tlsa` is the TLSA answer for the host
/// (when looked up) and `policy` the policy domain's policy (when given), whose mx
/// patterns must cover the host (RFC 8461 §4.1).
pub fn judge(s: &Session, now: i64, tlsa: Option<&DnsAnswer<Tlsa>>, policy: Option<&StsPolicy>) -> Probe {
    let mut findings = Vec::new();
    let push = |f: &mut Vec<Finding>, code, detail: String| f.push(Finding::new(code, Span::at(0), detail));
    let (starttls, tls_version, cipher) = match &s.dialogue {
        Dialogue::Unreachable(why) => {
            push(&mut findings, Code::SmtpUnreachable, format!("{}:{}: {why}", s.host, s.port));
            (false, None, None)
        }
        Dialogue::Timeout(step) => {
            push(&mut findings, Code::SmtpTimeout, format!("no answer to {step}"));
            (false, None, None)
        }
        Dialogue::Rejected(step, reply) if step == "STARTTLS" => {
            push(&mut findings, Code::SmtpStarttlsNotSupported, format!("STARTTLS was offered, then refused: {reply}"));
            (false, None, None)
        }
        Dialogue::Rejected(step, reply) => {
            push(&mut findings, Code::SmtpRejected, format!("{step} answered {reply}"));
            (false, None, None)
        }
        Dialogue::NoStarttls(ehlo) => {
            let offered = ehlo.iter().skip(1).map(String::as_str).collect::<Vec<_>>().join(", ");
            push(&mut findings, Code::SmtpStarttlsNotSupported, format!("EHLO lists: {offered}"));
            (false, None, None)
        }
        Dialogue::TlsFailed(why) => {
            push(&mut findings, Code::SmtpValidationFailure, why.clone());
            (true, None, None)
        }
        Dialogue::TooOld(why) => {
            push(&mut findings, Code::SmtpOldTls, why.clone());
            (true, None, None)
        }
        Dialogue::Tls { version, cipher } => {
            if matches!(version.as_str(), "SSLv2" | "SSLv3" | "TLSv1.0" | "TLSv1" | "TLSv1.1") {
                push(&mut findings, Code::SmtpOldTls, version.clone());
            }
            (true, Some(version.clone()), Some(cipher.clone()))
        }
    };
    let mut chain = Vec::new();
    for (i, der) in s.chain.iter().enumerate() {
        match read(der) {
            Ok(r) => chain.push(r),
            Err(e) => push(
                &mut findings,
                Code::SmtpUnreadableCertificate,
                format!("certificate {}: {e}", i.saturating_add(1)),
            ),
        }
    }
    // A TLS session always shows a certificate; a paste without one (a failed handshake's
    // output, or text that is not a chain) must not read as "nothing wrong".
    if s.chain.is_empty() && matches!(s.dialogue, Dialogue::Tls { .. }) {
        push(&mut findings, Code::SmtpUnreadableCertificate, "no certificate was given (no PEM block)".to_string());
    }
    let mut valid = starttls && matches!(s.dialogue, Dialogue::Tls { .. }) && !chain.is_empty();
    if let Some(leaf) = chain.first() {
        if !leaf.shown.dns_names.iter().any(|id| dns_id_matches(id, &s.host)) {
            let ids =
                if leaf.shown.dns_names.is_empty() { "none".to_string() } else { leaf.shown.dns_names.join(", ") };
            push(
                &mut findings,
                Code::SmtpCertificateHostMismatch,
                format!("{} is not among its DNS-IDs: {ids}", s.host),
            );
            valid = false;
        }
        if now < leaf.not_before {
            push(&mut findings, Code::SmtpCertificateNotYetValid, format!("valid from {}", leaf.shown.not_before));
            valid = false;
        } else if now > leaf.not_after {
            push(&mut findings, Code::SmtpCertificateExpired, format!("expired {}", date(leaf.not_after)));
            valid = false;
        } else if leaf.not_after.saturating_sub(now) < EXPIRY_WARNING_DAYS.saturating_mul(86_400) {
            let days = leaf.not_after.saturating_sub(now) / 86_400;
            push(
                &mut findings,
                Code::SmtpCertificateExpiresSoon,
                format!("expires {} ({days} days from now)", date(leaf.not_after)),
            );
        }
    }
    match &s.trust {
        Trust::Untrusted(why) if !chain.is_empty() => {
            push(&mut findings, Code::SmtpCertificateNotTrusted, why.clone());
            valid = false;
        }
        Trust::Unknown if !chain.is_empty() => valid = false,
        _ => {}
    }
    if chain.windows(2).any(|w| matches!(w, [a, b] if a.shown.issuer != b.shown.subject)) {
        let order: Vec<String> = chain.iter().map(|c| c.shown.subject.clone()).collect();
        push(&mut findings, Code::SmtpChainOrder, format!("presented: {}", order.join(" → ")));
    }
    for c in &chain {
        if c.rsa_bits.is_some_and(|b| b < 2048) {
            push(&mut findings, Code::SmtpWeakKey, format!("{}: {}", c.shown.subject, c.shown.key));
        }
        // A root's self-signature is never checked, so only the others count.
        if c.sha1 && c.shown.subject != c.shown.issuer {
            push(&mut findings, Code::SmtpWeakSignature, c.shown.subject.clone());
        }
    }
    if let Some(p) = policy {
        if !p.mx.iter().any(|m| m.matches(&s.host)) {
            let mode = p.mode.map_or("?", Mode::as_str);
            let patterns = p.mx.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            push(
                &mut findings,
                Code::MxNotCovered,
                format!("{} is not matched by the policy's mx ({patterns}; mode {mode})", s.host),
            );
        }
    }
    let dane = tlsa.and_then(|t| dane(&s.host, t, &chain, &mut findings));
    // A failed TLSA lookup says nothing about DANE either way: said, not judged.
    match tlsa {
        Some(DnsAnswer::Failed(why)) => {
            push(&mut findings, Code::DnsFailed, format!("_25._tcp.{} TLSA: {why}", s.host))
        }
        Some(DnsAnswer::ServFail) => push(&mut findings, Code::DnsServfail, format!("_25._tcp.{} TLSA", s.host)),
        Some(DnsAnswer::Timeout) => push(&mut findings, Code::DnsTimeout, format!("_25._tcp.{} TLSA", s.host)),
        _ => {}
    }
    crate::order::sort_by_key(&mut findings, |f| std::cmp::Reverse(f.severity()));
    Probe {
        host: s.host.clone(),
        port: s.port,
        banner: s.banner.clone(),
        starttls,
        tls_version,
        cipher,
        chain: chain.into_iter().map(|r| r.shown).collect(),
        findings,
        dane,
        valid,
    }
}

impl Probe {
    /// Whether an error-level finding is about the host's TLS (what an enforce policy turns
    /// into undelivered mail).
    pub fn breaks_enforce(&self) -> bool {
        !self.valid || self.findings.iter().any(|f| f.severity() == Severity::Error && f.code == Code::MxNotCovered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOCK_PEM: &str = include_str!("../../../tests/mock/cert.pem");
    /// 2030-01-01, inside the mock certificate's validity.
    const NOW: i64 = 1_893_456_000;

    fn openssl_output(verify: &str) -> String {
        format!(
            "CONNECTED(00000003)\n---\nCertificate chain\n 0 s:CN = mtasts test mock\n   i:CN = mtasts test CA\n{MOCK_PEM}---\nNew, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\nSSL-Session:\n    Protocol  : TLSv1.3\n    Cipher    : TLS_AES_256_GCM_SHA384\n    Verify return code: {verify}\n---\n250 CHUNKING\n"
        )
    }

    #[test]
    fn an_openssl_capture_is_read_and_judged() {
        let s = from_paste(&openssl_output("0 (ok)"), "MTA-STS.good.test.");
        assert_eq!((s.host.as_str(), s.chain.len(), &s.trust), ("mta-sts.good.test", 1, &Trust::Trusted));
        assert_eq!(s.dialogue, Dialogue::Tls { version: "TLSv1.3".into(), cipher: "TLS_AES_256_GCM_SHA384".into() });
        let p = judge(&s, NOW, None, None);
        assert!(p.valid, "{:?}", p.findings);
        assert_eq!(p.chain[0].key, "RSA 2048");
        // The wrong host, an untrusted chain, and the same chain as bare PEM (trust unknown).
        let p = judge(&from_paste(&openssl_output("0 (ok)"), "mx.elsewhere.test"), NOW, None, None);
        assert_eq!(p.findings[0].code, Code::SmtpCertificateHostMismatch);
        let p = judge(
            &from_paste(&openssl_output("21 (unable to verify the first certificate)"), "mta-sts.good.test"),
            NOW,
            None,
            None,
        );
        assert!(!p.valid && p.findings.iter().any(|f| f.code == Code::SmtpCertificateNotTrusted));
        let p = judge(&from_paste(MOCK_PEM, "mta-sts.good.test"), NOW, None, None);
        assert!(!p.valid && p.findings.is_empty(), "trust unknown: not valid, but nothing wrong found");
        let p = judge(&from_paste(MOCK_PEM, "mta-sts.good.test"), 4_102_444_800 * 2, None, None);
        assert_eq!(p.findings[0].code, Code::SmtpCertificateExpired);
    }

    #[test]
    fn tlsa_records_match_the_leaf() {
        let s = from_paste(MOCK_PEM, "mta-sts.good.test");
        let leaf = read(&s.chain[0]).unwrap();
        let rec = |usage, selector, matching, data: Vec<u8>| Tlsa { usage, selector, matching, data };
        let answer = |records, authenticated| DnsAnswer::Records { records, authenticated, cnames: vec![] };
        let spki256 = Sha256::digest(&leaf.spki).to_vec();
        let full512 = Sha512::digest(&leaf.der).to_vec();
        for (t, matched) in [
            (rec(3, 1, 1, spki256.clone()), true),
            (rec(3, 0, 2, full512), true),
            (rec(3, 0, 0, leaf.der.clone()), true),
            (rec(2, 1, 1, spki256.clone()), false), // DANE-TA: the leaf is not its own anchor
            (rec(1, 1, 1, spki256), false),         // PKIX-EE: not for SMTP
        ] {
            let p = judge(&s, NOW, Some(&answer(vec![t.clone()], true)), None);
            assert_eq!(p.dane.as_ref().unwrap().matched.is_some(), matched, "{t:?}");
        }
        let p = judge(&s, NOW, Some(&answer(vec![rec(3, 1, 1, vec![0; 32])], true)), None);
        assert!(p.findings.iter().any(|f| f.code == Code::DaneTlsaMismatch));
        let p = judge(&s, NOW, Some(&answer(vec![rec(3, 1, 1, vec![0; 32])], false)), None);
        assert!(p.findings.iter().any(|f| f.code == Code::DaneNotAuthenticated));
    }
}
