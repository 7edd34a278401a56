//! "Safe to enforce?" (`tls_rpt::readiness`) on generated weeks of reports: decided on exact
//! totals, never on the capped failure table, never ready on saturated counts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Test code may panic.

#[path = "support/week.rs"]
mod week;

use mtasts_core::tls_rpt::readiness::{readiness, ReadinessVerdict};
use mtasts_core::tls_rpt::summary::Summary;
use week::{batch, report, week};

#[test]
fn a_clean_week_from_two_senders_is_ready() {
    let r = readiness(&batch(&week("testing", None)).summary);
    assert_eq!(r.verdict, ReadinessVerdict::Ready, "{r:?}");
    assert_eq!(r.reasons[0], "7 days of reports (7 wanted)");
}

#[test]
fn failures_block_and_name_the_host() {
    let r = readiness(&batch(&week("testing", Some(3))).summary);
    assert_eq!(r.verdict, ReadinessVerdict::NotYet);
    assert_eq!(r.blocking_by_mx, [("mx2.example.com".to_string(), 4)]);
    assert!(r.summary.contains("mx2.example.com"), "{}", r.summary);
    let story = &r.stories[0];
    assert_eq!(
        story.sentence,
        "certificate-expired at mx2.example.com: 4 sessions on 2024-01-03, none since (reports run to 2024-01-07)."
    );
    assert!(story.blocking && story.stopped);
    assert!(story.remedy.starts_with("Renew the certificate on mx2.example.com"), "{}", story.remedy);
    assert!(r.summary.contains("None since 2024-01-03"), "{}", r.summary);
}

/// The story says since when a failure happens and whether it stopped (issue 15).
#[test]
fn stories_say_since_when_and_whether_it_stopped() {
    let mut reports = week("testing", None);
    for (d, ty, mx) in [
        (4, "certificate-expired", "mx2.example.com"),
        (6, "certificate-expired", "mx2.example.com"),
        (5, "starttls-not-supported", "mx1.example.com"),
        (7, "starttls-not-supported", "mx1.example.com"),
        (7, "dane-required", "mx1.example.com"),
    ] {
        reports.push(report("big.example", &format!("{d}{ty}"), &format!("2024-01-{d:02}"), "testing", &[(ty, mx, 2)]));
    }
    let r = readiness(&batch(&reports).summary);
    let told: Vec<&str> = r.stories.iter().map(|t| t.sentence.as_str()).collect();
    assert_eq!(
        told,
        [
            "starttls-not-supported at mx1.example.com: 4 sessions since 2024-01-05, still on 2024-01-07, the latest day reported.",
            "certificate-expired at mx2.example.com: 4 sessions from 2024-01-04 to 2024-01-06, none since (reports run to 2024-01-07).",
            "dane-required at mx1.example.com: 2 sessions on 2024-01-07, the latest day reported.",
        ]
    );
    assert!(!r.stories[2].blocking, "DANE's types do not block an MTA-STS enforce policy");
    assert!(r.summary.ends_with("Fix those hosts first."), "one failure goes on: {}", r.summary);
    assert!(r.stories.iter().all(|t| !t.remedy.is_empty()));
}

#[test]
fn too_little_evidence_is_insufficient_data() {
    let r = readiness(&batch(&week("testing", None)[..4]).summary);
    assert_eq!(r.verdict, ReadinessVerdict::InsufficientData);
    let one_sender: Vec<String> = week("testing", None).into_iter().step_by(2).collect();
    let r = readiness(&batch(&one_sender).summary);
    assert_eq!(r.verdict, ReadinessVerdict::InsufficientData);
    assert!(r.summary.contains("one organisation"), "{}", r.summary);
    assert_eq!(readiness(&Summary::new()).verdict, ReadinessVerdict::InsufficientData);
    assert_eq!(readiness(&batch(&week("enforce", None)).summary).verdict, ReadinessVerdict::Enforcing);
}

/// Past the failure-group cap the table is coarse and then stops growing, but the
/// exact per-MX totals still see every blocking failure: never "ready" by omission.
#[test]
fn past_the_failure_group_cap_a_failure_still_blocks() {
    let mut b = batch(&week("testing", None));
    let cap = Summary::MAX_FAILURE_GROUPS + 10_000;
    // Fill the table with distinct harmless groups, then add one blocking failure.
    let details: Vec<String> = (0..cap)
        .map(|i| {
            format!(
                r#"{{"result-type":"dane-required","sending-mta-ip":"10.{}.{}.{}","failed-session-count":1}}"#,
                i >> 16,
                (i >> 8) & 255,
                i & 255
            )
        })
        .collect();
    let filler = format!(
        r#"{{"organization-name":"filler.example","date-range":{{"start-datetime":"2024-01-07T00:00:00Z","end-datetime":"2024-01-07T23:59:59Z"}},"contact-info":"x","report-id":"fill","policies":[{{"policy":{{"policy-type":"tlsa","policy-domain":"example.com"}},"summary":{{"total-successful-session-count":0,"total-failure-session-count":{cap}}},"failure-details":[{}]}}]}}"#,
        details.join(",")
    );
    b.add("filler.json", filler.as_bytes());
    assert!(b.summary.failures.len() >= Summary::MAX_FAILURE_GROUPS);
    let late = report("google.com", "late", "2024-01-07", "testing", &[("certificate-expired", "mx9.example.com", 1)]);
    b.add("late.json", late.as_bytes());
    assert!(!b.summary.failures.iter().any(|r| r.key.receiving_mx_hostname.as_deref() == Some("mx9.example.com")));
    let r = readiness(&b.summary);
    assert_eq!(r.verdict, ReadinessVerdict::NotYet, "{r:?}");
    assert_eq!(r.blocking_by_mx, [("mx9.example.com".to_string(), 1)]);
}

#[test]
fn saturated_counts_are_never_ready() {
    let mut reports = week("testing", None);
    reports.push(report("google.com", "huge", "2024-01-02", "testing", &[]).replace(
        r#""total-successful-session-count":100"#,
        r#""total-successful-session-count":18446744073709551615"#,
    ));
    let b = batch(&reports);
    assert!(b.summary.saturated);
    let r = readiness(&b.summary);
    assert_eq!(r.verdict, ReadinessVerdict::NotYet);
    assert!(r.summary.contains("cannot be trusted"), "{}", r.summary);
}
