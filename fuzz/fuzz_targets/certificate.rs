//! The policy host's certificate reader: arbitrary DER at an arbitrary time. A certificate
//! without a name-mismatch finding has a DNS-ID for the host.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts_core::mta_sts::cert::{dns_id_matches, inspect};
use mtasts_core::Code;

const HOST: &str = "mta-sts.example.com";

fuzz_target!(|input: (i64, &[u8])| {
    let (now, der) = input;
    let p = inspect(der, HOST, now);
    match &p.value {
        Some(info) => {
            let mismatch = p.findings.iter().any(|f| f.code == Code::CertNameMismatch);
            assert_eq!(mismatch, !info.dns_names.iter().any(|id| dns_id_matches(id, HOST)));
            let expired = p.findings.iter().any(|f| f.code == Code::CertExpired);
            assert_eq!(expired, now > info.not_after && now >= info.not_before);
        }
        None => assert!(p.findings.iter().any(|f| f.code == Code::CertUnreadable)),
    }
});
