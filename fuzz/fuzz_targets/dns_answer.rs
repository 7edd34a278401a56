//! DNS answer decoding (RFC 8484 bodies): every decoder on the same bytes; what decodes as
//! records has the shape the check relies on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts_core::check::DnsAnswer;
use mtasts_core::dns::{self, Kind};

fuzz_target!(|data: &[u8]| {
    let mx = dns::decode_mx(data);
    if let DnsAnswer::Records { records, .. } = &mx.answer {
        for (_, host) in records {
            assert!(!host.is_empty(), "an MX host name is at least the root");
        }
    }
    let txt = dns::decode_txt(data);
    if let DnsAnswer::Records { records, .. } = &txt.answer {
        for strings in records {
            for s in strings {
                assert!(s.len() <= 255, "a character-string is at most 255 bytes");
            }
        }
    }
    let tlsa = dns::decode_tlsa(data);
    let a = dns::decode_address(data, Kind::A);
    let aaaa = dns::decode_address(data, Kind::Aaaa);
    std::hint::black_box((tlsa.answer.is_dane(), tlsa.raw.len(), mx.raw.len(), txt.raw.len()));
    let merged = dns::merge_addresses(a.answer, aaaa.answer);
    std::hint::black_box(merged);
});
