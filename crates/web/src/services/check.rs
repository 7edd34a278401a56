//! Runs core's check plan over the network: the first wave of lookups all at once (MX, the
//! two TXT names, the policy host's addresses, the policy, and the second resolver's TXT
//! answers), then TLSA for each MX host. The critical path is two DNS round trips plus, when
//! the policy host sends no CORS header, the fetch and its `no-cors` probe.

use futures::future::join_all;
use mtasts_core::check::{self, Answers, Second};
use mtasts_core::dns::{self, Kind};

use crate::services::files::now_ms;
use crate::services::net::{fetch_policy, lookup, RawLookup, Resolver};

/// Which resolvers to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolvers {
    /// Asked for everything.
    pub primary: Resolver,
    /// Asked again for the two TXT names, to catch split horizon and propagation.
    pub second: Option<Resolver>,
}

impl Resolvers {
    /// `?doh=URL` (only that resolver, unless `?doh2=URL` names a second); else the
    /// endpoints saved in settings; else Cloudflare with Google as the second.
    pub fn from(doh: Option<String>, doh2: Option<String>, saved: Option<(String, String)>) -> Resolvers {
        let nonempty = |s: Option<String>| s.filter(|u| !u.trim().is_empty()).map(|u| Resolver::new(&u));
        if let Some(primary) = nonempty(doh) {
            return Resolvers { primary, second: nonempty(doh2) };
        }
        match saved {
            Some((p, s)) if !p.trim().is_empty() => Resolvers { primary: Resolver::new(&p), second: nonempty(Some(s)) },
            _ => Resolvers {
                primary: Resolver::new(Resolver::CLOUDFLARE),
                second: Some(Resolver::new(Resolver::GOOGLE)),
            },
        }
    }
}

/// Everything a finished check read.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The answers, for core's `evaluate`.
    pub answers: Answers,
    /// Every DNS answer as read, for the raw panel.
    pub raw: Vec<RawLookup>,
    /// Wall time of the whole check, milliseconds.
    pub ms: f64,
}

fn address(body: &[u8]) -> dns::Reply<std::net::IpAddr> {
    dns::decode_address(body, Kind::A)
}

fn address6(body: &[u8]) -> dns::Reply<std::net::IpAddr> {
    dns::decode_address(body, Kind::Aaaa)
}

/// Checks `domain` (normalized) with `resolvers`.
pub async fn run(domain: &str, resolvers: &Resolvers) -> Outcome {
    let started = now_ms();
    let plan = check::plan(domain);
    let p = &resolvers.primary;
    let second = async {
        match &resolvers.second {
            Some(r) => Some(futures::join!(
                lookup(r, &plan.sts_txt, Kind::Txt, dns::decode_txt),
                lookup(r, &plan.tlsrpt_txt, Kind::Txt, dns::decode_txt),
            )),
            None => None,
        }
    };
    let ((mx, mx_raw), (sts, sts_raw), (rpt, rpt_raw), (a, a_raw), (aaaa, aaaa_raw), policy, second) = futures::join!(
        lookup(p, &plan.mx, Kind::Mx, dns::decode_mx),
        lookup(p, &plan.sts_txt, Kind::Txt, dns::decode_txt),
        lookup(p, &plan.tlsrpt_txt, Kind::Txt, dns::decode_txt),
        lookup(p, &plan.policy_host, Kind::A, address),
        lookup(p, &plan.policy_host, Kind::Aaaa, address6),
        fetch_policy(&plan.policy),
        second,
    );
    let mut raw = vec![mx_raw, sts_raw, rpt_raw, a_raw, aaaa_raw];
    let tlsa_wave = check::plan_mx(&mx);
    let tlsa_answers = join_all(tlsa_wave.iter().map(|(_, name)| lookup(p, name, Kind::Tlsa, dns::decode_tlsa))).await;
    let mut tlsa = Vec::new();
    for ((host, _), (answer, r)) in tlsa_wave.into_iter().zip(tlsa_answers) {
        tlsa.push((host, answer));
        raw.push(r);
    }
    let second = match (second, &resolvers.second) {
        (Some(((s_sts, s_sts_raw), (s_rpt, s_rpt_raw))), Some(r)) => {
            raw.push(s_sts_raw);
            raw.push(s_rpt_raw);
            Some(Second { resolver: r.label(), sts_txt: s_sts, tlsrpt_txt: s_rpt })
        }
        _ => None,
    };
    let policy_host = dns::merge_addresses(a, aaaa);
    // A browser never sees the policy host's certificate; `now` is there for the rules that
    // would judge it.
    #[allow(clippy::cast_possible_truncation)]
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let answers =
        Answers { mx, sts_txt: sts, tlsrpt_txt: rpt, policy_host, policy, tlsa, second, certificate: None, now };
    Outcome { answers, raw, ms: now_ms() - started }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_resolvers() {
        let url = |s: &str| Some(s.to_string());
        let r = Resolvers::from(None, None, None);
        assert_eq!((r.primary.label(), r.second.map(|s| s.label())), ("cloudflare-dns.com".into(), url("dns.google")));
        // ?doh= alone means that resolver only; ?doh2= adds the second.
        let r = Resolvers::from(url("https://127.0.0.1:9/dns-query"), None, Some(("https://a/".into(), "".into())));
        assert_eq!((r.primary.label(), r.second), ("127.0.0.1:9".into(), None));
        let r = Resolvers::from(url("https://m/dns-query"), url("https://m/second/dns-query"), None);
        assert_eq!(r.second.map(|s| s.label()), url("m/second"));
        // Saved settings, with and without a second.
        let r = Resolvers::from(None, None, Some(("https://doh.example/q?x=1".into(), " ".into())));
        assert_eq!((r.primary.label(), r.second), ("doh.example/q".into(), None));
        let r = Resolvers::from(url(" "), None, Some(("".into(), "https://b/dns-query".into())));
        assert_eq!(r.primary.url, Resolver::CLOUDFLARE, "an empty saved primary falls back to the defaults");
    }
}
