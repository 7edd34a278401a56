//! `mtasts report` on a Maildir (issue 12 item 1): cur/ and new/ read, tmp/ (deliveries in
//! progress) never; `--state FILE` makes a cron job count each report once, even after the
//! mail client moves a message from new/ to cur/ and flags it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn corpus(rel: &str) -> PathBuf {
    common::corpus().join(rel)
}

fn report(args: &[&str]) -> (i32, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_mtasts")).arg("report").arg("--json").args(args).output().unwrap();
    (o.status.code().unwrap(), serde_json::from_slice(&o.stdout).unwrap_or(Value::Null))
}

fn copy(from: &str, to: &Path) {
    std::fs::copy(corpus(from), to).unwrap();
}

#[test]
fn a_maildir_read_incrementally() {
    let d = std::env::temp_dir().join(format!("mtasts-maildir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let md = d.join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    copy("isseis-tlsrpt-digest/tlsrpt_failure.eml", &md.join("new/1700000000.M1P1.host"));
    copy("mox/microsoft.eml", &md.join("cur/1700000001.M2P1.host:2,S"));
    // Half-delivered: never read.
    copy("parsedmarc/google.com_smtp_tls_report.eml", &md.join("tmp/1700000002.M3P1.host"));
    let state = d.join("state.json");
    let (md_s, state_s) = (md.to_str().unwrap(), state.to_str().unwrap());

    let (code, v) = report(&[md_s, "--state", state_s]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["inputs"].as_array().unwrap().len(), 2, "cur and new, not tmp: {v:#}");
    assert_eq!(v["reports"], 2);
    let first = (v["successful"].as_u64().unwrap(), v["failed"].as_u64().unwrap());

    // Nothing new: nothing read, nothing counted again.
    let (code, v) = report(&[md_s, "--state", state_s]);
    assert_eq!((code, v["reports"].as_u64()), (0, Some(0)), "{v:#}");
    assert!(v["inputs"].as_array().unwrap().is_empty());

    // The client reads the new message (new/ → cur/, flagged) and a report arrives.
    std::fs::rename(md.join("new/1700000000.M1P1.host"), md.join("cur/1700000000.M1P1.host:2,S")).unwrap();
    std::fs::rename(md.join("tmp/1700000002.M3P1.host"), md.join("new/1700000002.M3P1.host")).unwrap();
    let (code, v) = report(&[md_s, "--state", state_s]);
    assert_eq!(code, 0);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 1, "only the arrival: {v:#}");
    assert!(v["inputs"][0]["path"].as_str().unwrap().ends_with("1700000002.M3P1.host"));
    assert_eq!(v["reports"], 1);

    // Without the state, everything again; the three add up to the first two plus the third.
    let (_, all) = report(&[md_s]);
    assert_eq!(all["reports"], 3);
    assert!(all["successful"].as_u64().unwrap() >= first.0);

    // A state file that is not one is refused, and not overwritten.
    std::fs::write(&state, "not json").unwrap();
    let (code, _) = report(&[md_s, "--state", state_s]);
    assert_eq!(code, 2);
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "not json");
    let _ = std::fs::remove_dir_all(&d);
}

/// Issue 13: reading on several threads gives the same output as one, byte for byte,
/// including the order of `inputs` and the duplicates (the corpus holds the same report in
/// several files, in different runs of 64).
#[test]
fn every_thread_count_gives_the_same_output() {
    let corpus = common::corpus();
    let out = |jobs: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_mtasts"))
            .args(["report", "--json", "--jobs", jobs])
            .arg(&corpus)
            .arg(&corpus)
            .output()
            .unwrap();
        (o.status.code(), o.stdout)
    };
    let one = out("1");
    let v: Value = serde_json::from_slice(&one.1).unwrap();
    assert!(v["duplicates"].as_u64().unwrap() > 40, "the corpus twice: every report a duplicate once");
    for jobs in ["2", "3", "8"] {
        let many = out(jobs);
        assert_eq!(many.0, one.0);
        assert!(many.1 == one.1, "--jobs {jobs} differs from --jobs 1");
    }
}
