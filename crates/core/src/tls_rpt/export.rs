//! Exports of a summary: CSV per breakdown, and the failure details, for spreadsheets.
//! The CLI's `--csv` and the web page's download buttons both use these.

use crate::order;
use std::collections::BTreeMap;

use crate::tls_rpt::summary::{Counts, Summary};

/// Which table of a summary to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Breakdown {
    /// Sessions per UTC day.
    Day,
    /// Sessions per reporting organisation.
    Org,
    /// Failed sessions per receiving MX host.
    Mx,
    /// Failed sessions per result type.
    ResultType,
    /// Sessions per policy domain.
    PolicyDomain,
    /// Sessions per policy type.
    PolicyType,
    /// Failed sessions per sending MTA IP.
    SendingIp,
    /// Failed sessions per receiving IP.
    ReceivingIp,
    /// The distinct policies reporters applied.
    Policy,
    /// Every failure group with all its details.
    Failures,
}

impl Breakdown {
    /// Every breakdown.
    pub const ALL: [Breakdown; 10] = [
        Breakdown::Day,
        Breakdown::Org,
        Breakdown::Mx,
        Breakdown::ResultType,
        Breakdown::PolicyDomain,
        Breakdown::PolicyType,
        Breakdown::SendingIp,
        Breakdown::ReceivingIp,
        Breakdown::Policy,
        Breakdown::Failures,
    ];

    /// The name used on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Breakdown::Day => "day",
            Breakdown::Org => "org",
            Breakdown::Mx => "mx",
            Breakdown::ResultType => "result-type",
            Breakdown::PolicyDomain => "policy-domain",
            Breakdown::PolicyType => "policy-type",
            Breakdown::SendingIp => "sending-ip",
            Breakdown::ReceivingIp => "receiving-ip",
            Breakdown::Policy => "policy",
            Breakdown::Failures => "failures",
        }
    }

    /// The breakdown with this name.
    pub fn from_id(id: &str) -> Option<Breakdown> {
        Breakdown::ALL.into_iter().find(|b| b.id() == id)
    }
}

/// A text cell for CSV: quoted when it needs it (RFC 4180), and neutralised when a
/// spreadsheet would run it as a formula (OWASP "CSV injection"): a cell starting with
/// `=`, `+`, `-`, `@`, tab or CR gets a leading `'` and is quoted. Every string in an export
/// comes from a report, so from whoever sent it.
pub fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula {
        format!("\"'{}\"", s.replace('"', "\"\""))
    } else if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The `by` breakdown of `s` as CSV with a header row.
pub fn csv(s: &Summary, by: Breakdown) -> String {
    let mut out = String::new();
    let counts = |out: &mut String, head: &str, map: &BTreeMap<String, Counts>| {
        out.push_str(&format!("{head},reports,successful,failed\n"));
        for (k, c) in map {
            out.push_str(&format!("{},{},{},{}\n", csv_field(k), c.reports, c.successful, c.failed));
        }
    };
    let sessions = |out: &mut String, head: &str, map: &BTreeMap<String, u64>| {
        out.push_str(&format!("{head},failed_sessions\n"));
        for (k, n) in map {
            out.push_str(&format!("{},{n}\n", csv_field(k)));
        }
    };
    match by {
        Breakdown::Day => counts(&mut out, "day", &s.by_day),
        Breakdown::Org => counts(&mut out, "organisation", &s.by_org),
        Breakdown::PolicyDomain => counts(&mut out, "policy_domain", &s.by_policy_domain),
        Breakdown::PolicyType => counts(&mut out, "policy_type", &s.by_policy_type),
        Breakdown::ResultType => sessions(&mut out, "result_type", &s.result_types),
        Breakdown::SendingIp => sessions(&mut out, "sending_mta_ip", &s.by_sending_ip),
        Breakdown::ReceivingIp => sessions(&mut out, "receiving_ip", &s.by_receiving_ip),
        Breakdown::Mx => {
            out.push_str("receiving_mx_hostname,failed_sessions,result_types\n");
            for (mx, m) in &s.by_mx {
                let types: Vec<String> = m.result_types.iter().map(|(t, n)| format!("{t}={n}")).collect();
                out.push_str(&format!("{},{},{}\n", csv_field(mx), m.failed, csv_field(&types.join(" "))));
            }
        }
        Breakdown::Policy => {
            out.push_str("policy_type,policy_domain,policy,reports,successful,failed,organisations\n");
            for p in s.policies.values() {
                let orgs: Vec<&str> = p.organisations.iter().map(String::as_str).collect();
                out.push_str(&format!(
                    "{},{},{},{},{},{},{}\n",
                    csv_field(p.policy_type.as_str()),
                    csv_field(&p.policy_domain),
                    csv_field(&p.lines.join("; ")),
                    p.reports,
                    p.successful,
                    p.failed,
                    csv_field(&orgs.join("; "))
                ));
            }
        }
        Breakdown::Failures => {
            out.push_str("day,organisation,policy_domain,policy_type,result_type,sending_mta_ip,receiving_mx_hostname,receiving_mx_helo,receiving_ip,failure_reason_code,additional_information,sessions,report_id,origin\n");
            let mut rows: Vec<_> = s.failures.iter().collect();
            order::sort_by(&mut rows, |a, b| a.key.cmp(&b.key));
            for r in rows {
                let k = &r.key;
                let o = |v: &Option<String>| csv_field(v.as_deref().unwrap_or(""));
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                    k.day,
                    csv_field(&k.organisation),
                    csv_field(&k.policy_domain),
                    csv_field(&k.policy_type),
                    csv_field(&k.result_type),
                    o(&k.sending_mta_ip),
                    o(&k.receiving_mx_hostname),
                    o(&k.receiving_mx_helo),
                    o(&k.receiving_ip),
                    o(&k.failure_reason_code),
                    o(&k.additional_information),
                    r.sessions,
                    csv_field(&r.report_id),
                    csv_field(&r.origin)
                ));
            }
        }
    }
    out
}

/// One counted report as NDJSON lines for engines that scale (issue 12: ClickHouse's
/// `JSONEachRow`, Elasticsearch's bulk API; schemas in docs/): a `"kind": "policy"` row per
/// policy of the report with its session counts, and a `"kind": "failure"` row per
/// failure-details entry, each with the report's keys. Over the reports a batch counted
/// (duplicates left out), the policy rows' `successful` and `failed` add up to the batch's
/// totals, and the failure rows' `failed` to its failed sessions by result type. With the
/// DKIM verdict of the email the report came in (`report --dkim`), every row also has
/// `"dkim"` ("pass", "fail", "none", "temperror", "permerror") and `"dkim_domain"`, so an
/// engine can count only signed reports.
pub fn ndjson(r: &crate::tls_rpt::report::Report, origin: &str, dkim: Option<&crate::tls_rpt::dkim::Dkim>) -> String {
    use crate::deploy::rfc3339;
    use serde_json::json;
    let (start, end) = (r.start.map(rfc3339), r.end.map(rfc3339));
    let day = r.start.map(crate::tls_rpt::summary::utc_day);
    let mut out = String::new();
    for p in &r.policies {
        let domain = p.policy_domain.as_deref().unwrap_or("");
        let mut base = json!({
            "organisation": r.organization_name,
            "report_id": r.report_id,
            "start": start,
            "end": end,
            "day": day,
            "policy_type": p.policy_type.as_str(),
            "policy_domain": domain,
            "origin": origin,
        });
        if let (Some(d), Some(o)) = (dkim, base.as_object_mut()) {
            o.insert("dkim".to_string(), json!(d.result));
            o.insert("dkim_domain".to_string(), json!(d.domain));
        }
        let row = |kind: &str, fields: serde_json::Value| {
            let mut o = serde_json::Map::new();
            o.insert("kind".to_string(), kind.into());
            for v in [&base, &fields] {
                if let Some(m) = v.as_object() {
                    o.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
            serde_json::Value::Object(o).to_string()
        };
        out.push_str(&row(
            "policy",
            json!({"contact_info": r.contact_info, "mx_host": p.mx_host, "successful": p.successful, "failed": p.failed}),
        ));
        out.push('\n');
        for d in &p.failure_details {
            out.push_str(&row(
                "failure",
                json!({
                    "result_type": d.result_type,
                    "sending_mta_ip": d.sending_mta_ip,
                    "receiving_mx_hostname": d.receiving_mx_hostname,
                    "receiving_mx_helo": d.receiving_mx_helo,
                    "receiving_ip": d.receiving_ip,
                    "failure_reason_code": d.failure_reason_code,
                    "additional_information": d.additional_information,
                    "failed": d.failed_session_count,
                }),
            ));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    /// OWASP CSV injection: what a report sender puts in a string must not run as a formula
    /// in the administrator's spreadsheet.
    #[test]
    fn formulas_are_neutralised() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
            ("+1+cmd|' /C calc'!A0", "\"'+1+cmd|' /C calc'!A0\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
            ("\r=1", "\"'\r=1\""),
            ("mx1.example.com", "mx1.example.com"),
            ("a,b", "\"a,b\""),
            ("2001:db8::1", "2001:db8::1"),
        ] {
            assert_eq!(csv_field(cell), want, "{cell:?}");
        }
    }
}
