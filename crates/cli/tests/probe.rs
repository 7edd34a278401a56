//! `mtasts probe` and `mtasts check --probe` against a real SMTP server with STARTTLS on
//! loopback (aiosmtpd from PyPI, tests/smtp/server.py, installed by .ci/setup), with
//! certificates made here (rcgen): good, expired, wrong name, self-signed, an incomplete
//! chain; a server without STARTTLS, one that refuses it, one that rejects the greeting,
//! one that never answers; TLSA records served by the mock resolver (matching, not
//! matching, with and without the AD bit).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use serde_json::Value;

const HOST: &str = "mx.probe.test";

/// A certificate authority, or a leaf it signed.
struct Issued {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn days(n: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(n)
}

fn ca(name: &str) -> Issued {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = days(-30);
    params.not_after = days(365);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Issued { cert, key }
}

fn intermediate(name: &str, by: &Issued) -> Issued {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = days(-30);
    params.not_after = days(365);
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &by.cert, &by.key).unwrap();
    Issued { cert, key }
}

fn leaf(names: &[&str], from: i64, to: i64, by: Option<&Issued>) -> Issued {
    let mut params = CertificateParams::new(names.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.not_before = days(from);
    params.not_after = days(to);
    let key = KeyPair::generate().unwrap();
    let cert = match by {
        Some(ca) => params.signed_by(&key, &ca.cert, &ca.key).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    Issued { cert, key }
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("mtasts-probe-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `chain` (leaf first) and the leaf's key; returns their paths.
fn files(d: &Path, name: &str, chain: &[&Issued]) -> (PathBuf, PathBuf) {
    let pem: String = chain.iter().map(|c| c.cert.pem()).collect();
    let (c, k) = (d.join(format!("{name}.pem")), d.join(format!("{name}.key")));
    std::fs::write(&c, pem).unwrap();
    std::fs::write(&k, chain[0].key.serialize_pem()).unwrap();
    (c, k)
}

/// The trust file: the test CA and the mock resolver's certificate.
fn bundle(d: &Path, ca: &Issued) -> PathBuf {
    let mock = std::fs::read_to_string(common::root().join("tests/mock/ca.pem")).unwrap();
    let p = d.join("trust.pem");
    std::fs::write(&p, format!("{}{mock}", ca.cert.pem())).unwrap();
    p
}

/// tests/smtp/server.py in `mode`, on a free loopback port; killed when dropped.
struct Smtp {
    child: Child,
    port: u16,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp(mode: &str, chain: Option<&(PathBuf, PathBuf)>) -> Smtp {
    let mut cmd = Command::new("python3");
    cmd.arg(common::root().join("tests/smtp/server.py")).arg(mode);
    if let Some((c, k)) = chain {
        cmd.arg(c).arg(k);
    }
    let (child, first) =
        common::spawn_ready(&mut cmd, "python3 runs tests/smtp/server.py (aiosmtpd installed by .ci/setup)");
    let port = first.trim().strip_prefix("ready ").and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{first:?}"));
    Smtp { child, port }
}

fn mtasts(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtasts")).args(args).output().unwrap()
}

/// `mtasts probe HOST --json` through `server`, trusting `trust`, asking `doh`.
fn probe(host: &str, server: &Smtp, trust: &Path, doh: &str, extra: &[&str]) -> (i32, Value) {
    let resolve = format!("{host}=127.0.0.1:{}", server.port);
    let mut args = vec!["probe", host, "--json", "--resolve", &resolve, "--ca-cert", trust.to_str().unwrap()];
    args.extend(["--doh", doh, "--timeout", "3"]);
    args.extend(extra);
    let o = mtasts(&args);
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout} {}", String::from_utf8_lossy(&o.stderr)));
    (o.status.code().unwrap(), v)
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

/// The SHA-256 of a certificate's SubjectPublicKeyInfo, hex: what a "3 1 1" TLSA record holds.
fn spki_sha256(c: &Issued) -> String {
    use sha2::Digest;
    let der = c.key.public_key_der();
    sha2::Sha256::digest(der).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn good_bad_and_ugly_certificates() {
    let d = dir();
    let root = ca("Probe Test Root");
    let inter = intermediate("Probe Test Intermediate", &root);
    let trust = bundle(&d, &root);
    let good = leaf(&[HOST], -1, 60, Some(&inter));
    let zone = d.join("zone.json");
    let other = leaf(&[HOST], -1, 60, Some(&inter));
    std::fs::write(
        &zone,
        serde_json::json!({
            "probe.test": {
                "mx": [[10, HOST]], "sts": null, "rpt": null, "policy": null, "ad": true,
                "tlsa": { HOST: [{"usage": 3, "selector": 1, "matchingType": 1, "certificate": spki_sha256(&good)}] }
            },
            "nodane.test": {
                "mx": [[10, "mx.nodane.test"]], "sts": null, "rpt": null, "policy": null, "ad": true,
                "tlsa": { "mx.nodane.test": [{"usage": 3, "selector": 1, "matchingType": 1, "certificate": spki_sha256(&other)}] }
            },
            "unsigned.test": {
                "mx": [[10, "mx.unsigned.test"]], "sts": null, "rpt": null, "policy": null, "ad": false,
                "tlsa": { "mx.unsigned.test": [{"usage": 3, "selector": 1, "matchingType": 1, "certificate": spki_sha256(&other)}] }
            }
        })
        .to_string(),
    )
    .unwrap();
    let mock = common::mock_with(Some(&zone));
    let doh = mock.doh();

    // Good: the full chain, trusted, valid for the host, in date; DANE-EE matches.
    let s = smtp("starttls", Some(&files(&d, "good", &[&good, &inter])));
    let (code, v) = probe(HOST, &s, &trust, &doh, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["starttls"], true);
    assert!(v["tls_version"].as_str().unwrap().starts_with("TLSv1."), "{v:#}");
    assert_eq!(v["chain"].as_array().unwrap().len(), 2);
    assert_eq!(v["chain"][0]["dns_names"][0], HOST);
    assert!(v["chain"][0]["not_after"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["dane"]["authenticated"], true);
    assert!(v["dane"]["matched"].as_str().unwrap().starts_with("3 1 1 "), "{v:#}");
    assert_eq!(codes(&v), ["dane/tlsa-match"]);
    drop(s);

    // Expired (and a second name so that only the date is wrong).
    let expired = leaf(&[HOST], -90, -1, Some(&inter));
    let s = smtp("starttls", Some(&files(&d, "expired", &[&expired, &inter])));
    let (code, v) = probe(HOST, &s, &trust, &doh, &[]);
    assert_eq!(code, 1);
    assert!(codes(&v).contains(&"smtp/certificate-expired".to_string()), "{v:#}");
    assert!(
        !codes(&v).contains(&"smtp/certificate-not-trusted".to_string()),
        "trust is judged apart from dates: {v:#}"
    );
    drop(s);

    // Expiring in a week: valid, with a warning.
    let soon = leaf(&[HOST], -80, 7, Some(&inter));
    let s = smtp("starttls", Some(&files(&d, "soon", &[&soon, &inter])));
    let (code, v) = probe(HOST, &s, &trust, &doh, &[]);
    assert_eq!(code, 0);
    assert!(codes(&v).contains(&"smtp/certificate-expires-soon".to_string()), "{v:#}");
    drop(s);

    // Wrong name.
    let wrong = leaf(&["mail.elsewhere.test"], -1, 60, Some(&inter));
    let s = smtp("starttls", Some(&files(&d, "wrong", &[&wrong, &inter])));
    let (code, v) = probe(HOST, &s, &trust, &doh, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v)[0], "smtp/certificate-host-mismatch", "{v:#}");
    assert!(!codes(&v).contains(&"smtp/certificate-not-trusted".to_string()), "{v:#}");
    drop(s);

    // Self-signed.
    let selfie = leaf(&[HOST], -1, 60, None);
    let s = smtp("starttls", Some(&files(&d, "self", &[&selfie])));
    let (code, v) = probe(HOST, &s, &trust, &doh, &[]);
    assert_eq!(code, 1);
    assert!(codes(&v).contains(&"smtp/certificate-not-trusted".to_string()), "{v:#}");
    drop(s);

    // Incomplete chain: the leaf without its intermediate.
    let s = smtp("starttls", Some(&files(&d, "incomplete", &[&good])));
    let (code, v) = probe(HOST, &s, &trust, &doh, &[]);
    assert_eq!(code, 1);
    assert!(codes(&v).contains(&"smtp/certificate-not-trusted".to_string()), "{v:#}");
    drop(s);

    // Out of order: intermediate first.
    let s = smtp("starttls", Some(&files(&d, "order", &[&good, &root, &inter])));
    let (_, v) = probe(HOST, &s, &trust, &doh, &[]);
    assert!(codes(&v).contains(&"smtp/chain-order".to_string()), "{v:#}");
    drop(s);

    // TLS 1.1 at most: no handshake (aiosmtpd closes the connection without the
    // protocol_version alert OpenSSL servers send, so this is a validation failure here and
    // smtp/old-tls there; probe.rs's unit test covers the alert).
    let s = smtp("tls11", Some(&files(&d, "tls11", &[&good, &inter])));
    let (code, v) = probe(HOST, &s, &trust, &doh, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["starttls"], true);
    assert!(["smtp/old-tls", "smtp/validation-failure"].contains(&codes(&v)[0].as_str()), "{v:#}");
    assert!(v["tls_version"].is_null() && v["chain"].as_array().unwrap().is_empty(), "{v:#}");
    drop(s);

    // With --policy-domain: whether the policy's mx patterns cover the host (good.test's
    // policy lists mx1 and mx2.good.test, so mx.probe.test is not covered).
    let s = smtp("starttls", Some(&files(&d, "good", &[&good, &inter])));
    let to_mock = format!("*.test=127.0.0.1:{}", mock.port);
    let (code, v) = probe(HOST, &s, &trust, &doh, &["--policy-domain", "good.test", "--resolve", &to_mock]);
    assert_eq!(code, 0, "coverage is the policy's business, the certificate is fine: {v:#}");
    assert!(codes(&v).contains(&"mx/not-covered".to_string()), "{v:#}");
    drop(s);

    // DANE: validated records that match nothing are an error; without DNSSEC, a warning.
    let s = smtp("starttls", Some(&files(&d, "nodane", &[&leaf(&["mx.nodane.test"], -1, 60, Some(&inter)), &inter])));
    let (code, v) = probe("mx.nodane.test", &s, &trust, &doh, &[]);
    assert_eq!(code, 0, "DANE does not change the MTA-STS verdict: {v:#}");
    assert!(codes(&v).contains(&"dane/tlsa-mismatch".to_string()), "{v:#}");
    drop(s);
    let s =
        smtp("starttls", Some(&files(&d, "unsigned", &[&leaf(&["mx.unsigned.test"], -1, 60, Some(&inter)), &inter])));
    let (_, v) = probe("mx.unsigned.test", &s, &trust, &doh, &[]);
    assert!(codes(&v).contains(&"dane/not-authenticated".to_string()), "{v:#}");
    assert!(!codes(&v).contains(&"dane/tlsa-mismatch".to_string()), "{v:#}");
    drop(s);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn servers_that_do_not_get_as_far_as_tls() {
    let d = dir();
    let root = ca("Probe Test Root");
    let trust = bundle(&d, &root);
    let mock = common::mock();
    let doh = mock.doh();
    for (mode, code) in [
        ("plain", "smtp/starttls-not-supported"),
        ("refuse", "smtp/starttls-not-supported"),
        ("reject", "smtp/rejected"),
        ("silent", "smtp/timeout"),
    ] {
        let s = smtp(mode, None);
        let (exit, v) = probe(HOST, &s, &trust, &doh, &[]);
        assert_eq!(exit, 1, "{mode}: {v:#}");
        assert_eq!(v["starttls"], false, "{mode}");
        assert_eq!(codes(&v)[0], code, "{mode}: {v:#}");
        if mode == "refuse" {
            assert!(v["findings"][0]["message"].as_str().unwrap().contains("454"), "{v:#}");
        }
    }
    // Nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let resolve = format!("{HOST}=127.0.0.1:{port}");
    let o =
        mtasts(&["probe", HOST, "--json", "--resolve", &resolve, "--doh", &doh, "--ca-cert", trust.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(codes(&v)[0], "smtp/unreachable");
    // Usage errors.
    assert_eq!(mtasts(&["probe", "not a host"]).status.code(), Some(2));
    assert_eq!(mtasts(&["probe", HOST, "--ca-cert", "/nonexistent.pem"]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}

/// `mtasts check --probe`: an enforce policy whose MX presents an expired certificate is
/// broken (senders refuse to deliver); the same MX with a good certificate leaves the
/// domain protected. good.test's policy enforces mx1 and mx2.good.test.
#[test]
fn check_with_probe_folds_the_mx_certificates_into_the_verdict() {
    let d = dir();
    let root = ca("Probe Test Root");
    let trust = bundle(&d, &root);
    let mock = common::mock();
    let run = |mx1: &Smtp, mx2: &Smtp| {
        let r1 = format!("mx1.good.test=127.0.0.1:{}", mx1.port);
        let r2 = format!("mx2.good.test=127.0.0.1:{}", mx2.port);
        let rest = format!("*.test=127.0.0.1:{}", mock.port);
        let o = mtasts(&[
            "check",
            "good.test",
            "--probe",
            "--json",
            "--doh",
            &mock.doh(),
            "--doh2",
            "none",
            "--ca-cert",
            trust.to_str().unwrap(),
            "--resolve",
            &r1,
            "--resolve",
            &r2,
            "--resolve",
            &rest,
            "--timeout",
            "3",
        ]);
        let v: Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
        (o.status.code().unwrap(), v)
    };
    let good1 = smtp("starttls", Some(&files(&d, "g1", &[&leaf(&["mx1.good.test"], -1, 60, Some(&root))])));
    let good2 = smtp("starttls", Some(&files(&d, "g2", &[&leaf(&["mx2.good.test"], -1, 60, Some(&root))])));
    let (code, v) = run(&good1, &good2);
    assert_eq!((code, v["verdict"].as_str()), (0, Some("protected")), "{v:#}");
    assert_eq!(v["probes"].as_array().unwrap().len(), 2);
    let expired = smtp("starttls", Some(&files(&d, "e2", &[&leaf(&["mx2.good.test"], -90, -1, Some(&root))])));
    let (code, v) = run(&good1, &expired);
    assert_eq!((code, v["verdict"].as_str()), (1, Some("broken")), "{v:#}");
    assert!(v["reason"].as_str().unwrap().contains("mx2.good.test (smtp/certificate-expired)"), "{v:#}");
    let first = &v["findings"][0];
    assert_eq!(first["code"], "smtp/certificate-expired", "what breaks mail first: {v:#}");
    let _ = std::fs::remove_dir_all(&d);
}

/// `mtasts probe HOST --paste FILE` on every case of tests/certs/cases.json, the list the
/// web page's certificate tab is held to as well (tests/e2e/certificate.test.mjs): the
/// same paste gets the same findings and verdict in both. Each case's TLSA records come
/// from the mock resolver.
#[test]
fn pasted_chains_are_judged_as_the_page_judges_them() {
    let certs = common::root().join("tests/certs");
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(certs.join("cases.json")).unwrap()).unwrap();
    let d = dir();
    let trust = d.join("mock-ca.pem");
    std::fs::copy(common::root().join("tests/mock/ca.pem"), &trust).unwrap();
    for case in cases["cases"].as_array().unwrap() {
        let (name, host) = (case["name"].as_str().unwrap(), case["host"].as_str().unwrap());
        let records: Vec<Value> = case["tlsa"]
            .as_str()
            .unwrap_or("")
            .split(',')
            .filter(|r| !r.trim().is_empty())
            .map(|r| {
                let f: Vec<&str> = r.split_whitespace().collect();
                serde_json::json!({"usage": f[0].parse::<u8>().unwrap(), "selector": f[1].parse::<u8>().unwrap(),
                    "matchingType": f[2].parse::<u8>().unwrap(), "certificate": f[3]})
            })
            .collect();
        let zone = d.join("zone.json");
        let scenario = serde_json::json!({"mx": [], "sts": null, "rpt": null, "policy": null,
            "ad": case["ad"].as_bool().unwrap_or(false), "tlsa": { host: records }});
        std::fs::write(&zone, serde_json::json!({ "cert.test": scenario }).to_string()).unwrap();
        let mock = common::mock_with(Some(&zone));
        let file = certs.join(case["file"].as_str().unwrap());
        let o = mtasts(&[
            "probe",
            host,
            "--paste",
            file.to_str().unwrap(),
            "--json",
            "--doh",
            &mock.doh(),
            "--ca-cert",
            trust.to_str().unwrap(),
        ]);
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&o.stderr)));
        let mut got = codes(&v);
        got.sort();
        let mut want: Vec<String> =
            case["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{name}: {v:#}");
        assert_eq!(v["valid"], case["valid"], "{name}: {v:#}");
        assert_eq!(o.status.code(), Some(if case["valid"] == true { 0 } else { 1 }), "{name}");
    }
    // The text output says what a PEM-only paste cannot tell.
    let pem = certs.join("wildcard.pem");
    let o =
        mtasts(&["probe", "mx.cert.test", "--paste", pem.to_str().unwrap(), "--doh", "https://127.0.0.1:1/dns-query"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("TLS        (version and cipher not in the paste)"), "{text}");
    assert!(text.contains("DNS-IDs *.cert.test"), "{text}");
    let _ = std::fs::remove_dir_all(&d);
}
