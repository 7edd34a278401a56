//! What the user chose to keep across reloads (issue 15: nothing lost), in the browser's own
//! storage: report inputs and the Lint boxes' text in IndexedDB, each behind its own opt-in
//! switch (kept in localStorage); and the warning before a reload would lose reports that
//! are not kept. See `js/store.js`.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::{get, message};
use crate::services::engine::Item;

#[wasm_bindgen(module = "/js/store.js")]
extern "C" {
    fn keep_inputs(items: &js_sys::Array) -> js_sys::Promise;
    fn kept_inputs() -> js_sys::Promise;
    fn forget_inputs() -> js_sys::Promise;
    fn keep_text(key: &str, text: &str) -> js_sys::Promise;
    fn kept_text(key: &str) -> js_sys::Promise;
    fn forget_text() -> js_sys::Promise;
    #[wasm_bindgen(js_name = keeping)]
    fn keeping_js(what: &str) -> bool;
    #[wasm_bindgen(js_name = set_keeping)]
    fn set_keeping_js(what: &str, on: bool);
    fn is_off(what: &str) -> bool;
    fn set_off(what: &str, off: bool);
    #[wasm_bindgen(js_name = guard_unload)]
    fn guard_unload_js(on: bool);
}

/// What can be kept: report inputs, or the Lint page's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// The report analyser's inputs.
    Reports,
    /// The Lint boxes.
    Lint,
}

impl Kept {
    fn id(self) -> &'static str {
        match self {
            Kept::Reports => "reports",
            Kept::Lint => "lint",
        }
    }
}

/// Whether the user opted in to keeping `what` in this browser.
pub fn keeping(what: Kept) -> bool {
    keeping_js(what.id())
}

/// Turns keeping `what` on or off. Off forgets what was kept.
pub async fn set_keeping(what: Kept, on: bool) -> Result<(), String> {
    set_keeping_js(what.id(), on);
    if on {
        return Ok(());
    }
    clear(what).await
}

/// Whether report emails' DKIM signatures are checked (their keys looked up at the
/// resolver): on unless the user turned it off.
pub fn checking_dkim() -> bool {
    !is_off("dkim")
}

/// Turns checking report emails' DKIM on or off, remembered in this browser.
pub fn set_checking_dkim(on: bool) {
    set_off("dkim", !on);
}

/// Forgets what was kept of `what` (Clear), leaving the switch as it is.
pub async fn clear(what: Kept) -> Result<(), String> {
    match what {
        Kept::Reports => forget(forget_inputs()).await,
        Kept::Lint => forget(forget_text()).await,
    }
}

async fn forget(p: js_sys::Promise) -> Result<(), String> {
    JsFuture::from(p).await.map(|_| ()).map_err(|e| why(&e))
}

/// The browser's reason, in words (a quota error names the quota).
fn why(e: &JsValue) -> String {
    get(e, "message").as_string().unwrap_or_else(|| "IndexedDB is not available here".to_string())
}

/// Adds `items` after those kept already.
pub async fn keep(items: &[Item]) -> Result<(), String> {
    let list = js_sys::Array::new();
    for item in items {
        let value = match item {
            Item::File(f) | Item::Named(_, f) => ("file", JsValue::from(f)),
            Item::Bytes(_, b) => ("bytes", js_sys::Uint8Array::from(b.as_slice()).into()),
        };
        list.push(&message(&[("name", item.name().into()), value]));
    }
    forget(keep_inputs(&list)).await
}

/// The inputs kept, in the order they were read.
pub async fn kept() -> Result<Vec<Item>, String> {
    let all = JsFuture::from(kept_inputs()).await.map_err(|e| why(&e))?;
    let mut out = Vec::new();
    for record in js_sys::Array::from(&all).iter() {
        let name = get(&record, "name").as_string().unwrap_or_default();
        if let Ok(file) = get(&record, "file").dyn_into::<web_sys::File>() {
            out.push(Item::Named(name, file));
        } else if let Ok(bytes) = get(&record, "bytes").dyn_into::<js_sys::Uint8Array>() {
            out.push(Item::Bytes(name, Rc::new(bytes.to_vec())));
        }
    }
    Ok(out)
}

/// Keeps the Lint text of kind `key`.
pub async fn keep_lint(key: &str, text: &str) -> Result<(), String> {
    forget(keep_text(key, text)).await
}

/// The Lint text kept for kind `key`, if any.
pub async fn kept_lint(key: &str) -> Option<String> {
    JsFuture::from(kept_text(key)).await.ok()?.as_string()
}

/// Asks the browser to warn before the page is left or reloaded (`on`), or not.
pub fn guard_unload(on: bool) {
    guard_unload_js(on);
}
