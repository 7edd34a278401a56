// Imported by src/services/files.rs (wasm-bindgen snippet).
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
