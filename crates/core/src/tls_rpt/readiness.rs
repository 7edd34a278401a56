//! "Safe to enforce?": whether TLS reports support moving a policy from `mode: testing` to
//! `mode: enforce` (RFC 8461 §5: under testing, failures are reported; under enforce, the
//! same failures mean mail that is not delivered).
//!
//! Decided on exact totals only ([`Summary::by_policy_type`], [`Summary::by_day`],
//! [`Summary::by_org`], [`Summary::sts_failures_by_mx`]), never on the failure-group table,
//! which is capped: a batch past the cap can still not be called ready by mistake. A
//! summary whose counts saturated is never ready either.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::text::{plural, thousands};
use crate::tls_rpt::summary::Summary;

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadinessVerdict {
    /// The data supports switching to enforce.
    Ready,
    /// Something would lose mail under enforce, or no reporter applied a policy yet.
    NotYet,
    /// Too few reports to say: no reports, fewer days than a week, or one reporter.
    InsufficientData,
    /// Reporters already apply an enforce policy.
    Enforcing,
}

impl ReadinessVerdict {
    /// Stable id, for `--json` and `data-verdict`.
    pub fn id(self) -> &'static str {
        match self {
            ReadinessVerdict::Ready => "ready",
            ReadinessVerdict::NotYet => "not-yet",
            ReadinessVerdict::InsufficientData => "insufficient-data",
            ReadinessVerdict::Enforcing => "enforcing",
        }
    }
}

/// The answer with what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// The verdict.
    pub verdict: ReadinessVerdict,
    /// One sentence for the verdict.
    pub summary: String,
    /// What supports or blocks it, one line each.
    pub reasons: Vec<String>,
    /// Sessions under an MTA-STS policy that failed in a way enforce would block, by
    /// receiving MX, most first.
    pub blocking_by_mx: Vec<(String, u64)>,
}

/// Result types that an enforce policy turns into undelivered mail (RFC 8460 §4.3).
pub const BLOCKING: [&str; 8] = [
    "starttls-not-supported",
    "certificate-host-mismatch",
    "certificate-expired",
    "certificate-not-trusted",
    "validation-failure",
    "sts-policy-fetch-error",
    "sts-policy-invalid",
    "sts-webpki-invalid",
];

/// Days of reports wanted before enforcing: a week sees every weekday's senders.
pub const MIN_DAYS: usize = 7;

/// Judges from the reports whether the policy domain can move from testing to enforce.
pub fn readiness(s: &Summary) -> Readiness {
    if s.reports == 0 {
        return Readiness {
            verdict: ReadinessVerdict::InsufficientData,
            summary: "No reports yet: add reports to see whether it is safe to enforce.".into(),
            reasons: vec!["0 reports".into()],
            blocking_by_mx: Vec::new(),
        };
    }
    let days = s.by_day.keys().filter(|d| d.as_str() != "unknown").count();
    let reporters = s.by_org.len();
    let mut blocking_by_mx: Vec<(String, u64)> = s
        .sts_failures_by_mx
        .iter()
        .map(|(mx, f)| {
            let n = f
                .result_types
                .iter()
                .filter(|(t, _)| BLOCKING.contains(&t.as_str()))
                .fold(0u64, |n, (_, c)| n.saturating_add(*c));
            (mx.clone(), n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    blocking_by_mx.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let blocked = blocking_by_mx.iter().fold(0u64, |n, (_, c)| n.saturating_add(*c));
    let sts = s.by_policy_type.get("sts").copied().unwrap_or_default();
    let sts_sessions = sts.successful.saturating_add(sts.failed);
    let modes: BTreeSet<&str> = s
        .policies
        .values()
        .flat_map(|p| p.lines.iter())
        .filter_map(|l| l.strip_prefix("mode:").map(str::trim))
        .collect();
    let mut reasons = vec![
        format!("{} of reports ({MIN_DAYS} wanted)", plural(days, "day")),
        format!("{}", plural(reporters, "reporting organisation")),
        format!(
            "{} sessions under an MTA-STS policy, {} failed in a way enforce would block",
            thousands(sts_sessions),
            thousands(blocked)
        ),
    ];
    if let Some(no) = s.by_policy_type.get("no-policy-found") {
        reasons.push(format!(
            "{} sessions where senders found no policy",
            thousands(no.successful.saturating_add(no.failed))
        ));
    }
    if s.saturated {
        reasons.push("some session counts reached the largest number there is: the totals are not real".into());
    }
    let say = |v: ReadinessVerdict, why: String| (v, why);
    let (verdict, summary) = if s.saturated {
        say(
            ReadinessVerdict::NotYet,
            "Not yet: a report claims more sessions than can be counted, so these totals cannot be trusted.".into(),
        )
    } else if sts_sessions == 0 {
        say(
            ReadinessVerdict::NotYet,
            "No reporter applied an MTA-STS policy: publish one in testing mode first.".into(),
        )
    } else if blocked > 0 {
        let worst =
            blocking_by_mx.first().map_or(String::new(), |(mx, n)| format!(" (most at {mx}: {})", thousands(*n)));
        say(
            ReadinessVerdict::NotYet,
            format!(
                "Not yet: {} sessions would not have been delivered under enforce{worst}. Fix those hosts first.",
                thousands(blocked)
            ),
        )
    } else if modes.contains("enforce") && !modes.contains("testing") {
        say(ReadinessVerdict::Enforcing, "Reporters already apply an enforce policy, and no session failed.".into())
    } else if days < MIN_DAYS {
        say(
            ReadinessVerdict::InsufficientData,
            format!("No failures so far, but only {} of reports: wait for a full week.", plural(days, "day")),
        )
    } else if reporters < 2 {
        say(
            ReadinessVerdict::InsufficientData,
            "No failures, but only one organisation reported: wait for a second (Google and Microsoft both report)."
                .into(),
        )
    } else {
        say(
            ReadinessVerdict::Ready,
            "Safe to enforce: a week or more of reports from several senders and no session that enforce would block."
                .into(),
        )
    };
    Readiness { verdict, summary, reasons, blocking_by_mx }
}
