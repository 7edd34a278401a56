// Imported by src/services/lazy.rs (wasm-bindgen snippet).
let module = null;
function load(js, wasm) {
  if (!module) {
    const url = (p) => new URL(p, document.baseURI).href;
    module = import(url(js)).then(async (m) => { await m.default({ module_or_path: url(wasm) }); return m; });
    module.catch(() => { module = null; });
  }
  return module;
}
let root = null;
let mounted = false;
// `text` is the start page's lender of the finding table's words (src/text.rs).
export function show_reports(host, js, wasm, text) {
  if (!root) { root = document.createElement('div'); root.className = 'reports-root'; }
  host.appendChild(root);
  return load(js, wasm).then((m) => { if (!mounted) { m.mount(root, text); mounted = true; } });
}
export function show_certificate(host, js, wasm, mx, text) {
  return load(js, wasm).then((m) => m.mount_certificate(host, mx, text));
}
