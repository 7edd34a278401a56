//! Finding where a JSON pointer (RFC 6901) points in the JSON text, so that findings about
//! a report can be shown on the line they concern.
//!
//! A small scanner over the bytes, not a second parser: it assumes the text already parsed
//! as JSON and only tracks where each value starts and ends. Work is linear in the input.

use crate::finding::Span;

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i = self.i.saturating_add(1);
        }
    }

    /// Skips a string starting at the quote; returns its raw contents' range.
    fn string(&mut self) -> Option<(usize, usize)> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        self.i = self.i.saturating_add(1);
        let start = self.i;
        loop {
            match self.b.get(self.i)? {
                b'\\' => self.i = self.i.saturating_add(2),
                b'"' => {
                    self.i = self.i.saturating_add(1);
                    return Some((start, self.i.saturating_sub(1)));
                }
                _ => self.i = self.i.saturating_add(1),
            }
        }
    }

    /// Skips one value; returns its span.
    fn value(&mut self) -> Option<Span> {
        self.ws();
        let start = self.i;
        match self.b.get(self.i)? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.b.get(self.i)? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth = depth.saturating_add(1),
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                self.i = self.i.saturating_add(1);
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.i = self.i.saturating_add(1);
                }
            }
            _ => {
                while self.b.get(self.i).is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace()) {
                    self.i = self.i.saturating_add(1);
                }
            }
        }
        Some(Span::new(start, self.i))
    }
}

/// Undoes JSON string escapes that can appear in member names we look for.
fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_string())
}

/// The span of the value at `pointer` in `json`, if the pointer resolves. For a pointer to
/// a missing member, callers should point at the parent object instead.
pub fn locate(json: &[u8], pointer: &str) -> Option<Span> {
    locate_all(json, &[pointer]).into_iter().next().flatten()
}

/// Pointers as a tree of their tokens, so that one walk over the text resolves them all.
#[derive(Default)]
struct Trie {
    /// Indexes of the pointers that end here.
    here: Vec<usize>,
    children: std::collections::BTreeMap<String, Trie>,
}

impl Scan<'_> {
    /// At a value: resolves every pointer of `node` inside it, skipping members and items
    /// no pointer passes through. Each byte is scanned once, however many pointers there are.
    fn walk(&mut self, node: &Trie, out: &mut [Option<Span>]) -> Option<()> {
        self.ws();
        let start = self.i;
        if node.children.is_empty() {
            let span = self.value()?;
            node.set(span, out);
            return Some(());
        }
        match self.b.get(self.i)? {
            b'{' => {
                self.i = self.i.saturating_add(1);
                loop {
                    self.ws();
                    if self.b.get(self.i) == Some(&b'}') {
                        self.i = self.i.saturating_add(1);
                        break;
                    }
                    let (ks, ke) = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return None;
                    }
                    self.i = self.i.saturating_add(1);
                    let key = std::str::from_utf8(self.b.get(ks..ke)?).ok()?;
                    match node.children.get(&unescape(key)) {
                        Some(child) => self.walk(child, out)?,
                        None => {
                            self.value()?;
                        }
                    }
                    self.ws();
                    if self.b.get(self.i) == Some(&b',') {
                        self.i = self.i.saturating_add(1);
                    }
                }
            }
            b'[' => {
                self.i = self.i.saturating_add(1);
                for n in 0usize.. {
                    self.ws();
                    if self.b.get(self.i) == Some(&b']') {
                        self.i = self.i.saturating_add(1);
                        break;
                    }
                    match node.children.get(&n.to_string()) {
                        Some(child) => self.walk(child, out)?,
                        None => {
                            self.value()?;
                        }
                    }
                    self.ws();
                    if self.b.get(self.i) == Some(&b',') {
                        self.i = self.i.saturating_add(1);
                    }
                }
            }
            _ => {
                self.value()?;
            }
        }
        node.set(Span::new(start, self.i), out);
        Some(())
    }
}

impl Trie {
    /// Records `span` for the pointers ending here (the first occurrence of a repeated
    /// member wins, as in [`locate`]).
    fn set(&self, span: Span, out: &mut [Option<Span>]) {
        for &i in &self.here {
            if let Some(slot @ None) = out.get_mut(i) {
                *slot = Some(span);
            }
        }
    }
}

/// [`locate`] for many pointers in one pass over `json`: a report with thousands of
/// findings is located in time linear in its size, not in size × findings.
pub fn locate_all(json: &[u8], pointers: &[&str]) -> Vec<Option<Span>> {
    let mut root = Trie::default();
    for (i, p) in pointers.iter().enumerate() {
        let mut node = &mut root;
        if !p.is_empty() {
            let Some(rest) = p.strip_prefix('/') else { continue };
            for t in rest.split('/') {
                node = node.children.entry(t.replace("~1", "/").replace("~0", "~")).or_default();
            }
        }
        node.here.push(i);
    }
    let mut out = vec![None; pointers.len()];
    let _ = Scan { b: json, i: 0 }.walk(&root, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{ "a": 1, "b/c": {"x": [10, {"y": "s\"t"}, 30]}, "d": "e" }"#;

    fn at(pointer: &str) -> Option<&'static str> {
        locate(DOC.as_bytes(), pointer).map(|s| &DOC[s.start..s.end])
    }

    #[test]
    fn pointers_resolve_to_their_text() {
        assert_eq!(at(""), Some(DOC));
        assert_eq!(at("/a"), Some("1"));
        assert_eq!(at("/b~1c/x/0"), Some("10"));
        assert_eq!(at("/b~1c/x/1/y"), Some(r#""s\"t""#));
        assert_eq!(at("/b~1c/x/2"), Some("30"));
        assert_eq!(at("/d"), Some("\"e\""));
        assert_eq!(at("/missing"), None);
        assert_eq!(at("/b~1c/x/9"), None);
        assert_eq!(at("/a/deeper"), None);
    }

    #[test]
    fn all_at_once_agrees_with_one_at_a_time() {
        let pointers = [
            "",
            "/a",
            "/b~1c/x/0",
            "/b~1c/x/1/y",
            "/b~1c/x/2",
            "/d",
            "/missing",
            "/b~1c/x/9",
            "/a/deeper",
            "/b~1c",
            "/b~1c/x",
        ];
        let all = locate_all(DOC.as_bytes(), &pointers);
        for (p, got) in pointers.iter().zip(all) {
            assert_eq!(got, locate(DOC.as_bytes(), p), "{p}");
        }
        // The first of two members with the same name wins, as with one pointer.
        let dup = br#"{"k": 1, "k": 2}"#;
        assert_eq!(locate_all(dup, &["/k"]), [locate(dup, "/k")]);
    }
}
