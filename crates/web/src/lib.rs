//! mtasts-web: the browser app. Components render; view models (plain Rust, tested
//! natively) decide what to render; core decides every rule.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod app;
pub mod components;
pub mod engine;
pub mod services;
pub mod state;
// Counts shown on the page come from senders: view models saturate, never wrap.
#[cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
pub mod view_model;
