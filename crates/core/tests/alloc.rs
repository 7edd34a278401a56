//! Issue 13 item 2: `Summary::add` allocates nothing for an aggregation key it has seen
//! (day, organisation, policy domain and type, MX, IPs, result types, the policy, the
//! failure group). Counted with a counting global allocator: a report that differs from
//! one already added only by its id costs exactly the two strings of its identity (which
//! the duplicate check must keep), whatever its policies and failure details hold.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mtasts_core::tls_rpt::report;
use mtasts_core::tls_rpt::summary::Summary;

fn report(id: usize) -> report::Report<'static> {
    let json = format!(
        r#"{{"organization-name":"Example Org","date-range":{{"start-datetime":"2024-05-01T00:00:00Z","end-datetime":"2024-05-01T23:59:59Z"}},
        "contact-info":"tlsrpt@example.net","report-id":"r-{id}","policies":[
          {{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: *.Example.com","max_age: 86400"],"policy-domain":"example.com","mx-host":["*.example.com"]}},
            "summary":{{"total-successful-session-count":10,"total-failure-session-count":3}},
            "failure-details":[
              {{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"MX1.Example.com","receiving-ip":"198.51.100.1","failed-session-count":2}},
              {{"result-type":"starttls-not-supported","sending-mta-ip":"192.0.2.2","receiving-mx-hostname":"mx2.example.com","failed-session-count":1}}]}},
          {{"policy":{{"policy-type":"tlsa","policy-domain":"example.org"}},
            "summary":{{"total-successful-session-count":5,"total-failure-session-count":1}},
            "failure-details":[{{"result-type":"dane-required","receiving-mx-hostname":"mx.example.org","failed-session-count":1}}]}}]}}"#
    );
    report::parse(json.as_bytes()).value.expect("the test report parses").into_owned()
}

#[test]
fn a_report_with_known_keys_allocates_only_its_identity() {
    let mut s = Summary::new();
    // Enough reports that the duplicate set is not about to grow.
    for i in 0..100 {
        assert!(s.add(&report(i), "r.json"));
    }
    let next = report(100);
    let mut added = false;
    let counted = allocation_counter::measure(|| added = s.add(&next, "r.json"));
    assert!(added);
    assert_eq!(counted.count_total, 2, "only (organisation, report id) is copied: {counted:?}");
    assert_eq!(s.reports, 101);
    assert_eq!(s.failures.len(), 3, "the same three failure groups");
    assert_eq!(s.by_mx.keys().collect::<Vec<_>>(), ["mx.example.org", "mx1.example.com", "mx2.example.com"]);
}
