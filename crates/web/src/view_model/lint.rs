//! What the Lint view shows, computed from core's lint without touching the DOM, so that it
//! is tested natively.
//!
//! The input text is cut into segments at every finding's span boundary; each segment knows
//! which findings cover it, so the page can underline the offending text and light up the
//! span of the finding under the pointer. Empty spans (a missing field's insertion point)
//! become zero-width markers.

use mtasts_core::lint::{lint, lint_text, Kind, Value};
use mtasts_core::mta_sts::policy::human_duration;
use mtasts_core::order;
use mtasts_core::text::LineIndex;
use mtasts_core::Severity;

/// One finding, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingView {
    /// Position in the list; segments refer to findings by it.
    pub index: usize,
    /// Stable code id (`data-code`).
    pub code: &'static str,
    /// Severity (`data-severity`).
    pub severity: Severity,
    /// Full message.
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// "RFC 8461 §3.2".
    pub rfc_label: String,
    /// Link to the RFC section.
    pub rfc_url: String,
    /// Where: "line 4, column 10" in a pasted text, or the name a domain check looked up.
    pub loc: String,
}

impl FindingView {
    /// The view of `f`, the `index`th finding, found at `loc`.
    pub fn new(index: usize, f: &mtasts_core::Finding, loc: String) -> FindingView {
        let text = crate::text::text(f.code);
        FindingView {
            index,
            code: f.code.id(),
            severity: f.code.severity(),
            message: f.message_with(&text.message),
            fix: text.fix,
            rfc_label: text.rfc_label,
            rfc_url: text.rfc_url,
            loc,
        }
    }
}

/// A run of input text and the findings covering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The text; empty for a marker.
    pub text: String,
    /// The worst severity among the covering findings, if any.
    pub severity: Option<Severity>,
    /// Indexes of the findings covering this text (or placed at this marker).
    pub findings: Vec<usize>,
    /// A zero-width insertion point rather than text.
    pub marker: bool,
}

/// The whole Lint view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintView {
    /// What was linted.
    pub kind: Kind,
    /// No error findings.
    pub valid: bool,
    /// Error, warning and info counts.
    pub errors: usize,
    /// Warning count.
    pub warnings: usize,
    /// Info count.
    pub infos: usize,
    /// Findings in input order.
    pub findings: Vec<FindingView>,
    /// The input cut at finding boundaries.
    pub segments: Vec<Segment>,
    /// What the input says, as label/value rows.
    pub summary: Vec<(String, String)>,
}

/// Snaps `at` down to a char boundary of `text`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at = at.saturating_sub(1);
    }
    at
}

impl LintView {
    /// Findings listed and underlined until the user asks for all: a 5 MB report can have
    /// thousands, and the page must stay responsive.
    pub const FIRST: usize = 200;

    /// Lints `input` as `kind` and prepares everything the page shows, underlining the
    /// first [`LintView::FIRST`] findings.
    pub fn new(kind: Kind, input: &str) -> LintView {
        LintView::with_limit(kind, input, LintView::FIRST)
    }

    /// As [`LintView::new`], underlining the first `limit` findings (every finding is still
    /// counted and listed in `findings`).
    pub fn with_limit(kind: Kind, input: &str, limit: usize) -> LintView {
        let result = lint(kind, input.as_bytes());
        LintView::from_findings(kind, input, &result.findings, summary(&result.value), limit)
    }

    /// As [`LintView::with_limit`] for the text kinds, linted here; `None` for a report,
    /// which the page has linted by the report worker ([`LintView::from_findings`]).
    pub fn of_text(kind: Kind, input: &str, limit: usize) -> Option<LintView> {
        let result = lint_text(kind, input.as_bytes())?;
        Some(LintView::from_findings(kind, input, &result.findings, summary(&result.value), limit))
    }

    /// The view of findings about `input` (spans in it) and the rows saying what it holds.
    pub fn from_findings(
        kind: Kind,
        input: &str,
        found: &[mtasts_core::Finding],
        rows: Vec<(String, String)>,
        limit: usize,
    ) -> LintView {
        let idx = LineIndex::new(input);
        let findings: Vec<FindingView> = found
            .iter()
            .enumerate()
            .map(|(index, f)| {
                let lc = idx.line_col(f.span.start);
                FindingView::new(index, f, format!("line {}, column {}", lc.line, lc.column))
            })
            .collect();
        let spans: Vec<(usize, usize)> = found
            .iter()
            .take(limit)
            .map(|f| (floor_boundary(input, f.span.start), floor_boundary(input, f.span.end)))
            .collect();
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        LintView {
            kind,
            valid: mtasts_core::finding::is_valid(found),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            segments: segments(input, &spans, &findings),
            summary: rows,
            findings,
        }
    }
}

/// Cuts `input` at every span boundary in one sweep: spans open and close at their ends, so
/// the work is proportional to the number of spans (plus what each segment lists), never
/// spans × segments or spans × input. Only vectors of positions are sorted, with the sort
/// the page already has: in the browser every new collection type costs bundle bytes.
fn segments(input: &str, spans: &[(usize, usize)], findings: &[FindingView]) -> Vec<Segment> {
    let mut cuts: Vec<usize> = vec![0, input.len()];
    for &(s, e) in spans {
        cuts.push(s);
        cuts.push(e);
    }
    order::sort(&mut cuts);
    cuts.dedup();
    // Per cut: the spans opening there, closing there, and the markers placed there.
    let mut opens: Vec<Vec<usize>> = vec![Vec::new(); cuts.len()];
    let mut closes: Vec<Vec<usize>> = vec![Vec::new(); cuts.len()];
    let mut markers: Vec<Vec<usize>> = vec![Vec::new(); cuts.len()];
    for (i, &(s, e)) in spans.iter().enumerate() {
        let (Ok(a), Ok(b)) = (cuts.binary_search(&s), cuts.binary_search(&e)) else { continue };
        let at = if s == e { &mut markers } else { &mut opens };
        if let Some(l) = at.get_mut(a) {
            l.push(i);
        }
        if s != e {
            if let Some(l) = closes.get_mut(b) {
                l.push(i);
            }
        }
    }
    let worst = |ids: &[usize]| ids.iter().filter_map(|&i| findings.get(i)).map(|f| f.severity).max();
    let marker =
        |ids: &Vec<usize>| Segment { text: String::new(), severity: worst(ids), findings: ids.clone(), marker: true };
    let mut active: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (k, pair) in cuts.windows(2).enumerate() {
        let (a, b) = match pair {
            [a, b] => (*a, *b),
            _ => continue,
        };
        if let Some(gone) = closes.get(k) {
            active.retain(|i| !gone.contains(i));
        }
        active.extend(opens.get(k).into_iter().flatten());
        if let Some(ids) = markers.get(k).filter(|m| !m.is_empty()) {
            out.push(marker(ids));
        }
        let mut covering = active.clone();
        order::sort(&mut covering);
        out.push(Segment {
            text: input.get(a..b).unwrap_or("").to_string(),
            severity: worst(&covering),
            findings: covering,
            marker: false,
        });
    }
    // Markers at the very end of the input.
    if let Some(ids) = markers.last().filter(|m| !m.is_empty()) {
        out.push(marker(ids));
    }
    out
}

/// Failure details listed per policy in the parsed-fields table.
const SUMMARY_FAILURES: usize = 20;

/// What reports say, as label/value rows (the Lint page's parsed-fields table); the report
/// worker computes them for the page.
pub fn report_rows(reports: &[mtasts_core::tls_rpt::report::Report]) -> Vec<(String, String)> {
    let row = |k: &str, v: String| (k.to_string(), v);
    reports
        .iter()
        .flat_map(|r| {
            let when = r.start.map_or_else(|| "unknown".to_string(), mtasts_core::tls_rpt::summary::utc_day);
            let mut rows = vec![
                row("organisation", r.organization_name.to_string()),
                row("report-id", r.report_id.to_string()),
                row("day", when),
                row("sessions", format!("{} successful, {} failed", r.successful(), r.failed())),
            ];
            for p in &r.policies {
                let domain = p.policy_domain.clone().unwrap_or_else(|| "(no domain)".into());
                rows.push(row(
                    "policy",
                    format!("{} for {domain}: {} ok, {} failed", p.policy_type.as_str(), p.successful, p.failed),
                ));
                // A table row per failure detail would be tens of thousands of rows for
                // a big report: the first few, then how many more.
                for d in p.failure_details.iter().take(SUMMARY_FAILURES) {
                    let mx = d.receiving_mx_hostname.as_deref().unwrap_or("(no MX named)");
                    rows.push(row("failure", format!("{} × {} at {mx}", d.failed_session_count, d.result_type)));
                }
                let more = p.failure_details.len().saturating_sub(SUMMARY_FAILURES);
                if more > 0 {
                    rows.push(row("failure", format!("… and {more} more failure details")));
                }
            }
            rows
        })
        .collect()
}

fn summary(value: &Value) -> Vec<(String, String)> {
    let row = |k: &str, v: String| (k.to_string(), v);
    match value {
        Value::StsRecord(Some(r)) => {
            let mut rows = vec![row("id", r.id.clone().unwrap_or_else(|| "(missing)".into()))];
            rows.extend(r.extensions.iter().map(|(k, v)| row(k, v.clone())));
            rows
        }
        Value::TlsRptRecord(Some(r)) => {
            let mut rows: Vec<_> = r.rua.iter().map(|u| row("report to", u.clone())).collect();
            rows.extend(r.extensions.iter().map(|(k, v)| row(k, v.clone())));
            rows
        }
        Value::StsRecord(None) | Value::TlsRptRecord(None) => {
            vec![row("record", "no usable record".into())]
        }
        Value::Report(reports) => report_rows(reports),
        Value::PolicyFetch(f) => {
            let mut rows = vec![
                row("status", f.status.map_or("(none)".into(), |s| s.to_string())),
                row("content-type", f.content_type.clone().unwrap_or_else(|| "(none)".into())),
            ];
            if let Some(l) = &f.location {
                rows.push(row("location", l.clone()));
            }
            if let Some(p) = &f.policy {
                rows.push(row("mode", p.mode.map_or("(missing or invalid)".into(), |m| m.as_str().to_string())));
                rows.push(row(
                    "max_age",
                    p.max_age.map_or("(missing or invalid)".into(), |a| format!("{a} s ({})", human_duration(a))),
                ));
                rows.extend(p.mx.iter().map(|m| row("mx", m.to_string())));
            }
            rows
        }
        Value::Policy(p) => {
            let mut rows = vec![
                row("version", p.version.clone().unwrap_or_else(|| "(missing)".into())),
                row("mode", p.mode.map_or("(missing or invalid)".into(), |m| m.as_str().to_string())),
                row(
                    "max_age",
                    p.max_age.map_or("(missing or invalid)".into(), |a| format!("{a} s ({})", human_duration(a))),
                ),
            ];
            rows.extend(p.mx.iter().map(|m| row("mx", m.to_string())));
            rows.extend(p.extensions.iter().map(|(k, v)| row(k, v.clone())));
            rows
        }
    }
}

const REPORT_EXAMPLE: &str = r#"{
  "organization-name": "Company-X",
  "date-range": {
    "start-datetime": "2016-04-01T00:00:00Z",
    "end-datetime": "2016-04-01T23:59:59Z"
  },
  "contact-info": "sts-reporting@company-x.example",
  "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
  "policies": [{
    "policy": {
      "policy-type": "sts",
      "policy-string": ["version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"],
      "policy-domain": "company-y.example",
      "mx-host": ["*.mail.company-y.example"]
    },
    "summary": {
      "total-successful-session-count": 5326,
      "total-failure-session-count": 303
    },
    "failure-details": [{
      "result-type": "certificate-expired",
      "sending-mta-ip": "2001:db8:abcd:0012::1",
      "receiving-mx-hostname": "mx1.mail.company-y.example",
      "failed-session-count": 100
    }, {
      "result-type": "starttls-not-supported",
      "sending-mta-ip": "2001:db8:abcd:0013::1",
      "receiving-mx-hostname": "mx2.mail.company-y.example",
      "receiving-ip": "203.0.113.56",
      "failed-session-count": 200
    }, {
      "result-type": "validation-failure",
      "sending-mta-ip": "198.51.100.62",
      "receiving-ip": "203.0.113.58",
      "receiving-mx-hostname": "mx-backup.mail.company-y.example",
      "failed-session-count": 3,
      "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
    }]
  }]
}
"#;

const REPORT_QUIRKS: &str = r#"{
  "organization-name": "Microsoft Corporation",
  "date-range": {
    "start-datetime": "2023-01-10T00:00:00",
    "end-datetime": "2023-01-10T23:59:59"
  },
  "contact-info": "tlsrpt-noreply@microsoft.com",
  "report-id": "133198585438131172+example.com",
  "policies": [{
    "policy": {
      "policy-type": "tlsa",
      "policy-string": ["[\"3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6\"]"],
      "policy-domain": "example.com",
      "mx-host-pattern": "mx.example.com"
    },
    "summary": { "total-successful-session-count": 2 },
    "failure-details": [{
      "result-type": "sts-policy-fetch-error",
      "sending-mta-ip": "",
      "failed-session-count": 1,
      "failure-reason-code": "bad https response code: 404"
    }]
  }]
}
"#;

/// Sample inputs for each kind: a correct one and one with typical mistakes.
pub fn examples(kind: Kind) -> [(&'static str, &'static str); 2] {
    match kind {
        Kind::Policy => [
            ("Correct policy", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n"),
            ("Typical mistakes", "version: STSv1\nmode: Enforce\nmx: *.*.example.net\nmx: mail.example.com.\nmax-age: 86400\n"),
        ],
        Kind::StsRecord => [
            ("Correct record", "v=STSv1; id=20240101T000000;\n"),
            ("Typical mistakes", "v=STSv1; id=2024-01-01\nv=STSv1; id=20240102\n"),
        ],
        Kind::Report => [("RFC 8460 example", REPORT_EXAMPLE), ("Real-world quirks", REPORT_QUIRKS)],
        Kind::PolicyFetch => [
            (
                "Correct fetch",
                "HTTP/2 200 \r\ncontent-type: text/plain\r\ncontent-length: 83\r\n\r\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n",
            ),
            (
                "A redirect",
                "HTTP/1.1 301 Moved Permanently\r\nServer: nginx\r\nContent-Type: text/html\r\nLocation: https://www.example.com/.well-known/mta-sts.txt\r\n\r\n<html><body>Moved</body></html>\n",
            ),
        ],
        Kind::TlsRptRecord => [
            ("Correct record", "v=TLSRPTv1; rua=mailto:tlsrpt@example.com\n"),
            ("Typical mistakes", "v=TLSRPTv1; rua=mailto:tlsrpt@example.com, http://reports.example.com/tlsrpt;\nv=TLSRPTv1 ; ruf=mailto:tls-reports@example.com\n"),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(v: &LintView) -> String {
        v.segments.iter().map(|s| s.text.as_str()).collect()
    }

    /// A pasted report of about 5 MB with thousands of findings: every finding is counted
    /// and located, only the first [`LintView::FIRST`] are underlined, and the segments stay
    /// proportional to those (the page renders them on every change).
    #[test]
    fn a_five_megabyte_report_with_thousands_of_findings() {
        let detail = r#"{"result-type":"made-up-type","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx.example.com","failed-session-count":1,"padding":"PAD"}"#
            .replace("PAD", &"x".repeat(100));
        let n = 30_000;
        let details = vec![detail; n].join(",\n");
        let report = format!(
            r#"{{"organization-name":"big","date-range":{{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"}},"contact-info":"x","report-id":"big","policies":[{{"policy":{{"policy-type":"sts","policy-domain":"example.com","policy-string":["version: STSv1"]}},"summary":{{"total-successful-session-count":0,"total-failure-session-count":{n}}},"failure-details":[{details}]}}]}}"#
        );
        assert!(report.len() > 5_000_000, "{}", report.len());
        let v = LintView::new(Kind::Report, &report);
        assert!(v.findings.len() >= 2 * n, "each detail has an unknown result type and an unknown member");
        assert_eq!(joined(&v), report);
        let underlined: std::collections::BTreeSet<usize> =
            v.segments.iter().flat_map(|s| s.findings.iter().copied()).collect();
        assert!(underlined.len() <= LintView::FIRST && underlined.iter().all(|&i| i < LintView::FIRST));
        assert!(v.segments.len() <= 2 * LintView::FIRST + 2, "{} segments", v.segments.len());
        // The last finding is located on its own line, not at the top.
        assert!(
            v.findings.last().unwrap().loc.starts_with(&format!("line {}", n)),
            "{}",
            v.findings.last().unwrap().loc
        );
        assert!(v.summary.len() < 40, "{} summary rows", v.summary.len());
        assert!(v.summary.iter().any(|(_, v)| v == &format!("… and {} more failure details", n - 20)));
        let all = LintView::with_limit(Kind::Report, &report, usize::MAX);
        assert_eq!(joined(&all), report);
        assert!(all.segments.len() > 2 * n);
    }

    #[test]
    fn segments_cover_the_input_exactly() {
        for kind in Kind::ALL {
            for (_, input) in examples(kind) {
                let v = LintView::new(kind, input);
                assert_eq!(joined(&v), input);
            }
        }
    }

    #[test]
    fn offending_text_is_its_own_segment() {
        let input = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999\n";
        let v = LintView::new(Kind::Policy, input);
        assert!(!v.valid);
        assert_eq!(v.errors, 1);
        let f = &v.findings[0];
        assert_eq!(f.code, "sts-policy/max-age-out-of-range");
        assert_eq!(f.loc, "line 4, column 10");
        let seg = v.segments.iter().find(|s| s.findings.contains(&0)).unwrap();
        assert_eq!(seg.text, "99999999");
        assert_eq!(seg.severity, Some(Severity::Error));
    }

    #[test]
    fn missing_fields_become_markers_at_the_end() {
        let v = LintView::new(Kind::Policy, "version: STSv1\nmode: enforce\nmx: a.example\n");
        let last = v.segments.last().unwrap();
        assert!(last.marker);
        let codes: Vec<_> = last.findings.iter().map(|&i| v.findings[i].code).collect();
        assert!(codes.contains(&"sts-policy/missing-max-age"), "{codes:?}");
    }

    #[test]
    fn examples_show_what_they_promise() {
        for kind in Kind::ALL {
            let [(_, good), (_, bad)] = examples(kind);
            assert!(LintView::new(kind, good).valid, "{kind:?} good example");
            let bad = LintView::new(kind, bad);
            if kind == Kind::Report {
                // Real senders' quirks are read and noted, never rejected.
                assert!(bad.valid && bad.findings.len() >= 4, "{kind:?} quirks example: {:?}", bad.findings);
            } else {
                assert!(!bad.valid && bad.errors >= 1, "{kind:?} bad example");
            }
        }
    }

    #[test]
    fn summary_describes_the_policy() {
        let v = LintView::new(Kind::Policy, examples(Kind::Policy)[0].1);
        assert!(v.summary.contains(&("max_age".to_string(), "604800 s (7 days)".to_string())), "{:?}", v.summary);
        assert!(v.summary.contains(&("mx".to_string(), "*.example.net".to_string())));
    }

    #[test]
    fn multibyte_input_keeps_char_boundaries() {
        let input = "v=STSv1; id=äbc; ext=ü\n";
        let v = LintView::new(Kind::StsRecord, input);
        assert_eq!(joined(&v), input);
    }
}
