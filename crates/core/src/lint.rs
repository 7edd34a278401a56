//! One entry point for "check this text": the CLI's `mtasts lint` and the web page's Lint
//! view both call [`lint`], so they can never disagree.
//!
//! Record kinds take a document of TXT records, one per line (see
//! [`crate::txt::split_document`]), so that the record-set rule can be exercised.

use crate::order;
use serde::Serialize;

use crate::finding::{is_valid, Finding};
use crate::json_pointer::locate_all;
use crate::mta_sts::{fetch, policy, txt as sts_txt};
use crate::tls_rpt::batch::read_extracted;
use crate::tls_rpt::input::{extract, sniff, Limits, Sniffed};
use crate::tls_rpt::report;
use crate::tls_rpt::txt as rpt_txt;
use crate::txt::split_document;

/// What is being linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// The `_mta-sts` TXT record(s).
    #[serde(rename = "sts-record")]
    StsRecord,
    /// The `_smtp._tls` TXT record(s).
    #[serde(rename = "tlsrpt-record")]
    TlsRptRecord,
    /// The policy file.
    #[serde(rename = "policy")]
    Policy,
    /// A TLS-RPT report: JSON, gzip, zip, email or mbox.
    #[serde(rename = "report")]
    Report,
    /// A captured policy fetch: the output of `curl -sS -D - --max-redirs 0 URL`.
    #[serde(rename = "policy-fetch")]
    PolicyFetch,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 5] = [Kind::StsRecord, Kind::TlsRptRecord, Kind::Policy, Kind::PolicyFetch, Kind::Report];

    /// The name used on the command line and in URLs.
    pub fn id(self) -> &'static str {
        match self {
            Kind::StsRecord => "sts-record",
            Kind::TlsRptRecord => "tlsrpt-record",
            Kind::Policy => "policy",
            Kind::Report => "report",
            Kind::PolicyFetch => "policy-fetch",
        }
    }

    /// The kind with this name.
    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// A title for people.
    pub fn title(self) -> &'static str {
        match self {
            Kind::StsRecord => "_mta-sts TXT record",
            Kind::TlsRptRecord => "_smtp._tls TXT record",
            Kind::Policy => "MTA-STS policy file",
            Kind::Report => "TLS-RPT report",
            Kind::PolicyFetch => "Policy fetch (curl output)",
        }
    }
}

/// The parsed value of a lint, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// The usable `_mta-sts` record, if exactly one.
    StsRecord(Option<sts_txt::StsRecord>),
    /// The usable `_smtp._tls` record, if exactly one.
    TlsRptRecord(Option<rpt_txt::TlsRptRecord>),
    /// The policy's fields.
    Policy(policy::StsPolicy),
    /// The reports read (one for a report file; several for an archive or mbox).
    Report(Vec<report::Report<'static>>),
    /// What the captured fetch said, and the policy in it.
    PolicyFetch(fetch::FetchResult),
}

/// The outcome of linting one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// What was linted.
    pub kind: Kind,
    /// The best reading of the input.
    pub value: Value,
    /// Every finding; spans are byte offsets in the input.
    pub findings: Vec<Finding>,
}

impl Lint {
    /// True when no finding is an error.
    pub fn is_valid(&self) -> bool {
        is_valid(&self.findings)
    }
}

/// Lints `input` as `kind`. Record kinds read the input as text (invalid UTF-8 becomes
/// U+FFFD, which the record rules then report as non-ASCII).
pub fn lint(kind: Kind, input: &[u8]) -> Lint {
    lint_text(kind, input).unwrap_or_else(|| lint_report(input))
}

/// Lints a text kind (records, policy, policy fetch); `None` for [`Kind::Report`]. What a
/// caller without the report reader calls: the web page's start module lints reports in
/// a worker, and calling [`lint`] would link the whole report engine into it.
pub fn lint_text(kind: Kind, input: &[u8]) -> Option<Lint> {
    Some(match kind {
        Kind::Policy => {
            let p = policy::parse(input);
            Lint { kind, value: Value::Policy(p.value), findings: p.findings }
        }
        Kind::StsRecord => {
            let text = String::from_utf8_lossy(input);
            let p = sts_txt::parse_records(&split_document(&text));
            Lint { kind, value: Value::StsRecord(p.value), findings: p.findings }
        }
        Kind::TlsRptRecord => {
            let text = String::from_utf8_lossy(input);
            let p = rpt_txt::parse_records(&split_document(&text));
            Lint { kind, value: Value::TlsRptRecord(p.value), findings: p.findings }
        }
        Kind::Report => return None,
        Kind::PolicyFetch => {
            let text = String::from_utf8_lossy(input);
            let p = fetch::parse(&text);
            Lint { kind, value: Value::PolicyFetch(p.value), findings: p.findings }
        }
    })
}

/// Reads every report in `input`. When the input is the JSON itself, findings get byte
/// spans from their JSON pointers; inside containers they keep only the pointer, and when
/// there are several reports each detail names the report's origin.
pub fn lint_report(input: &[u8]) -> Lint {
    let is_text_json = sniff(input) == Sniffed::Json;
    let extracted = extract("input", input, &Limits::default());
    let many = extracted.len() > 1;
    let mut reports = Vec::new();
    let mut findings = Vec::new();
    for mut x in extracted {
        let origin = x.origin.clone();
        let found = match read_extracted(&mut x) {
            Ok((r, fs)) => {
                reports.push(r.into_owned());
                fs
            }
            Err(fs) => fs,
        };
        for mut f in found {
            if many {
                f.detail = format!("{origin}: {}", f.detail);
            }
            findings.push(f);
        }
    }
    if is_text_json {
        // One pass for every pointer: a 5 MB report with thousands of findings stays linear.
        let spans = {
            let pointers: Vec<&str> = findings.iter().filter_map(|f| f.pointer.as_deref()).collect();
            locate_all(input, &pointers)
        };
        for (f, span) in findings.iter_mut().filter(|f| f.pointer.is_some()).zip(spans) {
            if let Some(span) = span {
                f.span = span;
            }
        }
    }
    order::sort_by_key(&mut findings, |f| (f.span.start, f.span.end));
    Lint { kind: Kind::Report, value: Value::Report(reports), findings }
}
