//! SMTP TLS Reporting, RFC 8460: the `_smtp._tls` TXT record, and the reports senders
//! deliver: reading them from any container they arrive in, and adding them up.

pub mod batch;
pub mod dkim;
pub mod export;
pub mod input;
pub(crate) mod json;
pub mod mime;
pub mod readiness;
pub mod report;
pub mod summary;
pub mod txt;
