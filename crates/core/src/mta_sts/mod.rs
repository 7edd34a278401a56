//! MTA-STS, RFC 8461: the `_mta-sts` TXT record, the policy file, MX patterns, and the
//! policy host's certificate.

pub mod cert;
pub mod coverage;
pub mod fetch;
pub mod mx;
pub mod policy;
pub mod txt;
