//! The report analyser's page, as its own module: the start page loads it (with
//! `services::lazy`) only when `#/reports` opens, so the dashboard's code is not part of
//! the start page's download. It mounts the Yew component into the element it is given,
//! which the start page keeps across routes, so dropped reports survive navigation.

use wasm_bindgen::prelude::*;

/// Mounts the report analyser into `root`.
#[wasm_bindgen]
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<mtasts_web::components::reports::ReportsPage>::with_root(root).render();
}

fn main() {}
