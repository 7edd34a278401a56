//! TLS-RPT report JSON: invariants of every lint (pointers located to spans inside the
//! text); totals are saturating sums, never wrapped.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mtasts_core::lint::{Kind, Value};
use mtasts_core::tls_rpt::report;

fuzz_target!(|data: &[u8]| {
    let p = report::parse(data);
    if let Some(r) = &p.value {
        let by_policy: u64 = r.policies.iter().fold(0u64, |n, p| n.saturating_add(p.successful));
        assert!(r.successful() >= by_policy.min(r.successful()), "successful() is a saturating sum");
    }
    let l = common::checked_lint(Kind::Report, data);
    if let Value::Report(reports) = &l.value {
        std::hint::black_box(reports.len());
    }
});
