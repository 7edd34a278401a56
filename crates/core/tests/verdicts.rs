//! Every MUST and SHOULD of RFC 8461 §3–§5 and RFC 8460 §3–§4 that a checker can observe,
//! as a scenario at the verdict level: one `#[test]` per row, each naming the RFC sentence,
//! the input (a change to a known-good domain), and the verdict (or TLS-RPT state, or the
//! report's validity) a mail administrator is told.
//!
//! | RFC | sentence | input | expected |
//! |---|---|---|---|
//! | 8461 §3.1 | "If the resulting record is syntactically invalid, senders MUST assume the recipient domain does not have an available MTA-STS Policy" | `v=STSv1; id=2026-11-29`, enforce policy | broken |
//! | 8461 §3.1 | "If the number of resulting records is not one [...] senders MUST assume [...] no available MTA-STS Policy" | two `v=STSv1` records | broken |
//! | 8461 §3.1 | "Records that do not begin with "v=STSv1;" are discarded" | only `v=spf1 -all` | none |
//! | 8461 §3.1 | "senders MUST follow the CNAME pointers" (done by the resolver) | record behind a CNAME | protected |
//! | 8461 §3.1 | strings "MUST be concatenated together without adding spaces" | `"v=STSv1; "` `"id=2024"` | protected |
//! | 8461 §3.1 | "MTA-STS TXT records MUST be US-ASCII" | `id=2024é` | broken |
//! | 8461 §3.1 | sts-id is required (ABNF) | `v=STSv1;` | broken |
//! | 8461 §3.1 | prose vs ABNF: `v=STSv1 ;` (ABNF allows, prose discards) | space before `;` | protected, with a warning |
//! | 8461 §3.1 | `v=stsv1` is not `%s"v=STSv1"` (case-sensitive) | `v=stsv1; id=1` | broken |
//! | 8461 §3.2 | `version` "Currently, only "STSv1" is supported" | no version line | broken |
//! | 8461 §3.2 | `mode` is one of enforce, testing, none | `mode: enforced` | broken |
//! | 8461 §3.2 | `max_age` "maximum value of 31557600" | `max_age: 31557601` | broken |
//! | 8461 §3.2 | "additional key/value pairs [...] unknown fields SHALL be ignored" | `foo: bar` | protected |
//! | 8461 §3.2 | "the "mx" value MUST specify the Punycode-encoded A-label" | `mx: bücher.example` | broken |
//! | 8461 §3.2 | "senders SHOULD validate that the media type is "text/plain"" (error: `Code::stricter_than_rfc`) | `text/html` | broken |
//! | 8461 §3.2 | lines end in CRLF or LF (ABNF `sts-policy-term`) | CRLF policy | protected |
//! | 8461 §3.2 | "If a non-repeated field is duplicated, all entries except for the first SHALL be ignored" | `mode: enforce` then `mode: testing` | protected |
//! | 8461 §3.3 | "only valid if the HTTP response code is 200 (OK)" | 404 | broken |
//! | 8461 §3.3 | "HTTP 3xx redirects MUST NOT be followed" | 301 | broken |
//! | 8461 §3.3 | the same, in a pasted `curl -L` capture | 301 then 200 | broken |
//! | 8461 §3.3 | "MUST present an X.509 certificate that is valid for the "mta-sts" DNS-ID" | certificate for another name | broken |
//! | 8461 §3.3 | "[...] and be non-expired" | expired certificate | broken |
//! | 8461 §3.3 | a valid certificate | the mock's certificate for `mta-sts.good.test` | protected |
//! | 8461 §3.3 | senders may impose a size limit (error: `Code::stricter_than_rfc`, 64 KiB) | 65,537-byte policy | broken |
//! | 8461 §3.3 | the Policy Host must be reachable over HTTPS | no A/AAAA for `mta-sts.` | broken |
//! | 8461 §3.3 | the same | connection refused | broken |
//! | 8461 §3.3 | a browser cannot read a CORS-less response: not decidable | opaque response | unverified |
//! | 8461 §4.1 | "senders [...] MUST NOT deliver to hosts that fail MX matching" under enforce | MX not in the policy | broken |
//! | 8461 §4.1 | in testing, failures are reported, mail still flows | MX not in the policy, testing | testing |
//! | 8461 §4.1 | "the wildcard character matches only one label" | `a.b.mail.example.com` vs `*.mail.example.com` | broken |
//! | 8461 §4.1 | no MX: the domain itself is the implicit MX (RFC 5321 §5.1) | no MX records, policy lists the domain | protected |
//! | 8461 §5 | "none": no MTA-STS policy is applied | `mode: none` | none |
//! | 8461 §5 | testing: "Sending MTAs [...] do not treat failures as fatal" | `mode: testing` | testing |
//! | 8461 §3.1 | no record at all | NXDOMAIN | none |
//! | 8461 §3.1 | SERVFAIL: senders see no record | SERVFAIL | broken |
//! | — | no answer from the resolver is not a fact about the domain | timeout | unknown |
//! | — | a null MX (RFC 7505) accepts no mail | `MX 0 .` and no record | none |
//! | 8460 §3 | a valid record: senders report to `rua` | one record | reporting active |
//! | 8460 §3 | "If the number of resulting records is not one [...] MUST assume the recipient domain does not implement TLSRPT" | two records | reporting invalid |
//! | 8460 §3 | rua "mailto:" or "https:" only | `rua=ftp://x` | reporting invalid |
//! | 8460 §3 | `tlsrpt-version = %s"v=TLSRPTv1"` | `v=tlsrptv1` | reporting invalid |
//! | 8460 §3 | no record: no reports | NXDOMAIN | reporting absent |
//! | 8460 §3 | "Parsers MUST accept TXT records that are syntactically valid" with extensions | `ext=1` | reporting active |
//! | 8460 §4.4 | the RFC's own JSON report sample (`parsedmarc/rfc8460.json` in the corpus) | §4.4 sample | valid report |
//! | 8460 §4.3 | `policy-type` MUST be one of "tlsa", "sts", "no-policy-found" | `"policy-type": 7` | invalid report |
//! | 8460 §4.1 | `date-range` is required | no `date-range` | invalid report |
//! | 8460 §4.2 | counts are non-negative integers | `-5` | invalid report |

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Test code may panic.

mod common;

use mtasts_core::check::{evaluate, Answers, Check, DnsAnswer, PolicyFetch, Reporting, Undecided, Verdict};
use mtasts_core::lint::{lint, Kind};
use mtasts_core::Code;

const POLICY: &str = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.mail.example.com\nmax_age: 604800\n";

fn txt(records: &[&[&str]]) -> DnsAnswer<Vec<Vec<u8>>> {
    DnsAnswer::Records {
        records: records.iter().map(|r| r.iter().map(|s| s.as_bytes().to_vec()).collect()).collect(),
        authenticated: false,
        cnames: vec![],
    }
}

fn mx(hosts: &[&str]) -> DnsAnswer<(u16, String)> {
    DnsAnswer::Records {
        records: hosts.iter().enumerate().map(|(i, h)| (10 * (i as u16 + 1), h.to_string())).collect(),
        authenticated: false,
        cnames: vec![],
    }
}

fn served(body: &str) -> PolicyFetch {
    PolicyFetch::Response {
        status: 200,
        content_type: Some("text/plain".into()),
        location: None,
        body: body.as_bytes().to_vec(),
    }
}

/// A domain that is protected: one valid record, an enforce policy served correctly,
/// every MX host covered, TLS-RPT published.
fn good() -> Answers {
    Answers {
        mx: mx(&["mx1.example.com", "a.mail.example.com"]),
        sts_txt: txt(&[&["v=STSv1; id=20240101"]]),
        tlsrpt_txt: txt(&[&["v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]]),
        policy_host: DnsAnswer::Records {
            records: vec!["192.0.2.1".parse().unwrap()],
            authenticated: false,
            cnames: vec![],
        },
        policy: served(POLICY),
        tlsa: vec![],
        second: None,
        certificate: None,
        now: 1_800_000_000,
    }
}

fn check_with(domain: &str, change: impl FnOnce(&mut Answers)) -> Check {
    let mut a = good();
    change(&mut a);
    evaluate(domain, &a)
}

fn codes(c: &Check) -> Vec<&'static str> {
    c.findings.iter().map(|l| l.finding.code.id()).collect()
}

/// Asserts the verdict, and that the finding saying why is there.
fn expect(c: &Check, verdict: Verdict, because: Option<Code>) {
    assert_eq!(c.verdict, verdict, "{} — findings: {:?}", c.reason, codes(c));
    if let Some(code) = because {
        assert!(c.findings.iter().any(|l| l.finding.code == code), "{} missing from {:?}", code.id(), codes(c));
    }
}

macro_rules! verdicts {
    ($( $name:ident: $change:expr => $verdict:expr, $because:expr; )*) => {
        $(
            #[test]
            fn $name() {
                let c = check_with("example.com", $change);
                expect(&c, $verdict, $because);
            }
        )*
    };
}

verdicts! {
    rfc8461_3_1_invalid_record_is_no_policy:
        |a| a.sts_txt = txt(&[&["v=STSv1; id=2026-11-29"]]) => Verdict::Broken, Some(Code::StsTxtInvalidId);
    rfc8461_3_1_two_records_are_no_policy:
        |a| a.sts_txt = txt(&[&["v=STSv1; id=1"], &["v=STSv1; id=2"]]) => Verdict::Broken, Some(Code::StsTxtMultipleRecords);
    rfc8461_3_1_other_records_are_discarded:
        |a| a.sts_txt = txt(&[&["v=spf1 -all"]]) => Verdict::None, Some(Code::StsTxtNoRecord);
    rfc8461_3_1_cnames_are_followed:
        |a| a.sts_txt = DnsAnswer::Records {
            records: vec![vec![b"v=STSv1; id=7".to_vec()]],
            authenticated: false,
            cnames: vec!["_mta-sts.provider.example".into()],
        } => Verdict::Protected, Some(Code::DnsCname);
    rfc8461_3_1_strings_join_without_spaces:
        |a| a.sts_txt = txt(&[&["v=STSv1; ", "id=2024"]]) => Verdict::Protected, None;
    rfc8461_3_1_records_are_us_ascii:
        |a| a.sts_txt = txt(&[&["v=STSv1; id=2024é"]]) => Verdict::Broken, Some(Code::StsTxtNonAscii);
    rfc8461_3_1_id_is_required:
        |a| a.sts_txt = txt(&[&["v=STSv1;"]]) => Verdict::Broken, Some(Code::StsTxtMissingId);
    rfc8461_3_1_space_before_semicolon_prose_and_abnf_disagree:
        |a| a.sts_txt = txt(&[&["v=STSv1 ; id=1"]]) => Verdict::Protected, Some(Code::StsTxtSpaceBeforeSemicolon);
    rfc8461_3_1_version_is_case_sensitive:
        |a| a.sts_txt = txt(&[&["v=stsv1; id=1"]]) => Verdict::Broken, Some(Code::StsTxtVersionCase);
    rfc8461_3_2_version_is_required:
        |a| a.policy = served(&POLICY.replace("version: STSv1\n", "")) => Verdict::Broken, Some(Code::StsPolicyMissingVersion);
    rfc8461_3_2_mode_must_be_known:
        |a| a.policy = served(&POLICY.replace("mode: enforce", "mode: enforced")) => Verdict::Broken, Some(Code::StsPolicyBadMode);
    rfc8461_3_2_max_age_has_a_maximum:
        |a| a.policy = served(&POLICY.replace("604800", "31557601")) => Verdict::Broken, Some(Code::StsPolicyMaxAgeOutOfRange);
    rfc8461_3_2_unknown_fields_are_ignored:
        |a| a.policy = served(&format!("{POLICY}foo: bar\n")) => Verdict::Protected, Some(Code::StsPolicyUnknownKey);
    rfc8461_3_2_mx_must_be_a_label:
        |a| a.policy = served(&format!("{POLICY}mx: bücher.example\n")) => Verdict::Broken, Some(Code::StsPolicyMxULabel);
    rfc8461_3_2_media_type_should_be_text_plain:
        |a| a.policy = PolicyFetch::Response {
            status: 200,
            content_type: Some("text/html".into()),
            location: None,
            body: POLICY.as_bytes().to_vec(),
        } => Verdict::Broken, Some(Code::FetchContentType);
    rfc8461_3_2_crlf_line_ends:
        |a| a.policy = served(&POLICY.replace('\n', "\r\n")) => Verdict::Protected, None;
    rfc8461_3_2_first_of_a_repeated_field_wins:
        |a| a.policy = served(&format!("{POLICY}mode: testing\n")) => Verdict::Protected, Some(Code::StsPolicyDuplicateKey);
    rfc8461_3_3_status_must_be_200:
        |a| a.policy = PolicyFetch::Response {
            status: 404,
            content_type: Some("text/html".into()),
            location: None,
            body: b"<h1>Not found</h1>".to_vec(),
        } => Verdict::Broken, Some(Code::FetchStatus);
    rfc8461_3_3_redirects_must_not_be_followed:
        |a| a.policy = PolicyFetch::Response {
            status: 301,
            content_type: None,
            location: Some("https://www.example.com/".into()),
            body: vec![],
        } => Verdict::Broken, Some(Code::FetchRedirect);
    rfc8461_3_3_a_capture_that_followed_a_redirect:
        |a| a.policy = PolicyFetch::pasted(&format!(
            "HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.com/mta-sts.txt\r\n\r\nHTTP/2 200\r\ncontent-type: text/plain\r\n\r\n{POLICY}"
        )) => Verdict::Broken, Some(Code::FetchRedirect);
    rfc8461_3_3_policies_over_64_kib:
        |a| a.policy = served(&format!("{POLICY}{}", "x".repeat(65_537 - POLICY.len()))) => Verdict::Broken, Some(Code::StsPolicyTooLarge);
    rfc8461_3_3_policy_host_without_address:
        |a| a.policy_host = DnsAnswer::Records { records: vec![], authenticated: false, cnames: vec![] }
            => Verdict::Broken, Some(Code::StsHostNoAddress);
    rfc8461_3_3_policy_host_unreachable:
        |a| a.policy = PolicyFetch::Unreachable("connection refused".into()) => Verdict::Broken, Some(Code::FetchUnreachable);
    rfc8461_3_3_unreadable_from_a_browser:
        |a| a.policy = PolicyFetch::Opaque => Verdict::Undecided(Undecided::Unverified), Some(Code::FetchNotVerifiable);
    rfc8461_4_1_enforce_with_an_uncovered_mx:
        |a| a.mx = mx(&["mx1.example.com", "mx9.other.example"]) => Verdict::Broken, Some(Code::MxNotCovered);
    rfc8461_4_1_testing_with_an_uncovered_mx:
        |a| { a.mx = mx(&["mx9.other.example"]); a.policy = served(&POLICY.replace("enforce", "testing")); }
            => Verdict::Testing, Some(Code::MxNotCovered);
    rfc8461_4_1_wildcards_match_one_label:
        |a| a.mx = mx(&["a.b.mail.example.com"]) => Verdict::Broken, Some(Code::MxNotCovered);
    rfc8461_4_1_implicit_mx:
        |a| { a.mx = mx(&[]); a.policy = served(&format!("{POLICY}mx: example.com\n")); } => Verdict::Protected, Some(Code::MxImplicit);
    rfc8461_5_mode_none:
        |a| a.policy = served(&POLICY.replace("enforce", "none")) => Verdict::None, None;
    rfc8461_5_mode_testing:
        |a| a.policy = served(&POLICY.replace("enforce", "testing")) => Verdict::Testing, None;
    rfc8461_3_1_no_record:
        |a| a.sts_txt = DnsAnswer::NxDomain => Verdict::None, Some(Code::StsTxtNoRecord);
    rfc8461_3_1_servfail:
        |a| a.sts_txt = DnsAnswer::ServFail => Verdict::Broken, Some(Code::DnsServfail);
    no_answer_is_not_a_fact_about_the_domain:
        |a| a.sts_txt = DnsAnswer::Timeout => Verdict::Undecided(Undecided::NoAnswer), Some(Code::DnsTimeout);
    enforce_without_an_mx_answer_is_undecided:
        |a| a.mx = DnsAnswer::Timeout => Verdict::Undecided(Undecided::NoAnswer), Some(Code::DnsTimeout);
    null_mx_accepts_no_mail:
        |a| { a.mx = mx(&["."]); a.sts_txt = DnsAnswer::NxDomain; } => Verdict::None, Some(Code::MxNullMx);
    the_good_domain_is_protected:
        |_| {} => Verdict::Protected, None;
}

/// The policy host's certificate (RFC 8461 §3.3), judged in core from the DER the CLI saw:
/// the mock's certificate is for `mta-sts.good.test`.
#[cfg(feature = "certificate")]
mod certificate {
    use super::*;
    use base64::Engine;

    fn mock_cert() -> Vec<u8> {
        let pem = include_str!("../../../tests/mock/cert.pem");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
    }

    fn good_test(now: Option<i64>) -> Answers {
        let mut a = good();
        a.mx = mx(&["mx1.good.test"]);
        a.policy = served(&POLICY.replace("mx1.example.com", "mx1.good.test"));
        a.certificate = Some(mock_cert());
        if let Some(now) = now {
            a.now = now;
        }
        a
    }

    #[test]
    fn rfc8461_3_3_valid_certificate() {
        let c = evaluate("good.test", &good_test(None));
        expect(&c, Verdict::Protected, None);
        assert!(c.certificate.as_ref().unwrap().dns_names.contains(&"mta-sts.good.test".to_string()));
    }

    #[test]
    fn rfc8461_3_3_certificate_for_another_name() {
        let mut a = good_test(None);
        a.policy = served(POLICY);
        a.mx = mx(&["mx1.example.com"]);
        expect(&evaluate("example.com", &a), Verdict::Broken, Some(Code::CertNameMismatch));
    }

    #[test]
    fn rfc8461_3_3_expired_certificate() {
        let not_after = evaluate("good.test", &good_test(None)).certificate.unwrap().not_after;
        expect(&evaluate("good.test", &good_test(Some(not_after + 1))), Verdict::Broken, Some(Code::CertExpired));
    }

    #[test]
    fn an_unreadable_certificate_is_broken() {
        let mut a = good_test(None);
        a.certificate = Some(b"not DER".to_vec());
        expect(&evaluate("good.test", &a), Verdict::Broken, Some(Code::CertUnreadable));
    }
}

/// RFC 8460 §3: whether senders send TLS reports.
mod reporting {
    use super::*;

    fn reporting(change: impl FnOnce(&mut Answers)) -> (Reporting, Vec<&'static str>) {
        let c = check_with("example.com", change);
        assert_eq!(c.verdict, Verdict::Protected, "TLS-RPT never changes the MTA-STS verdict");
        (c.reporting, codes(&c))
    }

    #[test]
    fn rfc8460_3_a_valid_record() {
        assert_eq!(reporting(|_| {}).0, Reporting::Active);
    }

    #[test]
    fn rfc8460_3_two_records() {
        let (r, cs) = reporting(|a| {
            a.tlsrpt_txt = txt(&[&["v=TLSRPTv1; rua=mailto:a@example.com"], &["v=TLSRPTv1; rua=mailto:b@example.com"]])
        });
        assert_eq!(r, Reporting::Invalid);
        assert!(cs.contains(&"tlsrpt-txt/multiple-records"), "{cs:?}");
    }

    #[test]
    fn rfc8460_3_rua_is_mailto_or_https() {
        assert_eq!(reporting(|a| a.tlsrpt_txt = txt(&[&["v=TLSRPTv1; rua=ftp://x.example/r"]])).0, Reporting::Invalid);
    }

    #[test]
    fn rfc8460_3_version_is_case_sensitive() {
        assert_eq!(
            reporting(|a| a.tlsrpt_txt = txt(&[&["v=tlsrptv1; rua=mailto:a@example.com"]])).0,
            Reporting::Invalid
        );
    }

    #[test]
    fn rfc8460_3_no_record() {
        assert_eq!(reporting(|a| a.tlsrpt_txt = DnsAnswer::NxDomain).0, Reporting::Absent);
    }

    #[test]
    fn rfc8460_3_extensions_are_accepted() {
        assert_eq!(
            reporting(|a| a.tlsrpt_txt = txt(&[&["v=TLSRPTv1; rua=mailto:a@example.com; ext=1"]])).0,
            Reporting::Active
        );
    }

    #[test]
    fn a_failed_lookup_says_nothing_about_reporting() {
        assert_eq!(reporting(|a| a.tlsrpt_txt = DnsAnswer::Timeout).0, Reporting::NoAnswer);
    }
}

/// RFC 8460 §4: the report format. The verdict for a report is its validity.
mod reports {
    use super::*;
    use serde_json::{json, Value};

    /// The RFC 8460 §4.4 sample, as the shared corpus keeps it.
    fn sample() -> Value {
        let path = common::corpus_dir().join("parsedmarc/rfc8460.json");
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    }

    fn report(v: &Value) -> (bool, Vec<&'static str>) {
        let l = lint(Kind::Report, serde_json::to_string_pretty(v).unwrap().as_bytes());
        (l.is_valid(), l.findings.iter().map(|f| f.code.id()).collect())
    }

    #[test]
    fn rfc8460_4_4_the_sample_report_is_valid() {
        let (valid, cs) = report(&sample());
        assert!(valid, "{cs:?}");
    }

    #[test]
    fn rfc8460_4_3_policy_type_is_a_string_of_three() {
        let mut v = sample();
        *v.pointer_mut("/policies/0/policy/policy-type").unwrap() = json!(7);
        let (valid, cs) = report(&v);
        assert!(!valid && cs.contains(&"report/wrong-type"), "{cs:?}");
    }

    #[test]
    fn rfc8460_4_1_date_range_is_required() {
        let mut v = sample();
        v.as_object_mut().unwrap().remove("date-range").unwrap();
        let (valid, cs) = report(&v);
        assert!(!valid && cs.contains(&"report/missing-field"), "{cs:?}");
    }

    #[test]
    fn rfc8460_4_2_counts_are_not_negative() {
        let mut v = sample();
        *v.pointer_mut("/policies/0/summary/total-successful-session-count").unwrap() = json!(-5);
        let (valid, cs) = report(&v);
        assert!(!valid && cs.contains(&"report/negative-count"), "{cs:?}");
    }
}
