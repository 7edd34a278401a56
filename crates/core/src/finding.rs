//! The findings model: what every parser in this crate returns next to its value.
//!
//! A [`Finding`] names a [`Code`] (whose row in [`crate::code`] gives the severity, RFC
//! section, message and fix), where in the input it applies, and an optional detail that
//! makes the table's message specific ("got 99999999"). Parsers never fail: they return a
//! [`Parsed`] value with the findings, so a policy with a typo still has a mode to show.

use serde::{Deserialize, Serialize};

use crate::code::Code;

/// How bad a finding is, following RFC 2119.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advice: nothing is broken.
    Info,
    /// A SHOULD is not followed, or some senders will treat the input differently.
    Warning,
    /// A MUST is broken or the input does not match the RFC grammar: senders may ignore it.
    Error,
}

impl Severity {
    /// The lowercase name used in output and in `data-severity` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A half-open byte range `start..end` in the input a finding refers to.
///
/// An empty span marks a position, for example where a missing field should be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`; the two are swapped if given in the wrong order.
    pub fn new(start: usize, end: usize) -> Span {
        if end < start {
            Span { start: end, end: start }
        } else {
            Span { start, end }
        }
    }

    /// An empty span at `at`.
    pub fn at(at: usize) -> Span {
        Span { start: at, end: at }
    }

    /// The same span moved `by` bytes to the right.
    pub fn shift(self, by: usize) -> Span {
        Span { start: self.start.saturating_add(by), end: self.end.saturating_add(by) }
    }
}

/// One problem or remark about an input. Serialized (with its code's id) to cross from a
/// Web Worker to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The stable code; its table row gives severity, RFC section, message and fix.
    pub code: Code,
    /// Where in the input text. For findings about a JSON report this is an empty span at
    /// 0 unless a caller located the pointer in the text (see `pointer`).
    pub span: Span,
    /// For findings about a JSON document: an RFC 6901 pointer to the member concerned.
    pub pointer: Option<String>,
    /// What makes this occurrence specific ("got 99999999"); may be empty.
    pub detail: String,
}

impl Finding {
    /// A finding with a detail text.
    pub fn new(code: Code, span: Span, detail: impl Into<String>) -> Finding {
        Finding { code, span, pointer: None, detail: detail.into() }
    }

    /// A finding about the JSON member at `pointer` (RFC 6901).
    pub fn at_pointer(code: Code, pointer: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding { code, span: Span::at(0), pointer: Some(pointer.into()), detail: detail.into() }
    }

    /// The severity from the code's table row.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The full message: the table's message, then the detail if there is one.
    pub fn message(&self) -> String {
        self.message_with(self.code.info().message)
    }

    /// The full message around `base`, the code's message as the caller has it (the web
    /// page's on-demand module borrows the table's text from the start page's module
    /// instead of carrying its own copy).
    pub fn message_with(&self, base: &str) -> String {
        if self.detail.is_empty() {
            base.to_string()
        } else {
            format!("{base}: {}", self.detail)
        }
    }
}

/// A finding about one of several inputs: which one (an archive entry, an email part, a DNS
/// name) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located {
    /// Which input, for people: "mail.eml › report.json.gz", "_mta-sts.example.com TXT".
    pub origin: String,
    /// What.
    pub finding: Finding,
}

/// A value together with the findings produced while parsing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    /// The best reading of the input, even when findings say it is invalid.
    pub value: T,
    /// Every finding, in input order where that makes sense.
    pub findings: Vec<Finding>,
}

impl<T> Parsed<T> {
    /// True when no finding is an error.
    pub fn is_valid(&self) -> bool {
        is_valid(&self.findings)
    }
}

/// True when none of `findings` is an error.
pub fn is_valid(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.severity() != Severity::Error)
}
