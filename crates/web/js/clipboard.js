// Imported by src/services/files.rs (wasm-bindgen snippet).
export function copy_to_clipboard(text) {
  if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).catch(() => {});
}
