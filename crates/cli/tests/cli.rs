//! Runs the built `mtasts` binary the way scripts do and checks output and exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Test code may panic.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn mtasts(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mtasts");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or("").as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"].as_array().expect("findings").iter().map(|f| f["code"].as_str().expect("code").to_string()).collect()
}

fn temp_file(name: &str, body: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("mtasts-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write temp file");
    path.to_string_lossy().into_owned()
}

const GOOD_POLICY: &str =
    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n";

#[test]
fn valid_policy_file_exits_zero_with_its_fields() {
    let path = temp_file("good.txt", GOOD_POLICY.as_bytes());
    let o = mtasts(&["lint", "policy", &path, "--json"], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(v["kind"], "policy");
    assert_eq!(v["valid"], true);
    assert_eq!(v["value"]["mode"], "enforce");
    assert_eq!(v["value"]["max_age"], 604800);
    assert_eq!(v["value"]["mx"], serde_json::json!(["mail.example.com", "*.example.net"]));
}

#[test]
fn invalid_policy_reports_code_span_and_rfc() {
    let input = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 99999999\n";
    let o = mtasts(&["lint", "policy", "-", "--json"], Some(input));
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["valid"], false);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "sts-policy/max-age-out-of-range");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["rfc"], "RFC 8461 §3.2");
    let (s, e) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
    assert_eq!(&input[s..e], "99999999");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(4), Some(10)));
}

#[test]
fn human_output_underlines_the_offending_text() {
    let input = "version: STSv1\nmode: enforce\nmx: *.*.example.com\nmax_age: 604800\n";
    let o = mtasts(&["lint", "policy"], Some(input));
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("<stdin>:3:7: error[sts-policy/mx-bad-wildcard]"), "{out}");
    assert!(out.contains("3 | mx: *.*.example.com\n  |       ^\n"), "{out}");
    assert!(out.contains("RFC 8461 §4.1"), "{out}");
    assert!(out.contains("is INVALID — 1 error, 0 warnings, 0 infos"), "{out}");
}

#[test]
fn record_file_lines_are_a_record_set() {
    let o = mtasts(&["lint", "sts-record", "-", "--json"], Some("v=STSv1; id=1\nv=spf1 -all\n"));
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(v["value"]["id"], "1");
    assert_eq!(codes(&v), ["sts-txt/record-discarded"]);

    let o = mtasts(&["lint", "sts-record", "-", "--json"], Some("v=STSv1; id=1\nv=STSv1; id=2\n"));
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["value"], Value::Null);
    assert_eq!(codes(&v), ["sts-txt/multiple-records", "sts-txt/multiple-records"]);
    assert_eq!(v["findings"][1]["line"], 2);
}

#[test]
fn quoted_multi_string_record_is_concatenated() {
    let o = mtasts(&["lint", "sts-record", "--json"], Some("\"v=STSv1; \" \"id=20240101\"\n"));
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(json(&o)["value"]["id"], "20240101");
}

#[test]
fn tlsrpt_record_lists_report_uris() {
    let o = mtasts(
        &["lint", "tlsrpt-record", "--json"],
        Some("v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/v1\n"),
    );
    assert_eq!(code(&o), 0);
    assert_eq!(json(&o)["value"]["rua"], serde_json::json!(["mailto:a@example.com", "https://r.example.com/v1"]));
    let o = mtasts(&["lint", "tlsrpt-record", "--json"], Some("v=TLSRPTv1; rua=http://r.example.com/v1\n"));
    assert_eq!(code(&o), 1);
    assert_eq!(codes(&json(&o)), ["tlsrpt-txt/rua-unsupported-scheme"]);
}

#[test]
fn io_and_usage_errors_exit_two() {
    let o = mtasts(&["lint", "policy", "/nonexistent/policy.txt"], None);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read /nonexistent/policy.txt"));
    assert_eq!(code(&mtasts(&["lint", "nonsense"], None)), 2);
    assert_eq!(code(&mtasts(&["frobnicate"], None)), 2);
    assert_eq!(code(&mtasts(&["match", "only-one-arg"], None)), 2);
}

#[test]
fn match_exit_codes_and_reasons() {
    let o = mtasts(&["match", "*.example.com", "mail.example.com"], None);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("\"mail\""), "{}", stdout(&o));
    let o = mtasts(&["match", "*.example.com", "a.b.example.com"], None);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("exactly one label"), "{}", stdout(&o));
    let o = mtasts(&["match", "*.example.com", "example.com"], None);
    assert_eq!(code(&o), 1);
    assert_eq!(code(&mtasts(&["match", "MAIL.example.com", "mail.EXAMPLE.com."], None)), 0);
    assert_eq!(code(&mtasts(&["match", "xn--mnchen-3ya.example", "münchen.example"], None)), 0);
    let o = mtasts(&["match", "münchen.example", "münchen.example"], None);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("xn--mnchen-3ya.example"), "{}", stdout(&o));
    assert_eq!(code(&mtasts(&["match", "*.*.example.com", "a.b.example.com"], None)), 2);
    assert_eq!(code(&mtasts(&["match", "*.example.com", "*.example.com"], None)), 1);
}

#[test]
fn codes_lists_the_whole_table() {
    let o = mtasts(&["codes", "--json"], None);
    assert_eq!(code(&o), 0);
    let rows = json(&o);
    let ids: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(ids.contains(&"sts-policy/max-age-out-of-range"));
    assert_eq!(ids.len(), mtasts_core::Code::ALL.len());
}
