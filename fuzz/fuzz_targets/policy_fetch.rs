//! Captured policy fetches (`curl -sS -D -` output): invariants of every lint; a capture
//! whose responses include a redirect is never valid (RFC 8461 §3.3).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mtasts_core::lint::{Kind, Value};

fuzz_target!(|data: &[u8]| {
    let l = common::checked_lint(Kind::PolicyFetch, data);
    if let Value::PolicyFetch(f) = &l.value {
        if l.is_valid() {
            assert_eq!(f.status, Some(200), "a valid fetch ends in 200");
            assert!(f.policy.is_some(), "a valid fetch has a policy");
        }
    }
    // The same capture behind a redirect block is invalid whatever follows.
    let mut redirected = b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.example/\r\n\r\n".to_vec();
    redirected.extend_from_slice(data);
    let r = common::checked_lint(Kind::PolicyFetch, &redirected);
    assert!(!r.is_valid(), "a redirect in the capture must be an error");
});
