//! A bundled sample: a week of reports for `example.com` from two senders, with one MX
//! whose certificate expired mid-week, so the page shows something real with no files and
//! no network. Generated here rather than shipped as files, so it costs a few hundred bytes.

/// (file name, report JSON) pairs.
pub fn reports() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for day in 1..=7u32 {
        let date = format!("2024-06-{day:02}");
        let start = ((i64::from(day.saturating_sub(1))).saturating_mul(86_400)).saturating_add(1_717_200_000);
        let broken = (4..=6).contains(&day);
        for (org, contact, domain, ok) in [
            (
                "Google Inc.",
                "smtp-tls-reporting@google.com",
                "google.com",
                (day.saturating_mul(17)).saturating_add(1200),
            ),
            (
                "Microsoft Corporation",
                "tlsrpt-noreply@microsoft.com",
                "microsoft.com",
                (day.saturating_mul(11)).saturating_add(800),
            ),
        ] {
            let failed = if broken { day.saturating_add(3) } else { 0 };
            let details = if broken {
                format!(
                    r#","failure-details":[{{"result-type":"certificate-expired","sending-mta-ip":"209.85.220.{day}","receiving-mx-hostname":"mx2.example.com","receiving-ip":"192.0.2.25","failed-session-count":{failed},"failure-reason-code":"X509_V_ERR_CERT_HAS_EXPIRED"}}]"#
                )
            } else {
                String::new()
            };
            let json = format!(
                r#"{{"organization-name":"{org}","date-range":{{"start-datetime":"{date}T00:00:00Z","end-datetime":"{date}T23:59:59Z"}},"contact-info":"{contact}","report-id":"{date}_example.com@{domain}","policies":[{{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx1.example.com","mx: mx2.example.com","max_age: 604800"],"policy-domain":"example.com","mx-host":["mx1.example.com","mx2.example.com"]}},"summary":{{"total-successful-session-count":{ok},"total-failure-session-count":{failed}}}{details}}}]}}"#
            );
            out.push((
                format!("{domain}!example.com!{start}!{}.json", start.saturating_add(86_399)),
                json.into_bytes(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use mtasts_core::tls_rpt::batch::Batch;
    use mtasts_core::tls_rpt::input::Limits;

    use super::*;
    use crate::view_model::reports::{readiness, Verdict};

    #[test]
    fn the_sample_reads_cleanly_and_tells_a_story() {
        let mut b = Batch::new(Limits::default());
        for (name, bytes) in reports() {
            b.add(&name, &bytes);
        }
        assert!(b.all_ok());
        assert_eq!(b.summary.reports, 14);
        assert_eq!(b.summary.failed, 2 * (7 + 8 + 9));
        assert!(b
            .inputs
            .iter()
            .all(|i| i.findings.iter().all(|f| f.finding.severity() != mtasts_core::Severity::Error)));
        let r = readiness(&b.summary);
        assert_eq!(r.verdict, Verdict::NotYet);
        assert_eq!(r.blocking_by_mx[0].0, "mx2.example.com");
    }
}
