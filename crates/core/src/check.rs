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

use std::net::IpAddr;

use crate::code::Code;
use crate::finding::{Finding, Located, Severity, Span};
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
    hosts.sort();
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
}

impl Verdict {
    /// Stable id for `data-verdict`.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Protected => "protected",
            Verdict::Testing => "testing",
            Verdict::Broken => "broken",
            Verdict::None => "none",
        }
    }
}

/// The result of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The verdict, when it can be told: not while the policy is unreadable from here, nor
    /// when the `_mta-sts` lookup got no answer at all.
    pub verdict: Option<Verdict>,
    /// One sentence saying why.
    pub reason: String,
    /// The usable `_mta-sts` record.
    pub sts: Option<StsRecord>,
    /// The usable `_smtp._tls` record.
    pub tlsrpt: Option<TlsRptRecord>,
    /// The policy, when it could be read.
    pub policy: Option<StsPolicy>,
    /// What the fetch said, when readable.
    pub fetch: Option<FetchResult>,
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
            v.sort();
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

/// Turns the answers of a check of `domain` into findings and a verdict.
pub fn evaluate(domain: &str, a: &Answers) -> Check {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut findings: Vec<Located> = Vec::new();
    let at = |name: String, fs: Vec<Finding>| fs.into_iter().map(move |f| Located { origin: name.clone(), finding: f });

    // _mta-sts
    let sts_name = format!("_mta-sts.{d} TXT");
    note_answer(&a.sts_txt, &sts_name, Code::DnsNxdomain, &mut findings);
    let sts = if dns_problem(&a.sts_txt, &sts_name, &mut findings) {
        None
    } else {
        let p = sts_txt::parse_records(&texts(a.sts_txt.records()));
        findings.extend(at(sts_name.clone(), p.findings));
        p.value
    };
    // _smtp._tls
    let rpt_name = format!("_smtp._tls.{d} TXT");
    note_answer(&a.tlsrpt_txt, &rpt_name, Code::DnsNxdomain, &mut findings);
    let tlsrpt = if dns_problem(&a.tlsrpt_txt, &rpt_name, &mut findings) {
        None
    } else {
        let p = rpt_txt::parse_records(&texts(a.tlsrpt_txt.records()));
        findings.extend(at(rpt_name.clone(), p.findings));
        p.value
    };
    // Policy host and policy.
    let host_name = format!("mta-sts.{d}");
    let host_about = format!("{host_name} A/AAAA");
    note_answer(&a.policy_host, &host_about, Code::DnsNxdomain, &mut findings);
    if !dns_problem(&a.policy_host, &host_about, &mut findings) && a.policy_host.records().is_empty() && sts.is_some() {
        findings.push(Located {
            origin: host_about,
            finding: Finding::new(Code::StsHostNoAddress, Span::at(0), host_name.clone()),
        });
    }
    let url = policy_url(&d);
    // Without a usable record senders never fetch the policy, so what the fetch gave is not
    // reported; a policy the user pasted is still checked.
    let fetched = !matches!(a.policy, PolicyFetch::Pasted(_) | PolicyFetch::Captured(_));
    let (policy, fetch, policy_readable) = match &a.policy {
        _ if sts.is_none() && fetched => (None, None, true),
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
            findings
                .extend(at(url.clone(), p.findings.into_iter().map(|f| Finding { span: Span::at(0), ..f }).collect()));
            (p.value.policy.clone(), Some(p.value), true)
        }
        PolicyFetch::Captured(text) => {
            let p = crate::mta_sts::fetch::parse(text);
            findings.extend(at(format!("{url} (pasted curl output)"), p.findings));
            (p.value.policy.clone(), Some(p.value), true)
        }
        PolicyFetch::Redirect => {
            findings.push(Located {
                origin: url.clone(),
                finding: Finding::new(
                    Code::FetchRedirect,
                    Span::at(0),
                    "the browser saw a redirect (pages are not shown its status or target)",
                ),
            });
            (None, None, true)
        }
        PolicyFetch::Pasted(body) => {
            let p = policy::parse(body);
            findings.extend(at(format!("{url} (pasted)"), p.findings));
            (Some(p.value), None, true)
        }
        PolicyFetch::Opaque => {
            findings.push(Located {
                origin: url.clone(),
                finding: Finding::new(Code::FetchNotVerifiable, Span::at(0), ""),
            });
            (None, None, false)
        }
        PolicyFetch::Unreachable(why) => {
            if sts.is_some() {
                findings.push(Located {
                    origin: url.clone(),
                    finding: Finding::new(Code::FetchUnreachable, Span::at(0), why.clone()),
                });
            }
            (None, None, true)
        }
    };
    // MX and coverage.
    let mx_name = format!("{d} MX");
    note_answer(&a.mx, &mx_name, Code::DnsNoDomain, &mut findings);
    let mx_ok = !dns_problem(&a.mx, &mx_name, &mut findings);
    let hosts: Vec<(Option<u16>, String)> = a.mx.records().iter().map(|(p, h)| (Some(*p), h.clone())).collect();
    let cov = match (&policy, mx_ok) {
        (Some(p), true) if p.mode != Some(Mode::None) => {
            let c = coverage(&p.mx, &hosts, Some(&d));
            findings.extend(at(mx_name.clone(), c.findings));
            Some(c.value)
        }
        _ => None,
    };
    if cov.is_none() && a.mx.records().iter().any(|(_, h)| h == ".") {
        findings.push(Located {
            origin: mx_name.clone(),
            finding: Finding::new(Code::MxNullMx, Span::at(0), String::new()),
        });
    }
    for (host, t) in &a.tlsa {
        if !dns_problem(t, &format!("_25._tcp.{host} TLSA"), &mut findings) {
            tlsa_sanity(host, t, &mut findings);
        }
    }
    dane_against_sts(a, policy.as_ref(), cov.as_ref(), &mut findings);

    let errors = |prefix: &str| {
        findings.iter().any(|l| l.finding.severity() == Severity::Error && l.finding.code.id().starts_with(prefix))
    };
    // "No record" alone means not deployed; a near miss (v=stsv1, two records) is broken.
    let only_absent = findings
        .iter()
        .filter(|l| l.finding.severity() == Severity::Error && l.finding.code.id().starts_with("sts-txt"))
        .all(|l| l.finding.code == Code::StsTxtNoRecord);
    let null_mx = a.mx.records().iter().any(|(_, h)| h == ".");
    let (verdict, reason) = if a.mx == DnsAnswer::NxDomain {
        (Some(Verdict::None), format!("{d} does not exist in DNS."))
    } else if matches!(a.sts_txt, DnsAnswer::Timeout | DnsAnswer::Failed(_)) {
        (
            None,
            "The _mta-sts lookup got no answer, so nothing can be said yet: check the resolver setting and try again."
                .to_string(),
        )
    } else if null_mx && sts.is_none() {
        (Some(Verdict::None), format!("{d} publishes a null MX: it accepts no mail, so there is nothing to protect."))
    } else if sts.is_none() && only_absent && !errors("dns") {
        (Some(Verdict::None), "No MTA-STS record: senders deliver without requiring TLS.".to_string())
    } else if sts.is_none() {
        (Some(Verdict::Broken), "The _mta-sts record is not usable, so senders see no policy.".to_string())
    } else if !policy_readable {
        (None, "The record is fine; the policy cannot be read from the browser. Paste it, or the curl output, to finish the check.".to_string())
    } else if errors("sts-fetch") || errors("sts-policy") || errors("sts-host") || policy.is_none() {
        (Some(Verdict::Broken), "The record announces a policy that senders cannot fetch or use.".to_string())
    } else {
        match policy.as_ref().and_then(|p| p.mode) {
            Some(Mode::None) => {
                (Some(Verdict::None), "The policy's mode is none: MTA-STS is switched off.".to_string())
            }
            Some(Mode::Testing) => (
                Some(Verdict::Testing),
                "The policy is in testing mode: failures are reported, mail is not yet protected.".to_string(),
            ),
            Some(Mode::Enforce) if errors("mx") => (
                Some(Verdict::Broken),
                "The policy enforces, but not every MX host is covered: mail to those hosts is refused.".to_string(),
            ),
            Some(Mode::Enforce) => (Some(Verdict::Protected), "The policy enforces TLS to every MX host.".to_string()),
            None => (Some(Verdict::Broken), "The policy has no valid mode.".to_string()),
        }
    };
    // The second resolver comes last: it informs, it does not change the verdict.
    if let Some(second) = &a.second {
        for (name, mine, theirs) in [
            (&sts_name, &a.sts_txt, &second.sts_txt),
            (&format!("_smtp._tls.{d} TXT"), &a.tlsrpt_txt, &second.tlsrpt_txt),
        ] {
            let about = format!("{name} via {}", second.resolver);
            if dns_problem(theirs, &about, &mut findings) {
                continue;
            }
            if let (Some(x), Some(y)) = (txt_shape(mine), txt_shape(theirs)) {
                if x != y {
                    findings.push(Located {
                        origin: name.clone(),
                        finding: Finding::new(
                            Code::DnsResolversDisagree,
                            Span::at(0),
                            format!("first resolver: {}; {}: {}", describe(&x), second.resolver, describe(&y)),
                        ),
                    });
                }
            }
        }
    }
    Check { verdict, reason, sts, tlsrpt, policy, fetch, coverage: cov, findings }
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

    /// The scenarios the domain-check page must get right (issue 5's mock zone).
    #[test]
    fn scenarios() {
        let c = check(&base());
        assert_eq!(c.verdict, Some(Verdict::Protected), "{:?}", codes(&c));

        let mut a = base();
        a.policy = ok_policy(&GOOD_POLICY.replace("enforce", "testing"));
        assert_eq!(check(&a).verdict, Some(Verdict::Testing));

        let mut a = base();
        a.sts_txt = DnsAnswer::NxDomain;
        assert_eq!(check(&a).verdict, Some(Verdict::None));
        let mut a = base();
        a.sts_txt = recs(&[&["v=stsv1; id=1"]]);
        assert_eq!(check(&a).verdict, Some(Verdict::Broken), "a near miss is broken, not absent");

        let mut a = base();
        a.sts_txt = recs(&[&["v=STSv1; id=1"], &["v=STSv1; id=2"]]);
        let c = check(&a);
        assert_eq!(c.verdict, Some(Verdict::Broken));
        assert!(codes(&c).contains(&"sts-txt/multiple-records"));

        let mut a = base();
        a.sts_txt = recs(&[&["v=STSv1; ", "id=2024"]]);
        let c = check(&a);
        assert_eq!(c.sts.as_ref().and_then(|r| r.id.as_deref()), Some("2024"), "strings joined without spaces");

        let mut a = base();
        a.policy = PolicyFetch::Response {
            status: 301,
            content_type: None,
            location: Some("https://www.example.com/".into()),
            body: vec![],
        };
        let c = check(&a);
        assert_eq!(c.verdict, Some(Verdict::Broken));
        assert!(codes(&c).contains(&"sts-fetch/redirect"));

        let mut a = base();
        a.policy = PolicyFetch::Opaque;
        let c = check(&a);
        assert_eq!(c.verdict, None);
        assert!(codes(&c).contains(&"sts-fetch/not-verifiable"));

        let mut a = base();
        a.policy = PolicyFetch::Unreachable("TypeError: Failed to fetch".into());
        assert!(codes(&check(&a)).contains(&"sts-fetch/unreachable"));

        let mut a = base();
        a.policy = PolicyFetch::Response {
            status: 200,
            content_type: Some("text/html".into()),
            location: None,
            body: GOOD_POLICY.into(),
        };
        assert!(codes(&check(&a)).contains(&"sts-fetch/content-type"));

        let mut a = base();
        a.policy = PolicyFetch::Response {
            status: 404,
            content_type: Some("text/html".into()),
            location: None,
            body: b"<html>Not found</html>".to_vec(),
        };
        assert!(codes(&check(&a)).contains(&"sts-fetch/status"));

        let mut a = base();
        a.mx = DnsAnswer::Records {
            records: vec![(10, "mx9.other.example".into())],
            authenticated: false,
            cnames: vec![],
        };
        let c = check(&a);
        assert_eq!(c.verdict, Some(Verdict::Broken));
        assert!(codes(&c).contains(&"mx/not-covered"));

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

        let mut a = base();
        a.mx = DnsAnswer::Records { records: vec![(0, ".".into())], authenticated: false, cnames: vec![] };
        assert!(codes(&check(&a)).contains(&"mx/null-mx"));

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

        let mut a = base();
        a.sts_txt = DnsAnswer::ServFail;
        let c = check(&a);
        assert_eq!(c.verdict, Some(Verdict::Broken));
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
        assert_eq!(c.verdict, Some(Verdict::None));
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
        assert_eq!(c.verdict, Some(Verdict::None));
        assert!(c.reason.contains("does not exist"));
        let cs = codes(&c);
        assert!(cs.contains(&"dns/no-domain") && cs.contains(&"dns/nxdomain"), "{cs:?}");

        let mut a = base();
        a.mx = DnsAnswer::Failed("NetworkError when attempting to fetch resource".into());
        assert!(codes(&check(&a)).contains(&"dns/failed"));
        a.sts_txt = DnsAnswer::Timeout;
        let c = check(&a);
        assert_eq!(c.verdict, None, "no answer is not a broken domain");
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
        assert_eq!(c.verdict, Some(Verdict::Protected), "the second opinion informs, it does not decide");
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
        assert_eq!(c.verdict, Some(Verdict::Protected));
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
        assert_eq!(check(&a).verdict, Some(Verdict::Protected));

        a.policy = PolicyFetch::pasted(&format!("HTTP/2 200\r\ncontent-type: text/plain\r\n\r\n{GOOD_POLICY}"));
        assert!(matches!(a.policy, PolicyFetch::Captured(_)));
        assert_eq!(check(&a).verdict, Some(Verdict::Protected));

        a.policy = PolicyFetch::pasted(&format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{GOOD_POLICY}"));
        let c = check(&a);
        assert_eq!(c.verdict, Some(Verdict::Broken));
        assert!(codes(&c).contains(&"sts-fetch/content-type"));

        a.policy = PolicyFetch::Redirect;
        let c = check(&a);
        assert_eq!(c.verdict, Some(Verdict::Broken));
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
