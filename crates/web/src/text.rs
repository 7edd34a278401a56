//! The finding table's words (message, fix, RFC section) as the page shows them.
//!
//! The start page's module has core's table. The on-demand module (`reports-ui`, built with
//! the `borrowed-text` feature) does not carry a second copy (7 KB gzipped of the 700 KiB
//! total, issue 14): the start page lends it a function that answers from its own table
//! ([`lender`], passed in by `services::lazy`), and [`text`] asks that. Native builds and
//! tests always read core's table.

use mtasts_core::{Code, Finding};

/// A code's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// "RFC 8461 §3.2".
    pub rfc_label: String,
    /// A link to that section.
    pub rfc_url: String,
}

#[cfg(not(feature = "borrowed-text"))]
fn own(code: Code) -> Text {
    let info = code.info();
    Text { message: info.message.into(), fix: info.fix.into(), rfc_label: info.rfc.label(), rfc_url: info.rfc.url() }
}

/// `code`'s words.
#[cfg(not(feature = "borrowed-text"))]
pub fn text(code: Code) -> Text {
    own(code)
}

#[cfg(feature = "borrowed-text")]
thread_local! {
    static LENT: std::cell::RefCell<Option<js_sys::Function>> = const { std::cell::RefCell::new(None) };
    /// The words asked so far, by code: a 10,000-message mailbox's findings asked the start
    /// page once each, an 87 ms task; a batch has a few dozen distinct codes.
    static ASKED: std::cell::RefCell<Vec<(Code, Text)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps the start page's lender ([`lender`]) for [`text`].
#[cfg(feature = "borrowed-text")]
pub fn borrow_from(lender: js_sys::Function) {
    LENT.with(|l| *l.borrow_mut() = Some(lender));
}

/// `code`'s words, asked of the start page's module (its id when it cannot answer).
#[cfg(feature = "borrowed-text")]
pub fn text(code: Code) -> Text {
    if let Some(t) = ASKED.with(|a| a.borrow().iter().find(|(c, _)| *c == code).map(|(_, t)| t.clone())) {
        return t;
    }
    let words =
        LENT.with(|l| l.borrow().as_ref().and_then(|f| f.call1(&wasm_bindgen::JsValue::NULL, &code.id().into()).ok()));
    let words = words.map(|w| js_sys::Array::from(&w)).unwrap_or_default();
    let word = |i: u32| words.get(i).as_string().unwrap_or_default();
    let message = Some(word(0)).filter(|m| !m.is_empty()).unwrap_or_else(|| code.id().to_string());
    let text = Text { message, fix: word(1), rfc_label: word(2), rfc_url: word(3) };
    if !text.fix.is_empty() {
        ASKED.with(|a| a.borrow_mut().push((code, text.clone())));
    }
    text
}

/// Without `borrowed-text` the module has its own table and keeps nothing.
#[cfg(not(feature = "borrowed-text"))]
pub fn borrow_from(_lender: js_sys::Function) {}

/// On the start page: the function lent to the on-demand module, `id → [message, fix,
/// rfc_label, rfc_url]` from this module's table.
#[cfg(not(feature = "borrowed-text"))]
pub fn lender() -> wasm_bindgen::JsValue {
    use wasm_bindgen::prelude::Closure;
    thread_local! {
        static LENDER: wasm_bindgen::JsValue = Closure::<dyn Fn(String) -> js_sys::Array>::new(|id: String| {
            let words = js_sys::Array::new();
            if let Some(t) = Code::from_id(&id).map(own) {
                for w in [t.message, t.fix, t.rfc_label, t.rfc_url] {
                    words.push(&w.into());
                }
            }
            words
        })
        .into_js_value();
    }
    LENDER.with(Clone::clone)
}

/// The full message of `f`: its code's message, then its detail.
pub fn message(f: &Finding) -> String {
    f.message_with(&text(f.code).message)
}
