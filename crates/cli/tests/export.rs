//! `mtasts report --ndjson` into ClickHouse's engine (chDB from PyPI, installed by
//! .ci/setup; tests/clickhouse/sums.py) with the shipped schema and one-line import: the
//! engine's own sum() must equal `mtasts report --json` over the whole shared corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::process::Command;

use serde_json::Value;

fn corpus() -> String {
    common::corpus().display().to_string()
}

fn mtasts(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mtasts")).args(args).output().unwrap()
}

#[test]
fn ndjson_sums_in_clickhouse_equal_the_json_totals() {
    let corpus = corpus();
    let rows = mtasts(&["report", "--ndjson", &corpus]);
    assert_eq!(rows.status.code(), Some(1), "the corpus holds files that are not reports");
    assert!(String::from_utf8_lossy(&rows.stderr).contains("[input/no-report]"), "unreadable inputs go to stderr");
    let text = String::from_utf8(rows.stdout).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().all(|l| l["kind"] == "policy" || l["kind"] == "failure"));
    let totals: Value = serde_json::from_slice(&mtasts(&["report", "--json", &corpus]).stdout).unwrap();
    // Duplicates are left out: one policy row per counted report and policy.
    let reports: std::collections::BTreeSet<(String, String)> = lines
        .iter()
        .map(|l| (l["organisation"].as_str().unwrap().to_string(), l["report_id"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(reports.len() as u64, totals["reports"].as_u64().unwrap());

    let engine = common::clickhouse_sums(text.as_bytes());
    assert_eq!(engine["rows"].as_u64().unwrap(), lines.len() as u64);
    assert_eq!(engine["successful"], totals["successful"], "{engine} vs {}", totals["successful"]);
    assert_eq!(engine["failed"], totals["failed"]);
    assert_eq!(engine["result_types"], totals["result_types"]);
    assert!(totals["successful"].as_u64().unwrap() > 10_000, "a real sum, not zero against zero");
}

#[test]
fn ndjson_is_its_own_output() {
    assert_eq!(mtasts(&["report", "--ndjson", "--json", "-"]).status.code(), Some(2));
    let one = common::corpus().join("parsedmarc/rfc8460.json");
    let o = mtasts(&["report", "--ndjson", one.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<Value> =
        String::from_utf8(o.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "one policy row and three failure rows");
    assert_eq!((lines[0]["kind"].as_str(), lines[0]["successful"].as_u64()), (Some("policy"), Some(5326)));
    assert_eq!(lines[1]["start"], "2016-04-01T00:00:00Z");
    assert_eq!(lines[3]["failure_reason_code"], "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
}
