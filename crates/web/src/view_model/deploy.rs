//! The Deploy page (`#/deploy/<domain>`): what the form says plus what the live domain
//! publishes → every artefact, the coverage of the proposal against the live MX, the
//! hosting recipes and the dated plan. All of it from core's `deploy` module; this file
//! only reads the form's text and shapes the result for the page.

use mtasts_core::check::{self, Answers, DnsAnswer};
use mtasts_core::deploy::{
    self, LineEnding, Live, PatternChoice, Recipe, Record, Setup, Step, Target, WebTarget, WildcardOffer,
};
use mtasts_core::mta_sts::coverage::coverage;
use mtasts_core::mta_sts::mx::MxPattern;
use mtasts_core::mta_sts::policy::{human_duration, Mode};

/// What the user typed or chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// MX hosts, one per line (or as DNS prints them).
    pub mx: String,
    /// Accepted wildcard patterns.
    pub accepted: Vec<String>,
    /// Report addresses, separated by commas, spaces or lines.
    pub rua: String,
    /// testing or enforce.
    pub mode: Mode,
    /// max_age in seconds, as typed.
    pub max_age: String,
    /// CRLF (true) or LF.
    pub crlf: bool,
    /// Where mta-sts.<domain> points: a host name or IP addresses.
    pub web: String,
    /// The plan's target: testing, enforce, none, remove, mx.
    pub target: String,
    /// The new MX hosts, for the MX-move plan.
    pub new_mx: String,
}

impl Form {
    /// The form as the live state suggests it: the live MX hosts, the live report
    /// addresses (or tlsrpt@<domain>), mode testing with its default max_age, the live
    /// policy host's addresses.
    pub fn from_live(domain: &str, live: &Live, web: &str) -> Form {
        let rua = if live.rua.is_empty() { format!("tlsrpt@{domain}") } else { live.rua.join("\n") };
        let target = match live.policy.as_ref().and_then(|p| p.mode) {
            Some(Mode::Enforce) => "mx",
            _ => "enforce",
        };
        Form {
            mx: live.mx.join("\n"),
            accepted: vec![],
            rua,
            mode: Mode::Testing,
            max_age: deploy::default_max_age(Mode::Testing).to_string(),
            crlf: true,
            web: web.to_string(),
            target: target.to_string(),
            new_mx: String::new(),
        }
    }
}

/// The live state read from a check's answers: for the plan and the form's defaults. The
/// policy comes from the fetch, or from what the user pasted. Also the addresses of the
/// policy host, for the form's web target.
pub fn live_from(domain: &str, answers: &Answers) -> (Live, String) {
    let web = match &answers.policy_host {
        DnsAnswer::Records { records, .. } => records.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    };
    (Live::read(&check::evaluate(domain, answers), answers).0, web)
}

/// One row of the proposal's coverage matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    /// The MX host.
    pub host: String,
    /// The pattern that covers it.
    pub pattern: Option<String>,
    /// Whether covered.
    pub covered: bool,
}

/// Everything the page shows below the form.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployView {
    /// Problems with the form, per field (mx, rua, max_age, web, new_mx).
    pub errors: Vec<(&'static str, String)>,
    /// Wildcards the user may accept.
    pub offers: Vec<WildcardOffer>,
    /// The chosen patterns and why.
    pub patterns: Vec<PatternChoice>,
    /// The proposal against the live MX hosts (or the typed ones when there are none).
    pub coverage: Vec<CoverageRow>,
    /// The generated setup, when the form is valid.
    pub setup: Option<SetupView>,
    /// The plan, or why there is none.
    pub plan: Result<Vec<StepView>, String>,
}

/// The artefacts of a valid form.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupView {
    /// The policy file.
    pub policy: String,
    /// `max_age` in words.
    pub max_age: String,
    /// `_mta-sts` TXT value.
    pub sts_record: String,
    /// `_smtp._tls` TXT value.
    pub tlsrpt_record: Option<String>,
    /// The `mta-sts.<domain>` entries (CNAME or A/AAAA), as zone lines; empty when unknown.
    pub host_records: Vec<String>,
    /// Zone-file lines for everything.
    pub zone: String,
    /// The hosting recipes.
    pub recipes: Vec<Recipe>,
}

/// One plan step, dated for people.
#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    /// "2026-12-08 (in 7 days)" or "now".
    pub when: String,
    /// RFC 3339, for `data-not-before`.
    pub not_before: String,
    /// The step.
    pub step: Step,
    /// Zone lines of its records.
    pub lines: Vec<String>,
}

fn split_list(s: &str) -> Vec<String> {
    s.split(['\n', ',']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn when(t: i64, now: i64) -> String {
    let days = t.saturating_sub(now) / 86_400;
    if t <= now {
        "now".to_string()
    } else {
        let date = deploy::rfc3339(t);
        let day = date.get(..10).unwrap_or(&date);
        format!("{day} (in {days} day{})", if days == 1 { "" } else { "s" })
    }
}

impl DeployView {
    /// Builds the page for `domain` (normalised) from the form, the live state and `now`
    /// (the browser's clock, Unix seconds).
    pub fn new(domain: &str, form: &Form, live: &Live, now: i64) -> DeployView {
        let mut errors = Vec::new();
        let typed_mx: Vec<String> = form.mx.lines().map(str::to_string).collect();
        let hosts = match deploy::mx_hosts(&typed_mx) {
            Ok(h) => h,
            Err(e) => {
                errors.push(("mx", e));
                vec![]
            }
        };
        let offers = deploy::wildcard_offers(&hosts);
        let accepted: Vec<String> =
            form.accepted.iter().filter(|a| offers.iter().any(|o| &o.pattern == *a)).cloned().collect();
        let patterns = deploy::choose_patterns(&hosts, &accepted).unwrap_or_default();
        let against: Vec<(Option<u16>, String)> =
            if live.mx.is_empty() { &hosts } else { &live.mx }.iter().map(|h| (None, h.clone())).collect();
        let parsed: Vec<MxPattern> = patterns.iter().filter_map(|p| MxPattern::parse(&p.pattern).ok()).collect();
        let coverage = if parsed.is_empty() {
            vec![]
        } else {
            coverage(&parsed, &against, None)
                .value
                .rows
                .into_iter()
                .map(|r| CoverageRow { host: r.host, pattern: r.pattern, covered: r.covered })
                .collect()
        };
        let rua: Vec<String> = split_list(&form.rua)
            .iter()
            .filter_map(|r| deploy::rua_uri(r).map_err(|e| errors.push(("rua", e))).ok())
            .collect();
        let max_age = match form.max_age.trim().parse::<u64>() {
            Ok(a) => a,
            Err(_) => {
                errors.push(("max_age", format!("max_age \"{}\" is not a number of seconds", form.max_age.trim())));
                0
            }
        };
        let web = WebTarget::parse(&form.web).unwrap_or_else(|e| {
            errors.push(("web", e));
            WebTarget::Unknown
        });
        let setup = if errors.is_empty() {
            let s = Setup {
                domain: domain.to_string(),
                mode: form.mode,
                max_age,
                mx: patterns.iter().map(|c| c.pattern.clone()).collect(),
                rua: rua.clone(),
                id: deploy::new_id(now, live.sts_id.as_deref()),
                line_ending: if form.crlf { LineEnding::Crlf } else { LineEnding::Lf },
                web,
            }
            .validate();
            match s {
                Ok(s) => Some(setup_view(&s)),
                Err(e) => {
                    errors.push(("max_age", e));
                    None
                }
            }
        } else {
            None
        };
        let plan = Self::plan(domain, form, live, now, &rua);
        DeployView { errors, offers, patterns, coverage, setup, plan }
    }

    fn plan(domain: &str, form: &Form, live: &Live, now: i64, rua: &[String]) -> Result<Vec<StepView>, String> {
        let target = if form.target == "mx" {
            Target::parse(&format!("mx={}", split_list(&form.new_mx).join(",")))?
        } else {
            Target::parse(&form.target)?
        };
        // The live MX hosts, or the typed ones when DNS had none yet.
        let mut live = live.clone();
        if live.mx.is_empty() {
            live.mx = deploy::mx_hosts(&form.mx.lines().collect::<Vec<_>>()).unwrap_or_default();
        }
        let steps = deploy::plan(domain, &live, &target, now, rua)?;
        Ok(steps
            .into_iter()
            .map(|s| StepView {
                when: when(s.not_before, now),
                not_before: deploy::rfc3339(s.not_before),
                lines: s.records.iter().map(Record::zone_line).collect(),
                step: s,
            })
            .collect())
    }

    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, e)| e.as_str())
    }
}

fn setup_view(s: &Setup) -> SetupView {
    let records = s.records();
    SetupView {
        policy: s.policy(),
        max_age: format!("{} = {}", s.max_age, human_duration(s.max_age)),
        sts_record: s.sts_record(),
        tlsrpt_record: s.tlsrpt_record(),
        host_records: records.iter().filter(|r| r.name.starts_with("mta-sts.")).map(Record::zone_line).collect(),
        zone: s.zone(),
        recipes: s.recipes(),
    }
}

/// What the live state says, in one line for the page.
pub fn live_summary(live: &Live) -> String {
    let policy = match &live.policy {
        Some(p) => format!(
            "policy mode {}, max_age {}",
            p.mode.map_or("?", |m| m.as_str()),
            p.max_age.map_or("?".to_string(), human_duration)
        ),
        None if live.deployed => "a policy that could not be read from here (paste it below)".to_string(),
        None => "no MTA-STS".to_string(),
    };
    let mx = if live.mx.is_empty() { "no MX records".to_string() } else { format!("MX {}", live.mx.join(", ")) };
    let rpt =
        if live.rua.is_empty() { "no TLS-RPT".to_string() } else { format!("TLS-RPT to {}", live.rua.join(", ")) };
    format!("Live: {mx}; {policy}; {rpt}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_164_800; // 2026-12-01T22:40:00Z

    fn newcomer() -> Live {
        Live { mx: vec!["mx1.mail.example.com".into(), "mx2.mail.example.com".into()], ..Live::default() }
    }

    #[test]
    fn a_newcomer_gets_a_testing_setup_for_its_own_hosts() {
        let live = newcomer();
        let form = Form::from_live("example.com", &live, "");
        let v = DeployView::new("example.com", &form, &live, NOW);
        assert!(v.errors.is_empty(), "{:?}", v.errors);
        let s = v.setup.unwrap();
        assert_eq!(
            s.policy,
            "version: STSv1\r\nmode: testing\r\nmx: mx1.mail.example.com\r\nmx: mx2.mail.example.com\r\nmax_age: 86400\r\n"
        );
        assert_eq!(s.sts_record, "v=STSv1; id=20261201224000");
        assert_eq!(s.tlsrpt_record.as_deref(), Some("v=TLSRPTv1; rua=mailto:tlsrpt@example.com"));
        assert_eq!(v.offers.len(), 1);
        assert!(v.coverage.iter().all(|r| r.covered));
        let plan = v.plan.unwrap();
        assert_eq!(plan[0].when, "now");
        assert!(plan.iter().any(|s| s.when.starts_with("2026-12-08 (in 7 days)")), "{plan:?}");
        // Accepting the wildcard replaces the two lines.
        let form = Form { accepted: vec!["*.mail.example.com".into()], ..form };
        let s = DeployView::new("example.com", &form, &live, NOW).setup.unwrap();
        assert!(s.policy.contains("mx: *.mail.example.com\r\nmax_age"), "{}", s.policy);
    }

    #[test]
    fn form_errors_name_their_field_and_keep_the_rest() {
        let live = newcomer();
        let form = Form {
            rua: "http://r.example.com/".into(),
            max_age: "a week".into(),
            web: "a b c".into(),
            ..Form::from_live("example.com", &live, "")
        };
        let v = DeployView::new("example.com", &form, &live, NOW);
        assert!(v.error("rua").unwrap().contains("https only"));
        assert!(v.error("max_age").unwrap().contains("not a number"));
        assert!(v.error("web").is_some());
        assert!(v.setup.is_none());
        assert!(!v.coverage.is_empty(), "the MX part still shows");
        let v = DeployView::new(
            "example.com",
            &Form { mx: ".".into(), ..Form::from_live("example.com", &live, "") },
            &live,
            NOW,
        );
        assert!(v.error("mx").unwrap().contains("null MX"));
        let enforce_short = Form { mode: Mode::Enforce, ..Form::from_live("example.com", &live, "") };
        let v = DeployView::new("example.com", &enforce_short, &live, NOW);
        assert!(v.error("max_age").unwrap().contains("lint clean"), "{:?}", v.errors);
    }

    #[test]
    fn the_mx_move_plan_reads_the_new_hosts() {
        let mut live = newcomer();
        live.sts_id = Some("1".into());
        live.deployed = true;
        live.policy = Some(
            mtasts_core::mta_sts::policy::parse(
                b"version: STSv1\nmode: enforce\nmx: *.mail.example.com\nmax_age: 1209600\n",
            )
            .value,
        );
        let form = Form {
            target: "mx".into(),
            new_mx: "in1.provider.net, in2.provider.net".into(),
            ..Form::from_live("example.com", &live, "")
        };
        assert_eq!(Form::from_live("example.com", &live, "").target, "mx", "an enforcing domain's likely change");
        let plan = DeployView::new("example.com", &form, &live, NOW).plan.unwrap();
        assert!(plan[2].when.starts_with("2026-12-15 (in 14 days)"), "{plan:?}");
        assert_eq!(plan[2].lines[0], "example.com.\t3600\tIN\tMX\t10 in1.provider.net.");
        let empty = Form { new_mx: String::new(), ..form };
        assert!(DeployView::new("example.com", &empty, &live, NOW).plan.unwrap_err().contains("no MX host"));
    }
}
