//! Policy files: invariants of every lint, and a valid policy's value survives being
//! written out again (version first, LF line ends) and re-linted.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mtasts_core::lint::{Kind, Value};

fuzz_target!(|data: &[u8]| {
    let l = common::checked_lint(Kind::Policy, data);
    if let (true, Value::Policy(p)) = (l.is_valid(), &l.value) {
        let mut text = format!("version: {}\n", p.version.as_deref().unwrap_or(""));
        if let Some(m) = p.mode {
            text.push_str(&format!("mode: {}\n", m.as_str()));
        }
        if let Some(a) = p.max_age {
            text.push_str(&format!("max_age: {a}\n"));
        }
        for mx in &p.mx {
            text.push_str(&format!("mx: {mx}\n"));
        }
        for (k, v) in &p.extensions {
            text.push_str(&format!("{k}: {v}\n"));
        }
        let again = common::checked_lint(Kind::Policy, text.as_bytes());
        assert!(again.is_valid(), "{text:?} re-lints invalid: {:?}", again.findings);
        assert_eq!(again.value, l.value, "{text:?}");
    }
});
