//! `_smtp._tls` records: invariants of every lint, and a valid record's value survives
//! being written out again and re-linted.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mtasts_core::lint::{Kind, Value};

fuzz_target!(|data: &[u8]| {
    let l = common::checked_lint(Kind::TlsRptRecord, data);
    if let (true, Value::TlsRptRecord(Some(r))) = (l.is_valid(), &l.value) {
        let mut text = format!("v=TLSRPTv1; rua={}", r.rua.join(","));
        for (k, v) in &r.extensions {
            text.push_str(&format!("; {k}={v}"));
        }
        let again = common::checked_lint(Kind::TlsRptRecord, text.as_bytes());
        assert!(again.is_valid(), "{text:?} re-lints invalid: {:?}", again.findings);
        assert_eq!(again.value, l.value, "{text:?}");
    }
});
