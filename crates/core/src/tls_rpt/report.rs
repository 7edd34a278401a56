//! One TLS-RPT aggregate report (RFC 8460 §4), read from its JSON.
//!
//! ```text
//! {
//!   "organization-name": organization-name,
//!   "date-range": { "start-datetime": date-time, "end-datetime": date-time },
//!   "contact-info": email-address,
//!   "report-id": report-id,
//!   "policies": [{
//!     "policy": { "policy-type": policy-type, "policy-string": policy-string,
//!                 "policy-domain": domain, "mx-host": mx-host-pattern },
//!     "summary": { "total-successful-session-count": ..., "total-failure-session-count": ... },
//!     "failure-details": [{ "result-type": ..., "sending-mta-ip": ..., "receiving-mx-hostname": ...,
//!                           "receiving-mx-helo": ..., "receiving-ip": ..., "failed-session-count": ...,
//!                           "additional-information": ..., "failure-reason-code": ... }]
//!   }]
//! }
//! ```
//!
//! Real senders bend this schema, and a report is never rejected for what a real sender
//! does: every quirk is read and recorded as a finding with a JSON pointer (date-times
//! without a zone, `mx-host` as string or array or under the prose's name
//! `mx-host-pattern`, `additional-info-uri` for `additional-information`, Microsoft's TLSA
//! `policy-string` holding a JSON array, nulls, empty IPs, missing optional members). Only
//! input that is not a JSON object yields no report.

use std::borrow::Cow;

use serde::Serialize;

use crate::code::Code;
use crate::finding::{Finding, Parsed, Span};
use crate::tls_rpt::json::{Json, Member as N, Object};

/// The type of the policy the sender applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyType {
    /// MTA-STS.
    Sts,
    /// DANE TLSA.
    Tlsa,
    /// Neither was found.
    NoPolicyFound,
    /// Something else, kept as written.
    Other(String),
}

impl PolicyType {
    /// The name as reports write it.
    pub fn as_str(&self) -> &str {
        match self {
            PolicyType::Sts => "sts",
            PolicyType::Tlsa => "tlsa",
            PolicyType::NoPolicyFound => "no-policy-found",
            PolicyType::Other(s) => s,
        }
    }

    /// The type a report names (anything unknown kept as written).
    pub fn from_name(name: &str) -> PolicyType {
        match name {
            "sts" => PolicyType::Sts,
            "tlsa" => PolicyType::Tlsa,
            "no-policy-found" => PolicyType::NoPolicyFound,
            other => PolicyType::Other(other.to_string()),
        }
    }
}

impl Serialize for PolicyType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for PolicyType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PolicyType, D::Error> {
        Ok(PolicyType::from_name(&<std::borrow::Cow<'de, str>>::deserialize(d)?))
    }
}

/// The result types RFC 8460 §4.3 defines.
pub const KNOWN_RESULT_TYPES: [&str; 11] = [
    "starttls-not-supported",
    "certificate-host-mismatch",
    "certificate-expired",
    "certificate-not-trusted",
    "validation-failure",
    "tlsa-invalid",
    "dnssec-invalid",
    "dane-required",
    "sts-policy-fetch-error",
    "sts-policy-invalid",
    "sts-webpki-invalid",
];

/// One entry of `failure-details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FailureDetail<'a> {
    /// `result-type`, kept as written even when unknown.
    pub result_type: Cow<'a, str>,
    /// `sending-mta-ip`.
    pub sending_mta_ip: Option<Cow<'a, str>>,
    /// `receiving-mx-hostname`.
    pub receiving_mx_hostname: Option<Cow<'a, str>>,
    /// `receiving-mx-helo`.
    pub receiving_mx_helo: Option<Cow<'a, str>>,
    /// `receiving-ip`.
    pub receiving_ip: Option<Cow<'a, str>>,
    /// `failed-session-count`.
    pub failed_session_count: u64,
    /// `additional-information` (or `additional-info-uri`).
    pub additional_information: Option<Cow<'a, str>>,
    /// `failure-reason-code`.
    pub failure_reason_code: Option<Cow<'a, str>>,
}

/// One entry of `policies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyResult<'a> {
    /// `policy-type`.
    pub policy_type: PolicyType,
    /// `policy-string`, one element per line or TLSA record.
    pub policy_string: Vec<Cow<'a, str>>,
    /// `policy-domain`.
    pub policy_domain: Option<Cow<'a, str>>,
    /// `mx-host`, always as a list.
    pub mx_host: Vec<Cow<'a, str>>,
    /// `total-successful-session-count`.
    pub successful: u64,
    /// `total-failure-session-count` (or the sum of the details when missing).
    pub failed: u64,
    /// `failure-details`.
    pub failure_details: Vec<FailureDetail<'a>>,
}

/// A report as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report<'a> {
    /// `organization-name` (empty when missing).
    pub organization_name: Cow<'a, str>,
    /// `report-id` (empty when missing).
    pub report_id: Cow<'a, str>,
    /// `contact-info`.
    pub contact_info: Option<Cow<'a, str>>,
    /// `start-datetime` as Unix seconds, UTC.
    pub start: Option<i64>,
    /// `end-datetime` as Unix seconds, UTC.
    pub end: Option<i64>,
    /// `policies`.
    pub policies: Vec<PolicyResult<'a>>,
}

impl Report<'_> {
    /// The report with every string owned, to keep beyond the bytes it was read from.
    pub fn into_owned(self) -> Report<'static> {
        Report {
            organization_name: own(self.organization_name),
            report_id: own(self.report_id),
            contact_info: self.contact_info.map(own),
            start: self.start,
            end: self.end,
            policies: self.policies.into_iter().map(PolicyResult::into_owned).collect(),
        }
    }

    /// Successful sessions over all policies (saturating: counts are sender-controlled, and
    /// a report whose counts overflow carries a `report/count-overflow` finding).
    pub fn successful(&self) -> u64 {
        self.policies.iter().fold(0u64, |n, p| n.saturating_add(p.successful))
    }

    /// Failed sessions over all policies (saturating, as [`Report::successful`]).
    pub fn failed(&self) -> u64 {
        self.policies.iter().fold(0u64, |n, p| n.saturating_add(p.failed))
    }
}

impl PolicyResult<'_> {
    /// The policy's results with every string owned.
    pub fn into_owned(self) -> PolicyResult<'static> {
        PolicyResult {
            policy_type: self.policy_type,
            policy_string: self.policy_string.into_iter().map(own).collect(),
            policy_domain: self.policy_domain.map(own),
            mx_host: self.mx_host.into_iter().map(own).collect(),
            successful: self.successful,
            failed: self.failed,
            failure_details: self.failure_details.into_iter().map(FailureDetail::into_owned).collect(),
        }
    }
}

impl FailureDetail<'_> {
    /// The detail with every string owned.
    pub fn into_owned(self) -> FailureDetail<'static> {
        FailureDetail {
            result_type: own(self.result_type),
            sending_mta_ip: self.sending_mta_ip.map(own),
            receiving_mx_hostname: self.receiving_mx_hostname.map(own),
            receiving_mx_helo: self.receiving_mx_helo.map(own),
            receiving_ip: self.receiving_ip.map(own),
            failed_session_count: self.failed_session_count,
            additional_information: self.additional_information.map(own),
            failure_reason_code: self.failure_reason_code.map(own),
        }
    }
}

fn own(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

fn esc(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

/// A JSON pointer under construction: a chain of borrowed segments, rendered to a string
/// only when a finding needs it (most members never do).
#[derive(Clone, Copy)]
struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Ptr<'a> {
    const ROOT: Ptr<'static> = Ptr { parent: None, seg: Seg::Root };

    fn key<'b>(&'b self, k: &'b str) -> Ptr<'b>
    where
        'a: 'b,
    {
        Ptr { parent: Some(self), seg: Seg::Key(k) }
    }

    fn index<'b>(&'b self, i: usize) -> Ptr<'b>
    where
        'a: 'b,
    {
        Ptr { parent: Some(self), seg: Seg::Index(i) }
    }

    fn render(&self) -> String {
        let mut out = self.parent.map_or_else(String::new, Ptr::render);
        match self.seg {
            Seg::Root => {}
            Seg::Key(k) => {
                out.push('/');
                out.push_str(&esc(k));
            }
            Seg::Index(i) => {
                out.push('/');
                out.push_str(&i.to_string());
            }
        }
        out
    }
}

fn join(base: &Ptr<'_>, key: impl AsRef<str>) -> String {
    base.key(key.as_ref()).render()
}

fn type_name(v: &Json<'_>) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Whether a member must be there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
}

struct Reader {
    findings: Vec<Finding>,
}

impl Reader {
    fn push(&mut self, code: Code, pointer: String, detail: impl Into<String>) {
        self.findings.push(Finding::at_pointer(code, pointer, detail));
    }

    /// A member that should be a string. Numbers are stringified (with a finding).
    fn string<'a>(&mut self, obj: &mut Object<'a>, key: N, base: &Ptr<'_>, need: Need) -> Option<Cow<'a, str>> {
        match obj.get_mut(key) {
            None => {
                if need == Need::Required {
                    self.push(Code::ReportMissingField, base.render(), format!("\"{key}\""));
                }
                None
            }
            Some(Json::Null) => {
                self.push(Code::ReportNullField, join(base, key), format!("\"{key}\""));
                None
            }
            // The string is moved out of the parsed document: borrowed from the input
            // unless it held an escape.
            Some(Json::String(s)) => Some(std::mem::take(s)),
            Some(Json::Number(n)) => {
                self.push(Code::ReportWrongType, join(base, key), format!("\"{key}\" is a number, expected a string"));
                Some(Cow::Owned(n.to_string()))
            }
            Some(other) => {
                self.push(
                    Code::ReportWrongType,
                    join(base, key),
                    format!("\"{key}\" is {}, expected a string", type_name(other)),
                );
                None
            }
        }
    }

    /// A member that should be a non-negative integer.
    fn count(&mut self, obj: &Object<'_>, key: N, base: &Ptr<'_>, need: Need) -> Option<u64> {
        // The pointer is only built on the (rare) paths that report something.
        let p = || join(base, key);
        match obj.get(key) {
            None => {
                if need == Need::Required {
                    self.push(Code::ReportMissingField, base.render(), format!("\"{key}\""));
                }
                None
            }
            Some(Json::Null) => {
                self.push(Code::ReportNullField, p(), format!("\"{key}\""));
                None
            }
            Some(Json::Number(n)) => {
                if let Some(u) = n.as_u64() {
                    Some(u)
                } else if n.as_i64().is_some() {
                    self.push(Code::ReportNegativeCount, p(), format!("\"{key}\" is {n}"));
                    Some(0)
                } else {
                    let f = n.as_f64().unwrap_or(0.0);
                    self.push(Code::ReportWrongType, p(), format!("\"{key}\" is {n}, expected an integer"));
                    if f < 0.0 {
                        Some(0)
                    } else {
                        // Truncation is the best reading of a fractional count.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        Some(f as u64)
                    }
                }
            }
            Some(Json::String(s)) => {
                self.push(Code::ReportWrongType, p(), format!("\"{key}\" is the string {s:?}, expected a number"));
                s.trim().parse::<u64>().ok().or(Some(0))
            }
            Some(other) => {
                self.push(
                    Code::ReportWrongType,
                    p(),
                    format!("\"{key}\" is {}, expected an integer", type_name(other)),
                );
                Some(0)
            }
        }
    }

    fn ip<'a>(&mut self, obj: &mut Object<'a>, key: N, base: &Ptr<'_>) -> Option<Cow<'a, str>> {
        let s = self.string(obj, key, base, Need::Optional)?;
        let t = s.trim();
        if t.is_empty() {
            self.push(Code::ReportEmptyIp, join(base, key), format!("\"{key}\""));
            return None;
        }
        if t.parse::<std::net::IpAddr>().is_err() {
            self.push(Code::ReportBadIp, join(base, key), format!("\"{key}\" is {t:?}"));
        }
        Some(if t.len() == s.len() { s } else { Cow::Owned(t.to_string()) })
    }

    fn unknown_members(&mut self, obj: &Object<'_>, known: &[N], base: &Ptr<'_>) {
        // Almost every object has only known members: nothing is listed or sorted then.
        if obj.has_only(known) {
            return;
        }
        for key in obj.keys().into_iter().filter(|k| !known.iter().any(|n| n.as_str() == *k)) {
            self.push(Code::ReportUnknownField, join(base, key), format!("\"{key}\""));
        }
    }

    fn datetime(&mut self, obj: &mut Object<'_>, key: N, base: &Ptr<'_>) -> Option<i64> {
        let s = self.string(obj, key, base, Need::Required)?;
        match parse_datetime(&s) {
            Some((t, true)) => Some(t),
            Some((t, false)) => {
                self.push(Code::ReportDatetimeNoTimezone, join(base, key), format!("{s:?}"));
                Some(t)
            }
            None => {
                self.push(Code::ReportBadDatetime, join(base, key), format!("{s:?}"));
                None
            }
        }
    }
}

/// Parses an RFC 3339 date-time to Unix seconds; the flag is false when the zone was
/// missing and UTC was assumed.
pub fn parse_datetime(s: &str) -> Option<(i64, bool)> {
    // RFC 3339 §5.6 read by hand: `time`'s format-description parser costs the web bundle
    // about 9 KB gzipped (measured 2026-12-01, BENCHMARKS.md), for one fixed format; and its
    // calendar types cost a report 4 % of its reading (session 14), for two dates.
    let b = s.trim().as_bytes();
    let at = |i: usize, ok: &[u8]| b.get(i).is_some_and(|c| ok.contains(c));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
    let (hour, minute, second) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    // A leap second (60) counts as the last second of its minute.
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // Every number below is bounded (four-digit years, two-digit fields), so the wrapping
    // operations never wrap; they say so to the arithmetic lint.
    let mut i: usize = 19;
    if at(i, b".") {
        let fraction = b.get(20..).map_or(0, |f| f.iter().take_while(|c| c.is_ascii_digit()).count());
        if fraction == 0 {
            return None;
        }
        i = i.wrapping_add(1).wrapping_add(fraction);
    }
    let clock = hour.wrapping_mul(3600).wrapping_add(minute.wrapping_mul(60)).wrapping_add(second.min(59));
    let local = days_from_civil(year, month, day).wrapping_mul(DAY).wrapping_add(i64::from(clock));
    match b.get(i..)? {
        [] => Some((local, false)),
        [b'Z' | b'z'] => Some((local, true)),
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(b, i.wrapping_add(1), 2)?, digits(b, i.wrapping_add(4), 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let offset = i64::from(h.wrapping_mul(3600).wrapping_add(m.wrapping_mul(60)));
            Some((if *sign == b'+' { local.wrapping_sub(offset) } else { local.wrapping_add(offset) }, true))
        }
        _ => None,
    }
}

/// The `len` (at most 4) ASCII digits at `from`, as a number.
fn digits(b: &[u8], from: usize, len: usize) -> Option<u32> {
    let d = b.get(from..from.checked_add(len)?)?;
    d.iter().try_fold(0u32, |n, c| {
        let v = c.wrapping_sub(b'0');
        (v <= 9).then(|| n.wrapping_mul(10).wrapping_add(u32::from(v)))
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year & 3 == 0 && (year.wrapping_rem(100) != 0 || year.wrapping_rem(400) == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date of years 0 to 9999 (H. Hinnant's
/// `days_from_civil`, counted from 1 March of year -400 so that nothing is negative).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year).wrapping_add(400).wrapping_sub(i64::from(month <= 2));
    let (era, yoe) = (y.wrapping_div(400), y.wrapping_rem(400));
    let mp = i64::from(month.wrapping_add(9).wrapping_rem(12));
    let doy = mp.wrapping_mul(153).wrapping_add(2).wrapping_div(5).wrapping_add(i64::from(day)).wrapping_sub(1);
    let doe =
        yoe.wrapping_mul(365).wrapping_add(yoe.wrapping_div(4)).wrapping_sub(yoe.wrapping_div(100)).wrapping_add(doy);
    era.wrapping_mul(146_097).wrapping_add(doe).wrapping_sub(719_468 + 146_097)
}

const DAY: i64 = 86_400;

/// Reads one report from its JSON bytes.
///
/// The value is `None` only when the bytes are not a JSON object.
pub fn parse(json: &[u8]) -> Parsed<Option<Report<'_>>> {
    // Natively, valid UTF-8 throughout (nearly every report) is checked once here, so that
    // serde_json need not check each string again (that was 8 % of reading a report);
    // otherwise the bytes go as they are and serde_json says where the bad byte is. The
    // browser's build reads bytes only: a second reader is 1 KB of its report worker, and
    // the web bundle has no room for it (BENCHMARKS.md, session 12).
    #[cfg(not(target_arch = "wasm32"))]
    let parsed = match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(json),
    };
    #[cfg(target_arch = "wasm32")]
    let parsed = serde_json::from_slice(json);
    let mut value: Json<'_> = match parsed {
        Ok(v) => v,
        Err(e) => {
            let at = offset_of(json, e.line(), e.column());
            let f = Finding::new(Code::ReportNotJson, Span::at(at), format!("{e}"));
            return Parsed { value: None, findings: vec![f] };
        }
    };
    read(&mut value)
}

/// Reads one report from its parsed JSON; its strings are moved out.
fn read<'a>(value: &mut Json<'a>) -> Parsed<Option<Report<'a>>> {
    let mut r = Reader { findings: Vec::new() };
    let Json::Object(top) = value else {
        r.push(Code::ReportNotObject, String::new(), format!("it is {}", type_name(value)));
        return Parsed { value: None, findings: r.findings };
    };
    // Without policies and without a date range nothing in it can be counted on any day:
    // `{}` or some other JSON is not a report with quirks but not a report (issue 15).
    if !top.contains(N::POLICIES) && !top.contains(N::DATE_RANGE) {
        let names = top.keys();
        let keys: Vec<String> = names.iter().take(5).map(|k| format!("\"{k}\"")).collect();
        let detail = if keys.is_empty() {
            "it is an empty object".to_string()
        } else {
            format!("its members are {}{}", keys.join(", "), if names.len() > 5 { ", ..." } else { "" })
        };
        r.push(Code::ReportNotAReport, String::new(), detail);
        return Parsed { value: None, findings: r.findings };
    }
    r.unknown_members(
        top,
        &[N::ORGANIZATION_NAME, N::DATE_RANGE, N::CONTACT_INFO, N::REPORT_ID, N::POLICIES],
        &Ptr::ROOT,
    );
    let organization_name = r.string(top, N::ORGANIZATION_NAME, &Ptr::ROOT, Need::Required).unwrap_or_default();
    let report_id = r.string(top, N::REPORT_ID, &Ptr::ROOT, Need::Required).unwrap_or_default();
    let contact_info = match top.get(N::CONTACT_INFO) {
        None => {
            r.push(Code::ReportMissingContactInfo, String::new(), "");
            None
        }
        Some(_) => r.string(top, N::CONTACT_INFO, &Ptr::ROOT, Need::Optional),
    };
    let dr_ptr = Ptr::ROOT.key("date-range");
    let pol_ptr = Ptr::ROOT.key("policies");
    let (start, end) = match top.get_mut(N::DATE_RANGE) {
        Some(Json::Object(dr)) => {
            r.unknown_members(dr, &[N::START_DATETIME, N::END_DATETIME], &dr_ptr);
            let start = r.datetime(dr, N::START_DATETIME, &dr_ptr);
            let end = r.datetime(dr, N::END_DATETIME, &dr_ptr);
            check_range(&mut r, start, end);
            (start, end)
        }
        None => {
            r.push(Code::ReportMissingField, String::new(), "\"date-range\"");
            (None, None)
        }
        Some(other) => {
            r.push(
                Code::ReportWrongType,
                "/date-range".into(),
                format!("\"date-range\" is {}, expected an object", type_name(other)),
            );
            (None, None)
        }
    };
    let policies = match top.get_mut(N::POLICIES) {
        Some(Json::Array(items)) => {
            items.iter_mut().enumerate().filter_map(|(i, p)| policy(&mut r, p, &pol_ptr.index(i))).collect()
        }
        Some(obj @ Json::Object(_)) => {
            r.push(Code::ReportPoliciesNotArray, "/policies".into(), "");
            policy(&mut r, obj, &pol_ptr).into_iter().collect()
        }
        None => {
            r.push(Code::ReportMissingField, String::new(), "\"policies\"");
            Vec::new()
        }
        Some(other) => {
            r.push(
                Code::ReportWrongType,
                "/policies".into(),
                format!("\"policies\" is {}, expected an array", type_name(other)),
            );
            Vec::new()
        }
    };
    let report = Report { organization_name, report_id, contact_info, start, end, policies };
    let sums = |f: fn(&PolicyResult) -> u64| report.policies.iter().try_fold(0u64, |n, p| n.checked_add(f(p)));
    for (what, sum) in [("successful", sums(|p| p.successful)), ("failed", sums(|p| p.failed))] {
        if sum.is_none() {
            r.push(Code::ReportCountOverflow, "/policies".into(), format!("{what} sessions over all policies"));
        }
    }
    Parsed { value: Some(report), findings: r.findings }
}

fn check_range(r: &mut Reader, start: Option<i64>, end: Option<i64>) {
    let (Some(s), Some(e)) = (start, end) else { return };
    if e < s {
        r.push(Code::ReportDateRangeReversed, "/date-range".into(), "");
        return;
    }
    let whole_day = s.rem_euclid(DAY) == 0 && (e.saturating_sub(s) == DAY || e.saturating_sub(s) == DAY - 1);
    if !whole_day {
        let len = e.saturating_sub(s);
        let detail = if len > DAY {
            format!("it covers {} days", one_decimal(len, DAY))
        } else if s.rem_euclid(DAY) != 0 {
            "it does not start at 00:00 UTC".to_string()
        } else {
            format!("it covers {} hours", one_decimal(len, 3600))
        };
        r.push(Code::ReportNotUtcDay, "/date-range".into(), detail);
    }
}

/// `format!("{:.1}", num as f64 / den as f64)` for a positive `den`, without Rust's float
/// formatting: it was the only float formatting in the report worker, 15 KB of its code
/// (session 14). The quotient's exact binary value is rounded to tenths, ties to even, as
/// the formatter does.
fn one_decimal(num: i64, den: i64) -> String {
    #[allow(clippy::cast_precision_loss)] // As the formatter's input was.
    let q = num as f64 / den as f64;
    let bits = q.abs().to_bits();
    let exp = i32::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let mantissa = u128::from(bits & ((1 << 52) - 1));
    // A finite value is mantissa × 2^shift, exactly (subnormals have no implicit bit).
    let (m, shift) = if exp == 0 { (mantissa, -1074) } else { (mantissa | 1 << 52, exp.wrapping_sub(1075)) };
    let ten_m = m.wrapping_mul(10);
    let tenths = if shift >= 0 {
        u32::try_from(shift).ok().and_then(|s| ten_m.checked_shl(s)).unwrap_or(u128::MAX)
    } else {
        let s = shift.unsigned_abs();
        let whole = ten_m.checked_shr(s).unwrap_or(0);
        let rest = if s >= 128 { ten_m } else { ten_m & ((1u128 << s).wrapping_sub(1)) };
        let half = if s > 128 { u128::MAX } else { 1u128 << s.wrapping_sub(1) };
        let up = rest > half || (rest == half && whole % 2 == 1);
        whole.wrapping_add(u128::from(up))
    };
    let sign = if q.is_sign_negative() { "-" } else { "" };
    format!("{sign}{}.{}", tenths / 10, tenths % 10)
}

fn policy<'a>(r: &mut Reader, v: &mut Json<'a>, base: &Ptr<'_>) -> Option<PolicyResult<'a>> {
    let Json::Object(obj) = v else {
        r.push(Code::ReportWrongType, base.render(), format!("a policy entry is {}, expected an object", type_name(v)));
        return None;
    };
    r.unknown_members(obj, &[N::POLICY, N::SUMMARY, N::FAILURE_DETAILS], base);
    let mut empty = Object::default();
    let has_summary = obj.contains(N::SUMMARY);
    let pbase = base.key("policy");
    let pol = match obj.get_mut(N::POLICY) {
        Some(Json::Object(p)) => p,
        None => {
            r.push(Code::ReportMissingField, base.render(), "\"policy\"");
            &mut empty
        }
        Some(other) => {
            r.push(
                Code::ReportWrongType,
                pbase.render(),
                format!("\"policy\" is {}, expected an object", type_name(other)),
            );
            &mut empty
        }
    };
    r.unknown_members(
        pol,
        &[N::POLICY_TYPE, N::POLICY_STRING, N::POLICY_DOMAIN, N::MX_HOST, N::MX_HOST_PATTERN],
        &pbase,
    );
    let policy_type = match r.string(pol, N::POLICY_TYPE, &pbase, Need::Required).as_deref().map(PolicyType::from_name)
    {
        Some(PolicyType::Other(other)) => {
            r.push(Code::ReportUnknownPolicyType, join(&pbase, "policy-type"), format!("{other:?}"));
            PolicyType::Other(other)
        }
        Some(known) => known,
        None => PolicyType::Other(String::new()),
    };
    let policy_string = policy_strings(r, pol, &pbase, &policy_type);
    let policy_domain = r.string(pol, N::POLICY_DOMAIN, &pbase, Need::Optional);
    if policy_domain.is_none() && !pol.contains(N::POLICY_DOMAIN) {
        r.push(Code::ReportMissingPolicyDomain, pbase.render(), "");
    }
    let mx_host = mx_hosts(r, pol, &pbase);

    let sbase = base.key("summary");
    let (successful, failed_total) = match obj.get_mut(N::SUMMARY) {
        Some(Json::Object(s)) => {
            r.unknown_members(s, &[N::TOTAL_SUCCESSFUL_SESSION_COUNT, N::TOTAL_FAILURE_SESSION_COUNT], &sbase);
            let ok = r.count(s, N::TOTAL_SUCCESSFUL_SESSION_COUNT, &sbase, Need::Required).unwrap_or(0);
            (ok, r.count(s, N::TOTAL_FAILURE_SESSION_COUNT, &sbase, Need::Optional))
        }
        None => {
            r.push(Code::ReportMissingField, base.render(), "\"summary\"");
            (0, None)
        }
        Some(other) => {
            r.push(
                Code::ReportWrongType,
                sbase.render(),
                format!("\"summary\" is {}, expected an object", type_name(other)),
            );
            (0, None)
        }
    };
    let dbase = base.key("failure-details");
    let failure_details: Vec<FailureDetail<'a>> = match obj.get_mut(N::FAILURE_DETAILS) {
        Some(Json::Array(items)) => {
            items.iter_mut().enumerate().filter_map(|(i, d)| failure_detail(r, d, &dbase.index(i))).collect()
        }
        None => Vec::new(),
        Some(Json::Null) => {
            r.push(Code::ReportNullField, dbase.render(), "\"failure-details\"");
            Vec::new()
        }
        Some(other) => {
            r.push(
                Code::ReportWrongType,
                dbase.render(),
                format!("\"failure-details\" is {}, expected an array", type_name(other)),
            );
            Vec::new()
        }
    };
    let detail_sum = failure_details.iter().try_fold(0u64, |n, d| n.checked_add(d.failed_session_count));
    let detail_sum = detail_sum.unwrap_or_else(|| {
        r.push(Code::ReportCountOverflow, dbase.render(), "the failed-session-counts of these details");
        u64::MAX
    });
    let failed = match failed_total {
        Some(t) => {
            if detail_sum > t {
                r.push(
                    Code::ReportDetailsExceedTotal,
                    dbase.render(),
                    format!("details add up to {detail_sum}, the total is {t}"),
                );
            }
            t
        }
        None => {
            if has_summary {
                r.push(Code::ReportMissingFailureCount, sbase.render(), format!("read as {detail_sum}"));
            }
            detail_sum
        }
    };
    if failed > 0 && failure_details.is_empty() {
        r.push(Code::ReportMissingFailureDetails, base.render(), format!("{failed} failed sessions"));
    }
    Some(PolicyResult { policy_type, policy_string, policy_domain, mx_host, successful, failed, failure_details })
}

fn policy_strings<'a>(r: &mut Reader, pol: &mut Object<'a>, pbase: &Ptr<'_>, ty: &PolicyType) -> Vec<Cow<'a, str>> {
    let p = pbase.key("policy-string");
    let mut out = match pol.get_mut(N::POLICY_STRING) {
        None => {
            if matches!(ty, PolicyType::Sts | PolicyType::Tlsa) {
                r.push(Code::ReportMissingPolicyString, pbase.render(), "");
            }
            Vec::new()
        }
        Some(Json::Null) => {
            r.push(Code::ReportNullField, p.render(), "\"policy-string\"");
            Vec::new()
        }
        Some(Json::String(s)) => {
            r.push(Code::ReportWrongType, p.render(), "\"policy-string\" is a string, expected an array of strings");
            s.lines().map(|line| Cow::Owned(line.to_string())).collect()
        }
        Some(Json::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter_mut().enumerate() {
                match item {
                    Json::String(s) => out.push(std::mem::take(s)),
                    other => r.push(
                        Code::ReportWrongType,
                        p.index(i).render(),
                        format!("an element is {}, expected a string", type_name(other)),
                    ),
                }
            }
            out
        }
        Some(other) => {
            r.push(
                Code::ReportWrongType,
                p.render(),
                format!("\"policy-string\" is {}, expected an array", type_name(other)),
            );
            Vec::new()
        }
    };
    // Microsoft: ["[\"3 1 1 ABC...\",\"3 1 1 DEF...\"]"], one string holding a JSON array.
    if let [only] = out.as_slice() {
        if only.trim_start().starts_with('[') {
            if let Ok(inner) = serde_json::from_str::<Vec<String>>(only) {
                r.push(
                    Code::ReportPolicyStringJsonArray,
                    p.index(0).render(),
                    format!("{} record{}", inner.len(), if inner.len() == 1 { "" } else { "s" }),
                );
                out = inner.into_iter().map(Cow::Owned).collect();
            }
        }
    }
    out
}

fn mx_hosts<'a>(r: &mut Reader, pol: &mut Object<'a>, pbase: &Ptr<'_>) -> Vec<Cow<'a, str>> {
    let key = if pol.contains(N::MX_HOST) {
        N::MX_HOST
    } else if pol.contains(N::MX_HOST_PATTERN) {
        r.push(Code::ReportMxHostPatternKey, join(pbase, N::MX_HOST_PATTERN), "");
        N::MX_HOST_PATTERN
    } else {
        return Vec::new();
    };
    let p = pbase.key(key.as_str());
    match pol.get_mut(key) {
        None => Vec::new(),
        Some(Json::String(s)) if s.is_empty() => Vec::new(),
        Some(Json::String(s)) => {
            r.push(Code::ReportMxHostString, p.render(), format!("{s:?}"));
            vec![std::mem::take(s)]
        }
        Some(Json::Array(items)) => {
            let text = |i: &mut Json<'a>| match i {
                Json::String(s) if !s.is_empty() => Some(std::mem::take(s)),
                _ => None,
            };
            items.iter_mut().filter_map(text).collect()
        }
        Some(Json::Null) => {
            r.push(Code::ReportNullField, p.render(), format!("\"{key}\""));
            Vec::new()
        }
        Some(other) => {
            r.push(Code::ReportWrongType, p.render(), format!("\"{key}\" is {}", type_name(other)));
            Vec::new()
        }
    }
}

fn failure_detail<'a>(r: &mut Reader, v: &mut Json<'a>, base: &Ptr<'_>) -> Option<FailureDetail<'a>> {
    let Json::Object(d) = v else {
        r.push(
            Code::ReportWrongType,
            base.render(),
            format!("a failure detail is {}, expected an object", type_name(v)),
        );
        return None;
    };
    r.unknown_members(
        d,
        &[
            N::RESULT_TYPE,
            N::SENDING_MTA_IP,
            N::RECEIVING_MX_HOSTNAME,
            N::RECEIVING_MX_HELO,
            N::RECEIVING_IP,
            N::FAILED_SESSION_COUNT,
            N::ADDITIONAL_INFORMATION,
            N::ADDITIONAL_INFO_URI,
            N::FAILURE_REASON_CODE,
        ],
        base,
    );
    let result_type = r.string(d, N::RESULT_TYPE, base, Need::Required).unwrap_or_default();
    if !result_type.is_empty() && !KNOWN_RESULT_TYPES.contains(&result_type.as_ref()) {
        r.push(Code::ReportUnknownResultType, join(base, "result-type"), format!("{result_type:?}"));
    }
    let additional_information = match (d.contains(N::ADDITIONAL_INFORMATION), d.contains(N::ADDITIONAL_INFO_URI)) {
        (true, _) => r.string(d, N::ADDITIONAL_INFORMATION, base, Need::Optional),
        (false, true) => {
            r.push(Code::ReportAdditionalInfoUriKey, join(base, "additional-info-uri"), "");
            r.string(d, N::ADDITIONAL_INFO_URI, base, Need::Optional)
        }
        (false, false) => None,
    }
    .filter(|s| !s.is_empty());
    let nonempty = |s: Option<Cow<'a, str>>| s.filter(|s| !s.trim().is_empty());
    Some(FailureDetail {
        sending_mta_ip: r.ip(d, N::SENDING_MTA_IP, base),
        receiving_mx_hostname: nonempty(r.string(d, N::RECEIVING_MX_HOSTNAME, base, Need::Optional)),
        receiving_mx_helo: nonempty(r.string(d, N::RECEIVING_MX_HELO, base, Need::Optional)),
        receiving_ip: r.ip(d, N::RECEIVING_IP, base),
        failed_session_count: r.count(d, N::FAILED_SESSION_COUNT, base, Need::Required).unwrap_or(0),
        failure_reason_code: nonempty(r.string(d, N::FAILURE_REASON_CODE, base, Need::Optional)),
        additional_information,
        result_type,
    })
}

/// The byte offset of 1-based `line` and `column` (as serde_json counts them).
fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut at = 0;
    for _ in 1..line {
        match bytes.get(at..).and_then(|b| b.iter().position(|&c| c == b'\n')) {
            Some(p) => at = at.saturating_add(p.saturating_add(1)),
            None => return bytes.len(),
        }
    }
    let mut at = (at.saturating_add(column.saturating_sub(1))).min(bytes.len());
    // serde_json counts columns in bytes and may stop inside a multi-byte character (a
    // truncated report): step back to the character's first byte so the span can be shown.
    while at > 0 && bytes.get(at).is_some_and(|b| (0x80..0xC0).contains(b)) {
        at = at.saturating_sub(1);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(p: &Parsed<Option<Report>>) -> Vec<&'static str> {
        p.findings.iter().map(|f| f.code.id()).collect()
    }

    const RFC_EXAMPLE: &str = r#"{
     "organization-name": "Company-X",
     "date-range": { "start-datetime": "2016-04-01T00:00:00Z", "end-datetime": "2016-04-01T23:59:59Z" },
     "contact-info": "sts-reporting@company-x.example",
     "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
     "policies": [{
       "policy": { "policy-type": "sts",
         "policy-string": ["version: STSv1","mode: testing", "mx: *.mail.company-y.example","max_age: 86400"],
         "policy-domain": "company-y.example", "mx-host": "*.mail.company-y.example" },
       "summary": { "total-successful-session-count": 5326, "total-failure-session-count": 303 },
       "failure-details": [{
         "result-type": "certificate-expired", "sending-mta-ip": "2001:db8:abcd:0012::1",
         "receiving-mx-hostname": "mx1.mail.company-y.example", "failed-session-count": 100
       }, {
         "result-type": "starttls-not-supported", "sending-mta-ip": "2001:db8:abcd:0013::1",
         "receiving-mx-hostname": "mx2.mail.company-y.example", "receiving-ip": "203.0.113.56",
         "failed-session-count": 200,
         "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
       }, {
         "result-type": "validation-failure", "sending-mta-ip": "198.51.100.62", "receiving-ip": "203.0.113.58",
         "receiving-mx-hostname": "mx-backup.mail.company-y.example", "failed-session-count": 3,
         "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
       }]
     }]
   }"#;

    #[test]
    fn rfc_example_reads_fully() {
        let p = parse(RFC_EXAMPLE.as_bytes());
        assert!(p.is_valid(), "{:?}", p.findings);
        let r = p.value.clone().unwrap();
        assert_eq!(r.organization_name, "Company-X");
        assert_eq!((r.successful(), r.failed()), (5326, 303));
        assert_eq!(r.start, Some(1_459_468_800));
        let pol = &r.policies[0];
        assert_eq!(pol.policy_type, PolicyType::Sts);
        assert_eq!(pol.mx_host, ["*.mail.company-y.example"]);
        assert_eq!(pol.failure_details.len(), 3);
        assert_eq!(
            pol.failure_details[2].failure_reason_code.as_deref(),
            Some("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED")
        );
        // The RFC's own example writes mx-host as a string; noted, not an error.
        assert_eq!(codes(&p), ["report/mx-host-string"]);
    }

    /// Found by the report_json fuzz target: `{"` and half of a two-byte character put the
    /// error's span inside the character.
    #[test]
    fn a_truncated_multibyte_character_is_located_at_its_start() {
        let p = parse(b"{\"\xde\x8e");
        let f = p.findings.iter().find(|f| f.code == Code::ReportNotJson).unwrap();
        let at = f.span.start;
        assert!(at <= 4 && std::str::from_utf8(b"{\"\xde\x8e").unwrap().is_char_boundary(at), "span {at}");
    }

    #[test]
    fn not_json_names_line_and_column() {
        let p = parse(b"{\n  \"organization-name\": \"x\",\n  oops\n}");
        assert!(p.value.is_none());
        let f = &p.findings[0];
        assert_eq!(f.code, Code::ReportNotJson);
        assert!(f.detail.contains("line 3 column 3"), "{}", f.detail);
        assert_eq!(f.span.start, 32, "the \"o\" of oops");
        let p = parse(b"[1,2]");
        assert_eq!(codes(&p), ["report/not-object"]);
        let p = parse(b"{\"organization-name\": \"x\"");
        assert_eq!(codes(&p), ["report/not-json"]);
    }

    /// (JSON, codes that must be among the findings).
    const QUIRKS: &[(&str, &[&str])] = &[
        (
            r#"{"organization-name":"M","date-range":{"start-datetime":"2023-01-10T00:00:00","end-datetime":"2023-01-10T23:59:59"},"contact-info":"a@b.example","report-id":"1","policies":[]}"#,
            &["report/datetime-no-timezone"],
        ),
        (
            r#"{"organization-name":"M","date-range":{"start-datetime":"2024-02-22T00:00:00Z","end-datetime":"2024-02-29T00:00:00Z"},"contact-info":null,"report-id":"1","policies":[]}"#,
            &["report/not-utc-day", "report/null-field"],
        ),
        (
            r#"{"organization-name":"M","date-range":{"start-datetime":"2024-02-23T00:00:00Z","end-datetime":"2024-02-22T00:00:00Z"},"contact-info":"a@b","report-id":"1","policies":[]}"#,
            &["report/date-range-reversed"],
        ),
        (
            r#"{"organization-name":"M","date-range":{"start-datetime":"yesterday","end-datetime":"2024-02-22T00:00:00Z"},"contact-info":"a@b","report-id":"1","policies":[]}"#,
            &["report/bad-datetime"],
        ),
        (
            r#"{"organization-name":"M","date-range":{"start-datetime":"2024-02-22T00:00:00Z","end-datetime":"2024-02-23T00:00:00Z"},"contact-info":"a@b","report-id":"1","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com","mx-host-pattern":["*.example.com"]},"summary":{"total-successful-session-count":1}}]}"#,
            &["report/missing-failure-count", "report/missing-policy-string", "report/mx-host-pattern-key"],
        ),
        (
            r#"{"organization-name":"M","date-range":{"start-datetime":"2024-02-22T00:00:00Z","end-datetime":"2024-02-23T00:00:00Z"},"contact-info":"a@b","report-id":"1","policies":[{"policy":{"policy-type":"tlsa","policy-string":["[\"3 1 1 ABCDEF\",\"3 1 1 012345\"]"],"policy-domain":"example.com"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}]}"#,
            &["report/policy-string-json-array"],
        ),
        (
            r#"{"organization-name":"M","date-range":{"start-datetime":"2024-02-22T00:00:00Z","end-datetime":"2024-02-23T00:00:00Z"},"contact-info":"a@b","report-id":"1","policies":[{"policy":{"policy-type":"sts","policy-string":[],"policy-domain":"example.com"},"summary":{"total-successful-session-count":0,"total-failure-session-count":1},"failure-details":[{"result-type":"sts-policy-fetch-error","sending-mta-ip":"","receiving-ip":"","receiving-mx-hostname":"","failed-session-count":2,"additional-info-uri":"https://x.example/","failure-reason-code":"bad https response code: 404"},{"result-type":"brand-new-type","failed-session-count":-1}]}]}"#,
            &[
                "report/additional-info-uri-key",
                "report/details-exceed-total",
                "report/empty-ip",
                "report/negative-count",
                "report/unknown-result-type",
            ],
        ),
        (
            r#"{"organization-name":"M","date-range":{"start-datetime":"2024-02-22T00:00:00Z","end-datetime":"2024-02-23T00:00:00Z"},"report-id":"1","policies":{"policy":{"policy-type":"sts","policy-domain":"example.com"},"summary":{"total-successful-session-count":"7","total-failure-session-count":3}},"extra":1}"#,
            &[
                "report/missing-contact-info",
                "report/missing-failure-details",
                "report/missing-policy-string",
                "report/policies-not-array",
                "report/unknown-field",
                "report/wrong-type",
            ],
        ),
        (
            r#"{"date-range":{"start-datetime":"2024-02-22T00:00:00Z","end-datetime":"2024-02-23T00:00:00Z"},"policies":[]}"#,
            &["report/missing-contact-info", "report/missing-field"],
        ),
    ];

    #[test]
    fn quirks_are_read_and_noted() {
        for &(json, expect) in QUIRKS {
            let p = parse(json.as_bytes());
            assert!(p.value.is_some(), "{json}");
            let got = codes(&p);
            // The exact set of codes: a finding nobody expected fails the test too.
            let got_set: std::collections::BTreeSet<&str> = got.iter().copied().collect();
            let want: std::collections::BTreeSet<&str> = expect.iter().copied().collect();
            assert_eq!(got_set, want, "{json:?}");
        }
    }

    #[test]
    fn quirky_values_are_still_counted() {
        let p = parse(QUIRKS[7].0.as_bytes());
        let r = p.value.unwrap();
        assert_eq!((r.successful(), r.failed()), (7, 3));
        let p = parse(QUIRKS[5].0.as_bytes());
        assert_eq!(p.value.unwrap().policies[0].policy_string, ["3 1 1 ABCDEF", "3 1 1 012345"]);
        let p = parse(QUIRKS[6].0.as_bytes());
        let d = &p.value.as_ref().unwrap().policies[0].failure_details;
        assert_eq!(d[0].sending_mta_ip, None);
        assert_eq!(d[0].additional_information.as_deref(), Some("https://x.example/"));
        assert_eq!(d[1].failed_session_count, 0);
        let pointers: Vec<_> = p.findings.iter().filter_map(|f| f.pointer.as_deref()).collect();
        assert!(pointers.contains(&"/policies/0/failure-details/1/failed-session-count"), "{pointers:?}");
    }

    #[test]
    fn one_decimal_formats_as_the_float_formatter_does() {
        let cases = (0..200_000i64)
            .chain((0..2_000).map(|i| i * 4_320))
            .chain((0..2_000).map(|i| i * 180 + 90))
            .chain([i64::from(i32::MAX), 1 << 40, 123_456_789_012, -5, -4_320, -86_400]);
        for num in cases {
            for den in [DAY, 3600, 7] {
                assert_eq!(one_decimal(num, den), format!("{:.1}", num as f64 / den as f64), "{num}/{den}");
            }
        }
    }

    #[test]
    fn datetimes() {
        assert_eq!(parse_datetime("2016-04-01T00:00:00Z"), Some((1_459_468_800, true)));
        assert_eq!(parse_datetime("2016-04-01T02:00:00+02:00"), Some((1_459_468_800, true)));
        assert_eq!(parse_datetime("2016-04-01T00:00:00"), Some((1_459_468_800, false)));
        assert_eq!(parse_datetime("2016-04-01T00:00:00.5"), Some((1_459_468_800, false)));
        assert_eq!(parse_datetime("April 1st"), None);
        // The hand-written reader agrees with the time crate's RFC 3339 parser.
        use time::format_description::well_known::Rfc3339;
        for s in [
            "2016-04-01T23:59:59Z",
            "2016-04-01t23:59:59z",
            "2024-02-29T12:00:00.123456-05:30",
            "1999-12-31T23:59:60Z",
            "2016-04-01T00:00:00+23:59",
            "2023-02-29T00:00:00Z",
            "2016-13-01T00:00:00Z",
            "2016-04-01T24:00:00Z",
            "2016-04-01T00:00:00.Z",
            "2016-04-01T00:00:00+2:00",
            "2016-04-01 00:00:00Z",
            "20160401T000000Z",
            "2000-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2100-02-28T23:59:59-23:59",
            "0000-01-01T00:00:00+00:01",
            "0000-03-01T00:00:00Z",
            "9999-12-31T23:59:60+00:00",
            "1969-12-31T23:59:59.999Z",
            "2016-04-31T00:00:00Z",
            "2016-00-10T00:00:00Z",
            "2016-04-00T00:00:00Z",
            "2016-04-01T00:60:00Z",
            "2016-04-01T00:00:61Z",
            "2016-04-01T00:00:00+24:00",
            "2016-04-01T00:00:00+00:60",
            "2016-04-01T00:00:00-0a:00",
            "2016-04-01T0a:00:00Z",
            "+016-04-01T00:00:00Z",
        ] {
            let want = time::OffsetDateTime::parse(s, &Rfc3339).ok().map(|t| (t.unix_timestamp(), true));
            assert_eq!(parse_datetime(s), want, "{s}");
        }
        // And with the time crate's calendar on days spread over years 0 to 9999.
        for day in (-719_528i64..2_932_897).step_by(263) {
            let unix = day * DAY + 3723;
            let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
            let s = format!("{:04}-{:02}-{:02}T01:02:03Z", t.year(), u8::from(t.month()), t.day());
            assert_eq!(parse_datetime(&s), Some((unix, true)), "{s}");
        }
    }
}
