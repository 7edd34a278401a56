//! Merging summaries equals one pass: the page's report workers each read a contiguous run
//! of the inputs, send their batch as JSON, and the page merges the runs in order. Over the
//! whole shared corpus (duplicates included: it holds the same reports as `.eml`, `.json.gz`
//! and `.json`), for every split into two runs and a sweep of splits into more, the merged
//! batch serializes exactly like the batch read in one pass.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Test code may panic.

mod common;

use common::{corpus_dir, report_files};
use mtasts_core::tls_rpt::batch::{Batch, InputOutcome};
use mtasts_core::tls_rpt::input::Limits;
use mtasts_core::tls_rpt::summary::Summary;

type Input = (String, Vec<u8>);

fn inputs() -> Vec<Input> {
    let dir = corpus_dir();
    let mut out: Vec<Input> = report_files(&dir)
        .iter()
        .map(|f| (f.strip_prefix(&dir).unwrap().display().to_string(), std::fs::read(f).unwrap()))
        .collect();
    // An input that is not a report, and one with two reports (an mbox), among them.
    out.insert(3, ("junk.json".into(), b"{ not json".to_vec()));
    let week = week::week("testing", Some(2));
    let mbox =
        format!("From a@b Mon Jan  1 00:00:00 2024\n\n{}\nFrom a@b Mon Jan  1 00:00:00 2024\n\n{}\n", week[0], week[3]);
    out.insert(7, ("two.mbox".into(), mbox.into_bytes()));
    out.extend(week.iter().enumerate().map(|(i, r)| (format!("week{i}.json"), r.clone().into_bytes())));
    out
}

#[path = "support/week.rs"]
#[allow(dead_code)]
mod week;

fn one_pass(inputs: &[Input], assumed: &[(String, String)]) -> Batch {
    let mut b = Batch::new(Limits::default());
    b.summary.assume_counted(assumed.iter().cloned());
    for (name, bytes) in inputs {
        b.add(name, bytes);
    }
    b
}

/// What crosses from a worker to the page, and back into a batch.
fn through_json(b: Batch) -> Batch {
    let counted: Vec<(String, String)> = b.summary.counted().cloned().collect();
    let summary = serde_json::to_string(&b.summary).unwrap();
    let outcomes = serde_json::to_string(&b.inputs).unwrap();
    let mut summary: Summary = serde_json::from_str(&summary).unwrap();
    summary.restore_counted(counted);
    let outcomes: Vec<InputOutcome> = serde_json::from_str(&outcomes).unwrap();
    Batch::from_parts(summary, outcomes)
}

/// Reads each run as a worker would and merges them in order, redoing a run that counted
/// a report an earlier run had counted.
fn merged(inputs: &[Input], cuts: &[usize]) -> (Batch, usize) {
    let mut total = Batch::new(Limits::default());
    let mut redone = 0;
    let mut from = 0;
    for &to in cuts.iter().chain(std::iter::once(&inputs.len())) {
        let run = &inputs[from..to];
        let mut part = through_json(one_pass(run, &[]));
        if let Err(overlap) = total.merge(part) {
            redone += 1;
            part = through_json(one_pass(run, &overlap));
            total.merge(part).expect("a redone run overlaps no more");
        }
        from = to;
    }
    (total, redone)
}

fn view(b: &Batch) -> (serde_json::Value, serde_json::Value) {
    (serde_json::to_value(&b.summary).unwrap(), serde_json::to_value(&b.inputs).unwrap())
}

#[test]
fn every_split_in_two_merges_to_one_pass() {
    let inputs = inputs();
    let whole = view(&one_pass(&inputs, &[]));
    assert!(whole.0["duplicates"].as_u64().unwrap() >= 20, "the corpus holds duplicates");
    let mut redone = 0;
    for cut in 0..=inputs.len() {
        let (m, r) = merged(&inputs, &[cut]);
        redone += r;
        assert_eq!(view(&m), whole, "split at {cut}");
    }
    assert!(redone > 0, "some split put a report and its duplicate in different runs");
}

#[test]
fn splits_into_many_runs_merge_to_one_pass() {
    let inputs = inputs();
    let whole = view(&one_pass(&inputs, &[]));
    for runs in 2..=inputs.len() {
        let size = inputs.len().div_ceil(runs);
        let cuts: Vec<usize> = (1..runs).map(|i| (i * size).min(inputs.len())).collect();
        assert_eq!(view(&merged(&inputs, &cuts).0), whole, "{runs} runs");
    }
}

#[test]
fn a_summary_reads_back_what_it_wrote() {
    let b = one_pass(&inputs(), &[]);
    let json = serde_json::to_value(&b.summary).unwrap();
    let back: Summary = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
}

/// Count caps are gone (issue 14): a year of reports in one mailbox export or zip is read
/// whole by default; only bytes are capped.
#[test]
fn ten_thousand_messages_or_entries_are_read_whole() {
    use std::io::Write;
    let n = 10_000;
    let reports: Vec<String> =
        (0..n).map(|i| week::report("google.com", &format!("r{i}"), "2024-01-01", "testing", &[])).collect();
    let mut mbox = Vec::new();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (i, r) in reports.iter().enumerate() {
        mbox.extend_from_slice(
            b"From tlsrpt@example.com Mon Jan  1 00:00:00 2024\nContent-Type: application/tlsrpt+json\n\n",
        );
        mbox.extend_from_slice(r.as_bytes());
        mbox.extend_from_slice(b"\n");
        w.start_file(format!("r{i}.json"), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(r.as_bytes()).unwrap();
    }
    let zip = w.finish().unwrap().into_inner();
    for (name, bytes) in [("year.mbox", mbox), ("year.zip", zip)] {
        let b = one_pass(&[(name.to_string(), bytes)], &[]);
        assert!(b.all_ok(), "{name}: {:?}", b.inputs[0].errors.first());
        assert_eq!(b.summary.reports, n as u64, "{name}");
    }
}
