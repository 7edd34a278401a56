//! Builds a benchmark corpus of TLS-RPT reports by replicating and varying the real ones
//! in the shared corpus: organisation, report id, day, session counts, IPs and MX names
//! change; the structure (and every sender quirk) of the real reports is kept.
//!
//! Usage: `cargo run --release -p mtasts-cli --example gen_reports -- CORPUS OUT N [FORMATS]`
//! writes OUT/json/*.json, OUT/gz/*.json.gz and OUT/eml/*.eml, N of each (FORMATS, such as
//! "gz", limits which). Reports are compact JSON, as real senders send them. Deterministic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // A tool, not core.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A small deterministic generator (64-bit LCG), so runs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn templates(corpus: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    let mut stack = vec![corpus.to_path_buf()];
    let mut files: Vec<PathBuf> = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") && !p.to_string_lossy().ends_with("vectors.json") {
                files.push(p);
            }
        }
    }
    files.sort();
    for f in files {
        if let Ok(v @ Value::Object(_)) = serde_json::from_slice::<Value>(&std::fs::read(&f).unwrap()) {
            out.push(v);
        }
    }
    out
}

const ORGS: [(&str, &str); 6] = [
    ("Google Inc.", "smtp-tls-reporting@google.com"),
    ("Microsoft Corporation", "tlsrpt-noreply@microsoft.com"),
    ("Mail.ru", "tls_support@corp.mail.ru"),
    ("Yahoo", "tlsrpt@yahoo.com"),
    ("Comcast", "tls-reports@comcast.net"),
    ("Company-X", "sts-reporting@company-x.example"),
];

fn vary(template: &Value, i: u64, rng: &mut Rng) -> Value {
    let mut v = template.clone();
    let (org, contact) = ORGS[(i % ORGS.len() as u64) as usize];
    let day = 19_700 + (i % 90) as i64; // days since 1970: spring 2023 onwards
    let start = time::OffsetDateTime::from_unix_timestamp(day * 86_400).unwrap();
    let fmt = |t: time::OffsetDateTime| mtasts_core::deploy::rfc3339(t.unix_timestamp());
    let end = start + time::Duration::seconds(86_399);
    v["organization-name"] = Value::from(org);
    v["contact-info"] = Value::from(contact);
    v["report-id"] = Value::from(format!("{}-{i:08}@bench.example", fmt(start)));
    // Keep a zone-less date-time where the template had one (the Microsoft quirk).
    let zoneless =
        template["date-range"]["start-datetime"].as_str().is_some_and(|s| !s.ends_with('Z') && !s.contains('+'));
    let dt = |s: String| if zoneless { s.trim_end_matches('Z').to_string() } else { s };
    v["date-range"] = serde_json::json!({"start-datetime": dt(fmt(start)), "end-datetime": dt(fmt(end))});
    if let Some(policies) = v["policies"].as_array_mut() {
        for p in policies {
            if let Some(s) = p.get_mut("summary") {
                if s.get("total-successful-session-count").is_some() {
                    s["total-successful-session-count"] = Value::from(rng.below(5000));
                }
            }
            let mut failed = 0;
            if let Some(details) = p.get_mut("failure-details").and_then(Value::as_array_mut) {
                for d in details {
                    let n = 1 + rng.below(50);
                    failed += n;
                    d["failed-session-count"] = Value::from(n);
                    if d.get("sending-mta-ip").and_then(Value::as_str).is_some_and(|s| !s.is_empty()) {
                        d["sending-mta-ip"] = Value::from(format!("198.51.100.{}", rng.below(250)));
                    }
                    if d.get("receiving-mx-hostname").and_then(Value::as_str).is_some_and(|s| !s.is_empty()) {
                        d["receiving-mx-hostname"] = Value::from(format!("mx{}.example.com", rng.below(4)));
                    }
                }
            }
            if let Some(s) = p.get_mut("summary") {
                if s.get("total-failure-session-count").is_some() {
                    s["total-failure-session-count"] = Value::from(failed);
                }
            }
        }
    }
    v
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn base64_lines(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                s.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    let mut out = String::new();
    for line in s.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push_str("\r\n");
    }
    out
}

fn email(v: &Value, json: &[u8], i: u64) -> Vec<u8> {
    let org_domain = v["contact-info"].as_str().unwrap().rsplit('@').next().unwrap().to_string();
    let domain = v["policies"][0]["policy"]["policy-domain"].as_str().unwrap_or("example.com").to_string();
    let id = v["report-id"].as_str().unwrap();
    let name = format!("{org_domain}!{domain}!{}!{}!{i:03}.json.gz", 1_700_000_000 + i, 1_700_086_399 + i);
    format!(
        "From: noreply-tls-reporting@{org_domain}\r\nTo: tlsrpt@{domain}\r\nSubject: Report Domain: {domain} Submitter: {org_domain} Report-ID: <{id}>\r\nTLS-Report-Domain: {domain}\r\nTLS-Report-Submitter: {org_domain}\r\nMessage-ID: <bench-{i}@{org_domain}>\r\nDate: Mon, 10 Jul 2023 08:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; boundary=\"b{i}\"; report-type=tlsrpt\r\n\r\n--b{i}\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\nThis is an aggregate TLS report from {org_domain}\r\n\r\n--b{i}\r\nContent-Type: application/tlsrpt+gzip; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}--b{i}--\r\n",
        base64_lines(&gz(json))
    )
    .into_bytes()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (corpus, out, n, formats) = match args.as_slice() {
        [_, c, o, n] => (c, o, n, "json,gz,eml"),
        [_, c, o, n, f] => (c, o, n, f.as_str()),
        _ => {
            eprintln!("usage: gen_reports CORPUS OUT N [json,gz,eml]");
            std::process::exit(2);
        }
    };
    let want = |f: &str| formats.split(',').any(|x| x == f);
    let n: u64 = n.parse().expect("N");
    let templates = templates(Path::new(corpus));
    assert!(!templates.is_empty(), "no report templates under {corpus}");
    let out = Path::new(out);
    for sub in ["json", "gz", "eml"].into_iter().filter(|f| want(f)) {
        std::fs::create_dir_all(out.join(sub)).unwrap();
    }
    let mut rng = Rng(0x5eed);
    for i in 0..n {
        let v = vary(&templates[(i % templates.len() as u64) as usize], i, &mut rng);
        let json = serde_json::to_vec(&v).unwrap();
        if want("json") {
            std::fs::write(out.join("json").join(format!("r{i:06}.json")), &json).unwrap();
        }
        if want("gz") {
            std::fs::write(out.join("gz").join(format!("r{i:06}.json.gz")), gz(&json)).unwrap();
        }
        if want("eml") {
            std::fs::write(out.join("eml").join(format!("r{i:06}.eml")), email(&v, &json, i)).unwrap();
        }
    }
    eprintln!("wrote {n} reports each as {formats} under {} (from {} templates)", out.display(), templates.len());
}
