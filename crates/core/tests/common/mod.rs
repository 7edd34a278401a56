//! Finding the shared corpus: `$MTASTS_CORPUS`, or `../shared/corpus` beside the repository.
//! A missing corpus fails loudly; no test silently skips it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

#[path = "../support/spans.rs"]
mod spans;
#[allow(unused_imports)] // Not every test file checks spans.
pub use spans::assert_spans;

pub fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MTASTS_CORPUS") {
        return PathBuf::from(dir);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(dir.is_dir(), "corpus not found at {} (set MTASTS_CORPUS)", dir.display());
    dir
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Report inputs in the corpus: everything but the vector files and documentation.
pub fn report_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !(name.ends_with("vectors.json") || name.ends_with(".tsv") || name.ends_with(".md"))
        })
        .collect()
}
