//! Every report in the shared corpus (JSON, gzip, email) is read without error, and the
//! totals of several are checked against numbers read off the files by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Test code may panic.

mod common;

use std::path::Path;

use common::{corpus_dir, report_files};
use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::input::Limits;
use mtasts_core::Code;

fn read_one(path: &Path) -> Batch {
    let mut b = Batch::new(Limits::default());
    b.add(&path.display().to_string(), &std::fs::read(path).unwrap());
    b
}

fn codes(b: &Batch) -> Vec<&'static str> {
    b.inputs.iter().flat_map(|i| &i.findings).map(|l| l.finding.code.id()).collect()
}

#[test]
fn every_corpus_report_is_read() {
    let dir = corpus_dir();
    let files = report_files(&dir);
    assert!(files.len() >= 40, "expected the corpus reports, found {}", files.len());
    let mut whole = Batch::new(Limits::default());
    for f in &files {
        let b = read_one(f);
        let input = &b.inputs[0];
        assert!(input.ok(), "{}: {:?}", f.display(), input.errors);
        assert_eq!(input.reports, 1, "{}: one report per corpus file", f.display());
        for l in &input.findings {
            assert_ne!(l.finding.severity(), mtasts_core::Severity::Error, "{}: {:?}", f.display(), l);
        }
        let rel = f.strip_prefix(&dir).unwrap().display().to_string();
        whole.add(&rel, &std::fs::read(f).unwrap());
    }
    let s = &whole.summary;
    println!(
        "corpus reports: {} files, {} distinct reports, {} duplicates, {} successful and {} failed sessions",
        files.len(),
        s.reports,
        s.duplicates,
        s.successful,
        s.failed
    );
    assert!(whole.all_ok());
    // 19 distinct (organization-name, report-id) pairs, counted by hand over the files.
    assert_eq!(s.reports, 19);
    assert_eq!(s.reports + s.duplicates, files.len() as u64);
}

fn corpus(rel: &str) -> std::path::PathBuf {
    corpus_dir().join(rel)
}

#[test]
fn rfc_example_totals() {
    let b = read_one(&corpus("parsedmarc/rfc8460.json"));
    let s = &b.summary;
    assert_eq!((s.successful, s.failed), (5326, 303));
    assert_eq!(s.result_types["certificate-expired"], 100);
    assert_eq!(s.result_types["starttls-not-supported"], 200);
    assert_eq!(s.result_types["validation-failure"], 3);
    assert_eq!(s.by_mx["mx2.mail.company-y.example"].failed, 200);
    assert_eq!(s.by_receiving_ip["203.0.113.56"], 200);
    assert_eq!(s.by_day["2016-04-01"].failed, 303);
}

#[test]
fn mail_ru_details_exceed_total() {
    let b = read_one(&corpus("parsedmarc/mail.ru.json"));
    assert_eq!((b.summary.successful, b.summary.failed), (0, 1));
    assert_eq!(b.summary.result_types["sts-policy-fetch-error"], 2);
    assert!(codes(&b).contains(&"report/details-exceed-total"));
    let rows = b.summary.top_failures(5);
    assert!(rows.iter().any(|r| r.key.failure_reason_code.as_deref() == Some("bad https response code: 404")));
}

#[test]
fn microsoft_email_without_time_zone() {
    let b = read_one(&corpus("mox/microsoft.eml"));
    assert_eq!(b.summary.by_org["Microsoft Corporation"].successful, 2);
    assert!(codes(&b).contains(&"report/datetime-no-timezone"));
    assert_eq!(b.summary.by_day.keys().collect::<Vec<_>>(), ["2023-01-10"]);
    // Headers, Subject and the file name in Content-Description all agree with the body.
    assert!(!codes(&b).contains(&"report/metadata-mismatch"), "{:?}", codes(&b));
}

#[test]
fn google_email_whose_file_name_disagrees_with_the_body() {
    let b = read_one(&corpus("isseis-tlsrpt-digest/tlsrpt_failure.eml"));
    assert_eq!((b.summary.successful, b.summary.failed), (4523, 2));
    // The attachment is named for 2026-05-12 but the body covers 2026-02-08: the body wins.
    assert_eq!(b.summary.by_day.keys().collect::<Vec<_>>(), ["2026-02-08"]);
    let mismatch: Vec<_> =
        b.inputs[0].findings.iter().filter(|l| l.finding.code == Code::ReportMetadataMismatch).collect();
    assert_eq!(mismatch.len(), 1, "{mismatch:?}");
    assert!(mismatch[0].finding.detail.contains("time range"));
}

#[test]
fn empty_failure_detail_fields() {
    let b = read_one(&corpus("parsedmarc/empty_failure_detail_fields.json"));
    assert_eq!((b.summary.successful, b.summary.failed), (0, 1));
    assert!(codes(&b).contains(&"report/empty-ip"));
    assert!(b.summary.by_sending_ip.is_empty());
}

#[test]
fn gzip_and_plain_copies_agree() {
    let dir = corpus_dir();
    for f in report_files(&dir).into_iter().filter(|f| f.to_string_lossy().ends_with(".json.gz")) {
        let plain = f.with_extension("");
        let (a, b) = (read_one(&f), read_one(&plain));
        assert_eq!(
            (a.summary.successful, a.summary.failed),
            (b.summary.successful, b.summary.failed),
            "{}",
            f.display()
        );
    }
}

/// Reading an input a part at a time (what the web page does so it can yield inside one
/// large mbox or zip) gives exactly what reading it whole gives: over every corpus file, an
/// mbox of all the corpus emails and a zip of all the corpus files, one part per step.
#[test]
fn stepping_through_an_input_gives_the_same_batch() {
    use std::io::Write;
    let dir = corpus_dir();
    let files = report_files(&dir);
    let mut inputs: Vec<(String, Vec<u8>)> =
        files.iter().map(|f| (f.display().to_string(), std::fs::read(f).unwrap())).collect();
    let mut mbox = Vec::new();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in &inputs {
        if name.ends_with(".eml") {
            mbox.extend_from_slice(b"From tlsrpt@example.com Mon Jan  1 00:00:00 2024\n");
            mbox.extend_from_slice(bytes);
            mbox.extend_from_slice(b"\n");
        }
        w.start_file(name.replace('/', "_"), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    inputs.push(("all.mbox".into(), mbox));
    inputs.push(("all.zip".into(), w.finish().unwrap().into_inner()));
    let json = |b: &Batch| {
        let inputs: Vec<_> = b.inputs.iter().map(mtasts_core::tls_rpt::batch::InputJson::new).collect();
        serde_json::to_string(&(&b.summary, inputs)).unwrap()
    };
    let mut whole = Batch::new(Limits::default());
    let mut stepped = Batch::new(Limits::default());
    let mut steps = 0;
    for (name, bytes) in &inputs {
        whole.add(name, bytes);
        let mut adding = stepped.begin(name, bytes);
        while !stepped.step(&mut adding, 1) {
            steps += 1;
        }
    }
    assert!(steps > 40, "the mbox and the zip took many steps ({steps})");
    assert!(stepped.summary.reports > 0);
    assert_eq!(json(&stepped), json(&whole));
}
