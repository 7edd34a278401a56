//! What the domain check page shows, computed from core's `evaluate` without touching the
//! DOM, so that it is tested natively.

use mtasts_core::check::{
    evaluate, fix_for, Answers, Check, DnsAnswer, FetchFact, MxFact, PolicyFact, PolicyFetch, RecordFact, Undecided,
    Verdict,
};
use mtasts_core::deploy::{corrected, Live};
use mtasts_core::mta_sts::policy::human_duration;
use mtasts_core::order;
use mtasts_core::Severity;

use crate::services::net::RawLookup;
use crate::view_model::lint::FindingView;

/// One MX host in the coverage matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxRowView {
    /// Preference, or "implicit".
    pub priority: String,
    /// Host name.
    pub host: String,
    /// The policy pattern that matches it, if any.
    pub pattern: Option<String>,
    /// Covered by the policy.
    pub covered: bool,
    /// "covered", "not-covered", or "unknown" (no policy to match against).
    pub state: &'static str,
    /// Why, in one sentence.
    pub why: String,
    /// DANE status of this host: "DANE (DNSSEC)", "TLSA, not validated", "none", or what failed.
    pub dane: String,
    /// The certificate tab for this host, with its TLSA records and AD bit in the query.
    pub certificate: String,
}

/// TLSA records of one MX host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaneView {
    /// The host.
    pub host: String,
    /// Validated by DNSSEC (the AD bit).
    pub authenticated: bool,
    /// Each record: "3 1 1 <hex>" and what the numbers mean.
    pub records: Vec<(String, String)>,
}

/// The corrected policy and a new `_mta-sts` record, when the verdict is broken or testing
/// because of the policy or MX coverage (core's `deploy::corrected`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixView {
    /// The corrected policy file.
    pub policy: String,
    /// The new `_mta-sts` TXT value (a fresh id).
    pub sts_record: String,
    /// What changed, naming the hosts.
    pub changes: Vec<String>,
}

/// The policy as read (fetched or pasted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyView {
    /// Mode, or "(missing)".
    pub mode: String,
    /// max_age in words.
    pub max_age: String,
    /// The mx patterns.
    pub mx: Vec<String>,
    /// Where it came from: "fetched", "pasted", "pasted curl output".
    pub source: &'static str,
}

/// The whole page below the form.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckView {
    /// The domain checked.
    pub domain: String,
    /// `data-verdict`: protected, testing, broken, none; "unverified" while the policy
    /// cannot be read from the browser and nothing has been pasted; "unknown" when the
    /// resolver gave no answer for `_mta-sts`.
    pub verdict: &'static str,
    /// The verdict in words.
    pub title: &'static str,
    /// Why.
    pub reason: String,
    /// Error, warning and info counts.
    pub counts: [usize; 3],
    /// Every finding, errors first.
    pub findings: Vec<FindingView>,
    /// The `_mta-sts` record's id, when there is a usable record.
    pub sts_id: Option<String>,
    /// The policy, when read.
    pub policy: Option<PolicyView>,
    /// The browser could not read the policy: offer the paste box.
    pub needs_paste: bool,
    /// The MX coverage matrix, lowest preference first.
    pub mx: Vec<MxRowView>,
    /// Policy patterns that match no MX host.
    pub stale: Vec<String>,
    /// The domain has a null MX (RFC 7505).
    pub null_mx: bool,
    /// TLS-RPT report addresses, when there is a usable record.
    pub rua: Option<Vec<String>>,
    /// TLSA records per MX host that has any.
    pub dane: Vec<DaneView>,
    /// AD bit of the MX, `_mta-sts` and `_smtp._tls` answers (None: no answer).
    pub dnssec: [(&'static str, Option<bool>); 3],
    /// Raw DNS answers.
    pub raw: Vec<RawLookup>,
    /// What the policy fetch gave, as the page saw it: a one-line summary and the body
    /// (at most 16 KiB of it) when readable.
    pub fetch_raw: (String, Option<String>),
    /// Wall time of the check, ms.
    pub ms: f64,
    /// The fix ready to paste, when the policy or MX coverage is why the domain is broken
    /// or only testing.
    pub fix: Option<FixView>,
    /// The lookups the resolver did not answer (timeout, unreachable): an outage, shown once,
    /// and nothing concluded about those names.
    pub outage: Vec<String>,
    /// The `_smtp._tls` lookup got no answer: its absence is not known.
    pub tlsrpt_unknown: bool,
    /// The policy card may be green: a valid enforce policy senders can fetch (never green
    /// while the policy or its fetch has an error, whatever mode it names).
    pub policy_ok: bool,
}

fn ad<T>(a: &DnsAnswer<T>) -> Option<bool> {
    match a {
        DnsAnswer::Records { authenticated, .. } => Some(*authenticated),
        _ => None,
    }
}

fn tlsa_meaning(usage: u8, selector: u8, matching: u8) -> String {
    let u = match usage {
        0 => "PKIX-TA (not for SMTP)",
        1 => "PKIX-EE (not for SMTP)",
        2 => "DANE-TA: trust anchor",
        3 => "DANE-EE: the server's own key",
        _ => "unknown usage",
    };
    let s = match selector {
        0 => "full certificate",
        1 => "public key",
        _ => "unknown selector",
    };
    let m = match matching {
        0 => "exact",
        1 => "SHA-256",
        2 => "SHA-512",
        _ => "unknown matching type",
    };
    format!("{u}; {s}; {m}")
}

impl CheckView {
    /// Evaluates `answers` for `domain` and prepares the page.
    pub fn new(domain: &str, answers: &Answers, raw: Vec<RawLookup>, ms: f64) -> CheckView {
        let c: Check = evaluate(domain, answers);
        let verdict = c.verdict.id();
        let title = match c.verdict {
            Verdict::Protected => "Protected",
            Verdict::Testing => "Testing only",
            Verdict::Broken => "Broken",
            Verdict::None => "Not deployed",
            Verdict::Undecided(Undecided::NoAnswer) => "Could not check",
            Verdict::Undecided(Undecided::Unverified) => "Not verifiable from the browser",
        };
        // In core's order: what breaks mail first.
        let findings: Vec<FindingView> = c
            .findings
            .iter()
            .enumerate()
            .map(|(i, l)| FindingView { fix: fix_for(l, domain), ..FindingView::new(i, &l.finding, l.origin.clone()) })
            .collect();
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        let counts = [count(Severity::Error), count(Severity::Warning), count(Severity::Info)];

        let tlsa_of = |host: &str| answers.tlsa.iter().find(|(h, _)| h == host).map(|(_, t)| t);
        let dane_label = |host: &str| match tlsa_of(host) {
            None => "not looked up".to_string(),
            Some(t) if t.is_dane() => "DANE (DNSSEC-validated)".to_string(),
            Some(DnsAnswer::Records { records, .. }) if !records.is_empty() => "TLSA, not validated".to_string(),
            Some(DnsAnswer::Records { .. } | DnsAnswer::NxDomain) => "none".to_string(),
            Some(DnsAnswer::ServFail) => "SERVFAIL".to_string(),
            Some(DnsAnswer::Timeout) => "timed out".to_string(),
            Some(DnsAnswer::Failed(_)) => "lookup failed".to_string(),
        };
        let certificate = |host: &str| {
            let mut link = format!("#/lint/certificate/{host}");
            if let Some(DnsAnswer::Records { records, authenticated, .. }) = tlsa_of(host) {
                if !records.is_empty() {
                    let list: Vec<String> = records.iter().map(|t| t.to_string().replace(' ', "%20")).collect();
                    link.push_str(&format!("?tlsa={}&ad={}", list.join("%2C"), u8::from(*authenticated)));
                }
            }
            link
        };
        let mx = c
            .coverage
            .as_ref()
            .map(|cov| {
                cov.rows
                    .iter()
                    .map(|r| MxRowView {
                        priority: r.priority.map_or("implicit".to_string(), |p| p.to_string()),
                        host: r.host.clone(),
                        pattern: r.pattern.clone(),
                        covered: r.covered,
                        state: if r.covered { "covered" } else { "not-covered" },
                        why: r.why.clone(),
                        dane: dane_label(&r.host),
                        certificate: certificate(&r.host),
                    })
                    .collect()
            })
            .unwrap_or_else(|| match &answers.mx {
                // No policy to match against: still list the hosts.
                DnsAnswer::Records { records, .. } => {
                    let mut rows: Vec<_> = records
                        .iter()
                        .filter(|(_, h)| h != ".")
                        .map(|(p, h)| MxRowView {
                            priority: p.to_string(),
                            host: h.clone(),
                            pattern: None,
                            covered: false,
                            state: "unknown",
                            why: "no policy to match against".to_string(),
                            dane: dane_label(h),
                            certificate: certificate(h),
                        })
                        .collect();
                    order::sort_by_key(&mut rows, |a| a.priority.parse::<u16>().ok());
                    rows
                }
                _ => vec![],
            });
        let null_mx =
            matches!(&answers.mx, DnsAnswer::Records { records, .. } if records.iter().any(|(_, h)| h == "."));
        let policy = c.policy.as_ref().map(|p| PolicyView {
            mode: p.mode.map_or("(missing)".to_string(), |m| m.as_str().to_string()),
            max_age: p.max_age.map_or("(missing)".to_string(), |s| format!("{s} s ({})", human_duration(s))),
            mx: p.mx.iter().map(ToString::to_string).collect(),
            source: match answers.policy {
                PolicyFetch::Pasted(_) => "pasted",
                PolicyFetch::Captured(_) => "pasted curl output",
                _ => "fetched",
            },
        });
        let dane = answers
            .tlsa
            .iter()
            .filter_map(|(host, t)| match t {
                DnsAnswer::Records { records, authenticated, .. } if !records.is_empty() => Some(DaneView {
                    host: host.clone(),
                    authenticated: *authenticated,
                    records: records
                        .iter()
                        .map(|r| (r.to_string(), tlsa_meaning(r.usage, r.selector, r.matching)))
                        .collect(),
                }),
                _ => None,
            })
            .collect();
        let fetch_raw = match &answers.policy {
            PolicyFetch::Response { status, content_type, location, body } => {
                let mut line = format!("HTTP {status}, Content-Type: {}", content_type.as_deref().unwrap_or("(none)"));
                if let Some(l) = location {
                    line.push_str(&format!(", Location: {l}"));
                }
                let shown = body.get(..16 * 1024).unwrap_or(body);
                (line, Some(String::from_utf8_lossy(shown).into_owned()))
            }
            PolicyFetch::Opaque => (
                "an answer the page may not read (no CORS header): the host is up, with a trusted certificate"
                    .to_string(),
                None,
            ),
            PolicyFetch::Redirect => ("a redirect (its status and target are hidden from pages)".to_string(), None),
            PolicyFetch::Unreachable(why) => (format!("no answer: {why}"), None),
            PolicyFetch::Pasted(_) | PolicyFetch::Captured(_) => ("replaced by the pasted text".to_string(), None),
        };
        let fixable = matches!(c.verdict, Verdict::Broken | Verdict::Testing)
            && c.facts.record == RecordFact::Valid
            && c.facts.fetch == FetchFact::Ok
            && (c.facts.policy == PolicyFact::Invalid || c.facts.mx == MxFact::NotCovered);
        let fix = fixable.then(|| corrected(domain, &Live::read(&c, answers).0, answers.now)).flatten().map(
            |(s, mut changes)| {
                if changes.is_empty() {
                    changes.push(
                        "the policy rewritten as RFC 8461 §3.2 writes it (the findings say what the live one breaks)"
                            .to_string(),
                    );
                }
                FixView { policy: s.policy(), sts_record: s.sts_record(), changes }
            },
        );
        fn no_answer<T>(a: &DnsAnswer<T>) -> bool {
            matches!(a, DnsAnswer::Timeout | DnsAnswer::Failed(_))
        }
        let d = domain.trim_end_matches('.');
        let mut outage: Vec<String> = [
            (no_answer(&answers.mx), format!("{d} MX")),
            (no_answer(&answers.sts_txt), format!("_mta-sts.{d} TXT")),
            (no_answer(&answers.tlsrpt_txt), format!("_smtp._tls.{d} TXT")),
            (no_answer(&answers.policy_host), format!("mta-sts.{d} A/AAAA")),
        ]
        .into_iter()
        .filter_map(|(failed, name)| failed.then_some(name))
        .collect();
        outage.extend(answers.tlsa.iter().filter(|(_, t)| no_answer(t)).map(|(h, _)| format!("_25._tcp.{h} TLSA")));
        let policy_ok = c.facts.policy == PolicyFact::Mode(mtasts_core::mta_sts::policy::Mode::Enforce)
            && c.facts.fetch != FetchFact::Failed;
        CheckView {
            policy_ok,
            outage,
            tlsrpt_unknown: no_answer(&answers.tlsrpt_txt),
            fix,
            domain: domain.to_string(),
            fetch_raw,
            verdict,
            title,
            reason: c.reason.clone(),
            counts,
            findings,
            sts_id: c.sts.as_ref().and_then(|r| r.id.clone()),
            needs_paste: verdict == "unverified"
                || matches!(answers.policy, PolicyFetch::Pasted(_) | PolicyFetch::Captured(_)),
            policy,
            stale: c.coverage.as_ref().map(|c| c.stale.clone()).unwrap_or_default(),
            null_mx,
            mx,
            rua: c.tlsrpt.as_ref().map(|r| r.rua.clone()),
            dane,
            dnssec: [
                ("MX", ad(&answers.mx)),
                ("_mta-sts", ad(&answers.sts_txt)),
                ("_smtp._tls", ad(&answers.tlsrpt_txt)),
            ],
            raw,
            ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtasts_core::check::Tlsa;

    fn recs(t: &str) -> DnsAnswer<Vec<Vec<u8>>> {
        DnsAnswer::Records { records: vec![vec![t.as_bytes().to_vec()]], authenticated: false, cnames: vec![] }
    }

    fn answers(policy: PolicyFetch) -> Answers {
        Answers {
            mx: DnsAnswer::Records {
                records: vec![(20, "mx2.example.com".into()), (10, "mx1.example.com".into())],
                authenticated: true,
                cnames: vec![],
            },
            sts_txt: recs("v=STSv1; id=2024"),
            tlsrpt_txt: recs("v=TLSRPTv1; rua=mailto:tls@example.com"),
            policy_host: DnsAnswer::Records {
                records: vec!["192.0.2.1".parse().unwrap()],
                authenticated: false,
                cnames: vec![],
            },
            policy,
            tlsa: vec![(
                "mx1.example.com".into(),
                DnsAnswer::Records {
                    records: vec![Tlsa { usage: 3, selector: 1, matching: 1, data: vec![0xab; 32] }],
                    authenticated: true,
                    cnames: vec![],
                },
            )],
            second: None,
            certificate: None,
            now: 1_800_000_000,
        }
    }

    const POLICY: &str = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n";

    #[test]
    fn a_fetched_policy_fills_the_page() {
        let v = CheckView::new(
            "example.com",
            &answers(PolicyFetch::Response {
                status: 200,
                content_type: Some("text/plain".into()),
                location: None,
                body: POLICY.into(),
            }),
            vec![],
            12.0,
        );
        assert_eq!(v.verdict, "broken", "mx2 is not covered");
        assert_eq!(v.findings[0].severity, Severity::Error, "errors first");
        assert_eq!(v.mx.len(), 2);
        assert_eq!((v.mx[0].host.as_str(), v.mx[0].priority.as_str()), ("mx1.example.com", "10"));
        assert_eq!(v.mx[0].pattern.as_deref(), Some("mx1.example.com"));
        assert_eq!(v.mx[0].dane, "DANE (DNSSEC-validated)");
        assert!(!v.mx[1].covered && v.mx[1].dane == "not looked up");
        // The fix names the uncovered host and keeps what works; enforce gets a week's max_age.
        let fix = v.fix.as_ref().expect("broken by coverage: a fix ready to paste");
        assert_eq!(
            fix.policy,
            "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 604800\r\n"
        );
        assert_eq!(fix.sts_record, "v=STSv1; id=20270115080000");
        assert!(fix.changes.iter().any(|c| c.contains("mx2.example.com was not covered")), "{:?}", fix.changes);
        assert!(v.policy_ok, "a valid enforce policy: its card is green even when MX coverage is not");
        // A policy with an error is never a green card, whatever mode it names.
        let broken = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: mx2.example.com\nmax_age: 999999999\n";
        let body = broken.as_bytes().to_vec();
        let fetch =
            PolicyFetch::Response { status: 200, content_type: Some("text/plain".into()), location: None, body };
        let invalid = CheckView::new("example.com", &answers(fetch), vec![], 1.0);
        assert_eq!((invalid.verdict, invalid.policy_ok), ("broken", false));
        assert!(invalid.fix.is_some(), "an invalid policy gets its fix too");
        assert_eq!(v.policy.as_ref().map(|p| p.max_age.as_str()), Some("86400 s (1 day)"));
        assert_eq!(v.rua, Some(vec!["mailto:tls@example.com".to_string()]));
        assert_eq!(v.sts_id.as_deref(), Some("2024"));
        assert_eq!(v.dane[0].records[0].1, "DANE-EE: the server's own key; public key; SHA-256");
        assert_eq!(v.dnssec[0], ("MX", Some(true)));
        assert!(!v.needs_paste);
        assert_eq!(v.fetch_raw, ("HTTP 200, Content-Type: text/plain".to_string(), Some(POLICY.to_string())));
    }

    #[test]
    fn an_unreadable_policy_asks_for_a_paste() {
        let v = CheckView::new("example.com", &answers(PolicyFetch::Opaque), vec![], 0.0);
        assert_eq!(v.verdict, "unverified");
        assert!(v.needs_paste && v.policy.is_none());
        assert!(v.findings.iter().any(|f| f.code == "sts-fetch/not-verifiable"));
        assert_eq!(v.mx[0].why, "no policy to match against");

        let v = CheckView::new("example.com", &answers(PolicyFetch::pasted(POLICY)), vec![], 0.0);
        assert_eq!(v.verdict, "broken");
        assert_eq!(v.policy.as_ref().map(|p| p.source), Some("pasted"));
        assert!(v.needs_paste, "the paste box stays, to edit");
    }
}
