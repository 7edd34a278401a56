//! What the two TXT records (`_mta-sts` and `_smtp._tls`) share: how a pasted document
//! becomes TXT records, their tag-value grammar, and the record-set rule.
//!
//! RFC 8461 §3.1 and RFC 8460 §3 define the same shape with different tags:
//!
//! ```text
//! record      = version 1*(field-delim field) [field-delim]
//! field-delim = *WSP ";" *WSP
//! ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//! ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)   ; no "=", ";", SP or CTLs
//! ```
//!
//! and the same record-set rule: "records that do not begin with "v=STSv1;" are discarded.
//! If the number of resulting records is not one, [...] senders MUST assume the recipient
//! domain does not have an available MTA-STS Policy", and a record of several strings "MUST
//! be treated as if those strings are concatenated without adding spaces".
//!
//! The prose and the ABNF disagree on whitespace before the first ";": the ABNF accepts
//! `v=STSv1 ;id=1`, the prose would discard it. We accept both readings: such a record
//! counts as a candidate, with a warning that prose-following senders will drop it.
//!
//! This module does not judge field values; the per-record modules do.

use crate::code::Code;
use crate::finding::{Finding, Span};
use crate::order;

// ---------------------------------------------------------------------------------------
// Records and their place in the source document
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Seg {
    text_start: usize,
    src_start: usize,
    text_len: usize,
    src_len: usize,
}

/// One TXT record: its strings concatenated, and where each byte came from in the source
/// document, so that findings point into what the user pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordText {
    /// The record's strings, concatenated without spaces.
    pub text: String,
    segs: Vec<Seg>,
    extent: Span,
}

impl RecordText {
    /// A record given as its bare text, starting at `offset` in the source.
    pub fn raw(text: &str, offset: usize) -> RecordText {
        RecordText {
            text: text.to_string(),
            segs: vec![Seg { text_start: 0, src_start: offset, text_len: text.len(), src_len: text.len() }],
            extent: Span::new(offset, offset.saturating_add(text.len())),
        }
    }

    /// Where the whole record stands in the source.
    pub fn extent(&self) -> Span {
        self.extent
    }

    fn src_pos(&self, at: usize, is_end: bool) -> usize {
        // For an end position, the byte before it decides which segment we are in.
        let probe = if is_end && at > 0 { at.saturating_sub(1) } else { at };
        let seg = self.segs.iter().rev().find(|s| s.text_start <= probe);
        match seg {
            None => self.extent.start,
            Some(s) if s.text_len == s.src_len => {
                s.src_start.saturating_add((at.saturating_sub(s.text_start)).min(s.text_len))
            }
            // An escape: the whole escape sequence stands for its byte.
            Some(s) => {
                if is_end && at > s.text_start {
                    s.src_start.saturating_add(s.src_len)
                } else {
                    s.src_start
                }
            }
        }
    }

    /// Maps a span in [`RecordText::text`] to a span in the source document.
    pub fn src_span(&self, span: Span) -> Span {
        if span.start == span.end {
            let at = self.src_pos(span.start, span.start > 0);
            return Span::at(at);
        }
        Span::new(self.src_pos(span.start, false), self.src_pos(span.end, true))
    }
}

/// Splits a pasted document into TXT records, one per non-blank line.
///
/// A line is taken as the record's bare text, except when it is written in DNS
/// presentation format: it starts with a double quote (`"v=STSv1; " "id=1"`), or it is a
/// zone-file or `dig` answer line whose last token before the first quote is `TXT`. Then
/// the quoted strings are unescaped (`\"`, `\\`, `\DDD`) and concatenated.
pub fn split_document(doc: &str) -> Vec<RecordText> {
    let mut records = Vec::new();
    let mut offset = 0usize;
    for line in doc.split('\n') {
        let line_start = offset;
        offset = offset.saturating_add(line.len().saturating_add(1));
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let record = presentation_start(line)
            .and_then(|q| parse_quoted(line, q, line_start))
            .unwrap_or_else(|| RecordText::raw(line, line_start));
        records.push(record);
    }
    records
}

/// The byte index of the first quote if `line` is in presentation format.
fn presentation_start(line: &str) -> Option<usize> {
    let q = line.find('"')?;
    let before = line.get(..q)?;
    if before.trim().is_empty() {
        return Some(q);
    }
    let last = before.split_whitespace().last()?;
    last.eq_ignore_ascii_case("TXT").then_some(q)
}

fn parse_quoted(line: &str, first_quote: usize, line_start: usize) -> Option<RecordText> {
    let bytes = line.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut segs: Vec<Seg> = Vec::new();
    let mut i = first_quote;
    let push_lit = |segs: &mut Vec<Seg>, out_len: usize, src: usize, len: usize| {
        if let Some(last) = segs.last_mut() {
            if last.text_len == last.src_len
                && last.text_start.saturating_add(last.text_len) == out_len
                && last.src_start.saturating_add(last.src_len) == src
            {
                last.text_len = last.text_len.saturating_add(len);
                last.src_len = last.src_len.saturating_add(len);
                return;
            }
        }
        segs.push(Seg { text_start: out_len, src_start: src, text_len: len, src_len: len });
    };
    loop {
        while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
            i = i.saturating_add(1);
        }
        match bytes.get(i) {
            None => break,
            Some(b'"') => i = i.saturating_add(1),
            Some(_) => return None,
        }
        loop {
            match bytes.get(i) {
                None => return None,
                Some(b'"') => {
                    i = i.saturating_add(1);
                    break;
                }
                Some(b'\\') => {
                    let digits = bytes
                        .get(i.saturating_add(1)..i.saturating_add(4))
                        .filter(|d| d.iter().all(u8::is_ascii_digit));
                    let (byte, len) = match digits {
                        Some(d) => {
                            let v = d.iter().fold(0u32, |acc, c| {
                                (acc.saturating_mul(10)).saturating_add(u32::from(c.saturating_sub(b'0')))
                            });
                            (u8::try_from(v).ok()?, 4)
                        }
                        None => (*bytes.get(i.saturating_add(1))?, 2),
                    };
                    segs.push(Seg {
                        text_start: out.len(),
                        src_start: line_start.saturating_add(i),
                        text_len: 1,
                        src_len: len,
                    });
                    out.push(byte);
                    i = i.saturating_add(len);
                }
                Some(&b) => {
                    push_lit(&mut segs, out.len(), line_start.saturating_add(i), 1);
                    out.push(b);
                    i = i.saturating_add(1);
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    if text.len() != out.len() {
        // Escapes produced invalid UTF-8: fall back to the raw line rather than guess spans.
        return None;
    }
    Some(RecordText {
        text,
        segs,
        extent: Span::new(line_start.saturating_add(first_quote), line_start.saturating_add(line.len())),
    })
}

// ---------------------------------------------------------------------------------------
// The tag-value grammar
// ---------------------------------------------------------------------------------------

/// The codes one record type uses for the shared rules.
#[derive(Debug)]
pub(crate) struct Codes {
    pub no_record: Code,
    pub multiple: Code,
    pub discarded: Code,
    pub version_case: Code,
    pub version_not_first: Code,
    pub leading_ws: Code,
    pub space_before_semicolon: Code,
    pub non_ascii: Code,
    pub missing_required: Code,
    pub duplicate: Code,
    pub empty_field: Code,
    pub missing_value: Code,
    pub invalid_name: Code,
    pub unexpected: Code,
    pub trailing_ws: Code,
    pub unknown: Code,
    pub misspelled: Code,
}

/// One record type: its version field, its fields, its codes.
#[derive(Debug)]
pub(crate) struct Dialect {
    /// "v=STSv1".
    pub version: &'static str,
    /// The one required field besides the version.
    pub required: &'static str,
    /// A field whose value is a comma-separated URI list (`rua`), not an `ext-value`.
    pub list_field: Option<&'static str>,
    pub codes: Codes,
}

/// One `name=value` field, spans in record-text coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub name: String,
    pub value: String,
    pub name_span: Span,
    pub value_span: Span,
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// `%x21-3A / %x3C / %x3E-7E`.
fn is_value_char(b: u8) -> bool {
    matches!(b, 0x21..=0x3A | 0x3C | 0x3E..=0x7E)
}

fn skip_wsp(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).copied().is_some_and(is_wsp) {
        i = i.saturating_add(1);
    }
    i
}

fn next_semicolon(bytes: &[u8], from: usize) -> Option<usize> {
    bytes.get(from..)?.iter().position(|&b| b == b';').map(|p| p.saturating_add(from))
}

/// A span covering the character starting at `at` (UTF-8 aware).
fn char_span(text: &str, at: usize) -> Span {
    let len = text.get(at..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
    Span::new(at, at.saturating_add(len))
}

/// Parses the fields after the version tag. Findings are in record-text coordinates.
pub(crate) fn parse_fields(text: &str, d: &Dialect) -> (Vec<Field>, Vec<Finding>) {
    let bytes = text.as_bytes();
    let c = &d.codes;
    let mut fields = Vec::new();
    let mut findings = Vec::new();
    let mut i = d.version.len().min(bytes.len());
    loop {
        // Here a delimiter or the end must follow.
        let ws = i;
        i = skip_wsp(bytes, i);
        let Some(&b) = bytes.get(i) else {
            if i > ws {
                findings.push(Finding::new(c.trailing_ws, Span::new(ws, i), ""));
            }
            break;
        };
        if b != b';' {
            let stop = next_semicolon(bytes, i).unwrap_or(bytes.len());
            let stray = text.get(i..stop).unwrap_or("").trim_end();
            if b >= 0x80 {
                findings.push(Finding::new(
                    c.non_ascii,
                    char_span(text, i),
                    format!("\"{}\"", text.get(i..).and_then(|s| s.chars().next()).unwrap_or('?')),
                ));
            } else {
                findings.push(Finding::new(
                    c.unexpected,
                    Span::new(i, i.saturating_add(stray.len())),
                    format!("\"{stray}\""),
                ));
            }
            match next_semicolon(bytes, i) {
                Some(semi) => i = semi,
                None => break,
            }
            continue;
        }
        let semi = i;
        i = skip_wsp(bytes, i.saturating_add(1));
        if i >= bytes.len() {
            break; // A final delimiter is allowed.
        }
        if bytes.get(i) == Some(&b';') {
            findings.push(Finding::new(c.empty_field, Span::new(semi, i.saturating_add(1)), ""));
            continue;
        }
        // A field: name "=" value.
        let name_start = i;
        while bytes.get(i).copied().is_some_and(is_name_char) {
            i = i.saturating_add(1);
        }
        let name = text.get(name_start..i).unwrap_or("");
        if bytes.get(i) != Some(&b'=') {
            let stop = next_semicolon(bytes, i).unwrap_or(bytes.len());
            let junk = text.get(name_start..stop).unwrap_or("").trim_end();
            let detail = if name.is_empty() { format!("\"{junk}\"") } else { format!("\"{junk}\" has no \"=\"") };
            if bytes.get(name_start).is_some_and(|b| *b >= 0x80) {
                findings.push(Finding::new(c.non_ascii, char_span(text, name_start), detail));
            } else {
                findings.push(Finding::new(
                    c.invalid_name,
                    Span::new(name_start, name_start.saturating_add(junk.len())),
                    detail,
                ));
            }
            i = stop;
            continue;
        }
        let name_span = Span::new(name_start, i);
        let name_ok = name.len() <= 32 && name.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
        if !name_ok {
            let why = if name.is_empty() {
                "the name is empty".to_string()
            } else if name.len() > 32 {
                format!("\"{name}\" is {} characters long", name.len())
            } else {
                format!("\"{name}\" does not start with a letter or digit")
            };
            findings.push(Finding::new(c.invalid_name, name_span, why));
        }
        i = i.saturating_add(1); // "="
        let value_start = i;
        if d.list_field == Some(name) {
            i = scan_uri_list(bytes, i);
        } else {
            while bytes.get(i).copied().is_some_and(is_value_char) {
                i = i.saturating_add(1);
            }
        }
        let value_span = Span::new(value_start, i);
        let value = text.get(value_start..i).unwrap_or("");
        if value.is_empty() && bytes.get(i).is_some_and(|&b| b >= 0x80) {
            findings.push(Finding::new(c.non_ascii, char_span(text, i), format!("in the value of \"{name}\"")));
            i = next_semicolon(bytes, i).unwrap_or(bytes.len());
        } else if value.is_empty() {
            findings.push(Finding::new(c.missing_value, Span::new(name_start, i), format!("\"{name}=\"")));
            // Skip what follows up to the next field so one mistake gives one finding.
            if let Some(semi) = next_semicolon(bytes, i) {
                if text.get(i..semi).is_some_and(|s| !s.trim().is_empty()) {
                    i = semi;
                }
            } else if text.get(i..).is_some_and(|s| !s.trim().is_empty()) {
                break;
            }
        }
        fields.push(Field { name: name.to_string(), value: value.to_string(), name_span, value_span });
    }
    (fields, findings)
}

/// `uri *(*WSP "," *WSP uri)`, where a URI is any run of printable ASCII but "," and ";"
/// (the URI checks happen later, with better messages).
fn scan_uri_list(bytes: &[u8], mut i: usize) -> usize {
    loop {
        while bytes.get(i).is_some_and(|&b| (0x21..=0x7E).contains(&b) && b != b',' && b != b';') {
            i = i.saturating_add(1);
        }
        let after_uri = i;
        let j = skip_wsp(bytes, i);
        if bytes.get(j) == Some(&b',') {
            i = skip_wsp(bytes, j.saturating_add(1));
        } else {
            return after_uri;
        }
    }
}

/// Field-level rules shared by both record types: the required field (first occurrence is
/// returned), duplicates, unknown and misspelt fields. `known` lists the defined names.
pub(crate) fn check_fields<'f>(
    fields: &'f [Field],
    d: &Dialect,
    known: &[&str],
    end: usize,
    findings: &mut Vec<Finding>,
) -> Option<&'f Field> {
    let c = &d.codes;
    let mut seen: Vec<&str> = Vec::new();
    for f in fields {
        if seen.contains(&f.name.as_str()) {
            findings.push(Finding::new(
                c.duplicate,
                Span::new(f.name_span.start, f.value_span.end),
                format!("\"{}\"", f.name),
            ));
            continue;
        }
        seen.push(&f.name);
        if !known.contains(&f.name.as_str()) {
            // Only suggest a known field the record does not already have.
            let absent: Vec<&str> = known.iter().copied().filter(|k| fields.iter().all(|g| g.name != *k)).collect();
            match near_miss(&f.name, &absent) {
                Some(k) => findings.push(Finding::new(
                    c.misspelled,
                    f.name_span,
                    format!("\"{}\": did you mean \"{k}\"?", f.name),
                )),
                None => findings.push(Finding::new(
                    c.unknown,
                    Span::new(f.name_span.start, f.value_span.end),
                    format!("\"{}\" (kept, ignored)", f.name),
                )),
            }
        }
    }
    let required = fields.iter().find(|f| f.name == d.required);
    if required.is_none() {
        findings.push(Finding::new(c.missing_required, Span::at(end), ""));
    }
    required
}

/// A known name that `name` was probably meant to be: equal ignoring case or `-`/`_`, or
/// within edit distance 1 (short names) or 2 (names of four or more letters).
pub(crate) fn near_miss<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let fold = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let folded = fold(name);
    known.iter().copied().find(|k| fold(k) == folded).or_else(|| {
        known
            .iter()
            .copied()
            .filter(|k| k.len() >= 2)
            .map(|k| (k, edit_distance(&folded, k)))
            .filter(|&(k, d)| d >= 1 && d <= if k.len() >= 4 && name.len() >= 4 { 2 } else { 1 })
            .min_by_key(|&(_, d)| d)
            .map(|(k, _)| k)
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i.saturating_add(1); b.len().saturating_add(1)];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0).saturating_add(usize::from(ca != *cb));
            let del = prev.get(j.saturating_add(1)).copied().unwrap_or(0).saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(0).saturating_add(1);
            if let Some(slot) = cur.get_mut(j.saturating_add(1)) {
                *slot = sub.min(del).min(ins);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// The record-set rule
// ---------------------------------------------------------------------------------------

/// How a record begins, for the discard rule.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Start {
    /// Begins with "v=STSv1;" exactly as the prose says.
    Strict,
    /// Begins with "v=STSv1" followed by whitespace or the end: the ABNF's reading.
    Spaced,
    /// Discarded, but plainly meant as one: a finding explains why.
    NearMiss(Code, Span, String),
    /// Discarded: something else.
    Other,
}

fn classify(text: &str, d: &Dialect) -> Start {
    let v = d.version;
    let c = &d.codes;
    let bytes = text.as_bytes();
    if let Some(rest) = text.strip_prefix(v) {
        return match rest.bytes().next() {
            Some(b';') => Start::Strict,
            None | Some(b' ' | b'\t') => Start::Spaced,
            Some(_) => Start::Other,
        };
    }
    let boundary_ok = |at: usize| bytes.get(at).is_none_or(|&b| b == b';' || is_wsp(b));
    if text.get(..v.len()).is_some_and(|p| p.eq_ignore_ascii_case(v)) && boundary_ok(v.len()) {
        let got = text.get(..v.len()).unwrap_or("");
        return Start::NearMiss(c.version_case, Span::new(0, v.len()), format!("found \"{got}\""));
    }
    let trimmed = text.trim_start();
    let lead = text.len().saturating_sub(trimmed.len());
    if lead > 0 && trimmed.starts_with(v) && boundary_ok(lead.saturating_add(v.len())) {
        return Start::NearMiss(c.leading_ws, Span::new(0, lead), format!("{lead} whitespace character(s) before {v}"));
    }
    // The version field somewhere later, at a field boundary.
    let mut from = 0;
    while let Some(p) = text.get(from..).and_then(|s| s.find(v)).map(|p| p.saturating_add(from)) {
        let before_ok = text.get(..p).is_some_and(|b| b.trim_end().ends_with(';'));
        if before_ok && boundary_ok(p.saturating_add(v.len())) {
            return Start::NearMiss(c.version_not_first, Span::new(p, p.saturating_add(v.len())), String::new());
        }
        from = p.saturating_add(v.len());
    }
    Start::Other
}

/// Applies the record-set rule and parses the one record that remains.
///
/// `interpret` turns one candidate record's text into a value and findings (record-text
/// coordinates). Every candidate is interpreted, so that with two records the user still
/// sees what is wrong inside each; the value is only kept when exactly one remains.
pub(crate) fn select_and_parse<T>(
    records: &[RecordText],
    d: &Dialect,
    interpret: impl Fn(&str) -> (T, Vec<Finding>),
) -> (Option<T>, Vec<Finding>) {
    let c = &d.codes;
    let mut findings = Vec::new();
    let mut strict = Vec::new();
    let mut spaced = Vec::new();
    for (i, r) in records.iter().enumerate() {
        match classify(&r.text, d) {
            Start::Strict => strict.push(i),
            Start::Spaced => spaced.push(i),
            Start::NearMiss(code, span, detail) => findings.push(Finding::new(code, r.src_span(span), detail)),
            Start::Other => {
                let preview: String = r.text.chars().take(40).collect();
                let ellipsis = if r.text.chars().count() > 40 { "…" } else { "" };
                let detail =
                    if r.text.is_empty() { "empty record".to_string() } else { format!("\"{preview}{ellipsis}\"") };
                findings.push(Finding::new(c.discarded, r.extent(), detail));
            }
        }
    }
    let candidates: Vec<usize> = {
        let mut all: Vec<usize> = strict.iter().chain(&spaced).copied().collect();
        order::sort(&mut all);
        all
    };
    let chosen: Option<usize> = match (strict.len(), spaced.len()) {
        (0, 0) => None,
        (1, _) => strict.first().copied(),
        (0, 1) => spaced.first().copied(),
        _ => None,
    };
    for &i in &spaced {
        if let Some(r) = records.get(i) {
            // The whitespace between the version tag and what follows it.
            let after = r.text.get(d.version.len()..).unwrap_or("");
            let rest = after.trim_start_matches([' ', '\t']);
            // Only whitespace before a ";" is the prose/ABNF disagreement; "v=STSv1" alone
            // or followed by a field without ";" is plainly invalid, and other findings say so.
            if rest.starts_with(';') {
                let ws = after.len().saturating_sub(rest.len());
                let span = Span::new(d.version.len(), d.version.len().saturating_add(ws));
                findings.push(Finding::new(c.space_before_semicolon, r.src_span(span), ""));
            }
        }
    }
    let mut value = None;
    if candidates.is_empty() {
        let detail = match records.len() {
            0 => "there are no TXT records".to_string(),
            1 => "the one TXT record is not an MTA-STS/TLS-RPT record".to_string(),
            n => format!("none of the {n} TXT records qualifies"),
        };
        let at = records.first().map_or(Span::at(0), |r| Span::at(r.extent().start));
        findings.push(Finding::new(c.no_record, at, detail));
    } else if chosen.is_none() {
        for &i in &candidates {
            if let Some(r) = records.get(i) {
                findings.push(Finding::new(
                    c.multiple,
                    r.extent(),
                    format!("{} records qualify; this is one of them", candidates.len()),
                ));
            }
        }
    }
    for &i in &candidates {
        let Some(r) = records.get(i) else { continue };
        let (v, fs) = interpret(&r.text);
        findings.extend(fs.into_iter().map(|f| Finding { span: r.src_span(f.span), ..f }));
        if chosen == Some(i) {
            value = Some(v);
        }
    }
    order::sort_by_key(&mut findings, |f| (f.span.start, f.span.end));
    (value, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_lines_become_records() {
        let doc = "v=STSv1; id=1\r\n\n  \nbogus\n";
        let recs = split_document(doc);
        let texts: Vec<&str> = recs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["v=STSv1; id=1", "bogus"]);
        assert_eq!(recs[1].extent(), Span::new(19, 24));
    }

    #[test]
    fn quoted_strings_are_concatenated_without_spaces() {
        let doc = "\"v=STSv1; \" \"id=20240101\"";
        let recs = split_document(doc);
        assert_eq!(recs[0].text, "v=STSv1; id=20240101");
        // "id" in the text maps back to its place inside the second quoted string.
        let id = recs[0].text.find("id").unwrap();
        assert_eq!(recs[0].src_span(Span::new(id, id + 2)), Span::new(13, 15));
    }

    #[test]
    fn dig_answer_lines_are_understood() {
        let doc = "_mta-sts.example.com. 300 IN TXT \"v=STSv1; id=\\0492\"";
        let recs = split_document(doc);
        assert_eq!(recs[0].text, "v=STSv1; id=12");
        let one = recs[0].text.len() - 2;
        // The escaped "1" maps to its four-byte escape sequence.
        assert_eq!(recs[0].src_span(Span::new(one, one + 1)), Span::new(46, 50));
    }

    #[test]
    fn an_unterminated_quote_is_taken_literally() {
        let recs = split_document("\"v=STSv1; id=1");
        assert_eq!(recs[0].text, "\"v=STSv1; id=1");
    }

    #[test]
    fn near_misses() {
        let known = ["v", "id"];
        assert_eq!(near_miss("ID", &known), Some("id"));
        assert_eq!(near_miss("ext", &known), None);
        let policy = ["version", "mode", "max_age", "mx"];
        assert_eq!(near_miss("max-age", &policy), Some("max_age"));
        assert_eq!(near_miss("nmx", &policy), Some("mx"));
        assert_eq!(near_miss("maxage", &policy), Some("max_age"));
        assert_eq!(near_miss("modes", &policy), Some("mode"));
        assert_eq!(near_miss("ab", &policy), None);
        assert_eq!(near_miss("foo_bar", &policy), None);
        assert_eq!(near_miss("ruf", &["v", "rua"]), Some("rua"));
    }
}
