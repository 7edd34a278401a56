//! Modules loaded on demand: the pages that are not on the start page (`reports-ui`: the
//! report analyser and the MX certificate tab), fetched from the site itself the first time
//! `#/reports` or `#/lint/certificate` opens. Its files are named by content hash, and
//! the page names them in `<meta name="mtasts-reports-ui">` (see `www/post_build.py`).
//!
//! The analyser lives in one element created once and kept: each visit to `#/reports`
//! moves it into the page, leaving takes it out, and its state (the reports read, the
//! table's filters) stays in memory in between.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/lazy.js")]
extern "C" {
    fn show_reports(host: &web_sys::Element, js: &str, wasm: &str, text: &JsValue) -> js_sys::Promise;
    fn show_certificate(host: &web_sys::Element, js: &str, wasm: &str, mx: &str, text: &JsValue) -> js_sys::Promise;
}

/// The content of `<meta name=NAME>`: where this build put one of its on-demand files.
pub(crate) fn meta(name: &str) -> Option<String> {
    web_sys::window()?.document()?.query_selector(&format!("meta[name={name}]")).ok()??.get_attribute("content")
}

/// Shows the report analyser inside `host`, loading its module the first time.
pub async fn reports(host: &web_sys::Element) -> Result<(), String> {
    let (js, wasm) = files()?;
    done(show_reports(host, &js, &wasm, &lender()), "report analyser").await
}

/// Shows the MX certificate tab for host `mx` inside `host`, loading its module the first
/// time.
pub async fn certificate(host: &web_sys::Element, mx: &str) -> Result<(), String> {
    let (js, wasm) = files()?;
    done(show_certificate(host, &js, &wasm, mx, &lender()), "certificate reader").await
}

/// The finding table's words for the on-demand module, which has no copy of its own
/// (`crate::text`). Only the start page's module, built without `borrowed-text`, loads
/// the on-demand one.
#[cfg(not(feature = "borrowed-text"))]
fn lender() -> JsValue {
    crate::text::lender()
}

#[cfg(feature = "borrowed-text")]
fn lender() -> JsValue {
    JsValue::UNDEFINED
}

/// Where this build put the on-demand module's JS and wasm.
fn files() -> Result<(String, String), String> {
    let missing = "this build has no on-demand page module";
    Ok((meta("mtasts-reports-ui").ok_or(missing)?, meta("mtasts-reports-ui-wasm").ok_or(missing)?))
}

async fn done(p: js_sys::Promise, what: &str) -> Result<(), String> {
    JsFuture::from(p).await.map(|_| ()).map_err(|e| {
        let why = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string());
        format!("the {what} could not be loaded: {}", why.unwrap_or_else(|| format!("{e:?}")))
    })
}
