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

/// Removes the files it names when dropped, also when the test fails: the bad-inputs test
/// writes 180 MB, which piled up in the temporary directory run after run.
struct Removed(Vec<String>);

impl Drop for Removed {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
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

fn corpus(rel: &str) -> String {
    let base = std::env::var("MTASTS_CORPUS")
        .unwrap_or_else(|_| format!("{}/../../../shared/corpus", env!("CARGO_MANIFEST_DIR")));
    format!("{base}/{rel}")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

#[test]
fn report_folder_of_real_reports() {
    let o = mtasts(&["report", "--json", &corpus("parsedmarc")], None);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    // rfc8460.json, mail.ru.json, smtp_tls.json, empty_failure_detail_fields.json and the
    // Google email are five reports; the extracted .json and .json.gz are its copies.
    assert_eq!((v["reports"].as_u64(), v["duplicates"].as_u64()), (Some(5), Some(2)));
    assert_eq!((v["successful"].as_u64(), v["failed"].as_u64()), (Some(5326 + 48), Some(303 + 1 + 3 + 1)));
    assert_eq!(v["result_types"]["starttls-not-supported"], 200);
    assert_eq!(
        v["by_org"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Company-X", "Example Inc.", "Google Inc.", "Mail.ru", "Reporter Example"]
    );
    assert_eq!(v["inputs"].as_array().unwrap().len(), 7);
    assert!(v["inputs"].as_array().unwrap().iter().all(|i| i["error"].is_null()));
    assert!(v["policies"].as_array().unwrap().iter().any(|p| p["policy_domain"] == "company-y.example"));

    let o = mtasts(&["report", &corpus("parsedmarc")], None);
    let out = stdout(&o);
    assert!(out.contains("5 report(s), 2 duplicate(s), 0 input(s) with errors"), "{out}");
    assert!(out.contains("5,374 successful, 308 failed"), "{out}");
    assert!(out.contains("Top failures"), "{out}");
}

/// `--verbose` says how each report was reached inside its input (issue 13 item 3): in
/// --json as "routes", in text as "read:" lines; without it neither appears.
#[test]
fn verbose_says_how_each_report_was_reached() {
    let o = mtasts(&["report", "--json", "--verbose", &corpus("parsedmarc")], None);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    let inputs = v["inputs"].as_array().unwrap();
    let steps = |suffix: &str| -> Vec<String> {
        let i = inputs.iter().find(|i| i["path"].as_str().unwrap().ends_with(suffix)).unwrap();
        assert_eq!(i["routes"].as_array().unwrap().len(), 1, "{i}");
        assert_eq!(i["routes"][0]["report"], true);
        i["routes"][0]["steps"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
    };
    assert_eq!(
        steps("google.com_smtp_tls_report.eml"),
        [
            "email, read by the lean MIME walk",
            "email part taken for its media type",
            "base64 body, decoded",
            "gzip, inflated"
        ]
    );
    assert_eq!(steps("001.json.gz"), ["gzip, inflated"]);
    assert!(steps("rfc8460.json").is_empty(), "the input itself");
    let o = mtasts(&["report", "-v", &corpus("parsedmarc/google.com_smtp_tls_report.eml")], None);
    assert!(stdout(&o).contains("› base64 body, decoded › gzip, inflated → report\n"), "{}", stdout(&o));
    let o = mtasts(&["report", "--json", &corpus("parsedmarc")], None);
    assert!(json(&o)["inputs"].as_array().unwrap().iter().all(|i| i.get("routes").is_none()));
    assert!(!stdout(&mtasts(&["report", &corpus("parsedmarc")], None)).contains("read:"));
}

#[test]
fn bad_inputs_never_lose_the_good_ones() {
    let good = std::fs::read(corpus("parsedmarc/rfc8460.json")).unwrap();
    let truncated = temp_file("truncated.json", &good[..good.len() / 2]);
    let mut bad_gz = gzip(&good);
    bad_gz.truncate(bad_gz.len() / 2);
    let wrong_gzip = temp_file("wrong.json.gz", &bad_gz);
    let bomb = temp_file("bomb.json.gz", &gzip(&vec![b' '; 80 << 20]));
    let garbage = temp_file("garbage.bin", &vec![0xA5u8; 100 << 20]);
    let no_report =
        temp_file("note.eml", b"From: a@example.com\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nhello\r\n");
    let good_file = temp_file("good.json", &good);
    let paths = [&truncated, &wrong_gzip, &bomb, &garbage, &no_report, &good_file];
    let _removed = Removed(paths.iter().map(|p| p.to_string()).collect());
    let mut args = vec!["report", "--json"];
    args.extend(paths.iter().map(|s| s.as_str()));
    let o = mtasts(&args, None);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["reports"], 1);
    assert_eq!((v["successful"].as_u64(), v["failed"].as_u64()), (Some(5326), Some(303)));
    let inputs = v["inputs"].as_array().unwrap();
    let first_code = |i: usize| inputs[i]["errors"][0]["code"].as_str().unwrap_or("none").to_string();
    assert_eq!(first_code(0), "report/not-json");
    assert_eq!(first_code(1), "input/bad-compression");
    assert_eq!(first_code(2), "input/too-large");
    assert_eq!(first_code(3), "input/no-report");
    assert_eq!(first_code(4), "input/no-report");
    assert!(inputs[5]["error"].is_null());
    assert!(inputs[0]["error"].as_str().unwrap().contains("line"), "{}", inputs[0]["error"]);
}

#[test]
fn report_csv_and_stdin() {
    let good = std::fs::read_to_string(corpus("parsedmarc/rfc8460.json")).unwrap();
    let o = mtasts(&["report", "--csv", "--by", "day", "-"], Some(&good));
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "day,reports,successful,failed\n2016-04-01,1,5326,303\n");
    let o = mtasts(&["report", "--csv", "--by", "failures", "-"], Some(&good));
    let out = stdout(&o);
    assert!(out.lines().next().unwrap().starts_with("day,organisation,policy_domain"));
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.contains("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"));
}

#[test]
fn report_usage_and_missing_paths() {
    assert_eq!(code(&mtasts(&["report"], None)), 2);
    let o = mtasts(&["report", "--json", "/nonexistent/reports"], None);
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["inputs"][0]["errors"][0]["code"], "input/unreadable");
}

#[test]
fn lint_one_report() {
    let o = mtasts(&["lint", "report", &corpus("parsedmarc/mail.ru.json"), "--json"], None);
    assert_eq!(code(&o), 0);
    let v = json(&o);
    assert_eq!(v["kind"], "report");
    assert_eq!(v["valid"], true);
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "report/details-exceed-total").unwrap();
    assert_eq!(f["pointer"], "/policies/0/failure-details");
    assert_eq!(f["line"], 10);
    assert_eq!(v["value"][0]["organization_name"], "Mail.ru");
    let o = mtasts(&["lint", "report", "-", "--json"], Some("{\"organization-name\": 1"));
    assert_eq!(code(&o), 1);
    assert_eq!(codes(&json(&o)), ["report/not-json"]);
}

#[test]
fn coverage_matrix_and_exit_codes() {
    let path = temp_file(
        "cov.txt",
        b"version: STSv1\nmode: enforce\nmx: *.example.com\nmx: old.example.net\nmax_age: 604800\n",
    );
    let o = mtasts(&["coverage", &path, "10:mx1.example.com", "20 mx2.example.com."], None);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("mx1.example.com") && out.contains("covered"), "{out}");
    assert!(out.contains("info[mx/stale-pattern]") && out.contains("old.example.net"), "{out}");
    let o = mtasts(&["coverage", &path, "10:mx1.example.com", "20:a.b.example.com"], None);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("error[mx/not-covered]"), "{}", stdout(&o));
    assert_eq!(code(&mtasts(&["coverage", &path, "."], None)), 0);
    assert_eq!(code(&mtasts(&["coverage", &path], None)), 2);
}

#[test]
fn lint_a_captured_policy_fetch() {
    let o = mtasts(
        &["lint", "policy-fetch", "--json"],
        Some("HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.com/\r\n\r\n"),
    );
    assert_eq!(code(&o), 1);
    assert_eq!(codes(&json(&o)), ["sts-fetch/redirect"]);
    let ok = "HTTP/2 200\r\ncontent-type: text/plain\r\n\r\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n";
    let o = mtasts(&["lint", "policy-fetch", "--json"], Some(ok));
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(json(&o)["value"]["policy"]["mode"], "enforce");
}

/// `curl -L` output: a 301 followed by a 200. RFC 8461 §3.3: redirects MUST NOT be followed,
/// so the capture is invalid whatever the last response says.
#[test]
fn a_capture_that_followed_a_redirect_is_invalid() {
    let capture = "HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.com/.well-known/mta-sts.txt\r\n\r\nHTTP/2 200\r\ncontent-type: text/plain\r\n\r\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n";
    let o = mtasts(&["lint", "policy-fetch", "--json"], Some(capture));
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(codes(&v), ["sts-fetch/redirect"]);
    assert_eq!(v["findings"][0]["line"], 1, "the finding points at the 301 status line: {v}");
}

fn report_json(org: &str, id: &str, ok: &str, result_type: &str, mx: &str) -> String {
    format!(
        r#"{{"organization-name":"{org}","date-range":{{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"}},"contact-info":"x","report-id":"{id}","policies":[{{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: *.example.com","max_age: 86400"],"policy-domain":"example.com"}},"summary":{{"total-successful-session-count":{ok},"total-failure-session-count":1}},"failure-details":[{{"result-type":"{result_type}","receiving-mx-hostname":"{mx}","failed-session-count":1}}]}}]}}"#
    )
}

/// The abuse inputs of issue 9: each gets a clear finding and loses no other input.
#[test]
fn abuse_inputs_each_get_a_finding_and_lose_nothing() {
    use std::io::Write as _;
    let dir = std::env::temp_dir().join(format!("mtasts-abuse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    // A zip of many members each under the cap, together far over it.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..6 {
        w.start_file(format!("big{i}.json"), opts).unwrap();
        w.write_all(&vec![b' '; 3 << 20]).unwrap();
    }
    std::fs::write(dir.join("many.zip"), w.finish().unwrap().into_inner()).unwrap();
    // Counts at u64::MAX in two policies: the sum saturates and says so.
    let huge = report_json("huge.example", "h1", "18446744073709551615", "validation-failure", "mx1.example.com");
    let two_policies = huge.replacen(
        r#""policies":["#,
        r#""policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},"summary":{"total-successful-session-count":18446744073709551615,"total-failure-session-count":0}},"#,
        1,
    );
    std::fs::write(dir.join("huge.json"), two_policies).unwrap();
    // Strings that a spreadsheet would run as formulas.
    std::fs::write(
        dir.join("formula.json"),
        report_json("=HYPERLINK(\\\"http://evil.example\\\")", "f1", "5", "certificate-expired", "@SUM(A1)"),
    )
    .unwrap();
    // A symlink loop inside the folder.
    std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
    let dir_s = dir.to_string_lossy().into_owned();

    let o = mtasts(&["report", "--json", "--max-bytes", "8388608", &dir_s], None);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    let inputs = v["inputs"].as_array().unwrap();
    let errors_of = |name: &str| -> Vec<String> {
        inputs
            .iter()
            .filter(|i| i["path"].as_str().unwrap_or("").contains(name))
            .flat_map(|i| i["errors"].as_array().cloned().unwrap_or_default())
            .map(|e| format!("{} {}", e["code"].as_str().unwrap_or(""), e["message"].as_str().unwrap_or("")))
            .collect()
    };
    let zip_errors = errors_of("many.zip");
    assert!(zip_errors.iter().any(|e| e.starts_with("input/too-large") && e.contains("in all")), "{zip_errors:?}");
    let loop_errors = errors_of("loop");
    assert!(loop_errors.iter().any(|e| e.contains("symlink loop")), "{loop_errors:?}");
    assert_eq!(v["reports"], 2, "the huge and the formula reports are both counted");
    assert_eq!(v["saturated"], true);
    assert_eq!(v["readiness"]["verdict"], "not-yet");
    let huge_findings: Vec<String> = inputs
        .iter()
        .filter(|i| i["path"].as_str().unwrap_or("").ends_with("huge.json"))
        .flat_map(|i| i["finding_codes"].as_object().cloned().unwrap_or_default().into_iter().map(|(k, _)| k))
        .collect();
    assert!(huge_findings.contains(&"report/count-overflow".to_string()), "{huge_findings:?}");

    let o = mtasts(&["report", "--csv", "--by", "failures", &dir_s], None);
    let csv = stdout(&o);
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(csv.contains("\"'@SUM(A1)\""), "{csv}");
    assert!(!csv.contains(",=") && !csv.contains(",@"), "{csv}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_prints_readiness() {
    let good = std::fs::read_to_string(corpus("parsedmarc/rfc8460.json")).unwrap();
    let o = mtasts(&["report", "--json", "-"], Some(&good));
    let v = json(&o);
    assert_eq!(v["readiness"]["verdict"], "not-yet", "{}", v["readiness"]);
    assert!(v["readiness"]["reasons"].as_array().unwrap().len() >= 3);
    let story = &v["readiness"]["stories"][0];
    assert_eq!(story["result_type"], "starttls-not-supported", "{story}");
    assert_eq!(story["mx"], "mx2.mail.company-y.example");
    assert_eq!((story["sessions"].as_u64(), story["first_day"].as_str()), (Some(200), Some("2016-04-01")));
    assert_eq!((story["blocking"].as_bool(), story["stopped"].as_bool()), (Some(true), Some(false)));
    let o = mtasts(&["report", "-"], Some(&good));
    assert!(stdout(&o).contains("Safe to enforce? NOT-YET"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("certificate-expired at mx1.mail.company-y.example: 100 sessions on 2016-04-01")
            && stdout(&o).contains("fix: Renew the certificate on mx1.mail.company-y.example"),
        "{}",
        stdout(&o)
    );
}

/// Issue 15: `{}` (or JSON without the report's members) was counted as "read, 1 report"
/// and then drove the readiness verdict.
#[test]
fn json_that_is_not_a_report_is_an_unreadable_input() {
    let empty = temp_file("empty.json", b"{}");
    let other = temp_file("other.json", br#"{"feed": "dmarc", "rows": []}"#);
    let o = mtasts(&["report", "--json", &empty, &other, &corpus("parsedmarc")], None);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let inputs = v["inputs"].as_array().unwrap();
    for name in [&empty, &other] {
        let i = inputs.iter().find(|i| i["path"] == name.as_str()).unwrap_or_else(|| panic!("{name} listed: {v:#}"));
        assert_eq!(i["reports"], 0, "{i:#}");
        assert!(i.to_string().contains("report/not-a-report"), "{i:#}");
    }
    let alone = mtasts(&["report", &empty], None);
    assert_eq!(code(&alone), 1);
    assert!(String::from_utf8_lossy(&alone.stdout).contains("0 report(s)"), "{}", stdout(&alone));
    let all = format!("{}{}", stdout(&alone), String::from_utf8_lossy(&alone.stderr));
    assert!(all.contains("it is an empty object [report/not-a-report]"), "{all}");
}
