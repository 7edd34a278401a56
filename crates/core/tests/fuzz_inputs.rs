//! The fuzz targets' committed inputs, replayed by `cargo test` so that they keep passing
//! without cargo-fuzz: the seeds (`fuzz/seeds/TARGET/`) and every input that once crashed a
//! target (`fuzz/regressions/TARGET/`, with the fix). Each goes through every lint with the
//! span invariant, through the batch reader, and through DKIM's `prepare`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Test code may panic.

mod common;

use std::path::Path;

use mtasts_core::lint::{lint, Kind};
use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::input::Limits;

#[test]
fn fuzz_seeds_and_regressions_hold_the_invariants() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let base = root.join(dir);
        if !base.is_dir() {
            continue;
        }
        for f in common::files_under(&base) {
            let bytes = std::fs::read(&f).unwrap();
            for kind in Kind::ALL {
                let l = lint(kind, &bytes);
                common::assert_spans(kind, &bytes, &l.findings);
            }
            let mut b =
                Batch::new(Limits { max_decompressed: 1 << 20, max_member: 1 << 20, max_parts: 50, max_reports: 50 });
            b.add(&f.display().to_string(), &bytes);
            assert_eq!(b.inputs.len(), 1);
            let dkim = mtasts_core::tls_rpt::dkim::prepare(&bytes, Some(1_800_000_000));
            assert!(dkim.steps.len() <= mtasts_core::tls_rpt::dkim::MAX_SIGNATURES);
            n += 1;
        }
    }
    assert!(n >= 20, "expected the committed fuzz seeds, found {n}");
    println!("fuzz inputs: {n} replayed");
}
