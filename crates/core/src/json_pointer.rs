//! Finding where a JSON pointer (RFC 6901) points in the JSON text, so that findings about
//! a report can be shown on the line they concern.
//!
//! A small scanner over the bytes, not a second parser: it assumes the text already parsed
//! as JSON and only tracks where each value starts and ends. Work is linear in the input.

use crate::finding::Span;
use crate::order;

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

/// The pointers being looked for, sorted (as strings: the same sort the rest of the crate
/// uses, so the web bundle gains no new sort code), with the span found for each.
struct Wanted {
    pointers: Vec<String>,
    found: Vec<Option<Span>>,
}

impl Wanted {
    /// Whether some wanted pointer lies strictly below `path`.
    fn below(&self, path: &str) -> bool {
        // Everything below `path` starts with `path/` and sorts as one run from there.
        let prefix = format!("{path}/");
        let from = self.pointers.partition_point(|p| p.as_str() < prefix.as_str());
        self.pointers.get(from).is_some_and(|p| p.strip_prefix(path).is_some_and(|rest| rest.starts_with('/')))
    }

    /// Records `span` for `path` if it is wanted (the first occurrence of a repeated member
    /// wins, as a JSON parser keeping the first would).
    fn set(&mut self, path: &str, span: Span) {
        if let Ok(i) = self.pointers.binary_search_by(|p| p.as_str().cmp(path)) {
            if let Some(slot @ None) = self.found.get_mut(i) {
                *slot = Some(span);
            }
        }
    }
}

impl Scan<'_> {
    /// At the value at `path`: records it if wanted and descends only into members and
    /// items some wanted pointer passes through, skipping the rest. Each byte is scanned
    /// once, however many pointers there are.
    fn walk(&mut self, path: &mut String, wanted: &mut Wanted) -> Option<()> {
        self.ws();
        let start = self.i;
        if !wanted.below(path) {
            let span = self.value()?;
            wanted.set(path, span);
            return Some(());
        }
        let len = path.len();
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
                    path.push('/');
                    path.push_str(&unescape(key).replace('~', "~0").replace('/', "~1"));
                    self.walk(path, wanted)?;
                    path.truncate(len);
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
                    path.push('/');
                    path.push_str(&n.to_string());
                    self.walk(path, wanted)?;
                    path.truncate(len);
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
        wanted.set(path, Span::new(start, self.i));
        Some(())
    }
}

/// The span of the value at each pointer in `json`, where the pointer resolves (for a
/// pointer to a missing member, callers should point at the parent object instead). One
/// pass over `json` for all of them: a report with thousands of findings is located in time
/// linear in its size, not in size × findings.
pub fn locate_all(json: &[u8], pointers: &[&str]) -> Vec<Option<Span>> {
    let mut sorted: Vec<String> = pointers.iter().map(|p| p.to_string()).collect();
    order::sort(&mut sorted);
    sorted.dedup();
    let mut wanted = Wanted { found: vec![None; sorted.len()], pointers: sorted };
    let _ = Scan { b: json, i: 0 }.walk(&mut String::new(), &mut wanted);
    pointers
        .iter()
        .map(|p| {
            let i = wanted.pointers.binary_search_by(|w| w.as_str().cmp(p)).ok()?;
            wanted.found.get(i).copied().flatten()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate(json: &[u8], pointer: &str) -> Option<Span> {
        locate_all(json, &[pointer]).into_iter().next().flatten()
    }

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
        // Siblings that sort between a member and its children ("/a-b" < "/a/x").
        let doc = br#"{"a": {"x": 1}, "a-b": 2}"#;
        assert_eq!(locate_all(doc, &["/a-b", "/a/x"]), [Some(Span::new(23, 24)), Some(Span::new(12, 13))]);
        // The first of two members with the same name wins, as with one pointer.
        let dup = br#"{"k": 1, "k": 2}"#;
        assert_eq!(locate_all(dup, &["/k"]), [locate(dup, "/k")]);
    }
}
