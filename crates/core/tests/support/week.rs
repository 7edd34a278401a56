//! A week of generated TLS-RPT reports, shared by core's readiness tests and the web view
//! models' tests (`#[path]`-included by both, like `spans.rs`): two organisations a day,
//! one MTA-STS policy, and optionally a failure on one day.

use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::input::Limits;

/// One report of `org` for `day` under `mode`, with `fails` as (result type, MX, sessions).
pub fn report(org: &str, id: &str, day: &str, mode: &str, fails: &[(&str, &str, u64)]) -> String {
    let details: Vec<String> = fails
        .iter()
        .map(|(ty, mx, n)| format!(r#"{{"result-type":"{ty}","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"{mx}","failed-session-count":{n}}}"#))
        .collect();
    let failed: u64 = fails.iter().map(|f| f.2).sum();
    format!(
        r#"{{"organization-name":"{org}","date-range":{{"start-datetime":"{day}T00:00:00Z","end-datetime":"{day}T23:59:59Z"}},"contact-info":"x@{org}","report-id":"{id}","policies":[{{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: {mode}","mx: *.example.com","max_age: 86400"],"policy-domain":"example.com"}},"summary":{{"total-successful-session-count":100,"total-failure-session-count":{failed}}},"failure-details":[{}]}}]}}"#,
        details.join(",")
    )
}

/// `reports` read into one batch, named r0.json, r1.json, ...
pub fn batch(reports: &[String]) -> Batch {
    let mut b = Batch::new(Limits::default());
    for (i, r) in reports.iter().enumerate() {
        b.add(&format!("r{i}.json"), r.as_bytes());
    }
    b
}

/// 2024-01-01 to 07 from google.com and microsoft.com; google.com reports four
/// certificate-expired sessions at mx2.example.com on day `fail_on`.
pub fn week(mode: &str, fail_on: Option<usize>) -> Vec<String> {
    (1..=7)
        .flat_map(|d| {
            let day = format!("2024-01-{d:02}");
            let fails: Vec<(&str, &str, u64)> =
                if Some(d) == fail_on { vec![("certificate-expired", "mx2.example.com", 4)] } else { vec![] };
            vec![
                report("google.com", &format!("g{d}"), &day, mode, &fails),
                report("microsoft.com", &format!("m{d}"), &day, mode, &[]),
            ]
        })
        .collect()
}
