//! The policy host's certificate, for a caller that can see it (the CLI; a browser cannot).
//!
//! RFC 8461 §3.3: the Policy Host "MUST present an X.509 certificate that is valid for the
//! "mta-sts" DNS-ID [...], chain to a root CA that is trusted by the Sending MTA, and be
//! non-expired"; "Matching is performed only against the DNS-ID identifiers" and a
//! wildcard may only be the complete left-most label. The chain is the TLS library's job;
//! this reads the leaf: its DNS-IDs against the host, and its validity against `now`,
//! which the caller passes (core reads no clock).

#[cfg(feature = "probe")]
use x509_cert::der::oid::AssociatedOid;
#[cfg(feature = "probe")]
use x509_cert::der::Decode;
#[cfg(feature = "probe")]
use x509_cert::ext::pkix::name::GeneralName;
#[cfg(feature = "probe")]
use x509_cert::ext::pkix::SubjectAltName;
#[cfg(feature = "certificate")]
use x509_cert::Certificate;

#[cfg(feature = "certificate")]
use crate::code::Code;
use crate::finding::Parsed;
#[cfg(feature = "certificate")]
use crate::finding::{Finding, Span};
use crate::mta_sts::mx::any_matches;

/// Renew warnings start this close to expiry (certificate automation such as ACME renews
/// with 30 days left, so 14 means renewal has been failing for two weeks).
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// What the leaf certificate says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertInfo {
    /// Subject, RFC 4514 form.
    pub subject: String,
    /// Issuer, RFC 4514 form.
    pub issuer: String,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// The DNS-IDs (subjectAltName dNSName entries).
    pub dns_names: Vec<String>,
}

/// Does DNS-ID `id` (maybe `*.example.com`) cover `host`? RFC 6125 §6.4.3 as RFC 8461 §3.3
/// narrows it: a wildcard only as the whole left-most label, matching exactly one label,
/// which is the policy's mx rule (§4.1), so the mx matcher decides; a wildcard directly
/// over a single label (`*.com`) covers nothing.
pub fn dns_id_matches(id: &str, host: &str) -> bool {
    let id = id.trim().trim_end_matches('.');
    let over_one_label = id.strip_prefix("*.").is_some_and(|parent| !parent.contains('.'));
    !over_one_label && any_matches([id], host)
}

/// Reads the DER `leaf` certificate of `host` at Unix time `now`. Without the
/// `certificate` feature (the web build: a browser never sees a certificate) nothing is read.
#[cfg(not(feature = "certificate"))]
pub fn inspect(_leaf: &[u8], _host: &str, _now: i64) -> Parsed<Option<CertInfo>> {
    Parsed { value: None, findings: Vec::new() }
}

/// A distinguished name in RFC 4514 form ("CN=mx.example.com,O=Example"): the last RDN
/// first, attribute types by their short names. x509-cert's own `Display` looks names up
/// in const-oid's database of every OID, which alone added ~200 KB to the report worker.
#[cfg(feature = "probe")]
pub(crate) fn name(n: &x509_cert::name::Name) -> String {
    use x509_cert::der::{Tag, Tagged};
    let short = |oid: &x509_cert::der::oid::ObjectIdentifier| match oid.to_string().as_str() {
        "2.5.4.3" => "CN".to_string(),
        "2.5.4.6" => "C".to_string(),
        "2.5.4.7" => "L".to_string(),
        "2.5.4.8" => "ST".to_string(),
        "2.5.4.10" => "O".to_string(),
        "2.5.4.11" => "OU".to_string(),
        "2.5.4.5" => "serialNumber".to_string(),
        "0.9.2342.19200300.100.1.25" => "DC".to_string(),
        "1.2.840.113549.1.9.1" => "emailAddress".to_string(),
        other => other.to_string(),
    };
    let value = |v: &x509_cert::der::Any| {
        let text = match v.tag() {
            Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString | Tag::VisibleString => {
                String::from_utf8_lossy(v.value()).into_owned()
            }
            _ => format!("#{}", v.value().iter().map(|b| format!("{b:02x}")).collect::<String>()),
        };
        // RFC 4514 §2.4: escape the characters that delimit.
        text.chars().fold(String::new(), |mut out, c| {
            if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
                out.push('\\');
            }
            out.push(c);
            out
        })
    };
    n.0.iter()
        .rev()
        .map(|rdn| rdn.0.iter().map(|a| format!("{}={}", short(&a.oid), value(&a.value))).collect::<Vec<_>>().join("+"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The subjectAltName dNSName entries (the DNS-IDs) of a certificate.
#[cfg(feature = "probe")]
pub(crate) fn dns_names(tbs: &x509_cert::TbsCertificate) -> Vec<String> {
    let mut out = Vec::new();
    for ext in tbs.extensions.iter().flatten() {
        if ext.extn_id == SubjectAltName::OID {
            if let Ok(san) = SubjectAltName::from_der(ext.extn_value.as_bytes()) {
                for name in san.0 {
                    if let GeneralName::DnsName(n) = name {
                        out.push(n.to_string());
                    }
                }
            }
        }
    }
    out
}

/// Reads the DER `leaf` certificate of `host` at Unix time `now`.
#[cfg(feature = "certificate")]
pub fn inspect(leaf: &[u8], host: &str, now: i64) -> Parsed<Option<CertInfo>> {
    let mut findings = Vec::new();
    let cert = match Certificate::from_der(leaf) {
        Ok(c) => c,
        Err(e) => {
            findings.push(Finding::new(Code::CertUnreadable, Span::at(0), e.to_string()));
            return Parsed { value: None, findings };
        }
    };
    let tbs = &cert.tbs_certificate;
    let secs = |t: x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    let dns_names = dns_names(tbs);
    let info = CertInfo {
        subject: name(&tbs.subject),
        issuer: name(&tbs.issuer),
        not_before: secs(tbs.validity.not_before),
        not_after: secs(tbs.validity.not_after),
        dns_names,
    };
    let day = 86_400;
    if !info.dns_names.iter().any(|id| dns_id_matches(id, host)) {
        let ids = if info.dns_names.is_empty() { "none".to_string() } else { info.dns_names.join(", ") };
        findings.push(Finding::new(
            Code::CertNameMismatch,
            Span::at(0),
            format!("{host} is not among its DNS-IDs: {ids}"),
        ));
    }
    if now < info.not_before {
        findings.push(Finding::new(
            Code::CertNotYetValid,
            Span::at(0),
            format!("valid from {}", date(info.not_before)),
        ));
    } else if now > info.not_after {
        findings.push(Finding::new(Code::CertExpired, Span::at(0), format!("expired {}", date(info.not_after))));
    } else if info.not_after.saturating_sub(now) < EXPIRY_WARNING_DAYS * day {
        let days = (info.not_after.saturating_sub(now)) / day;
        findings.push(Finding::new(
            Code::CertExpiresSoon,
            Span::at(0),
            format!("expires {} ({days} day{} from now)", date(info.not_after), if days == 1 { "" } else { "s" }),
        ));
    }
    Parsed { value: Some(info), findings }
}

/// Unix seconds as an RFC 3339 date ("2026-11-29").
pub fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_else(|_| format!("@{unix}"))
}

#[cfg(all(test, feature = "certificate"))]
mod tests {
    use super::*;
    use base64::Engine;

    /// The mock server's certificate (tests/mock/make-certs.sh).
    fn mock_cert() -> Vec<u8> {
        let pem = include_str!("../../../../tests/mock/cert.pem");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
    }

    fn codes(p: &Parsed<Option<CertInfo>>) -> Vec<&'static str> {
        p.findings.iter().map(|f| f.code.id()).collect()
    }

    #[test]
    fn dns_ids() {
        assert!(dns_id_matches("mta-sts.example.com", "MTA-STS.example.com."));
        assert!(dns_id_matches("*.example.com", "mta-sts.example.com"));
        assert!(!dns_id_matches("*.example.com", "a.mta-sts.example.com"), "one label only");
        assert!(!dns_id_matches("*.com", "example.com"), "no wildcard over a public suffix-like single label");
        assert!(!dns_id_matches("mta-sts.example.com", "example.com"));
    }

    #[test]
    fn the_mock_certificate() {
        let der = mock_cert();
        let p = inspect(&der, "mta-sts.good.test", 1_800_000_000);
        let info = p.value.clone().unwrap();
        assert!(info.dns_names.contains(&"mta-sts.good.test".to_string()), "{:?}", info.dns_names);
        assert!(info.issuer.contains("mtasts test CA"), "{}", info.issuer);
        assert!(codes(&p).is_empty(), "{:?}", codes(&p));

        assert_eq!(codes(&inspect(&der, "mta-sts.example.com", 1_800_000_000)), ["sts-host/cert-name-mismatch"]);
        assert_eq!(
            codes(&inspect(&der, "mta-sts.good.test", info.not_after - 5 * 86_400)),
            ["sts-host/cert-expires-soon"]
        );
        let late = inspect(&der, "mta-sts.good.test", info.not_after + 1);
        assert_eq!(codes(&late), ["sts-host/cert-expired"]);
        assert!(late.findings[0].detail.starts_with("expired 21"), "{}", late.findings[0].detail);
        assert_eq!(codes(&inspect(&der, "mta-sts.good.test", info.not_before - 1)), ["sts-host/cert-not-yet-valid"]);
        assert_eq!(codes(&inspect(&der[..40], "x", 0)), ["sts-host/cert-unreadable"]);
        assert_eq!(date(0), "1970-01-01");
    }
}
