//! Adding up any number of reports.
//!
//! A [`Summary`] is built one report at a time and keeps only counts: no report JSON,
//! and failure details are grouped by what distinguishes them, so memory grows with the
//! number of distinct days, organisations, hosts and failure kinds, not with the number of
//! reports. A report seen twice (same `organization-name` and `report-id`, RFC 8460 §5.3's
//! duplicate rule) is counted once.
//!
//! Sessions are placed on the UTC day their report's range starts; a report without a
//! readable range goes under "unknown".
//!
//! Summaries merge ([`Summary::merge`]): the browser's report workers each add up a
//! contiguous run of the inputs and the page merges their summaries in input order, which
//! gives what one pass over all inputs gives (a test holds this for every split) as long
//! as no report counted in one run is counted again in a later one; [`Summary::overlap`]
//! names such reports so that the later run can be redone treating them as duplicates
//! ([`Summary::assume_counted`]).

use crate::order;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::tls_rpt::report::{FailureDetail, PolicyResult, PolicyType, Report};

/// Natively the summary's hash tables hash with foldhash, seeded at random once per
/// process: SipHash (std's default) was 7 % of the instructions of reading a small report,
/// spent on the failure groups' fields, the policies' lines and the duplicate set
/// (BENCHMARKS.md, session 13). A random seed keeps what a sender writes from choosing the
/// collisions. The web page keeps std's hasher: foldhash's code and a second copy of the
/// hash tables' code made its modules 2.4 KB (gzipped) larger, past the page's budget.
#[cfg(not(target_arch = "wasm32"))]
type State = foldhash::fast::RandomState;
#[cfg(target_arch = "wasm32")]
type State = std::hash::RandomState;
type HashMap<K, V> = std::collections::HashMap<K, V, State>;
type HashSet<K> = std::collections::HashSet<K, State>;

/// A hasher that gives the same hash to the same fields in every summary of this process,
/// so that a merge can reuse the hashes of the summary it takes in.
#[cfg(not(target_arch = "wasm32"))]
fn process_hasher() -> foldhash::fast::FoldHasher<'static> {
    use std::hash::BuildHasher;
    foldhash::fast::SeedableRandomState::with_seed(0, foldhash::SharedSeed::global_random()).build_hasher()
}
#[cfg(target_arch = "wasm32")]
fn process_hasher() -> std::hash::DefaultHasher {
    std::hash::DefaultHasher::new()
}

/// The MX key of a failure detail that names no receiving MX host.
pub const NO_MX: &str = "(no MX named)";

/// Where a failure detail sits: what its group key takes from the report around it.
struct FailureAt<'a> {
    day: &'a str,
    org: &'a str,
    domain: &'a str,
    ty: &'a str,
    report_id: &'a str,
    origin: &'a str,
}

/// Session counts for one key of a breakdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Reports that contributed.
    pub reports: u64,
    /// Successful sessions.
    pub successful: u64,
    /// Failed sessions.
    pub failed: u64,
}

impl Counts {
    fn add(&mut self, ok: u64, failed: u64) {
        self.successful = self.successful.saturating_add(ok);
        self.failed = self.failed.saturating_add(failed);
    }

    /// Successful sessions as a share of all, if there were any.
    pub fn success_rate(&self) -> Option<f64> {
        let total = self.successful.saturating_add(self.failed);
        (total > 0).then(|| self.successful as f64 / total as f64)
    }
}

/// Failed sessions at one receiving MX host, by result type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxFailures {
    /// Failed sessions in all.
    pub failed: u64,
    /// Failed sessions by result type.
    pub result_types: BTreeMap<String, u64>,
}

/// The first and last UTC day on which reports had one kind of failure at one MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySpan {
    /// First day, `YYYY-MM-DD`.
    pub first: String,
    /// Last day, `YYYY-MM-DD`.
    pub last: String,
}

impl DaySpan {
    /// Widens the span to take in `other`.
    fn widen(&mut self, first: &str, last: &str) {
        if first < self.first.as_str() {
            self.first = first.to_string();
        }
        if last > self.last.as_str() {
            self.last = last.to_string();
        }
    }
}

/// One distinct policy that reporters said they applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySeen {
    /// `sts`, `tlsa`, `no-policy-found` or another type.
    pub policy_type: PolicyType,
    /// The policy domain.
    pub policy_domain: String,
    /// The policy lines (or TLSA records), normalised: trimmed, and sorted so that
    /// reporters listing the same fields in another order agree.
    pub lines: Vec<String>,
    /// The lines as the first report naming it published them (trimmed, blank lines
    /// dropped, order kept): what the page and the CLI show, since `lines` is sorted.
    #[serde(default)]
    pub published: Vec<String>,
    /// Reports naming it.
    pub reports: u64,
    /// Sessions under it.
    pub successful: u64,
    /// Failed sessions under it.
    pub failed: u64,
    /// Organisations that reported it.
    pub organisations: BTreeSet<String>,
}

/// Failed sessions that share every detail, summed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FailureKey {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// Reporting organisation.
    pub organisation: String,
    /// Policy domain.
    pub policy_domain: String,
    /// Policy type.
    pub policy_type: String,
    /// Result type.
    pub result_type: String,
    /// Sending MTA IP.
    pub sending_mta_ip: Option<String>,
    /// Receiving MX host name.
    pub receiving_mx_hostname: Option<String>,
    /// Receiving MX HELO.
    pub receiving_mx_helo: Option<String>,
    /// Receiving IP.
    pub receiving_ip: Option<String>,
    /// Failure reason code.
    pub failure_reason_code: Option<String>,
    /// Additional information URI.
    pub additional_information: Option<String>,
}

/// A failure group with its count and one report it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRow {
    /// What the failures share.
    #[serde(flatten)]
    pub key: FailureKey,
    /// Failed sessions.
    pub sessions: u64,
    /// The `report-id` of the first report that had it.
    pub report_id: String,
    /// Where that report came from.
    pub origin: String,
}

/// A duplicate report: its identity and where the copy came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// `organization-name`.
    pub organisation: String,
    /// `report-id`.
    pub report_id: String,
    /// Where the copy came from.
    pub origin: String,
}

/// The totals and breakdowns of a batch of reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Distinct reports counted.
    pub reports: u64,
    /// Duplicates seen and not counted.
    pub duplicates: u64,
    /// Successful sessions.
    pub successful: u64,
    /// Failed sessions.
    pub failed: u64,
    /// Earliest report start, Unix seconds.
    pub first_start: Option<i64>,
    /// Latest report end, Unix seconds.
    pub last_end: Option<i64>,
    /// Failed sessions by result type (types are not exclusive).
    pub result_types: BTreeMap<String, u64>,
    /// By UTC day of the report start.
    #[serde(serialize_with = "rows", deserialize_with = "de_rows")]
    pub by_day: BTreeMap<String, Counts>,
    /// By reporting organisation.
    #[serde(serialize_with = "rows", deserialize_with = "de_rows")]
    pub by_org: BTreeMap<String, Counts>,
    /// By policy domain.
    #[serde(serialize_with = "rows", deserialize_with = "de_rows")]
    pub by_policy_domain: BTreeMap<String, Counts>,
    /// By policy type.
    #[serde(serialize_with = "rows", deserialize_with = "de_rows")]
    pub by_policy_type: BTreeMap<String, Counts>,
    /// Failures by receiving MX host.
    #[serde(serialize_with = "mx_rows", deserialize_with = "de_mx_rows")]
    pub by_mx: BTreeMap<String, MxFailures>,
    /// Failed sessions by receiving IP.
    pub by_receiving_ip: BTreeMap<String, u64>,
    /// Failed sessions by sending MTA IP.
    pub by_sending_ip: BTreeMap<String, u64>,
    /// Distinct policies reporters applied.
    #[serde(serialize_with = "policy_rows", deserialize_with = "de_policy_rows")]
    pub policies: BTreeMap<String, PolicySeen>,
    /// Failed sessions under an MTA-STS policy, by receiving MX host ("(no MX named)" when
    /// the detail names none), by result type: exact, never capped, so readiness is
    /// decided on these and not on the capped failure groups.
    #[serde(serialize_with = "mx_rows", deserialize_with = "de_mx_rows")]
    pub sts_failures_by_mx: BTreeMap<String, MxFailures>,
    /// When the failures of [`Summary::sts_failures_by_mx`] happened: receiving MX host ->
    /// result type -> first and last day of the reports that had them (reports without a
    /// date are left out). Exact like the counts beside it, so readiness can say since when
    /// a failure happens and whether it stopped.
    #[serde(default)]
    pub sts_failure_days: BTreeMap<String, BTreeMap<String, DaySpan>>,
    /// A session count reached the largest number there is and stopped there: totals are
    /// lower bounds (a sender sent absurd counts).
    pub saturated: bool,
    /// Failure details, grouped, in the order first seen.
    pub failures: Vec<FailureRow>,
    /// Failure details that arrived after [`Summary::MAX_FAILURE_GROUPS`] groups existed:
    /// grouped without their IPs, HELO, reason and URI, and past a further 10,000 groups
    /// not given a drill-down row at all. Their sessions are counted everywhere else.
    pub coarse_failures: u64,
    /// The duplicates, for listing.
    pub duplicate_list: Vec<Duplicate>,
    #[serde(skip)]
    seen: HashSet<(String, String)>,
    /// Hash of a failure group's fields -> its newest row, so repeats cost no allocation;
    /// `failure_next[i]` is the row before row `i` with the same hash (`usize::MAX`: none).
    /// A list of rows per hash was 5 MB at 60,000 groups; this is under 2.
    #[serde(skip)]
    failure_index: HashMap<u64, usize>,
    #[serde(skip)]
    failure_next: Vec<usize>,
    /// Hash of a policy as reported -> its normalised key in `policies`.
    #[serde(skip)]
    policy_keys: HashMap<u64, String>,
    /// Day number -> "YYYY-MM-DD".
    #[serde(skip)]
    day_names: HashMap<i64, Option<[u8; 10]>>,
    /// A buffer for MX names with capitals, lowercased.
    #[serde(skip)]
    lower: String,
    /// How many of `failures` are in `failure_index` (a deserialized summary has none).
    #[serde(skip)]
    indexed: usize,
    /// Reports counted elsewhere, before this summary's inputs ([`Summary::assume_counted`]).
    #[serde(skip)]
    assumed: HashSet<(String, String)>,
}

fn rows<S: Serializer>(map: &BTreeMap<String, Counts>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Row<'a> {
        key: &'a str,
        #[serde(flatten)]
        counts: &'a Counts,
    }
    let mut seq = s.serialize_seq(Some(map.len()))?;
    for (key, counts) in map {
        seq.serialize_element(&Row { key, counts })?;
    }
    seq.end()
}

fn mx_rows<S: Serializer>(map: &BTreeMap<String, MxFailures>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Row<'a> {
        key: &'a str,
        #[serde(flatten)]
        failures: &'a MxFailures,
    }
    let mut seq = s.serialize_seq(Some(map.len()))?;
    for (key, failures) in map {
        seq.serialize_element(&Row { key, failures })?;
    }
    seq.end()
}

fn policy_rows<S: Serializer>(map: &BTreeMap<String, PolicySeen>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(map.values())
}

fn de_rows<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Counts>, D::Error> {
    #[derive(Deserialize)]
    struct Row {
        key: String,
        reports: u64,
        successful: u64,
        failed: u64,
    }
    let rows = Vec::<Row>::deserialize(d)?;
    // Extended, not collected: `collect` into a BTreeMap sorts first, and each such sort is
    // its own copy of the sort in the report page's module (see `order`).
    let mut map = BTreeMap::new();
    map.extend(
        rows.into_iter().map(|r| (r.key, Counts { reports: r.reports, successful: r.successful, failed: r.failed })),
    );
    Ok(map)
}

fn de_mx_rows<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, MxFailures>, D::Error> {
    #[derive(Deserialize)]
    struct Row {
        key: String,
        failed: u64,
        result_types: BTreeMap<String, u64>,
    }
    let rows = Vec::<Row>::deserialize(d)?;
    let mut map = BTreeMap::new();
    map.extend(rows.into_iter().map(|r| (r.key, MxFailures { failed: r.failed, result_types: r.result_types })));
    Ok(map)
}

fn de_policy_rows<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, PolicySeen>, D::Error> {
    let rows = Vec::<PolicySeen>::deserialize(d)?;
    let mut map = BTreeMap::new();
    map.extend(rows.into_iter().map(|p| (policy_key(&p.policy_type, &p.policy_domain, &p.lines), p)));
    Ok(map)
}

/// The key of a distinct policy in [`Summary::policies`]: type, domain and normalised lines.
fn policy_key(ty: &PolicyType, domain: &str, lines: &[String]) -> String {
    format!("{}\u{0}{}\u{0}{}", ty.as_str(), domain, lines.join("\n"))
}

/// What makes two failure details one group, borrowed.
type GroupFields<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn group_fields(k: &FailureKey) -> GroupFields<'_> {
    (
        k.day.as_str(),
        k.organisation.as_str(),
        k.policy_domain.as_str(),
        k.policy_type.as_str(),
        k.result_type.as_str(),
        k.sending_mta_ip.as_deref(),
        k.receiving_mx_hostname.as_deref(),
        k.receiving_mx_helo.as_deref(),
        k.receiving_ip.as_deref(),
        k.failure_reason_code.as_deref(),
        k.additional_information.as_deref(),
    )
}

fn hash_fields(fields: &GroupFields<'_>) -> u64 {
    let mut h = process_hasher();
    fields.hash(&mut h);
    h.finish()
}

fn merge_counts(into: &mut BTreeMap<String, Counts>, from: BTreeMap<String, Counts>) {
    for (k, c) in from {
        let t = into.entry(k).or_default();
        t.reports = t.reports.saturating_add(c.reports);
        t.add(c.successful, c.failed);
    }
}

fn merge_numbers(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (k, n) in from {
        let t = into.entry(k).or_default();
        *t = t.saturating_add(n);
    }
}

fn merge_mx(into: &mut BTreeMap<String, MxFailures>, from: BTreeMap<String, MxFailures>) {
    for (k, m) in from {
        let t = into.entry(k).or_default();
        t.failed = t.failed.saturating_add(m.failed);
        merge_numbers(&mut t.result_types, m.result_types);
    }
}

/// Widens `key`'s span to take in `first..=last`, allocating only for a new key.
fn widen_days(map: &mut BTreeMap<String, DaySpan>, key: &str, first: &str, last: &str) {
    match map.get_mut(key) {
        Some(span) => span.widen(first, last),
        None => {
            map.insert(key.to_string(), DaySpan { first: first.to_string(), last: last.to_string() });
        }
    }
}

/// Changes the value under `key` with `f`, the key copied only when it is new.
fn update<V: Default>(map: &mut BTreeMap<String, V>, key: &str, f: impl FnOnce(&mut V)) {
    match map.get_mut(key) {
        Some(v) => f(v),
        None => {
            let mut v = V::default();
            f(&mut v);
            map.insert(key.to_string(), v);
        }
    }
}

/// `s` in lower case: `s` itself when it has no capitals, else lowercased into `buf`.
fn lowercase<'a>(s: &'a str, buf: &'a mut String) -> &'a str {
    if !s.bytes().any(|b| b.is_ascii_uppercase()) {
        return s;
    }
    buf.clear();
    buf.push_str(s);
    buf.make_ascii_lowercase();
    buf
}

/// Adds `n` under `key` without allocating when the key exists.
fn add_to(map: &mut BTreeMap<String, u64>, key: &str, n: u64) {
    update(map, key, |v| *v = v.saturating_add(n));
}

fn bump(map: &mut BTreeMap<String, Counts>, key: &str, ok: u64, failed: u64, new_report: bool) {
    update(map, key, |c| {
        c.add(ok, failed);
        if new_report {
            c.reports = c.reports.saturating_add(1);
        }
    });
}

/// `YYYY-MM-DD` of a Unix time, UTC.
pub fn utc_day(t: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        Err(_) => "unknown".to_string(),
    }
}

/// A copy of an optional report string (one function, not six inlined copies: the report
/// worker's size).
#[inline(never)]
fn owned(s: &Option<Cow<'_, str>>) -> Option<String> {
    s.as_deref().map(str::to_string)
}

/// Policy lines (or TLSA records) in a form that compares equal when only formatting
/// differs: trimmed, MTA-STS `key:value` spacing and mx case unified, TLSA hex lowercased,
/// sorted and without repeats. Used to group what reporters saw and to compare it with a
/// live policy.
pub fn normalise_lines(ty: &PolicyType, lines: &[impl AsRef<str>]) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .map(|l| l.as_ref().trim())
        .filter(|l| !l.is_empty())
        .map(|l| match ty {
            PolicyType::Tlsa => l.to_ascii_lowercase(),
            PolicyType::Sts => match l.split_once(':') {
                Some((k, v)) if k.trim() == "mx" => format!("mx: {}", v.trim().to_ascii_lowercase()),
                Some((k, v)) => format!("{}: {}", k.trim(), v.trim()),
                None => l.to_string(),
            },
            _ => l.to_string(),
        })
        .collect();
    order::sort(&mut out);
    out.dedup();
    out
}

impl Summary {
    /// Distinct failure groups kept with every detail. Beyond this, new combinations are
    /// grouped by day, organisation, policy and result type only, so that memory stays
    /// bounded however varied the failures.
    pub const MAX_FAILURE_GROUPS: usize = 50_000;

    /// An empty summary.
    pub fn new() -> Summary {
        Summary::default()
    }

    /// Adds `report`, which came from `origin`. Returns false (and counts nothing but the
    /// duplicate) if a report with the same organisation and id was added before.
    pub fn add(&mut self, report: &Report, origin: &str) -> bool {
        if !report.report_id.is_empty() {
            let identity = (report.organization_name.to_string(), report.report_id.to_string());
            if !self.seen.insert(identity) {
                self.duplicates = self.duplicates.saturating_add(1);
                self.duplicate_list.push(Duplicate {
                    organisation: report.organization_name.to_string(),
                    report_id: report.report_id.to_string(),
                    origin: origin.to_string(),
                });
                return false;
            }
        }
        self.reports = self.reports.saturating_add(1);
        let (ok, failed) = (report.successful(), report.failed());
        self.successful = self.successful.saturating_add(ok);
        self.failed = self.failed.saturating_add(failed);
        // A total at the very top of u64 is only ever reached by saturating.
        self.saturated |= [self.successful, self.failed, ok, failed].contains(&u64::MAX);
        if let Some(s) = report.start {
            self.first_start = Some(self.first_start.map_or(s, |f| f.min(s)));
        }
        if let Some(e) = report.end {
            self.last_end = Some(self.last_end.map_or(e, |l| l.max(e)));
        }
        // Every key below is looked up before it is copied: a key seen before costs no
        // allocation (the day's name is kept as bytes; an MX name is lowercased into a
        // buffer only when it has capitals).
        let day_bytes = report.start.and_then(|t| {
            *self.day_names.entry(t.div_euclid(86_400)).or_insert_with(|| utc_day(t).into_bytes().try_into().ok())
        });
        let day = day_bytes.as_ref().and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("unknown");
        let org: &str = &report.organization_name;
        bump(&mut self.by_day, day, ok, failed, true);
        bump(&mut self.by_org, org, ok, failed, true);
        // Kept across reports, so that lowercasing costs no allocation either.
        let mut lower = std::mem::take(&mut self.lower);
        for (i, p) in report.policies.iter().enumerate() {
            let domain = p.policy_domain.as_deref().unwrap_or("(unknown)");
            let earlier = report.policies.get(..i).unwrap_or_default();
            let first_domain = !earlier.iter().any(|q| q.policy_domain.as_deref().unwrap_or("(unknown)") == domain);
            bump(&mut self.by_policy_domain, domain, p.successful, p.failed, first_domain);
            let ty = p.policy_type.as_str();
            let first_type = !earlier.iter().any(|q| q.policy_type.as_str() == ty);
            bump(&mut self.by_policy_type, ty, p.successful, p.failed, first_type);
            self.add_policy(p, domain, org);
            for d in &p.failure_details {
                let n = d.failed_session_count;
                add_to(&mut self.result_types, &d.result_type, n);
                let mx = d.receiving_mx_hostname.as_deref().map(|m| lowercase(m, &mut lower));
                let count = |m: &mut MxFailures| {
                    m.failed = m.failed.saturating_add(n);
                    add_to(&mut m.result_types, &d.result_type, n);
                };
                if let Some(mx) = mx {
                    update(&mut self.by_mx, mx, count);
                }
                if ty == "sts" {
                    let mx = mx.unwrap_or(NO_MX);
                    if day != "unknown" {
                        update(&mut self.sts_failure_days, mx, |spans| widen_days(spans, &d.result_type, day, day));
                    }
                    update(&mut self.sts_failures_by_mx, mx, count);
                }
                if let Some(ip) = &d.receiving_ip {
                    add_to(&mut self.by_receiving_ip, ip, n);
                }
                if let Some(ip) = &d.sending_mta_ip {
                    add_to(&mut self.by_sending_ip, ip, n);
                }
                let at = FailureAt { day, org, domain, ty, report_id: &report.report_id, origin };
                self.add_failure(&at, d);
            }
        }
        self.lower = lower;
        true
    }

    fn add_policy(&mut self, p: &PolicyResult, domain: &str, org: &str) {
        let mut h = process_hasher();
        (p.policy_type.as_str(), domain, &p.policy_string).hash(&mut h);
        let raw = h.finish();
        // A policy seen before: found through its hash without building its key.
        let known = self.policy_keys.get(&raw).and_then(|k| self.policies.get_mut(k.as_str()));
        if let Some(seen) = known {
            seen.reports = seen.reports.saturating_add(1);
            seen.successful = seen.successful.saturating_add(p.successful);
            seen.failed = seen.failed.saturating_add(p.failed);
            if !seen.organisations.contains(org) {
                seen.organisations.insert(org.to_string());
            }
            return;
        }
        let key = match self.policy_keys.get(&raw) {
            Some(k) => k.clone(),
            None => {
                let lines = normalise_lines(&p.policy_type, &p.policy_string);
                let key = policy_key(&p.policy_type, domain, &lines);
                self.policy_keys.insert(raw, key.clone());
                key
            }
        };
        let seen = self.policies.entry(key).or_insert_with(|| PolicySeen {
            policy_type: p.policy_type.clone(),
            policy_domain: domain.to_string(),
            lines: normalise_lines(&p.policy_type, &p.policy_string),
            published: p.policy_string.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).map(str::to_string).collect(),
            reports: 0,
            successful: 0,
            failed: 0,
            organisations: BTreeSet::new(),
        });
        seen.reports = seen.reports.saturating_add(1);
        seen.successful = seen.successful.saturating_add(p.successful);
        seen.failed = seen.failed.saturating_add(p.failed);
        if !seen.organisations.contains(org) {
            seen.organisations.insert(org.to_string());
        }
    }

    fn add_failure(&mut self, at: &FailureAt<'_>, d: &FailureDetail) {
        if self.failures.len() >= Self::MAX_FAILURE_GROUPS {
            self.coarse_failures = self.coarse_failures.saturating_add(1);
            let coarse = FailureDetail {
                result_type: Cow::Borrowed(&d.result_type),
                failed_session_count: d.failed_session_count,
                ..FailureDetail::default()
            };
            if self.failures.len() >= Self::MAX_FAILURE_GROUPS + 10_000 {
                // Even coarse groups are capped; these sessions stay in the totals, result
                // types and MX/IP breakdowns, only the drill-down row is not kept.
                return;
            }
            return self.add_failure_row(at, &coarse);
        }
        self.add_failure_row(at, d);
    }

    fn add_failure_row(&mut self, at: &FailureAt<'_>, d: &FailureDetail) {
        let n = d.failed_session_count;
        let fields = (
            at.day,
            at.org,
            at.domain,
            at.ty,
            &*d.result_type,
            d.sending_mta_ip.as_deref(),
            d.receiving_mx_hostname.as_deref(),
            d.receiving_mx_helo.as_deref(),
            d.receiving_ip.as_deref(),
            d.failure_reason_code.as_deref(),
            d.additional_information.as_deref(),
        );
        let hash = match self.find_group(&fields, None) {
            Ok(at) => {
                if let Some(row) = self.failures.get_mut(at) {
                    row.sessions = row.sessions.saturating_add(n);
                }
                return;
            }
            Err(hash) => hash,
        };
        let key = FailureKey {
            day: at.day.to_string(),
            organisation: at.org.to_string(),
            policy_domain: at.domain.to_string(),
            policy_type: at.ty.to_string(),
            result_type: d.result_type.to_string(),
            sending_mta_ip: owned(&d.sending_mta_ip),
            receiving_mx_hostname: owned(&d.receiving_mx_hostname),
            receiving_mx_helo: owned(&d.receiving_mx_helo),
            receiving_ip: owned(&d.receiving_ip),
            failure_reason_code: owned(&d.failure_reason_code),
            additional_information: owned(&d.additional_information),
        };
        let row = FailureRow { key, sessions: n, report_id: at.report_id.to_string(), origin: at.origin.to_string() };
        self.push_group(row, hash);
    }

    /// Where the failure group with these fields is in `failures`, or, when there is none,
    /// the fields' hash to add it under ([`Summary::push_group`]): a new group's fields are
    /// hashed once.
    fn find_group(&mut self, fields: &GroupFields<'_>, hash: Option<u64>) -> Result<usize, u64> {
        self.index_groups();
        let hash = hash.unwrap_or_else(|| hash_fields(fields));
        let mut at = *self.failure_index.get(&hash).ok_or(hash)?;
        while let Some(row) = self.failures.get(at) {
            if group_fields(&row.key) == *fields {
                return Ok(at);
            }
            at = self.failure_next.get(at).copied().unwrap_or(usize::MAX);
        }
        Err(hash)
    }

    /// Appends a new failure group whose fields hash to `hash`, after
    /// [`Summary::find_group`] found none.
    fn push_group(&mut self, row: FailureRow, hash: u64) {
        self.index_groups();
        self.failures.push(row);
        let before = self.failure_index.insert(hash, self.indexed);
        self.failure_next.push(before.unwrap_or(usize::MAX));
        self.indexed = self.indexed.saturating_add(1);
    }

    /// Indexes the groups not yet in `failure_index` (all of them after deserializing).
    fn index_groups(&mut self) {
        while let Some(row) = self.failures.get(self.indexed) {
            let before = self.failure_index.insert(hash_fields(&group_fields(&row.key)), self.indexed);
            self.failure_next.push(before.unwrap_or(usize::MAX));
            self.indexed = self.indexed.saturating_add(1);
        }
    }

    /// The hash of each failure group this summary indexed (its fields', as
    /// [`hash_fields`] makes it), read back from the index: a merge need not hash the
    /// groups it takes over again.
    fn group_hashes(&self) -> Vec<Option<u64>> {
        let mut hashes = vec![None; self.failures.len()];
        for (&hash, &newest) in &self.failure_index {
            let mut at = newest;
            while let Some(h) = hashes.get_mut(at) {
                *h = Some(hash);
                at = self.failure_next.get(at).copied().unwrap_or(usize::MAX);
            }
        }
        hashes
    }

    /// Adds `later`, the summary of inputs that come after this one's, as if its reports had
    /// been added here one by one. Exact when no report of `later` was already counted here
    /// (see [`Summary::overlap`]) and the failure groups stay under
    /// [`Summary::MAX_FAILURE_GROUPS`]; past that cap, `later`'s groups are made coarse
    /// whole (one pass would have made coarse only the details after the cap), while every
    /// total, breakdown and per-MX count stays exact.
    pub fn merge(&mut self, mut later: Summary) {
        if self.is_pristine() {
            // Nothing here yet (the first run a page merges): take `later` whole, which is
            // what adding it field by field would make, without re-grouping its failures.
            let assumed = std::mem::take(&mut later.assumed);
            later.seen.retain(|r| !assumed.contains(r));
            *self = later;
            return;
        }
        let hashes = later.group_hashes();
        self.reports = self.reports.saturating_add(later.reports);
        self.duplicates = self.duplicates.saturating_add(later.duplicates);
        self.successful = self.successful.saturating_add(later.successful);
        self.failed = self.failed.saturating_add(later.failed);
        self.saturated |= later.saturated || [self.successful, self.failed].contains(&u64::MAX);
        self.first_start = match (self.first_start, later.first_start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_end = match (self.last_end, later.last_end) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        merge_numbers(&mut self.result_types, later.result_types);
        merge_counts(&mut self.by_day, later.by_day);
        merge_counts(&mut self.by_org, later.by_org);
        merge_counts(&mut self.by_policy_domain, later.by_policy_domain);
        merge_counts(&mut self.by_policy_type, later.by_policy_type);
        merge_mx(&mut self.by_mx, later.by_mx);
        merge_mx(&mut self.sts_failures_by_mx, later.sts_failures_by_mx);
        for (mx, spans) in later.sts_failure_days {
            let into = self.sts_failure_days.entry(mx).or_default();
            for (ty, span) in spans {
                widen_days(into, &ty, &span.first, &span.last);
            }
        }
        merge_numbers(&mut self.by_receiving_ip, later.by_receiving_ip);
        merge_numbers(&mut self.by_sending_ip, later.by_sending_ip);
        for (key, p) in later.policies {
            match self.policies.get_mut(&key) {
                Some(seen) => {
                    seen.reports = seen.reports.saturating_add(p.reports);
                    seen.successful = seen.successful.saturating_add(p.successful);
                    seen.failed = seen.failed.saturating_add(p.failed);
                    seen.organisations.extend(p.organisations);
                }
                None => {
                    self.policies.insert(key, p);
                }
            }
        }
        self.coarse_failures = self.coarse_failures.saturating_add(later.coarse_failures);
        for (row, hash) in later.failures.into_iter().zip(hashes) {
            self.merge_group(row, hash);
        }
        self.duplicate_list.extend(later.duplicate_list);
        let assumed = later.assumed;
        self.seen.extend(later.seen.into_iter().filter(|r| !assumed.contains(r)));
    }

    /// Nothing counted, seen or assumed: a new summary.
    fn is_pristine(&self) -> bool {
        self.reports == 0
            && self.duplicates == 0
            && self.successful == 0
            && self.failed == 0
            && self.coarse_failures == 0
            && !self.saturated
            && self.first_start.is_none()
            && self.last_end.is_none()
            && self.seen.is_empty()
            && self.assumed.is_empty()
            && self.failures.is_empty()
            && self.policies.is_empty()
            && self.by_day.is_empty()
            && self.by_mx.is_empty()
            && self.duplicate_list.is_empty()
    }

    /// Adds a failure group of a later summary, `hash` being its fields' hash there.
    fn merge_group(&mut self, mut row: FailureRow, mut hash: Option<u64>) {
        if self.failures.len() >= Self::MAX_FAILURE_GROUPS {
            // Made coarse: its fields, and so their hash, change.
            hash = None;
            let k = &mut row.key;
            let details = [
                &mut k.sending_mta_ip,
                &mut k.receiving_mx_hostname,
                &mut k.receiving_mx_helo,
                &mut k.receiving_ip,
                &mut k.failure_reason_code,
                &mut k.additional_information,
            ];
            let taken: Vec<Option<String>> = details.into_iter().map(Option::take).collect();
            let was_fine = taken.iter().any(Option::is_some);
            self.coarse_failures = self.coarse_failures.saturating_add(u64::from(was_fine));
        }
        match self.find_group(&group_fields(&row.key), hash) {
            Ok(at) => {
                if let Some(found) = self.failures.get_mut(at) {
                    found.sessions = found.sessions.saturating_add(row.sessions);
                }
            }
            Err(hash) if self.failures.len() < Self::MAX_FAILURE_GROUPS + 10_000 => self.push_group(row, hash),
            Err(_) => {}
        }
    }

    /// The reports (organisation, report id) that `later` counted and this summary counted
    /// already, sorted: merging would count them twice. Redo `later`'s inputs after
    /// [`Summary::assume_counted`] of these, then merge.
    pub fn overlap(&self, later: &Summary) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = later.counted().filter(|r| self.seen.contains(*r)).cloned().collect();
        order::sort(&mut out);
        out
    }

    /// Treats these reports (organisation, report id) as counted before this summary's
    /// inputs: adding one of them makes it a duplicate.
    pub fn assume_counted(&mut self, reports: impl IntoIterator<Item = (String, String)>) {
        for r in reports {
            self.seen.insert(r.clone());
            self.assumed.insert(r);
        }
    }

    /// The reports (organisation, report id) this summary counted, in no particular order:
    /// what a summary sent to another thread must take along ([`Summary::restore_counted`])
    /// to keep telling duplicates.
    pub fn counted(&self) -> impl Iterator<Item = &(String, String)> {
        self.seen.iter().filter(|r| !self.assumed.contains(*r))
    }

    /// Gives a deserialized summary back the reports it counted ([`Summary::counted`]).
    pub fn restore_counted(&mut self, reports: impl IntoIterator<Item = (String, String)>) {
        self.seen.extend(reports);
    }

    /// Successful sessions as a share of all, if there were any.
    pub fn success_rate(&self) -> Option<f64> {
        Counts { reports: self.reports, successful: self.successful, failed: self.failed }.success_rate()
    }

    /// Failure groups, most sessions first.
    pub fn top_failures(&self, n: usize) -> Vec<&FailureRow> {
        let mut rows: Vec<&FailureRow> = self.failures.iter().collect();
        order::sort_by(&mut rows, |a, b| b.sessions.cmp(&a.sessions).then_with(|| a.key.cmp(&b.key)));
        rows.truncate(n);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls_rpt::report::parse;

    fn report(org: &str, id: &str, day: &str, ok: u64, fails: &[(&str, &str, u64)]) -> Report<'static> {
        let details: Vec<String> = fails
            .iter()
            .map(|(ty, mx, n)| format!(r#"{{"result-type":"{ty}","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"{mx}","failed-session-count":{n}}}"#))
            .collect();
        let failed: u64 = fails.iter().map(|f| f.2).sum();
        let json = format!(
            r#"{{"organization-name":"{org}","date-range":{{"start-datetime":"{day}T00:00:00Z","end-datetime":"{day}T23:59:59Z"}},"contact-info":"x@{org}","report-id":"{id}","policies":[{{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: *.example.com","max_age: 86400"],"policy-domain":"example.com"}},"summary":{{"total-successful-session-count":{ok},"total-failure-session-count":{failed}}},"failure-details":[{}]}}]}}"#,
            details.join(",")
        );
        parse(json.as_bytes()).value.unwrap().into_owned()
    }

    #[test]
    fn totals_breakdowns_and_duplicates() {
        let mut s = Summary::new();
        assert!(s.add(
            &report("google.com", "a", "2024-01-01", 100, &[("certificate-expired", "mx1.example.com", 3)]),
            "a.json"
        ));
        assert!(s.add(&report("microsoft.com", "b", "2024-01-01", 50, &[]), "b.json"));
        assert!(s.add(
            &report(
                "google.com",
                "c",
                "2024-01-02",
                10,
                &[("certificate-expired", "MX1.example.com", 2), ("starttls-not-supported", "mx2.example.com", 1)]
            ),
            "c.json"
        ));
        assert!(!s.add(&report("google.com", "a", "2024-01-01", 100, &[]), "a-copy.json"));
        assert_eq!((s.reports, s.duplicates, s.successful, s.failed), (3, 1, 160, 6));
        assert_eq!(s.duplicate_list[0].origin, "a-copy.json");
        assert_eq!(s.by_day["2024-01-01"], Counts { reports: 2, successful: 150, failed: 3 });
        assert_eq!(s.by_org["google.com"], Counts { reports: 2, successful: 110, failed: 6 });
        assert_eq!(s.result_types["certificate-expired"], 5);
        assert_eq!(s.by_mx["mx1.example.com"].failed, 5);
        assert_eq!(s.by_sending_ip["192.0.2.1"], 6);
        assert_eq!(s.policies.len(), 1, "same policy from two organisations");
        let p = s.policies.values().next().unwrap();
        assert_eq!(p.reports, 3);
        assert_eq!(p.organisations.len(), 2);
        assert_eq!(
            p.published,
            ["version: STSv1", "mode: testing", "mx: *.example.com", "max_age: 86400"],
            "as published"
        );
        assert_eq!(p.lines[0], "max_age: 86400", "sorted for grouping");
        assert_eq!(s.top_failures(1)[0].sessions, 3);
        assert!((s.success_rate().unwrap() - 160.0 / 166.0).abs() < 1e-9);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["by_day"][0]["key"], "2024-01-01");
        assert_eq!(json["by_mx"][0]["key"], "mx1.example.com");
    }

    #[test]
    fn failure_groups_are_capped() {
        let mut s = Summary::new();
        for i in 0..(Summary::MAX_FAILURE_GROUPS + 20_100) {
            let mut r = report("o", &format!("id{i}"), "2024-01-01", 0, &[("validation-failure", "mx.example.com", 1)]);
            r.policies[0].failure_details[0].sending_mta_ip =
                Some(format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255).into());
            s.add(&r, "x");
        }
        assert_eq!(s.failures.len(), Summary::MAX_FAILURE_GROUPS + 1, "beyond the cap, one coarse group");
        assert_eq!(s.coarse_failures, 20_100);
        assert_eq!(s.failed, (Summary::MAX_FAILURE_GROUPS + 20_100) as u64);
        assert_eq!(s.failures.iter().map(|r| r.sessions).sum::<u64>(), s.failed);
    }

    #[test]
    fn policy_lines_are_normalised() {
        let a = normalise_lines(&PolicyType::Sts, &["version: STSv1", "mx: a", " max_age: 1 "]);
        let b = normalise_lines(&PolicyType::Sts, &["max_age:1", "version: STSv1", "mx:  A"]);
        assert_eq!(a, b);
        assert_eq!(normalise_lines(&PolicyType::Tlsa, &["3 1 1 ABCD"]), ["3 1 1 abcd"]);
    }

    #[test]
    fn days() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1_459_468_800), "2016-04-01");
    }
}
