// Imported by src/services/files.rs (wasm-bindgen snippet).
import { yield_to_browser } from './timing.js';
export function dropped_files(dt) {
  const items = Array.from((dt && dt.items) || []).filter((i) => i.kind === 'file');
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  if (!entries.some((e) => e && e.isDirectory)) return Promise.resolve(Array.from((dt && dt.files) || []));
  const out = [];
  const walk = (entry, prefix) => new Promise((resolve) => {
    if (entry.isFile) {
      entry.file((f) => {
        try { Object.defineProperty(f, 'webkitRelativePath', { value: prefix + f.name }); } catch (_) {}
        out.push(f);
        resolve();
      }, () => resolve());
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      const children = [];
      const next = () => reader.readEntries((batch) => {
        if (batch.length) { children.push(...batch); next(); }
        else Promise.all(children.map((c) => walk(c, prefix + entry.name + '/'))).then(resolve);
      }, () => resolve());
      next();
    } else resolve();
  });
  return Promise.all(entries.filter(Boolean).map((e) => walk(e, ''))).then(() => out);
}

// A run of inputs read for the report worker: each source a File (read here) or an
// ArrayBuffer the page already has, named by names[i] or else by the file's path or name.
// Starts perTask reads per browser task (asking for a file costs the page 0.15–0.9 ms) and
// resolves to the worker's items, {name, bytes} or {name, error}, and the buffers to
// transfer. In JS rather than per file through wasm-bindgen: a read awaited in Rust cost
// the page a closure, a future and five crossings per file (about 0.2 s of its busy
// thread for 10,000 files; BENCHMARKS.md, session 9). The name rule is files::name's.
export async function read_inputs(sources, names, perTask) {
  const reads = [];
  for (let i = 0; i < sources.length; i++) {
    if (i > 0 && i % perTask === 0) await yield_to_browser();
    const s = sources[i];
    const name = names[i] ?? (s.webkitRelativePath || s.name);
    reads.push(s instanceof ArrayBuffer ? { name, bytes: s } : s.arrayBuffer().then(
      (bytes) => ({ name, bytes }),
      (e) => ({ name, error: `cannot read the file: ${(e && e.message) || 'unknown error'}` }),
    ));
  }
  const items = await Promise.all(reads);
  return { items, transfer: items.filter((i) => i.bytes).map((i) => i.bytes) };
}
