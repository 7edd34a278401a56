//! Line and column positions for byte offsets, and number formatting, for showing
//! findings and counts to people.

/// The starts of the lines of a text, to turn byte offsets into line and column.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// Line number, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`; lines end at LF.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i.saturating_add(1))).collect();
        LineIndex { text, starts }
    }

    /// Line and column of byte `offset` (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
        let column = (self.text.get(start..offset).map_or(offset.saturating_sub(start), |s| s.chars().count()))
            .saturating_add(1);
        LineCol { line, column }
    }

    /// The text of 1-based line `line`, without its line end.
    pub fn line(&self, line: usize) -> &'a str {
        let start = self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(self.text.len());
        let end = self.starts.get(line).map_or(self.text.len(), |&e| e.saturating_sub(1));
        let s = self.text.get(start..end.max(start)).unwrap_or("");
        s.strip_suffix('\r').unwrap_or(s)
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True for an empty text (which [`LineIndex::len`] still counts as one empty line).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Percent-decodes `s` (`%C3%BC` → "ü"; a `%` not followed by two hex digits is kept),
/// as URLs carry text: the page's address, an IMAP URL's user and mailbox.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i.saturating_add(1)..i.saturating_add(3))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i = i.saturating_add(3);
            }
            _ => {
                out.push(b);
                i = i.saturating_add(1);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `"1 error"`, `"3 errors"`: a count and a noun that takes a plain "s".
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `1234567` as `"1,234,567"`, for counts shown to people.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len().saturating_add(s.len() / 3));
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len().saturating_sub(i)) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let idx = LineIndex::new("ab\r\ncü d\nlast");
        assert_eq!(idx.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(4), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(8), LineCol { line: 2, column: 4 });
        assert_eq!(idx.line_col(999), LineCol { line: 3, column: 5 });
        assert_eq!(idx.line(1), "ab");
        assert_eq!(idx.line(2), "cü d");
        assert_eq!(idx.line(3), "last");
        assert_eq!(idx.len(), 3);
    }

    #[test]
    fn plurals() {
        assert_eq!(
            (plural(0, "error"), plural(1, "note"), plural(2, "warning")),
            ("0 errors".into(), "1 note".into(), "2 warnings".into())
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("Reports%2FTLS"), "Reports/TLS");
        assert_eq!(percent_decode("m%C3%BCller%40example.com"), "müller@example.com");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(15_378), "15,378");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
