//! The HTTPS policy fetch as a sender sees it, checked from a captured response: the
//! output of `curl -sS -D - --max-redirs 0 https://mta-sts.<domain>/.well-known/mta-sts.txt`
//! (status line, header fields, a blank line, the body).
//!
//! RFC 8461 §3.3: "Policies fetched via HTTPS are only valid if the HTTP response code is
//! 200 (OK). HTTP 3xx redirects MUST NOT be followed". §3.2: "senders SHOULD validate that
//! the media type is "text/plain" [...] All parameters other than charset=utf-8 or
//! charset=us-ascii are ignored." The body is then an ordinary policy ([`super::policy`]).
//!
//! This module reads text someone pasted; it fetches nothing. Certificate checks need the
//! TLS handshake and are not here.

use crate::code::Code;
use crate::finding::{Finding, Parsed, Span};
use crate::mta_sts::policy::{self, StsPolicy};

/// What the captured response said.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FetchResult {
    /// The status code of the last response in the capture (a redirect before it is an
    /// error finding of its own).
    pub status: Option<u16>,
    /// Its Content-Type, as sent.
    pub content_type: Option<String>,
    /// Its Location, for a redirect.
    pub location: Option<String>,
    /// The policy read from the body, when the status is 200.
    pub policy: Option<StsPolicy>,
}

/// One response in the capture: where its header block and body are.
struct Captured {
    status: u16,
    status_span: Span,
    headers: Vec<(String, String, Span)>,
    body_start: usize,
}

fn line_end(text: &str, from: usize) -> (usize, usize) {
    match text.get(from..).and_then(|t| t.find('\n')) {
        Some(p) => {
            let end = from.saturating_add(p);
            let content_end =
                if text.get(..end).is_some_and(|t| t.ends_with('\r')) { end.saturating_sub(1) } else { end };
            (content_end, end.saturating_add(1))
        }
        None => (text.len(), text.len()),
    }
}

/// Reads responses from `at` while the text continues with an HTTP status line (curl
/// prints one header block per response, for example after a `100 Continue`).
fn responses(text: &str) -> Vec<Captured> {
    let mut out = Vec::new();
    let mut at = text.len().saturating_sub(text.trim_start().len());
    while text.get(at..).is_some_and(|t| t.starts_with("HTTP/")) {
        let (end, next) = line_end(text, at);
        let line = text.get(at..end).unwrap_or("");
        let code = line.split_whitespace().nth(1).and_then(|c| c.parse::<u16>().ok());
        let Some(status) = code else { break };
        let status_span = Span::new(at, end);
        let mut headers = Vec::new();
        let mut pos = next;
        loop {
            let (end, next) = line_end(text, pos);
            let line = text.get(pos..end).unwrap_or("");
            if line.is_empty() {
                pos = next;
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string(), Span::new(pos, end)));
            }
            if next >= text.len() {
                pos = text.len();
                break;
            }
            pos = next;
        }
        out.push(Captured { status, status_span, headers, body_start: pos });
        at = pos;
    }
    out
}

/// The parts of an HTTP response [`judge`] looks at, with where each stands in the text
/// it came from (empty spans when there is no such text).
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    /// Status code.
    pub status: u16,
    /// Where the status line is.
    pub status_span: Span,
    /// Content-Type value and where its header line is.
    pub content_type: Option<(&'a str, Span)>,
    /// Location value.
    pub location: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
    /// Where the body starts.
    pub body_start: usize,
}

/// Applies RFC 8461 §3.2–3.3 to a response: no redirect, status 200, text/plain, a body,
/// then the policy rules to the body. Used for pasted captures and for live fetches.
pub fn judge(r: &Response<'_>) -> Parsed<FetchResult> {
    let mut findings = Vec::new();
    let mut value = FetchResult {
        status: Some(r.status),
        content_type: r.content_type.map(|(v, _)| v.to_string()),
        location: r.location.map(str::to_string),
        policy: None,
    };
    if (300..400).contains(&r.status) {
        let to = r.location.map_or(String::new(), |l| format!(" to {l}"));
        findings.push(Finding::new(Code::FetchRedirect, r.status_span, format!("status {}{to}", r.status)));
        return Parsed { value, findings };
    }
    if r.status != 200 {
        findings.push(Finding::new(Code::FetchStatus, r.status_span, format!("got {}", r.status)));
        return Parsed { value, findings };
    }
    match r.content_type {
        None => findings.push(Finding::new(Code::FetchContentType, r.status_span, "no Content-Type header")),
        Some((v, span)) => {
            let mut parts = v.split(';');
            let media = parts.next().unwrap_or("").trim();
            if !media.eq_ignore_ascii_case("text/plain") {
                findings.push(Finding::new(Code::FetchContentType, span, format!("got {media:?}")));
            }
            for param in parts {
                if let Some((k, cs)) = param.split_once('=') {
                    let cs = cs.trim().trim_matches('"');
                    if k.trim().eq_ignore_ascii_case("charset")
                        && !["utf-8", "us-ascii"].iter().any(|ok| cs.eq_ignore_ascii_case(ok))
                    {
                        findings.push(Finding::new(Code::FetchCharset, span, format!("charset={cs}")));
                    }
                }
            }
        }
    }
    if r.body.iter().all(u8::is_ascii_whitespace) {
        findings.push(Finding::new(Code::FetchNoBody, Span::at(r.body_start), ""));
        return Parsed { value, findings };
    }
    let p = policy::parse(r.body);
    findings.extend(p.findings.into_iter().map(|f| Finding { span: f.span.shift(r.body_start), ..f }));
    value.policy = Some(p.value);
    Parsed { value, findings }
}

/// Checks a captured response and the policy in its body.
pub fn parse(text: &str) -> Parsed<FetchResult> {
    let all = responses(text);
    let Some(last) = all.last() else {
        let detail = "it does not start with a status line such as \"HTTP/2 200\"";
        return Parsed {
            value: FetchResult::default(),
            findings: vec![Finding::new(Code::FetchNotHttp, Span::at(0), detail)],
        };
    };
    let header = |name: &str| last.headers.iter().find(|(n, _, _)| n == name);
    let body_start = last.body_start.min(text.len());
    // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed". A capture with a 3xx block
    // before the last response (`curl -L`) shows a fetch that followed one: whatever the
    // last response says, a sender would have stopped at the redirect.
    let followed: Vec<Finding> = all
        .iter()
        .take(all.len().saturating_sub(1))
        .filter(|r| (300..400).contains(&r.status))
        .map(|r| {
            let to = r
                .headers
                .iter()
                .find(|(n, _, _)| n == "location")
                .map_or(String::new(), |(_, v, _)| format!(" to {v}"));
            Finding::new(
                Code::FetchRedirect,
                r.status_span,
                format!("status {}{to}, followed by the capture; senders stop here", r.status),
            )
        })
        .collect();
    let mut judged = judge(&Response {
        status: last.status,
        status_span: last.status_span,
        content_type: header("content-type").map(|(_, v, span)| (v.as_str(), *span)),
        location: header("location").map(|(_, v, _)| v.as_str()),
        body: text.as_bytes().get(body_start..).unwrap_or(&[]),
        body_start,
    });
    if !followed.is_empty() {
        judged.findings.splice(0..0, followed);
    }
    judged
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "HTTP/2 200 \r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 77\r\n\r\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n";

    fn codes(text: &str) -> Vec<&'static str> {
        parse(text).findings.iter().map(|f| f.code.id()).collect()
    }

    #[test]
    fn a_good_capture_reads_the_policy() {
        let p = parse(OK);
        assert!(p.is_valid(), "{:?}", p.findings);
        assert_eq!(p.value.status, Some(200));
        assert_eq!(p.value.policy.unwrap().max_age, Some(604_800));
    }

    /// (capture, codes expected among the findings).
    const CASES: &[(&str, &[&str])] = &[
        // `curl -L`: a redirect followed, then a good policy. RFC 8461 §3.3: redirects MUST
        // NOT be followed, so the capture is a redirect error whatever came after.
        ("HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.com/\r\n\r\nHTTP/2 200\r\ncontent-type: text/plain\r\n\r\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n", &["sts-fetch/redirect"]),
        ("HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.com/\r\n\r\n", &["sts-fetch/redirect"]),
        ("HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\n\r\n<html>404</html>", &["sts-fetch/status"]),
        ("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n<!DOCTYPE html><html></html>", &["sts-fetch/content-type", "sts-policy/html-body"]),
        ("HTTP/1.1 200 OK\r\n\r\nversion: STSv1\nmode: none\nmax_age: 604800\n", &["sts-fetch/content-type", "sts-policy/mode-none"]),
        ("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=iso-8859-1\r\n\r\nversion: STSv1\nmode: none\nmax_age: 604800\n", &["sts-fetch/charset", "sts-policy/mode-none"]),
        ("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n", &["sts-fetch/no-body"]),
        ("version: STSv1\nmode: enforce\n", &["sts-fetch/not-http"]),
        ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nversion: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999999\n", &["sts-policy/max-age-too-many-digits"]),
    ];

    #[test]
    fn table() {
        for &(text, expect) in CASES {
            let got = codes(text);
            // The exact set of codes: a finding nobody expected fails the test too.
            let got_set: std::collections::BTreeSet<&str> = got.iter().copied().collect();
            let want: std::collections::BTreeSet<&str> = expect.iter().copied().collect();
            assert_eq!(got_set, want, "{text:?}");
        }
    }

    #[test]
    fn body_findings_point_into_the_capture() {
        let text = OK.replace("604800", "99999999");
        let p = parse(&text);
        let f = p.findings.iter().find(|f| f.code == Code::StsPolicyMaxAgeOutOfRange).unwrap();
        assert_eq!(text.get(f.span.start..f.span.end), Some("99999999"));
    }
}
