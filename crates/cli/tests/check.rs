//! `mtasts check` against the mock resolver and policy hosts of tests/mock/server.mjs (Node,
//! installed by .ci/setup with the browser tests' npm packages), with real certificate
//! validation: the mock's certificate is signed by the test CA in tests/mock/ca.pem.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::{mock, root, Mock};

fn check(m: &Mock, domain: &str, extra: &[&str]) -> Output {
    let doh = format!("https://127.0.0.1:{}/dns-query", m.port);
    let doh2 = format!("https://127.0.0.1:{}/second/dns-query", m.port);
    let ca = root().join("tests/mock/ca.pem");
    let to_mock = format!("*.test=127.0.0.1:{}", m.port);
    let mut args = vec!["check", domain, "--doh", &doh, "--doh2", &doh2, "--ca-cert", ca.to_str().unwrap()];
    args.extend(["--resolve", "mta-sts.unreachable.test=127.0.0.1:9", "--resolve", &to_mock, "--timeout", "5"]);
    args.extend(extra);
    Command::new(env!("CARGO_BIN_EXE_mtasts")).args(&args).output().unwrap()
}

fn json_check(m: &Mock, domain: &str) -> (i32, Value) {
    let o = check(m, domain, &["--json"]);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{domain}: not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)));
    (o.status.code().unwrap(), v)
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_scenario_gets_its_verdict() {
    let m = mock();
    // Like the browser test's table, except where the CLI can do what a browser cannot:
    // it reads the policy of a host that sends no CORS header, so nocors.test is decided.
    let cases: &[(&str, &str, i32, &[&str])] = &[
        ("good.test", "protected", 0, &[]),
        ("testing.test", "testing", 1, &["sts-policy/mode-testing"]),
        ("norecord.test", "none", 1, &["sts-txt/no-record"]),
        ("tworecords.test", "broken", 1, &["sts-txt/multiple-records"]),
        ("badid.test", "broken", 1, &["sts-txt/invalid-id"]),
        ("multistring.test", "protected", 0, &[]),
        ("cname.test", "protected", 0, &["dns/cname"]),
        ("redirect.test", "broken", 1, &["sts-fetch/redirect"]),
        ("nocors.test", "protected", 0, &[]),
        ("contenttype.test", "broken", 1, &["sts-fetch/content-type"]),
        ("html404.test", "broken", 1, &["sts-fetch/status"]),
        ("uncovered.test", "broken", 1, &["mx/not-covered", "mx/stale-pattern"]),
        ("deepwildcard.test", "broken", 1, &["mx/not-covered"]),
        ("nullmx.test", "none", 1, &["mx/null-mx"]),
        ("dane.test", "protected", 0, &["dane/and-sts"]),
        ("servfail.test", "broken", 1, &["dns/servfail"]),
        ("unreachable.test", "broken", 1, &["sts-fetch/unreachable"]),
        ("split.test", "protected", 0, &["dns/resolvers-disagree"]),
    ];
    for (domain, verdict, exit, present) in cases {
        let (code, v) = json_check(&m, domain);
        assert_eq!(v["verdict"], *verdict, "{domain}: {v:#}");
        assert_eq!(code, *exit, "{domain}");
        let got = codes(&v);
        for c in *present {
            assert!(got.iter().any(|g| g == c), "{domain}: expected {c} in {got:?}");
        }
    }
}

#[test]
fn human_output_and_raw_answers() {
    let m = mock();
    let o = check(&m, "uncovered.test", &["--raw"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.starts_with("uncovered.test: BROKEN — "), "{out}");
    assert!(out.contains("backup.mailhost.test  NOT COVERED"), "{out}");
    assert!(out.contains("error[mx/not-covered]: uncovered.test MX:"), "{out}");
    assert!(out.contains("= RFC 8461 §4.1 <https://www.rfc-editor.org/rfc/rfc8461#section-4.1>"), "{out}");
    assert!(out.contains("uncovered.test. 300 IN MX 20 backup.mailhost.test."), "raw answers: {out}");
    // What a browser cannot see: the policy host's certificate.
    assert!(out.contains("cert       CN=mtasts test mock, issuer CN=mtasts test CA, valid until 2126-"), "{out}");
    assert!(out.contains("DNS-ID mta-sts.uncovered.test (+"), "{out}");
    let (_, v) = json_check(&m, "good.test");
    assert!(v["certificate"]["dns_names"].as_array().unwrap().iter().any(|n| n == "mta-sts.good.test"), "{v:#}");
}

#[test]
fn the_certificate_is_checked_and_a_pasted_policy_replaces_the_fetch() {
    let m = mock();
    // Without the test CA the policy host's certificate is not trusted: unreachable.
    let doh_only_ca = {
        let doh = format!("https://127.0.0.1:{}/dns-query", m.port);
        let to_mock = format!("*.test=127.0.0.1:{}", m.port);
        Command::new(env!("CARGO_BIN_EXE_mtasts"))
            .args(["check", "good.test", "--doh", &doh, "--doh2", "none", "--resolve", &to_mock, "--json"])
            .output()
            .unwrap()
    };
    let v: Value = serde_json::from_slice(&doh_only_ca.stdout).unwrap();
    assert_eq!(v["verdict"], "unknown", "the resolver itself is untrusted too: {v:#}");
    assert!(codes(&v).contains(&"dns/failed".to_string()));
    let about_certificates =
        v["findings"].as_array().unwrap().iter().any(|f| f["message"].as_str().unwrap().contains("certificate"));
    assert!(about_certificates, "the reason names the certificate: {v:#}");

    let dir = std::env::temp_dir().join(format!("mtasts-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.txt");
    std::fs::write(&policy, "version: STSv1\nmode: enforce\nmx: other.example\nmax_age: 86400\n").unwrap();
    let (code, v) = {
        let o = check(&m, "good.test", &["--json", "--policy", policy.to_str().unwrap()]);
        (o.status.code().unwrap(), serde_json::from_slice::<Value>(&o.stdout).unwrap())
    };
    assert_eq!((code, v["verdict"].as_str()), (1, Some("broken")));
    assert!(codes(&v).contains(&"mx/not-covered".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_a_usage_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_mtasts")).args(["check", "not a domain"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a domain name"));
    let o = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(["check", "example.com", "--resolve", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("HOST=IP:PORT"));
    let o = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(["check", "example.com", "--doh", "http://127.0.0.1:9/dns-query"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("RFC 8484"), "{}", String::from_utf8_lossy(&o.stderr));
}
