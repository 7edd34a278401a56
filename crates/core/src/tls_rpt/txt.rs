//! The `_smtp._tls` TXT record, RFC 8460 §3.
//!
//! ```text
//! tlsrpt-record     = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//! field-delim       = *WSP ";" *WSP
//! tlsrpt-field      = tlsrpt-rua /        ; Note that the
//!                     tlsrpt-extension    ; tlsrpt-rua record is
//!                                         ; required.
//! tlsrpt-version    = %s"v=TLSRPTv1"
//! tlsrpt-rua        = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//! tlsrpt-uri        = URI
//!                     ; "URI" is imported from [RFC3986]; commas (ASCII 0x2C),
//!                     ; exclamation points (ASCII 0x21), and semicolons
//!                     ; (ASCII 0x3B) MUST be encoded
//! tlsrpt-extension  = tlsrpt-ext-name "=" tlsrpt-ext-value
//! tlsrpt-ext-name   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//! tlsrpt-ext-value  = 1*(%x21-3A / %x3C / %x3E-7E)
//! ```
//!
//! "Two URI schemes are supported: "mailto" and "https"." RFC 8460 says nothing of a
//! repeated `rua`: the ABNF allows it, so it is valid here, with a warning that many
//! senders read only the first.

use serde::Serialize;

use crate::code::Code;
use crate::domain::check_domain;
use crate::finding::{Finding, Parsed, Span};
use crate::txt::{check_fields, parse_fields, select_and_parse, Codes, Dialect, Field, RecordText};

/// A usable `_smtp._tls` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsRptRecord {
    /// The report URIs of every `rua` field, in order, as written (invalid ones included;
    /// findings say which).
    pub rua: Vec<String>,
    /// Fields other than `v` and `rua`, in order, kept as written.
    pub extensions: Vec<(String, String)>,
}

pub(crate) static DIALECT: Dialect = Dialect {
    version: "v=TLSRPTv1",
    required: "rua",
    list_field: Some("rua"),
    codes: Codes {
        no_record: Code::TlsRptTxtNoRecord,
        multiple: Code::TlsRptTxtMultipleRecords,
        discarded: Code::TlsRptTxtRecordDiscarded,
        version_case: Code::TlsRptTxtVersionCase,
        version_not_first: Code::TlsRptTxtVersionNotFirst,
        leading_ws: Code::TlsRptTxtLeadingWhitespace,
        space_before_semicolon: Code::TlsRptTxtSpaceBeforeSemicolon,
        non_ascii: Code::TlsRptTxtNonAscii,
        missing_required: Code::TlsRptTxtMissingRua,
        duplicate: Code::TlsRptTxtDuplicateField,
        empty_field: Code::TlsRptTxtEmptyField,
        missing_value: Code::TlsRptTxtMissingValue,
        invalid_name: Code::TlsRptTxtInvalidFieldName,
        unexpected: Code::TlsRptTxtUnexpectedText,
        trailing_ws: Code::TlsRptTxtTrailingWhitespace,
        unknown: Code::TlsRptTxtUnknownField,
        misspelled: Code::TlsRptTxtMisspelledField,
    },
};

/// Splits a `rua` value into its URIs with their spans (record-text coordinates).
fn split_uris(field: &Field) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    let mut at = field.value_span.start;
    for part in field.value.split(',') {
        let lead = part.len().saturating_sub(part.trim_start_matches([' ', '\t']).len());
        let uri = part.trim_matches([' ', '\t']);
        out.push((uri, Span::new(at.saturating_add(lead), (at.saturating_add(lead)).saturating_add(uri.len()))));
        at = at.saturating_add(part.len().saturating_add(1));
    }
    out
}

/// RFC 3986 characters: unreserved, reserved and "%".
fn is_uri_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

fn check_uri(uri: &str, span: Span, findings: &mut Vec<Finding>) {
    let at = |i: usize, len: usize| {
        Span::new(span.start.saturating_add(i), (span.start.saturating_add(i)).saturating_add(len))
    };
    if uri.is_empty() {
        findings.push(Finding::new(Code::TlsRptTxtRuaEmptyUri, span, ""));
        return;
    }
    if let Some(i) = uri.find('!') {
        findings.push(Finding::new(Code::TlsRptTxtRuaUnencodedChar, at(i, 1), "\"!\" must be written %21"));
    }
    let bytes = uri.as_bytes();
    if let Some(i) = bytes.iter().position(|&b| !is_uri_char(b)) {
        let c = uri.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
        findings.push(Finding::new(
            Code::TlsRptTxtRuaNotUri,
            at(i, c.len_utf8()),
            format!("\"{c}\" is not allowed in a URI; percent-encode it"),
        ));
        return;
    }
    for (i, _) in uri.match_indices('%') {
        let hex = bytes.get(i.saturating_add(1)..i.saturating_add(3));
        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
            findings.push(Finding::new(
                Code::TlsRptTxtRuaBadPercent,
                at(i, hex.map_or(0, <[u8]>::len).saturating_add(1)),
                "",
            ));
            return;
        }
    }
    let scheme_ok = |s: &str| {
        s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    };
    let Some((scheme, rest)) = uri.split_once(':').filter(|(s, _)| scheme_ok(s)) else {
        findings.push(Finding::new(
            Code::TlsRptTxtRuaNotUri,
            span,
            format!("\"{uri}\" has no scheme such as mailto: or https:"),
        ));
        return;
    };
    match scheme.to_ascii_lowercase().as_str() {
        "mailto" => check_mailto(rest, at(scheme.len().saturating_add(1), rest.len()), findings),
        "https" => {
            // RFC 3986 §3.2: "//" [userinfo "@"] host [":" port]. Reports are posted over
            // TLS, so the host must be a DNS name or an IP address.
            let authority = rest.strip_prefix("//").and_then(|r| r.split(['/', '?', '#']).next()).unwrap_or("");
            let host_port = authority.rsplit('@').next().unwrap_or("");
            if let Err(why) = check_https_host(host_port) {
                findings.push(Finding::new(Code::TlsRptTxtRuaBadHttps, span, format!("\"{uri}\": {why}")));
            }
        }
        other => {
            let hint = if other == "http" { ": reports must go over https" } else { "" };
            findings.push(Finding::new(
                Code::TlsRptTxtRuaUnsupportedScheme,
                at(0, scheme.len()),
                format!("\"{scheme}\"{hint}"),
            ));
        }
    }
}

/// Checks the `host [":" port]` of an https URI.
fn check_https_host(host_port: &str) -> Result<(), String> {
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let (inner, after) = v6.split_once(']').ok_or("unclosed \"[\"")?;
        inner.parse::<std::net::Ipv6Addr>().map_err(|_| format!("\"{inner}\" is not an IPv6 address"))?;
        (None, after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(host_port), None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u16>().is_err() {
            return Err(format!("bad port \"{p}\""));
        }
    }
    match host {
        None => Ok(()),
        Some("") => Err("no host".to_string()),
        Some(h) if h.parse::<std::net::Ipv4Addr>().is_ok() => Ok(()),
        Some(h) => check_domain(h.trim_end_matches('.')).map_err(|e| e.detail),
    }
}

/// `mailto:addr-spec[,addr-spec...][?hfields]` (RFC 6068), where a comma between addresses
/// must itself be encoded as %2C here.
fn check_mailto(rest: &str, span: Span, findings: &mut Vec<Finding>) {
    let to = rest.split('?').next().unwrap_or("");
    if to.is_empty() {
        findings.push(Finding::new(Code::TlsRptTxtRuaBadMailto, span, "no address after \"mailto:\""));
        return;
    }
    let decoded = to.replace("%2C", ",").replace("%2c", ",").replace("%40", "@");
    for addr in decoded.split(',') {
        let Some((local, domain)) = addr.rsplit_once('@') else {
            findings.push(Finding::new(Code::TlsRptTxtRuaBadMailto, span, format!("\"{addr}\" has no \"@\"")));
            return;
        };
        if local.is_empty() {
            findings.push(Finding::new(
                Code::TlsRptTxtRuaBadMailto,
                span,
                format!("\"{addr}\" has an empty local part"),
            ));
            return;
        }
        if let Err(e) = check_domain(domain) {
            findings.push(Finding::new(
                Code::TlsRptTxtRuaBadMailto,
                span,
                format!("domain \"{domain}\": {}", e.detail),
            ));
            return;
        }
    }
}

fn interpret(text: &str) -> (TlsRptRecord, Vec<Finding>) {
    let (fields, mut findings) = parse_fields(text, &DIALECT);
    check_fields(&fields, &DIALECT, &["rua"], text.len(), &mut findings);
    let mut rua = Vec::new();
    for f in fields.iter().filter(|f| f.name == "rua" && !f.value.is_empty()) {
        for (uri, span) in split_uris(f) {
            check_uri(uri, span, &mut findings);
            if !uri.is_empty() {
                rua.push(uri.to_string());
            }
        }
    }
    let record = TlsRptRecord {
        rua,
        extensions: fields.iter().filter(|f| f.name != "rua").map(|f| (f.name.clone(), f.value.clone())).collect(),
    };
    (record, findings)
}

/// Applies RFC 8460 §3 to the TXT records found at `_smtp._tls.<domain>`.
pub fn parse_records(records: &[RecordText]) -> Parsed<Option<TlsRptRecord>> {
    let (value, findings) = select_and_parse(records, &DIALECT, interpret);
    Parsed { value, findings }
}

/// Parses one record given as its text (its strings already concatenated).
pub fn parse(text: &str) -> Parsed<Option<TlsRptRecord>> {
    parse_records(&[RecordText::raw(text, 0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, rua when valid, codes expected among the findings).
    type Case = (&'static str, Option<&'static [&'static str]>, &'static [&'static str]);
    const CASES: &[Case] = &[
        ("v=TLSRPTv1;rua=mailto:reports@example.com", Some(&["mailto:reports@example.com"]), &[]),
        (
            "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
            Some(&["https://reporting.example.com/v1/tlsrpt"]),
            &[],
        ),
        (
            "v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.com:12345/tlsrpt;",
            Some(&["mailto:a@example.com", "https://r.example.com:12345/tlsrpt"]),
            &[],
        ),
        (
            "v=TLSRPTv1; rua=mailto:tlsrpt@mox.example , \t\t https://mox.example/tlsrpt",
            Some(&["mailto:tlsrpt@mox.example", "https://mox.example/tlsrpt"]),
            &[],
        ),
        ("v=TLSRPTv1; rua=https://x.example/?a=b&c=d", Some(&["https://x.example/?a=b&c=d"]), &[]),
        ("v=TLSRPTv1; rua=mailto:a@example.com%2Cb@example.com", Some(&["mailto:a@example.com%2Cb@example.com"]), &[]),
        ("v=TLSRPTv1; rua=mailto:x@x.example; ext=yes", Some(&["mailto:x@x.example"]), &["tlsrpt-txt/unknown-field"]),
        (
            "v=TLSRPTv1 ; rua=mailto:x@x.example; rua=mailto:y@x.example",
            Some(&["mailto:x@x.example", "mailto:y@x.example"]),
            &["tlsrpt-txt/duplicate-field", "tlsrpt-txt/space-before-semicolon"],
        ),
        ("v=TLSRPTv1", None, &["tlsrpt-txt/missing-rua"]),
        ("v=TLSRPTv1; ext=1", None, &["tlsrpt-txt/missing-rua", "tlsrpt-txt/unknown-field"]),
        ("v=TLSRPTv1; rua=", None, &["tlsrpt-txt/missing-value"]),
        ("v=TLSRPTv1; rua=noscheme", None, &["tlsrpt-txt/rua-not-uri"]),
        ("v=TLSRPTv1; rua=not_a_valid_uri", None, &["tlsrpt-txt/rua-not-uri"]),
        ("v=TLSRPTv1; rua=,, ,", None, &["tlsrpt-txt/rua-empty-uri"]),
        ("v=TLSRPTv1; rua=!!", None, &["tlsrpt-txt/rua-not-uri", "tlsrpt-txt/rua-unencoded-char"]),
        ("v=TLSRPTv1; rua=http://bad/%", None, &["tlsrpt-txt/rua-bad-percent"]),
        ("v=TLSRPTv1; rua=http://example.com/r", None, &["tlsrpt-txt/rua-unsupported-scheme"]),
        ("v=TLSRPTv1; rua=mailto:", None, &["tlsrpt-txt/rua-bad-mailto"]),
        ("v=TLSRPTv1; rua=mailto:nobody", None, &["tlsrpt-txt/rua-bad-mailto"]),
        ("v=TLSRPTv1; rua=https:///path", None, &["tlsrpt-txt/rua-bad-https"]),
        ("v=TLSRPTv1; rua=https://r.example:99999/", None, &["tlsrpt-txt/rua-bad-https"]),
        ("v=TLSRPTv1; rua=https://r_x.example/", None, &["tlsrpt-txt/rua-bad-https"]),
        ("v=TLSRPTv1; rua=https://[2001:db8::1]:8443/r", Some(&["https://[2001:db8::1]:8443/r"]), &[]),
        ("v=TLSRPTv1; rua=https://u@192.0.2.1/r", Some(&["https://u@192.0.2.1/r"]), &[]),
        ("v=TLSRPTv1; rua=mailto:x@x.example other", None, &["tlsrpt-txt/unexpected-text"]),
        ("v=TLSRPTv1; rua=mailto:x@x.example  ", None, &["tlsrpt-txt/trailing-whitespace"]),
        ("v=TLSRPTv1; rua=mailto:x@x.example;;", None, &["tlsrpt-txt/empty-field"]),
        ("v=TLSRPTv1; ruf=mailto:x@x.example", None, &["tlsrpt-txt/missing-rua", "tlsrpt-txt/misspelled-field"]),
        ("v=TLSRPTv99;rua=mailto:reports@example.com", None, &["tlsrpt-txt/no-record", "tlsrpt-txt/record-discarded"]),
        ("not a tlsrpt record", None, &["tlsrpt-txt/no-record", "tlsrpt-txt/record-discarded"]),
    ];

    fn check(input: &str, rua: Option<&[&str]>, codes: &[&str]) {
        let parsed = parse(input);
        let got: Vec<&str> = parsed.findings.iter().map(|f| f.code.id()).collect();
        assert_eq!(parsed.is_valid(), rua.is_some(), "{input:?}: {got:?}");
        if let Some(rua) = rua {
            assert_eq!(
                parsed.value.as_ref().map(|r| r.rua.clone()),
                Some(rua.iter().map(|s| s.to_string()).collect()),
                "{input:?}"
            );
        }
        // The exact set of codes: a finding nobody expected fails the test too.
        let got_set: std::collections::BTreeSet<&str> = got.iter().copied().collect();
        let want: std::collections::BTreeSet<&str> = codes.iter().copied().collect();
        assert_eq!(got_set, want, "{input:?}");
    }

    #[test]
    fn table() {
        for &(input, rua, codes) in CASES {
            check(input, rua, codes);
        }
    }

    #[test]
    fn uri_findings_point_at_the_uri() {
        let p = parse("v=TLSRPTv1; rua=mailto:a@example.com,http://x.example/");
        let f = p.findings.iter().find(|f| f.code == Code::TlsRptTxtRuaUnsupportedScheme).unwrap();
        assert_eq!((f.span.start, f.span.end), (37, 41));
    }
}
