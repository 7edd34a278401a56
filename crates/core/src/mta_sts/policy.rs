//! The policy file served at `https://mta-sts.<domain>/.well-known/mta-sts.txt`,
//! RFC 8461 §3.2.
//!
//! ```text
//! sts-policy-record        = sts-policy-field *WSP
//!                            *(sts-policy-term sts-policy-field *WSP)
//!                            [sts-policy-term]
//! sts-policy-field         = sts-policy-version /      ; required once
//!                            sts-policy-mode    /      ; required once
//!                            sts-policy-max-age /      ; required once
//!                            sts-policy-mx /
//!                            ; required at least once, except when
//!                            ; mode is "none"
//!                            sts-policy-extension      ; other fields
//! sts-policy-field-delim   = ":" *WSP
//! sts-policy-version-value = %s"STSv1"
//! sts-policy-mode-value    = %s"testing" / %s"enforce" / %s"none"
//! sts-policy-mx-value      = ["*."] Domain
//! sts-policy-max-age-value = 1*10(DIGIT)
//! sts-policy-ext-name      = (sts-policy-alphanum)
//!                            *31(sta-policy-alphanum / "_" / "-" / ".")
//! sts-policy-term          = LF / CRLF
//! sts-policy-ext-value     = sts-policy-vchar
//!                            [*(%x20 / sts-policy-vchar)
//!                            sts-policy-vchar]
//! sts-policy-vchar         = %x21-7E / UTF8-2 / UTF8-3 / UTF8-4
//! ```
//!
//! "max_age: Max lifetime of the policy (plaintext non-negative integer seconds, maximum
//! value of 31557600)." "If any non-repeated field -- i.e., all fields excepting "mx" --
//! is duplicated, all entries except for the first SHALL be ignored." Unknown fields are
//! kept and reported as info. RFC 8461 §3.3 suggests senders accept at most 64 KiB; only
//! that much is parsed.
//!
//! The prose says "CRLF-separated" while the ABNF allows LF or CRLF; both are accepted.
//! HTTP-level checks (status, Content-Type, redirects) are not this module's job.

use crate::order;
use serde::Serialize;

use crate::code::Code;
use crate::finding::{Finding, Parsed, Severity, Span};
use crate::mta_sts::mx::MxPattern;
use crate::txt::near_miss;

/// The largest policy senders are advised to accept (RFC 8461 §3.3).
pub const MAX_POLICY_BYTES: usize = 64 * 1024;

/// The largest `max_age` (RFC 8461 §3.2), one year of 365.25 days.
pub const MAX_AGE_LIMIT: u64 = 31_557_600;

/// One week: the RFC expects `max_age` "in the range of weeks or greater".
pub const ONE_WEEK: u64 = 604_800;

/// The policy mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Senders refuse to deliver over unauthenticated connections.
    Enforce,
    /// Senders report failures but deliver anyway.
    Testing,
    /// Senders treat the domain as having no policy.
    None,
}

impl Mode {
    /// The mode as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        }
    }
}

/// The best reading of a policy file. Missing or invalid fields are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StsPolicy {
    /// The `version` value, as written.
    pub version: Option<String>,
    /// The `mode`, if valid.
    pub mode: Option<Mode>,
    /// The `max_age` in seconds, if it is a number of at most 10 digits.
    pub max_age: Option<u64>,
    /// The valid `mx` patterns, lowercased, without repeats, in order.
    pub mx: Vec<MxPattern>,
    /// Fields other than the four defined ones, in order, kept as written.
    pub extensions: Vec<(String, String)>,
}

const KNOWN: [&str; 4] = ["version", "mode", "max_age", "mx"];

fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && key.bytes().all(is_key_char)
}

struct State {
    policy: StsPolicy,
    findings: Vec<Finding>,
    seen: Vec<String>,
    mx_lines: usize,
    /// Key span and line span of each extension field, parallel to `policy.extensions`.
    extensions: Vec<(Span, Span)>,
}

impl State {
    fn push(&mut self, code: Code, span: Span, detail: impl Into<String>) {
        self.findings.push(Finding::new(code, span, detail));
    }
}

/// Parses a policy body.
pub fn parse(input: &[u8]) -> Parsed<StsPolicy> {
    let mut st = State {
        policy: StsPolicy::default(),
        findings: Vec::new(),
        seen: Vec::new(),
        mx_lines: 0,
        extensions: Vec::new(),
    };
    let end = input.len();
    if input.iter().all(|b| b.is_ascii_whitespace()) {
        st.push(Code::StsPolicyEmpty, Span::at(0), if input.is_empty() { "no bytes" } else { "only whitespace" });
        return Parsed { value: st.policy, findings: st.findings };
    }
    let mut body = input;
    if input.len() > MAX_POLICY_BYTES {
        st.push(
            Code::StsPolicyTooLarge,
            Span::new(MAX_POLICY_BYTES, end),
            format!("{end} bytes; only the first 65536 are checked"),
        );
        // Stop at the last line end within the limit so no line is cut in half.
        let head = input.get(..MAX_POLICY_BYTES).unwrap_or(input);
        let cut = head.iter().rposition(|&b| b == b'\n').map_or(MAX_POLICY_BYTES, |p| p.saturating_add(1));
        body = input.get(..cut).unwrap_or(input);
    }
    let mut start = 0;
    if body.starts_with(&[0xEF, 0xBB, 0xBF]) {
        st.push(Code::StsPolicyBom, Span::new(0, 3), "");
        start = 3;
    }
    let first_text = body
        .get(start..)
        .and_then(|b| b.iter().position(|c| !c.is_ascii_whitespace()).map(|p| p.saturating_add(start)));
    if let Some(p) = first_text.filter(|&p| body.get(p) == Some(&b'<')) {
        let line_end =
            body.get(p..).and_then(|b| b.iter().position(|&c| c == b'\n')).map_or(body.len(), |e| e.saturating_add(p));
        let preview = String::from_utf8_lossy(body.get(p..line_end.min(p.saturating_add(60))).unwrap_or(b""));
        st.push(Code::StsPolicyHtmlBody, Span::new(p, line_end), format!("it starts with \"{}\"", preview.trim_end()));
        return Parsed { value: st.policy, findings: st.findings };
    }

    let rest = body.get(start..).unwrap_or(b"");
    let pieces: Vec<&[u8]> = rest.split(|&b| b == b'\n').collect();
    let last = pieces.len().saturating_sub(1);
    let mut offset = start;
    for (n, piece) in pieces.iter().enumerate() {
        let line_start = offset;
        offset = offset.saturating_add(piece.len().saturating_add(1));
        let line = piece.strip_suffix(b"\r").unwrap_or(piece);
        if line.iter().all(|&b| b == b' ' || b == b'\t') {
            // The text after the final line end is the optional last sts-policy-term.
            if !(n == last && line.is_empty()) {
                let what = if line.is_empty() { "empty line" } else { "line of only whitespace" };
                st.push(
                    Code::StsPolicyBlankLine,
                    Span::new(line_start, line_start.saturating_add(line.len().max(1))),
                    format!("{what} {}", n.saturating_add(1)),
                );
            }
            continue;
        }
        parse_line(&mut st, line, line_start);
    }

    finish(&mut st, end);
    order::sort_by_key(&mut st.findings, |f| (f.span.start, f.span.end));
    Parsed { value: st.policy, findings: st.findings }
}

fn parse_line(st: &mut State, line: &[u8], at: usize) {
    let span = |s: usize, e: usize| Span::new(at.saturating_add(s), at.saturating_add(e));
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        Err(e) => {
            let bad = e.valid_up_to();
            st.push(
                Code::StsPolicyInvalidUtf8,
                span(bad, bad.saturating_add(e.error_len().unwrap_or(1))),
                format!("byte 0x{:02X}", line.get(bad).copied().unwrap_or(0)),
            );
            return;
        }
    };
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| (c.is_control() && c != '\t') || c == '\u{7f}') {
        let detail = if c == '\r' {
            "a bare CR (lines must end with LF or CRLF)".to_string()
        } else {
            format!("U+{:04X}", u32::from(c))
        };
        st.push(Code::StsPolicyControlChar, span(i, i.saturating_add(c.len_utf8())), detail);
        return;
    }
    let trimmed_len = text.trim_end_matches([' ', '\t']).len();
    if trimmed_len < text.len() {
        st.push(Code::StsPolicyTrailingWhitespace, span(trimmed_len, text.len()), "");
    }
    let Some(colon) = text.find(':') else {
        st.push(Code::StsPolicyLineWithoutColon, span(0, trimmed_len), format!("\"{}\"", text.trim_end()));
        return;
    };
    let raw_key = text.get(..colon).unwrap_or("");
    let key = raw_key.trim_matches([' ', '\t']);
    let key_start = raw_key.len().saturating_sub(raw_key.trim_start_matches([' ', '\t']).len());
    if !valid_key(key) {
        let why = if key.is_empty() {
            "nothing before \":\"".to_string()
        } else if key.len() > 32 {
            format!("\"{key}\" is {} characters long", key.len())
        } else {
            format!("\"{key}\"")
        };
        st.push(Code::StsPolicyInvalidKey, span(key_start, key_start.saturating_add(key.len().max(1))), why);
        return;
    }
    if key_start > 0 {
        st.push(
            Code::StsPolicyInvalidKey,
            span(0, key_start),
            format!("\"{key}\" is preceded by whitespace (continuation lines are not allowed)"),
        );
    }
    let key_end = key_start.saturating_add(key.len());
    if key_end < colon {
        st.push(Code::StsPolicySpaceBeforeColon, span(key_end, colon), format!("write \"{key}:\""));
    }
    let after = text.get(colon.saturating_add(1)..).unwrap_or("");
    let value = after.trim_matches([' ', '\t']);
    let value_start = (colon.saturating_add(1))
        .saturating_add(after.len().saturating_sub(after.trim_start_matches([' ', '\t']).len()));
    let vspan = span(value_start, value_start.saturating_add(value.len()));
    let line_span = span(key_start, trimmed_len);

    let is_mx = key == "mx";
    if !is_mx && st.seen.iter().any(|k| k == key) {
        st.push(Code::StsPolicyDuplicateKey, line_span, format!("\"{key}\" already given; this line is ignored"));
        return;
    }
    if !is_mx {
        st.seen.push(key.to_string());
    }
    if value.is_empty() {
        st.push(Code::StsPolicyEmptyValue, span(key_start, colon.saturating_add(1)), format!("\"{key}:\""));
        if is_mx {
            st.mx_lines = st.mx_lines.saturating_add(1);
        }
        return;
    }
    match key {
        "version" => {
            if value != "STSv1" {
                st.push(Code::StsPolicyBadVersion, vspan, format!("got \"{value}\""));
            }
            st.policy.version = Some(value.to_string());
        }
        "mode" => {
            st.policy.mode = match value {
                "enforce" => Some(Mode::Enforce),
                "testing" => Some(Mode::Testing),
                "none" => Some(Mode::None),
                _ => {
                    let hint = ["enforce", "testing", "none"]
                        .iter()
                        .find(|m| m.eq_ignore_ascii_case(value))
                        .map_or(String::new(), |m| format!(" (write \"{m}\" in lowercase)"));
                    st.push(Code::StsPolicyBadMode, vspan, format!("got \"{value}\"{hint}"));
                    None
                }
            };
        }
        "max_age" => {
            if !value.bytes().all(|b| b.is_ascii_digit()) {
                st.push(Code::StsPolicyMaxAgeNotNumber, vspan, format!("got \"{value}\""));
            } else if value.len() > 10 {
                st.push(Code::StsPolicyMaxAgeTooManyDigits, vspan, format!("\"{value}\" has {} digits", value.len()));
            } else {
                let n: u64 = value.parse().unwrap_or(u64::MAX);
                if n > MAX_AGE_LIMIT {
                    st.push(Code::StsPolicyMaxAgeOutOfRange, vspan, format!("got {n}"));
                }
                st.policy.max_age = Some(n);
            }
        }
        "mx" => {
            st.mx_lines = st.mx_lines.saturating_add(1);
            if value.contains([' ', '\t', ',']) {
                st.push(
                    Code::StsPolicyMxInvalid,
                    vspan,
                    format!("\"{value}\": each mx pattern needs its own \"mx:\" line"),
                );
                return;
            }
            match MxPattern::parse(value) {
                Ok(p) if st.policy.mx.contains(&p) => {
                    st.push(Code::StsPolicyDuplicateMx, line_span, format!("\"{p}\""))
                }
                Ok(p) => st.policy.mx.push(p),
                Err(e) => st.push(e.code, e.span.shift(at.saturating_add(value_start)), e.detail),
            }
        }
        _ => {
            // Whether it is a misspelling is decided at the end, once we know which known
            // fields the policy has.
            st.extensions.push((span(key_start, key_end), line_span));
            st.policy.extensions.push((key.to_string(), value.to_string()));
        }
    }
}

fn finish(st: &mut State, end: usize) {
    let at_end = Span::at(end);
    let seen = |k: &str| st.seen.iter().any(|s| s == k);
    let (has_version, has_mode, has_max_age) = (seen("version"), seen("mode"), seen("max_age"));
    if !has_version {
        st.push(Code::StsPolicyMissingVersion, at_end, "");
    }
    if !has_mode {
        st.push(Code::StsPolicyMissingMode, at_end, "");
    }
    if !has_max_age {
        st.push(Code::StsPolicyMissingMaxAge, at_end, "");
    }
    let absent: Vec<&str> = KNOWN
        .iter()
        .copied()
        .filter(|k| if *k == "mx" { st.mx_lines == 0 } else { !st.seen.iter().any(|s| s == k) })
        .collect();
    let mut ext_findings = Vec::new();
    for ((key, _), (key_span, line_span)) in st.policy.extensions.iter().zip(&st.extensions) {
        ext_findings.push(match near_miss(key, &absent) {
            Some(k) => {
                Finding::new(Code::StsPolicyMisspelledKey, *key_span, format!("\"{key}\": did you mean \"{k}\"?"))
            }
            None => Finding::new(Code::StsPolicyUnknownKey, *line_span, format!("\"{key}\" (kept, ignored)")),
        });
    }
    st.findings.extend(ext_findings);
    let mode = st.policy.mode;
    if matches!(mode, Some(Mode::Enforce | Mode::Testing)) && st.mx_lines == 0 {
        st.push(Code::StsPolicyMissingMx, at_end, format!("mode is {}", mode.map_or("", Mode::as_str)));
    }
    match mode {
        Some(Mode::Testing) => st.push(Code::StsPolicyModeTesting, at_end, ""),
        Some(Mode::None) => st.push(Code::StsPolicyModeNone, at_end, ""),
        _ => {}
    }
    if let Some(age) = st.policy.max_age.filter(|&a| a < ONE_WEEK) {
        let code =
            if mode == Some(Mode::Enforce) { Code::StsPolicyMaxAgeShort } else { Code::StsPolicyMaxAgeShortTesting };
        st.push(code, at_end, format!("{age} seconds is {}", human_duration(age)));
    }
}

/// The policy with its mechanical mistakes corrected, and what changed: keys in the wrong
/// case, with "-" for "_" or one typo away (`max-age`, `Mode`, `verison`), `version` and
/// `mode` values in the wrong case, mx patterns with a trailing dot or capitals, blank
/// lines, `version` not first, LF line ends (CRLF, as §3.2 writes them). `None` when nothing
/// mechanical is wrong, or when the result would still have an error: then the fix needs a
/// person, and the findings say what.
pub fn mechanical_fix(input: &[u8]) -> Option<(String, Vec<String>)> {
    let text = std::str::from_utf8(input).ok()?;
    let mut changes: Vec<String> = Vec::new();
    let mut lines: Vec<(String, String)> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (key0, val0) = line.split_once(':').map_or((line.trim(), ""), |(k, v)| (k.trim(), v.trim()));
        let key = near_miss(key0, &KNOWN).map_or_else(|| key0.to_string(), str::to_string);
        let lower = val0.to_ascii_lowercase();
        let val = match key.as_str() {
            "version" if lower == "stsv1" => "STSv1".to_string(),
            "mode" if ["enforce", "testing", "none"].contains(&lower.as_str()) => lower,
            "mx" if val0.len() > 1 && !val0.ends_with("..") => lower.trim_end_matches('.').to_string(),
            _ => val0.to_string(),
        };
        if key != key0 {
            changes.push(format!("\"{key0}\" → \"{key}\""));
        }
        if val != val0 {
            changes.push(format!("{key}: \"{val0}\" → \"{val}\""));
        }
        lines.push((key, val));
    }
    if let Some(i) = lines.iter().position(|(k, _)| k == "version").filter(|&i| i > 0) {
        let v = lines.remove(i);
        lines.insert(0, v);
        changes.push("\"version\" moved to the first line".to_string());
    }
    let fixed: String = lines.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    if changes.is_empty() || parse(fixed.as_bytes()).findings.iter().any(|f| f.severity() == Severity::Error) {
        return None;
    }
    Some((fixed, changes))
}

/// "3 days", "2 hours", "90 seconds": for messages.
pub fn human_duration(secs: u64) -> String {
    let (n, unit) = match secs {
        s if s >= 86_400 => (s / 86_400, "day"),
        s if s >= 3_600 => (s / 3_600, "hour"),
        s if s >= 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!(
        "{}{n} {unit}{}",
        if n.saturating_mul(unit_secs(unit)) == secs { "" } else { "about " },
        if n == 1 { "" } else { "s" }
    )
}

fn unit_secs(unit: &str) -> u64 {
    match unit {
        "day" => 86_400,
        "hour" => 3_600,
        "minute" => 60,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";

    /// (input, valid, codes expected among the findings).
    const CASES: &[(&str, bool, &[&str])] = &[
        (GOOD, true, &[]),
        ("version: STSv1\nmode: enforce\nmx: mail.loc\nmax_age: 86400", true, &["sts-policy/max-age-short"]),
        (
            "version: STSv1\nmode: testing\nmax_age: 86400\nmx: mail.loc\n",
            true,
            &["sts-policy/max-age-short-testing", "sts-policy/mode-testing"],
        ),
        (
            "version: STSv1\nmode: none\nmax_age: 86400",
            true,
            &["sts-policy/max-age-short-testing", "sts-policy/mode-none"],
        ),
        (
            "version: STSv1 \r\nmode:\tenforce\t\r\nmx:mail.example.com\r\nmax_age: 604800  \r\n",
            true,
            &["sts-policy/trailing-whitespace"],
        ),
        (
            "version:STSv1\nmode:enforce\nmx: *.example.com\nmax_age:604800\nmore:ext e  ns ion",
            true,
            &["sts-policy/unknown-key"],
        ),
        (
            "version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 604800\n",
            true,
            &["sts-policy/duplicate-key"],
        ),
        (
            "version: STSv1\nmode: enforce\nmx: a.example\nmx: A.example\nmax_age: 604800\n",
            true,
            &["sts-policy/duplicate-mx"],
        ),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 0000000060\n", true, &["sts-policy/max-age-short"]),
        ("", false, &["sts-policy/empty"]),
        (
            "garbage",
            false,
            &[
                "sts-policy/line-without-colon",
                "sts-policy/missing-max-age",
                "sts-policy/missing-mode",
                "sts-policy/missing-version",
            ],
        ),
        ("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 604800", false, &["sts-policy/bad-version"]),
        ("version: STSv1\nmode: ENFORCE\nmx: a.example\nmax_age: 604800", false, &["sts-policy/bad-mode"]),
        (
            "version: STSv1\nMODE: enforce\nmx: a.example\nmax_age: 604800",
            false,
            &["sts-policy/missing-mode", "sts-policy/misspelled-key"],
        ),
        ("version: STSv1\nmode : enforce\nmx: a.example\nmax_age: 604800", false, &["sts-policy/space-before-colon"]),
        (
            "version: STSv1\nmode: enforce\nmx: a.example\nmax-age: 604800",
            false,
            &["sts-policy/missing-max-age", "sts-policy/misspelled-key"],
        ),
        (
            "version: STSv1\nmode: enforce\nnmx: a.example\nmax_age: 604800",
            false,
            &["sts-policy/missing-mx", "sts-policy/misspelled-key"],
        ),
        (
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601",
            false,
            &["sts-policy/max-age-out-of-range"],
        ),
        (
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 00000000060",
            false,
            &["sts-policy/max-age-too-many-digits"],
        ),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1", false, &["sts-policy/max-age-not-a-number"]),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1e3", false, &["sts-policy/max-age-not-a-number"]),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age:", false, &["sts-policy/empty-value"]),
        ("version: STSv1\nmode: enforce\nmax_age: 604800", false, &["sts-policy/missing-mx"]),
        ("version: STSv1\nmode: enforce\nmx: münchen.example\nmax_age: 604800", false, &["sts-policy/mx-u-label"]),
        ("version: STSv1\nmode: enforce\nmx: a.example b.example\nmax_age: 604800", false, &["sts-policy/mx-invalid"]),
        ("version: STSv1\nmode: enforce\nmx: a.example:25\nmax_age: 604800", false, &["sts-policy/mx-port"]),
        ("\u{feff}version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800", false, &["sts-policy/bom"]),
        ("version: STSv1\n\nmode: enforce\nmx: a.example\nmax_age: 604800", false, &["sts-policy/blank-line"]),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n\n", false, &["sts-policy/blank-line"]),
        (
            "version: STSv1\rmode: enforce\rmx: a.example\rmax_age: 604800",
            false,
            &[
                "sts-policy/control-char",
                "sts-policy/missing-max-age",
                "sts-policy/missing-mode",
                "sts-policy/missing-version",
            ],
        ),
        (" mode: enforce\nversion: STSv1\nmx: a.example\nmax_age: 604800", false, &["sts-policy/invalid-key"]),
        (
            "version: STSv1\nmode: none\nmax_age: 0\n_bad:test",
            false,
            &["sts-policy/invalid-key", "sts-policy/max-age-short-testing", "sts-policy/mode-none"],
        ),
        (
            "version: STSv1\nmode: none\nmax_age: 0\next:",
            false,
            &["sts-policy/empty-value", "sts-policy/max-age-short-testing", "sts-policy/mode-none"],
        ),
        ("<html><body>version: STSv1<br>\nmode: enforce</body></html>", false, &["sts-policy/html-body"]),
        ("  <!DOCTYPE html>\n<title>404</title>", false, &["sts-policy/html-body"]),
    ];

    fn check(input: &str, valid: bool, codes: &[&str]) {
        let parsed = parse(input.as_bytes());
        let got: Vec<&str> = parsed.findings.iter().map(|f| f.code.id()).collect();
        assert_eq!(parsed.is_valid(), valid, "{input:?}: {got:?}");
        // The exact set of codes: a finding nobody expected fails the test too.
        let got_set: std::collections::BTreeSet<&str> = got.iter().copied().collect();
        let want: std::collections::BTreeSet<&str> = codes.iter().copied().collect();
        assert_eq!(got_set, want, "{input:?}");
    }

    #[test]
    fn table() {
        for &(input, valid, codes) in CASES {
            check(input, valid, codes);
        }
    }

    #[test]
    fn rfc_example_reads_fully() {
        let p = parse(GOOD.as_bytes());
        assert_eq!(p.value.mode, Some(Mode::Enforce));
        assert_eq!(p.value.max_age, Some(604_800));
        let mx: Vec<String> = p.value.mx.iter().map(ToString::to_string).collect();
        assert_eq!(mx, ["mail.example.com", "*.example.net", "backupmx.example.com"]);
        assert!(p.findings.is_empty(), "{:?}", p.findings);
    }

    #[test]
    fn first_value_wins_for_duplicates() {
        let p = parse(b"version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmax_age: 60\n");
        assert_eq!(p.value.mode, Some(Mode::Testing));
    }

    #[test]
    fn findings_point_at_the_value() {
        let input = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999\n";
        let p = parse(input.as_bytes());
        let f = p.findings.iter().find(|f| f.code == Code::StsPolicyMaxAgeOutOfRange).unwrap();
        assert_eq!(input.get(f.span.start..f.span.end), Some("99999999"));
        let input = "version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 604800\n";
        let p = parse(input.as_bytes());
        let f = p.findings.iter().find(|f| f.code == Code::StsPolicyMxBadWildcard).unwrap();
        assert_eq!(input.get(f.span.start..f.span.end), Some("*"));
        assert_eq!(f.span.start, 35);
    }

    #[test]
    fn oversized_policy_is_cut_at_a_line_end() {
        let mut body = b"version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mail.loc\n".to_vec();
        for _ in 0..2049 {
            body.extend_from_slice(&[b'a'; 64]);
        }
        let p = parse(&body);
        assert!(!p.is_valid());
        assert!(p.findings.iter().any(|f| f.code == Code::StsPolicyTooLarge));
        assert_eq!(p.value.mode, Some(Mode::Enforce));
    }

    #[test]
    fn invalid_utf8_is_named() {
        let p = parse(b"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\nx: \xff\n");
        let f = p.findings.iter().find(|f| f.code == Code::StsPolicyInvalidUtf8).unwrap();
        assert_eq!(f.span, Span::new(62, 63));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(86_400), "1 day");
        assert_eq!(human_duration(90_000), "about 1 day");
        assert_eq!(human_duration(7_200), "2 hours");
        assert_eq!(human_duration(1), "1 second");
    }

    #[test]
    fn mechanical_mistakes_are_corrected_and_the_rest_left_to_a_person() {
        let (fixed, changes) =
            mechanical_fix(b"mode: Enforce\nVersion: stsv1\n\nmx: Mail.Example.com.\nmax-age: 604800\n").unwrap();
        assert_eq!(fixed, "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n");
        assert_eq!(
            changes,
            [
                "mode: \"Enforce\" → \"enforce\"",
                "\"Version\" → \"version\"",
                "version: \"stsv1\" → \"STSv1\"",
                "mx: \"Mail.Example.com.\" → \"mail.example.com\"",
                "\"max-age\" → \"max_age\"",
                "\"version\" moved to the first line",
            ]
        );
        assert!(parse(fixed.as_bytes()).findings.iter().all(|f| f.severity() < Severity::Warning));
        // A typo one letter away; a correct policy has nothing to fix.
        assert!(mechanical_fix(b"version: STSv1\nmode: testing\nmx: a.example\nmaxage: 86400\n").is_some());
        assert!(mechanical_fix(b"version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 604800\r\n").is_none());
        // Not mechanical: a two-label wildcard needs a decision.
        assert!(mechanical_fix(b"version: STSv1\nmode: Enforce\nmx: *.*.example.net\nmax_age: 604800\n").is_none());
    }
}
