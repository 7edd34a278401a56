//! What the network tests share: the mock resolver and policy hosts of tests/mock/server.mjs
//! (Node, installed by .ci/setup with the browser tests' npm packages), started on a free
//! loopback port and killed when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared corpus: `$MTASTS_CORPUS`, or `../shared/corpus` beside the checkout.
pub fn corpus() -> PathBuf {
    std::env::var_os("MTASTS_CORPUS").map_or_else(|| root().join("../shared/corpus"), PathBuf::from)
}

/// The mock, on a free port; killed when dropped.
pub struct Mock {
    child: Child,
    pub port: u16,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Mock {
    pub fn doh(&self) -> String {
        format!("https://127.0.0.1:{}/dns-query", self.port)
    }
}

/// Starts the mock; `zone` (a JSON file in the shape of its SCENARIOS) adds scenarios.
pub fn mock_with(zone: Option<&Path>) -> Mock {
    let mut cmd = Command::new("node");
    cmd.arg(root().join("tests/mock/server.mjs")).arg("0");
    if let Some(z) = zone {
        cmd.arg(z);
    }
    let (child, first) = spawn_ready(&mut cmd, "node runs tests/mock/server.mjs (installed by .ci/setup)");
    let port = first
        .rsplit_once("127.0.0.1:")
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the mock printed no port: {first:?}"));
    Mock { child, port }
}

/// Starts a test server and waits for the first line it prints (its address), which is
/// returned with the child; `what` says what must be installed when it cannot start.
pub fn spawn_ready(cmd: &mut Command, what: &str) -> (Child, String) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect(what);
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    (child, first)
}

pub fn mock() -> Mock {
    mock_with(None)
}

/// What ClickHouse's engine (chDB, tests/clickhouse/sums.py) says of `mtasts report
/// --ndjson` rows imported with the shipped schema (docs/clickhouse.sql) and the documented
/// one-line import: row count and sums, as JSON.
pub fn clickhouse_sums(rows: &[u8]) -> serde_json::Value {
    let file = std::env::temp_dir().join(format!(
        "mtasts-rows-{}-{:?}.ndjson",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&file, rows).unwrap();
    let out = Command::new("python3")
        .arg(root().join("tests/clickhouse/sums.py"))
        .arg(root().join("docs/clickhouse.sql"))
        .arg(&file)
        .output()
        .expect("python3 with chDB (installed by .ci/setup)");
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}
