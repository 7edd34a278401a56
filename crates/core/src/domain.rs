//! Host names as the RFCs write them.
//!
//! RFC 5321 §4.1.2, imported by RFC 8461's `sts-policy-mx-value`:
//!
//! ```text
//! Domain     = sub-domain *("." sub-domain)
//! sub-domain = Let-dig [Ldh-str]
//! Let-dig    = ALPHA / DIGIT
//! Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
//! ```
//!
//! plus the DNS limits of RFC 1035 §2.3.4 (labels of at most 63 octets, names of at most
//! 253 characters in text form). This module only checks syntax; it does not resolve.

use crate::finding::Span;

/// Why a string is not a `Domain`: a detail text and the offending bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainError {
    pub detail: String,
    pub span: Span,
}

fn err(detail: impl Into<String>, start: usize, end: usize) -> DomainError {
    DomainError { detail: detail.into(), span: Span::new(start, end) }
}

/// Checks `name` against the `Domain` grammar and the DNS length limits.
///
/// Spans in the error are relative to `name`.
pub(crate) fn check_domain(name: &str) -> Result<(), DomainError> {
    if name.is_empty() {
        return Err(err("empty host name", 0, 0));
    }
    if name.len() > 253 {
        return Err(err(format!("{} characters long; a host name has at most 253", name.len()), 0, name.len()));
    }
    let mut start = 0usize;
    for label in name.split('.') {
        let end = start.saturating_add(label.len());
        if label.is_empty() {
            return Err(err(
                "empty label (two dots in a row, or a dot at either end)",
                start,
                end.max(start.saturating_add(1)).min(name.len()),
            ));
        }
        if let Some((i, c)) = label.char_indices().find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-')) {
            let at = start.saturating_add(i);
            return Err(err(
                format!("\"{c}\" is not allowed in a host name (letters, digits and \"-\" only)"),
                at,
                at.saturating_add(c.len_utf8()),
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(err(format!("label \"{label}\" starts or ends with \"-\""), start, end));
        }
        if label.len() > 63 {
            return Err(err(format!("label is {} characters long; at most 63 are allowed", label.len()), start, end));
        }
        if label.len() >= 4 && label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")) {
            let decoded = label.get(4..).and_then(|p| idna::punycode::decode_to_string(&p.to_ascii_lowercase()));
            // RFC 5891 §5.4: an A-label decodes to a U-label (some non-ASCII, no controls or
            // spaces, already lowercase) that encodes back to it.
            let u_label = |u: &String| {
                !u.is_ascii()
                    && !u.chars().any(|c| c.is_control() || c.is_whitespace() || c == '.')
                    && u.to_lowercase() == *u
                    && idna::punycode::encode_str(u)
                        .is_some_and(|p| label.get(4..).is_some_and(|l| l.eq_ignore_ascii_case(&p)))
            };
            if !decoded.as_ref().is_some_and(u_label) {
                return Err(err(format!("\"{label}\" is not a valid A-label (bad Punycode)"), start, end));
            }
        }
        start = end.saturating_add(1);
    }
    Ok(())
}

/// The A-label form of a name written with Unicode labels: each label lowercased and, when
/// not ASCII, Punycode-encoded behind "xn--" (RFC 5891 §4.4).
///
/// This is IDNA without UTS 46's Unicode tables: no NFC normalisation or compatibility
/// mapping, so a label typed in an unusual normal form converts as typed. The full tables
/// cost the web bundle 45 KB, and names typed into a policy are in the usual form.
pub(crate) fn to_a_label(name: &str) -> Option<String> {
    let labels: Option<Vec<String>> = name
        .trim_end_matches('.')
        .split('.')
        .map(|label| {
            let lower = label.to_lowercase();
            if lower.is_empty() || lower.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
                None
            } else if lower.is_ascii() {
                Some(lower)
            } else {
                idna::punycode::encode_str(&lower).map(|p| format!("xn--{p}"))
            }
        })
        .collect();
    labels.map(|l| l.join(".")).filter(|a| a.len() <= 253)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, bool)] = &[
        ("example.com", true),
        ("mail.example.com", true),
        ("a", true),
        ("0.example", true),
        ("xn--mnchen-3ya.example", true),
        ("mx-1.example", true),
        ("", false),
        (".example.com", false),
        ("example..com", false),
        ("example.com.", false),
        ("-mail.example.com", false),
        ("test.example-", false),
        ("mail_x.example.com", false),
        ("mail example.com", false),
        ("münchen.example", false),
        ("xn--abcdef.example", false),
    ];

    fn check(name: &str, valid: bool) {
        assert_eq!(check_domain(name).is_ok(), valid, "{name:?}: {:?}", check_domain(name));
    }

    #[test]
    fn table() {
        for &(name, valid) in CASES {
            check(name, valid);
        }
    }

    #[test]
    fn length_limits() {
        check(&"a".repeat(63), true);
        check(&"a".repeat(64), false);
        let long = vec!["abcdefghi"; 26].join(".");
        assert_eq!(long.len(), 259);
        check(&long, false);
    }

    #[test]
    fn a_label_conversion() {
        assert_eq!(to_a_label("münchen.example").as_deref(), Some("xn--mnchen-3ya.example"));
        assert_eq!(to_a_label("ÑACA.com").as_deref(), Some("xn--aca-6ma.com"));
    }
}
