//! MTA-STS, RFC 8461: the `_mta-sts` TXT record, the policy file, and MX patterns.

pub mod coverage;
pub mod fetch;
pub mod mx;
pub mod policy;
pub mod txt;
