//! Reading a batch of inputs into one summary, nothing lost.
//!
//! Each input (a file, a dropped blob) is extracted, each report in it read and added;
//! whatever goes wrong is recorded against that input and the rest of the batch carries
//! on. For reports that came by email, the headers, Subject and attachment name are
//! compared with the body (RFC 8460 §5.3, §5.1); where they disagree "the report MUST be
//! considered the authoritative source" (§5.6), so the body is counted and a warning notes
//! the disagreement.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::code::Code;
use crate::finding::{Finding, Severity};
use crate::tls_rpt::dkim::Dkim;
use crate::tls_rpt::input::{EmailMeta, Extracted, Inflater, Limits, Route, Stepper};
use crate::tls_rpt::report::{self, Report};
use crate::tls_rpt::summary::Summary;

pub use crate::finding::Located;

/// What one input gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputOutcome {
    /// The input's name.
    pub path: String,
    /// Reports read and counted.
    pub reports: u64,
    /// Reports read but already counted before.
    pub duplicates: u64,
    /// Findings about the reports (quirks, metadata), not errors of the input, verbatim
    /// until the batch has kept [`Batch::KEEP_FINDINGS`] of them; after that only counted, so
    /// memory stays bounded however many reports come.
    pub findings: Vec<Located>,
    /// How many findings of each code, all of them counted.
    pub finding_counts: BTreeMap<Code, u64>,
    /// Errors: parts of the input that yielded no report.
    pub errors: Vec<Located>,
    /// The DKIM verdict on an email input, when its signatures were checked (the caller
    /// verifies; [`crate::tls_rpt::dkim::judge`] decides). Boxed: most inputs have none,
    /// and inline it made every outcome 48 bytes bigger (4.8 MB over 100,000 files). Not
    /// part of an outcome's own serialisation (the report worker's answer to the page): the
    /// page checks DKIM itself, and `InputJson` writes it for the CLI.
    #[serde(skip)]
    pub dkim: Option<Box<Dkim>>,
    /// How each part was reached, when the batch was [`Batch::verbose`] (the CLI's
    /// `--verbose`; not part of the report worker's answer either).
    /// Boxed, like `dkim`: an empty list inline made every outcome 24 bytes bigger. Not in
    /// the browser, which never asks (the page's size budget had no room for the field).
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(skip)]
    pub routes: Option<Box<Vec<Reached>>>,
}

/// How one part of an input was reached: one per report or error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// Where in the input.
    pub origin: String,
    /// The steps there, outermost first (none: the input itself, read as a report's JSON
    /// or failing before anything was opened).
    pub route: Route,
    /// A report was read there (else an error is recorded under the same origin).
    pub report: bool,
}

impl InputOutcome {
    /// True when every part of the input was read.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// An input being added a part at a time ([`Batch::begin`]).
pub struct Adding<'b> {
    index: usize,
    stepper: Stepper<'b>,
}

/// A batch: the summary and what each input gave.
#[derive(Debug, Default)]
pub struct Batch {
    /// The totals.
    pub summary: Summary,
    /// Per input, in the order added.
    pub inputs: Vec<InputOutcome>,
    limits: Limits,
    taken: usize,
    kept: usize,
    inflater: Inflater,
    /// Keep how each part of each input was reached ([`InputOutcome::routes`]).
    pub verbose: bool,
}

/// A copy of the totals and outcomes; the copy makes its own decompressor when it needs one.
impl Clone for Batch {
    fn clone(&self) -> Batch {
        Batch {
            summary: self.summary.clone(),
            inputs: self.inputs.clone(),
            limits: self.limits,
            taken: self.taken,
            kept: self.kept,
            inflater: Inflater::default(),
            verbose: self.verbose,
        }
    }
}

impl Batch {
    /// Findings kept verbatim in the whole batch; the rest are only counted.
    pub const KEEP_FINDINGS: usize = 10_000;

    /// An empty batch; `limits.max_reports` caps the whole batch.
    pub fn new(limits: Limits) -> Batch {
        Batch { limits, ..Batch::default() }
    }

    /// Reads every report in `bytes` (named `name`) and adds it; its outcome is then
    /// `self.inputs.last()`.
    pub fn add(&mut self, name: &str, bytes: &[u8]) {
        self.add_with(name, bytes, &mut |_, _| {});
    }

    /// As [`Batch::add`], showing `counted` each report the summary counted (not the
    /// duplicates), with where it came from: for exports row by row (`--ndjson`).
    pub fn add_with(&mut self, name: &str, bytes: &[u8], counted: &mut dyn FnMut(&Report, &str)) {
        let mut adding = self.begin(name, bytes);
        while !self.step_with(&mut adding, usize::MAX, counted) {}
    }

    /// Starts adding `bytes` a part at a time (see [`Stepper`]): call [`Batch::step`] until it
    /// returns true, yielding to the browser in between. Its outcome is pushed now and
    /// filled in as the steps go.
    pub fn begin<'b>(&mut self, name: &str, bytes: &'b [u8]) -> Adding<'b> {
        self.inputs.push(InputOutcome { path: name.to_string(), ..InputOutcome::default() });
        Adding { index: self.inputs.len().saturating_sub(1), stepper: Stepper::new(name, bytes) }
    }

    /// Reads up to `parts` more parts (mbox messages, zip entries) of `adding`; true when
    /// the input is finished.
    pub fn step(&mut self, adding: &mut Adding<'_>, parts: usize) -> bool {
        self.step_with(adding, parts, &mut |_, _| {})
    }

    fn step_with(&mut self, adding: &mut Adding<'_>, parts: usize, counted: &mut dyn FnMut(&Report, &str)) -> bool {
        let remaining = self.limits.max_reports.saturating_sub(self.taken);
        let limits = Limits { max_reports: remaining, ..self.limits };
        let extracted = adding.stepper.step(&mut self.inflater, &limits, parts);
        let mut out = self.inputs.get_mut(adding.index).map(std::mem::take).unwrap_or_default();
        for x in extracted {
            self.read_into(&mut out, x, counted);
        }
        if let Some(slot) = self.inputs.get_mut(adding.index) {
            *slot = out;
        }
        adding.stepper.is_done()
    }

    fn read_into(&mut self, out: &mut InputOutcome, mut x: Extracted, counted: &mut dyn FnMut(&Report, &str)) {
        let origin = x.origin.clone();
        let is_report = x.payload.is_ok();
        let route = x.route;
        let read = read_extracted(&mut x);
        // The web page never asks (and its size budget has no room for the code).
        #[cfg(not(target_arch = "wasm32"))]
        if self.verbose {
            out.routes.get_or_insert_default().push(Reached { origin: origin.clone(), route, report: read.is_ok() });
        }
        #[cfg(target_arch = "wasm32")]
        let _ = route;
        match read {
            Err(errors) => {
                self.taken = self.taken.saturating_add(usize::from(is_report));
                out.errors.extend(errors.into_iter().map(|f| Located { origin: origin.clone(), finding: f }));
            }
            Ok((r, mut findings)) => {
                self.taken = self.taken.saturating_add(1);
                if self.summary.add(&r, &origin) {
                    out.reports = out.reports.saturating_add(1);
                    counted(&r, &origin);
                } else {
                    out.duplicates = out.duplicates.saturating_add(1);
                    let detail = format!("{:?} from {:?}", r.report_id, r.organization_name);
                    findings.push(Finding::at_pointer(Code::ReportDuplicate, "/report-id", detail));
                }
                for f in findings {
                    let n = out.finding_counts.entry(f.code).or_default();
                    *n = n.saturating_add(1);
                    if self.kept < Self::KEEP_FINDINGS {
                        self.kept = self.kept.saturating_add(1);
                        out.findings.push(Located { origin: origin.clone(), finding: f });
                    }
                }
            }
        }
    }

    /// Records an input that could not even be read (a file system or browser error).
    pub fn add_unreadable(&mut self, name: &str, why: impl Into<String>) {
        let finding = Finding::new(Code::InputUnreadable, crate::finding::Span::at(0), why);
        self.inputs.push(InputOutcome {
            path: name.to_string(),
            errors: vec![Located { origin: name.to_string(), finding }],
            ..InputOutcome::default()
        });
    }

    /// Records an input that is not counted because no signature by its reporter made it
    /// a report to trust (RFC 8460 §3: reports lacking one "MUST be ignored"): `dkim` is
    /// the email's verdict, `None` for an input that is not an email (the CLI's
    /// `--signed-only`).
    pub fn add_unsigned(&mut self, name: &str, dkim: Option<Dkim>) {
        let why = dkim.as_ref().map_or_else(|| "not an email, so nothing signed it".to_string(), |d| d.reason.clone());
        let finding = Finding::new(Code::ReportDkimUnverified, crate::finding::Span::at(0), why);
        self.inputs.push(InputOutcome {
            path: name.to_string(),
            errors: vec![Located { origin: name.to_string(), finding }],
            dkim: dkim.map(Box::new),
            ..InputOutcome::default()
        });
    }

    /// True when every input was read completely.
    pub fn all_ok(&self) -> bool {
        self.inputs.iter().all(InputOutcome::ok)
    }

    /// The batch of inputs read elsewhere (another thread): its summary (with
    /// [`Summary::restore_counted`] done) and outcomes, ready to [`Batch::merge`].
    pub fn from_parts(summary: Summary, inputs: Vec<InputOutcome>) -> Batch {
        let taken = inputs.iter().map(|i| i.reports.saturating_add(i.duplicates)).sum::<u64>();
        let kept = inputs.iter().map(|i| i.findings.len()).sum();
        Batch { summary, inputs, taken: usize::try_from(taken).unwrap_or(usize::MAX), kept, ..Batch::default() }
    }

    /// Adds `later`, the batch of the inputs that follow this one's, as if they had been
    /// added here (see [`Summary::merge`]). When `later` counted a report this batch
    /// counted already, nothing is merged and those reports are returned: read `later`'s
    /// inputs again into a batch that [`Summary::assume_counted`] them, and merge that.
    pub fn merge(&mut self, later: Batch) -> Result<(), Vec<(String, String)>> {
        let overlap = self.summary.overlap(&later.summary);
        if !overlap.is_empty() {
            return Err(overlap);
        }
        self.summary.merge(later.summary);
        self.taken = self.taken.saturating_add(later.taken);
        for mut input in later.inputs {
            let room = Self::KEEP_FINDINGS.saturating_sub(self.kept);
            if input.findings.len() > room {
                // Truncating keeps the allocation: past the cap, 100,000 files held 8.9 MB
                // of emptied lists.
                input.findings.truncate(room);
                input.findings.shrink_to_fit();
            }
            self.kept = self.kept.saturating_add(input.findings.len());
            self.inputs.push(input);
        }
        Ok(())
    }
}

/// Reads one extracted item: the report and its findings (reading notes, the report's own
/// findings, metadata checks), or the errors that kept it from being a report.
/// The report borrows from `x`'s bytes; its notes are taken out.
pub fn read_extracted(x: &mut Extracted) -> Result<(Report<'_>, Vec<Finding>), Vec<Finding>> {
    let mut findings = std::mem::take(&mut x.notes);
    let x = &*x;
    let json = x.payload.as_ref().map_err(|f| vec![f.clone()])?;
    let parsed = report::parse(json);
    let Some(r) = parsed.value else { return Err(parsed.findings) };
    findings.extend(parsed.findings);
    findings.extend(check_metadata(&r, x.email.as_ref(), x.filename.as_deref()));
    Ok((r, findings))
}

fn norm(d: &str) -> String {
    d.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The domain of the contact-info address, if it is one.
fn contact_domain(r: &Report) -> Option<String> {
    r.contact_info.as_deref().and_then(|c| c.rsplit_once('@')).map(|(_, d)| norm(d.trim_end_matches('>')))
}

/// Compares what an email and its attachment name say with the report body.
///
/// The subject's Report-ID is not compared: senders use a message-id form there and
/// another form in the body (Google: `<2024.09.03T00.00.00Z+d@google.com>` versus
/// `2024-09-03T00:00:00Z_d`), which is allowed.
pub fn check_metadata(r: &Report, email: Option<&EmailMeta>, filename: Option<&str>) -> Vec<Finding> {
    let mut out = Vec::new();
    let domains: Vec<String> = r.policies.iter().filter_map(|p| p.policy_domain.as_deref()).map(norm).collect();
    let contact = contact_domain(r);
    let mismatch = |what: &str, says: &str, body: &str| {
        Finding::at_pointer(Code::ReportMetadataMismatch, "", format!("{what} says {says:?}, the report says {body:?}"))
    };
    let domain_mismatch = |d: &str| !domains.is_empty() && !domains.contains(&norm(d));
    if let Some(m) = email {
        if m.report_domain.is_none() || m.submitter.is_none() {
            let missing: Vec<&str> = [("TLS-Report-Domain", &m.report_domain), ("TLS-Report-Submitter", &m.submitter)]
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| *n)
                .collect();
            out.push(Finding::at_pointer(Code::ReportMissingReportHeaders, "", missing.join(" and ")));
        }
        if let Some(d) = m.report_domain.as_deref().filter(|d| domain_mismatch(d)) {
            out.push(mismatch("TLS-Report-Domain", d, &domains.join(", ")));
        }
        if let (Some(s), Some(c)) = (m.submitter.as_deref(), contact.as_deref()) {
            if norm(s) != c {
                out.push(mismatch("TLS-Report-Submitter", s, c));
            }
        }
        if let Some(subject) = m.subject.as_deref() {
            let words: Vec<&str> = subject.split_whitespace().collect();
            let after =
                |label: &str| words.windows(2).find(|w| w.first() == Some(&label)).and_then(|w| w.get(1).copied());
            if let Some(d) = after("Domain:").filter(|d| domain_mismatch(d)) {
                out.push(mismatch("the Subject's Domain", d, &domains.join(", ")));
            }
            if let (Some(s), Some(c)) = (after("Submitter:"), contact.as_deref()) {
                if norm(s) != c {
                    out.push(mismatch("the Subject's Submitter", s, c));
                }
            }
        }
    }
    if let Some(name) = filename {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let stem = base.strip_suffix(".gz").unwrap_or(base);
        let stem = stem.strip_suffix(".json").unwrap_or(stem);
        let parts: Vec<&str> = stem.split('!').collect();
        if let [sender, domain, begin, end, ..] = parts.as_slice() {
            if domain_mismatch(domain) {
                out.push(mismatch("the file name's policy domain", domain, &domains.join(", ")));
            }
            if let (Some(c), true) = (contact.as_deref(), !sender.is_empty()) {
                if norm(sender) != c
                    && !c.ends_with(&format!(".{}", norm(sender)))
                    && !norm(sender).ends_with(&format!(".{c}"))
                {
                    out.push(mismatch("the file name's sender", sender, c));
                }
            }
            let times = (begin.parse::<i64>().ok(), end.parse::<i64>().ok());
            if let ((Some(b), Some(e)), Some(s), Some(t)) = (times, r.start, r.end) {
                if b != s || e != t {
                    let day = |x: i64| crate::tls_rpt::summary::utc_day(x);
                    out.push(mismatch(
                        "the file name's time range",
                        &format!("{}..{} ({})", b, e, day(b)),
                        &format!("{s}..{t} ({})", day(s)),
                    ));
                }
            }
        }
    }
    out
}

/// The JSON shape `mtasts report --json` prints for one input.
#[derive(Debug, Serialize)]
pub struct InputJson<'a> {
    /// The input's name.
    pub path: &'a str,
    /// Reports counted.
    pub reports: u64,
    /// Duplicates.
    pub duplicates: u64,
    /// How many warnings and notes its reports had.
    pub findings: u64,
    /// The same, by code.
    pub finding_codes: &'a BTreeMap<Code, u64>,
    /// The first few of them in full.
    pub examples: Vec<FindingJson<'a>>,
    /// The first error, if any part could not be read.
    pub error: Option<String>,
    /// Every error.
    pub errors: Vec<FindingJson<'a>>,
    /// The DKIM verdict, for an email whose signatures were checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim: Option<&'a Dkim>,
    /// How each report or error was reached, when the batch was [`Batch::verbose`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteJson<'a>>,
}

/// How one part of an input was reached, in JSON output.
#[derive(Debug, Serialize)]
pub struct RouteJson<'a> {
    /// Where in the input.
    pub origin: &'a str,
    /// What each step was, outermost first ([`crate::tls_rpt::input::Step::describe`]);
    /// empty at the input itself.
    pub steps: Vec<&'static str>,
    /// A report was read there (else an error was).
    pub report: bool,
}

/// One finding in JSON output.
#[derive(Debug, Serialize)]
pub struct FindingJson<'a> {
    /// Stable code.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// Message with detail.
    pub message: String,
    /// Where inside the input.
    pub origin: &'a str,
    /// JSON pointer, for findings about a report's JSON.
    pub pointer: Option<&'a str>,
    /// "RFC 8460 §4.4".
    pub rfc: String,
}

impl<'a> FindingJson<'a> {
    /// The JSON view of a located finding.
    pub fn new(l: &'a Located) -> FindingJson<'a> {
        FindingJson {
            code: l.finding.code,
            severity: l.finding.severity(),
            message: l.finding.message(),
            origin: &l.origin,
            pointer: l.finding.pointer.as_deref(),
            rfc: l.finding.code.info().rfc.label(),
        }
    }
}

impl<'a> InputJson<'a> {
    /// The JSON view of an input's outcome.
    pub fn new(o: &'a InputOutcome) -> InputJson<'a> {
        InputJson {
            path: &o.path,
            reports: o.reports,
            duplicates: o.duplicates,
            findings: o.finding_counts.values().sum(),
            finding_codes: &o.finding_counts,
            examples: o.findings.iter().take(5).map(FindingJson::new).collect(),
            error: o.errors.first().map(|l| format!("{}: {}", l.origin, l.finding.message())),
            errors: o.errors.iter().map(FindingJson::new).collect(),
            dkim: o.dkim.as_deref(),
            #[cfg(not(target_arch = "wasm32"))]
            routes: o
                .routes
                .iter()
                .flat_map(|r| r.iter())
                .map(|r| RouteJson {
                    origin: &r.origin,
                    steps: r.route.steps().map(|s| s.describe()).collect(),
                    report: r.report,
                })
                .collect(),
            #[cfg(target_arch = "wasm32")]
            routes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"organization-name":"Google Inc.","date-range":{"start-datetime":"2024-09-03T00:00:00Z","end-datetime":"2024-09-03T23:59:59Z"},"contact-info":"smtp-tls-reporting@google.com","report-id":"r1","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx.example.com","max_age: 86400"],"policy-domain":"example.com"},"summary":{"total-successful-session-count":7,"total-failure-session-count":0}}]}"#;

    #[test]
    fn one_bad_input_never_loses_the_others() {
        let mut b = Batch::new(Limits::default());
        b.add("good.json", GOOD.as_bytes());
        b.add("truncated.json", &GOOD.as_bytes()[..40]);
        b.add("garbage.bin", &[0u8; 100]);
        b.add("copy.json", GOOD.as_bytes());
        assert_eq!((b.summary.reports, b.summary.duplicates, b.summary.successful), (1, 1, 7));
        assert!(b.inputs[0].ok());
        assert_eq!(b.inputs[1].errors[0].finding.code, Code::ReportNotJson);
        assert_eq!(b.inputs[2].errors[0].finding.code, Code::InputNoReport);
        assert_eq!(b.inputs[3].duplicates, 1);
        assert!(!b.all_ok());
    }

    #[test]
    fn batch_report_cap() {
        let mut b = Batch::new(Limits { max_reports: 1, ..Limits::default() });
        b.add("a.json", GOOD.as_bytes());
        b.add("b.json", GOOD.replace("r1", "r2").as_bytes());
        assert_eq!(b.summary.reports, 1);
        assert_eq!(b.inputs[1].errors[0].finding.code, Code::InputTooManyReports);
    }

    #[test]
    fn metadata_disagreements_are_noted_and_the_body_wins() {
        let r = report::parse(GOOD.as_bytes()).value.unwrap();
        let meta = EmailMeta {
            report_domain: Some("example.com".into()),
            submitter: Some("google.com".into()),
            subject: Some("Report Domain: example.com Submitter: google.com Report-ID: <2024.09.03T00.00.00Z+example.com@google.com>".into()),
        };
        let ok_name = "google.com!example.com!1725321600!1725407999!001.json.gz";
        assert_eq!(check_metadata(&r, Some(&meta), Some(ok_name)), []);
        let bad = EmailMeta { report_domain: Some("other.example".into()), submitter: None, ..meta };
        let f = check_metadata(&r, Some(&bad), Some("google.com!example.com!1778544000!1778630399!001.json.gz"));
        let codes: Vec<_> = f.iter().map(|f| f.code.id()).collect();
        assert_eq!(
            codes,
            ["report/missing-report-headers", "report/metadata-mismatch", "report/metadata-mismatch"],
            "{f:?}"
        );
        assert!(f[2].detail.contains("time range"), "{}", f[2].detail);
    }
}
