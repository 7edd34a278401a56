//! Deploy: a correct MTA-STS + TLS-RPT setup generated from a domain and its MX hosts, and
//! the dated steps of every change to it. The rules that make the usual mistakes impossible
//! live here, so the web page's Deploy tab and `mtasts init` / `mtasts plan` cannot differ:
//!
//! - mx patterns (RFC 8461 §4.1): exact hosts; a wildcard only when the user accepts one that
//!   covers two or more MX hosts under one parent (never a pattern that covers no MX, never
//!   more than one label);
//! - the policy (RFC 8461 §3.2): `version` first, CRLF line ends (or LF on request), the
//!   `max_age` the mode calls for;
//! - `_mta-sts` (RFC 8461 §3.1): `v=STSv1; id=` a new id made of the date and time (UTC,
//!   14 digits, never the id already published);
//! - `_smtp._tls` (RFC 8460 §3): `rua=` with ",", "!" and ";" in a URI percent-encoded;
//! - changes (RFC 8461 §8.3 for removal): the policy first, then the id; MX moves wait out
//!   the longest cached `max_age`.
//!
//! Everything generated is put through this crate's own parsers before it is returned: a
//! setup that would not lint clean is an error here, not a surprise later. No clock: `now`
//! is a parameter (Unix seconds).

use crate::order;
use serde::Serialize;

use crate::finding::Severity;
use crate::mta_sts::mx::{normalize_host, MxPattern};
use crate::mta_sts::policy::{self, human_duration, Mode, MAX_AGE_LIMIT, ONE_WEEK};

/// `max_age` while testing: one day, so a mistake is forgotten by senders the next day.
pub const TESTING_MAX_AGE: u64 = 86_400;
/// `max_age` when enforce starts: one week, the shortest that does not weaken protection.
pub const ENFORCE_MAX_AGE: u64 = ONE_WEEK;
/// `max_age` once enforce has run cleanly: four weeks.
pub const LONG_MAX_AGE: u64 = 4 * ONE_WEEK;
/// How long to read reports before enforcing: a week (senders report once a day).
pub const REPORT_WEEK: u64 = ONE_WEEK;
/// A day: what an MX record's TTL rarely exceeds, waited after an MX change.
const DAY: u64 = 86_400;

/// How the policy file ends its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    /// CRLF, as RFC 8461 §3.2's ABNF writes it.
    Crlf,
    /// LF, which every sender we know reads too.
    Lf,
}

impl LineEnding {
    fn as_str(self) -> &'static str {
        match self {
            LineEnding::Crlf => "\r\n",
            LineEnding::Lf => "\n",
        }
    }
}

/// One mx pattern of a proposal and why it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternChoice {
    /// The pattern as it goes in the policy.
    pub pattern: String,
    /// The MX hosts it covers (never none).
    pub covers: Vec<String>,
    /// Why this pattern.
    pub why: String,
}

/// A one-label wildcard the user may accept instead of listing hosts one by one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WildcardOffer {
    /// `*.parent`.
    pub pattern: String,
    /// The MX hosts directly under the parent (two or more).
    pub covers: Vec<String>,
    /// What accepting it means.
    pub why: String,
}

/// MX hosts as typed or as DNS gave them ("10 mx.example.com.", "mx.example.com"), made
/// ready for patterns: normalised, deduplicated, in the order given. An empty list, a null
/// MX (".") or an invalid name is an error naming it.
pub fn mx_hosts<S: AsRef<str>>(input: &[S]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for raw in input {
        let raw = raw.as_ref().trim();
        // "10 mx.example.com." as dig prints it, or "10:mx.example.com".
        let host = match raw.split_once([' ', ':', '\t']) {
            Some((pref, rest)) if pref.bytes().all(|b| b.is_ascii_digit()) && !pref.is_empty() => rest.trim(),
            _ => raw,
        };
        if host.is_empty() {
            continue;
        }
        if host == "." {
            return Err("\".\" is a null MX (RFC 7505): the domain receives no mail, so it needs no MTA-STS".into());
        }
        let h = normalize_host(host).map_err(|e| format!("MX host {e}"))?;
        if !h.contains('.') {
            return Err(format!("MX host \"{host}\" is a single label; give the full name"));
        }
        if !out.contains(&h) {
            out.push(h);
        }
    }
    if out.is_empty() {
        return Err("no MX host: give at least one (the hosts that receive the domain's mail)".into());
    }
    Ok(out)
}

/// The one-label wildcards worth offering: a parent with two or more of the MX hosts
/// directly under it, and itself at least two labels (never `*.com`).
pub fn wildcard_offers(hosts: &[String]) -> Vec<WildcardOffer> {
    let mut parents: Vec<(String, Vec<String>)> = Vec::new();
    for h in hosts {
        let Some((_, parent)) = h.split_once('.') else { continue };
        if !parent.contains('.') {
            continue;
        }
        match parents.iter_mut().find(|(p, _)| p == parent) {
            Some((_, v)) => v.push(h.clone()),
            None => parents.push((parent.to_string(), vec![h.clone()])),
        }
    }
    parents
        .into_iter()
        .filter(|(_, v)| v.len() >= 2)
        .map(|(parent, covers)| WildcardOffer {
            why: format!(
                "\"*.{parent}\" covers the {} MX hosts under {parent} in one line, and any host added there later; \
                 it also accepts a certificate-valid server under {parent} that is not yours: accept it only if \
                 you (or your mail provider) control every name under {parent}",
                covers.len()
            ),
            pattern: format!("*.{parent}"),
            covers,
        })
        .collect()
}

/// The patterns for `hosts`: each accepted wildcard (it must be one of
/// [`wildcard_offers`]) for the hosts under it, every other host exactly.
pub fn choose_patterns(hosts: &[String], accepted: &[String]) -> Result<Vec<PatternChoice>, String> {
    let offers = wildcard_offers(hosts);
    let mut out: Vec<PatternChoice> = Vec::new();
    for a in accepted {
        let a = a.trim().to_ascii_lowercase();
        let Some(offer) = offers.iter().find(|o| o.pattern == a) else {
            return Err(if a.matches('*').count() > 1 || a.strip_prefix("*.").is_some_and(|r| r.contains('*')) {
                format!("\"{a}\": a wildcard stands for exactly one label (RFC 8461 §4.1)")
            } else {
                format!("\"{a}\" is not a wildcard over two or more of the MX hosts; list the hosts instead")
            });
        };
        if !out.iter().any(|c| c.pattern == offer.pattern) {
            out.push(PatternChoice {
                pattern: offer.pattern.clone(),
                covers: offer.covers.clone(),
                why: format!("accepted wildcard: one label under {}", &offer.pattern[2..]),
            });
        }
    }
    for h in hosts {
        if out.iter().any(|c| c.covers.contains(h)) {
            continue;
        }
        out.push(PatternChoice {
            pattern: h.clone(),
            covers: vec![h.clone()],
            why: "exact host: covers this MX and nothing else".to_string(),
        });
    }
    Ok(out)
}

/// A report address as typed ("tls@example.com", "mailto:…", "https://…") → the URI for
/// `rua=`, with the characters RFC 8460 §3 says MUST be encoded (",", "!", ";") and any
/// space or non-ASCII byte percent-encoded. Checked with the TLS-RPT record parser.
pub fn rua_uri(input: &str) -> Result<String, String> {
    let t = input.trim();
    if t.is_empty() {
        return Err("empty report address".into());
    }
    let lower = t.to_ascii_lowercase();
    let uri = if lower.starts_with("mailto:") || lower.starts_with("https:") {
        t.to_string()
    } else if lower.starts_with("http:") {
        return Err(format!("\"{t}\": reports are posted over https only (RFC 8460 §3)"));
    } else if t.contains('@') && !t.contains(':') {
        format!("mailto:{t}")
    } else {
        return Err(format!("\"{t}\" is neither an e-mail address nor a mailto: or https: URI"));
    };
    let mut encoded = String::with_capacity(uri.len());
    for b in uri.bytes() {
        if matches!(b, b',' | b'!' | b';') || !b.is_ascii_graphic() {
            encoded.push_str(&format!("%{b:02X}"));
        } else {
            encoded.push(char::from(b));
        }
    }
    let record = format!("v=TLSRPTv1; rua={encoded}");
    let parsed = crate::tls_rpt::txt::parse(&record);
    if let Some(f) = parsed.findings.iter().find(|f| f.severity() >= Severity::Warning) {
        return Err(format!("\"{t}\": {}", f.message()));
    }
    Ok(encoded)
}

/// A new policy id from the date and time: `YYYYMMDDhhmmss` (UTC), 14 digits, within
/// RFC 8461 §3.1's 1–32 alphanumerics; a letter is added when `previous` (the id published
/// now) is the same, since only a different id makes senders fetch again.
pub fn new_id(now: i64, previous: Option<&str>) -> String {
    let id: String = rfc3339(now).chars().filter(char::is_ascii_digit).collect();
    match previous {
        Some(p) if p.starts_with(&id) => {
            let next = (b'a'..=b'z').map(char::from).find(|c| format!("{id}{c}") != p).unwrap_or('z');
            format!("{id}{next}")
        }
        _ => id,
    }
}

/// Unix seconds as RFC 3339 UTC ("2026-12-01T22:00:00Z").
pub fn rfc3339(unix: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Where `mta-sts.<domain>` points: the web server that serves the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebTarget {
    /// An alias of a hosting provider's name (CNAME).
    Alias(String),
    /// The server's addresses (A / AAAA).
    Addresses(Vec<std::net::IpAddr>),
    /// Not known yet: the zone lines say what to add.
    Unknown,
}

impl WebTarget {
    /// A host name (CNAME) or IP addresses separated by commas or spaces; empty is unknown.
    pub fn parse(input: &str) -> Result<WebTarget, String> {
        let parts: Vec<&str> = input.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).collect();
        if parts.is_empty() {
            return Ok(WebTarget::Unknown);
        }
        let ips: Vec<std::net::IpAddr> = parts.iter().filter_map(|p| p.parse().ok()).collect();
        if ips.len() == parts.len() {
            return Ok(WebTarget::Addresses(ips));
        }
        match parts.as_slice() {
            [one] => normalize_host(one).map(WebTarget::Alias).map_err(|e| format!("web host {e}")),
            _ => Err(format!("\"{}\": give one host name (an alias) or IP addresses", input.trim())),
        }
    }
}

/// One DNS record to publish (or delete).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Owner name, fully qualified, without the final dot.
    pub name: String,
    /// TXT, MX, CNAME, A, AAAA.
    #[serde(rename = "type")]
    pub rtype: String,
    /// The value as a DNS console wants it (TXT without quotes).
    pub value: String,
    /// Suggested TTL, seconds.
    pub ttl: u32,
    /// "set", or "delete" in a removal step.
    pub action: &'static str,
}

impl Record {
    fn new(name: &str, rtype: &str, value: String, ttl: u32) -> Record {
        Record { name: name.to_string(), rtype: rtype.to_string(), value, ttl, action: "set" }
    }

    /// The record as a zone-file line; TXT values are quoted and cut into strings of at most
    /// 255 bytes (RFC 1035 §3.3.14), which senders join without spaces.
    pub fn zone_line(&self) -> String {
        let value = if self.rtype == "TXT" {
            let bytes = self.value.as_bytes();
            bytes
                .chunks(255)
                .map(|c| format!("\"{}\"", String::from_utf8_lossy(c).replace('\\', "\\\\").replace('"', "\\\"")))
                .collect::<Vec<_>>()
                .join(" ")
        } else if matches!(self.rtype.as_str(), "CNAME" | "MX") {
            format!("{}.", self.value)
        } else {
            self.value.clone()
        };
        let prefix = if self.action == "delete" { "; delete: " } else { "" };
        format!("{prefix}{}.\t{}\tIN\t{}\t{value}", self.name, self.ttl, self.rtype)
    }
}

/// A generated setup: everything a domain publishes for MTA-STS and TLS-RPT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The policy domain (A-labels).
    pub domain: String,
    /// The policy's mode.
    pub mode: Mode,
    /// The policy's `max_age`, seconds.
    pub max_age: u64,
    /// The mx patterns, in order.
    pub mx: Vec<String>,
    /// TLS-RPT report URIs, encoded (may be empty: then no `_smtp._tls` record).
    pub rua: Vec<String>,
    /// The `_mta-sts` id.
    pub id: String,
    /// Line ends of the policy file.
    pub line_ending: LineEnding,
    /// Where `mta-sts.<domain>` points.
    pub web: WebTarget,
}

/// The default `max_age` for a mode: a day while testing (or for none), a week on enforce.
pub fn default_max_age(mode: Mode) -> u64 {
    match mode {
        Mode::Enforce => ENFORCE_MAX_AGE,
        _ => TESTING_MAX_AGE,
    }
}

impl Setup {
    /// Checks the parts and puts the generated texts through the parsers: an error names
    /// what is wrong. The domain is normalised like the Check page's input.
    pub fn validate(self) -> Result<Setup, String> {
        let domain = crate::check::normalize_domain(&self.domain)?;
        let Setup { mode, max_age, ref mx, ref id, .. } = self;
        if max_age > MAX_AGE_LIMIT {
            return Err(format!("max_age {max_age} is over the RFC 8461 §3.2 maximum of {MAX_AGE_LIMIT} (a year)"));
        }
        if mode != Mode::None && mx.is_empty() {
            return Err("a testing or enforce policy needs at least one mx pattern".into());
        }
        if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("id \"{id}\": 1 to 32 letters and digits (RFC 8461 §3.1)"));
        }
        let s = Setup { domain, ..self };
        // lint_text, not lint: the web page's start module has no report reader to link.
        let text = |kind, t: String| crate::lint::lint_text(kind, t.as_bytes()).map(|l| l.findings).unwrap_or_default();
        let mut checks = vec![
            ("policy", text(crate::lint::Kind::Policy, s.policy())),
            ("_mta-sts record", text(crate::lint::Kind::StsRecord, s.sts_record())),
        ];
        if let Some(r) = s.tlsrpt_record() {
            checks.push(("_smtp._tls record", text(crate::lint::Kind::TlsRptRecord, r)));
        }
        for (what, findings) in checks {
            if let Some(f) = findings.iter().find(|f| f.severity() >= Severity::Warning) {
                return Err(format!("the generated {what} would not lint clean: {}", f.message()));
            }
        }
        Ok(s)
    }

    /// The policy file, `version` first (RFC 8461 §3.2).
    pub fn policy(&self) -> String {
        let nl = self.line_ending.as_str();
        let mut p = format!("version: STSv1{nl}mode: {}{nl}", self.mode.as_str());
        for m in &self.mx {
            p.push_str(&format!("mx: {m}{nl}"));
        }
        p.push_str(&format!("max_age: {}{nl}", self.max_age));
        p
    }

    /// The `_mta-sts` TXT value.
    pub fn sts_record(&self) -> String {
        format!("v=STSv1; id={}", self.id)
    }

    /// The `_smtp._tls` TXT value, when there is a report address.
    pub fn tlsrpt_record(&self) -> Option<String> {
        (!self.rua.is_empty()).then(|| format!("v=TLSRPTv1; rua={}", self.rua.join(",")))
    }

    /// `max_age` in words: "86400 seconds (1 day)".
    pub fn max_age_words(&self) -> String {
        format!("{} seconds ({})", self.max_age, human_duration(self.max_age))
    }

    /// Every record to publish: `_mta-sts` TXT, `_smtp._tls` TXT, and `mta-sts.<domain>`
    /// when its target is known.
    pub fn records(&self) -> Vec<Record> {
        let d = &self.domain;
        let mut r = vec![Record::new(&format!("_mta-sts.{d}"), "TXT", self.sts_record(), 300)];
        if let Some(t) = self.tlsrpt_record() {
            r.push(Record::new(&format!("_smtp._tls.{d}"), "TXT", t, 3600));
        }
        let host = format!("mta-sts.{d}");
        match &self.web {
            WebTarget::Alias(a) => r.push(Record::new(&host, "CNAME", a.clone(), 3600)),
            WebTarget::Addresses(ips) => r.extend(
                ips.iter().map(|ip| Record::new(&host, if ip.is_ipv4() { "A" } else { "AAAA" }, ip.to_string(), 3600)),
            ),
            WebTarget::Unknown => {}
        }
        r
    }

    /// Zone-file lines ready to paste, with a comment for what is not known yet.
    pub fn zone(&self) -> String {
        let mut z = format!("; MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for {}\n", self.domain);
        z.push_str("; the _mta-sts id changes with every policy change: publish the policy first, then this record\n");
        for r in self.records() {
            z.push_str(&r.zone_line());
            z.push('\n');
        }
        if self.web == WebTarget::Unknown {
            z.push_str(&format!(
                "; mta-sts.{}. must point at the web server that serves the policy: a CNAME to your host's name, or A/AAAA records\n",
                self.domain
            ));
        }
        z
    }

    /// The hosting recipes, each a complete set of files.
    pub fn recipes(&self) -> Vec<Recipe> {
        recipes::all(self)
    }
}

/// A way to serve the policy: files to install and what to switch off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipe {
    /// Stable id: static, nginx, caddy, apache, worker.
    pub id: &'static str,
    /// Title for people.
    pub title: &'static str,
    /// The files: (path relative to the output folder, contents).
    pub files: Vec<RecipeFile>,
    /// What to do and to switch off, in order.
    pub notes: Vec<String>,
}

/// One file of a recipe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipeFile {
    /// Path relative to the output folder.
    pub path: String,
    /// Contents.
    pub text: String,
}

mod recipes;

/// What is published now, as a check read it: the facts a plan's dates come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Live {
    /// MX hosts (normalised).
    pub mx: Vec<String>,
    /// The `_mta-sts` id, when a valid record is published.
    pub sts_id: Option<String>,
    /// The policy served, when it could be read.
    pub policy: Option<policy::StsPolicy>,
    /// Whether a `_mta-sts` record exists at all (even invalid, or with an unreadable
    /// policy): then senders may hold a cached policy whose `max_age` is not known.
    pub deployed: bool,
    /// The `_smtp._tls` report URIs, when a valid record is published.
    pub rua: Vec<String>,
}

impl Live {
    /// What a check read, as the facts a plan starts from (the CLI's `plan` and the Deploy
    /// page read it the same way). MX host names that are not valid host names leave `mx`
    /// empty and come back as the error beside it; a null MX is no host.
    pub fn read(c: &crate::check::Check, a: &crate::check::Answers) -> (Live, Option<String>) {
        use crate::check::DnsAnswer;
        let mut mx = match &a.mx {
            DnsAnswer::Records { records, .. } => records.clone(),
            _ => vec![],
        };
        order::sort(&mut mx);
        let hosts: Vec<String> = mx.into_iter().map(|(_, h)| h).filter(|h| h != ".").collect();
        let (mx, error) = match hosts.is_empty() {
            true => (vec![], None),
            false => mx_hosts(&hosts).map_or_else(|e| (vec![], Some(e)), |h| (h, None)),
        };
        let live = Live {
            mx,
            sts_id: c.sts.as_ref().and_then(|r| r.id.clone()),
            policy: c.policy.clone(),
            deployed: matches!(&a.sts_txt, DnsAnswer::Records { records, .. } if !records.is_empty()),
            rua: c.tlsrpt.as_ref().map(|r| r.rua.clone()).unwrap_or_default(),
        };
        (live, error)
    }

    /// The longest time a sender may keep the policy it has cached: the live `max_age`;
    /// RFC 8461 §3.2's maximum (a year) when a policy is deployed but unreadable; zero with
    /// none.
    pub fn cached_for(&self) -> u64 {
        match (&self.policy, self.deployed) {
            (Some(p), _) if p.mode.is_some() => p.max_age.unwrap_or(MAX_AGE_LIMIT),
            (_, true) => MAX_AGE_LIMIT,
            _ => 0,
        }
    }

    fn mode(&self) -> Option<Mode> {
        self.policy.as_ref().and_then(|p| p.mode).filter(|_| self.sts_id.is_some())
    }

    fn patterns(&self) -> Vec<String> {
        self.policy.as_ref().map(|p| p.mx.iter().map(ToString::to_string).collect()).unwrap_or_default()
    }
}

/// The setup that repairs a live domain whose policy is invalid or leaves MX hosts
/// uncovered, and what changed, in words naming the hosts (empty when only the writing
/// changes: the caller knows from the findings whether the live text had errors); `None`
/// without a policy, MX hosts or a mode other than none. Patterns
/// that match an MX host are kept as written, every uncovered host is added exactly,
/// patterns matching no MX host are dropped; the mode stays (testing when it was not
/// valid) and so does `max_age` unless it is out of range for the mode.
pub fn corrected(domain: &str, live: &Live, now: i64) -> Option<(Setup, Vec<String>)> {
    let p = live.policy.as_ref()?;
    if live.mx.is_empty() || p.mode == Some(Mode::None) {
        return None;
    }
    let mut changes = Vec::new();
    let mut mx: Vec<String> = Vec::new();
    for pat in &p.mx {
        if live.mx.iter().any(|h| pat.matches(h)) {
            mx.push(pat.to_string());
        } else {
            changes.push(format!("removed \"mx: {pat}\": it matches none of the MX hosts"));
        }
    }
    for h in &live.mx {
        if !mx.iter().filter_map(|m| MxPattern::parse(m).ok()).any(|m| m.matches(h)) {
            changes.push(format!("added \"mx: {h}\": the MX host {h} was not covered"));
            mx.push(h.clone());
        }
    }
    let mode = p.mode.unwrap_or_else(|| {
        changes.push("set \"mode: testing\": the live policy has no valid mode".to_string());
        Mode::Testing
    });
    let max_age = match p.max_age {
        Some(a) if a <= MAX_AGE_LIMIT && (mode != Mode::Enforce || a >= ENFORCE_MAX_AGE) => a,
        other => {
            let a = default_max_age(mode);
            changes.push(match other {
                Some(old) => format!("max_age {a} instead of {old} ({})", human_duration(a)),
                None => format!("added \"max_age: {a}\" ({})", human_duration(a)),
            });
            a
        }
    };
    let setup = Setup {
        domain: domain.to_string(),
        mode,
        max_age,
        mx,
        rua: live.rua.clone(),
        id: new_id(now, live.sts_id.as_deref()),
        line_ending: LineEnding::Crlf,
        web: WebTarget::Unknown,
    }
    .validate()
    .ok()?;
    Some((setup, changes))
}

/// Where a plan goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `mode: testing`.
    Testing,
    /// `mode: enforce`, through a week of testing when not testing yet, then a long `max_age`.
    Enforce,
    /// `mode: none` (senders stop applying the policy).
    None,
    /// Remove MTA-STS entirely (RFC 8461 §8.3).
    Remove,
    /// Move mail to these MX hosts.
    Mx(Vec<String>),
}

impl Target {
    /// `testing`, `enforce`, `none`, `remove`, or `mx=HOST,HOST`.
    pub fn parse(s: &str) -> Result<Target, String> {
        match s.trim() {
            "testing" => Ok(Target::Testing),
            "enforce" => Ok(Target::Enforce),
            "none" => Ok(Target::None),
            "remove" => Ok(Target::Remove),
            other => match other.strip_prefix("mx=") {
                Some(hosts) => mx_hosts(&hosts.split(',').collect::<Vec<_>>()).map(Target::Mx),
                None => Err(format!("\"{other}\": expected testing, enforce, none, remove or mx=HOST,HOST")),
            },
        }
    }
}

/// One dated step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Not before this time (Unix seconds; RFC 3339 in JSON).
    #[serde(serialize_with = "as_rfc3339")]
    pub not_before: i64,
    /// What to do.
    #[serde(rename = "do")]
    pub what: String,
    /// Records to publish or delete in this step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<Record>,
    /// The policy file to serve in this step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// A page of this app that helps with the step (`#/reports`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<&'static str>,
}

fn as_rfc3339<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

fn at(now: i64, wait: u64) -> i64 {
    now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX))
}

/// The plan to reach `target` from `live`, from `now`. `rua` is the report address used
/// when no `_smtp._tls` record is published yet (an error if none is given then).
pub fn plan(domain: &str, live: &Live, target: &Target, now: i64, rua: &[String]) -> Result<Vec<Step>, String> {
    let domain = crate::check::normalize_domain(domain)?;
    let mut p = Planner { domain, live, steps: Vec::new(), last_id: live.sts_id.clone(), seq: 0 };
    let cached = live.cached_for();
    let patterns = if live.patterns().is_empty() {
        choose_patterns(&live.mx, &[])?.into_iter().map(|c| c.pattern).collect()
    } else {
        live.patterns()
    };
    let needs_reports = matches!(target, Target::Testing | Target::Enforce);
    if needs_reports && live.rua.is_empty() {
        if rua.is_empty() {
            return Err("no _smtp._tls record is published: give a report address (--rua) to start with TLS-RPT".into());
        }
        let t = format!("v=TLSRPTv1; rua={}", rua.join(","));
        p.steps.push(Step {
            not_before: now,
            what: format!(
                "Publish the TLS-RPT record first, so senders report what they see from the first day of testing (RFC 8460 §3). Make sure {} receives mail.",
                rua.join(", ")
            ),
            records: vec![Record::new(&format!("_smtp._tls.{}", p.domain), "TXT", t, 3600)],
            policy: None,
            link: None,
        });
    }
    match target {
        Target::Testing => match live.mode() {
            Some(Mode::Testing) => p.note(
                now,
                "The policy is already in mode testing: nothing to change. Read the reports in the report analyser.",
            ),
            _ => {
                p.change(
                    now,
                    Mode::Testing,
                    TESTING_MAX_AGE,
                    &patterns,
                    "Serve the policy in mode testing with a one-day max_age",
                )?;
                p.reports(at(now, REPORT_WEEK));
            }
        },
        Target::Enforce => {
            let start = match live.mode() {
                Some(Mode::Enforce) => None,
                Some(Mode::Testing) => {
                    p.reports(now);
                    Some(now)
                }
                _ => {
                    p.change(
                        now,
                        Mode::Testing,
                        TESTING_MAX_AGE,
                        &patterns,
                        "Start in mode testing with a one-day max_age (senders report, nothing is refused)",
                    )?;
                    p.reports(at(now, REPORT_WEEK));
                    Some(at(now, REPORT_WEEK))
                }
            };
            let raise_from = match start {
                Some(t) => {
                    p.change(
                        t,
                        Mode::Enforce,
                        ENFORCE_MAX_AGE,
                        &patterns,
                        "When the reports show no failures, switch to mode enforce with a one-week max_age",
                    )?;
                    at(t, 2 * ONE_WEEK)
                }
                None => now,
            };
            if live.policy.as_ref().and_then(|x| x.max_age).is_none_or(|a| a < LONG_MAX_AGE) || start.is_some() {
                p.change(
                    raise_from,
                    Mode::Enforce,
                    LONG_MAX_AGE,
                    &patterns,
                    "After two weeks of enforce without failures in the reports, raise max_age to four weeks",
                )?;
            } else {
                p.note(now, "The policy already enforces with a long max_age: nothing to change.");
            }
        }
        Target::None => {
            p.change(
                now,
                Mode::None,
                TESTING_MAX_AGE,
                &patterns,
                "Serve the policy in mode none with a one-day max_age",
            )?;
            p.note(
                at(now, cached),
                &format!(
                    "Every policy cached before the change has expired (the live max_age was {}): no sender applies the old policy any more.",
                    human_duration(cached)
                ),
            );
        }
        Target::Remove => {
            if live.sts_id.is_none() && !live.deployed {
                p.note(now, "No _mta-sts record is published: there is nothing to remove.");
            } else {
                p.change(
                    now,
                    Mode::None,
                    TESTING_MAX_AGE,
                    &patterns,
                    "Serve the policy in mode none with a one-day max_age (RFC 8461 §8.3 step 1)",
                )?;
                let why = match &live.policy {
                    Some(x) if x.max_age.is_some() => format!("the live max_age, {}", human_duration(cached)),
                    _ => "the live max_age could not be read, so RFC 8461's maximum, a year".to_string(),
                };
                let d = p.domain.clone();
                let del: Vec<Record> = p
                    .last_id
                    .iter()
                    .map(|id| Record {
                        action: "delete",
                        ..Record::new(&format!("_mta-sts.{d}"), "TXT", format!("v=STSv1; id={id}"), 300)
                    })
                    .collect();
                p.steps.push(Step {
                    not_before: at(now, cached),
                    what: format!(
                        "Every policy senders cached has expired ({why}; a policy served before it with a longer max_age may still be cached: RFC 8461 §8.3 step 3). Delete the _mta-sts record, then stop serving mta-sts.{d} and delete its DNS entry. Keep _smtp._tls if you still want reports."
                    ),
                    records: del,
                    policy: None,
                    link: None,
                });
            }
        }
        Target::Mx(new_hosts) => {
            let mode = live.mode().unwrap_or(Mode::Testing);
            let age = live.policy.as_ref().and_then(|x| x.max_age).unwrap_or(TESTING_MAX_AGE);
            let mut both = patterns.clone();
            for h in new_hosts {
                if !crate::mta_sts::mx::any_matches(both.iter().map(String::as_str), h) {
                    both.push(h.clone());
                }
            }
            let has_policy = live.mode().is_some();
            if has_policy {
                p.change(now, mode, age, &both, "Add the new MX hosts to the policy, keeping the old ones")?;
            }
            let d = p.domain.clone();
            let mx_records: Vec<Record> = new_hosts
                .iter()
                .zip((1u16..).map(|i| i.saturating_mul(10)))
                .map(|(h, pref)| Record::new(&d, "MX", format!("{pref} {h}"), 3600))
                .collect();
            let move_at = at(now, cached);
            p.steps.push(Step {
                not_before: move_at,
                what: if has_policy {
                    format!(
                        "Every sender's cached policy now lists the new hosts (the old policy's max_age, {}, has passed since the change): replace the MX records with the new hosts.",
                        human_duration(cached)
                    )
                } else {
                    "Replace the MX records with the new hosts (no MTA-STS policy is published, so there is nothing to wait for).".to_string()
                },
                records: mx_records,
                policy: None,
                link: None,
            });
            if has_policy {
                let kept: Vec<String> = both
                    .iter()
                    .filter(|pat| MxPattern::parse(pat).is_ok_and(|m| new_hosts.iter().any(|h| m.matches(h))))
                    .cloned()
                    .collect();
                p.change(
                    at(move_at, DAY),
                    mode,
                    age,
                    &kept,
                    "A day after the MX change (the MX records' TTL), remove the old hosts from the policy",
                )?;
            }
        }
    }
    Ok(p.steps)
}

struct Planner<'a> {
    domain: String,
    live: &'a Live,
    steps: Vec<Step>,
    last_id: Option<String>,
    seq: i64,
}

impl Planner<'_> {
    fn note(&mut self, when: i64, text: &str) {
        self.steps.push(Step { not_before: when, what: text.to_string(), records: vec![], policy: None, link: None });
    }

    fn reports(&mut self, when: i64) {
        self.steps.push(Step {
            not_before: when,
            what: "Read at least a week of TLS reports in the report analyser: its readiness verdict says whether enforce would refuse mail (which MX, which failure).".to_string(),
            records: vec![],
            policy: None,
            link: Some("#/reports"),
        });
    }

    /// A policy change: serve the new policy, then publish a new id (two steps, in order).
    fn change(&mut self, when: i64, mode: Mode, max_age: u64, mx: &[String], what: &str) -> Result<(), String> {
        // Ids must differ from step to step even when two changes share a date.
        let id = new_id(when.saturating_add(self.seq), self.last_id.as_deref());
        self.seq = self.seq.saturating_add(1);
        let s = Setup {
            domain: self.domain.clone(),
            mode,
            max_age,
            mx: mx.to_vec(),
            rua: self.live.rua.clone(),
            id: id.clone(),
            line_ending: LineEnding::Crlf,
            web: WebTarget::Unknown,
        }
        .validate()?;
        self.steps.push(Step {
            not_before: when,
            what: format!(
                "{what}: change the policy file first (mode {}, max_age {}).",
                mode.as_str(),
                s.max_age_words()
            ),
            records: vec![],
            policy: Some(s.policy()),
            link: None,
        });
        self.steps.push(Step {
            not_before: when,
            what: format!(
                "Then, once https://mta-sts.{}/.well-known/mta-sts.txt serves the new policy, publish the new id so senders fetch it.",
                self.domain
            ),
            records: vec![Record::new(&format!("_mta-sts.{}", self.domain), "TXT", s.sts_record(), 300)],
            policy: None,
            link: None,
        });
        self.last_id = Some(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{lint, Kind};

    const NOW: i64 = 1_796_164_800; // 2026-12-01T22:40:00Z

    fn setup(mode: Mode, mx: &[&str], rua: &[&str]) -> Setup {
        let hosts = mx_hosts(mx).unwrap();
        Setup {
            domain: "example.com".into(),
            mode,
            max_age: default_max_age(mode),
            mx: choose_patterns(&hosts, &[]).unwrap().into_iter().map(|c| c.pattern).collect(),
            rua: rua.iter().map(|r| rua_uri(r).unwrap()).collect(),
            id: new_id(NOW, None),
            line_ending: LineEnding::Crlf,
            web: WebTarget::Unknown,
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn mx_hosts_are_read_as_typed_or_as_dig_prints_them() {
        let ok: &[(&[&str], &[&str])] = &[
            (
                &["10 MX1.Example.com.", "mx2.example.com", "20:mx1.example.com"],
                &["mx1.example.com", "mx2.example.com"],
            ),
            (&["", "  mail.bücher.example "], &["mail.xn--bcher-kva.example"]),
        ];
        for (input, want) in ok {
            assert_eq!(mx_hosts(input).unwrap(), *want, "{input:?}");
        }
        for (input, says) in [
            (&["."][..], "null MX"),
            (&[][..], "no MX host"),
            (&["mail"][..], "single label"),
            (&["*.example.com"][..], "cannot be a pattern"),
            (&["a..b.example"][..], "MX host"),
        ] {
            let e = mx_hosts(input).unwrap_err();
            assert!(e.contains(says), "{input:?}: {e}");
        }
    }

    #[test]
    fn wildcards_only_over_two_or_more_hosts_under_one_parent() {
        let hosts =
            mx_hosts(&["mx1.mail.example.com", "mx2.mail.example.com", "backup.example.net", "a.b.example.org"])
                .unwrap();
        let offers = wildcard_offers(&hosts);
        assert_eq!(offers.len(), 1);
        assert_eq!(offers[0].pattern, "*.mail.example.com");
        assert_eq!(offers[0].covers, ["mx1.mail.example.com", "mx2.mail.example.com"]);
        // Two hosts directly under a TLD get no offer (no "*.com").
        assert!(wildcard_offers(&mx_hosts(&["a.com", "b.com"]).unwrap()).is_empty());
        let chosen = choose_patterns(&hosts, &["*.mail.example.com".into()]).unwrap();
        let pats: Vec<&str> = chosen.iter().map(|c| c.pattern.as_str()).collect();
        assert_eq!(pats, ["*.mail.example.com", "backup.example.net", "a.b.example.org"]);
        // Every pattern covers at least one host, and every host is covered.
        for c in &chosen {
            assert!(!c.covers.is_empty());
        }
        for (bad, says) in [
            ("*.*.example.com", "exactly one label"),
            ("*.example.net", "not a wildcard over two"),
            ("*.com", "not a wildcard"),
        ] {
            let e = choose_patterns(&hosts, &[bad.into()]).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn report_addresses_are_encoded_as_rfc_8460_requires() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("tlsrpt@example.com", Ok("mailto:tlsrpt@example.com")),
            ("mailto:a@example.com,b@example.com", Ok("mailto:a@example.com%2Cb@example.com")),
            ("mailto:a,b@example.com", Err("\"a\" has no \"@\"")),
            ("mailto:x!y@example.com", Ok("mailto:x%21y@example.com")),
            ("https://r.example.com/v1/tlsrpt;x", Ok("https://r.example.com/v1/tlsrpt%3Bx")),
            ("http://r.example.com/", Err("https only")),
            ("nobody", Err("neither")),
            ("mailto:", Err("no address")),
            ("https:///p", Err("https")),
        ];
        for (input, want) in cases {
            match (rua_uri(input), want) {
                (Ok(got), Ok(w)) => assert_eq!(&got, w),
                (Err(e), Err(w)) => assert!(e.contains(w), "{input}: {e}"),
                (got, _) => panic!("{input}: {got:?}"),
            }
        }
    }

    #[test]
    fn ids_come_from_the_date_and_never_repeat_the_live_one() {
        assert_eq!(new_id(NOW, None), "20261201224000");
        assert_eq!(new_id(NOW, Some("20261201224000")), "20261201224000a");
        assert_eq!(new_id(NOW, Some("20261201224000a")), "20261201224000b");
        assert_eq!(new_id(NOW, Some("1")), "20261201224000");
        assert_eq!(rfc3339(NOW), "2026-12-01T22:40:00Z");
    }

    #[test]
    fn a_setup_has_every_artefact() {
        let s = setup(Mode::Testing, &["10 mx1.example.com.", "20 mx2.example.com."], &["tls@example.com"]);
        assert_eq!(
            s.policy(),
            "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 86400\r\n"
        );
        assert_eq!(s.sts_record(), "v=STSv1; id=20261201224000");
        assert_eq!(s.tlsrpt_record().as_deref(), Some("v=TLSRPTv1; rua=mailto:tls@example.com"));
        let z = s.zone();
        assert!(z.contains("_mta-sts.example.com.\t300\tIN\tTXT\t\"v=STSv1; id=20261201224000\""), "{z}");
        assert!(
            z.contains("_smtp._tls.example.com.\t3600\tIN\tTXT\t\"v=TLSRPTv1; rua=mailto:tls@example.com\""),
            "{z}"
        );
        assert!(z.contains("; mta-sts.example.com. must point"), "{z}");
        let with_web = Setup { web: WebTarget::parse("192.0.2.7, 2001:db8::7").unwrap(), ..s.clone() };
        let lines: Vec<String> = with_web.records().iter().map(Record::zone_line).collect();
        assert!(lines.contains(&"mta-sts.example.com.\t3600\tIN\tA\t192.0.2.7".to_string()));
        assert!(lines.contains(&"mta-sts.example.com.\t3600\tIN\tAAAA\t2001:db8::7".to_string()));
        let alias = Setup { web: WebTarget::parse("Example.GitHub.io.").unwrap(), ..s.clone() };
        assert!(alias.zone().contains("mta-sts.example.com.\t3600\tIN\tCNAME\texample.github.io."));
        let ids: Vec<&str> = s.recipes().iter().map(|r| r.id).collect();
        assert_eq!(ids, ["static", "nginx", "caddy", "apache", "worker"]);
        for r in s.recipes() {
            let has_policy = r.files.iter().any(|f| f.text.contains("version: STSv1"));
            assert!(has_policy, "{} carries the policy", r.id);
            assert!(r.notes.iter().any(|n| n.contains("bot protection")), "{}", r.id);
        }
        // A long rua list is cut into 255-byte strings in the zone file.
        let many: Vec<String> = (0..20).map(|i| rua_uri(&format!("reports-{i}@example.com")).unwrap()).collect();
        let long = Setup { rua: many, ..s };
        let line = long.records()[1].zone_line();
        assert!(line.matches("\" \"").count() >= 2, "{line}");
    }

    #[test]
    fn setups_that_would_not_lint_clean_are_refused() {
        let s = setup(Mode::Testing, &["mx.example.com"], &[]);
        for (bad, says) in [
            (Setup { id: "2026-12-01".into(), ..s.clone() }, "letters and digits"),
            (Setup { max_age: 31_557_601, ..s.clone() }, "maximum"),
            (Setup { mode: Mode::Enforce, max_age: 86_400, ..s.clone() }, "lint clean"),
            (Setup { mx: vec![], ..s.clone() }, "at least one mx"),
            (Setup { domain: "nodot".into(), ..s.clone() }, "single label"),
        ] {
            let e = bad.validate().unwrap_err();
            assert!(e.contains(says), "{e}");
        }
    }

    /// A small deterministic generator (xorshift), so the property test needs no crate and
    /// fails the same way every time.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[(self.next() % from.len() as u64) as usize]
        }
    }

    #[test]
    fn everything_generated_lints_clean_and_covers_every_mx() {
        let labels = ["mx", "mx1", "mx2", "mail", "in", "smtp-01", "a", "aspmx", "xn--bcher-kva", "z9"];
        let parents = ["example.com", "mail.example.com", "provider.net", "eu.mail.provider.net", "example.co.uk"];
        let ruas = [
            "tlsrpt@example.com",
            "mailto:a@example.com,b@example.com",
            "https://r.example/v1/tlsrpt",
            "x!y@example.org",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..2000 {
            let n = 1 + rng.next() % 5;
            let typed: Vec<String> = (0..n)
                .map(|_| {
                    let pref = rng.next() % 50;
                    format!("{pref} {}.{}.", rng.pick(&labels), rng.pick(&parents))
                })
                .collect();
            let hosts = mx_hosts(&typed).unwrap();
            let accepted: Vec<String> =
                wildcard_offers(&hosts).into_iter().filter(|_| rng.next() % 2 == 0).map(|o| o.pattern).collect();
            let chosen = choose_patterns(&hosts, &accepted).unwrap();
            let mode = [Mode::Testing, Mode::Enforce, Mode::None][(rng.next() % 3) as usize];
            let max_age = match rng.next() % 3 {
                0 => default_max_age(mode),
                1 => LONG_MAX_AGE,
                _ => MAX_AGE_LIMIT,
            };
            let rua: Vec<String> = (0..rng.next() % 3).map(|_| rua_uri(rng.pick(&ruas)).unwrap()).collect();
            let s = Setup {
                domain: rng.pick(&parents).to_string(),
                mode,
                max_age,
                mx: chosen.iter().map(|c| c.pattern.clone()).collect(),
                rua,
                id: new_id(NOW + i64::from(round), None),
                line_ending: if rng.next() % 2 == 0 { LineEnding::Crlf } else { LineEnding::Lf },
                web: WebTarget::Unknown,
            }
            .validate()
            .unwrap_or_else(|e| panic!("round {round}: {typed:?}: {e}"));
            let mut texts = vec![(Kind::Policy, s.policy()), (Kind::StsRecord, s.sts_record())];
            texts.extend(s.tlsrpt_record().map(|t| (Kind::TlsRptRecord, t)));
            for (kind, text) in texts {
                let l = lint(kind, text.as_bytes());
                let loud: Vec<_> = l.findings.iter().filter(|f| f.severity() >= Severity::Warning).collect();
                assert!(loud.is_empty(), "round {round}: {text:?}: {loud:?}");
            }
            let patterns: Vec<MxPattern> = s.mx.iter().map(|p| MxPattern::parse(p).unwrap()).collect();
            let mx: Vec<(Option<u16>, String)> = hosts.iter().map(|h| (Some(10), h.clone())).collect();
            let cov = crate::mta_sts::coverage::coverage(&patterns, &mx, None).value;
            assert!(cov.rows.iter().all(|r| r.covered), "round {round}: {:?}", cov.rows);
            assert!(cov.stale.is_empty(), "round {round}: a pattern covers no MX: {:?}", cov.stale);
        }
    }

    fn live(mode: &str, max_age: u64, mx: &[&str]) -> Live {
        let text = format!(
            "version: STSv1\nmode: {mode}\n{}max_age: {max_age}\n",
            mx.iter().map(|m| format!("mx: {m}\n")).collect::<String>()
        );
        Live {
            mx: mx_hosts(mx).unwrap(),
            sts_id: Some("1".into()),
            policy: Some(policy::parse(text.as_bytes()).value),
            deployed: true,
            rua: vec!["mailto:tls@example.com".into()],
        }
    }

    fn dates(steps: &[Step]) -> Vec<(i64, bool, bool)> {
        steps.iter().map(|s| ((s.not_before - NOW) / 86_400, s.policy.is_some(), !s.records.is_empty())).collect()
    }

    #[test]
    fn enforce_from_nothing_starts_with_reports_then_testing() {
        let nothing = Live { mx: mx_hosts(&["mx.example.com"]).unwrap(), ..Live::default() };
        assert!(plan("example.com", &nothing, &Target::Enforce, NOW, &[]).unwrap_err().contains("--rua"));
        let steps = plan("example.com", &nothing, &Target::Enforce, NOW, &["mailto:tls@example.com".into()]).unwrap();
        assert!(steps[0].what.starts_with("Publish the TLS-RPT record first"));
        assert_eq!(steps[0].records[0].name, "_smtp._tls.example.com");
        // (days from now, has a policy, has records): TLS-RPT, testing policy then id, a week
        // of reports, enforce policy then id, and two weeks later the long max_age then id.
        assert_eq!(
            dates(&steps),
            [
                (0, false, true),
                (0, true, false),
                (0, false, true),
                (7, false, false),
                (7, true, false),
                (7, false, true),
                (21, true, false),
                (21, false, true)
            ]
        );
        assert!(steps[1].policy.as_deref().unwrap().contains("mode: testing\r\nmx: mx.example.com\r\nmax_age: 86400"));
        assert_eq!(steps[3].link, Some("#/reports"));
        assert!(steps[6].policy.as_deref().unwrap().contains("max_age: 2419200"));
        // Every id differs from the one before it.
        let ids: Vec<&str> = steps
            .iter()
            .flat_map(|s| &s.records)
            .filter(|r| r.name.starts_with("_mta-sts"))
            .map(|r| r.value.as_str())
            .collect();
        assert_eq!(ids.len(), 3);
        assert!(ids.windows(2).all(|w| w[0] != w[1]), "{ids:?}");
    }

    #[test]
    fn removal_waits_out_the_live_max_age() {
        let l = live("enforce", 1_209_600, &["mx.example.com"]);
        let steps = plan("example.com", &l, &Target::Remove, NOW, &[]).unwrap();
        assert_eq!(dates(&steps), [(0, true, false), (0, false, true), (14, false, true)]);
        assert!(steps[0].policy.as_deref().unwrap().contains("mode: none"));
        let last = steps.last().unwrap();
        assert_eq!(last.not_before, NOW + 1_209_600);
        assert_eq!(last.records[0].action, "delete");
        // An unreadable policy behind a record: wait the RFC's maximum.
        let unknown = Live { policy: None, ..l };
        let steps = plan("example.com", &unknown, &Target::Remove, NOW, &[]).unwrap();
        assert_eq!(steps.last().unwrap().not_before, NOW + 31_557_600);
    }

    #[test]
    fn an_mx_move_adds_first_waits_then_moves_then_removes() {
        let l = live("enforce", 604_800, &["old.example.com"]);
        let to = Target::parse("mx=new1.example.net,new2.example.net").unwrap();
        let steps = plan("example.com", &l, &to, NOW, &[]).unwrap();
        assert_eq!(
            dates(&steps),
            [(0, true, false), (0, false, true), (7, false, true), (8, true, false), (8, false, true)]
        );
        let first = steps[0].policy.as_deref().unwrap();
        assert!(first.contains("mx: old.example.com\r\nmx: new1.example.net\r\nmx: new2.example.net"), "{first}");
        assert_eq!(
            steps[2].records.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
            ["10 new1.example.net", "20 new2.example.net"]
        );
        let last = steps[3].policy.as_deref().unwrap();
        assert!(!last.contains("old.example.com") && last.contains("mode: enforce"), "{last}");
        assert!(Target::parse("mx=").unwrap_err().contains("no MX host"));
        assert!(Target::parse("enforced").unwrap_err().contains("expected"));
    }

    #[test]
    fn a_broken_live_policy_is_corrected_naming_the_hosts() {
        // uncovered.test of the mock: a stale pattern and an uncovered backup MX.
        let mut l = live("enforce", 604_800, &["mx1.uncovered.test", "backup.mailhost.test"]);
        l.policy = Some(
            policy::parse(
                b"version: STSv1\nmode: enforce\nmx: mx1.uncovered.test\nmx: old.uncovered.test\nmax_age: 604800\n",
            )
            .value,
        );
        let (s, changes) = corrected("uncovered.test", &l, NOW).unwrap();
        assert_eq!(s.policy(), "version: STSv1\r\nmode: enforce\r\nmx: mx1.uncovered.test\r\nmx: backup.mailhost.test\r\nmax_age: 604800\r\n");
        assert_eq!(s.sts_record(), "v=STSv1; id=20261201224000");
        assert_eq!(
            changes,
            [
                "removed \"mx: old.uncovered.test\": it matches none of the MX hosts",
                "added \"mx: backup.mailhost.test\": the MX host backup.mailhost.test was not covered"
            ]
        );
        // A policy with a typo'd key ("nmx:") and no mode: testing, every host exact.
        l.policy = Some(policy::parse(b"version: STSv1\nnmx: mx1.uncovered.test\nmax_age: 999999999\n").value);
        let (s, changes) = corrected("uncovered.test", &l, NOW).unwrap();
        assert!(
            s.policy()
                .contains("mode: testing\r\nmx: mx1.uncovered.test\r\nmx: backup.mailhost.test\r\nmax_age: 86400"),
            "{}",
            s.policy()
        );
        assert_eq!(changes.len(), 4, "{changes:?}");
        // Nothing to correct in mode none, without MX, or without a policy.
        l.policy = Some(policy::parse(b"version: STSv1\nmode: none\nmax_age: 86400\n").value);
        assert!(corrected("uncovered.test", &l, NOW).is_none());
        assert!(corrected("uncovered.test", &Live { policy: None, ..l }, NOW).is_none());
    }

    #[test]
    fn testing_enforcing_and_none_from_live_states() {
        let t = live("testing", 86_400, &["mx.example.com"]);
        let steps = plan("example.com", &t, &Target::Enforce, NOW, &[]).unwrap();
        assert_eq!(
            dates(&steps),
            [(0, false, false), (0, true, false), (0, false, true), (14, true, false), (14, false, true)]
        );
        let steps = plan("example.com", &t, &Target::Testing, NOW, &[]).unwrap();
        assert_eq!(steps.len(), 1, "already testing");
        let e = live("enforce", LONG_MAX_AGE, &["mx.example.com"]);
        assert_eq!(plan("example.com", &e, &Target::Enforce, NOW, &[]).unwrap().len(), 1, "nothing to do");
        let steps = plan("example.com", &e, &Target::None, NOW, &[]).unwrap();
        assert_eq!(dates(&steps), [(0, true, false), (0, false, true), (28, false, false)]);
    }
}
