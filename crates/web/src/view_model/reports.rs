//! What the report analyser shows, computed from a core [`Batch`] without the DOM.
//!
//! Headline numbers, the daily series, breakdowns, the failure table (filtered and sorted
//! here, rendered by a component), and the "safe to enforce?" readiness verdict.

use mtasts_core::order;
use std::collections::BTreeSet;

use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::summary::{utc_day, FailureRow, Summary};

/// The headline numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Distinct reports.
    pub reports: u64,
    /// Successful sessions.
    pub successful: u64,
    /// Failed sessions.
    pub failed: u64,
    /// Reports seen twice.
    pub duplicates: u64,
    /// Reporting organisations.
    pub organisations: u64,
    /// Successful share of sessions.
    pub success_rate: Option<f64>,
    /// First and last UTC day.
    pub span: Option<(String, String)>,
}

impl Headline {
    /// Reads the headline off a summary.
    pub fn new(s: &Summary) -> Headline {
        Headline {
            reports: s.reports,
            successful: s.successful,
            failed: s.failed,
            duplicates: s.duplicates,
            organisations: s.by_org.len() as u64,
            success_rate: s.success_rate(),
            span: s.first_start.zip(s.last_end).map(|(a, b)| (utc_day(a), utc_day(b.saturating_sub(1).max(a)))),
        }
    }
}

/// One row of a breakdown table (and bar of its chart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// What the row is about (a day, an organisation, a host...).
    pub key: String,
    /// Successful sessions (0 where a breakdown counts only failures).
    pub successful: u64,
    /// Failed sessions.
    pub failed: u64,
}

/// Which breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Result types of failures.
    ResultType,
    /// Reporting organisations.
    Organisation,
    /// Policy types.
    PolicyType,
    /// Receiving MX hosts (failures only).
    Mx,
    /// Sending MTA IPs (failures only).
    SendingIp,
}

impl Dimension {
    /// Every breakdown, in page order.
    pub const ALL: [Dimension; 5] =
        [Dimension::ResultType, Dimension::Organisation, Dimension::PolicyType, Dimension::Mx, Dimension::SendingIp];

    /// Heading.
    pub fn title(self) -> &'static str {
        match self {
            Dimension::ResultType => "Failures by result type",
            Dimension::Organisation => "Sessions by reporting organisation",
            Dimension::PolicyType => "Sessions by policy type",
            Dimension::Mx => "Failures by receiving MX",
            Dimension::SendingIp => "Failures by sending IP",
        }
    }

    /// Stable id for attributes.
    pub fn id(self) -> &'static str {
        match self {
            Dimension::ResultType => "result-type",
            Dimension::Organisation => "organisation",
            Dimension::PolicyType => "policy-type",
            Dimension::Mx => "mx",
            Dimension::SendingIp => "sending-ip",
        }
    }

    /// The rows, largest first.
    pub fn rows(self, s: &Summary) -> Vec<Row> {
        let fail_only = |m: &std::collections::BTreeMap<String, u64>| {
            m.iter().map(|(k, &n)| Row { key: k.clone(), successful: 0, failed: n }).collect::<Vec<_>>()
        };
        let mut rows = match self {
            Dimension::ResultType => fail_only(&s.result_types),
            Dimension::SendingIp => fail_only(&s.by_sending_ip),
            Dimension::Mx => {
                s.by_mx.iter().map(|(k, m)| Row { key: k.clone(), successful: 0, failed: m.failed }).collect()
            }
            Dimension::Organisation => s
                .by_org
                .iter()
                .map(|(k, c)| Row { key: k.clone(), successful: c.successful, failed: c.failed })
                .collect(),
            Dimension::PolicyType => s
                .by_policy_type
                .iter()
                .map(|(k, c)| Row { key: k.clone(), successful: c.successful, failed: c.failed })
                .collect(),
        };
        order::sort_by(&mut rows, |a, b| {
            (b.successful.saturating_add(b.failed))
                .cmp(&(a.successful.saturating_add(a.failed)))
                .then_with(|| a.key.cmp(&b.key))
        });
        rows
    }
}

/// The daily series, oldest first (reports without a date last).
pub fn days(s: &Summary) -> Vec<Row> {
    s.by_day.iter().map(|(k, c)| Row { key: k.clone(), successful: c.successful, failed: c.failed }).collect()
}

/// One day of the daily chart's time axis: its counts, or `None` for a day inside the range
/// that no report covers (a silent day can mean the `rua` mailbox stopped receiving).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub key: String,
    /// Sessions that day, if any report covered it.
    pub counts: Option<(u64, u64)>,
}

/// Longest range drawn day by day; reports spread wider are drawn as their dated days only.
pub const MAX_CALENDAR_DAYS: i32 = 3_700;

fn julian(day: &str) -> Option<i32> {
    let mut parts = day.splitn(3, '-').map(|p| p.parse::<i32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    Some(time::Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()?.to_julian_day())
}

/// Every day from the first dated report to the last, silent days included (`None` when
/// the range is wider than [`MAX_CALENDAR_DAYS`]: then [`days`] is drawn as it is).
pub fn calendar(s: &Summary) -> Option<Vec<CalendarDay>> {
    let dated: Vec<(i32, &str, (u64, u64))> =
        s.by_day.iter().filter_map(|(k, c)| Some((julian(k)?, k.as_str(), (c.successful, c.failed)))).collect();
    let (first, last) = (dated.first()?.0, dated.last()?.0);
    if last.saturating_sub(first) >= MAX_CALENDAR_DAYS {
        return None;
    }
    let mut known = dated.iter().peekable();
    let out = (first..=last)
        .map(|j| {
            let here = known.next_if(|(k, _, _)| *k == j);
            let key = here.map_or_else(
                || {
                    let secs = i64::from(j.saturating_sub(2_440_588)).saturating_mul(86_400);
                    utc_day(secs)
                },
                |(_, k, _)| (*k).to_string(),
            );
            CalendarDay { key, counts: here.map(|(_, _, c)| *c) }
        })
        .collect();
    Some(out)
}

/// What the failure table is filtered by; `None` is "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// UTC day.
    pub day: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Receiving MX host.
    pub mx: Option<String>,
    /// Result type.
    pub result_type: Option<String>,
}

/// A sortable column of the failure table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Sessions.
    Sessions,
    /// Day.
    Day,
    /// Organisation.
    Organisation,
    /// Result type.
    ResultType,
    /// Receiving MX.
    Mx,
    /// Sending IP.
    SendingIp,
}

impl Column {
    /// Every column, in table order.
    pub const ALL: [Column; 6] =
        [Column::Day, Column::Organisation, Column::ResultType, Column::Mx, Column::SendingIp, Column::Sessions];

    /// Header text.
    pub fn title(self) -> &'static str {
        match self {
            Column::Sessions => "Sessions",
            Column::Day => "Day",
            Column::Organisation => "Reported by",
            Column::ResultType => "Result type",
            Column::Mx => "Receiving MX",
            Column::SendingIp => "Sending IP",
        }
    }
}

/// The rows that pass `filter`: how many, and the positions in `s.failures` of the first
/// `limit` of them sorted by `by` (descending when `desc`). Positions, not references, so
/// the page can keep them across renders. Only the shown rows are sorted: the rest are
/// turned away by one comparison with the last shown (20,000 groups sorted whole were a
/// 60 ms task for a table that shows 100).
pub fn failure_rows(s: &Summary, filter: &Filter, by: Column, desc: bool, limit: usize) -> (usize, Vec<usize>) {
    let ok = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| have == Some(w));
    let passes = |r: &FailureRow| {
        let k = &r.key;
        ok(&filter.day, Some(&k.day))
            && ok(&filter.organisation, Some(&k.organisation))
            && ok(&filter.mx, k.receiving_mx_hostname.as_deref())
            && ok(&filter.result_type, Some(&k.result_type))
    };
    let cmp = |a: &FailureRow, b: &FailureRow| {
        let o = if by == Column::Sessions {
            a.sessions.cmp(&b.sessions)
        } else {
            column_text(a, by).cmp(column_text(b, by))
        };
        let o = if desc { o.reverse() } else { o };
        o.then_with(|| b.sessions.cmp(&a.sessions)).then_with(|| a.key.cmp(&b.key))
    };
    let mut count = 0usize;
    // The best `limit` rows so far, in order.
    let mut best: Vec<(usize, &FailureRow)> = Vec::new();
    for (i, r) in s.failures.iter().enumerate().filter(|(_, r)| passes(r)) {
        count = count.saturating_add(1);
        if best.len() >= limit && best.last().is_none_or(|(_, last)| cmp(r, last).is_ge()) {
            continue;
        }
        let at = best.partition_point(|(_, b)| cmp(b, r).is_le());
        best.insert(at, (i, r));
        best.truncate(limit);
    }
    (count, best.into_iter().map(|(i, _)| i).collect())
}

/// A failure row's text in `column` ("" for the count).
fn column_text(r: &FailureRow, column: Column) -> &str {
    let k = &r.key;
    match column {
        Column::Day => &k.day,
        Column::Organisation => &k.organisation,
        Column::ResultType => &k.result_type,
        Column::Mx => k.receiving_mx_hostname.as_deref().unwrap_or(""),
        Column::SendingIp => k.sending_mta_ip.as_deref().unwrap_or(""),
        Column::Sessions => "",
    }
}

/// The distinct values of a failure-table column, for its filter menu.
pub fn choices(s: &Summary, column: Column) -> Vec<String> {
    // Extended, not collected: collecting a BTreeSet compiles in another copy of the sort.
    let mut set: BTreeSet<&str> = BTreeSet::new();
    set.extend(s.failures.iter().filter_map(|r| match column {
        Column::Day => Some(r.key.day.as_str()),
        Column::Organisation => Some(r.key.organisation.as_str()),
        Column::ResultType => Some(r.key.result_type.as_str()),
        Column::Mx => r.key.receiving_mx_hostname.as_deref(),
        Column::SendingIp => r.key.sending_mta_ip.as_deref(),
        Column::Sessions => None,
    }));
    set.into_iter().map(str::to_string).collect()
}

pub use mtasts_core::tls_rpt::readiness::{readiness, Readiness, ReadinessVerdict as Verdict};

/// How a policy reporters saw compares with the live policy the user pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// Another domain, or not an MTA-STS policy: nothing to compare.
    NotComparable,
    /// Same lines (after normalising formatting).
    Same,
    /// Lines only in what reporters saw, and lines only in the live policy.
    Differs { only_seen: Vec<String>, only_live: Vec<String> },
}

/// The policy domains reporters applied an MTA-STS policy for, most sessions first.
pub fn sts_domains(s: &Summary) -> Vec<String> {
    let mut by: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for p in s.policies.values().filter(|p| p.policy_type == mtasts_core::tls_rpt::report::PolicyType::Sts) {
        let n = by.entry(p.policy_domain.as_str()).or_default();
        *n = n.saturating_add(p.successful.saturating_add(p.failed));
    }
    let mut v: Vec<(&str, u64)> = by.into_iter().collect();
    order::sort_by(&mut v, |a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter().map(|(d, _)| d.to_string()).collect()
}

/// The live policy, as lines normalised like the reported ones.
pub fn live_lines(text: &str) -> Vec<String> {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    mtasts_core::tls_rpt::summary::normalise_lines(&mtasts_core::tls_rpt::report::PolicyType::Sts, &lines)
}

/// Compares one policy reporters saw with the live one (of `live_domain`, if known).
pub fn compare(
    seen: &mtasts_core::tls_rpt::summary::PolicySeen,
    live: &[String],
    live_domain: Option<&str>,
) -> Comparison {
    use mtasts_core::tls_rpt::report::PolicyType;
    if seen.policy_type != PolicyType::Sts
        || live.is_empty()
        || live_domain.is_some_and(|d| !d.eq_ignore_ascii_case(&seen.policy_domain))
    {
        return Comparison::NotComparable;
    }
    let only_seen: Vec<String> = seen.lines.iter().filter(|l| !live.contains(l)).cloned().collect();
    let only_live: Vec<String> = live.iter().filter(|l| !seen.lines.contains(l)).cloned().collect();
    if only_seen.is_empty() && only_live.is_empty() {
        Comparison::Same
    } else {
        Comparison::Differs { only_seen, only_live }
    }
}

/// What a batch says per input, for the file list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    /// The input's name.
    pub name: String,
    /// `read`, `duplicate`, `partly read` or `rejected`.
    pub status: &'static str,
    /// Reports read.
    pub reports: u64,
    /// Duplicates.
    pub duplicates: u64,
    /// Why something was rejected, if it was.
    pub reason: Option<String>,
    /// An email's DKIM verdict, when its signatures were checked: the result's name
    /// (`pass`, `fail`, `none`, `temperror`, `permerror`: `data-dkim`), the word the page
    /// shows ("signed by google.com", "unsigned", "forged", "unverified"), and why.
    pub dkim: Option<(&'static str, String, String)>,
}

/// What an email's DKIM verdict is shown as: its result's name, a word, and why.
pub fn dkim_line(d: &mtasts_core::tls_rpt::dkim::Dkim) -> (&'static str, String, String) {
    use mtasts_core::tls_rpt::dkim::Verdict;
    let result = match d.result {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::None => "none",
        Verdict::TempError => "temperror",
        Verdict::PermError => "permerror",
    };
    let word = match (d.result, &d.domain) {
        (Verdict::Pass, Some(domain)) => format!("signed by {domain}"),
        _ => d.label().to_string(),
    };
    (result, word, d.reason.clone())
}

/// How many checked emails were signed, unsigned, forged and unverified (`Dkim::label`),
/// or `None` when no email's signatures were checked.
pub fn dkim_tally(files: &[FileLine]) -> Option<[(&'static str, usize); 4]> {
    let checked: Vec<&str> = files.iter().filter_map(|f| f.dkim.as_ref().map(|d| d.0)).collect();
    if checked.is_empty() {
        return None;
    }
    let count = |results: &[&str]| checked.iter().filter(|r| results.contains(r)).count();
    Some([
        ("signed", count(&["pass"])),
        ("unsigned", count(&["none"])),
        ("forged", count(&["fail"])),
        ("unverified", count(&["temperror", "permerror"])),
    ])
}

/// The per-file list.
pub fn files(b: &Batch) -> Vec<FileLine> {
    b.inputs
        .iter()
        .map(|i| {
            let status = match (i.reports, i.duplicates, i.errors.is_empty()) {
                (0, 0, false) => "rejected",
                (_, _, false) => "partly read",
                (0, d, true) if d > 0 => "duplicate",
                _ => "read",
            };
            let reason = i
                .errors
                .first()
                .map(|e| format!("{}: {} [{}]", e.origin, crate::text::message(&e.finding), e.finding.code.id()));
            let dkim = i.dkim.as_deref().map(dkim_line);
            FileLine { name: i.path.clone(), status, reports: i.reports, duplicates: i.duplicates, reason, dkim }
        })
        .collect()
}

/// Core's generated week of reports, shared with its readiness tests.
#[cfg(test)]
#[path = "../../../core/tests/support/week.rs"]
mod week_fixture;

#[cfg(test)]
mod tests {
    use super::*;

    use super::week_fixture::{batch, report, week};

    #[test]
    fn the_calendar_has_every_day_and_marks_silent_ones() {
        let mut reports = week("testing", None);
        // Days 3 and 4 go silent; the year turns in the range.
        reports.retain(|r| !r.contains("2024-01-03") && !r.contains("2024-01-04"));
        reports.push(report("google.com", "dec", "2023-12-30", "testing", &[]));
        let cal = calendar(&batch(&reports).summary).unwrap();
        assert_eq!(cal.first().unwrap().key, "2023-12-30");
        assert_eq!(cal.last().unwrap().key, "2024-01-07");
        assert_eq!(cal.len(), 9);
        let silent: Vec<&str> = cal.iter().filter(|d| d.counts.is_none()).map(|d| d.key.as_str()).collect();
        assert_eq!(silent, ["2023-12-31", "2024-01-03", "2024-01-04"]);
        assert_eq!(cal[2].counts, Some((200, 0)));
        // A report dated decades away: drawn as dated days, not 20,000 bars.
        reports.push(report("x.example", "old", "1990-01-01", "testing", &[]));
        assert_eq!(calendar(&batch(&reports).summary), None);
    }

    #[test]
    fn failure_table_filters_and_sorts() {
        let mut reports = week("testing", Some(3));
        reports.push(report(
            "google.com",
            "extra",
            "2024-01-05",
            "testing",
            &[("starttls-not-supported", "mx1.example.com", 9)],
        ));
        let b = batch(&reports);
        let s = &b.summary;
        let (n, all) = failure_rows(s, &Filter::default(), Column::Sessions, true, 100);
        assert_eq!(n, 2);
        assert_eq!(all.iter().map(|&i| s.failures[i].sessions).collect::<Vec<_>>(), [9, 4]);
        let f = Filter { mx: Some("mx2.example.com".into()), ..Filter::default() };
        assert_eq!(failure_rows(s, &f, Column::Sessions, true, 100).0, 1);
        let (_, by_day) = failure_rows(s, &Filter::default(), Column::Day, false, 100);
        assert_eq!(s.failures[by_day[0]].key.day, "2024-01-03");
        // Only the first rows are kept, and they are the first of the whole order.
        assert_eq!(failure_rows(s, &Filter::default(), Column::Sessions, true, 1), (2, vec![all[0]]));
        assert_eq!(failure_rows(s, &Filter::default(), Column::Sessions, false, 1), (2, vec![all[1]]));
        assert_eq!(choices(s, Column::Mx), ["mx1.example.com", "mx2.example.com"]);
        let rows = Dimension::ResultType.rows(s);
        assert_eq!(rows[0].key, "starttls-not-supported");
    }

    #[test]
    fn live_policy_comparison() {
        let b = batch(&week("testing", None));
        let seen = b.summary.policies.values().next().unwrap();
        let same = live_lines("version: STSv1\r\nmode:testing\nmx: *.EXAMPLE.com\nmax_age: 86400\n");
        assert_eq!(compare(seen, &same, Some("example.com")), Comparison::Same);
        let newer = live_lines("version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 604800\n");
        match compare(seen, &newer, None) {
            Comparison::Differs { only_seen, only_live } => {
                assert_eq!(only_seen, ["max_age: 86400", "mode: testing"]);
                assert_eq!(only_live, ["max_age: 604800", "mode: enforce"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(compare(seen, &same, Some("other.example")), Comparison::NotComparable);
        assert_eq!(sts_domains(&b.summary), ["example.com"]);
    }

    #[test]
    fn file_list_statuses() {
        let good = report("google.com", "a", "2024-01-01", "testing", &[]);
        let mut b = batch(&[good.clone(), good]);
        b.add("junk.bin", b"\x00\x01");
        let lines = files(&b);
        assert_eq!(lines.iter().map(|l| l.status).collect::<Vec<_>>(), ["read", "duplicate", "rejected"]);
        assert!(lines[2].reason.as_deref().unwrap().contains("input/no-report"));
    }
}
