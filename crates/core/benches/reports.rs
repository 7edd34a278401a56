//! In-process benchmarks of the report engine against bare serde_json on the same bytes.
//!
//! The `json` group also times the issue 13 reference: derived structs borrowing from the
//! input, with no rule applied.
//!
//! Inputs: the reports in `$MTASTS_BENCH_DIR` (made by the gen_reports example; see
//! BENCHMARKS.md), or, if unset, the shared corpus's JSON reports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Benchmark code.

use std::path::{Path, PathBuf};

use std::borrow::Cow;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::input::Limits;
use mtasts_core::tls_rpt::report;
use mtasts_core::tls_rpt::summary::Summary;
use serde::Deserialize;

fn load(sub: &str, limit: usize) -> Vec<Vec<u8>> {
    let dir: PathBuf = match std::env::var_os("MTASTS_BENCH_DIR") {
        Some(d) => Path::new(&d).join(sub),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/parsedmarc"),
    };
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    files.truncate(limit);
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// Issue 13 item 1's reference: the report as derived structs borrowing from the input,
/// with no rule applied (no findings, no pointers, no quirk handled: an input that bends
/// the schema is simply an error here).
#[allow(dead_code)]
mod typed {
    use super::{Cow, Deserialize};

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct Report<'a> {
        #[serde(borrow)]
        pub organization_name: Cow<'a, str>,
        pub date_range: DateRange<'a>,
        #[serde(borrow)]
        pub contact_info: Option<Cow<'a, str>>,
        #[serde(borrow)]
        pub report_id: Cow<'a, str>,
        #[serde(borrow)]
        pub policies: Vec<Policy<'a>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct DateRange<'a> {
        #[serde(borrow)]
        pub start_datetime: Cow<'a, str>,
        #[serde(borrow)]
        pub end_datetime: Cow<'a, str>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct Policy<'a> {
        #[serde(borrow)]
        pub policy: PolicyDesc<'a>,
        pub summary: Summary,
        #[serde(borrow, default)]
        pub failure_details: Vec<Detail<'a>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct PolicyDesc<'a> {
        #[serde(borrow)]
        pub policy_type: Cow<'a, str>,
        #[serde(borrow, default)]
        pub policy_string: Vec<Cow<'a, str>>,
        #[serde(borrow)]
        pub policy_domain: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub mx_host: Vec<Cow<'a, str>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct Summary {
        pub total_successful_session_count: u64,
        pub total_failure_session_count: u64,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct Detail<'a> {
        #[serde(borrow)]
        pub result_type: Cow<'a, str>,
        #[serde(borrow)]
        pub sending_mta_ip: Option<Cow<'a, str>>,
        #[serde(borrow)]
        pub receiving_mx_hostname: Option<Cow<'a, str>>,
        #[serde(borrow)]
        pub receiving_mx_helo: Option<Cow<'a, str>>,
        #[serde(borrow)]
        pub receiving_ip: Option<Cow<'a, str>>,
        pub failed_session_count: u64,
        #[serde(borrow)]
        pub additional_information: Option<Cow<'a, str>>,
        #[serde(borrow)]
        pub failure_reason_code: Option<Cow<'a, str>>,
    }
}

fn json(c: &mut Criterion) {
    let reports = load("json", 1000);
    let bytes: usize = reports.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("json");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(BenchmarkId::new("serde_json::Value", reports.len()), |b| {
        b.iter(|| {
            for r in &reports {
                let v: serde_json::Value = serde_json::from_slice(r).unwrap();
                std::hint::black_box(v);
            }
        })
    });
    let typed_ok = reports.iter().filter(|r| serde_json::from_slice::<typed::Report<'_>>(r).is_ok()).count();
    eprintln!("typed structs read {typed_ok} of {} reports", reports.len());
    g.bench_function(BenchmarkId::new("typed structs, no rules", reports.len()), |b| {
        b.iter(|| {
            for r in &reports {
                std::hint::black_box(serde_json::from_slice::<typed::Report<'_>>(r).ok());
            }
        })
    });
    g.bench_function(BenchmarkId::new("report::parse", reports.len()), |b| {
        b.iter(|| {
            for r in &reports {
                std::hint::black_box(report::parse(r));
            }
        })
    });
    g.bench_function(BenchmarkId::new("parse+summary", reports.len()), |b| {
        b.iter(|| {
            let mut s = Summary::new();
            for r in &reports {
                if let Some(rep) = report::parse(r).value {
                    s.add(&rep, "x");
                }
            }
            std::hint::black_box(s);
        })
    });
    g.bench_function(BenchmarkId::new("batch", reports.len()), |b| {
        b.iter(|| {
            let mut batch = Batch::new(Limits::default());
            for r in &reports {
                batch.add("x.json", r);
            }
            std::hint::black_box(batch);
        })
    });
    g.finish();
}

fn containers(c: &mut Criterion) {
    for sub in ["gz", "eml"] {
        let inputs = load(sub, 1000);
        let mut g = c.benchmark_group(sub);
        g.throughput(Throughput::Elements(inputs.len() as u64));
        g.bench_function(BenchmarkId::new("batch", inputs.len()), |b| {
            b.iter(|| {
                let mut batch = Batch::new(Limits::default());
                for r in &inputs {
                    batch.add("x", r);
                }
                std::hint::black_box(batch);
            })
        });
        g.finish();
    }
}

criterion_group!(benches, json, containers);
criterion_main!(benches);
