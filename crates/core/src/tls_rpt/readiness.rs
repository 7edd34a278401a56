//! "Safe to enforce?": whether TLS reports support moving a policy from `mode: testing` to
//! `mode: enforce` (RFC 8461 §5: under testing, failures are reported; under enforce, the
//! same failures mean mail that is not delivered).
//!
//! Decided on exact totals only ([`Summary::by_policy_type`], [`Summary::by_day`],
//! [`Summary::by_org`], [`Summary::sts_failures_by_mx`]), never on the failure-group table,
//! which is capped: a batch past the cap can still not be called ready by mistake. A
//! summary whose counts saturated is never ready either.

use crate::order;

use serde::Serialize;

use crate::text::{plural, thousands};
use crate::tls_rpt::summary::{Summary, NO_MX};

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
    /// What failed, where, since when and whether it stopped, with what to do: one per
    /// result type at each receiving MX host under an MTA-STS policy, those enforce would
    /// block first, then those still happening, then most sessions first.
    pub stories: Vec<Story>,
}

/// One kind of failure at one MX host, told (issue 15: "certificate-expired at mx2 from
/// 06-04 to 06-06, none since").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Story {
    /// The RFC 8460 §4.3 result type.
    pub result_type: String,
    /// The receiving MX host, or [`NO_MX`].
    pub mx: String,
    /// Failed sessions.
    pub sessions: u64,
    /// Whether an enforce policy would turn these sessions into undelivered mail.
    pub blocking: bool,
    /// The first and last day of the reports that had it (none when no report was dated).
    pub first_day: Option<String>,
    /// See `first_day`.
    pub last_day: Option<String>,
    /// No report since `last_day` had it, although reports run past it.
    pub stopped: bool,
    /// The whole story in one sentence.
    pub sentence: String,
    /// What to do about it, naming the host.
    pub remedy: String,
}

/// What to do about a result type (RFC 8460 §4.3) seen at `mx`: the remedy a mail admin
/// applies, naming the host. `None` for a type the RFC does not define.
pub fn remedy(result_type: &str, mx: &str) -> Option<String> {
    let host = if mx == NO_MX { "each MX host" } else { mx };
    let text = match result_type {
        "starttls-not-supported" => format!(
            "Offer STARTTLS on {host} (Postfix: smtpd_tls_security_level = may, with a certificate and key); \
             a host that cannot is not listed in an enforce policy (RFC 8461 §4.2)."
        ),
        "certificate-host-mismatch" => format!(
            "Serve on {host} a certificate whose DNS names include {host} (a wildcard covers one label only, \
             RFC 8461 §4.2.1); the policy's mx patterns name the host the certificate must match."
        ),
        "certificate-expired" => format!(
            "Renew the certificate on {host}, automate renewal (ACME), and make the MTA reload it after each renewal."
        ),
        "certificate-not-trusted" => format!(
            "Serve on {host} a certificate from a public CA with its intermediates (the full chain); \
             self-signed and private-CA certificates fail MTA-STS (RFC 8461 §4.2)."
        ),
        "validation-failure" => format!(
            "Look at what {host} presents: openssl s_client -starttls smtp -connect {host}:25 -showcerts \
             (chain, names, dates); the sender saw a failure it could not name more precisely."
        ),
        "sts-policy-fetch-error" => "Serve the policy at https://mta-sts.<policy domain>/.well-known/mta-sts.txt: \
             status 200, no redirect, text/plain, a public-CA certificate; check it here under Check."
            .to_string(),
        "sts-policy-invalid" => "Lint the published policy (Lint, policy tab) and publish the corrected copy with a new id \
             in the _mta-sts record."
            .to_string(),
        "sts-webpki-invalid" => "Serve mta-sts.<policy domain> with a certificate from a public CA that is valid for that \
             name and in date (RFC 8461 §3.3)."
            .to_string(),
        "tlsa-invalid" => format!("Correct the TLSA records at _25._tcp.{host} so one of them matches the certificate {host} presents (RFC 7672 §3)."),
        "dnssec-invalid" => "Repair DNSSEC for the zone (signatures, DS at the parent): validating senders see bogus answers.".to_string(),
        "dane-required" => format!("{host} is expected to have DANE TLSA records: publish them with DNSSEC, or stop requiring DANE."),
        _ => return None,
    };
    Some(text)
}

/// The stories of `s`'s failures under an MTA-STS policy, in [`Readiness::stories`]' order.
fn stories(s: &Summary) -> Vec<Story> {
    let latest = s.by_day.keys().filter(|d| d.as_str() != "unknown").max();
    let mut out: Vec<Story> = Vec::new();
    for (mx, f) in &s.sts_failures_by_mx {
        for (ty, &sessions) in &f.result_types {
            let span = s.sts_failure_days.get(mx).and_then(|m| m.get(ty));
            let stopped = matches!((span, latest), (Some(sp), Some(l)) if sp.last.as_str() < l.as_str());
            let at = if mx == NO_MX { "(the reports name no MX host)".to_string() } else { format!("at {mx}") };
            let when = match (span, latest) {
                (None, _) | (_, None) => String::new(),
                (Some(sp), _) if stopped && sp.first == sp.last => format!(" on {}, none since", sp.first),
                (Some(sp), _) if stopped => format!(" from {} to {}, none since", sp.first, sp.last),
                (Some(sp), Some(l)) if sp.first == sp.last => format!(" on {l}, the latest day reported"),
                (Some(sp), Some(l)) => format!(" since {}, still on {l}, the latest day reported", sp.first),
            };
            let tail = if stopped {
                format!(" (reports run to {})", latest.map_or("", String::as_str))
            } else {
                String::new()
            };
            out.push(Story {
                result_type: ty.clone(),
                mx: mx.clone(),
                sessions,
                blocking: BLOCKING.contains(&ty.as_str()),
                first_day: span.map(|sp| sp.first.clone()),
                last_day: span.map(|sp| sp.last.clone()),
                stopped,
                sentence: format!("{ty} {at}: {}{when}{tail}.", plural_sessions(sessions)),
                remedy: remedy(ty, mx).unwrap_or_else(|| {
                    format!("{ty} is not a result type of RFC 8460 §4.3: look at the reporter's failure details.")
                }),
            });
        }
    }
    order::sort_by(&mut out, |a, b| (b.blocking, a.stopped, b.sessions).cmp(&(a.blocking, b.stopped, a.sessions)));
    out
}

fn plural_sessions(n: u64) -> String {
    format!("{} session{}", thousands(n), if n == 1 { "" } else { "s" })
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
            stories: Vec::new(),
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
    order::sort_by(&mut blocking_by_mx, |a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let blocked = blocking_by_mx.iter().fold(0u64, |n, (_, c)| n.saturating_add(*c));
    let sts = s.by_policy_type.get("sts").copied().unwrap_or_default();
    let sts_sessions = sts.successful.saturating_add(sts.failed);
    // A list, not a set: collecting into a BTreeSet sorts, one more copy of the sort in
    // the report page's module (see `order`).
    let modes: Vec<&str> = s
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
    let stories = stories(s);
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
        let blocking: Vec<&Story> = stories.iter().filter(|t| t.blocking).collect();
        let then = match blocking.iter().map(|t| t.last_day.as_deref()).max() {
            Some(Some(last)) if blocking.iter().all(|t| t.stopped) => format!(
                " None since {last}: if you fixed the cause then, read only the reports after {last}: {MIN_DAYS} clean days of them are enough."
            ),
            _ => " Fix those hosts first.".to_string(),
        };
        say(
            ReadinessVerdict::NotYet,
            format!(
                "Not yet: {} sessions would not have been delivered under enforce{worst}.{then}",
                thousands(blocked)
            ),
        )
    } else if modes.contains(&"enforce") && !modes.contains(&"testing") {
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
    Readiness { verdict, summary, reasons, blocking_by_mx, stories }
}
