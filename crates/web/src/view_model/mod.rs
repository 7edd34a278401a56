//! Plain-Rust models of what each view shows, built from core and tested natively.

pub mod check;
pub mod deploy;
pub mod lint;
pub mod reports;
pub mod sample;
