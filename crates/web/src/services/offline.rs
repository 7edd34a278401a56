//! Working offline: the service worker (`www/sw.js`, written per build by
//! `www/post_build.py`) is registered once the page is loaded and the browser is idle, so
//! that its precaching (the app shell and the report worker) never competes with the
//! start page; and whether the browser says it is online, for the Check page.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(inline_js = r#"
export function register_service_worker() {
  if (!('serviceWorker' in navigator)) return;
  // Offline, registering would only log a failed fetch: wait for the network.
  const go = () => (navigator.onLine ? navigator.serviceWorker.register('./sw.js').catch(() => {}) : addEventListener('online', go, { once: true }));
  const idle = () => (self.requestIdleCallback ? requestIdleCallback(go, { timeout: 5000 }) : setTimeout(go, 1000));
  if (document.readyState === 'complete') idle(); else addEventListener('load', idle, { once: true });
}
export function is_online() {
  return navigator.onLine !== false;
}
"#)]
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
