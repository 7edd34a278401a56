//! mtasts-web: the browser app. Components render; view models (plain Rust, tested
//! natively) decide what to render; core decides every rule.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

/// Every module's allocator: talc instead of the default dlmalloc, a few KB smaller in each
/// of the three modules (the 700 KiB total, issue 14) and faster (BENCHMARKS.md, session 10).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod app;
pub mod components;
pub mod engine;
pub mod services;
pub mod state;
pub mod text;
// Counts shown on the page come from senders: view models saturate, never wrap.
#[cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
pub mod view_model;
