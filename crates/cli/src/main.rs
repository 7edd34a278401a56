//! `mtasts`: the command-line face of mtasts-core.
//!
//! Thin on purpose: it reads files (or, for `check`, asks DNS-over-HTTPS and fetches the
//! policy), calls core, and prints. Exit codes are a contract: 0 valid (or matched), 1
//! invalid (or no match), 2 usage or I/O error.

use std::io::{Read, Write};
use std::process::ExitCode;

mod check;
mod deploy;
mod dkim;
mod imap;
mod pretty;
mod probe;
mod report;

use clap::{Parser, Subcommand, ValueEnum};
use mtasts_core::lint::{lint, Kind, Lint, Value};
use mtasts_core::mta_sts::mx::{normalize_host, MxPattern};
use mtasts_core::mta_sts::policy::human_duration;
use mtasts_core::text::{plural, LineIndex};
use mtasts_core::{Code, Finding, Severity};
use serde::Serialize;
use serde_json::json;

/// mimalloc (see Cargo.toml for why, and which build of it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "mtasts", version, about = "Check MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) records and policies")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a TXT record (one record per line) or a policy file.
    Lint {
        /// What the input is.
        kind: LintKind,
        /// The file to read; "-" or nothing reads standard input.
        file: Option<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Does an mx pattern match an MX host? Exit 0 yes, 1 no, 2 invalid pattern.
    Match {
        /// A policy mx pattern, such as "*.example.com".
        pattern: String,
        /// An MX host name, such as "mail.example.com".
        host: String,
    },
    /// Does a policy cover every MX host? Prints the matrix; exit 0 if every host is
    /// covered, 1 if not, 2 on a usage or I/O error.
    Coverage {
        /// The policy file ("-" for standard input).
        policy: String,
        /// MX hosts as PREFERENCE:HOST or HOST (as `dig +short MX` prints them, "10 mx.example.com."
        /// also works); "." alone is a null MX.
        mx: Vec<String>,
        /// The domain, for the implicit MX when no MX host is given.
        #[arg(long)]
        domain: Option<String>,
    },
    /// Read TLS-RPT reports (files, directories, "-") and print what they add up to.
    /// Exit 0 if every input was read, 1 if some could not be (the rest is still counted).
    Report(report::ReportArgs),
    /// Check a domain: MX, _mta-sts, the policy over HTTPS, MX coverage, _smtp._tls, DANE.
    /// Exit 0 protected, 1 testing / not deployed / broken, 2 usage error, 3 undecided
    /// (the resolver gave no answer).
    Check(check::CheckArgs),
    /// Generate a setup: the policy, the _mta-sts and _smtp._tls records, zone-file lines
    /// and hosting recipes (nginx, Caddy, Apache, a static folder, a serverless worker).
    /// Exit 0; 2 on a bad host, URI or option, or when no MX is found and none given.
    Init(deploy::InitArgs),
    /// The dated steps to take a domain to testing, enforce, none, removal, or new MX hosts,
    /// from its live state. Exit 0; 2 on a usage error or an unreadable live state.
    Plan(deploy::PlanArgs),
    /// Talk to an MX host as a sender does: SMTP up to STARTTLS, the TLS handshake, the
    /// certificate chain (trust, name, dates, keys) and its DANE TLSA records.
    /// Exit 0 when STARTTLS is offered and the chain is trusted, valid for HOST and in date;
    /// 1 otherwise; 2 usage or set-up error.
    Probe(probe::ProbeArgs),
    /// List every finding code with its severity, RFC section, message and fix.
    Codes {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LintKind {
    /// The _mta-sts TXT record(s).
    StsRecord,
    /// The _smtp._tls TXT record(s).
    TlsrptRecord,
    /// The policy file (/.well-known/mta-sts.txt).
    Policy,
    /// A TLS-RPT report (.json, .json.gz, .zip, .eml or mbox).
    Report,
    /// The output of `curl -sS -D - --max-redirs 0 https://mta-sts.<domain>/.well-known/mta-sts.txt`.
    PolicyFetch,
}

impl From<LintKind> for Kind {
    fn from(k: LintKind) -> Kind {
        match k {
            LintKind::StsRecord => Kind::StsRecord,
            LintKind::TlsrptRecord => Kind::TlsRptRecord,
            LintKind::Policy => Kind::Policy,
            LintKind::Report => Kind::Report,
            LintKind::PolicyFetch => Kind::PolicyFetch,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lint { kind, file, json } => run_lint(kind.into(), file.as_deref(), json),
        Command::Match { pattern, host } => run_match(&pattern, &host),
        Command::Report(args) => report::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Probe(args) => probe::run(&args),
        Command::Init(args) => deploy::run_init(&args),
        Command::Plan(args) => deploy::run_plan(&args),
        Command::Coverage { policy, mx, domain } => run_coverage(&policy, &mx, domain.as_deref()),
        Command::Codes { json } => run_codes(json),
    };
    ExitCode::from(code)
}

fn read_input(file: Option<&str>) -> Result<(String, Vec<u8>), String> {
    match file {
        None | Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(("<stdin>".to_string(), buf))
        }
        Some(path) => {
            std::fs::read(path).map(|b| (path.to_string(), b)).map_err(|e| format!("cannot read {path}: {e}"))
        }
    }
}

fn run_lint(kind: Kind, file: Option<&str>, as_json: bool) -> u8 {
    let (name, input) = match read_input(file) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return 2;
        }
    };
    let result = lint(kind, &input);
    let text = String::from_utf8_lossy(&input);
    let out = if as_json { json_report(&result, &text) } else { human_report(&result, &name, &text) };
    if std::io::stdout().write_all(out.as_bytes()).is_err() {
        return 2;
    }
    if result.is_valid() {
        0
    } else {
        1
    }
}

/// One finding in `lint --json` output; field order is the documented one.
#[derive(Serialize)]
struct FindingOut<'a> {
    code: Code,
    severity: Severity,
    message: String,
    rfc: String,
    rfc_url: String,
    fix: &'static str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    pointer: Option<&'a str>,
}

/// The whole `lint --json` object.
#[derive(Serialize)]
struct LintOut<'a> {
    kind: Kind,
    valid: bool,
    findings: Vec<FindingOut<'a>>,
    value: &'a Value,
}

fn json_report(result: &Lint, text: &str) -> String {
    let idx = LineIndex::new(text);
    let findings = result
        .findings
        .iter()
        .map(|f| {
            let info = f.code.info();
            let lc = idx.line_col(f.span.start);
            FindingOut {
                code: f.code,
                severity: f.severity(),
                message: f.message(),
                rfc: info.rfc.label(),
                rfc_url: info.rfc.url(),
                fix: info.fix,
                start: f.span.start,
                end: f.span.end,
                line: lc.line,
                column: lc.column,
                pointer: f.pointer.as_deref(),
            }
        })
        .collect();
    let out = LintOut { kind: result.kind, valid: result.is_valid(), findings, value: &result.value };
    serde_json::to_string_pretty(&out).map_or_else(|e| format!("{{\"error\": \"{e}\"}}\n"), |s| s + "\n")
}

/// Where to show a finding: an empty span at the very end of a text that ends with a line
/// break is shown at the end of the last line, not on an empty line after it.
fn display_start(f: &Finding, text: &str) -> usize {
    let s = f.span.start;
    if f.span.start == f.span.end && s == text.len() && text.ends_with('\n') {
        s - 1 - usize::from(text.ends_with("\r\n"))
    } else {
        s
    }
}

fn human_report(result: &Lint, name: &str, text: &str) -> String {
    let idx = LineIndex::new(text);
    let text_is_json =
        mtasts_core::tls_rpt::input::sniff(text.as_bytes()) == mtasts_core::tls_rpt::input::Sniffed::Json;
    let mut out = String::new();
    for f in &result.findings {
        let info = f.code.info();
        let start = display_start(f, text);
        let lc = idx.line_col(start);
        let line = idx.line(lc.line);
        let located = result.kind != Kind::Report || text_is_json;
        let place = if located { format!(":{}:{}", lc.line, lc.column) } else { String::new() };
        out.push_str(&format!("{name}{place}: {}[{}]: {}\n", f.severity().as_str(), f.code.id(), f.message()));
        let gutter = lc.line.to_string().len();
        if let Some(p) = f.pointer.as_deref() {
            out.push_str(&format!("{:gutter$} = at JSON pointer \"{p}\"\n", ""));
        }
        if !located {
            out.push_str(&format!("{:gutter$} = {} <{}>\n\n", "", info.rfc.label(), info.rfc.url()));
            continue;
        }
        let width = if f.span.end > start {
            let line_end = text.get(start..).and_then(|s| s.find('\n')).map_or(text.len(), |e| start + e);
            text.get(start..f.span.end.min(line_end)).map_or(1, |s| s.trim_end_matches('\r').chars().count().max(1))
        } else {
            1
        };
        out.push_str(&format!("{:gutter$} |\n", ""));
        out.push_str(&format!("{} | {}\n", lc.line, line.replace('\t', " ")));
        out.push_str(&format!("{:gutter$} | {}{}\n", "", " ".repeat(lc.column - 1), "^".repeat(width)));
        out.push_str(&format!("{:gutter$} = {} <{}>\n", "", info.rfc.label(), info.rfc.url()));
        out.push_str(&format!("{:gutter$} = fix: {}\n\n", "", info.fix));
    }
    let count = |s: Severity| result.findings.iter().filter(|f| f.severity() == s).count();
    out.push_str(&format!(
        "{name}: {} {} — {}, {}, {}\n",
        result.kind.title(),
        if result.is_valid() { "is valid" } else { "is INVALID" },
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "info"),
    ));
    out.push_str(&summary(&result.value));
    out
}

fn summary(value: &Value) -> String {
    match value {
        Value::StsRecord(Some(r)) => format!("  id: {}\n", r.id.as_deref().unwrap_or("(missing)")),
        Value::TlsRptRecord(Some(r)) => r.rua.iter().map(|u| format!("  report to: {u}\n")).collect(),
        Value::StsRecord(None) | Value::TlsRptRecord(None) => "  no usable record\n".to_string(),
        Value::Report(reports) if reports.is_empty() => "  no report could be read\n".to_string(),
        Value::Report(reports) => reports
            .iter()
            .map(|r| {
                format!(
                    "  report {:?} from {:?}: {} successful, {} failed sessions\n",
                    r.report_id,
                    r.organization_name,
                    r.successful(),
                    r.failed()
                )
            })
            .collect(),
        Value::PolicyFetch(f) => {
            let status = f.status.map_or("no status".to_string(), |s| format!("status {s}"));
            let ct = f.content_type.as_deref().unwrap_or("no Content-Type");
            let mode = f.policy.as_ref().and_then(|p| p.mode).map_or("no usable policy", |m| m.as_str());
            format!("  {status}, {ct}; mode: {mode}\n")
        }
        Value::Policy(p) => {
            let mut s = String::new();
            s.push_str(&format!("  mode: {}\n", p.mode.map_or("(missing or invalid)", |m| m.as_str())));
            match p.max_age {
                Some(a) => s.push_str(&format!("  max_age: {a} ({})\n", human_duration(a))),
                None => s.push_str("  max_age: (missing or invalid)\n"),
            }
            for mx in &p.mx {
                s.push_str(&format!("  mx: {mx}\n"));
            }
            s
        }
    }
}

fn run_match(pattern: &str, host: &str) -> u8 {
    let p = match MxPattern::parse(pattern.trim()) {
        Ok(p) => p,
        Err(e) => {
            println!(
                "invalid pattern \"{pattern}\": {}: {} [{}, {}]",
                e.code.info().message,
                e.detail,
                e.code.id(),
                e.code.info().rfc.label()
            );
            return 2;
        }
    };
    let h = match normalize_host(host) {
        Ok(h) => h,
        Err(why) => {
            println!("no match: {}: {why} [{}]", Code::MxInvalidHost.info().message, Code::MxInvalidHost.id());
            return 1;
        }
    };
    let (matched, why) = p.explain(&h);
    println!("{}: {why}", if matched { "match" } else { "no match" });
    if matched {
        0
    } else {
        1
    }
}

fn parse_mx(arg: &str) -> (Option<u16>, String) {
    let arg = arg.trim();
    let split = arg.split_once(':').or_else(|| arg.split_once(char::is_whitespace));
    match split {
        Some((p, host)) if p.trim().parse::<u16>().is_ok() => (p.trim().parse().ok(), host.trim().to_string()),
        _ => (None, arg.to_string()),
    }
}

fn run_coverage(policy_path: &str, mx: &[String], domain: Option<&str>) -> u8 {
    let (name, bytes) = match read_input(Some(policy_path)) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return 2;
        }
    };
    let policy = mtasts_core::mta_sts::policy::parse(&bytes);
    if !policy.is_valid() {
        let n = policy.findings.iter().filter(|f| f.severity() == Severity::Error).count();
        println!("note: {name} has {n} error(s) (see `mtasts lint policy {name}`); its valid mx patterns are used");
    }
    if mx.is_empty() && domain.is_none() {
        eprintln!("mtasts: give the MX hosts, or --domain for a domain without MX records");
        return 2;
    }
    let hosts: Vec<(Option<u16>, String)> = mx.iter().map(|m| parse_mx(m)).collect();
    let c = mtasts_core::mta_sts::coverage::coverage(&policy.value.mx, &hosts, domain);
    let width = c.value.rows.iter().map(|r| r.host.len()).max().unwrap_or(4).max(4);
    for r in &c.value.rows {
        let pref = r.priority.map_or("-".to_string(), |p| p.to_string());
        let verdict = if r.covered { "covered" } else { "NOT COVERED" };
        println!("{pref:>5}  {:<width$}  {verdict:<11}  {}  ({})", r.host, r.pattern.as_deref().unwrap_or("-"), r.why);
    }
    for f in &c.findings {
        println!("{}[{}]: {}", f.severity().as_str(), f.code.id(), f.message());
    }
    if c.value.null_mx || c.is_valid() {
        0
    } else {
        1
    }
}

fn run_codes(as_json: bool) -> u8 {
    if as_json {
        let rows: Vec<_> = Code::ALL
            .iter()
            .map(|c| {
                let i = c.info();
                json!({"code": i.id, "severity": i.severity, "area": i.area, "rfc": i.rfc.label(), "rfc_url": i.rfc.url(),
                       "message": i.message, "fix": i.fix, "stricter_than_rfc": c.stricter_than_rfc()})
            })
            .collect();
        println!("{:#}", json!(rows));
    } else {
        for c in Code::ALL {
            let i = c.info();
            println!("{:<40} {:<8} {:<15} {}", i.id, i.severity.as_str(), i.rfc.label(), i.message);
            if let Some(why) = c.stricter_than_rfc() {
                println!("{:<65} (error although the RFC says SHOULD: {why})", "");
            }
        }
    }
    0
}
