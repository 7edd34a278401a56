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
        common::assert_spans(kind, input, &l.findings);
        assert_eq!(l.is_valid(), !l.findings.iter().any(|f| f.severity() == mtasts_core::Severity::Error));
        for f in &l.findings {
            let _ = f.message();
        }
    }
    let text = String::from_utf8_lossy(input);
    for line in text.lines().take(20) {
        let _ = MxPattern::parse(line);
        let _ = normalize_host(line);
    }
    let mut b = Batch::new(Limits { max_decompressed: 1 << 20, max_member: 1 << 20, max_parts: 20, max_reports: 50 });
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

/// A DNS response to `query` carrying `answers` (type, rdata), each owned by a compression
/// pointer to the question's name: the shape a resolver sends.
fn response(query: &[u8], answers: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut m = query.to_vec();
    m[2] |= 0x80; // QR: response
    m[3] |= 0x20; // AD
    m[6..8].copy_from_slice(&(answers.len() as u16).to_be_bytes());
    for (rtype, rdata) in answers {
        m.extend_from_slice(&[0xc0, 12]);
        m.extend_from_slice(&rtype.to_be_bytes());
        m.extend_from_slice(&[0, 1, 0, 0, 1, 44]);
        m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        m.extend_from_slice(rdata);
    }
    m
}

#[test]
fn no_dns_answer_or_typed_domain_makes_core_panic() {
    use mtasts_core::check::{evaluate, normalize_domain, Answers, DnsAnswer, PolicyFetch};
    use mtasts_core::dns::{self, Kind};

    let q = dns::query("example.com", Kind::Mx).unwrap();
    let mut mx = vec![0, 10, 3];
    mx.extend_from_slice(b"mx1");
    mx.extend_from_slice(&[0xc0, 12]);
    let seeds = [
        response(&q, &[(15, mx.clone()), (15, vec![0, 0, 0])]),
        response(&q, &[(16, b"\x09v=STSv1; \x04id=1".to_vec())]),
        response(&q, &[(52, [&[3u8, 1, 1][..], &[0xab; 32]].concat())]),
        response(&q, &[(5, vec![0xc0, 12]), (1, vec![192, 0, 2, 1]), (28, vec![0; 16])]),
        response(&q, &[(99, vec![1, 2, 3]), (15, mx)]),
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut runs = 0;
    for seed in &seeds {
        for i in 0..400 {
            let m = if i == 0 { seed.clone() } else { mutate(seed, &mut rng) };
            let result = std::panic::catch_unwind(|| {
                let txt = dns::decode_txt(&m);
                let answers = Answers {
                    mx: dns::decode_mx(&m).answer,
                    sts_txt: txt.answer.clone(),
                    tlsrpt_txt: txt.answer,
                    policy_host: dns::merge_addresses(
                        dns::decode_address(&m, Kind::A).answer,
                        dns::decode_address(&m, Kind::Aaaa).answer,
                    ),
                    policy: PolicyFetch::pasted(&String::from_utf8_lossy(&m)),
                    tlsa: vec![("mx1.example.com".into(), dns::decode_tlsa(&m).answer)],
                    second: None,
                    certificate: Some(m.clone()),
                    now: 0,
                };
                let _ = evaluate("example.com", &answers);
                let _ = normalize_domain(&String::from_utf8_lossy(&m));
                let _ = matches!(answers.mx, DnsAnswer::Records { .. });
            });
            assert!(result.is_ok(), "panic on DNS message {m:02x?}");
            runs += 1;
        }
    }
    // The seeds themselves decode.
    assert!(matches!(dns::decode_mx(&seeds[0]).answer, DnsAnswer::Records { ref records, .. } if records.len() == 2));
    assert!(
        matches!(dns::decode_txt(&seeds[1]).answer, DnsAnswer::Records { ref records, .. } if records[0].concat() == b"v=STSv1; id=1")
    );
    assert!(
        matches!(dns::decode_tlsa(&seeds[2]).answer, DnsAnswer::Records { ref records, .. } if records[0].data.len() == 32)
    );
    println!("no-panic: {runs} DNS messages through the decoders and the check");
}
