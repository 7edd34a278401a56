//! In-process benchmarks of the report engine against bare serde_json on the same bytes.
//!
//! Inputs: the reports in `$MTASTS_BENCH_DIR` (made by the gen_reports example; see
//! BENCHMARKS.md), or, if unset, the shared corpus's JSON reports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Benchmark code.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::input::Limits;
use mtasts_core::tls_rpt::report;
use mtasts_core::tls_rpt::summary::Summary;

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
