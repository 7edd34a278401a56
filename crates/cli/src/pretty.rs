//! serde_json's pretty printing (two spaces per level), byte for byte, with each line
//! break and its indentation written at once. serde_json's `PrettyFormatter` writes the
//! indentation a level at a time, one `write_all` each: for `mtasts report --json` that
//! was most of the cost of writing its members' names (session 14).

use std::io::{self, Write};

use serde_json::ser::Formatter;

/// A line break after an optional comma, then room for 64 levels of indentation.
const BREAK: &[u8; 130] = b",\n                                                                                                                                ";

/// The pretty formatter; use with `serde_json::Serializer::with_formatter`.
#[derive(Default)]
pub struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    /// `",\n"` (or `"\n"`) and the current indentation.
    fn line<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        let from = usize::from(!comma);
        let to = self.level.saturating_mul(2).saturating_add(2);
        if let Some(bytes) = BREAK.get(from..to) {
            return w.write_all(bytes);
        }
        w.write_all(BREAK.get(from..2).unwrap_or(b"\n"))?;
        (0..self.level).try_for_each(|_| w.write_all(b"  "))
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level = self.level.saturating_add(1);
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            self.line(w, false)?;
        }
        w.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `value` as `serde_json::to_writer_pretty` writes it.
pub fn to_writer<W: Write, T: ?Sized + serde::Serialize>(w: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(w, Pretty::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(v: &serde_json::Value) -> String {
        let mut out = Vec::new();
        to_writer(&mut out, v).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let mut deep = serde_json::json!([1, {"a": [], "b": {}}]);
        for i in 0..70 {
            deep = if i % 2 == 0 { serde_json::json!({"k": deep, "n": [i]}) } else { serde_json::json!([deep, "x"]) };
        }
        let cases = [
            serde_json::json!(null),
            serde_json::json!("a \"quoted\" name\n"),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!([[], {}, [[]], {"a": {}}]),
            serde_json::json!({"summary": {"reports": 2, "rate": 0.5, "days": ["2024-01-01", null]}, "inputs": []}),
            deep,
        ];
        for v in &cases {
            assert_eq!(pretty(v), serde_json::to_string_pretty(v).unwrap_or_default(), "{v}");
        }
    }
}
