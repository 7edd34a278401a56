//! Whether a report email's DKIM signatures make it a report to trust (RFC 8460 §3):
//! "Reports sent via SMTP MUST contain a valid DKIM signature by the reporting domain.
//! Reports lacking such a signature MUST be ignored by the recipient. DKIM signatures MUST
//! NOT use the "l=" attribute". The cryptography is done by the caller (a DKIM library and
//! its key lookups); this is the rule applied to what it found.

use serde::{Deserialize, Serialize};

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
}
