//! Getting report JSON out of whatever it arrived in.
//!
//! Reports come as `.json`, gzip (`application/tlsrpt+gzip`, RFC 8460 §5.2), `.zip`
//! archives, emails (`multipart/report; report-type="tlsrpt"` with an
//! `application/tlsrpt+gzip`, `+json` or bare `application/tlsrpt` part, RFC 8460 §5.3,
//! in base64 or quoted-printable) and mbox files of many emails. The content is sniffed;
//! names and extensions are not trusted.
//!
//! Every limit is checked before the work it bounds: decompressed bytes per input (a gzip
//! bomb stops at the cap, not at memory exhaustion), parts per message or archive, reports
//! per batch, and nesting depth. Exceeding a limit is an error for that input only; the
//! other inputs of a batch are unaffected.

use std::io::Read;

use crate::code::Code;
use crate::finding::{Finding, Span};
use crate::tls_rpt::json::{Json, Member};
use crate::tls_rpt::mime;

/// Containers (gzip, zip, mbox, email, attached message) nested deeper than this are not
/// opened.
pub const MAX_DEPTH: usize = 4;

/// Caps on the work one input may cause. What is bounded by default is bytes (memory and
/// work), never how many reports an input holds: a year of reports in one mailbox export
/// or zip is read whole, a part at a time ([`Stepper`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes per input, all its compressed members and archive entries
    /// together (default 1 GiB): a zip of many large members stops at this total instead
    /// of holding each member's share.
    pub max_decompressed: usize,
    /// Decompressed bytes of one compressed member or archive entry (default 64 MiB), the
    /// most one report may take in memory.
    pub max_member: usize,
    /// Parts per email or entries per archive (default: no limit).
    pub max_parts: usize,
    /// Reports taken from one batch (default: no limit).
    pub max_reports: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_decompressed: 1 << 30, max_member: 64 << 20, max_parts: usize::MAX, max_reports: usize::MAX }
    }
}

/// What an email said about the report it carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailMeta {
    /// `TLS-Report-Domain`.
    pub report_domain: Option<String>,
    /// `TLS-Report-Submitter`.
    pub submitter: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
}

/// One report found in an input, or one reason an input yielded no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// Where it came from, such as `mail.eml › google.com!example.com!1!2.json.gz`.
    pub origin: String,
    /// The report's JSON bytes, or the error finding.
    pub payload: Result<Vec<u8>, Finding>,
    /// The email it came in, if any.
    pub email: Option<EmailMeta>,
    /// The attachment or archive entry name, if any.
    pub filename: Option<String>,
    /// Notes about how it was read (lenient decoding).
    pub notes: Vec<Finding>,
    /// How it was reached.
    pub route: Route,
}

/// One step on the way from an input to a report in it (`mtasts report --verbose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A gzip member, inflated.
    Gzip,
    /// An entry of a zip archive.
    ZipEntry,
    /// A message of an mbox file.
    MboxMessage,
    /// An email, read by the lean MIME walk ([`crate::tls_rpt::mime`]).
    Email,
    /// An email attached to an email (`message/rfc822`).
    AttachedMessage,
    /// An email part taken for its media type (`application/tlsrpt+gzip` and the like).
    PartByType,
    /// An email part taken for its file name (`.json`, `.gz`, `.zip`).
    PartByName,
    /// An email part taken for the file name in its `Content-Description`.
    PartByDescription,
    /// A base64 body, decoded.
    Base64,
    /// A quoted-printable body, decoded.
    QuotedPrintable,
    /// An element of a JSON array of reports.
    ArrayElement,
}

impl Step {
    /// What the step was, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Gzip => "gzip, inflated",
            Step::ZipEntry => "zip archive entry",
            Step::MboxMessage => "mbox message",
            Step::Email => "email, read by the lean MIME walk",
            Step::AttachedMessage => "attached email (message/rfc822)",
            Step::PartByType => "email part taken for its media type",
            Step::PartByName => "email part taken for its file name",
            Step::PartByDescription => "email part taken for the file name in its Content-Description",
            Step::Base64 => "base64 body, decoded",
            Step::QuotedPrintable => "quoted-printable body, decoded",
            Step::ArrayElement => "element of a JSON array of reports",
        }
    }
}

/// The steps from an input to one report in it (or to where reading it failed), outermost
/// first. Kept inline: the walk nests at most [`MAX_DEPTH`] containers of at most three
/// steps each, and a copy per report then costs no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Route {
    steps: [Option<Step>; Route::MAX],
    len: u8,
}

impl Route {
    const MAX: usize = 3 * (MAX_DEPTH + 2);

    /// In the browser nothing is kept: the page never shows routes, and keeping them cost
    /// the report worker 1 KB (gzipped) that the page's size budget does not have.
    #[cfg(target_arch = "wasm32")]
    fn push(&mut self, _: Step) {}

    #[cfg(not(target_arch = "wasm32"))]
    fn push(&mut self, step: Step) {
        if let Some(slot) = self.steps.get_mut(usize::from(self.len)) {
            *slot = Some(step);
            self.len = self.len.saturating_add(1);
        }
    }

    fn truncate(&mut self, len: u8) {
        self.len = self.len.min(len);
    }

    /// The steps, outermost first.
    pub fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        self.steps.iter().take(usize::from(self.len)).flatten().copied()
    }
}

/// What the bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A JSON object or array.
    Json,
    /// gzip.
    Gzip,
    /// A zip archive.
    Zip,
    /// An mbox file (starts with a `From ` line).
    Mbox,
    /// One email (starts with header fields).
    Email,
    /// None of the above.
    Unknown,
}

/// Guesses what `bytes` are from their first bytes.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Sniffed::Gzip;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => return Sniffed::Json,
        None => return Sniffed::Unknown,
        _ => {}
    }
    if bytes.starts_with(b"From ") {
        return Sniffed::Mbox;
    }
    // A header field name, a colon, on the first line.
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    let name_len = first.iter().take_while(|&&b| b.is_ascii_graphic() && b != b':').count();
    if name_len > 0 && first.get(name_len) == Some(&b':') {
        return Sniffed::Email;
    }
    Sniffed::Unknown
}

struct Walk<'l> {
    limits: &'l Limits,
    inflater: &'l mut Inflater,
    out: Vec<Extracted>,
    /// Bytes decompressed so far from this input.
    spent: usize,
    /// The steps to where the walk is.
    route: Route,
}

impl Walk<'_> {
    /// What the next member may decompress to: its own cap, or what is left of the input's.
    fn budget(&self) -> usize {
        self.limits.max_decompressed.saturating_sub(self.spent).min(self.limits.max_member)
    }

    /// The detail of a too-large finding: which cap was reached.
    fn too_large(&self) -> String {
        if self.limits.max_member < self.limits.max_decompressed.saturating_sub(self.spent) {
            format!("more than {} bytes decompressed from one member", self.limits.max_member)
        } else if self.spent == 0 {
            format!("more than {} bytes decompressed", self.limits.max_decompressed)
        } else {
            format!(
                "more than {} bytes decompressed from this input in all ({} before this member)",
                self.limits.max_decompressed, self.spent
            )
        }
    }

    fn error(
        &mut self,
        origin: &str,
        code: Code,
        detail: impl Into<String>,
        email: Option<&EmailMeta>,
        filename: Option<&str>,
    ) {
        self.out.push(Extracted {
            origin: origin.to_string(),
            payload: Err(Finding::new(code, Span::at(0), detail)),
            email: email.cloned(),
            filename: filename.map(str::to_string),
            notes: Vec::new(),
            route: self.route,
        });
    }

    /// Goes one `step` further along the route; [`Walk::back`] with what this returns
    /// comes back.
    fn enter(&mut self, step: Step) -> u8 {
        let len = self.route.len;
        self.route.push(step);
        len
    }

    /// One step further for `part`'s transfer encoding, when it has one (the caller's
    /// [`Walk::back`] comes back past it).
    fn enter_encoding(&mut self, part: &mime::Part<'_>) {
        match part.encoding.as_deref() {
            Some("base64") => self.route.push(Step::Base64),
            Some("quoted-printable") => self.route.push(Step::QuotedPrintable),
            _ => {}
        }
    }

    fn back(&mut self, to: u8) {
        self.route.truncate(to);
    }

    fn reports(&self) -> usize {
        self.out.iter().filter(|e| e.payload.is_ok()).count()
    }

    /// True (and an error recorded) when the report limit is reached.
    fn over_report_limit(&mut self, origin: &str, email: Option<&EmailMeta>, filename: Option<&str>) -> bool {
        let over = self.reports() >= self.limits.max_reports;
        if over {
            let detail = format!("limit {}", self.limits.max_reports);
            self.error(origin, Code::InputTooManyReports, detail, email, filename);
        }
        over
    }

    fn visit(&mut self, origin: &str, bytes: &[u8], depth: usize, email: Option<&EmailMeta>, filename: Option<&str>) {
        if depth > MAX_DEPTH {
            let why = format!("containers nested more than {MAX_DEPTH} deep");
            self.error(origin, Code::InputNoReport, why, email, filename);
            return;
        }
        if self.over_report_limit(origin, email, filename) {
            return;
        }
        match sniff(bytes) {
            Sniffed::Json => self.json(origin, bytes, email, filename),
            Sniffed::Gzip => match self.inflater.gunzip(bytes, self.budget()) {
                Ok(inner) => {
                    self.spent = self.spent.saturating_add(inner.len());
                    let back = self.enter(Step::Gzip);
                    self.visit(origin, &inner, depth.saturating_add(1), email, filename);
                    self.back(back);
                }
                Err((Code::InputTooLarge, _)) => {
                    let why = self.too_large();
                    self.error(origin, Code::InputTooLarge, why, email, filename);
                }
                Err((code, why)) => self.error(origin, code, why, email, filename),
            },
            Sniffed::Zip => self.zip(origin, bytes, depth, email),
            Sniffed::Mbox => self.mbox(origin, bytes, depth),
            Sniffed::Email => self.email(origin, bytes, depth),
            Sniffed::Unknown => {
                let what = if bytes.is_empty() {
                    "the input is empty".to_string()
                } else {
                    "not JSON, gzip, zip or an email".to_string()
                };
                self.error(origin, Code::InputNoReport, what, email, filename);
            }
        }
    }

    fn json(&mut self, origin: &str, bytes: &[u8], email: Option<&EmailMeta>, filename: Option<&str>) {
        let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        let is_array = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        // A JSON array of reports (some tools export them so). Anything else that is not
        // a report is left for the report reader to explain.
        if is_array {
            if let Ok(items) = serde_json::from_slice::<Vec<Json<'_>>>(body) {
                let looks_like_report = |v: &Json<'_>| {
                    matches!(v, Json::Object(o)
                        if [Member::POLICIES, Member::REPORT_ID, Member::ORGANIZATION_NAME].iter().any(|k| o.contains(*k)))
                };
                if !items.is_empty() && items.iter().all(looks_like_report) {
                    for (i, item) in items.iter().enumerate() {
                        if self.over_report_limit(origin, email, filename) {
                            return;
                        }
                        let mut route = self.route;
                        route.push(Step::ArrayElement);
                        self.out.push(Extracted {
                            origin: format!("{origin} › [{i}]"),
                            payload: Ok(serde_json::to_vec(item).unwrap_or_default()),
                            email: email.cloned(),
                            filename: filename.map(str::to_string),
                            notes: Vec::new(),
                            route,
                        });
                    }
                    return;
                }
            }
        }
        self.out.push(Extracted {
            origin: origin.to_string(),
            payload: Ok(body.to_vec()),
            email: email.cloned(),
            filename: filename.map(str::to_string),
            notes: Vec::new(),
            route: self.route,
        });
    }

    fn zip(&mut self, origin: &str, bytes: &[u8], depth: usize, email: Option<&EmailMeta>) {
        let Some(mut archive) = self.open_zip(origin, bytes, email) else { return };
        let len = archive.len();
        self.zip_entries(origin, &mut archive, 0..len, depth, email);
    }

    fn open_zip<'z>(
        &mut self,
        origin: &str,
        bytes: &'z [u8],
        email: Option<&EmailMeta>,
    ) -> Option<zip::ZipArchive<std::io::Cursor<&'z [u8]>>> {
        match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
            Ok(a) if a.is_empty() => {
                self.error(origin, Code::InputNoReport, "the archive is empty", email, None);
                None
            }
            Ok(a) => Some(a),
            Err(e) => {
                self.error(origin, Code::InputBadCompression, format!("zip: {e}"), email, None);
                None
            }
        }
    }

    /// Reads the entries `range` of `archive`; false when the walk must stop (the entry
    /// limit or the decompression budget is reached).
    fn zip_entries(
        &mut self,
        origin: &str,
        archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
        range: std::ops::Range<usize>,
        depth: usize,
        email: Option<&EmailMeta>,
    ) -> bool {
        for i in range {
            if i >= self.limits.max_parts {
                self.error(
                    origin,
                    Code::InputTooManyParts,
                    format!("{} entries, limit {}", archive.len(), self.limits.max_parts),
                    email,
                    None,
                );
                return false;
            }
            let mut entry = match archive.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.error(
                        &format!("{origin} › entry {i}"),
                        Code::InputBadCompression,
                        format!("zip: {e}"),
                        email,
                        None,
                    );
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().map(|n| n.to_string()).unwrap_or_else(|_| format!("entry {i}"));
            let inner_origin = format!("{origin} › {name}");
            let cap = self.budget();
            let mut buf = Vec::new();
            match (&mut entry).take(u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1)).read_to_end(&mut buf) {
                Ok(n) if n > cap => {
                    let why = self.too_large();
                    self.error(&inner_origin, Code::InputTooLarge, why, email, Some(&name));
                    // The budget is spent: every further entry would fail the same way.
                    return false;
                }
                Ok(n) => {
                    self.spent = self.spent.saturating_add(n);
                    let back = self.enter(Step::ZipEntry);
                    self.visit(&inner_origin, &buf, depth.saturating_add(1), email, Some(&name));
                    self.back(back);
                }
                Err(e) => self.error(&inner_origin, Code::InputBadCompression, format!("zip: {e}"), email, Some(&name)),
            }
        }
        true
    }

    fn mbox(&mut self, origin: &str, bytes: &[u8], depth: usize) {
        let messages = self.mbox_messages(origin, bytes);
        for (n, &(s, e)) in messages.iter().enumerate() {
            self.mbox_message(origin, bytes, n, s, e, depth);
        }
    }

    /// Where each message of an mbox starts and ends (at most `max_parts`; more is an error).
    fn mbox_messages(&mut self, origin: &str, bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut starts: Vec<usize> = vec![0];
        // Every line that starts with "From ": found line by line (memchr for the newline,
        // then a look at the line), not by comparing a six-byte window at every byte, which
        // was 8 % of the report worker's time on a 10,000-message mailbox.
        for p in memchr::memchr_iter(b'\n', bytes) {
            let line = p.saturating_add(1);
            if bytes.get(line..).is_some_and(|rest| rest.starts_with(b"From ")) {
                starts.push(line);
            }
        }
        if starts.len() > self.limits.max_parts {
            self.error(
                origin,
                Code::InputTooManyParts,
                format!("{} messages, limit {}", starts.len(), self.limits.max_parts),
                None,
                None,
            );
            starts.truncate(self.limits.max_parts);
        }
        let ends: Vec<usize> = starts.iter().skip(1).copied().chain(std::iter::once(bytes.len())).collect();
        starts.into_iter().zip(ends).collect()
    }

    fn mbox_message(&mut self, origin: &str, bytes: &[u8], n: usize, s: usize, e: usize, depth: usize) {
        let msg = bytes.get(s..e).unwrap_or(b"");
        // Drop the "From " envelope line.
        let body = msg.iter().position(|&b| b == b'\n').and_then(|p| msg.get(p.saturating_add(1)..)).unwrap_or(b"");
        let origin = format!("{origin} › message {}", n.saturating_add(1));
        let back = self.enter(Step::MboxMessage);
        self.email(&origin, body, depth.saturating_add(1));
        self.back(back);
    }

    fn email(&mut self, origin: &str, bytes: &[u8], depth: usize) {
        let back = self.enter(Step::Email);
        match mime::parse(bytes) {
            Some(msg) => self.message(origin, &msg, depth),
            None => self.error(origin, Code::InputBadEmail, "no header fields found", None, None),
        }
        self.back(back);
    }

    fn message(&mut self, origin: &str, msg: &mime::Email<'_>, depth: usize) {
        // Attached messages (message/rfc822) nest like archives and count towards the same
        // depth limit.
        if depth > MAX_DEPTH {
            self.error(
                origin,
                Code::InputNoReport,
                format!("containers nested more than {MAX_DEPTH} deep"),
                None,
                None,
            );
            return;
        }
        let meta = EmailMeta {
            report_domain: msg.header("TLS-Report-Domain").map(|v| unfold(&v)),
            submitter: msg.header("TLS-Report-Submitter").map(|v| unfold(&v)),
            subject: msg.subject(),
        };
        let before = self.out.len();
        let mut parts = 0usize;
        for item in &msg.items {
            let part = match item {
                mime::Item::Attached(inner) => {
                    let (bytes, _) = mime::decode(inner);
                    let origin = format!("{origin} › attached message");
                    let back = self.enter(Step::AttachedMessage);
                    self.enter_encoding(inner);
                    match mime::parse(&bytes) {
                        Some(m) => self.message(&origin, &m, depth.saturating_add(1)),
                        None => self.error(&origin, Code::InputBadEmail, "no header fields found", Some(&meta), None),
                    }
                    self.back(back);
                    continue;
                }
                mime::Item::Leaf(p) => p,
            };
            let (ctype, subtype) = (&part.media.0, &part.media.1);
            // Microsoft puts the file name in Content-Description: filename="...".
            let described = || {
                let d = part.description()?;
                let rest = d.split_once("filename=")?.1.trim().trim_matches('"');
                Some(rest.split('"').next().unwrap_or(rest).trim().to_string())
            };
            let by_description = part.name.is_none();
            let name = part.name.clone().or_else(described);
            let lname = name.as_deref().unwrap_or("").to_ascii_lowercase();
            let by_type = ctype == "application"
                && matches!(
                    subtype.as_str(),
                    "tlsrpt+gzip"
                        | "tlsrpt+json"
                        | "tlsrpt"
                        | "gzip"
                        | "x-gzip"
                        | "json"
                        | "zip"
                        | "x-zip-compressed"
                        | "octet-stream"
                );
            let by_name = [".json", ".json.gz", ".gz", ".zip"].iter().any(|ext| lname.ends_with(ext));
            if !(by_type || by_name) {
                continue;
            }
            parts = parts.saturating_add(1);
            if parts > self.limits.max_parts {
                self.error(
                    origin,
                    Code::InputTooManyParts,
                    format!("limit {}", self.limits.max_parts),
                    Some(&meta),
                    None,
                );
                break;
            }
            let label = name.clone().unwrap_or_else(|| format!("{ctype}/{subtype} part"));
            // Base64 with a stray character is decoded leniently, and said so.
            let (decoded, clean) = mime::decode(part);
            let first = self.out.len();
            let taken = match (by_type, by_description) {
                (true, _) => Step::PartByType,
                (false, false) => Step::PartByName,
                (false, true) => Step::PartByDescription,
            };
            let inner_origin = format!("{origin} › {label}");
            let back = self.enter(taken);
            self.enter_encoding(part);
            self.visit(&inner_origin, &decoded, depth.saturating_add(1), Some(&meta), name.as_deref());
            self.back(back);
            if !clean {
                for x in self.out.iter_mut().skip(first) {
                    x.notes.push(Finding::new(Code::InputLenientBase64, Span::at(0), label.clone()));
                }
            }
        }
        if self.out.len() == before {
            self.error(
                origin,
                Code::InputNoReport,
                "the email has no application/tlsrpt+gzip, +json or other report attachment",
                Some(&meta),
                None,
            );
        }
    }
}

/// Header values may be folded over lines; join them.
fn unfold(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A reusable gzip decoder. It keeps one inflate state (with its 32 KiB window) for every
/// member of every input: allocating and zeroing a fresh one per report was a fifth of the
/// time spent on `.json.gz` reports.
#[derive(Debug, Default)]
pub struct Inflater {
    /// Made on first use: a batch that never meets gzip (the page's merged batch) never
    /// links or allocates the decompressor.
    raw: Option<flate2::Decompress>,
}

/// The length of a gzip member header (RFC 1952 §2.3), if `b` starts with a valid one.
fn gzip_header_len(b: &[u8]) -> Option<usize> {
    if b.get(..3)? != [0x1f, 0x8b, 8] {
        return None;
    }
    let flags = *b.get(3)?;
    let mut pos = 10;
    if flags & 4 != 0 {
        let xlen = u16::from_le_bytes([*b.get(pos)?, *b.get(pos.saturating_add(1))?]);
        pos = pos.saturating_add(2 + usize::from(xlen));
    }
    for flag in [8, 16] {
        if flags & flag != 0 {
            pos = pos.saturating_add((b.get(pos..)?.iter().position(|&c| c == 0)?).saturating_add(1));
        }
    }
    if flags & 2 != 0 {
        pos = pos.saturating_add(2);
    }
    (pos <= b.len()).then_some(pos)
}

fn le32(b: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(..4)?.try_into().ok()?))
}

impl Inflater {
    /// Decompresses gzip (every member, checking each CRC-32 and size), stopping at `cap`
    /// bytes of output.
    pub fn gunzip(&mut self, bytes: &[u8], cap: usize) -> Result<Vec<u8>, (Code, String)> {
        let bad = |why: String| (Code::InputBadCompression, format!("gzip: {why}"));
        // The last member's ISIZE (size mod 2^32) is a good first guess of the output size.
        let hint = bytes.len().checked_sub(4).and_then(|at| bytes.get(at..)).and_then(le32).map_or(0, |n| n as usize);
        let mut out: Vec<u8> = Vec::with_capacity(hint.min(cap).saturating_add(1));
        let mut at = 0;
        let mut members = 0usize;
        while at < bytes.len() {
            let rest = bytes.get(at..).unwrap_or(&[]);
            if members > 0 && rest.iter().all(|&b| b == 0) {
                break; // zero padding after the last member
            }
            let header = gzip_header_len(rest).ok_or_else(|| bad("invalid header".into()))?;
            let mut pos = at.saturating_add(header);
            let start = out.len();
            let raw = self.raw.get_or_insert_with(|| flate2::Decompress::new(false));
            raw.reset(false);
            loop {
                if out.len() == out.capacity() {
                    out.reserve(
                        ((out.capacity() / 2)
                            .max(4096)
                            .min((cap.saturating_add(1)).saturating_sub(out.len().min(cap))))
                        .saturating_add(1),
                    );
                }
                let (in_before, out_before) = (raw.total_in(), out.len());
                let input = bytes.get(pos..).unwrap_or(&[]);
                let status = raw
                    .decompress_vec(input, &mut out, flate2::FlushDecompress::None)
                    // Worded here, not by the backend: the CLI inflates with zlib-rs and the
                    // browser with miniz_oxide, whose messages differ.
                    .map_err(|_| bad("deflate decompression error".into()))?;
                pos = pos.saturating_add(usize::try_from(raw.total_in().saturating_sub(in_before)).unwrap_or(0));
                if out.len() > cap {
                    return Err((Code::InputTooLarge, format!("more than {cap} bytes decompressed")));
                }
                match status {
                    flate2::Status::StreamEnd => break,
                    _ if raw.total_in() == in_before && out.len() == out_before && out.len() < out.capacity() => {
                        return Err(bad("truncated (the compressed data ends early)".into()));
                    }
                    _ => {}
                }
            }
            let trailer = bytes.get(pos..pos.saturating_add(8)).ok_or_else(|| bad("truncated (no trailer)".into()))?;
            let mut crc = flate2::Crc::new();
            crc.update(out.get(start..).unwrap_or(&[]));
            let size = (out.len().saturating_sub(start)) as u64 & 0xFFFF_FFFF;
            if le32(trailer) != Some(crc.sum()) {
                return Err(bad("CRC-32 mismatch (corrupt data)".into()));
            }
            if trailer.get(4..).and_then(le32).map(u64::from) != Some(size) {
                return Err(bad("length mismatch (corrupt data)".into()));
            }
            at = pos.saturating_add(8);
            members = members.saturating_add(1);
        }
        if members == 0 {
            return Err(bad("empty".into()));
        }
        Ok(out)
    }
}

/// Finds every report in `bytes`, named `name` in origins.
pub fn extract(name: &str, bytes: &[u8], limits: &Limits) -> Vec<Extracted> {
    extract_with(&mut Inflater::default(), name, bytes, limits)
}

/// [`extract`] with a decoder kept by the caller across inputs.
pub fn extract_with(inflater: &mut Inflater, name: &str, bytes: &[u8], limits: &Limits) -> Vec<Extracted> {
    let mut walk = Walk { limits, inflater, out: Vec::new(), spent: 0, route: Route::default() };
    walk.visit(name, bytes, 0, None, None);
    walk.out
}

/// One input read a part at a time: the messages of an mbox, or the entries of a zip, a
/// few per [`Stepper::step`], so that a caller on a browser's main thread can yield between
/// steps even inside one large file. Any other input is a single part. Reading every step
/// gives exactly what [`extract_with`] gives (a test holds that).
pub struct Stepper<'b> {
    name: String,
    bytes: &'b [u8],
    plan: Plan<'b>,
    next: usize,
    spent: usize,
}

enum Plan<'b> {
    /// Not yet looked at.
    Start,
    /// Read whole in the next step.
    Whole,
    /// Messages of an mbox: (start, end).
    Mbox(Vec<(usize, usize)>),
    /// A zip, opened once (its central directory is read when opening).
    Zip(zip::ZipArchive<std::io::Cursor<&'b [u8]>>),
    /// Nothing more.
    Done,
}

impl<'b> Stepper<'b> {
    /// A stepper over `bytes`, named `name`.
    pub fn new(name: &str, bytes: &'b [u8]) -> Stepper<'b> {
        Stepper { name: name.to_string(), bytes, plan: Plan::Start, next: 0, spent: 0 }
    }

    /// True when every part has been read.
    pub fn is_done(&self) -> bool {
        matches!(self.plan, Plan::Done)
    }

    /// Reads up to `parts` more parts with `limits` (whose `max_reports` is what may still be
    /// taken) and returns what they gave.
    pub fn step(&mut self, inflater: &mut Inflater, limits: &Limits, parts: usize) -> Vec<Extracted> {
        let (bytes, name) = (self.bytes, self.name.as_str());
        let mut out = Vec::new();
        if matches!(self.plan, Plan::Start) {
            let mut walk = Walk { limits, inflater: &mut *inflater, out, spent: self.spent, route: Route::default() };
            self.plan = match sniff(bytes) {
                Sniffed::Mbox => Plan::Mbox(walk.mbox_messages(name, bytes)),
                Sniffed::Zip => walk.open_zip(name, bytes, None).map_or(Plan::Done, Plan::Zip),
                _ => Plan::Whole,
            };
            out = walk.out;
        }
        let mut walk = Walk { limits, inflater, out, spent: self.spent, route: Route::default() };
        let from = self.next;
        let to = from.saturating_add(parts.max(1));
        self.plan = match std::mem::replace(&mut self.plan, Plan::Done) {
            Plan::Whole => {
                walk.visit(name, bytes, 0, None, None);
                Plan::Done
            }
            Plan::Mbox(messages) => {
                let mut stop = false;
                for (n, &(s, e)) in messages.iter().enumerate().take(to).skip(from) {
                    if walk.over_report_limit(name, None, None) {
                        stop = true;
                        break;
                    }
                    walk.mbox_message(name, bytes, n, s, e, 0);
                }
                if stop || to >= messages.len() {
                    Plan::Done
                } else {
                    Plan::Mbox(messages)
                }
            }
            Plan::Zip(mut archive) => {
                let len = archive.len();
                let go_on = walk.zip_entries(name, &mut archive, from..to.min(len), 0, None);
                if !go_on || to >= len {
                    Plan::Done
                } else {
                    Plan::Zip(archive)
                }
            }
            other => other,
        };
        self.next = to;
        self.spent = walk.spent;
        walk.out
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const REPORT: &[u8] = br#"{"organization-name":"O","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},"contact-info":"a@o.example","report-id":"1","policies":[]}"#;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn ok_count(x: &[Extracted]) -> usize {
        x.iter().filter(|e| e.payload.is_ok()).count()
    }

    fn err_codes(x: &[Extracted]) -> Vec<&'static str> {
        x.iter().filter_map(|e| e.payload.as_ref().err()).map(|f| f.code.id()).collect()
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"  {\"a\":1}"), Sniffed::Json);
        assert_eq!(sniff(&gz(b"x")), Sniffed::Gzip);
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Zip);
        assert_eq!(sniff(b"From a@b Mon Jan 1 00:00:00 2024\nSubject: x\n"), Sniffed::Mbox);
        assert_eq!(sniff(b"Return-Path: <a@b>\r\nSubject: x\r\n"), Sniffed::Email);
        assert_eq!(sniff(b"\x00\x01garbage"), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Unknown);
    }

    #[test]
    fn gzip_and_json() {
        let x = extract("r.json.gz", &gz(REPORT), &Limits::default());
        assert_eq!(x.len(), 1);
        assert_eq!(x[0].payload.as_deref(), Ok(REPORT));
        let two = format!("[{},{}]", std::str::from_utf8(REPORT).unwrap(), std::str::from_utf8(REPORT).unwrap());
        assert_eq!(ok_count(&extract("a.json", two.as_bytes(), &Limits::default())), 2);
        // An array of other objects is one (invalid) input for the report reader to explain.
        let other = extract("v.json", br#"[{"input": "x", "kind": "sts-txt"}]"#, &Limits::default());
        assert_eq!(other.len(), 1);
    }

    #[test]
    fn gzip_members_headers_and_corruption() {
        let mut inf = Inflater::default();
        // Two members concatenated read as one stream (RFC 1952 §2.2).
        let mut two = gz(b"{\"a\":");
        two.extend(gz(b"1}"));
        assert_eq!(inf.gunzip(&two, 1 << 20).unwrap(), b"{\"a\":1}");
        // A header with FNAME, as gzip(1) writes it.
        let mut named = vec![0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3];
        named.extend(b"r.json\0");
        let body = gz(REPORT);
        named.extend(&body[10..]);
        assert_eq!(inf.gunzip(&named, 1 << 20).unwrap(), REPORT);
        // A flipped byte in the data or the CRC is corruption, not a report.
        let mut bad = gz(REPORT);
        let n = bad.len();
        bad[n - 6] ^= 0xff;
        assert_eq!(inf.gunzip(&bad, 1 << 20).unwrap_err().0, Code::InputBadCompression);
        // The same decoder goes on working after an error.
        assert_eq!(inf.gunzip(&gz(REPORT), 1 << 20).unwrap(), REPORT);
        assert_eq!(inf.gunzip(&gz(b""), 1 << 20).unwrap(), b"");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let bomb = gz(&vec![b'{'; 8 << 20]);
        let limits = Limits { max_decompressed: 1 << 20, ..Limits::default() };
        let x = extract("bomb.gz", &bomb, &limits);
        assert_eq!(err_codes(&x), ["input/too-large"]);
    }

    /// The cap is per input: a zip of many members each under the cap stops once their
    /// total passes it, and the members read before are kept.
    #[test]
    fn a_zip_of_many_big_members_stops_at_the_per_input_total() {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("report.json", opts).unwrap();
        w.write_all(REPORT).unwrap();
        for i in 0..8 {
            w.start_file(format!("big{i}.json"), opts).unwrap();
            w.write_all(&vec![b' '; 300 << 10]).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        let limits = Limits { max_decompressed: 1 << 20, ..Limits::default() };
        let x = extract("many.zip", &bytes, &limits);
        assert_eq!(ok_count(&x), 1, "the report read before the cap is kept");
        let too_large: Vec<_> =
            x.iter().filter(|e| matches!(&e.payload, Err(f) if f.code == Code::InputTooLarge)).collect();
        assert_eq!(too_large.len(), 1, "one finding, then the walk stops: {:?}", err_codes(&x));
        assert!(format!("{:?}", too_large[0].payload).contains("from this input in all"));
        let held: usize = x.iter().filter_map(|e| e.payload.as_ref().ok()).map(Vec::len).sum();
        assert!(held <= 1 << 20);
    }

    /// message/rfc822 parts nest like archives: past the depth limit they are not opened.
    #[test]
    fn attached_messages_are_depth_checked() {
        let mut msg = format!(
            "From: a@b.example\r\nSubject: r\r\nContent-Type: application/tlsrpt+json\r\n\r\n{}\r\n",
            String::from_utf8_lossy(REPORT)
        );
        // Each level with its own boundary, as RFC 2046 §5.1.1 requires of nested parts.
        for level in 0..8 {
            msg = format!(
                "From: a@b.example\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX{level}\r\n\r\n--XX{level}\r\nContent-Type: message/rfc822\r\n\r\n{msg}\r\n--XX{level}--\r\n"
            );
        }
        let x = extract("deep.eml", msg.as_bytes(), &Limits::default());
        assert_eq!(ok_count(&x), 0);
        assert!(
            x.iter().any(|e| matches!(&e.payload, Err(f) if f.detail.contains("nested more than 4 deep"))),
            "{:?}",
            x.iter().map(|e| (&e.origin, e.payload.as_ref().err())).collect::<Vec<_>>()
        );
    }

    #[test]
    fn truncated_gzip_is_bad_compression() {
        let g = gz(REPORT);
        let x = extract("cut.gz", &g[..g.len() / 2], &Limits::default());
        assert_eq!(err_codes(&x), ["input/bad-compression"]);
    }

    #[test]
    fn zip_entries_are_each_read() {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("a.json", opts).unwrap();
        w.write_all(REPORT).unwrap();
        w.start_file("b.json.gz", opts).unwrap();
        w.write_all(&gz(REPORT)).unwrap();
        w.start_file("notes.txt", opts).unwrap();
        w.write_all(b"hello").unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let x = extract("r.zip", &bytes, &Limits::default());
        assert_eq!(ok_count(&x), 2);
        assert_eq!(err_codes(&x), ["input/no-report"]);
        assert!(x[1].origin.ends_with("r.zip › b.json.gz"), "{}", x[1].origin);
        let x = extract("r.zip", &bytes, &Limits { max_parts: 1, ..Limits::default() });
        assert!(err_codes(&x).contains(&"input/too-many-parts"));
    }

    /// Each report's route names every container and decoding on the way, and why an
    /// email part was taken (issue 13 item 3: `--verbose`).
    #[test]
    fn routes_name_each_step_to_a_report() {
        use base64::Engine as _;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("b.json.gz", opts).unwrap();
        w.write_all(&gz(REPORT)).unwrap();
        let zipped = w.finish().unwrap().into_inner();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&zipped);
        let array = format!("[{r},{r}]", r = String::from_utf8_lossy(REPORT));
        let eml = format!(
            "From: a@o.example\r\nSubject: r\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
             --b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n\
             --b\r\nContent-Type: text/plain\r\nContent-Description: filename=\"r.json\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{array}\r\n\
             --b--\r\n"
        );
        let x = extract("m.eml", eml.as_bytes(), &Limits::default());
        let routes: Vec<Vec<Step>> = x.iter().map(|e| e.route.steps().collect()).collect();
        use Step::*;
        assert_eq!(
            routes,
            [
                vec![Email, PartByType, Base64, ZipEntry, Gzip],
                vec![Email, PartByDescription, QuotedPrintable, ArrayElement],
                vec![Email, PartByDescription, QuotedPrintable, ArrayElement],
            ],
            "{:?}",
            x.iter().map(|e| (&e.origin, e.payload.as_ref().err())).collect::<Vec<_>>()
        );
        assert_eq!(ok_count(&x), 3);
        assert_eq!(extract("r.json", REPORT, &Limits::default())[0].route, Route::default(), "the input itself");
        let cut = gz(REPORT);
        let x = extract("cut.gz", &cut[..cut.len() / 2], &Limits::default());
        assert_eq!(x[0].route.steps().count(), 0, "the error is met before inflating anything");
    }

    #[test]
    fn an_email_without_a_report_says_so() {
        let eml = b"From: a@b.example\r\nSubject: hello\r\nContent-Type: text/plain\r\n\r\nJust text.\r\n";
        let x = extract("m.eml", eml, &Limits::default());
        assert_eq!(err_codes(&x), ["input/no-report"]);
    }

    #[test]
    fn mbox_messages_are_split() {
        let msg = |id: &str| {
            format!(
                "From tlsrpt@o.example Mon Jan  1 00:00:00 2024\nFrom: tlsrpt@o.example\nSubject: Report Domain: example.com Submitter: o.example Report-ID: <{id}>\nTLS-Report-Domain: example.com\nTLS-Report-Submitter: o.example\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nreport\n--b\nContent-Type: application/tlsrpt+json\nContent-Disposition: attachment; filename=\"o.example!example.com!1704067200!1704153599.json\"\n\n{}\n--b--\n",
                std::str::from_utf8(REPORT).unwrap()
            )
        };
        let mbox = format!("{}\n{}", msg("1"), msg("2"));
        let x = extract("box.mbox", mbox.as_bytes(), &Limits::default());
        assert_eq!(ok_count(&x), 2, "{x:?}");
        let meta = x[0].email.as_ref().unwrap();
        assert_eq!(meta.report_domain.as_deref(), Some("example.com"));
        assert_eq!(meta.submitter.as_deref(), Some("o.example"));
        assert_eq!(x[0].filename.as_deref(), Some("o.example!example.com!1704067200!1704153599.json"));
    }

    #[test]
    fn lenient_base64_keeps_every_byte() {
        use base64::Engine;
        for len in 0..10 {
            let data: Vec<u8> = (0..len).map(|i: u8| i.wrapping_mul(37)).collect();
            let enc = base64::engine::general_purpose::STANDARD.encode(&data);
            assert_eq!(mime::lenient_base64(enc.as_bytes()), data, "padded, {len} bytes");
            let (a, b) = enc.split_at(enc.len() / 2);
            let noisy = format!("{a}\r\n *{}", b.trim_end_matches('='));
            assert_eq!(mime::lenient_base64(noisy.as_bytes()), data, "noisy, {len} bytes");
            if len % 3 == 0 {
                // One stray alphabet character after whole groups, as in a real report.
                assert_eq!(mime::lenient_base64(format!("{enc}Q").as_bytes()), data, "stray, {len} bytes");
            }
        }
    }

    #[test]
    fn garbage_is_named() {
        let x = extract("noise.bin", &[7u8; 1000], &Limits::default());
        assert_eq!(err_codes(&x), ["input/no-report"]);
        assert_eq!(x[0].origin, "noise.bin");
    }
}
