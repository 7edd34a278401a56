//! A lean walk over an email's MIME structure (issue 13): header fields unfolded (RFC
//! 5322 §2.2.3), `Content-Type` and `Content-Disposition` parameters with RFC 2231
//! continuations and charsets and RFC 2047 encoded words, multipart bodies split on their
//! boundary (RFC 2046 §5.1.1), attached messages (`message/rfc822`) handed back whole, and
//! only the parts the caller asks for decoded (base64, quoted-printable: RFC 2045 §6).
//! Nothing else is decoded: a report email's other headers and its text parts cost a scan.
//!
//! Replaces mail-parser here, whose generality (every header decoded, legacy charsets)
//! cost 20 µs per email and most of the report worker's size; core's tests compare the two
//! on every email of the shared corpus.

/// One header field: its name as written and its value unfolded (line breaks before
/// whitespace removed), both raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The name, as written.
    pub name: &'a [u8],
    /// The value, unfolded, leading whitespace trimmed: borrowed from the message unless it
    /// was folded over several lines.
    pub value: Cow<'a, [u8]>,
}

use std::borrow::Cow;

/// What a leaf part is and holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// Media type and subtype, lowercased (empty when there is no `Content-Type`).
    pub media: (String, String),
    /// `Content-Disposition`'s filename, else `Content-Type`'s name, decoded.
    pub name: Option<String>,
    /// `Content-Description`, raw (see [`Part::description`]).
    pub description_raw: Option<Cow<'a, [u8]>>,
    /// `Content-Transfer-Encoding`, lowercased.
    pub encoding: Option<String>,
    /// The body, still encoded.
    pub body: &'a [u8],
}

/// A part of the walk, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item<'a> {
    /// A part that is not a container.
    Leaf(Part<'a>),
    /// An attached message (`message/rfc822`), still encoded as its part says.
    Attached(Part<'a>),
}

/// An email read this far: its header fields and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email<'a> {
    /// The top-level header fields.
    pub fields: Vec<Field<'a>>,
    /// Its leaf parts and attached messages, in order.
    pub items: Vec<Item<'a>>,
}

/// Multiparts nested deeper than this are not opened (a hostile message cannot make the
/// walk recurse without end).
const MAX_NESTING: usize = 32;

/// Reads header fields up to the empty line; `None` when the first line is not one.
fn fields(bytes: &[u8]) -> (Vec<Field<'_>>, &[u8]) {
    let mut out: Vec<Field<'_>> = Vec::new();
    let mut rest = bytes;
    loop {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (rest.get(..i).unwrap_or(b""), rest.get(i.saturating_add(1)..).unwrap_or(b"")),
            None => (rest, &b""[..]),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return (out, next);
        }
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            match out.last_mut() {
                Some(f) => {
                    f.value.to_mut().extend_from_slice(line);
                }
                None => return (out, rest),
            }
        } else {
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                // Not a header field: the body starts here (no empty line before it).
                return (out, rest);
            };
            let name = line.get(..colon).unwrap_or(b"");
            if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
                return (out, rest);
            }
            let value = line.get(colon.saturating_add(1)..).unwrap_or(b"");
            let start = value.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(value.len());
            out.push(Field { name, value: Cow::Borrowed(value.get(start..).unwrap_or(b"")) });
        }
        if next.is_empty() {
            return (out, next);
        }
        rest = next;
    }
}

fn find<'f, 'a>(fields: &'f [Field<'a>], name: &str) -> Option<&'f Field<'a>> {
    fields.iter().find(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
}

fn field<'f>(fields: &'f [Field<'_>], name: &str) -> Option<&'f [u8]> {
    find(fields, name).map(|f| f.value.as_ref())
}

/// Bytes as text, invalid UTF-8 replaced: `from_utf8_lossy` validates a byte at a time,
/// `from_utf8` (tried first) a word at a time over ASCII, which is nearly every header.
fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    std::str::from_utf8(bytes).map_or_else(|_| String::from_utf8_lossy(bytes), std::borrow::Cow::Borrowed)
}

/// A structured header value: the token before the first `;`, lowercased, and its
/// parameters with RFC 2231 continuations joined and charsets decoded, names lowercased.
fn params(value: &[u8]) -> (String, Vec<(String, String)>) {
    // Split on ";" outside quotes, then take the quotes out of each piece (backslash
    // escapes inside them undone); a piece without either is converted as it is.
    // Borrowed from `value` unless unquoted or not UTF-8.
    let mut pieces: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    let (mut quoted, mut escaped, mut start) = (false, false, 0usize);
    let piece = |from: usize, to: usize| {
        let p = value.get(from..to).unwrap_or(b"");
        if !p.iter().any(|b| *b == b'"' || *b == b'\\') {
            return lossy(p);
        }
        let (mut out, mut q, mut esc) = (Vec::with_capacity(p.len()), false, false);
        for &b in p {
            match b {
                _ if esc => {
                    out.push(b);
                    esc = false;
                }
                b'\\' if q => esc = true,
                b'"' => q = !q,
                _ => out.push(b),
            }
        }
        std::borrow::Cow::Owned(
            String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    };
    for (i, &b) in value.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b';' if !quoted => {
                pieces.push(piece(start, i));
                start = i.saturating_add(1);
            }
            _ => {}
        }
    }
    pieces.push(piece(start, value.len()));
    let mut it = pieces.into_iter();
    let first = it.next().unwrap_or_default().trim().to_ascii_lowercase();
    // name -> (section, extended, value) pieces for RFC 2231 continuations.
    let mut raw: Vec<(String, u32, bool, String)> = Vec::new();
    for p in it {
        let Some((k, v)) = p.split_once('=') else { continue };
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim().to_string();
        let (k, extended) = match k.strip_suffix('*') {
            Some(k) => (k.to_string(), true),
            None => (k, false),
        };
        let (base, section) = match k.rsplit_once('*') {
            Some((b, n)) if !n.is_empty() && n.bytes().all(|d| d.is_ascii_digit()) => {
                (b.to_string(), n.parse::<u32>().unwrap_or(0))
            }
            _ => (k, 0),
        };
        raw.push((base, section, extended, v));
    }
    // RFC 2231 sections in order (only when there are any: most values have none).
    if raw.iter().any(|r| r.1 > 0) {
        crate::order::sort_by(&mut raw, |a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    let mut charset: Option<String> = None;
    for (name, section, extended, v) in raw {
        let mut piece = v;
        if extended {
            if section == 0 {
                // charset'language'value
                let mut parts = piece.splitn(3, '\'');
                let (cs, _lang, rest) = (parts.next(), parts.next(), parts.next());
                if let Some(rest) = rest {
                    charset = cs.map(str::to_ascii_lowercase);
                    piece = rest.to_string();
                }
            }
            piece = decode_charset(&percent_decode(&piece), charset.as_deref());
        }
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) if section > 0 => v.push_str(&piece),
            Some(_) => {}
            None => out.push((name, piece)),
        }
    }
    (first, out)
}

fn percent_decode(s: &str) -> Vec<u8> {
    unescape(s.as_bytes(), b'%', false)
}

/// Bytes in `charset` as text: UTF-8 and ASCII as they are, Latin-1 (and Windows-1252,
/// whose extra characters never occur in report names) byte by byte, anything else lossily.
fn decode_charset(bytes: &[u8], charset: Option<&str>) -> String {
    match charset {
        Some("iso-8859-1" | "latin1" | "iso8859-1" | "windows-1252" | "cp1252") => {
            bytes.iter().map(|&b| char::from(b)).collect()
        }
        _ => lossy(bytes).into_owned(),
    }
}

/// RFC 2047 encoded words in `text` decoded; whitespace between two encoded words dropped.
pub fn decode_words(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, from) = rest.split_at(start);
        let word = from.get(2..).and_then(|w| {
            let (cs, w) = w.split_once('?')?;
            let (enc, w) = w.split_once('?')?;
            let (data, tail) = w.split_once("?=")?;
            let bytes = match enc {
                "B" | "b" => decode_base64(data.as_bytes()).0,
                "Q" | "q" => qp(data.replace('_', " ").as_bytes(), false),
                _ => return None,
            };
            let cs = cs.split('*').next().unwrap_or(cs).to_ascii_lowercase();
            Some((decode_charset(&bytes, Some(&cs)), tail))
        });
        match word {
            Some((decoded, tail)) => {
                if !(after_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&decoded);
                rest = tail;
                after_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = from.get(2..).unwrap_or("");
                after_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Base64 decoded, and whether it was clean: whitespace is skipped; with any other
/// character outside the alphabet, or a bad length, the text is decoded leniently (such
/// characters skipped, decoding stopped at padding) and `false` returned.
pub fn decode_base64(text: &[u8]) -> (Vec<u8>, bool) {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    // Sized once (grown from 8 bytes a doubling at a time, it cost more than the copying).
    let mut compact: Vec<u8> = Vec::with_capacity(text.len());
    // Line by line: a copy per line, not a push per byte (half the cost of this function).
    for run in text.split(u8::is_ascii_whitespace) {
        compact.extend_from_slice(run);
    }
    let strict = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    if let Ok(v) = strict.decode(&compact) {
        return (v, true);
    }
    (lenient_base64(text), false)
}

/// Decodes base64 leniently: characters outside the alphabet are skipped, decoding stops
/// at padding, and a final group of one character (which cannot encode a byte) is dropped.
pub fn lenient_base64(text: &[u8]) -> Vec<u8> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    let mut clean: Vec<u8> = text
        .iter()
        .copied()
        .take_while(|&b| b != b'=')
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .collect();
    if clean.len() % 4 == 1 {
        clean.pop();
    }
    let config = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone);
    GeneralPurpose::new(&base64::alphabet::STANDARD, config).decode(&clean).unwrap_or_default()
}

/// Quoted-printable decoded (RFC 2045 §6.7): `=XX` bytes, soft line breaks removed (in a
/// body), anything malformed kept as written.
fn qp(text: &[u8], body: bool) -> Vec<u8> {
    unescape(text, b'=', body)
}

/// `escape` followed by two hex digits becomes that byte (RFC 2045's `=XX`, RFC 2231's
/// `%XX`); with `soft_breaks`, `escape` before a line break removes both; anything else is
/// kept as written.
fn unescape(text: &[u8], escape: u8, soft_breaks: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0usize;
    while let Some(&c) = text.get(i) {
        let next = text.get(i.saturating_add(1)..).unwrap_or(b"");
        if c == escape && soft_breaks && (next.starts_with(b"\r\n") || next.starts_with(b"\n")) {
            i = i.saturating_add(if next.starts_with(b"\r\n") { 3 } else { 2 });
            continue;
        }
        let hex = match next {
            [h, l, ..] if c == escape && h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                std::str::from_utf8(&[*h, *l]).ok().and_then(|x| u8::from_str_radix(x, 16).ok())
            }
            _ => None,
        };
        match hex {
            Some(v) => {
                out.push(v);
                i = i.saturating_add(3);
            }
            None => {
                out.push(c);
                i = i.saturating_add(1);
            }
        }
    }
    out
}

/// A part's body decoded by its transfer encoding, and whether that was clean (only
/// base64 can be unclean, see [`decode_base64`]).
pub fn decode<'a>(part: &Part<'a>) -> (Cow<'a, [u8]>, bool) {
    match part.encoding.as_deref() {
        Some("base64") => {
            let (v, clean) = decode_base64(part.body);
            (Cow::Owned(v), clean)
        }
        Some("quoted-printable") => (Cow::Owned(qp(part.body, true)), true),
        _ => (Cow::Borrowed(part.body), true),
    }
}

/// Splits a multipart body on `--boundary` lines (RFC 2046 §5.1.1): the parts between the
/// first delimiter and the close delimiter (or the end), without the line break that
/// belongs to the next delimiter.
fn split<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut at = 0usize;
    while at <= body.len() {
        let line_end = body.get(at..).and_then(|r| memchr::memchr(b'\n', r)).map(|p| at.saturating_add(p));
        let line = body.get(at..line_end.unwrap_or(body.len())).unwrap_or(b"");
        if let Some(rest) = line.strip_prefix(d) {
            let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
            let close = rest.starts_with(b"--");
            let padding = if close { rest.get(2..).unwrap_or(b"") } else { rest };
            if padding.iter().all(|b| *b == b' ' || *b == b'\t') {
                if let Some(s) = start {
                    // The line break before the delimiter belongs to it.
                    let mut end = at;
                    if end > s && body.get(end.saturating_sub(1)) == Some(&b'\n') {
                        end = end.saturating_sub(1);
                        if end > s && body.get(end.saturating_sub(1)) == Some(&b'\r') {
                            end = end.saturating_sub(1);
                        }
                    }
                    parts.push(body.get(s..end).unwrap_or(b""));
                }
                if close {
                    return parts;
                }
                start = Some(line_end.map_or(body.len(), |e| e.saturating_add(1)));
            }
        }
        match line_end {
            Some(e) => at = e.saturating_add(1),
            None => break,
        }
    }
    if let Some(s) = start {
        parts.push(body.get(s..).unwrap_or(b""));
    }
    parts
}

fn text(v: Option<&[u8]>) -> Option<String> {
    v.map(|v| decode_words(&lossy(v)))
}

fn walk<'a>(fields: &[Field<'a>], body: &'a [u8], nesting: usize, out: &mut Vec<Item<'a>>) {
    let (media, ct) = field(fields, "Content-Type").map(params).unwrap_or_default();
    let (ctype, subtype) = media
        .split_once('/')
        .map_or((media.clone(), String::new()), |(a, b)| (a.trim().to_string(), b.trim().to_string()));
    if ctype == "multipart" && nesting < MAX_NESTING {
        if let Some((_, boundary)) = ct.iter().find(|(k, _)| k == "boundary") {
            for piece in split(body, boundary) {
                let (f, b) = self::fields(piece);
                walk(&f, b, nesting.saturating_add(1), out);
            }
            return;
        }
    }
    let disposition = field(fields, "Content-Disposition").map(params).map(|(_, p)| p).unwrap_or_default();
    let param =
        |list: &[(String, String)], key: &str| list.iter().find(|(k, _)| k == key).map(|(_, v)| decode_words(v));
    let part = Part {
        media: (ctype.clone(), subtype.clone()),
        name: param(&disposition, "filename").or_else(|| param(&ct, "name")),
        description_raw: find(fields, "Content-Description").map(|f| f.value.clone()),
        encoding: field(fields, "Content-Transfer-Encoding").map(|e| lossy(e).trim().to_ascii_lowercase()),
        body,
    };
    if ctype == "message" && subtype == "rfc822" {
        out.push(Item::Attached(part));
    } else {
        out.push(Item::Leaf(part));
    }
}

/// Reads an email; `None` when it does not start with a header field.
pub fn parse(bytes: &[u8]) -> Option<Email<'_>> {
    let (fields, body) = fields(bytes);
    if fields.is_empty() {
        return None;
    }
    let mut items = Vec::new();
    walk(&fields, body, 0, &mut items);
    Some(Email { fields, items })
}

impl Part<'_> {
    /// `Content-Description`, RFC 2047 words decoded (only read when a part has no name).
    pub fn description(&self) -> Option<String> {
        text(self.description_raw.as_deref())
    }
}

impl Email<'_> {
    /// A top-level header field's value, unfolded, as text (not decoded).
    pub fn header(&self, name: &str) -> Option<String> {
        field(&self.fields, name).map(|v| lossy(v).trim().to_string())
    }

    /// `Subject`, with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> Option<String> {
        text(field(&self.fields, "Subject")).map(|s| s.trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_params_and_encodings() {
        assert_eq!(decode_words("=?UTF-8?B?UmVwb3J0?= =?utf-8?Q?_Domain=3A?= x"), "Report Domain: x");
        assert_eq!(decode_words("=?iso-8859-1?q?caf=E9?="), "café");
        assert_eq!(decode_words("plain =? not a word"), "plain =? not a word");
        let (t, p) = params(b"attachment; filename*0*=utf-8''a%20b; filename*1=\".json.gz\"; size=3");
        assert_eq!(t, "attachment");
        assert_eq!(p[0], ("filename".to_string(), "a b.json.gz".to_string()));
        let (t, p) = params(b"multipart/report; report-type=\"tlsrpt\"; boundary=\"b;\\\"1\"");
        let boundary = p.iter().find(|(k, _)| k == "boundary").map(|(_, v)| v.as_str());
        assert_eq!((t.as_str(), boundary), ("multipart/report", Some("b;\"1")));
        assert_eq!(qp(b"a=3Db=\r\nc=ZZ", true), b"a=bc=ZZ");
        assert_eq!(decode_base64(b"eyJ\r\nhIjoxfQ=="), (br#"{"a":1}"#.to_vec(), true));
        assert!(!decode_base64(b"eyJ!hIjoxfQ==").1);
    }

    #[test]
    fn nested_multiparts_and_attached_messages() {
        let mail = b"From: a@b\r\nSubject: =?utf-8?q?hi?=\r\n folded\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\npreamble\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\ntext\r\n--inner--\r\n--outer\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n filename=\"r.json.gz\"\r\n\r\nH4sI\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--outer--\r\nepilogue";
        let e = parse(mail).unwrap();
        assert_eq!(e.subject().as_deref(), Some("hi folded"));
        assert_eq!(e.items.len(), 3, "{:?}", e.items);
        let Item::Leaf(p) = &e.items[1] else { panic!() };
        assert_eq!((p.media.1.as_str(), p.name.as_deref(), p.body), ("tlsrpt+gzip", Some("r.json.gz"), &b"H4sI"[..]));
        let Item::Attached(m) = &e.items[2] else { panic!() };
        assert_eq!(m.body, b"Subject: inner\r\n\r\nbody");
        assert!(parse(b"not an email\n").is_none());
    }
}
