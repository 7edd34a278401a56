//! The setup generator and the change planner on arbitrary input (what a user types: MX
//! hosts, wildcards, report addresses, ids, a live policy, a target). Never a panic; and
//! whatever is accepted holds the generator's promises: every MX host covered by exactly
//! the patterns chosen, none covering nothing; the policy reads back as written; plans in
//! date order, every policy in them lint-clean, removal not before the live max_age ends.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mtasts_core::deploy::{self, LineEnding, Live, Setup, Target, WebTarget};
use mtasts_core::lint::{lint_text, Kind};
use mtasts_core::mta_sts::mx::MxPattern;
use mtasts_core::mta_sts::policy::{self, Mode};
use mtasts_core::Severity;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    domain: &'a str,
    mx: Vec<&'a str>,
    accepted: Vec<&'a str>,
    rua: Vec<&'a str>,
    enforce: bool,
    max_age: u64,
    id: &'a str,
    lf: bool,
    web: &'a str,
    target: &'a str,
    now: i64,
    live_policy: &'a [u8],
    live_id: Option<&'a str>,
}

fn clean(kind: Kind, text: &str) -> bool {
    lint_text(kind, text.as_bytes()).is_some_and(|l| l.findings.iter().all(|f| f.severity() < Severity::Warning))
}

fuzz_target!(|i: Input<'_>| {
    let now = i.now.clamp(0, 253_402_300_799 - 2 * 31_557_600);
    let hosts = deploy::mx_hosts(&i.mx);
    let rua: Vec<String> = i.rua.iter().filter_map(|r| deploy::rua_uri(r).ok()).collect();
    let _ = Target::parse(i.target);
    let web = WebTarget::parse(i.web).unwrap_or(WebTarget::Unknown);
    let Ok(hosts) = hosts else { return };
    let accepted: Vec<String> = i.accepted.iter().map(|s| s.to_string()).collect();
    if let Ok(chosen) = deploy::choose_patterns(&hosts, &accepted) {
        let patterns: Vec<MxPattern> = chosen.iter().map(|c| MxPattern::parse(&c.pattern).expect("a chosen pattern parses")).collect();
        for (c, p) in chosen.iter().zip(&patterns) {
            assert!(!c.covers.is_empty());
            assert!(c.covers.iter().all(|h| p.matches(h)), "{c:?}");
        }
        for h in &hosts {
            assert!(patterns.iter().any(|p| p.matches(h)), "{h} uncovered by {chosen:?}");
        }
        let mode = if i.enforce { Mode::Enforce } else { Mode::Testing };
        let s = Setup {
            domain: i.domain.to_string(),
            mode,
            max_age: i.max_age,
            mx: chosen.iter().map(|c| c.pattern.clone()).collect(),
            rua: rua.clone(),
            id: if i.id.is_empty() { deploy::new_id(now, None) } else { i.id.to_string() },
            line_ending: if i.lf { LineEnding::Lf } else { LineEnding::Crlf },
            web,
        };
        if let Ok(s) = s.validate() {
            let back = policy::parse(s.policy().as_bytes()).value;
            assert_eq!((back.mode, back.max_age), (Some(mode), Some(s.max_age)));
            assert_eq!(back.mx.iter().map(ToString::to_string).collect::<Vec<_>>(), s.mx);
            assert!(clean(Kind::StsRecord, &s.sts_record()));
            assert!(s.tlsrpt_record().is_none_or(|t| clean(Kind::TlsRptRecord, &t)));
            let _ = (s.zone(), s.recipes());
        }
    }
    let live = Live {
        mx: hosts,
        sts_id: i.live_id.map(str::to_string),
        policy: (!i.live_policy.is_empty()).then(|| policy::parse(i.live_policy).value),
        deployed: i.live_id.is_some(),
        rua: rua.clone(),
    };
    let Ok(target) = Target::parse(i.target) else { return };
    if let Ok(steps) = deploy::plan("example.com", &live, &target, now, &rua) {
        assert!(steps.windows(2).all(|w| w[0].not_before <= w[1].not_before), "{steps:?}");
        for p in steps.iter().filter_map(|s| s.policy.as_deref()) {
            assert!(clean(Kind::Policy, p), "{p}");
        }
        if target == Target::Remove && (live.sts_id.is_some() || live.deployed) {
            let last = steps.last().expect("a removal has steps");
            assert!(last.not_before >= now.saturating_add(live.cached_for() as i64));
        }
    }
});
