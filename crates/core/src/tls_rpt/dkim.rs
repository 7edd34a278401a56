//! Whether a report email's DKIM signatures make it a report to trust (RFC 8460 §3):
//! "Reports sent via SMTP MUST contain a valid DKIM signature by the reporting domain.
//! Reports lacking such a signature MUST be ignored by the recipient. DKIM signatures MUST
//! NOT use the "l=" attribute".
//!
//! Verifying a signature (RFC 6376 §6.1) is done here up to the public-key operation:
//! [`prepare`] reads each `DKIM-Signature` field (§3.5), canonicalises the body and checks
//! its hash (§3.4, §3.7), and builds the data the key signed; [`Pending::with_key`] reads
//! the key record the caller looked up (§3.6.1); the caller checks the signature with its
//! own cryptography (the CLI natively, the browser with WebCrypto) and [`Ready::conclude`]
//! says what that means; [`judge`] applies RFC 8460's rule to all of an email's signatures.
//! Nothing here looks anything up or reads a clock: the caller passes the key records and
//! the time.
//!
//! ```text
//! tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]          (RFC 6376 §3.2)
//! tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//! ```
//!
//! Algorithms: rsa-sha256 (RFC 6376 §3.3) and ed25519-sha256 (RFC 8463); rsa-sha1 is not
//! accepted (RFC 8301 §3.1). RSA keys are taken both as the SubjectPublicKeyInfo every
//! signer publishes and as the bare RSAPublicKey RFC 6376 §3.6.1's prose names: the RFC
//! and practice disagree, so both are read.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::tls_rpt::mime::decode_base64;

/// What verifying one signature gave (RFC 8601 §2.7.1 result names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// The signature verifies.
    Pass,
    /// It does not: the message was changed after signing, or the signature is forged.
    Fail,
    /// The key could not be looked up now (DNS failure): try again later.
    TempError,
    /// The key is missing or unusable, or the signature is malformed.
    PermError,
    /// The signature was not evaluated (an expired signature, an unknown algorithm).
    Neutral,
}

/// One signature of an email, as verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Its `d=` domain.
    pub domain: String,
    /// The verification result.
    pub check: Check,
    /// It has an `l=` body length limit.
    pub body_limited: bool,
    /// Why it did not pass, when it did not.
    pub why: String,
}

/// The verdict on one email (`"dkim"` in `mtasts report --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Signed by the reporting domain (or a parent of it), without `l=`: a report to trust.
    Pass,
    /// Signatures, but none that counts: forged, changed, by another domain, or with `l=`.
    Fail,
    /// No signature at all.
    None,
    /// No signature could be checked now (the keys could not be looked up).
    TempError,
    /// The signatures cannot be checked (keys missing or malformed).
    PermError,
}

/// The verdict, the domain that signed when it passed, and why, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dkim {
    /// The verdict.
    pub result: Verdict,
    /// The `d=` of the signature that passed, or of the first one seen otherwise.
    pub domain: Option<String>,
    /// What decided it.
    pub reason: String,
}

impl Dkim {
    /// "signed", "unsigned" or "forged", as the report list says it.
    pub fn label(&self) -> &'static str {
        match self.result {
            Verdict::Pass => "signed",
            Verdict::None => "unsigned",
            Verdict::Fail => "forged",
            Verdict::TempError | Verdict::PermError => "unverified",
        }
    }
}

fn norm(d: &str) -> String {
    d.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `domain` is `of` or a parent of it (`example.com` for `tlsrpt.example.com`).
fn covers(domain: &str, of: &str) -> bool {
    let (d, o) = (norm(domain), norm(of));
    !d.is_empty() && (o == d || o.ends_with(&format!(".{d}")))
}

/// Judges an email's `signatures` for a report from `reporting_domain` (the
/// TLS-Report-Submitter, or the sender's domain): it passes when a signature by that domain
/// or a parent of it verifies and has no `l=`.
pub fn judge(signatures: &[Signature], reporting_domain: Option<&str>) -> Dkim {
    let first = signatures.first().map(|s| norm(&s.domain));
    let verdict = |result, domain: Option<String>, reason: String| Dkim { result, domain, reason };
    if signatures.is_empty() {
        return verdict(Verdict::None, None, "the email has no DKIM signature (RFC 8460 §3: ignore it)".into());
    }
    let aligned = |s: &&Signature| reporting_domain.is_some_and(|r| covers(&s.domain, r));
    if let Some(s) = signatures.iter().filter(aligned).find(|s| s.check == Check::Pass && !s.body_limited) {
        return verdict(Verdict::Pass, Some(norm(&s.domain)), format!("signed by {}", norm(&s.domain)));
    }
    let who = reporting_domain.map_or_else(|| "the reporting domain (not named in the email)".to_string(), norm);
    if let Some(s) = signatures.iter().filter(aligned).find(|s| s.body_limited) {
        let reason = format!(
            "the signature by {} uses l=, so text can be appended to the report (RFC 8460 §3)",
            norm(&s.domain)
        );
        return verdict(Verdict::Fail, Some(norm(&s.domain)), reason);
    }
    if let Some(s) = signatures.iter().find(|s| s.check == Check::Fail) {
        let reason = format!("the signature by {} does not verify: {}", norm(&s.domain), s.why);
        return verdict(Verdict::Fail, Some(norm(&s.domain)), reason);
    }
    if let Some(s) = signatures.iter().find(|s| s.check == Check::Pass) {
        let reason = format!("signed only by {}, not by {who} (RFC 8460 §3)", norm(&s.domain));
        return verdict(Verdict::Fail, Some(norm(&s.domain)), reason);
    }
    if let Some(s) = signatures.iter().find(|s| s.check == Check::TempError) {
        return verdict(
            Verdict::TempError,
            Some(norm(&s.domain)),
            format!("the key of {} could not be looked up: {}", norm(&s.domain), s.why),
        );
    }
    let s = signatures.iter().find(|s| s.check == Check::PermError).or(signatures.first());
    let why = s.map_or_else(String::new, |s| format!("{}: {}", norm(&s.domain), s.why));
    verdict(Verdict::PermError, first, format!("the signature cannot be checked ({why})"))
}

/// The signing algorithms a signature can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `rsa-sha256`: RSASSA-PKCS1-v1_5 with SHA-256 over the signed data (RFC 6376 §3.3.1).
    RsaSha256,
    /// `ed25519-sha256`: PureEdDSA Ed25519 over the SHA-256 hash of the signed data (RFC 8463 §3).
    Ed25519Sha256,
}

/// A public key from a key record, in the form the cryptography takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The algorithm it is for.
    pub algorithm: Algorithm,
    /// RSA: a DER SubjectPublicKeyInfo (WebCrypto's "spki"); Ed25519: the 32 raw bytes.
    pub public: Vec<u8>,
}

/// What the caller found when it looked up a key record (`selector._domainkey.domain` TXT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The TXT records there, each record's strings joined.
    Records(&'a [Vec<u8>]),
    /// The name does not exist, or has no TXT record.
    NotFound,
    /// No answer could be had now (why).
    Failed(&'a str),
}

/// A signature whose body hash matched, waiting for its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// `d=`, lowercased.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    algorithm: Algorithm,
    body_limited: bool,
    /// The domain of `i=` (the domain itself when absent), for a key's `t=s`.
    identity_domain: String,
    signed: Vec<u8>,
    signature: Vec<u8>,
}

/// A signature with its key: the caller checks [`Ready::signature`] over [`Ready::signed`]
/// with [`Ready::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    pending: Pending,
    /// The key.
    pub key: Key,
}

/// One signature of an email on its way through verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Already decided (malformed, a changed body, expired, an algorithm not accepted).
    Done(Signature),
    /// Its key must be looked up.
    Key(Pending),
}

/// An email's signatures, and the domain that should have signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// One step per `DKIM-Signature` field, top to bottom (at most [`MAX_SIGNATURES`]).
    pub steps: Vec<Step>,
    /// The reporting domain: `TLS-Report-Submitter` (RFC 8460 §5.3), else the domain of
    /// the `From` address.
    pub reporting_domain: Option<String>,
}

/// Signatures of one email evaluated at most (RFC 6376 §6.1 lets a verifier limit them).
pub const MAX_SIGNATURES: usize = 8;

/// One header field: its name, and the whole field as written (line breaks made CRLF),
/// without the final CRLF.
struct RawField<'a> {
    name: &'a [u8],
    raw: &'a [u8],
}

/// `bytes` with every bare LF made CRLF: DKIM is defined over CRLF lines (RFC 6376 §2.8),
/// and a saved email often has LF alone.
fn crlf(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let bare = |i: usize, b: &u8| *b == b'\n' && (i == 0 || bytes.get(i.wrapping_sub(1)) != Some(&b'\r'));
    if !bytes.iter().enumerate().any(|(i, b)| bare(i, b)) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len().saturating_add(bytes.len() / 40));
    for (i, b) in bytes.iter().enumerate() {
        if bare(i, b) {
            out.push(b'\r');
        }
        out.push(*b);
    }
    std::borrow::Cow::Owned(out)
}

/// The header fields and the body of a CRLF message.
fn split(message: &[u8]) -> (Vec<RawField<'_>>, &[u8]) {
    // (start, name length, end) of each field.
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let mut at = 0usize;
    let body = loop {
        let rest = message.get(at..).unwrap_or(b"");
        let end = rest.windows(2).position(|w| w == b"\r\n").unwrap_or(rest.len());
        let line = rest.get(..end).unwrap_or(b"");
        let next = at.saturating_add(end).saturating_add(2).min(message.len());
        if line.is_empty() {
            break message.get(next..).unwrap_or(b"");
        }
        if line.first().is_some_and(|b| is_wsp(*b)) {
            if let Some(f) = spans.last_mut() {
                f.2 = at.saturating_add(end);
            }
        } else {
            let Some(colon) = line.iter().position(|&b| b == b':') else { break rest };
            let name = line.get(..colon).unwrap_or(b"");
            let name_len = name.len().saturating_sub(name.iter().rev().take_while(|b| is_wsp(**b)).count());
            spans.push((at, name_len, at.saturating_add(end)));
        }
        if next >= message.len() {
            break b"";
        }
        at = next;
    };
    let fields = spans
        .into_iter()
        .map(|(start, name_len, end)| RawField {
            name: message.get(start..start.saturating_add(name_len)).unwrap_or(b""),
            raw: message.get(start..end).unwrap_or(b""),
        })
        .collect();
    (fields, body)
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A field canonicalised (RFC 6376 §3.4.1 simple, §3.4.2 relaxed), without the final CRLF.
fn canonical_field(name: &[u8], raw: &[u8], relaxed: bool) -> Vec<u8> {
    if !relaxed {
        return raw.to_vec();
    }
    let value = raw.iter().position(|&b| b == b':').and_then(|c| raw.get(c.saturating_add(1)..)).unwrap_or(b"");
    let mut out: Vec<u8> = name.iter().filter(|b| !is_wsp(**b)).map(u8::to_ascii_lowercase).collect();
    out.push(b':');
    // Whitespace before the value's first character and after its last is dropped; runs
    // inside it become one space.
    let (mut space, mut started) = (false, false);
    for &b in value.iter().filter(|b| **b != b'\r' && **b != b'\n') {
        if is_wsp(b) {
            space = true;
        } else {
            if space && started {
                out.push(b' ');
            }
            (space, started) = (false, true);
            out.push(b);
        }
    }
    out
}

/// The body canonicalised (RFC 6376 §3.4.3 simple, §3.4.4 relaxed).
fn canonical_body(body: &[u8], relaxed: bool) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let end = rest.windows(2).position(|w| w == b"\r\n");
        let line = rest.get(..end.unwrap_or(rest.len())).unwrap_or(b"");
        lines.push(if relaxed {
            let mut l: Vec<u8> = Vec::with_capacity(line.len());
            let mut space = false;
            for &b in line {
                if is_wsp(b) {
                    space = true;
                } else {
                    if space {
                        l.push(b' ');
                    }
                    space = false;
                    l.push(b);
                }
            }
            l
        } else {
            line.to_vec()
        });
        rest = end.and_then(|e| rest.get(e.saturating_add(2)..)).unwrap_or(b"");
    }
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    if lines.is_empty() {
        return if relaxed { Vec::new() } else { b"\r\n".to_vec() };
    }
    let mut out = Vec::with_capacity(body.len().saturating_add(2));
    for l in lines {
        out.extend_from_slice(&l);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A tag-list's tags (RFC 6376 §3.2), names and values with their folding whitespace
/// trimmed; a repeated name makes the whole list invalid.
fn tags(value: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for spec in value.split(|&b| b == b';') {
        let text = String::from_utf8_lossy(spec);
        if text.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = text.split_once('=') else {
            return Err(format!("\"{}\" is not a tag=value pair", text.trim()));
        };
        let name = name.trim().to_string();
        if out.iter().any(|(n, _)| *n == name) {
            return Err(format!("the tag {name}= appears twice (RFC 6376 §3.2)"));
        }
        out.push((name, value.trim().to_string()));
    }
    Ok(out)
}

fn tag<'t>(tags: &'t [(String, String)], name: &str) -> Option<&'t str> {
    tags.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn base64(text: &str) -> Option<Vec<u8>> {
    let (bytes, clean) = decode_base64(text.as_bytes());
    clean.then_some(bytes)
}

/// The raw field with the value of its `b=` tag removed (RFC 6376 §3.7: "the value of
/// the "b=" tag (including all surrounding whitespace) is deleted").
fn without_b(raw: &[u8]) -> Vec<u8> {
    let Some(colon) = raw.iter().position(|&b| b == b':') else { return raw.to_vec() };
    let mut out = raw.get(..=colon).unwrap_or(b"").to_vec();
    let value = raw.get(colon.saturating_add(1)..).unwrap_or(b"");
    let mut pieces = value.split(|&b| b == b';').peekable();
    while let Some(spec) = pieces.next() {
        let eq = spec.iter().position(|&b| b == b'=');
        let name = eq.and_then(|e| spec.get(..e)).unwrap_or(b"");
        let is_b = name.iter().filter(|b| !b.is_ascii_whitespace()).eq(b"b".iter());
        match eq {
            Some(e) if is_b => out.extend_from_slice(spec.get(..=e).unwrap_or(b"")),
            _ => out.extend_from_slice(spec),
        }
        if pieces.peek().is_some() {
            out.push(b';');
        }
    }
    out
}

/// The reporting domain of a message's header fields.
fn reporting_domain(fields: &[RawField<'_>]) -> Option<String> {
    let value = |name: &str| {
        fields.iter().find(|f| f.name.eq_ignore_ascii_case(name.as_bytes())).map(|f| {
            let v = f.raw.get(f.name.len()..).unwrap_or(b"");
            let v = v.iter().position(|&b| b == b':').and_then(|c| v.get(c.saturating_add(1)..)).unwrap_or(b"");
            String::from_utf8_lossy(v).split_whitespace().collect::<Vec<_>>().join(" ")
        })
    };
    if let Some(s) = value("TLS-Report-Submitter").filter(|s| !s.is_empty()) {
        return Some(s);
    }
    let from = value("From")?;
    let address = from.rsplit_once('<').map_or(from.as_str(), |(_, a)| a.split('>').next().unwrap_or(a));
    address.rsplit_once('@').map(|(_, d)| d.trim().to_string()).filter(|d| !d.is_empty())
}

/// Reads an email's `DKIM-Signature` fields and does everything but the key's part:
/// each becomes a decided [`Signature`] or a [`Pending`] key lookup. `now` (seconds since
/// 1970) decides `x=` expiry; without it nothing expires.
pub fn prepare(email: &[u8], now: Option<u64>) -> Prepared {
    let message = crlf(email);
    let (fields, body) = split(&message);
    let reporting_domain = reporting_domain(&fields);
    let steps = fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case(b"DKIM-Signature"))
        .take(MAX_SIGNATURES)
        .map(|f| step(f, &fields, body, now))
        .collect();
    Prepared { steps, reporting_domain }
}

fn step(field: &RawField<'_>, fields: &[RawField<'_>], body: &[u8], now: Option<u64>) -> Step {
    let value = field.raw.get(field.name.len()..).unwrap_or(b"");
    let value = value.iter().position(|&b| b == b':').and_then(|c| value.get(c.saturating_add(1)..)).unwrap_or(b"");
    let parsed = tags(value);
    let domain = parsed.as_ref().ok().and_then(|t| tag(t, "d")).unwrap_or_default().to_ascii_lowercase();
    let done = |check: Check, why: String, body_limited: bool| {
        Step::Done(Signature { domain: domain.clone(), check, body_limited, why })
    };
    let tags = match parsed {
        Ok(t) => t,
        Err(why) => return done(Check::PermError, why, false),
    };
    let body_limited = tag(&tags, "l").is_some();
    let perm = |why: &str| done(Check::PermError, why.to_string(), body_limited);
    for required in ["v", "a", "b", "bh", "d", "h", "s"] {
        if tag(&tags, required).is_none() {
            return perm(&format!("the signature has no {required}= tag (RFC 6376 §3.5)"));
        }
    }
    if tag(&tags, "v") != Some("1") {
        return perm("the signature's version is not v=1 (RFC 6376 §3.5)");
    }
    let algorithm = match tag(&tags, "a").map(str::to_ascii_lowercase).as_deref() {
        Some("rsa-sha256") => Algorithm::RsaSha256,
        Some("ed25519-sha256") => Algorithm::Ed25519Sha256,
        Some("rsa-sha1") => return perm("rsa-sha1 signatures are not accepted (RFC 8301 §3.1)"),
        Some(other) => return perm(&format!("unknown signing algorithm a={other}")),
        None => return perm("no a="),
    };
    let canon = tag(&tags, "c").unwrap_or("simple/simple").to_ascii_lowercase();
    let (header_c, body_c) = canon.split_once('/').unwrap_or((canon.as_str(), "simple"));
    let relaxed = |c: &str| match c {
        "simple" => Some(false),
        "relaxed" => Some(true),
        _ => None,
    };
    let (Some(relaxed_headers), Some(relaxed_body)) = (relaxed(header_c), relaxed(body_c)) else {
        return perm(&format!("unknown canonicalization c={canon} (RFC 6376 §3.4)"));
    };
    if tag(&tags, "q").is_some_and(|q| !q.split(':').any(|m| m.trim().eq_ignore_ascii_case("dns/txt"))) {
        return perm("the key query method is not dns/txt (RFC 6376 §3.5)");
    }
    let signed_names: Vec<&str> =
        tag(&tags, "h").unwrap_or_default().split(':').map(str::trim).filter(|n| !n.is_empty()).collect();
    if !signed_names.iter().any(|n| n.eq_ignore_ascii_case("From")) {
        return perm("the signature does not cover From (RFC 6376 §6.1.1)");
    }
    let identity_domain = match tag(&tags, "i") {
        None => domain.clone(),
        Some(i) => {
            let d = i.rsplit_once('@').map_or(i, |(_, d)| d).trim().to_ascii_lowercase();
            if d != domain && !d.ends_with(&format!(".{domain}")) {
                return perm(&format!("i={i} is not in the signing domain {domain} (RFC 6376 §6.1.1)"));
            }
            d
        }
    };
    if let (Some(x), Some(now)) = (tag(&tags, "x"), now) {
        match x.parse::<u64>() {
            Ok(x) if x < now => {
                return done(Check::Neutral, "the signature has expired (x=, RFC 6376 §3.5)".into(), body_limited)
            }
            Ok(_) => {}
            Err(_) => return perm(&format!("x={x} is not a time")),
        }
    }
    let (Some(body_hash), Some(signature)) = (tag(&tags, "bh").and_then(base64), tag(&tags, "b").and_then(base64))
    else {
        return perm("bh= or b= is not base64");
    };
    let mut canonical = canonical_body(body, relaxed_body);
    if let Some(l) = tag(&tags, "l") {
        match l.parse::<usize>() {
            Ok(l) if l <= canonical.len() => canonical.truncate(l),
            Ok(_) => return done(Check::Fail, "l= is longer than the body".into(), true),
            Err(_) => return perm(&format!("l={l} is not a length")),
        }
    }
    if Sha256::digest(&canonical).as_slice() != body_hash.as_slice() {
        let why = "the body hash does not match: the report was changed after signing (RFC 6376 §3.7)";
        return done(Check::Fail, why.into(), body_limited);
    }
    // The signed header fields, each name's instances taken from the bottom up
    // (RFC 6376 §5.4.2), then this field with b= emptied and without its CRLF (§3.7).
    let mut used = vec![false; fields.len()];
    let mut signed = Vec::new();
    for name in &signed_names {
        let found = fields
            .iter()
            .enumerate()
            .rev()
            .find(|(i, f)| !used.get(*i).copied().unwrap_or(true) && f.name.eq_ignore_ascii_case(name.as_bytes()));
        if let Some((i, f)) = found {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            signed.extend_from_slice(&canonical_field(f.name, f.raw, relaxed_headers));
            signed.extend_from_slice(b"\r\n");
        }
    }
    signed.extend_from_slice(&canonical_field(field.name, &without_b(field.raw), relaxed_headers));
    if algorithm == Algorithm::Ed25519Sha256 {
        signed = Sha256::digest(&signed).to_vec();
    }
    let selector = tag(&tags, "s").unwrap_or_default().to_string();
    Step::Key(Pending { domain, selector, algorithm, body_limited, identity_domain, signed, signature })
}

impl Pending {
    /// Where its key is: `selector._domainkey.domain` (RFC 6376 §3.6.2.1).
    pub fn key_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }

    fn decided(&self, check: Check, why: String) -> Signature {
        Signature { domain: self.domain.clone(), check, body_limited: self.body_limited, why }
    }

    /// With the key record looked up: the key to check with, or why it cannot be.
    pub fn with_key(self, lookup: Lookup<'_>) -> Result<Ready, Signature> {
        let name = self.key_name();
        let records = match lookup {
            Lookup::Records(r) if !r.is_empty() => r,
            Lookup::Records(_) | Lookup::NotFound => {
                return Err(self.decided(Check::PermError, format!("no key record at {name}")))
            }
            Lookup::Failed(why) => return Err(self.decided(Check::TempError, format!("{name}: {why}"))),
        };
        let mut why = String::new();
        for r in records {
            match self.key(r) {
                Ok(key) => return Ok(Ready { pending: self, key }),
                Err(e) => why = e,
            }
        }
        Err(self.decided(Check::PermError, format!("the key record at {name}: {why}")))
    }

    /// One key record read (RFC 6376 §3.6.1, RFC 8463 §4).
    fn key(&self, record: &[u8]) -> Result<Key, String> {
        let tags = tags(record)?;
        if tags.first().is_some_and(|(n, v)| n == "v" && v != "DKIM1") {
            return Err("v= is not DKIM1".into());
        }
        let kind = tag(&tags, "k").unwrap_or("rsa").to_ascii_lowercase();
        let algorithm = match kind.as_str() {
            "rsa" => Algorithm::RsaSha256,
            "ed25519" => Algorithm::Ed25519Sha256,
            _ => return Err(format!("unknown key type k={kind}")),
        };
        if algorithm != self.algorithm {
            return Err(format!("a k={kind} key cannot check this signature's algorithm"));
        }
        if tag(&tags, "h").is_some_and(|h| !h.split(':').any(|a| a.trim().eq_ignore_ascii_case("sha256"))) {
            return Err("its h= does not allow sha256".into());
        }
        // Service types: all, email (RFC 6376 §3.6.1), and TLS reports (RFC 8460 §3: the
        // record "SHOULD contain ... "s=tlsrpt"").
        if tag(&tags, "s").is_some_and(|s| !s.split(':').any(|t| matches!(t.trim(), "*" | "email" | "tlsrpt"))) {
            return Err("its s= allows neither email nor tlsrpt".into());
        }
        let strict = tag(&tags, "t").is_some_and(|t| t.split(':').any(|f| f.trim() == "s"));
        if strict && self.identity_domain != self.domain {
            return Err("t=s: the i= domain must be the d= domain itself".into());
        }
        let p = tag(&tags, "p").ok_or("no p= tag")?;
        if p.is_empty() {
            return Err("the key is revoked (empty p=)".into());
        }
        let data = base64(p).ok_or("p= is not base64")?;
        let public = match algorithm {
            Algorithm::Ed25519Sha256 if data.len() == 32 => data,
            Algorithm::Ed25519Sha256 => return Err(format!("an Ed25519 key is 32 bytes, not {}", data.len())),
            Algorithm::RsaSha256 => spki(data),
        };
        Ok(Key { algorithm, public })
    }
}

/// A DER length.
fn der_length(n: usize) -> Vec<u8> {
    match n {
        0..=0x7f => vec![n as u8],
        0x80..=0xff => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

/// An RSA key as a SubjectPublicKeyInfo: as published, or wrapped around a bare PKCS#1
/// RSAPublicKey (which starts with an INTEGER where an SPKI has its algorithm SEQUENCE).
fn spki(data: Vec<u8>) -> Vec<u8> {
    // 30 <len> 30 ...: SEQUENCE { SEQUENCE (AlgorithmIdentifier) ... }
    let inner = match data.get(1) {
        Some(l) if *l < 0x80 => 2,
        Some(l) => 2usize.saturating_add(usize::from(l & 0x7f)),
        None => return data,
    };
    if data.get(inner) == Some(&0x30) {
        return data;
    }
    const RSA_ENCRYPTION: &[u8] =
        &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
    let mut bits = vec![0x03];
    bits.extend(der_length(data.len().saturating_add(1)));
    bits.push(0);
    bits.extend(data);
    let mut out = vec![0x30];
    out.extend(der_length(RSA_ENCRYPTION.len().saturating_add(bits.len())));
    out.extend_from_slice(RSA_ENCRYPTION);
    out.extend(bits);
    out
}

impl Ready {
    /// The data the key signed: the canonicalised header fields for rsa-sha256 (the
    /// RSASSA-PKCS1-v1_5 operation hashes them itself), their SHA-256 for ed25519-sha256.
    pub fn signed(&self) -> &[u8] {
        &self.pending.signed
    }

    /// The signature (`b=`, decoded).
    pub fn signature(&self) -> &[u8] {
        &self.pending.signature
    }

    /// The result, given whether the signature verified with the key.
    pub fn conclude(self, verified: bool) -> Signature {
        if verified {
            self.pending.decided(Check::Pass, String::new())
        } else {
            let why = "the signature does not verify with the published key (RFC 6376 §6.1.3)";
            self.pending.decided(Check::Fail, why.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(domain: &str, check: Check, body_limited: bool) -> Signature {
        Signature { domain: domain.into(), check, body_limited, why: "x".into() }
    }

    #[test]
    fn the_reporting_domain_must_sign_without_l() {
        let r = Some("smtp-tls-reporting.google.com");
        assert_eq!(judge(&[], r).result, Verdict::None);
        let pass = judge(&[sig("Google.com.", Check::Pass, false)], r);
        assert_eq!((pass.result, pass.domain.as_deref()), (Verdict::Pass, Some("google.com")));
        assert_eq!(judge(&[sig("google.com", Check::Pass, true)], r).result, Verdict::Fail);
        assert_eq!(judge(&[sig("esp.example", Check::Pass, false)], r).result, Verdict::Fail);
        assert_eq!(judge(&[sig("oogle.com", Check::Pass, false)], r).result, Verdict::Fail, "not a parent, a suffix");
        assert_eq!(judge(&[sig("google.com", Check::Fail, false)], r).result, Verdict::Fail);
        // The ESP's signature does not spoil the reporter's.
        let two = [sig("esp.example", Check::Fail, false), sig("google.com", Check::Pass, false)];
        assert_eq!(judge(&two, r).result, Verdict::Pass);
        assert_eq!(judge(&[sig("google.com", Check::TempError, false)], r).result, Verdict::TempError);
        assert_eq!(judge(&[sig("google.com", Check::PermError, false)], r).result, Verdict::PermError);
        assert_eq!(judge(&[sig("google.com", Check::Neutral, false)], r).result, Verdict::PermError);
        assert_eq!(
            judge(&[sig("google.com", Check::Pass, false)], None).result,
            Verdict::Fail,
            "no reporting domain to align with"
        );
    }

    /// RFC 6376 §3.4.5's example, both canonicalizations.
    #[test]
    fn canonicalization_follows_rfc_6376_example() {
        let message = b"A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";
        let (fields, body) = split(message);
        let relaxed: Vec<Vec<u8>> = fields.iter().map(|f| canonical_field(f.name, f.raw, true)).collect();
        assert_eq!(relaxed, [b"a:X".to_vec(), b"b:Y Z".to_vec()]);
        // A colon inside a value keeps the space after it (only the name's colon loses it).
        assert_eq!(canonical_field(b"Subject", b"Subject:  Report Domain: x ", true), b"subject:Report Domain: x");
        let simple: Vec<Vec<u8>> = fields.iter().map(|f| canonical_field(f.name, f.raw, false)).collect();
        assert_eq!(simple, [b"A: X".to_vec(), b"B : Y\t\r\n\tZ  ".to_vec()]);
        assert_eq!(canonical_body(body, true), b" C\r\nD E\r\n");
        assert_eq!(canonical_body(body, false), b" C \r\nD \t E\r\n");
        // An empty body: CRLF when simple, nothing when relaxed (RFC 6376 errata 3192).
        assert_eq!(canonical_body(b"", false), b"\r\n");
        assert_eq!(canonical_body(b"\r\n\r\n", true), b"");
        assert_eq!(canonical_body(b"no final line break", false), b"no final line break\r\n");
        // Bare LF lines (a saved email) are read as CRLF.
        assert_eq!(crlf(b"A: X\nB: Y\r\n").as_ref(), b"A: X\r\nB: Y\r\n");
    }

    #[test]
    fn tag_lists_and_the_emptied_signature() {
        assert_eq!(
            tags(b" v = 1 ; a=rsa-sha256;").unwrap(),
            [("v".into(), "1".into()), ("a".into(), "rsa-sha256".into())]
        );
        assert!(tags(b"d=a; d=b").unwrap_err().contains("twice"));
        assert!(tags(b"v=1; junk").is_err());
        assert_eq!(
            without_b(b"DKIM-Signature: v=1; bh=AAA=; b=abc\r\n def; d=x"),
            b"DKIM-Signature: v=1; bh=AAA=; b=; d=x"
        );
        assert_eq!(without_b(b"DKIM-Signature: b = abc"), b"DKIM-Signature: b =");
    }

    fn pending(signature: &str) -> Pending {
        let body = b"{}\r\n";
        let bh = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body))
        };
        let email =
            format!("DKIM-Signature: {}\r\nFrom: r@reporter.test\r\n\r\n{{}}\r\n", signature.replace("BH", &bh));
        let prepared = prepare(email.as_bytes(), Some(1_700_000_000));
        assert_eq!(prepared.reporting_domain.as_deref(), Some("reporter.test"));
        match prepared.steps.into_iter().next() {
            Some(Step::Key(p)) => p,
            other => panic!("{signature}: {other:?}"),
        }
    }

    fn decided(signature: &str) -> Signature {
        let bh = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"{}\r\n"))
        };
        let email =
            format!("DKIM-Signature: {}\r\nFrom: r@reporter.test\r\n\r\n{{}}\r\n", signature.replace("BH", &bh));
        match prepare(email.as_bytes(), Some(1_700_000_000)).steps.into_iter().next() {
            Some(Step::Done(s)) => s,
            other => panic!("{signature}: {other:?}"),
        }
    }

    #[test]
    fn signatures_decided_before_any_key() {
        const GOOD: &str = "v=1; a=ed25519-sha256; d=Reporter.test; s=sel; h=from; bh=BH; b=AAAA";
        let p = pending(GOOD);
        assert_eq!((p.domain.as_str(), p.key_name().as_str()), ("reporter.test", "sel._domainkey.reporter.test"));
        assert_eq!(p.signed.len(), 32, "ed25519-sha256 signs the SHA-256 of the header data");
        const CASES: &[(&str, Check, &str)] = &[
            ("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=AAAA; b=AAAA", Check::Fail, "body hash"),
            ("v=1; a=rsa-sha1; d=r.test; s=sel; h=from; bh=BH; b=AAAA", Check::PermError, "RFC 8301"),
            ("v=1; a=ed25519-sha256; d=r.test; s=sel; h=to; bh=BH; b=AAAA", Check::PermError, "From"),
            ("v=2; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA", Check::PermError, "v=1"),
            ("v=1; a=ed25519-sha256; d=r.test; h=from; bh=BH; b=AAAA", Check::PermError, "s="),
            ("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA; i=@other.test", Check::PermError, "i="),
            ("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA; x=1600000000", Check::Neutral, "expired"),
            ("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA; c=odd/simple", Check::PermError, "c="),
            ("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA; l=99", Check::Fail, "l="),
        ];
        for (signature, check, why) in CASES {
            let s = decided(signature);
            assert_eq!(s.check, *check, "{signature}: {s:?}");
            assert!(s.why.contains(why), "{signature}: {}", s.why);
        }
        assert!(decided("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA; l=99").body_limited);
        let l = pending("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA; l=4");
        assert!(l.body_limited);
    }

    #[test]
    fn key_records() {
        use base64::Engine;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let ed = pending("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA");
        let key = |p: &Pending, record: &str| p.clone().with_key(Lookup::Records(&[record.as_bytes().to_vec()]));
        let good = format!("v=DKIM1; k=ed25519; p={}", b64(&[7; 32]));
        assert_eq!(key(&ed, &good).unwrap().key.public, [7; 32]);
        const BAD: &[(&str, &str)] = &[
            ("v=DKIM1; k=ed25519; p=", "revoked"),
            ("v=DKIM1; k=rsa; p=AAAA", "k=rsa"),
            ("v=DKIM1; k=ed25519; p=AAAA", "32 bytes"),
            ("v=DKIM2; k=ed25519; p=AAAA", "DKIM1"),
            ("k=ed25519; s=other; p=AAAA", "s="),
            ("k=ed25519; s=email:other; p=", "revoked"),
            ("k=ed25519; s=tlsrpt; p=", "revoked"),
            ("k=ed25519; h=sha1; p=AAAA", "h="),
        ];
        for (record, why) in BAD {
            let s = key(&ed, record).unwrap_err();
            assert_eq!(s.check, Check::PermError, "{record}");
            assert!(s.why.contains(why), "{record}: {}", s.why);
        }
        assert_eq!(ed.clone().with_key(Lookup::NotFound).unwrap_err().check, Check::PermError);
        assert_eq!(ed.clone().with_key(Lookup::Failed("timeout")).unwrap_err().check, Check::TempError);
        // t=s: the identity must be the signing domain itself.
        let sub = pending("v=1; a=ed25519-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA; i=@mail.r.test");
        assert!(key(&sub, &format!("k=ed25519; t=s; p={}", b64(&[7; 32]))).is_err());
        // RSA: an SPKI is kept, a bare RSAPublicKey wrapped in one.
        let rsa = pending("v=1; a=rsa-sha256; d=r.test; s=sel; h=from; bh=BH; b=AAAA");
        let pkcs1 = [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03];
        let wrapped = key(&rsa, &format!("p={}", b64(&pkcs1))).unwrap().key.public;
        assert_eq!(wrapped.get(..4), Some(&[0x30, 0x1a, 0x30, 0x0d][..]));
        assert!(wrapped.ends_with(&[0x03, 0x09, 0x00, 0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03]));
        assert_eq!(key(&rsa, &format!("p={}", b64(&wrapped))).unwrap().key.public, wrapped);
        let ready = key(&rsa, &format!("p={}", b64(&wrapped))).unwrap();
        assert_eq!(ready.clone().conclude(true).check, Check::Pass);
        assert_eq!(ready.conclude(false).check, Check::Fail);
    }
}
