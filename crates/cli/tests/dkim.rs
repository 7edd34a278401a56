//! `mtasts report --dkim` and `--signed-only` (issue 12, RFC 8460 §3): report emails signed
//! here (mail-auth's signer, Ed25519 keys made by the test) and their keys served by the
//! mock DoH resolver. Signed by the reporter: pass; changed after signing: fail; no
//! signature: none; a key that is not in DNS or is malformed: permerror; signed only by
//! another domain, or with l=: fail. `--signed-only` counts the one that passes and lists
//! the others with the reason. `--ndjson` rows carry the verdict, and the shipped ClickHouse
//! schema takes them (chDB).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;
use std::process::Command;

use base64::Engine;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use serde_json::{json, Value};

const REPORT: &str = r#"{"organization-name":"Reporter Org","date-range":{"start-datetime":"2024-05-01T00:00:00Z","end-datetime":"2024-05-01T23:59:59Z"},"contact-info":"tlsrpt@reporter.test","report-id":"ID","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx.example.com","max_age: 86400"],"policy-domain":"example.com","mx-host":["mx.example.com"]},"summary":{"total-successful-session-count":100,"total-failure-session-count":0}}]}"#;

/// A report email from reporter.test; `id` makes each report distinct.
fn email(id: &str) -> String {
    format!(
        "From: TLS reports <tlsrpt@reporter.test>\r\nTo: rua@example.com\r\nSubject: Report Domain: example.com Submitter: reporter.test Report-ID: <{id}>\r\n\
         TLS-Report-Domain: example.com\r\nTLS-Report-Submitter: reporter.test\r\nMIME-Version: 1.0\r\n\
         Content-Type: application/tlsrpt+json\r\n\r\n{}\r\n",
        REPORT.replace("\"ID\"", &format!("\"{id}\""))
    )
}

fn key() -> Ed25519Key {
    Ed25519Key::from_pkcs8_der(&Ed25519Key::generate_pkcs8().unwrap()).unwrap()
}

fn record(k: &Ed25519Key) -> String {
    format!("v=DKIM1; k=ed25519; s=tlsrpt; p={}", base64::engine::general_purpose::STANDARD.encode(k.public_key()))
}

/// `message` with a DKIM-Signature by `domain`/`selector` prepended.
fn signed(message: &str, k: Ed25519Key, domain: &str, selector: &str, body_length: bool) -> String {
    let signature = DkimSigner::from_key(k)
        .domain(domain)
        .selector(selector)
        .headers(["From", "To", "Subject", "TLS-Report-Domain", "TLS-Report-Submitter"])
        .body_length(body_length)
        .sign(message.as_bytes())
        .unwrap();
    format!("{}{message}", signature.to_header())
}

fn report(dir: &Path, doh: &str, extra: &[&str]) -> (i32, Value, String) {
    let trust = common::root().join("tests/mock/ca.pem");
    let o = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(["report", "--json", "--jobs", "1", "--doh", doh, "--ca-cert", trust.to_str().unwrap()])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        serde_json::from_slice(&o.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn report_emails_signed_changed_unsigned_and_badly_keyed() {
    let d = std::env::temp_dir().join(format!("mtasts-dkim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let mails = d.join("mails");
    std::fs::create_dir_all(&mails).unwrap();
    let good_der = Ed25519Key::generate_pkcs8().unwrap();
    let good = || Ed25519Key::from_pkcs8_der(&good_der).unwrap();
    let (other, limited) = (key(), key());
    let zone = d.join("zone.json");
    std::fs::write(
        &zone,
        json!({
            "reporter.test": { "mx": [], "sts": null, "rpt": null, "policy": null, "txt": {
                "s1._domainkey.reporter.test": [[record(&good())]],
                "lim._domainkey.reporter.test": [[record(&limited)]],
                "bad._domainkey.reporter.test": [["v=DKIM1; k=ed25519; p=!!not-base64!!"]],
            }},
            "other.test": { "mx": [], "sts": null, "rpt": null, "policy": null, "txt": {
                "s1._domainkey.other.test": [[record(&other)]],
            }},
        })
        .to_string(),
    )
    .unwrap();
    let mock = common::mock_with(Some(&zone));
    let doh = mock.doh();

    let write = |name: &str, text: &str| std::fs::write(mails.join(name), text).unwrap();
    write("1-pass.eml", &signed(&email("pass"), good(), "reporter.test", "s1", false));
    let forged = signed(&email("forged"), key(), "reporter.test", "s1", false);
    write("2-forged.eml", &forged);
    let changed = signed(&email("changed"), good(), "reporter.test", "s1", false);
    write(
        "3-changed.eml",
        &changed.replace("\"total-successful-session-count\":100", "\"total-successful-session-count\":999"),
    );
    write("4-unsigned.eml", &email("unsigned"));
    write("5-nokey.eml", &signed(&email("nokey"), key(), "reporter.test", "gone", false));
    write("6-badkey.eml", &signed(&email("badkey"), key(), "reporter.test", "bad", false));
    write("7-other.eml", &signed(&email("other"), other, "other.test", "s1", false));
    write("8-limited.eml", &signed(&email("limited"), limited, "reporter.test", "lim", true));
    std::fs::write(mails.join("9-plain.json"), REPORT.replace("\"ID\"", "\"plain\"")).unwrap();

    let (code, v, err) = report(&mails, &doh, &["--dkim"]);
    assert_eq!(code, 0, "--dkim alone judges, it does not refuse: {err}\n{v:#}");
    assert_eq!(v["reports"], 9, "{v:#}");
    let verdicts: Vec<(String, Value)> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                Path::new(i["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned(),
                i["dkim"].clone(),
            )
        })
        .collect();
    let result = |name: &str| verdicts.iter().find(|(n, _)| n == name).map(|(_, d)| d["result"].clone()).unwrap();
    assert_eq!(result("1-pass.eml"), "pass", "{verdicts:#?}");
    assert_eq!(verdicts[0].1["domain"], "reporter.test");
    assert_eq!(result("2-forged.eml"), "fail", "signed with a key that is not the published one");
    assert_eq!(result("3-changed.eml"), "fail", "changed after signing");
    assert_eq!(result("4-unsigned.eml"), "none");
    assert_eq!(result("5-nokey.eml"), "permerror", "{verdicts:#?}");
    assert_eq!(result("6-badkey.eml"), "permerror", "{verdicts:#?}");
    assert_eq!(result("7-other.eml"), "fail", "signed, but not by the reporter");
    assert_eq!(result("8-limited.eml"), "fail", "l= lets text be appended");
    assert_eq!(result("9-plain.json"), Value::Null, "a report file is not an email: no verdict");

    // The text output says it per email.
    let o = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args([
            "report",
            "--dkim",
            "--doh",
            &doh,
            "--ca-cert",
            common::root().join("tests/mock/ca.pem").to_str().unwrap(),
        ])
        .arg(&mails)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("DKIM: 1 signed, 1 unsigned, 4 forged, 2 unverified"), "{text}");
    assert!(
        text.contains("forged: ") && text.contains("8-limited.eml: the signature by reporter.test uses l="),
        "{text}"
    );

    // --ndjson rows carry the verdict of the email each report came in, so that an engine
    // can count only signed reports; a report file has none.
    let o = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(["report", "--ndjson", "--dkim", "--doh", &doh, "--ca-cert"])
        .arg(common::root().join("tests/mock/ca.pem"))
        .arg(&mails)
        .output()
        .unwrap();
    let rows: Vec<Value> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 9, "one policy row per report");
    let row = |id: &str| rows.iter().find(|r| r["report_id"] == id).unwrap_or_else(|| panic!("{id}: {rows:#?}"));
    assert_eq!((&row("pass")["dkim"], &row("pass")["dkim_domain"]), (&json!("pass"), &json!("reporter.test")));
    assert_eq!(row("changed")["dkim"], "fail");
    assert_eq!(row("unsigned")["dkim"], "none");
    assert_eq!(row("nokey")["dkim"], "permerror");
    assert!(row("plain").get("dkim").is_none(), "{:#}", row("plain"));
    // The shipped ClickHouse schema takes them (chDB, as crates/cli/tests/export.rs runs it).
    let engine = common::clickhouse_sums(&o.stdout);
    assert_eq!((engine["rows"].as_u64(), engine["signed_successful"].as_u64()), (Some(9), Some(100)), "{engine}");

    // --signed-only: only the signed report counts; the others are listed with the reason.
    let (code, v, err) = report(&mails, &doh, &["--signed-only"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!((v["reports"].as_u64(), v["successful"].as_u64()), (Some(1), Some(100)), "{v:#}");
    let refused: Vec<&Value> = v["inputs"].as_array().unwrap().iter().filter(|i| i["reports"] == 0).collect();
    assert_eq!(refused.len(), 8);
    assert!(refused.iter().all(|i| i["errors"][0]["code"] == "report/dkim-unverified"), "{v:#}");
    let plain = refused.iter().find(|i| i["path"].as_str().unwrap().ends_with("9-plain.json")).unwrap();
    assert!(plain["error"].as_str().unwrap().contains("not an email"), "{plain:#}");

    // No resolver: temperror, and the reports are still read.
    let (code, v, _) = report(&mails, "https://127.0.0.1:1/dns-query", &["--dkim"]);
    assert_eq!((code, v["reports"].as_u64()), (0, Some(9)));
    assert_eq!(v["inputs"][0]["dkim"]["result"], "temperror", "{v:#}");
    let _ = std::fs::remove_dir_all(&d);
}
