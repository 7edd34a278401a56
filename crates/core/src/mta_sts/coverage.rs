//! Does a policy cover the domain's MX hosts? RFC 8461 §4.1: "A receiving candidate MX host
//! is valid according to an applied MTA-STS Policy if the MX record name matches one or
//! more of the "mx" fields in the applied policy."
//!
//! Every MX host is matched against every pattern (in MX priority order), patterns that
//! match nothing are reported as stale, a null MX (RFC 7505, a single MX of ".") means the
//! domain takes no mail, and no MX at all means the domain itself is the implicit MX
//! (RFC 5321 §5.1). The MX list comes from the caller (DNS, or the command line).

use crate::order;
use serde::Serialize;

use crate::code::Code;
use crate::finding::{Finding, Parsed, Span};
use crate::mta_sts::mx::{normalize_host, MxPattern};

/// One MX host and what covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MxRow {
    /// MX preference, if known.
    pub priority: Option<u16>,
    /// The host as given.
    pub host: String,
    /// The first pattern that matches it.
    pub pattern: Option<String>,
    /// Whether a pattern matches.
    pub covered: bool,
    /// Why it matches or not, in one sentence.
    pub why: String,
}

/// The coverage matrix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Each MX host, lowest preference value first.
    pub rows: Vec<MxRow>,
    /// Patterns matching no MX host.
    pub stale: Vec<String>,
    /// The domain publishes a null MX.
    pub null_mx: bool,
}

/// Matches `mx` (preference, host) against `patterns`. With no MX hosts, `domain` (if
/// given) is the implicit MX. Findings carry no span: they are about hosts, not text.
pub fn coverage(patterns: &[MxPattern], mx: &[(Option<u16>, String)], domain: Option<&str>) -> Parsed<Coverage> {
    let mut findings = Vec::new();
    let mut value = Coverage::default();
    let null = mx.len() == 1 && mx.first().is_some_and(|(_, h)| h.trim() == "." || h.trim().is_empty());
    if null {
        value.null_mx = true;
        findings.push(Finding::new(Code::MxNullMx, Span::at(0), ""));
        return Parsed { value, findings };
    }
    let mut hosts: Vec<(Option<u16>, String)> = mx.to_vec();
    if hosts.is_empty() {
        if let Some(d) = domain {
            findings.push(Finding::new(Code::MxImplicit, Span::at(0), format!("the implicit MX is {d}")));
            hosts.push((None, d.to_string()));
        }
    }
    order::sort_by_key(&mut hosts, |(p, _)| p.unwrap_or(u16::MAX));
    let mut used = vec![false; patterns.len()];
    for (priority, host) in hosts {
        let row = match normalize_host(&host) {
            Err(why) => {
                findings.push(Finding::new(Code::MxInvalidHost, Span::at(0), why.clone()));
                MxRow { priority, host, pattern: None, covered: false, why }
            }
            Ok(h) => {
                let mut hit = None;
                for (i, p) in patterns.iter().enumerate() {
                    if p.matches(&h) {
                        if let Some(u) = used.get_mut(i) {
                            *u = true;
                        }
                        hit = hit.or(Some(p));
                    }
                }
                match hit {
                    Some(p) => {
                        let (_, why) = p.explain(&h);
                        MxRow { priority, host, pattern: Some(p.to_string()), covered: true, why }
                    }
                    None => {
                        // Explain against the closest pattern: a wildcard on the same
                        // parent domain if there is one, else the first.
                        let near = patterns
                            .iter()
                            .find(|p| p.wildcard && h.ends_with(&format!(".{}", p.domain)))
                            .or(patterns.first());
                        let why = near.map_or_else(|| "the policy has no mx patterns".to_string(), |p| p.explain(&h).1);
                        findings.push(Finding::new(Code::MxNotCovered, Span::at(0), format!("{h}: {why}")));
                        MxRow { priority, host, pattern: None, covered: false, why }
                    }
                }
            }
        };
        value.rows.push(row);
    }
    for (p, used) in patterns.iter().zip(used) {
        if !used {
            findings.push(Finding::new(Code::MxStalePattern, Span::at(0), format!("\"{p}\"")));
            value.stale.push(p.to_string());
        }
    }
    Parsed { value, findings }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(p: &[&str]) -> Vec<MxPattern> {
        p.iter().map(|p| MxPattern::parse(p).unwrap()).collect()
    }

    fn codes(c: &Parsed<Coverage>) -> Vec<&'static str> {
        c.findings.iter().map(|f| f.code.id()).collect()
    }

    #[test]
    fn every_mx_is_matched_in_priority_order() {
        let mx = vec![(Some(20), "mx2.example.com.".to_string()), (Some(10), "mx1.example.com".to_string())];
        let c = coverage(&pats(&["*.example.com", "old.example.net"]), &mx, Some("example.com"));
        assert_eq!(
            c.value.rows.iter().map(|r| r.host.as_str()).collect::<Vec<_>>(),
            ["mx1.example.com", "mx2.example.com."]
        );
        assert!(c.value.rows.iter().all(|r| r.covered));
        assert_eq!(c.value.stale, ["old.example.net"]);
        assert_eq!(codes(&c), ["mx/stale-pattern"]);
        assert!(c.is_valid());
    }

    #[test]
    fn a_host_two_labels_under_a_wildcard_is_not_covered() {
        let mx = vec![(Some(10), "a.b.example.com".to_string())];
        let c = coverage(&pats(&["*.example.com"]), &mx, None);
        assert!(!c.is_valid());
        assert!(c.findings[0].detail.contains("exactly one label"), "{}", c.findings[0].detail);
    }

    #[test]
    fn null_and_implicit_mx() {
        let c = coverage(&pats(&["mail.example.com"]), &[(Some(0), ".".to_string())], Some("example.com"));
        assert!(c.value.null_mx);
        assert_eq!(codes(&c), ["mx/null-mx"]);
        let c = coverage(&pats(&["example.com"]), &[], Some("example.com"));
        assert_eq!(codes(&c), ["mx/implicit"]);
        assert!(c.value.rows[0].covered);
    }
}
