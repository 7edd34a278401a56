//! The domain check over arbitrary answers. The verdict must follow from the findings:
//! protected only with an enforce policy, every MX host covered and no error about the
//! record, policy, fetch, host, certificate or MX coverage; broken only with an error.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mtasts_core::check::{evaluate, Answers, DnsAnswer, PolicyFetch, Second, Tlsa, Verdict};
use mtasts_core::code::Area;
use mtasts_core::mta_sts::policy::Mode;
use mtasts_core::Severity;

#[derive(Arbitrary, Debug)]
enum Answer<T> {
    Records(Vec<T>, bool),
    NxDomain,
    ServFail,
    Timeout,
    Failed,
}

impl<T> Answer<T> {
    fn into_dns<U>(self, f: impl Fn(T) -> U) -> DnsAnswer<U> {
        match self {
            Answer::Records(r, ad) => {
                DnsAnswer::Records { records: r.into_iter().map(f).collect(), authenticated: ad, cnames: vec![] }
            }
            Answer::NxDomain => DnsAnswer::NxDomain,
            Answer::ServFail => DnsAnswer::ServFail,
            Answer::Timeout => DnsAnswer::Timeout,
            Answer::Failed => DnsAnswer::Failed("fuzz".into()),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Fetch {
    Response(u16, Option<String>, Option<String>, Vec<u8>),
    Opaque,
    Unreachable,
    Redirect,
    Pasted(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    mx: Answer<(u16, String)>,
    sts: Answer<Vec<String>>,
    rpt: Answer<Vec<String>>,
    host: Answer<[u8; 4]>,
    fetch: Fetch,
    tlsa: Vec<(String, Answer<(u8, u8, u8, Vec<u8>)>)>,
    second: Option<(Answer<Vec<String>>, Answer<Vec<String>>)>,
    certificate: Option<Vec<u8>>,
    now: i64,
}

fn txt(a: Answer<Vec<String>>) -> DnsAnswer<Vec<Vec<u8>>> {
    a.into_dns(|strings| strings.into_iter().map(String::into_bytes).collect())
}

fuzz_target!(|i: Input| {
    let answers = Answers {
        mx: i.mx.into_dns(|r| r),
        sts_txt: txt(i.sts),
        tlsrpt_txt: txt(i.rpt),
        policy_host: i.host.into_dns(|o| std::net::IpAddr::from(o)),
        policy: match i.fetch {
            Fetch::Response(status, content_type, location, body) => {
                PolicyFetch::Response { status, content_type, location, body }
            }
            Fetch::Opaque => PolicyFetch::Opaque,
            Fetch::Unreachable => PolicyFetch::Unreachable("fuzz".into()),
            Fetch::Redirect => PolicyFetch::Redirect,
            Fetch::Pasted(text) => PolicyFetch::pasted(&text),
        },
        tlsa: i
            .tlsa
            .into_iter()
            .map(|(h, a)| (h, a.into_dns(|(usage, selector, matching, data)| Tlsa { usage, selector, matching, data })))
            .collect(),
        second: i.second.map(|(s, r)| Second { resolver: "second".into(), sts_txt: txt(s), tlsrpt_txt: txt(r) }),
        certificate: i.certificate,
        now: i.now,
    };
    let c = evaluate("example.com", &answers);
    let error_in = |areas: &[Area]| {
        c.findings.iter().any(|l| l.finding.severity() == Severity::Error && areas.contains(&l.finding.code.area()))
    };
    match c.verdict {
        Verdict::Protected => {
            assert!(
                !error_in(&[Area::StsRecord, Area::Policy, Area::Fetch, Area::Host, Area::Cert, Area::Mx]),
                "protected with an error: {:?}",
                c.findings
            );
            assert!(c.sts.is_some());
            assert_eq!(c.policy.as_ref().and_then(|p| p.mode), Some(Mode::Enforce));
            let cov = c.coverage.as_ref().expect("protected means coverage was checked");
            assert!(cov.rows.iter().all(|r| r.covered), "protected with an uncovered MX host");
        }
        Verdict::Testing => {
            assert_eq!(c.policy.as_ref().and_then(|p| p.mode), Some(Mode::Testing));
            assert!(!error_in(&[Area::StsRecord, Area::Policy, Area::Fetch, Area::Host, Area::Cert]));
        }
        Verdict::Broken => assert!(
            c.findings.iter().any(|l| l.finding.severity() == Severity::Error),
            "broken without an error finding"
        ),
        Verdict::None | Verdict::Undecided(_) => {}
    }
});
