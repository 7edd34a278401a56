//! mtasts-core: pure parsing and validation of MTA-STS (RFC 8461) and SMTP TLS Reporting
//! (RFC 8460).
//!
//! Every parser returns a value together with [`Finding`]s instead of failing: a policy
//! with a typo still has a mode to show. Each finding names a [`Code`] whose row in the one
//! table ([`code`]) gives its severity, RFC section, message and fix.
//!
//! This crate does no I/O, reads no clock, draws no random numbers and renders no HTML;
//! callers (the web app, the CLI) fetch the inputs and present the findings.

#![deny(missing_docs)]
// Counts come from senders and offsets from input: every sum saturates or is checked, so a
// hostile report can neither wrap a total nor panic a debug build.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod check;
pub mod code;
pub mod deploy;
pub mod dns;
mod domain;
pub mod finding;
pub mod json_pointer;
pub mod lint;
pub mod mta_sts;
pub mod order;
#[cfg(feature = "probe")]
pub mod probe;
pub mod text;
pub mod tls_rpt;
pub mod txt;

pub use code::{Code, CodeInfo, RfcRef};
pub use finding::{Finding, Parsed, Severity, Span};
