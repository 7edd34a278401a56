//! MX patterns of a policy and how they match MX host names.
//!
//! RFC 8461 §3.2: `sts-policy-mx-value = ["*."] Domain`, and "the mx value MUST specify the
//! Punycode-encoded A-label [...] and not the Unicode-encoded U-label".
//!
//! RFC 8461 §4.1: "Matching is identical to the rules given in [RFC6125], with the
//! restriction that the wildcard character '*' may only be used to match the entire
//! left-most label in the presented identifier. Thus, the mx pattern "*.example.com"
//! matches "mail.example.com" but not "example.com" or "foo.bar.example.com"."
//!
//! Matching is case-insensitive (RFC 6125 §6.4.1); a trailing dot on the host is ignored
//! (the absolute form of the same name) and a host written in U-labels is converted to
//! A-labels first. An invalid pattern never matches.

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use crate::code::Code;
use crate::domain::{check_domain, to_a_label};
use crate::finding::Span;

/// A valid `mx` pattern, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MxPattern {
    /// True for `*.domain`.
    pub wildcard: bool,
    /// The domain after `*.`, or the whole name; lowercase A-labels.
    pub domain: String,
}

impl std::fmt::Display for MxPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.wildcard {
            write!(f, "*.{}", self.domain)
        } else {
            f.write_str(&self.domain)
        }
    }
}

impl Serialize for MxPattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why a pattern is invalid: the code, the offending bytes (relative to the pattern) and a
/// detail text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// One of the `sts-policy/mx-*` codes.
    pub code: Code,
    /// Offending bytes, relative to the pattern text.
    pub span: Span,
    /// What exactly is wrong.
    pub detail: String,
}

fn perr(code: Code, span: Span, detail: impl Into<String>) -> PatternError {
    PatternError { code, span, detail: detail.into() }
}

impl MxPattern {
    /// Parses one `mx` value (already trimmed of surrounding whitespace).
    pub fn parse(text: &str) -> Result<MxPattern, PatternError> {
        let whole = Span::new(0, text.len());
        if text.is_empty() {
            return Err(perr(Code::StsPolicyMxInvalid, whole, "empty pattern"));
        }
        if let Some(inner) = text.strip_prefix('[') {
            let inner = inner.trim_end_matches(']');
            return Err(perr(Code::StsPolicyMxIpLiteral, whole, format!("\"{inner}\" is an address literal")));
        }
        if text.parse::<IpAddr>().is_ok() {
            return Err(perr(Code::StsPolicyMxIpLiteral, whole, format!("\"{text}\" is an IP address")));
        }
        if let Some((host, port)) = text.rsplit_once(':') {
            if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !host.contains(':') {
                return Err(perr(Code::StsPolicyMxPort, Span::new(host.len(), text.len()), format!("port {port}")));
            }
        }
        if text.len() > 1 && text != "*." && text.ends_with('.') && !text.ends_with("..") {
            let at = text.len().saturating_sub(1);
            return Err(perr(
                Code::StsPolicyMxTrailingDot,
                Span::new(at, text.len()),
                format!("write \"{}\"", text.trim_end_matches('.')),
            ));
        }
        let (wildcard, domain, offset) = match text.strip_prefix("*.") {
            Some(rest) => (true, rest, 2),
            None => (false, text, 0),
        };
        if let Some(star) = domain.find('*') {
            let at = star.saturating_add(offset);
            let detail = if text == "*" {
                "\"*\" alone matches nothing; write \"*.example.com\"".to_string()
            } else {
                format!("\"*\" at position {} is not a whole left-most label", at.saturating_add(1))
            };
            return Err(perr(Code::StsPolicyMxBadWildcard, Span::new(at, at.saturating_add(1)), detail));
        }
        if !domain.is_ascii() {
            let detail = match to_a_label(domain) {
                Some(a) => format!("write \"{}{}\"", if wildcard { "*." } else { "" }, a),
                None => "and it is not a valid internationalised name either".to_string(),
            };
            return Err(perr(Code::StsPolicyMxULabel, whole, detail));
        }
        if domain.split('.').count() == 4
            && domain.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
            && domain.parse::<Ipv4Addr>().is_err()
        {
            return Err(perr(Code::StsPolicyMxIpLiteral, whole, format!("\"{domain}\" looks like an IPv4 address")));
        }
        check_domain(domain).map_err(|e| perr(Code::StsPolicyMxInvalid, e.span.shift(offset), e.detail))?;
        Ok(MxPattern { wildcard, domain: domain.to_ascii_lowercase() })
    }

    /// Whether this pattern matches `host` (already normalised with [`normalize_host`]).
    pub fn matches(&self, host: &str) -> bool {
        self.explain(host).0
    }

    /// Whether this pattern matches the normalised `host`, and a sentence saying why.
    pub fn explain(&self, host: &str) -> (bool, String) {
        if !self.wildcard {
            return if host == self.domain {
                (true, format!("\"{host}\" is exactly the pattern"))
            } else {
                (
                    false,
                    format!(
                        "\"{host}\" is not \"{}\" (names must be equal unless the pattern starts with \"*.\")",
                        self.domain
                    ),
                )
            };
        }
        match host.split_once('.') {
            Some((first, rest)) if rest == self.domain && !first.is_empty() => {
                (true, format!("\"*\" stands for the one label \"{first}\""))
            }
            _ if host == self.domain => (
                false,
                format!("\"*.{0}\" needs exactly one label before \"{0}\"; \"{0}\" itself is not covered (add \"mx: {0}\")", self.domain),
            ),
            _ => match host.strip_suffix(&format!(".{}", self.domain)) {
                Some(labels) => (
                    false,
                    format!("\"*\" stands for exactly one label, but \"{labels}\" is {} labels (RFC 8461 §4.1); add \"mx: {host}\" or \"mx: *.{}\"", labels.split('.').count(), host.split_once('.').map_or("", |(_, r)| r)),
                ),
                None => (false, format!("\"{host}\" is not under \"{}\"", self.domain)),
            },
        }
    }
}

/// Normalises an MX host name for matching: surrounding whitespace and one trailing dot are
/// removed, letters are lowercased and U-labels become A-labels.
///
/// Returns the detail of what is wrong if the result is not a valid host name.
pub fn normalize_host(host: &str) -> Result<String, String> {
    let trimmed = host.trim();
    let bare = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if bare.contains('*') {
        return Err(format!("\"{trimmed}\" contains \"*\"; a host name cannot be a pattern"));
    }
    let ascii = if bare.is_ascii() {
        bare.to_ascii_lowercase()
    } else {
        to_a_label(bare).ok_or_else(|| format!("\"{bare}\" is not a valid internationalised name"))?
    };
    check_domain(&ascii).map_err(|e| format!("\"{trimmed}\": {}", e.detail))?;
    Ok(ascii)
}

/// Whether any valid pattern in `patterns` matches `host`. Invalid patterns and invalid
/// hosts never match.
pub fn any_matches<'a>(patterns: impl IntoIterator<Item = &'a str>, host: &str) -> bool {
    let Ok(host) = normalize_host(host) else {
        return false;
    };
    patterns.into_iter().filter_map(|p| MxPattern::parse(p.trim()).ok()).any(|p| p.matches(&host))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (pattern, host, matches); an invalid pattern or host is a non-match.
    const MATCH_CASES: &[(&str, &str, bool)] = &[
        ("*.example.com", "mail.example.com", true),
        ("*.example.com", "example.com", false),
        ("*.example.com", "foo.bar.example.com", false),
        ("*.example.com", "MAIL.Example.COM", true),
        ("*.example.com", "mail.example.com.", true),
        ("mail.example.com", "mail.example.com", true),
        ("mail.example.com", "Mail.Example.Com.", true),
        ("mail.example.com", "x.mail.example.com", false),
        ("*.EXAMPLE.com", "mx.example.com", true),
        ("*.example.com", "xexample.com", false),
        ("*.example.com", ".example.com", false),
        ("*.example.com", "*.example.com", false),
        ("xn--mnchen-3ya.example", "münchen.example", true),
        ("mx.xn--e1afmkfd.example", "mx.пример.example", true),
        ("foo*.example.com", "foo1.example.com", false),
        ("*", "foo", false),
        ("", "foo", false),
        ("*.example.org", "without-dots", false),
    ];

    fn check(pattern: &str, host: &str, expect: bool) {
        assert_eq!(any_matches([pattern], host), expect, "{pattern:?} vs {host:?}");
    }

    #[test]
    fn matching_table() {
        for &(p, h, e) in MATCH_CASES {
            check(p, h, e);
        }
    }

    /// (pattern, Ok(normalised) or Err(code id)).
    const PARSE_CASES: &[(&str, Result<&str, &str>)] = &[
        ("mail.example.com", Ok("mail.example.com")),
        ("*.EXAMPLE.com", Ok("*.example.com")),
        ("xn--mnchen-3ya.example", Ok("xn--mnchen-3ya.example")),
        ("münchen.example", Err("sts-policy/mx-u-label")),
        ("*.münchen.example", Err("sts-policy/mx-u-label")),
        ("192.0.2.1", Err("sts-policy/mx-ip-literal")),
        ("[192.0.2.1]", Err("sts-policy/mx-ip-literal")),
        ("2001:db8::1", Err("sts-policy/mx-ip-literal")),
        ("mail.example.com:25", Err("sts-policy/mx-port")),
        ("mail.example.com.", Err("sts-policy/mx-trailing-dot")),
        ("*.*.example.com", Err("sts-policy/mx-bad-wildcard")),
        ("**.example", Err("sts-policy/mx-bad-wildcard")),
        ("foo*.example.com", Err("sts-policy/mx-bad-wildcard")),
        ("*", Err("sts-policy/mx-bad-wildcard")),
        ("mail.*.example.com", Err("sts-policy/mx-bad-wildcard")),
        ("-mail.example.com", Err("sts-policy/mx-invalid")),
        ("mail_x.example.com", Err("sts-policy/mx-invalid")),
        ("test.example-", Err("sts-policy/mx-invalid")),
        ("*.", Err("sts-policy/mx-invalid")),
        ("", Err("sts-policy/mx-invalid")),
    ];

    #[test]
    fn parse_table() {
        for &(text, expect) in PARSE_CASES {
            let got = MxPattern::parse(text).map(|p| p.to_string()).map_err(|e| e.code.id());
            assert_eq!(got, expect.map(str::to_string), "{text:?}");
        }
    }

    #[test]
    fn u_label_error_suggests_a_label() {
        let e = MxPattern::parse("*.münchen.example").unwrap_err();
        assert!(e.detail.contains("*.xn--mnchen-3ya.example"), "{}", e.detail);
    }

    #[test]
    fn explanations_name_the_rule() {
        let p = MxPattern::parse("*.example.com").unwrap();
        let (m, why) = p.explain("a.b.example.com");
        assert!(!m);
        assert!(why.contains("exactly one label") && why.contains("\"a.b\" is 2 labels"), "{why}");
        let (m, why) = p.explain("example.com");
        assert!(!m && why.contains("add \"mx: example.com\""), "{why}");
        let (m, why) = p.explain("mx1.example.com");
        assert!(m && why.contains("\"mx1\""), "{why}");
    }
}
