//! The domain check as a sans-I/O plan: [`plan`] says which lookups a check needs, the
//! caller (the web page over DNS-over-HTTPS, later the CLI) performs them, and [`evaluate`]
//! turns the answers into findings and a verdict. No DNS, HTTP or clock in here.
//!
//! Lookups (RFC 8461 §3, RFC 8460 §3): the MX of the domain; TXT at `_mta-sts.<domain>`
//! (a CNAME chain is followed by the resolver and reported); TXT at `_smtp._tls.<domain>`;
//! A/AAAA of `mta-sts.<domain>`; the policy at `https://mta-sts.<domain>/.well-known/
//! mta-sts.txt`; then, per MX host, TLSA at `_25._tcp.<mx>`. Everything in the first wave
//! is independent, so a caller can run it concurrently; the TLSA wave needs the MX answer.
//!
//! The web page's domain check (`#/check/<domain>`) drives it over DNS-over-HTTPS.

use crate::order;
use std::net::IpAddr;

use crate::code::{Area, Code};
use crate::finding::{Finding, Located, Severity, Span};
use crate::mta_sts::cert::CertInfo;
use crate::mta_sts::coverage::{coverage, Coverage};
use crate::mta_sts::fetch::FetchResult;
use crate::mta_sts::policy::{self, Mode, StsPolicy};
use crate::mta_sts::txt::{self as sts_txt, StsRecord};
use crate::tls_rpt::txt::{self as rpt_txt, TlsRptRecord};
use crate::txt::RecordText;

/// The lookups of a check that do not depend on each other, one per field of [`Answers`]
/// (the caller runs them concurrently and fills the field of the same name). TXT lookups
/// follow CNAMEs (RFC 8461 §3.1: "senders MUST follow the CNAME pointers").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// MX of the domain.
    pub mx: String,
    /// TXT here.
    pub sts_txt: String,
    /// TXT here.
    pub tlsrpt_txt: String,
    /// A and AAAA here.
    pub policy_host: String,
    /// HTTPS GET here: redirects not followed, no cache.
    pub policy: String,
}

/// The domain someone typed, ready to check: what follows an `@` or a URL scheme, without
/// a path or the final dot, lowercased, Unicode labels as A-labels; or why it is not a
/// domain name.
pub fn normalize_domain(input: &str) -> Result<String, String> {
    let mut d = input.trim();
    if let Some((_, after)) = d.rsplit_once('@') {
        d = after;
    }
    if let Some((_, after)) = d.split_once("://") {
        d = after;
    }
    d = d.split(['/', '?', '#']).next().unwrap_or("");
    let d = d.trim_end_matches('.');
    if d.is_empty() {
        return Err("type a domain name, such as example.com".to_string());
    }
    let ascii = crate::domain::to_a_label(d).ok_or_else(|| format!("{d:?} is not a domain name"))?;
    crate::domain::check_domain(&ascii).map_err(|e| format!("{d:?} is not a domain name: {}", e.detail))?;
    if !ascii.contains('.') {
        return Err(format!("{d:?} is a single label; type the full domain, such as {d}.com"));
    }
    Ok(ascii)
}

/// What to look up for `domain` (already normalized, [`normalize_domain`]).
pub fn plan(domain: &str) -> Plan {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    Plan {
        sts_txt: format!("_mta-sts.{d}"),
        tlsrpt_txt: format!("_smtp._tls.{d}"),
        policy_host: format!("mta-sts.{d}"),
        policy: policy_url(&d),
        mx: d,
    }
}

/// The second wave, once the MX answer is in: TLSA at `_25._tcp.<host>` for each MX host
/// (RFC 7672 DANE for SMTP), as (host, name to query). A null MX, or no MX answer, has none.
pub fn plan_mx(mx: &DnsAnswer<(u16, String)>) -> Vec<(String, String)> {
    let mut hosts: Vec<String> = mx
        .records()
        .iter()
        .map(|(_, h)| h.trim_end_matches('.').to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    order::sort(&mut hosts);
    hosts.dedup();
    hosts.into_iter().map(|h| (h.clone(), format!("_25._tcp.{h}"))).collect()
}

/// Where the policy lives (RFC 8461 §3.2).
pub fn policy_url(domain: &str) -> String {
    format!("https://mta-sts.{}/.well-known/mta-sts.txt", domain.trim_end_matches('.'))
}

/// What a DNS lookup gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsAnswer<T> {
    /// Records (possibly none: NODATA), whether the resolver validated them with DNSSEC
    /// (the AD bit), and the CNAMEs followed on the way.
    Records {
        /// The records.
        records: Vec<T>,
        /// The AD bit.
        authenticated: bool,
        /// CNAME targets followed, in order.
        cnames: Vec<String>,
    },
    /// The name does not exist.
    NxDomain,
    /// SERVFAIL.
    ServFail,
    /// No answer in time.
    Timeout,
    /// The resolver could not be asked (network, HTTP error, unparsable answer).
    Failed(String),
}

impl DnsAnswer<Tlsa> {
    /// Whether this answer gives the host DANE: TLSA records validated by DNSSEC (the AD
    /// bit). Without validation senders ignore TLSA records (RFC 7672).
    pub fn is_dane(&self) -> bool {
        matches!(self, DnsAnswer::Records { records, authenticated: true, .. } if !records.is_empty())
    }
}

impl<T> DnsAnswer<T> {
    fn records(&self) -> &[T] {
        match self {
            DnsAnswer::Records { records, .. } => records,
            _ => &[],
        }
    }
}

/// A TLSA record (RFC 6698 §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlsa {
    /// Certificate usage, 0–3.
    pub usage: u8,
    /// Selector, 0–1.
    pub selector: u8,
    /// Matching type, 0–2.
    pub matching: u8,
    /// Certificate association data.
    pub data: Vec<u8>,
}

/// The presentation form (RFC 6698 §2.2): "3 1 1 8cb0…", the data in lowercase hex.
impl std::fmt::Display for Tlsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {} ", self.usage, self.selector, self.matching)?;
        self.data.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Tlsa {
    /// A record in its presentation form ("3 1 1 8cb0…"), as `Display` writes it; `None`
    /// when it is not four fields of three numbers and an even number of hex digits.
    pub fn from_text(text: &str) -> Option<Tlsa> {
        let mut f = text.split_whitespace();
        let (usage, selector, matching, hex) =
            (f.next()?.parse().ok()?, f.next()?.parse().ok()?, f.next()?.parse().ok()?, f.next()?);
        let pairs = hex.as_bytes().chunks_exact(2);
        if f.next().is_some() || !pairs.remainder().is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let data = pairs
            .map(|p| std::str::from_utf8(p).ok().and_then(|x| u8::from_str_radix(x, 16).ok()))
            .collect::<Option<Vec<u8>>>()?;
        Some(Tlsa { usage, selector, matching, data })
    }
}

/// What fetching the policy gave, as far as the fetcher could see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyFetch {
    /// A readable response (the CLI always; a browser when the host sends CORS headers; or
    /// a response the user pasted).
    Response {
        /// HTTP status.
        status: u16,
        /// Content-Type.
        content_type: Option<String>,
        /// Location, on a redirect.
        location: Option<String>,
        /// The body.
        body: Vec<u8>,
    },
    /// The browser could not read it, but a no-cors request got an (opaque) answer: the
    /// host is reachable over HTTPS with a trusted certificate.
    Opaque,
    /// Neither request got an answer.
    Unreachable(String),
    /// The fetch was answered with a redirect the browser does not show (a `manual`
    /// redirect is an opaque response: neither status nor target is visible to the page).
    Redirect,
    /// The user pasted the policy text (the browser could not read it): only the policy
    /// rules apply, the HTTP ones cannot be checked.
    Pasted(Vec<u8>),
    /// The user pasted the output of `curl -sS -D - --max-redirs 0 URL`: status, headers
    /// and body are all checked.
    Captured(String),
}

impl PolicyFetch {
    /// What the user pasted in place of the fetch: curl output when it starts with a status
    /// line, otherwise the policy text itself.
    pub fn pasted(text: &str) -> PolicyFetch {
        if text.trim_start().starts_with("HTTP/") {
            PolicyFetch::Captured(text.to_string())
        } else {
            PolicyFetch::Pasted(text.as_bytes().to_vec())
        }
    }
}

/// The command whose output can be pasted back as [`PolicyFetch::Captured`].
pub fn curl_command(domain: &str) -> String {
    format!("curl -sS -D - --max-redirs 0 {}", policy_url(domain.trim().trim_end_matches('.')))
}

/// Everything the check looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    /// MX of the domain: (preference, host).
    pub mx: DnsAnswer<(u16, String)>,
    /// TXT at `_mta-sts`: each record as its strings.
    pub sts_txt: DnsAnswer<Vec<Vec<u8>>>,
    /// TXT at `_smtp._tls`.
    pub tlsrpt_txt: DnsAnswer<Vec<Vec<u8>>>,
    /// A/AAAA of `mta-sts.<domain>`.
    pub policy_host: DnsAnswer<IpAddr>,
    /// The policy fetch.
    pub policy: PolicyFetch,
    /// TLSA per MX host.
    pub tlsa: Vec<(String, DnsAnswer<Tlsa>)>,
    /// A second resolver's answers for the MTA-STS and TLS-RPT names, when one was asked.
    pub second: Option<Second>,
    /// The policy host's leaf certificate (DER), when the fetcher could see it (the CLI; a
    /// browser cannot).
    pub certificate: Option<Vec<u8>>,
    /// Unix seconds when the check ran: certificate validity is judged against it.
    pub now: i64,
}

/// What a second resolver said about the two TXT names. Senders use whatever their own
/// resolver says, so a difference means some senders see another policy (split horizon, or
/// a change still propagating).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Second {
    /// Which resolver (shown in the finding).
    pub resolver: String,
    /// TXT at `_mta-sts`.
    pub sts_txt: DnsAnswer<Vec<Vec<u8>>>,
    /// TXT at `_smtp._tls`.
    pub tlsrpt_txt: DnsAnswer<Vec<Vec<u8>>>,
}

/// Why a check could not be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecided {
    /// The record is fine but the policy could not be read from here (a browser without
    /// CORS): paste it to finish.
    Unverified,
    /// The resolver gave no answer for a lookup the verdict needs.
    NoAnswer,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Enforce, and every MX host is covered.
    Protected,
    /// A valid policy in testing mode: reports, no protection yet.
    Testing,
    /// Published but not usable by senders.
    Broken,
    /// No MTA-STS (no record, or mode none).
    None,
    /// Not decided, and why.
    Undecided(Undecided),
}

impl Verdict {
    /// Stable id for `data-verdict` and `--json`: protected, testing, broken, none;
    /// unverified or unknown when undecided.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Protected => "protected",
            Verdict::Testing => "testing",
            Verdict::Broken => "broken",
            Verdict::None => "none",
            Verdict::Undecided(Undecided::Unverified) => "unverified",
            Verdict::Undecided(Undecided::NoAnswer) => "unknown",
        }
    }
}

/// The result of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The verdict: undecided while the policy is unreadable from here, or when a lookup
    /// the verdict needs got no answer.
    pub verdict: Verdict,
    /// One sentence saying why.
    pub reason: String,
    /// The typed facts the verdict was decided on.
    pub facts: Facts,
    /// Whether senders send TLS reports (RFC 8460 §3).
    pub reporting: Reporting,
    /// The `_mta-sts` record, when valid.
    pub sts: Option<StsRecord>,
    /// The `_smtp._tls` record, when valid.
    pub tlsrpt: Option<TlsRptRecord>,
    /// The policy, when it could be read.
    pub policy: Option<StsPolicy>,
    /// What the fetch said, when readable.
    pub fetch: Option<FetchResult>,
    /// The policy host's certificate, when the fetcher saw it.
    pub certificate: Option<CertInfo>,
    /// MX coverage, when both the policy and the MX hosts are known.
    pub coverage: Option<Coverage>,
    /// Every finding, with the name it is about.
    pub findings: Vec<Located>,
}

fn dns_problem<T>(a: &DnsAnswer<T>, about: &str, out: &mut Vec<Located>) -> bool {
    let (code, detail) = match a {
        DnsAnswer::ServFail => (Code::DnsServfail, String::new()),
        DnsAnswer::Timeout => (Code::DnsTimeout, String::new()),
        DnsAnswer::Failed(why) => (Code::DnsFailed, why.clone()),
        _ => return false,
    };
    out.push(Located { origin: about.to_string(), finding: Finding::new(code, Span::at(0), detail) });
    true
}

/// NXDOMAIN and NODATA, each a finding of its own; and the CNAMEs followed.
fn note_answer<T>(a: &DnsAnswer<T>, about: &str, nxdomain: Code, out: &mut Vec<Located>) {
    let mut push = |code, detail: String| {
        out.push(Located { origin: about.to_string(), finding: Finding::new(code, Span::at(0), detail) })
    };
    match a {
        DnsAnswer::NxDomain => push(nxdomain, String::new()),
        DnsAnswer::Records { records, cnames, .. } => {
            if !cnames.is_empty() {
                push(Code::DnsCname, format!("alias of {}", cnames.join(" → ")));
            }
            if records.is_empty() {
                push(Code::DnsNodata, String::new());
            }
        }
        _ => {}
    }
}

/// A TXT answer as something to compare: the records (strings joined) in order, with
/// NXDOMAIN and NODATA alike (no record either way); `None` when there is no answer.
fn txt_shape(a: &DnsAnswer<Vec<Vec<u8>>>) -> Option<Vec<String>> {
    match a {
        DnsAnswer::Records { records, .. } => {
            let mut v: Vec<String> =
                records.iter().map(|r| String::from_utf8_lossy(&r.concat()).into_owned()).collect();
            order::sort(&mut v);
            Some(v)
        }
        DnsAnswer::NxDomain => Some(vec![]),
        _ => None,
    }
}

fn describe(shape: &[String]) -> String {
    if shape.is_empty() {
        "no record".to_string()
    } else {
        shape.iter().map(|r| format!("\"{r}\"")).collect::<Vec<_>>().join(", ")
    }
}

/// Records as [`RecordText`]s: strings concatenated without spaces (RFC 8461 §3.1).
fn texts(records: &[Vec<Vec<u8>>]) -> Vec<RecordText> {
    records
        .iter()
        .map(|strings| {
            let joined: Vec<u8> = strings.concat();
            RecordText::raw(&String::from_utf8_lossy(&joined), 0)
        })
        .collect()
}

fn tlsa_sanity(host: &str, a: &DnsAnswer<Tlsa>, out: &mut Vec<Located>) {
    let DnsAnswer::Records { records, .. } = a else { return };
    if records.is_empty() {
        return;
    }
    let about = format!("_25._tcp.{host} TLSA");
    let push = |out: &mut Vec<Located>, code, detail: String| {
        out.push(Located { origin: about.clone(), finding: Finding::new(code, Span::at(0), detail) })
    };
    for t in records {
        let len_ok = match t.matching {
            0 => !t.data.is_empty(),
            1 => t.data.len() == 32,
            2 => t.data.len() == 64,
            _ => false,
        };
        if t.usage > 3 || t.selector > 1 || !len_ok {
            push(
                out,
                Code::DaneTlsaInvalid,
                format!("{} {} {} with {} bytes", t.usage, t.selector, t.matching, t.data.len()),
            );
        } else if t.usage < 2 {
            push(out, Code::DaneTlsaUsage, format!("usage {}", t.usage));
        }
    }
    if a.is_dane() {
        push(out, Code::DaneAndSts, String::new());
    } else {
        push(out, Code::DaneNotAuthenticated, String::new());
    }
}

/// What the `_mta-sts` record means to senders (RFC 8461 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFact {
    /// One valid record: senders go on to fetch the policy.
    Valid,
    /// No record at all: the domain has not deployed MTA-STS.
    Absent,
    /// Records exist but none is usable ("If the resulting record is syntactically invalid,
    /// senders MUST assume the recipient domain does not have an available MTA-STS Policy";
    /// likewise for more than one record).
    Invalid,
    /// The resolver failed with SERVFAIL: senders see no record either.
    ServFail,
    /// No answer at all (timeout, the resolver could not be asked): nothing can be said.
    NoAnswer,
}

/// What fetching the policy means to senders (RFC 8461 §3.2–§3.3): host, certificate and
/// HTTP response together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchFact {
    /// Fetched over trusted HTTPS, status 200, text/plain, no redirect.
    Ok,
    /// Something a sender stops at: no address, a bad certificate, a redirect, a status
    /// other than 200, the wrong media type, no body, unreachable.
    Failed,
    /// Reachable, but this fetcher (a browser without CORS) could not read the response.
    Unverified,
}

/// What the policy file means to senders (RFC 8461 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyFact {
    /// A valid policy in this mode.
    Mode(Mode),
    /// Not a valid policy: senders discard it.
    Invalid,
    /// Not read.
    Unknown,
}

/// MX hosts against the policy's patterns (RFC 8461 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MxFact {
    /// Every MX host matches a pattern.
    Covered,
    /// At least one MX host matches no pattern.
    NotCovered,
    /// The domain publishes a null MX (RFC 7505).
    NullMx,
    /// The domain does not exist.
    NoDomain,
    /// The MX lookup got no usable answer (or there was no policy to match against).
    Unknown,
}

/// The typed facts a verdict is decided on; each comes from its `judge_*` function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The `_mta-sts` record.
    pub record: RecordFact,
    /// The policy fetch (meaningful only when the record is valid).
    pub fetch: FetchFact,
    /// The policy.
    pub policy: PolicyFact,
    /// MX coverage.
    pub mx: MxFact,
}

/// True when some finding of `area` is an error.
fn errors_in(findings: &[Located], areas: &[Area]) -> bool {
    findings.iter().any(|l| l.finding.severity() == Severity::Error && areas.contains(&l.finding.code.area()))
}

/// The `_mta-sts` record from its answer and the findings of its parse (RFC 8461 §3.1).
pub fn judge_record(answer: &DnsAnswer<Vec<Vec<u8>>>, record_findings: &[Located]) -> RecordFact {
    match answer {
        DnsAnswer::Timeout | DnsAnswer::Failed(_) => return RecordFact::NoAnswer,
        DnsAnswer::ServFail => return RecordFact::ServFail,
        DnsAnswer::NxDomain | DnsAnswer::Records { .. } => {}
    }
    match record_set(record_findings, Area::StsRecord, Code::StsTxtNoRecord) {
        RecordSet::One => RecordFact::Valid,
        RecordSet::None => RecordFact::Absent,
        RecordSet::Unusable => RecordFact::Invalid,
    }
}

/// What the record-set rule left of a TXT name, from the errors of its `area`.
enum RecordSet {
    /// One valid record.
    One,
    /// No record at all (only the `no_record` error).
    None,
    /// Records that senders must ignore.
    Unusable,
}

fn record_set(findings: &[Located], area: Area, no_record: Code) -> RecordSet {
    let mut errors =
        findings.iter().filter(|l| l.finding.code.area() == area && l.finding.severity() == Severity::Error).peekable();
    if errors.peek().is_none() {
        RecordSet::One
    } else if errors.all(|l| l.finding.code == no_record) {
        RecordSet::None
    } else {
        RecordSet::Unusable
    }
}

/// The fetch from what the fetcher saw and the findings about host, certificate and HTTP
/// response (RFC 8461 §3.3: "MUST present an X.509 certificate [...]", "only valid if the
/// HTTP response code is 200", "HTTP 3xx redirects MUST NOT be followed").
pub fn judge_fetch(fetch: &PolicyFetch, findings: &[Located]) -> FetchFact {
    if errors_in(findings, &[Area::Fetch, Area::Host, Area::Cert]) {
        FetchFact::Failed
    } else if matches!(fetch, PolicyFetch::Opaque) {
        FetchFact::Unverified
    } else {
        FetchFact::Ok
    }
}

/// The policy from its parse and findings (RFC 8461 §3.2: a policy that is not valid is
/// discarded).
pub fn judge_policy(policy: Option<&StsPolicy>, findings: &[Located]) -> PolicyFact {
    match policy {
        None => PolicyFact::Unknown,
        Some(_) if errors_in(findings, &[Area::Policy]) => PolicyFact::Invalid,
        Some(p) => p.mode.map_or(PolicyFact::Invalid, PolicyFact::Mode),
    }
}

/// MX coverage from the MX answer, the coverage table and its findings (RFC 8461 §4.1).
pub fn judge_mx(mx: &DnsAnswer<(u16, String)>, coverage: Option<&Coverage>, findings: &[Located]) -> MxFact {
    match (mx, coverage) {
        (DnsAnswer::NxDomain, _) => MxFact::NoDomain,
        (_, Some(c)) if c.null_mx => MxFact::NullMx,
        (_, Some(c)) if c.rows.iter().any(|r| !r.covered) || errors_in(findings, &[Area::Mx]) => MxFact::NotCovered,
        (_, Some(_)) => MxFact::Covered,
        (DnsAnswer::Records { records, .. }, None) if records.iter().any(|(_, h)| h == ".") => MxFact::NullMx,
        _ => MxFact::Unknown,
    }
}

/// The verdict and one sentence why, from the typed facts alone.
pub fn verdict(domain: &str, f: &Facts) -> (Verdict, String) {
    let say = |v: Verdict, why: &str| (v, why.to_string());
    let null_mx = || {
        (Verdict::None, format!("{domain} publishes a null MX: it accepts no mail, so there is nothing to protect."))
    };
    if f.mx == MxFact::NoDomain {
        return (Verdict::None, format!("{domain} does not exist in DNS."));
    }
    match f.record {
        RecordFact::NoAnswer => return say(
            Verdict::Undecided(Undecided::NoAnswer),
            "The _mta-sts lookup got no answer, so nothing can be said yet: check the resolver setting and try again.",
        ),
        RecordFact::Absent if f.mx == MxFact::NullMx => return null_mx(),
        RecordFact::Absent => return say(Verdict::None, "No MTA-STS record: senders deliver without requiring TLS."),
        RecordFact::Invalid => {
            return say(
                Verdict::Broken,
                "The _mta-sts record is not valid, so senders must act as if there were no policy (RFC 8461 §3.1).",
            )
        }
        RecordFact::ServFail => {
            return say(Verdict::Broken, "The _mta-sts lookup fails (SERVFAIL), so senders see no policy.")
        }
        RecordFact::Valid => {}
    }
    match (f.fetch, f.policy) {
        (FetchFact::Unverified, PolicyFact::Unknown) => {
            return say(
                Verdict::Undecided(Undecided::Unverified),
                "The record is fine; the policy cannot be read from the browser. Paste it, or the curl output, to finish the check.",
            )
        }
        (FetchFact::Failed, _) | (_, PolicyFact::Invalid | PolicyFact::Unknown) => {
            return say(Verdict::Broken, "The record announces a policy that senders cannot fetch or use.")
        }
        (_, PolicyFact::Mode(_)) => {}
    }
    match (f.policy, f.mx) {
        (PolicyFact::Mode(Mode::None), _) => say(Verdict::None, "The policy's mode is none: MTA-STS is switched off."),
        (PolicyFact::Mode(Mode::Testing), _) => {
            say(Verdict::Testing, "The policy is in testing mode: failures are reported, mail is not yet protected.")
        }
        (_, MxFact::NotCovered) => say(
            Verdict::Broken,
            "The policy enforces, but not every MX host is covered: mail to those hosts is refused.",
        ),
        (_, MxFact::NullMx) => null_mx(),
        (_, MxFact::Unknown | MxFact::NoDomain) => say(
            Verdict::Undecided(Undecided::NoAnswer),
            "The policy enforces, but the MX lookup got no answer, so coverage of the MX hosts is unknown.",
        ),
        _ => say(Verdict::Protected, "The policy enforces TLS to every MX host."),
    }
}

/// What the `_smtp._tls` record means to senders (RFC 8460 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporting {
    /// One valid record: senders send reports to its `rua` addresses.
    Active,
    /// No record: senders send no reports.
    Absent,
    /// Records exist but none is usable ("If the number of resulting records is not one, or
    /// if the resulting record is syntactically invalid, senders MUST assume the recipient
    /// domain does not implement TLSRPT").
    Invalid,
    /// The lookup got no answer, or SERVFAIL.
    NoAnswer,
}

impl Reporting {
    /// Stable id, for JSON and `data-reporting`.
    pub fn id(self) -> &'static str {
        match self {
            Reporting::Active => "active",
            Reporting::Absent => "absent",
            Reporting::Invalid => "invalid",
            Reporting::NoAnswer => "no-answer",
        }
    }
}

/// The `_smtp._tls` record from its answer and the findings of its parse.
pub fn judge_tlsrpt(answer: &DnsAnswer<Vec<Vec<u8>>>, findings: &[Located]) -> Reporting {
    match answer {
        DnsAnswer::Timeout | DnsAnswer::Failed(_) | DnsAnswer::ServFail => Reporting::NoAnswer,
        DnsAnswer::NxDomain | DnsAnswer::Records { .. } => {
            match record_set(findings, Area::TlsRptRecord, Code::TlsRptTxtNoRecord) {
                RecordSet::One => Reporting::Active,
                RecordSet::None => Reporting::Absent,
                RecordSet::Unusable => Reporting::Invalid,
            }
        }
    }
}

fn located(origin: &str, fs: Vec<Finding>) -> impl Iterator<Item = Located> + '_ {
    fs.into_iter().map(move |finding| Located { origin: origin.to_string(), finding })
}

/// A TXT name: NXDOMAIN/NODATA/CNAME notes, DNS failures, then the record-set parse with
/// `parse` (only when the resolver answered). Returns the parsed record and its findings.
fn read_txt<T>(
    answer: &DnsAnswer<Vec<Vec<u8>>>,
    name: &str,
    parse: impl Fn(&[RecordText]) -> crate::finding::Parsed<Option<T>>,
) -> (Option<T>, Vec<Located>) {
    let mut out = Vec::new();
    note_answer(answer, name, Code::DnsNxdomain, &mut out);
    if dns_problem(answer, name, &mut out) {
        return (None, out);
    }
    let p = parse(&texts(answer.records()));
    out.extend(located(name, merge_record_set(answer.records(), p.findings)));
    (p.value, out)
}

/// One finding per problem of a looked-up record set (issue 15): "more than one record"
/// comes once, quoting every record it is about, instead of once per record; other findings
/// repeated word for word come once. (Lint keeps one per record: there each has its own span
/// in the pasted text.)
fn merge_record_set(records: &[Vec<Vec<u8>>], findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        let prefix = match f.code {
            Code::StsTxtMultipleRecords => "v=stsv1",
            Code::TlsRptTxtMultipleRecords => "v=tlsrptv1",
            _ => {
                if !out.iter().any(|m| m.code == f.code && m.detail == f.detail) {
                    out.push(f);
                }
                continue;
            }
        };
        if out.iter().any(|m| m.code == f.code) {
            continue;
        }
        let quoted: Vec<String> = records
            .iter()
            .map(|r| String::from_utf8_lossy(&r.concat()).into_owned())
            .filter(|r| r.trim_start().to_ascii_lowercase().starts_with(prefix))
            .map(|r| format!("\"{r}\""))
            .collect();
        out.push(Finding::new(f.code, f.span, format!("{} records qualify: {}", quoted.len(), quoted.join(", "))));
    }
    out
}

/// The policy host's address and certificate (RFC 8461 §3.2–§3.3), once the record is usable.
fn read_host(d: &str, a: &Answers, out: &mut Vec<Located>) -> Option<CertInfo> {
    let host_name = format!("mta-sts.{d}");
    let host_about = format!("{host_name} A/AAAA");
    note_answer(&a.policy_host, &host_about, Code::DnsNxdomain, out);
    if !dns_problem(&a.policy_host, &host_about, out) && a.policy_host.records().is_empty() {
        out.push(Located {
            origin: host_about,
            finding: Finding::new(Code::StsHostNoAddress, Span::at(0), host_name.clone()),
        });
    }
    let der = a.certificate.as_deref()?;
    let p = crate::mta_sts::cert::inspect(der, &host_name, a.now);
    out.extend(located(&format!("{host_name} certificate"), p.findings));
    p.value
}

/// The policy as fetched (or pasted): its fetch result and parsed policy.
fn read_policy(d: &str, fetch: &PolicyFetch, out: &mut Vec<Located>) -> (Option<StsPolicy>, Option<FetchResult>) {
    let url = policy_url(d);
    let mut push = |code, detail: String| {
        out.push(Located { origin: url.clone(), finding: Finding::new(code, Span::at(0), detail) });
    };
    match fetch {
        PolicyFetch::Response { status, content_type, location, body } => {
            let p = crate::mta_sts::fetch::judge(&crate::mta_sts::fetch::Response {
                status: *status,
                status_span: Span::at(0),
                content_type: content_type.as_deref().map(|c| (c, Span::at(0))),
                location: location.as_deref(),
                body,
                body_start: 0,
            });
            // Spans here would point into a body the caller holds, not into any text shown
            // with these findings; the origin (the URL) locates them.
            out.extend(located(&url, p.findings.into_iter().map(|f| Finding { span: Span::at(0), ..f }).collect()));
            (p.value.policy.clone(), Some(p.value))
        }
        PolicyFetch::Captured(text) => {
            let p = crate::mta_sts::fetch::parse(text);
            out.extend(located(&format!("{url} (pasted curl output)"), p.findings));
            (p.value.policy.clone(), Some(p.value))
        }
        PolicyFetch::Pasted(body) => {
            let p = policy::parse(body);
            out.extend(located(&format!("{url} (pasted)"), p.findings));
            (Some(p.value), None)
        }
        PolicyFetch::Redirect => {
            push(Code::FetchRedirect, "the browser saw a redirect (pages are not shown its status or target)".into());
            (None, None)
        }
        PolicyFetch::Opaque => {
            push(Code::FetchNotVerifiable, String::new());
            (None, None)
        }
        PolicyFetch::Unreachable(why) => {
            push(Code::FetchUnreachable, why.clone());
            (None, None)
        }
    }
}

/// MX hosts against the policy (RFC 8461 §4.1), and the null-MX note when not covered there.
fn read_mx(
    d: &str,
    mx: &DnsAnswer<(u16, String)>,
    policy: Option<&StsPolicy>,
    out: &mut Vec<Located>,
) -> Option<Coverage> {
    let mx_name = format!("{d} MX");
    note_answer(mx, &mx_name, Code::DnsNoDomain, out);
    let mx_ok = !dns_problem(mx, &mx_name, out);
    let hosts: Vec<(Option<u16>, String)> = mx.records().iter().map(|(p, h)| (Some(*p), h.clone())).collect();
    let cov = match policy {
        Some(p) if mx_ok && p.mode != Some(Mode::None) => {
            let c = coverage(&p.mx, &hosts, Some(d));
            out.extend(located(&mx_name, c.findings));
            Some(c.value)
        }
        _ => None,
    };
    if cov.is_none() && mx.records().iter().any(|(_, h)| h == ".") {
        out.push(Located { origin: mx_name, finding: Finding::new(Code::MxNullMx, Span::at(0), String::new()) });
    }
    cov
}

/// The second resolver's view of the two TXT names: it informs, it never changes the verdict.
fn compare_second(d: &str, a: &Answers, out: &mut Vec<Located>) {
    let Some(second) = &a.second else { return };
    for (name, mine, theirs) in [
        (format!("_mta-sts.{d} TXT"), &a.sts_txt, &second.sts_txt),
        (format!("_smtp._tls.{d} TXT"), &a.tlsrpt_txt, &second.tlsrpt_txt),
    ] {
        let about = format!("{name} via {}", second.resolver);
        if dns_problem(theirs, &about, out) {
            continue;
        }
        if let (Some(x), Some(y)) = (txt_shape(mine), txt_shape(theirs)) {
            if x != y {
                let detail = format!("first resolver: {}; {}: {}", describe(&x), second.resolver, describe(&y));
                out.push(Located {
                    origin: name,
                    finding: Finding::new(Code::DnsResolversDisagree, Span::at(0), detail),
                });
            }
        }
    }
}

/// Turns the answers of a check of `domain` into findings, typed facts and a verdict.
pub fn evaluate(domain: &str, a: &Answers) -> Check {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let (sts, mut findings) = read_txt(&a.sts_txt, &format!("_mta-sts.{d} TXT"), sts_txt::parse_records);
    let record = judge_record(&a.sts_txt, &findings);
    let (tlsrpt, rpt_findings) = read_txt(&a.tlsrpt_txt, &format!("_smtp._tls.{d} TXT"), rpt_txt::parse_records);
    let reporting = judge_tlsrpt(&a.tlsrpt_txt, &rpt_findings);
    findings.extend(rpt_findings);

    // Without a valid record senders never fetch the policy (RFC 8461 §3.1), so neither the
    // host nor the fetch is judged; a policy the user pasted is still checked.
    let pasted = matches!(a.policy, PolicyFetch::Pasted(_) | PolicyFetch::Captured(_));
    let mut fetch_findings = Vec::new();
    let (certificate, policy, fetch) = if record == RecordFact::Valid || pasted {
        let cert = if record == RecordFact::Valid { read_host(&d, a, &mut fetch_findings) } else { None };
        let (policy, fetch) = read_policy(&d, &a.policy, &mut fetch_findings);
        (cert, policy, fetch)
    } else {
        (None, None, None)
    };
    let fetch_fact = judge_fetch(&a.policy, &fetch_findings);
    let policy_fact = judge_policy(policy.as_ref(), &fetch_findings);
    findings.extend(fetch_findings);

    let mut mx_findings = Vec::new();
    let cov = read_mx(&d, &a.mx, policy.as_ref(), &mut mx_findings);
    let mx_fact = judge_mx(&a.mx, cov.as_ref(), &mx_findings);
    findings.extend(mx_findings);
    for (host, t) in &a.tlsa {
        if !dns_problem(t, &format!("_25._tcp.{host} TLSA"), &mut findings) {
            tlsa_sanity(host, t, &mut findings);
        }
    }
    dane_against_sts(a, policy.as_ref(), cov.as_ref(), &mut findings);

    let facts = Facts { record, fetch: fetch_fact, policy: policy_fact, mx: mx_fact };
    let (verdict, mut reason) = verdict(&d, &facts);
    if let (Some(cov), MxFact::NotCovered) = (&cov, mx_fact) {
        reason = coverage_reason(verdict, &reason, cov);
    }
    compare_second(&d, a, &mut findings);
    // A domain that does not exist is one fact, not one finding per name under it (issue
    // 15): every other lookup's NXDOMAIN and "no record" follow from it.
    if mx_fact == MxFact::NoDomain {
        // Lookup failures of other names stay: they are about the resolver, not the domain.
        findings.retain(|l| {
            l.finding.code == Code::DnsNoDomain
                || (l.finding.severity() == Severity::Error && l.finding.code.area() == Area::Dns)
        });
    }
    let enforcing = policy.as_ref().is_some_and(|p| p.mode == Some(Mode::Enforce));
    order::sort_by_key(&mut findings, |l| harm(l, enforcing));
    Check {
        verdict,
        reason,
        facts,
        reporting,
        sts: if record == RecordFact::Valid { sts } else { None },
        tlsrpt: if reporting == Reporting::Active { tlsrpt } else { None },
        policy,
        fetch,
        certificate,
        coverage: cov,
        findings,
    }
}

/// Folds the probes of the MX hosts (issue 11) into the check: each probe's findings,
/// located at its host; under an enforce policy an MX host that does not offer STARTTLS or
/// presents a certificate that fails validation breaks the domain (RFC 8461 §5: senders
/// MUST NOT deliver to it); under testing the reason says what enforce would break.
#[cfg(feature = "certificate")]
pub fn fold_probes(c: &mut Check, probes: &[crate::probe::Probe]) {
    let failing: Vec<String> = probes
        .iter()
        .filter(|p| !p.valid)
        .map(|p| {
            let why = p.findings.iter().find(|f| f.severity() == Severity::Error).map_or("not valid", |f| f.code.id());
            format!("{} ({why})", p.host)
        })
        .collect();
    for p in probes {
        let origin = format!("{}:{}", p.host, p.port);
        c.findings.extend(p.findings.iter().map(|f| Located { origin: origin.clone(), finding: f.clone() }));
    }
    let enforcing = c.policy.as_ref().is_some_and(|p| p.mode == Some(Mode::Enforce));
    crate::order::sort_by_key(&mut c.findings, |l| harm(l, enforcing));
    if failing.is_empty() {
        return;
    }
    let list = failing.join(", ");
    match c.verdict {
        Verdict::Protected => {
            c.verdict = Verdict::Broken;
            c.reason = format!(
                "The policy enforces, but {list} fail{} what senders check on the wire: senders refuse to deliver there.",
                if failing.len() == 1 { "s" } else { "" }
            );
        }
        Verdict::Testing => c.reason = format!("{} Under enforce, {list} would refuse mail: fix that first.", c.reason),
        _ => {}
    }
}

/// Where a finding goes in the list: what breaks mail first (issue 15). Errors before
/// warnings before notes; within a severity, failed lookups (nothing below them is known),
/// then what makes senders refuse mail (under enforce, an MX host the policy does not
/// cover: RFC 8461 §4.1, §5), then what makes them ignore the policy (record, policy host,
/// certificate, fetch, policy: §3), then MX coverage under testing (failures reported, mail
/// delivered), DANE, and last what only costs reports (TLS-RPT, RFC 8460 §3). The sort is
/// stable: within a tier, findings keep the order the setup is read in.
fn harm(l: &Located, enforcing: bool) -> (std::cmp::Reverse<Severity>, u8) {
    let tier = match l.finding.code.area() {
        Area::Dns => 0,
        Area::Mx | Area::Smtp if enforcing => 1,
        Area::StsRecord | Area::Host | Area::Cert | Area::Fetch | Area::Policy => 2,
        Area::Mx | Area::Smtp => 3,
        Area::Dane => 4,
        Area::TlsRptRecord => 5,
        Area::Report | Area::Input => 6,
    };
    (std::cmp::Reverse(l.finding.severity()), tier)
}

/// The verdict's sentence with the exact count of uncovered MX hosts, naming them (issue
/// 15: "none of the 1 MX hosts is covered", not "not every MX host").
fn coverage_reason(verdict: Verdict, reason: &str, cov: &Coverage) -> String {
    let total = cov.rows.len();
    let missing: Vec<&str> = cov.rows.iter().filter(|r| !r.covered).map(|r| r.host.as_str()).collect();
    let hosts = if total == 1 { "host" } else { "hosts" };
    let how = if missing.len() == total {
        format!("none of the {total} MX {hosts} is covered ({})", missing.join(", "))
    } else {
        let verb = if missing.len() == 1 { "is" } else { "are" };
        format!("{} of the {total} MX {hosts} {verb} not covered ({})", missing.len(), missing.join(", "))
    };
    match verdict {
        Verdict::Broken => format!("The policy enforces, but {how}: senders refuse to deliver there."),
        Verdict::Testing => format!("{reason} Also, {how}: fix that before switching to enforce."),
        _ => reason.to_string(),
    }
}

/// The fix of a check's finding in words for this domain: `<domain>` and the examples'
/// `example.com` name the checked domain, and `<host>` the MX host a coverage finding is
/// about (issue 15: a fix names what was checked, never a placeholder).
pub fn fix_for(l: &Located, domain: &str) -> String {
    let d = domain.trim().trim_end_matches('.');
    let mut fix = l.finding.code.info().fix.replace("<domain>", d).replace("example.com", d);
    if l.finding.code == Code::MxNotCovered {
        if let Some((host, _)) = l.finding.detail.split_once(':') {
            fix = fix.replace("<host>", host.trim());
        }
    }
    fix
}

/// DANE next to MTA-STS (RFC 8461 §2: senders that do DANE use it for hosts that have it):
/// a DANE host the policy does not list is a disagreement; DANE on only some hosts is noted.
fn dane_against_sts(a: &Answers, policy: Option<&StsPolicy>, cov: Option<&Coverage>, out: &mut Vec<Located>) {
    let dane: Vec<&str> = a.tlsa.iter().filter(|(_, t)| t.is_dane()).map(|(h, _)| h.as_str()).collect();
    if dane.is_empty() {
        return;
    }
    let hosts: Vec<&str> = a.mx.records().iter().map(|(_, h)| h.as_str()).filter(|h| *h != ".").collect();
    if hosts.iter().any(|h| !dane.contains(h)) {
        out.push(Located {
            origin: "MX hosts".to_string(),
            finding: Finding::new(Code::DanePartial, Span::at(0), format!("DANE on {} of {}", dane.len(), hosts.len())),
        });
    }
    if policy.is_none_or(|p| p.mode == Some(Mode::None)) {
        return;
    }
    for row in cov.map(|c| c.rows.as_slice()).unwrap_or_default() {
        if !row.covered && dane.contains(&row.host.as_str()) {
            out.push(Located {
                origin: format!("_25._tcp.{} TLSA", row.host),
                finding: Finding::new(Code::DaneStsDisagree, Span::at(0), row.host.clone()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlsa_presentation_form_round_trips() {
        let t = Tlsa { usage: 3, selector: 1, matching: 1, data: vec![0x8c, 0xb0, 0x0f] };
        assert_eq!(t.to_string(), "3 1 1 8cb00f");
        assert_eq!(Tlsa::from_text(" 3 1 1 8CB00F "), Some(t));
        for bad in ["3 1 1 8cb", "3 1 1", "3 1 1 zz", "3 1 1 +f", "x 1 1 00", "3 1 1 00 extra", ""] {
            assert_eq!(Tlsa::from_text(bad), None, "{bad:?}");
        }
    }

    const GOOD_POLICY: &str =
        "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.mail.example.com\nmax_age: 604800\n";

    fn recs(texts: &[&[&str]]) -> DnsAnswer<Vec<Vec<u8>>> {
        DnsAnswer::Records {
            records: texts.iter().map(|r| r.iter().map(|s| s.as_bytes().to_vec()).collect()).collect(),
            authenticated: false,
            cnames: vec![],
        }
    }

    fn ok_policy(body: &str) -> PolicyFetch {
        PolicyFetch::Response {
            status: 200,
            content_type: Some("text/plain".into()),
            location: None,
            body: body.as_bytes().to_vec(),
        }
    }

    fn base() -> Answers {
        Answers {
            mx: DnsAnswer::Records {
                records: vec![(10, "mx1.example.com".into()), (20, "a.mail.example.com".into())],
                authenticated: false,
                cnames: vec![],
            },
            sts_txt: recs(&[&["v=STSv1; id=20240101"]]),
            tlsrpt_txt: recs(&[&["v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]]),
            policy_host: DnsAnswer::Records {
                records: vec!["192.0.2.1".parse().unwrap()],
                authenticated: false,
                cnames: vec![],
            },
            policy: ok_policy(GOOD_POLICY),
            tlsa: vec![],
            second: None,
            certificate: None,
            now: 1_800_000_000,
        }
    }

    fn codes(c: &Check) -> Vec<&'static str> {
        c.findings.iter().map(|l| l.finding.code.id()).collect()
    }

    fn check(a: &Answers) -> Check {
        evaluate("example.com", a)
    }

    #[test]
    fn the_plan_names_every_lookup() {
        let p = plan("Example.com.");
        assert_eq!(p.mx, "example.com");
        assert_eq!(p.sts_txt, "_mta-sts.example.com");
        assert_eq!(p.tlsrpt_txt, "_smtp._tls.example.com");
        assert_eq!(p.policy_host, "mta-sts.example.com");
        assert_eq!(p.policy, "https://mta-sts.example.com/.well-known/mta-sts.txt");
        let mx = DnsAnswer::Records {
            records: vec![(10, "MX1.example.com.".into()), (0, ".".into()), (20, "mx1.example.com".into())],
            authenticated: false,
            cnames: vec![],
        };
        assert_eq!(plan_mx(&mx), [("mx1.example.com".to_string(), "_25._tcp.mx1.example.com".to_string())]);
        assert_eq!(plan_mx(&DnsAnswer::ServFail), []);
    }

    // Issue 5's mock zone, one test per scenario.
    #[test]
    fn scenario_good_domain_is_protected() {
        let c = check(&base());
        assert_eq!(c.verdict, Verdict::Protected, "{:?}", codes(&c));
    }

    #[test]
    fn findings_come_in_the_order_they_break_mail() {
        let mut a = base();
        a.tlsrpt_txt = recs(&[&["v=TLSRPTv1; rua=tlsrpt@example.com"]]);
        a.mx = DnsAnswer::Records {
            records: vec![(10, "mx1.example.com".into()), (20, "mx.elsewhere.net".into())],
            authenticated: false,
            cnames: vec![],
        };
        let c = check(&a);
        let first = |c: &Check| c.findings.iter().map(|l| l.finding.code.area()).next();
        assert_eq!(first(&c), Some(Area::Mx), "under enforce, refused mail first: {:?}", codes(&c));
        assert!(codes(&c).iter().any(|c| c.starts_with("tlsrpt-txt/")), "{:?}", codes(&c));
        a.policy = ok_policy(&GOOD_POLICY.replace("enforce", "testing").replace("max_age: 604800", "max_age: x"));
        let c = check(&a);
        let areas: Vec<Area> = c
            .findings
            .iter()
            .filter(|l| l.finding.severity() == Severity::Error)
            .map(|l| l.finding.code.area())
            .collect();
        let policy = areas.iter().position(|a| *a == Area::Policy).unwrap();
        let mx = areas.iter().position(|a| *a == Area::Mx).unwrap();
        let rpt = areas.iter().position(|a| *a == Area::TlsRptRecord).unwrap();
        assert!(policy < mx && mx < rpt, "under testing: ignored policy, then coverage, then reports: {areas:?}");
    }

    #[test]
    fn scenario_testing_mode() {
        let mut a = base();
        a.policy = ok_policy(&GOOD_POLICY.replace("enforce", "testing"));
        assert_eq!(check(&a).verdict, Verdict::Testing);
    }

    #[test]
    fn scenario_no_record_is_none_and_a_near_miss_is_broken() {
        let mut a = base();
        a.sts_txt = DnsAnswer::NxDomain;
        assert_eq!(check(&a).verdict, Verdict::None);
        let mut a = base();
        a.sts_txt = recs(&[&["v=stsv1; id=1"]]);
        assert_eq!(check(&a).verdict, Verdict::Broken, "a near miss is broken, not absent");
    }

    #[test]
    fn scenario_two_records_are_broken() {
        let mut a = base();
        a.sts_txt = recs(&[&["v=STSv1; id=1"], &["v=STSv1; id=2"]]);
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Broken);
        assert!(codes(&c).contains(&"sts-txt/multiple-records"));
        // One finding quoting both records, not one per record (issue 15).
        let multiple: Vec<_> = c.findings.iter().filter(|l| l.finding.code == Code::StsTxtMultipleRecords).collect();
        assert_eq!(multiple.len(), 1);
        assert!(multiple[0].finding.detail.starts_with("2 records qualify: \""), "{}", multiple[0].finding.detail);
    }

    #[test]
    fn scenario_strings_join_without_spaces() {
        let mut a = base();
        a.sts_txt = recs(&[&["v=STSv1; ", "id=2024"]]);
        let c = check(&a);
        assert_eq!(c.sts.as_ref().and_then(|r| r.id.as_deref()), Some("2024"), "strings joined without spaces");
    }

    #[test]
    fn scenario_redirect_is_broken() {
        let mut a = base();
        a.policy = PolicyFetch::Response {
            status: 301,
            content_type: None,
            location: Some("https://www.example.com/".into()),
            body: vec![],
        };
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Broken);
        assert!(codes(&c).contains(&"sts-fetch/redirect"));
    }

    #[test]
    fn scenario_opaque_is_unverified() {
        let mut a = base();
        a.policy = PolicyFetch::Opaque;
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Undecided(Undecided::Unverified));
        assert!(codes(&c).contains(&"sts-fetch/not-verifiable"));
    }

    #[test]
    fn scenario_unreachable_policy_host() {
        let mut a = base();
        a.policy = PolicyFetch::Unreachable("TypeError: Failed to fetch".into());
        assert!(codes(&check(&a)).contains(&"sts-fetch/unreachable"));
    }

    #[test]
    fn scenario_wrong_content_type() {
        let mut a = base();
        a.policy = PolicyFetch::Response {
            status: 200,
            content_type: Some("text/html".into()),
            location: None,
            body: GOOD_POLICY.into(),
        };
        assert!(codes(&check(&a)).contains(&"sts-fetch/content-type"));
    }

    #[test]
    fn scenario_status_404() {
        let mut a = base();
        a.policy = PolicyFetch::Response {
            status: 404,
            content_type: Some("text/html".into()),
            location: None,
            body: b"<html>Not found</html>".to_vec(),
        };
        assert!(codes(&check(&a)).contains(&"sts-fetch/status"));
    }

    #[test]
    fn scenario_uncovered_mx_is_broken() {
        let mut a = base();
        a.mx = DnsAnswer::Records {
            records: vec![(10, "mx9.other.example".into())],
            authenticated: false,
            cnames: vec![],
        };
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Broken);
        assert!(codes(&c).contains(&"mx/not-covered"));
        // The headline counts exactly and names the hosts (issue 15).
        assert_eq!(
            c.reason,
            "The policy enforces, but none of the 1 MX host is covered (mx9.other.example): senders refuse to deliver there."
        );
        a.mx = DnsAnswer::Records {
            records: vec![
                (10, "mx9.other.example".into()),
                (20, "mx8.other.example".into()),
                (5, "mx1.example.com".into()),
            ],
            authenticated: false,
            cnames: vec![],
        };
        let c = check(&a);
        assert!(
            c.reason.contains("2 of the 3 MX hosts are not covered (mx9.other.example, mx8.other.example)"),
            "{}",
            c.reason
        );
    }

    #[test]
    fn scenario_wildcard_matches_one_label() {
        let mut a = base();
        a.mx = DnsAnswer::Records {
            records: vec![(10, "a.b.mail.example.com".into())],
            authenticated: false,
            cnames: vec![],
        };
        let c = check(&a);
        assert!(c
            .findings
            .iter()
            .any(|l| l.finding.code == Code::MxNotCovered && l.finding.detail.contains("exactly one label")));
    }

    #[test]
    fn scenario_null_mx() {
        let mut a = base();
        a.mx = DnsAnswer::Records { records: vec![(0, ".".into())], authenticated: false, cnames: vec![] };
        assert!(codes(&check(&a)).contains(&"mx/null-mx"));
    }

    #[test]
    fn scenario_dane_and_sts() {
        let mut a = base();
        a.tlsa = vec![(
            "mx1.example.com".into(),
            DnsAnswer::Records {
                records: vec![Tlsa { usage: 3, selector: 1, matching: 1, data: vec![0; 32] }],
                authenticated: true,
                cnames: vec![],
            },
        )];
        assert!(codes(&check(&a)).contains(&"dane/and-sts"));
    }

    #[test]
    fn scenario_servfail_is_broken() {
        let mut a = base();
        a.sts_txt = DnsAnswer::ServFail;
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Broken);
        assert!(codes(&c).contains(&"dns/servfail"));
    }

    #[test]
    fn without_a_record_the_fetch_is_not_judged() {
        let mut a = base();
        a.sts_txt = DnsAnswer::NxDomain;
        a.policy = PolicyFetch::Response {
            status: 404,
            content_type: Some("text/html".into()),
            location: None,
            body: b"<h1>Not found</h1>".to_vec(),
        };
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::None);
        assert!(!codes(&c).iter().any(|c| c.starts_with("sts-fetch")), "{:?}", codes(&c));
        a.policy = PolicyFetch::Opaque;
        assert!(!codes(&check(&a)).contains(&"sts-fetch/not-verifiable"));

        a.mx = DnsAnswer::Records { records: vec![(0, ".".into())], authenticated: false, cnames: vec![] };
        let c = check(&a);
        assert!(codes(&c).contains(&"mx/null-mx"));
        assert!(c.reason.contains("null MX"), "{}", c.reason);
    }

    #[test]
    fn dns_outcomes_each_have_a_finding() {
        let mut a = base();
        a.sts_txt = DnsAnswer::Records {
            records: vec![vec![b"v=STSv1; id=7".to_vec()]],
            authenticated: true,
            cnames: vec!["_mta-sts.provider.example".into()],
        };
        a.tlsrpt_txt = DnsAnswer::Records { records: vec![], authenticated: false, cnames: vec![] };
        a.policy_host = DnsAnswer::Timeout;
        let c = check(&a);
        let cs = codes(&c);
        assert!(cs.contains(&"dns/cname") && cs.contains(&"dns/nodata") && cs.contains(&"dns/timeout"), "{cs:?}");
        assert!(c.findings.iter().any(|l| l.finding.code == Code::DnsCname && l.finding.detail.contains("provider")));

        let mut a = base();
        a.mx = DnsAnswer::NxDomain;
        a.sts_txt = DnsAnswer::NxDomain;
        a.tlsrpt_txt = DnsAnswer::NxDomain;
        a.policy_host = DnsAnswer::NxDomain;
        a.policy = PolicyFetch::Unreachable("no such host".into());
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::None);
        assert!(c.reason.contains("does not exist"));
        // One finding for a domain that does not exist, not one per name under it (issue 15).
        assert_eq!(codes(&c), ["dns/no-domain"]);

        let mut a = base();
        a.mx = DnsAnswer::Failed("NetworkError when attempting to fetch resource".into());
        assert!(codes(&check(&a)).contains(&"dns/failed"));
        a.sts_txt = DnsAnswer::Timeout;
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Undecided(Undecided::NoAnswer), "no answer is not a broken domain");
        assert!(c.reason.contains("no answer"));
    }

    #[test]
    fn a_second_resolver_that_disagrees_is_flagged() {
        let mut a = base();
        a.second = Some(Second {
            resolver: "dns.google".into(),
            sts_txt: recs(&[&["v=STSv1; id=20231231"]]),
            tlsrpt_txt: recs(&[&["v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]]),
        });
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Protected, "the second opinion informs, it does not decide");
        let d: Vec<_> = c.findings.iter().filter(|l| l.finding.code == Code::DnsResolversDisagree).collect();
        assert_eq!(d.len(), 1, "{:?}", codes(&c));
        assert!(d[0].origin.starts_with("_mta-sts.") && d[0].finding.detail.contains("id=20231231"));

        // The same records in another order, or split into other strings, agree.
        let mut a = base();
        a.sts_txt = recs(&[&["v=STSv1; id=1"], &["unrelated"]]);
        a.second = Some(Second {
            resolver: "b".into(),
            sts_txt: recs(&[&["unrelated"], &["v=STSv1; ", "id=1"]]),
            tlsrpt_txt: a.tlsrpt_txt.clone(),
        });
        assert!(!codes(&check(&a)).contains(&"dns/resolvers-disagree"));

        // A failing second resolver is reported, not compared.
        let mut a = base();
        a.second = Some(Second { resolver: "b".into(), sts_txt: DnsAnswer::ServFail, tlsrpt_txt: DnsAnswer::NxDomain });
        let c = check(&a);
        assert!(c.findings.iter().any(|l| l.finding.code == Code::DnsServfail && l.origin.ends_with("via b")));
        assert!(c
            .findings
            .iter()
            .any(|l| l.finding.code == Code::DnsResolversDisagree && l.origin.starts_with("_smtp._tls")));
        assert_eq!(c.verdict, Verdict::Protected);
    }

    #[test]
    fn dane_and_sts_disagreement() {
        let tlsa = |ad| DnsAnswer::Records {
            records: vec![Tlsa { usage: 3, selector: 1, matching: 1, data: vec![1; 32] }],
            authenticated: ad,
            cnames: vec![],
        };
        let mut a = base();
        a.mx = DnsAnswer::Records {
            records: vec![(10, "mx1.example.com".into()), (20, "backup.other.example".into())],
            authenticated: true,
            cnames: vec![],
        };
        a.tlsa = vec![("backup.other.example".into(), tlsa(true))];
        let cs = codes(&check(&a));
        assert!(cs.contains(&"dane/sts-disagree") && cs.contains(&"dane/partial"), "{cs:?}");
        a.tlsa = vec![("backup.other.example".into(), tlsa(false))];
        let cs = codes(&check(&a));
        assert!(!cs.contains(&"dane/sts-disagree") && cs.contains(&"dane/not-authenticated"), "{cs:?}");
    }

    #[test]
    fn a_pasted_policy_completes_an_opaque_check() {
        let mut a = base();
        a.policy = PolicyFetch::pasted(GOOD_POLICY);
        assert_eq!(a.policy, PolicyFetch::Pasted(GOOD_POLICY.as_bytes().to_vec()));
        assert_eq!(check(&a).verdict, Verdict::Protected);

        a.policy = PolicyFetch::pasted(&format!("HTTP/2 200\r\ncontent-type: text/plain\r\n\r\n{GOOD_POLICY}"));
        assert!(matches!(a.policy, PolicyFetch::Captured(_)));
        assert_eq!(check(&a).verdict, Verdict::Protected);

        a.policy = PolicyFetch::pasted(&format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{GOOD_POLICY}"));
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Broken);
        assert!(codes(&c).contains(&"sts-fetch/content-type"));

        a.policy = PolicyFetch::Redirect;
        let c = check(&a);
        assert_eq!(c.verdict, Verdict::Broken);
        assert!(codes(&c).contains(&"sts-fetch/redirect"));
        assert_eq!(normalize_domain(" postmaster@Example.COM. ").as_deref(), Ok("example.com"));
        assert_eq!(normalize_domain("https://Bücher.example/x?y").as_deref(), Ok("xn--bcher-kva.example"));
        assert!(normalize_domain("").is_err());
        assert!(normalize_domain("localhost").unwrap_err().contains("single label"));
        assert!(normalize_domain("exa mple.com").unwrap_err().contains("not a domain"));
        assert_eq!(
            curl_command("Example.com."),
            "curl -sS -D - --max-redirs 0 https://mta-sts.Example.com/.well-known/mta-sts.txt"
        );
    }
}
