//! What every fuzz target asserts of a lint: spans inside the text and on character
//! boundaries (the same helper as the no-panic test), and `is_valid` exactly when no
//! finding is an error.

#![allow(dead_code)]

use mtasts_core::lint::{lint, Kind, Lint};
use mtasts_core::Severity;

#[path = "../../../crates/core/tests/support/spans.rs"]
mod spans;

/// Lints `data` as `kind` and checks the invariants every lint keeps.
pub fn checked_lint(kind: Kind, data: &[u8]) -> Lint {
    let l = lint(kind, data);
    spans::assert_spans(kind, data, &l.findings);
    let errors = l.findings.iter().any(|f| f.severity() == Severity::Error);
    assert_eq!(l.is_valid(), !errors, "is_valid disagrees with the findings");
    for f in &l.findings {
        assert!(!f.message().is_empty());
    }
    l
}
