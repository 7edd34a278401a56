//! The MX probe's judgement (issue 11): what a hostile SMTP server can present — any chain
//! of DER, any dialogue outcome, any TLSA answer — at any time. Never a panic; a probe is
//! only valid with STARTTLS, a chain, and no certificate error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts_core::check::{DnsAnswer, Tlsa};
use mtasts_core::probe::{judge, Dialogue, Session, Trust};
use mtasts_core::Severity;

/// A real certificate (the mock's, DER), which the input edits byte by byte: random bytes
/// alone rarely get past the DER reader.
const REAL: &[u8] = include_bytes!("../../tests/mock/cert.der");

fuzz_target!(|input: (i64, u8, Vec<(u16, u8)>, Vec<&[u8]>, Vec<(u8, u8, u8, &[u8])>, bool)| {
    let (now, how, edits, extra, tlsa, ad) = input;
    let mut real = REAL.to_vec();
    for (at, b) in edits {
        let i = usize::from(at) % real.len();
        real[i] = b;
    }
    let chain: Vec<&[u8]> = std::iter::once(real.as_slice()).chain(extra).collect();
    let dialogue = match how % 7 {
        0 => Dialogue::Unreachable("refused".into()),
        1 => Dialogue::Timeout("EHLO".into()),
        2 => Dialogue::Rejected("STARTTLS".into(), "454 no".into()),
        3 => Dialogue::NoStarttls(vec!["250-mx".into(), "250 PIPELINING".into()]),
        4 => Dialogue::TlsFailed("alert".into()),
        5 => Dialogue::TooOld("alert".into()),
        _ => Dialogue::Tls { version: "TLSv1.3".into(), cipher: "TLS13_AES_128_GCM_SHA256".into() },
    };
    let trust = match how / 7 % 3 {
        0 => Trust::Trusted,
        1 => Trust::Untrusted("unknown issuer".into()),
        _ => Trust::Unknown,
    };
    let s = Session {
        host: "mx.example.com".into(),
        port: 25,
        banner: None,
        dialogue,
        chain: chain.iter().map(|c| c.to_vec()).collect(),
        trust,
    };
    let answer = DnsAnswer::Records {
        records: tlsa.iter().map(|(u, s, m, d)| Tlsa { usage: *u, selector: *s, matching: *m, data: d.to_vec() }).collect(),
        authenticated: ad,
        cnames: vec![],
    };
    let p = judge(&s, now, Some(&answer), None);
    if p.valid {
        assert!(p.starttls && !p.chain.is_empty());
        assert!(!p.findings.iter().any(|f| f.severity() == Severity::Error && f.code.id().starts_with("smtp/")), "{p:?}");
    }
});
