//! `_mta-sts` records: invariants of every lint, and a valid record's value survives being
//! written out again as a record and re-linted.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mtasts_core::lint::{Kind, Value};

fuzz_target!(|data: &[u8]| {
    let l = common::checked_lint(Kind::StsRecord, data);
    if let (true, Value::StsRecord(Some(r))) = (l.is_valid(), &l.value) {
        let mut text = format!("v=STSv1; id={}", r.id.as_deref().unwrap_or(""));
        for (k, v) in &r.extensions {
            text.push_str(&format!("; {k}={v}"));
        }
        let again = common::checked_lint(Kind::StsRecord, text.as_bytes());
        assert!(again.is_valid(), "{text:?} re-lints invalid: {:?}", again.findings);
        assert_eq!(again.value, l.value, "{text:?}");
    }
});
