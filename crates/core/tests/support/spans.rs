//! The span invariant every lint keeps, shared by the no-panic test and the fuzz targets
//! (`#[path]`-included by both): each span lies inside the text the lint read (the bytes
//! for policies and reports; the text as UTF-8, invalid bytes replaced, for records and
//! captures, which is what a page or terminal shows) and starts and ends on a character
//! boundary there, so slicing the shown text at a span never panics or cuts a character.

use mtasts_core::finding::Finding;
use mtasts_core::lint::Kind;

/// Panics, naming the finding, when a span of `findings` breaks the invariant.
pub fn assert_spans(kind: Kind, input: &[u8], findings: &[Finding]) {
    let text = String::from_utf8_lossy(input);
    let on_bytes = matches!(kind, Kind::Policy | Kind::Report);
    let len = if on_bytes { input.len() } else { text.len() };
    for f in findings {
        let (start, end) = (f.span.start, f.span.end);
        assert!(start <= end && end <= len, "{}: span {start}..{end} outside the input ({len} bytes)", f.code.id());
        // Byte-level inputs that are not UTF-8 have no characters to respect.
        if !on_bytes || std::str::from_utf8(input).is_ok() {
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{}: span {start}..{end} cuts a character",
                f.code.id()
            );
        }
    }
}
