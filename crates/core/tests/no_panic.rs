//! Core promises never to panic on input. Every corpus input, and thousands of mutations
//! of them (truncations, byte flips, insertions; deterministic), go through every entry
//! point; the test fails on the first panic and names the input that caused it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // Test code may panic.

mod common;

use common::{corpus_dir, files_under};
use mtasts_core::lint::{lint, Kind};
use mtasts_core::mta_sts::mx::{normalize_host, MxPattern};
use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::input::Limits;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NASTY: &[u8] = b"\x00\xff\xfe;:=,!%\"\\\r\n\t *.[]{}<>\xc3\xa9\xe2\x80\xae";

fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(4) {
            0 if !v.is_empty() => v.truncate(rng.below(v.len())),
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = NASTY[rng.below(NASTY.len())];
            }
            2 => {
                let i = rng.below(v.len() + 1);
                v.insert(i, NASTY[rng.below(NASTY.len())]);
            }
            _ if !v.is_empty() => {
                let i = rng.below(v.len());
                v.remove(i);
            }
            _ => v.push(b'x'),
        }
    }
    v
}

fn exercise(input: &[u8]) {
    for kind in Kind::ALL {
        let l = lint(kind, input);
        for f in &l.findings {
            let _ = f.message();
            assert!(f.span.start <= f.span.end);
        }
    }
    let text = String::from_utf8_lossy(input);
    for line in text.lines().take(20) {
        let _ = MxPattern::parse(line);
        let _ = normalize_host(line);
    }
    let mut b = Batch::new(Limits { max_decompressed: 1 << 20, max_parts: 20, max_reports: 50 });
    b.add("fuzz", input);
}

#[test]
fn no_input_makes_core_panic() {
    let dir = corpus_dir();
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for f in files_under(&dir) {
        let bytes = std::fs::read(&f).unwrap();
        if f.file_name().is_some_and(|n| n.to_string_lossy().ends_with("vectors.json")) {
            // Each vector's input is a seed of its own.
            let vectors: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            for v in vectors.as_array().into_iter().flatten() {
                if let Some(s) = v["input"].as_str() {
                    seeds.push(s.as_bytes().to_vec());
                }
            }
        } else if bytes.len() < 64 * 1024 {
            seeds.push(bytes);
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut runs = 0;
    for seed in &seeds {
        let result = std::panic::catch_unwind(|| exercise(seed));
        assert!(result.is_ok(), "panic on corpus input {:?}", String::from_utf8_lossy(seed));
        for _ in 0..12 {
            let m = mutate(seed, &mut rng);
            let result = std::panic::catch_unwind(|| exercise(&m));
            assert!(result.is_ok(), "panic on mutated input {:?}", String::from_utf8_lossy(&m));
            runs += 1;
        }
    }
    println!("no-panic: {} seeds, {runs} mutations, every entry point", seeds.len());
}
