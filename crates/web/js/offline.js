// Imported by src/services/offline.rs (wasm-bindgen snippet).
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
