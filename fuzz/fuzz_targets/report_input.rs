//! Report inputs of every shape (JSON, gzip, zip, email, mbox) through the batch reader:
//! each input gets an outcome, and no input holds more decompressed bytes than the
//! per-input cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::input::{extract, Limits};

const LIMITS: Limits = Limits { max_decompressed: 1 << 20, max_member: 1 << 20, max_parts: 50, max_reports: 50 };

fuzz_target!(|data: &[u8]| {
    let x = extract("fuzz", data, &LIMITS);
    assert!(!x.is_empty(), "every input yields a report or a reason");
    let held: usize = x.iter().filter_map(|e| e.payload.as_ref().ok()).map(Vec::len).sum();
    assert!(held <= LIMITS.max_decompressed.max(data.len()), "held {held} bytes");
    let mut b = Batch::new(LIMITS);
    b.add("fuzz", data);
    b.add("fuzz again", data);
    std::hint::black_box(b.all_ok());
});
