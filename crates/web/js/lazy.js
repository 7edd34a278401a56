// Imported by src/services/lazy.rs (wasm-bindgen snippet).
let root = null;
let loading = null;
export function show_reports(host, js, wasm) {
  if (!root) { root = document.createElement('div'); root.className = 'reports-root'; }
  host.appendChild(root);
  if (!loading) {
    const url = (p) => new URL(p, document.baseURI).href;
    loading = import(url(js)).then(async (m) => { await m.default({ module_or_path: url(wasm) }); m.mount(root); });
    loading.catch(() => { loading = null; });
  }
  return loading;
}
