// Imported by src/services/store.rs (wasm-bindgen snippet): what the user chose to keep
// across reloads, in this browser's IndexedDB (database "mtasts": "inputs" holds report
// inputs in the order read, as {name, file} or {name, bytes}; "text" holds the Lint boxes'
// text by kind), the two opt-in switches and the DKIM opt-out in localStorage. Nothing here leaves the
// browser.
const open = () => new Promise((resolve, reject) => {
  const r = indexedDB.open('mtasts', 1);
  r.onupgradeneeded = () => {
    r.result.createObjectStore('inputs', { autoIncrement: true });
    r.result.createObjectStore('text');
  };
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});
const run = (store, mode, use) => open().then((db) => new Promise((resolve, reject) => {
  const tx = db.transaction(store, mode);
  const req = use(tx.objectStore(store));
  tx.oncomplete = () => { db.close(); resolve(req ? req.result : undefined); };
  tx.onerror = tx.onabort = () => { db.close(); reject(tx.error || new Error('the browser refused to store it')); };
}));
export function keep_inputs(items) { return run('inputs', 'readwrite', (s) => { for (const i of items) s.add(i); }); }
export function kept_inputs() { return run('inputs', 'readonly', (s) => s.getAll()); }
export function forget_inputs() { return run('inputs', 'readwrite', (s) => s.clear()); }
export function keep_text(key, text) { return run('text', 'readwrite', (s) => s.put(text, key)); }
export function kept_text(key) { return run('text', 'readonly', (s) => s.get(key)); }
export function forget_text() { return run('text', 'readwrite', (s) => s.clear()); }
export function keeping(what) {
  try { return localStorage.getItem('mtasts.keep.' + what) === 'yes'; } catch (_) { return false; }
}
export function set_keeping(what, on) {
  try { if (on) localStorage.setItem('mtasts.keep.' + what, 'yes'); else localStorage.removeItem('mtasts.keep.' + what); } catch (_) {}
}
// Switches that are on unless the user turned them off (checking report emails' DKIM).
export function is_off(what) {
  try { return localStorage.getItem('mtasts.off.' + what) === 'yes'; } catch (_) { return false; }
}
export function set_off(what, off) {
  try { if (off) localStorage.setItem('mtasts.off.' + what, 'yes'); else localStorage.removeItem('mtasts.off.' + what); } catch (_) {}
}
let guard = null;
export function guard_unload(on) {
  if (on && !guard) { guard = (e) => { e.preventDefault(); e.returnValue = ''; }; addEventListener('beforeunload', guard); }
  if (!on && guard) { removeEventListener('beforeunload', guard); guard = null; }
}
