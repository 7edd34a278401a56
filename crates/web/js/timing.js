// Imported by src/services/files.rs (wasm-bindgen snippet).
export function sleep_ms(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
export function yield_to_browser() {
  if (globalThis.scheduler && typeof globalThis.scheduler.yield === 'function') return globalThis.scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}
