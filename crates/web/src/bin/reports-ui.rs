//! The pages that are not on the start page, as their own module: the start page loads it
//! (with `services::lazy`) only when `#/reports` or `#/lint/certificate` opens, so the
//! dashboard's code and the X.509 reader are not part of the start page's download. The
//! report analyser is mounted once into the element it is given, which the start page keeps
//! across routes, so dropped reports survive navigation; the certificate tab is mounted
//! afresh for each host.

use std::cell::RefCell;

use mtasts_web::components::certificate::{CertificatePage, CertificateProps};
use wasm_bindgen::prelude::*;

/// Mounts the report analyser into `root`; `text` answers the finding table's words (the
/// start page's, see `mtasts_web::text`).
#[wasm_bindgen]
pub fn mount(root: web_sys::Element, text: js_sys::Function) {
    mtasts_web::text::borrow_from(text);
    yew::Renderer::<mtasts_web::components::reports::ReportsPage>::with_root(root).render();
}

thread_local! {
    /// The certificate tab on show, replaced when another host's opens.
    static CERTIFICATE: RefCell<Option<yew::AppHandle<CertificatePage>>> = const { RefCell::new(None) };
}

/// Mounts the MX certificate tab for host `mx` into `root`; `text` as for [`mount`].
#[wasm_bindgen]
pub fn mount_certificate(root: web_sys::Element, mx: String, text: js_sys::Function) {
    mtasts_web::text::borrow_from(text);
    CERTIFICATE.with(|c| {
        if let Some(old) = c.borrow_mut().take() {
            old.destroy();
        }
        let app = yew::Renderer::<CertificatePage>::with_root_and_props(root, CertificateProps { host: mx }).render();
        *c.borrow_mut() = Some(app);
    });
}

fn main() {}
