//! Report emails through DKIM verification's pure part: every `DKIM-Signature` field becomes
//! one decided signature or one pending key lookup (at most MAX_SIGNATURES), and a key
//! record read for it (the input after its first NUL byte) gives a key of the signature's
//! own algorithm or a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts_core::tls_rpt::dkim::{judge, prepare, Algorithm, Lookup, Step, MAX_SIGNATURES};

fuzz_target!(|data: &[u8]| {
    let (email, record) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], data[i + 1..].to_vec()),
        None => (data, b"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".to_vec()),
    };
    let prepared = prepare(email, Some(1_800_000_000));
    assert!(prepared.steps.len() <= MAX_SIGNATURES);
    let records = [record];
    let signatures: Vec<_> = prepared
        .steps
        .into_iter()
        .map(|step| match step {
            Step::Done(s) => s,
            Step::Key(pending) => {
                assert!(pending.key_name().contains("._domainkey."));
                match pending.with_key(Lookup::Records(&records)) {
                    Ok(ready) => {
                        if ready.key.algorithm == Algorithm::Ed25519Sha256 {
                            assert_eq!(ready.key.public.len(), 32);
                            assert_eq!(ready.signed().len(), 32, "Ed25519 signs the SHA-256 of the data");
                        }
                        ready.conclude(false)
                    }
                    Err(s) => s,
                }
            }
        })
        .collect();
    std::hint::black_box(judge(&signatures, prepared.reporting_domain.as_deref()));
});
