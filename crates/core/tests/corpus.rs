//! Runs every test vector in the shared conformance corpus through core.
//!
//! For each vector of kind `sts-txt`, `tlsrpt-txt`, `policy` or `mx-match` (in every
//! `*/vectors.json` and `mox/rrset_vectors.json`), our verdict must equal
//! `strict_rfc_valid` when present, else `expected_valid`, except for the deliberate
//! disagreements listed in [`DISAGREEMENTS`], each with the RFC sentence that decides it.
//! Where the vector gives `expected_fields` and we find the input valid, the fields must
//! match too. A listed disagreement that no longer occurs fails the test, so the list stays
//! true.
//!
//! The corpus is `$MTASTS_CORPUS`, or `../shared/corpus` beside the repository.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Test code may panic.

mod common;

use std::path::{Path, PathBuf};

use common::corpus_dir;

use mtasts_core::lint::{lint, Kind, Value};
use mtasts_core::mta_sts::mx::any_matches;
use mtasts_core::mta_sts::{policy, txt as sts_txt};
use mtasts_core::tls_rpt::txt as rpt_txt;
use mtasts_core::txt::RecordText;
use serde_json::Value as Json;

/// (repo, input, our verdict, why). `input` is the vector's input, or for record sets the
/// records joined by " | ".
const DISAGREEMENTS: &[(&str, &str, bool, &str)] = &[
    (
        "domainaware/checkdmarc",
        "v=STSv1; id=foo; id=bar",
        true,
        "RFC 8461 §3.2: \"If any non-repeated field -- i.e., all fields excepting \\\"mx\\\" -- is duplicated, all entries except for the first SHALL be ignored.\" Valid, with warning sts-txt/duplicate-field (mailauth agrees).",
    ),
    (
        "domainaware/checkdmarc",
        "version: STSv1\r\nmode: enforce\r\nmode: testing\r\nmax_age: 86400\r\nmx: mail.example.com\r\n",
        true,
        "RFC 8461 §3.2: duplicated non-mx fields: \"all entries except for the first SHALL be ignored\". Valid, mode enforce, with warning sts-policy/duplicate-key (mailauth agrees).",
    ),
    (
        "domainaware/checkdmarc",
        "version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\nmx: mail.example.com\r\nbadkey: badvalue\r\n",
        true,
        "RFC 8461 §3.2: \"Parsers MUST accept [...] policy files that are syntactically valid [...] possibly containing additional key/value pairs not specified in this document, in which case unknown fields SHALL be ignored.\" Valid, with info sts-policy/unknown-key.",
    ),
    (
        "domainaware/checkdmarc",
        "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com",
        true,
        "RFC 8460 §3 ABNF: tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field), so rua may repeat, and no sentence forbids it; \"Parsers MUST accept TXT records that are syntactically valid\". Valid, with warning tlsrpt-txt/duplicate-field (mox agrees).",
    ),
    (
        "foxcpp/go-mtasts",
        "ñaca.com",
        false,
        "RFC 8461 §3.2: \"In the case of Internationalized Domain Names, the \\\"mx\\\" value MUST specify the Punycode-encoded A-label to match against, and not the Unicode-encoded U-label.\" The pattern \"ñaca.com\" (or \"Ñaca.com\") is invalid and never matches; sts-policy/mx-u-label suggests xn--aca-6ma.com.",
    ),
    (
        "foxcpp/go-mtasts",
        "Ñaca.com",
        false,
        "RFC 8461 §3.2: the mx value \"MUST specify the Punycode-encoded A-label [...] and not the Unicode-encoded U-label\": the U-label pattern \"ñaca.com\" is invalid and never matches.",
    ),
    (
        "postalsys/mailauth",
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\nfoo_bar: baz\r\nthis is not a field\r\n",
        false,
        "RFC 8461 §3.2 ABNF: every line is an sts-policy-field (key \":\" value); \"this is not a field\" matches no rule, so the file is not syntactically valid and the duty to accept does not apply. Error sts-policy/line-without-colon (checkdmarc agrees); the unknown foo_bar alone would be fine.",
    ),
    (
        "mjl-/mox",
        "v=TLSRPTv1; rua=mailto:tlsrpt@mox.example , \t\t https://mox.example/tlsrpt  ",
        false,
        "RFC 8460 §3 ABNF: whitespace is only allowed inside field-delim = *WSP \";\" *WSP and around the commas of tlsrpt-rua; trailing whitespace without a final \";\" matches no rule. Error tlsrpt-txt/trailing-whitespace (mailauth's strict mode rules the same for _mta-sts).",
    ),
];

fn vector_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .flat_map(|e| ["vectors.json", "rrset_vectors.json"].into_iter().map(move |n| e.path().join(n)))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Builds an input described by `input_spec`, such as
/// `"version: STSv1\n..." followed by 2049 x 64 "a" bytes (...)`.
fn input_from_spec(spec: &str) -> Vec<u8> {
    let mut stream = serde_json::Deserializer::from_str(spec).into_iter::<String>();
    let head =
        stream.next().and_then(Result::ok).unwrap_or_else(|| panic!("input_spec without a leading string: {spec}"));
    let rest = &spec[stream.byte_offset()..];
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (n, m, c) = match words.as_slice() {
        ["followed", "by", n, "x", m, c, "bytes", ..] => (n, m, c.trim_matches('"')),
        _ => panic!("input_spec not understood: {spec}"),
    };
    let n: usize = n.parse().expect("count");
    let m: usize = m.parse().expect("count");
    let mut out = head.into_bytes();
    out.extend(c.repeat(n * m).into_bytes());
    out
}

struct Outcome {
    valid: bool,
    fields_ok: Result<(), String>,
}

fn json_strs(v: &Json) -> Vec<String> {
    match v {
        Json::String(s) => vec![s.clone()],
        Json::Array(a) => a.iter().flat_map(json_strs).collect(),
        _ => vec![],
    }
}

fn compare(name: &str, expect: Option<&Json>, got: Json) -> Result<(), String> {
    match expect {
        Some(e) if *e != got => Err(format!("{name}: expected {e}, got {got}")),
        _ => Ok(()),
    }
}

fn run_vector(v: &Json) -> Option<Outcome> {
    let kind = v["kind"].as_str()?;
    let fields = v.get("expected_fields");
    let field = |k: &str| fields.and_then(|f| f.get(k));
    let input: Vec<u8> = match (&v["input"], v.get("input_spec")) {
        (Json::String(s), _) => s.clone().into_bytes(),
        (Json::Null, Some(Json::String(spec))) => input_from_spec(spec),
        _ => Vec::new(),
    };
    let text = String::from_utf8_lossy(&input).into_owned();
    // A record-set vector lists its records; other record vectors are one record.
    let records: Vec<RecordText> = match v.get("txt_records") {
        Some(Json::Array(rs)) => rs.iter().map(|r| RecordText::raw(r.as_str().unwrap_or(""), 0)).collect(),
        _ => vec![RecordText::raw(&text, 0)],
    };
    match kind {
        "sts-txt" => {
            let p = sts_txt::parse_records(&records);
            let valid = p.is_valid();
            let id = p.value.as_ref().and_then(|r| r.id.clone());
            let fields_ok = compare("id", field("id"), id.map_or(Json::Null, Json::String));
            Some(Outcome { valid, fields_ok })
        }
        "tlsrpt-txt" => {
            let p = rpt_txt::parse_records(&records);
            let valid = p.is_valid();
            let rua: Vec<String> = p.value.map(|r| r.rua).unwrap_or_default();
            let expect = field("rua").map(|e| Json::from(json_strs(e)));
            let fields_ok = compare("rua", expect.as_ref(), Json::from(rua));
            Some(Outcome { valid, fields_ok })
        }
        "policy" => {
            let p = policy::parse(&input);
            let valid = p.is_valid();
            let pol = p.value;
            let fields_ok = compare("mode", field("mode"), pol.mode.map_or(Json::Null, |m| Json::from(m.as_str())))
                .and(compare("max_age", field("max_age"), pol.max_age.map_or(Json::Null, Json::from)))
                .and(compare("version", field("version"), pol.version.clone().map_or(Json::Null, Json::from)))
                .and(compare(
                    "mx",
                    field("mx"),
                    Json::from(pol.mx.iter().map(ToString::to_string).collect::<Vec<_>>()),
                ));
            Some(Outcome { valid, fields_ok })
        }
        "mx-match" => {
            let patterns: Vec<&str> =
                v["patterns"].as_array().map(|a| a.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
            Some(Outcome { valid: any_matches(patterns.iter().copied(), &text), fields_ok: Ok(()) })
        }
        _ => None,
    }
}

fn input_key(v: &Json) -> String {
    match (v.get("txt_records"), &v["input"]) {
        (Some(Json::Array(rs)), _) => rs.iter().filter_map(Json::as_str).collect::<Vec<_>>().join(" | "),
        (_, Json::String(s)) => s.clone(),
        _ => v.get("input_spec").and_then(Json::as_str).unwrap_or("").to_string(),
    }
}

#[test]
fn corpus_vectors_agree_with_core() {
    let dir = corpus_dir();
    let files = vector_files(&dir);
    assert!(!files.is_empty(), "no vectors.json under {}", dir.display());
    let (mut total, mut agree) = (0, 0);
    let mut deliberate = Vec::new();
    let mut failures = Vec::new();
    for file in &files {
        let vectors: Vec<Json> = serde_json::from_slice(&std::fs::read(file).expect("read")).expect("vectors parse");
        for v in &vectors {
            let Some(out) = run_vector(v) else { continue };
            total += 1;
            let expected = v
                .get("strict_rfc_valid")
                .and_then(Json::as_bool)
                .or_else(|| v["expected_valid"].as_bool())
                .expect("verdict");
            let repo = v["repo"].as_str().unwrap_or("?");
            let key = input_key(v);
            let place = format!(
                "{} ({} {})",
                file.strip_prefix(&dir).unwrap_or(file).display(),
                repo,
                v["source_line"].as_str().unwrap_or("")
            );
            if out.valid == expected {
                agree += 1;
                if let Err(e) = out.fields_ok {
                    failures.push(format!("{place}: {key:?}: verdict agrees but {e}"));
                }
                continue;
            }
            match DISAGREEMENTS.iter().find(|d| d.0 == repo && d.1 == key) {
                Some(d) if d.2 == out.valid => deliberate.push((repo.to_string(), key, d.3)),
                _ => failures.push(format!(
                    "{place}: {} {key:?}: expected valid={expected}, core says {}",
                    v["kind"], out.valid
                )),
            }
        }
    }
    let stale: Vec<_> =
        DISAGREEMENTS.iter().filter(|d| !deliberate.iter().any(|(r, k, _)| r == d.0 && k == d.1)).collect();
    println!(
        "corpus: {total} vectors from {} files; {agree} agree; {} deliberate disagreements:",
        files.len(),
        deliberate.len()
    );
    for (repo, key, why) in &deliberate {
        println!("  - {repo}: {key:?}\n      {why}");
    }
    // Where a SHOULD or MAY of the RFC is reported as an error, the stricter reading is a
    // deliberate disagreement with the RFC's wording (not with a vector): print each with the
    // sender that applies it as a hard rule.
    println!("corpus: SHOULD/MAY reported as errors, because deployed senders enforce them:");
    for code in mtasts_core::Code::ALL.iter().filter(|c| c.stricter_than_rfc().is_some()) {
        println!("  - {}: {}", code.id(), code.stricter_than_rfc().unwrap_or_default());
    }
    assert!(failures.is_empty(), "{} unexplained disagreements:\n{}", failures.len(), failures.join("\n"));
    assert!(stale.is_empty(), "listed disagreements that no longer occur: {stale:?}");
}

/// The two SHOULD-as-error rules carry their reason, and the corpus vector that shows a
/// sender enforcing the size limit (postfix-mta-sts-resolver's overlength policy) agrees.
#[test]
fn should_as_error_is_justified() {
    use mtasts_core::Code;
    for code in [Code::FetchContentType, Code::StsPolicyTooLarge] {
        let why = code.stricter_than_rfc().unwrap_or_else(|| panic!("{} has no reason", code.id()));
        assert!(why.contains("postfix-mta-sts-resolver"), "{why}");
        assert_eq!(code.info().severity, mtasts_core::Severity::Error);
    }
    // One byte over 64 KiB: postfix-mta-sts-resolver reads while it holds at most 65,536
    // bytes and fails the fetch on the next byte.
    let head = "version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mail.loc\n";
    let mut body = head.as_bytes().to_vec();
    body.resize(64 * 1024 + 1, b'a');
    let p = mtasts_core::mta_sts::policy::parse(&body);
    assert!(p.findings.iter().any(|f| f.code == Code::StsPolicyTooLarge));
    body.truncate(64 * 1024);
    let p = mtasts_core::mta_sts::policy::parse(&body);
    assert!(!p.findings.iter().any(|f| f.code == Code::StsPolicyTooLarge), "exactly 64 KiB is fine");
}

/// The lint entry point agrees with the per-kind parsers on every policy and record vector:
/// what `mtasts lint` and the web page say is what the corpus test checked.
#[test]
fn lint_entry_point_agrees() {
    let dir = corpus_dir();
    for file in vector_files(&dir) {
        let vectors: Vec<Json> = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("parse");
        for v in vectors.iter().filter(|v| v.get("txt_records").is_none()) {
            let Some(input) = v["input"].as_str() else {
                continue;
            };
            let (kind, direct) = match v["kind"].as_str() {
                Some("policy") => (Kind::Policy, policy::parse(input.as_bytes()).is_valid()),
                // A record with a line break would be two records to lint; skip those.
                Some("sts-txt") if !input.contains('\n') => (Kind::StsRecord, sts_txt::parse(input).is_valid()),
                Some("tlsrpt-txt") if !input.contains('\n') => (Kind::TlsRptRecord, rpt_txt::parse(input).is_valid()),
                _ => continue,
            };
            let l = lint(kind, input.as_bytes());
            // Presentation format (a leading quote) is read differently on purpose.
            if input.trim_start().starts_with('"') || input.trim().is_empty() {
                continue;
            }
            assert_eq!(l.is_valid(), direct, "{input:?}");
            assert!(matches!(
                (kind, &l.value),
                (Kind::Policy, Value::Policy(_))
                    | (Kind::StsRecord, Value::StsRecord(_))
                    | (Kind::TlsRptRecord, Value::TlsRptRecord(_))
            ));
        }
    }
}
