//! Working offline: the service worker (`www/sw.js`, written per build by
//! `www/post_build.py`) is registered once the page is loaded and the browser is idle, so
//! that its precaching (the app shell and the report worker) never competes with the
//! start page; and whether the browser says it is online, for the Check page.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(module = "/js/offline.js")]
extern "C" {
    fn register_service_worker();
    fn is_online() -> bool;
}

/// Registers the service worker after load, when the browser is idle.
pub fn register() {
    register_service_worker();
}

/// False when the browser knows it has no network.
pub fn online() -> bool {
    is_online()
}
