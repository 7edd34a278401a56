//! `mtasts check DOMAIN`: the domain check of the web page, from a terminal. Core plans the
//! lookups and judges the answers; this file only performs them over HTTPS: DNS-over-HTTPS
//! (RFC 8484) and the policy fetch. Unlike a browser, the CLI reads the policy whatever its
//! CORS headers, so its verdict never waits for a paste.

use std::net::SocketAddr;
use std::time::Duration;

use std::time::{SystemTime, UNIX_EPOCH};

use mtasts_core::check::{self, Answers, Check, DnsAnswer, Plan, PolicyFetch, Second, Verdict};
use mtasts_core::dns::{self, Kind, Reply};
use mtasts_core::mta_sts::cert;
use mtasts_core::mta_sts::policy::{human_duration, MAX_POLICY_BYTES};
use mtasts_core::Severity;
use reqwest::blocking::Client;
use serde_json::json;

/// `mtasts check` options.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// The domain to check (an e-mail address or a URL works too).
    domain: String,
    /// A second resolver, asked again for the two TXT names to catch split horizon and
    /// propagation; "none" for none.
    #[arg(long, default_value = "https://dns.google/dns-query")]
    doh2: String,
    /// Judge this file as the policy instead of fetching it (the policy text, or the output
    /// of `curl -sS -D - --max-redirs 0 URL`).
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// Also print every DNS answer as read (zone-file lines).
    #[arg(long)]
    raw: bool,
    /// Print one JSON object instead of text (it always has the raw answers).
    #[arg(long)]
    json: bool,
    /// Also talk to every MX host on port 25 as a sender does (STARTTLS, certificate,
    /// DANE; see `mtasts probe`) and judge the domain on what they present.
    #[arg(long)]
    probe: bool,
    #[command(flatten)]
    net: Net,
}

/// How to reach the outside world: the resolver, trust and overrides (shared by `check`,
/// `init` and `plan`).
#[derive(clap::Args)]
pub struct Net {
    /// DNS-over-HTTPS resolver (an RFC 8484 URL).
    #[arg(long, default_value = "https://cloudflare-dns.com/dns-query")]
    pub doh: String,
    /// Also trust the CA certificates in this PEM file, for test servers.
    #[arg(long, value_name = "PEM")]
    ca_cert: Option<String>,
    /// Connect to ADDR for HOST instead of resolving it (like curl --resolve); HOST may
    /// start with "*." for any name under it. Repeatable.
    #[arg(long, value_name = "HOST=IP:PORT")]
    resolve: Vec<String>,
    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            authority
        }
    });
    host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase()
}

fn pattern_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(parent) => host.len() > parent.len() + 1 && host.ends_with(&format!(".{parent}")),
        None => pattern.eq_ignore_ascii_case(host),
    }
}

impl Net {
    /// The `--ca-cert` file, if any.
    pub fn ca_cert(&self) -> Option<&str> {
        self.ca_cert.as_deref()
    }

    /// How long to wait for each answer.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }

    /// The address a `--resolve` rule gives `host`, if one matches (the first wins).
    pub fn resolved(&self, host: &str) -> Result<Option<SocketAddr>, String> {
        for r in &self.resolve {
            let (pattern, addr) = rule(r)?;
            if pattern_matches(pattern, host) {
                return Ok(Some(addr));
            }
        }
        Ok(None)
    }

    /// The resolver's host name.
    pub fn doh_host(&self) -> String {
        host_of(&self.doh)
    }

    /// The HTTP client, with the overrides applied to the hosts it will contact.
    pub fn client(&self, hosts: &[String]) -> Result<Client, String> {
        client(self, hosts)
    }
}

/// The HTTP client, with the overrides applied to the hosts this check will contact.
fn client(args: &Net, hosts: &[String]) -> Result<Client, String> {
    let mut b = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(args.timeout))
        .user_agent(concat!("mtasts/", env!("CARGO_PKG_VERSION")))
        .tls_info(true);
    if let Some(path) = &args.ca_cert {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| format!("{path} is not a PEM certificate: {e}"))?;
        if certs.is_empty() {
            return Err(format!("{path} holds no PEM certificate"));
        }
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    let rules = args.resolve.iter().map(|r| rule(r)).collect::<Result<Vec<_>, _>>()?;
    // The first rule that matches a host wins.
    for h in hosts {
        if let Some((_, addr)) = rules.iter().find(|(p, _)| pattern_matches(p, h)) {
            b = b.resolve(h, *addr);
        }
    }
    b.build().map_err(|e| format!("cannot set up HTTPS: {e}"))
}

/// A `--resolve HOST=IP:PORT` rule.
fn rule(r: &str) -> Result<(&str, SocketAddr), String> {
    let (pattern, addr) = r.split_once('=').ok_or_else(|| format!("--resolve {r:?}: expected HOST=IP:PORT"))?;
    let addr: SocketAddr = addr.parse().map_err(|_| format!("--resolve {r:?}: {addr:?} is not IP:PORT"))?;
    Ok((pattern, addr))
}

/// Why a request failed, in words (reqwest's own message, then its causes).
fn why(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

pub fn lookup<T>(
    c: &Client,
    resolver: &str,
    name: &str,
    kind: Kind,
    decode: fn(&[u8]) -> Reply<T>,
) -> (DnsAnswer<T>, String) {
    let query = match dns::query(name, kind) {
        Ok(q) => q,
        Err(e) => return (DnsAnswer::Failed(e), String::new()),
    };
    let sent = c.get(dns::get_url(resolver, &query)).header("accept", "application/dns-message").send();
    let answer = match sent {
        Err(e) if e.is_timeout() => DnsAnswer::Timeout,
        Err(e) => DnsAnswer::Failed(format!("{} could not be reached ({})", dns::resolver_label(resolver), why(&e))),
        Ok(r) if r.status() != 200 => {
            DnsAnswer::Failed(format!("{} answered HTTP {}", dns::resolver_label(resolver), r.status()))
        }
        Ok(r) => match read_capped(r, MAX_DNS_BYTES) {
            Err(e) => {
                DnsAnswer::Failed(format!("reading the answer from {} failed ({e})", dns::resolver_label(resolver)))
            }
            Ok(body) if body.len() > MAX_DNS_BYTES => DnsAnswer::Failed(format!(
                "{} sent an answer over {MAX_DNS_BYTES} bytes, more than any DNS message can hold",
                dns::resolver_label(resolver)
            )),
            Ok(body) => {
                let reply = decode(&body);
                let raw = reply.raw.join("\n");
                return (reply.answer, raw);
            }
        },
    };
    (answer, String::new())
}

/// A DNS message cannot be longer than 65,535 bytes (RFC 1035 §4.2.2 length prefix).
const MAX_DNS_BYTES: usize = 65_535;

/// Reads at most `limit + 1` bytes of a response body: enough to tell that it is over the
/// limit without holding what a hostile server keeps sending.
fn read_capped(r: reqwest::blocking::Response, limit: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut body = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    r.take(cap).read_to_end(&mut body).map_err(|e| e.to_string())?;
    Ok(body)
}

/// The policy fetch as a sender makes it, and the certificate the host presented.
fn fetch_policy(c: &Client, url: &str) -> (PolicyFetch, Option<Vec<u8>>) {
    match c.get(url).header("accept", "text/plain").send() {
        Err(e) if e.is_timeout() => (PolicyFetch::Unreachable("no answer in time".to_string()), None),
        Err(e) => (PolicyFetch::Unreachable(why(&e)), None),
        Ok(r) => {
            let status = r.status().as_u16();
            let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
            let (content_type, location) = (header("content-type"), header("location"));
            let cert =
                r.extensions().get::<reqwest::tls::TlsInfo>().and_then(|t| t.peer_certificate()).map(<[u8]>::to_vec);
            // Read one byte past the limit core judges, so a policy over 64 KiB is still seen
            // as too large; nothing more is held however much the host sends.
            match read_capped(r, MAX_POLICY_BYTES) {
                Ok(body) => (PolicyFetch::Response { status, content_type, location, body }, cert),
                Err(e) => (PolicyFetch::Unreachable(format!("the body could not be read: {e}")), cert),
            }
        }
    }
}

fn address(body: &[u8]) -> Reply<std::net::IpAddr> {
    dns::decode_address(body, Kind::A)
}

fn address6(body: &[u8]) -> Reply<std::net::IpAddr> {
    dns::decode_address(body, Kind::Aaaa)
}

fn joined<T>(h: std::thread::ScopedJoinHandle<'_, (DnsAnswer<T>, String)>) -> (DnsAnswer<T>, String) {
    h.join().unwrap_or_else(|_| (DnsAnswer::Failed("the lookup thread failed".to_string()), String::new()))
}

/// What the check gathered: the answers for core (with the policy host's certificate) and
/// the raw DNS answers.
struct Gathered {
    answers: Answers,
    raw: Vec<(String, String)>,
}

/// Performs the plan: the first wave on scoped threads, then TLSA per MX host.
fn gather(c: &Client, p: &str, second: Option<&str>, plan: &Plan, pasted: Option<PolicyFetch>) -> Gathered {
    let (mx, sts, rpt, a, aaaa, policy, second_answers) = std::thread::scope(|s| {
        let mx = s.spawn(|| lookup(c, p, &plan.mx, Kind::Mx, dns::decode_mx));
        let sts = s.spawn(|| lookup(c, p, &plan.sts_txt, Kind::Txt, dns::decode_txt));
        let rpt = s.spawn(|| lookup(c, p, &plan.tlsrpt_txt, Kind::Txt, dns::decode_txt));
        let a = s.spawn(|| lookup(c, p, &plan.policy_host, Kind::A, address));
        let aaaa = s.spawn(|| lookup(c, p, &plan.policy_host, Kind::Aaaa, address6));
        let policy = s.spawn(|| match pasted {
            Some(p) => (p, None),
            None => fetch_policy(c, &plan.policy),
        });
        let second = second.map(|r| {
            (
                s.spawn(move || lookup(c, r, &plan.sts_txt, Kind::Txt, dns::decode_txt)),
                s.spawn(move || lookup(c, r, &plan.tlsrpt_txt, Kind::Txt, dns::decode_txt)),
            )
        });
        (
            joined(mx),
            joined(sts),
            joined(rpt),
            joined(a),
            joined(aaaa),
            policy.join().unwrap_or_else(|_| (PolicyFetch::Unreachable("the fetch thread failed".to_string()), None)),
            second.map(|(x, y)| (joined(x), joined(y))),
        )
    });
    let wave = check::plan_mx(&mx.0);
    let tlsa: Vec<(String, (DnsAnswer<check::Tlsa>, String))> = std::thread::scope(|s| {
        let handles: Vec<_> = wave
            .iter()
            .map(|(host, name)| (host.clone(), s.spawn(move || lookup(c, p, name, Kind::Tlsa, dns::decode_tlsa))))
            .collect();
        handles.into_iter().map(|(h, j)| (h, joined(j))).collect()
    });
    let mut raw = vec![(format!("{} MX", plan.mx), mx.1), (format!("{} TXT", plan.sts_txt), sts.1)];
    raw.push((format!("{} TXT", plan.tlsrpt_txt), rpt.1));
    raw.push((format!("{} A", plan.policy_host), a.1));
    raw.push((format!("{} AAAA", plan.policy_host), aaaa.1));
    raw.extend(tlsa.iter().map(|(h, (_, r))| (format!("_25._tcp.{h} TLSA"), r.clone())));
    let second = second_answers.map(|((s_sts, r1), (s_rpt, r2))| {
        let label = second.map(dns::resolver_label).unwrap_or_default();
        raw.push((format!("{} TXT via {label}", plan.sts_txt), r1));
        raw.push((format!("{} TXT via {label}", plan.tlsrpt_txt), r2));
        Second { resolver: label, sts_txt: s_sts, tlsrpt_txt: s_rpt }
    });
    let (policy, cert) = policy;
    let answers = Answers {
        mx: mx.0,
        sts_txt: sts.0,
        tlsrpt_txt: rpt.0,
        policy_host: dns::merge_addresses(a.0, aaaa.0),
        policy,
        tlsa: tlsa.into_iter().map(|(h, (t, _))| (h, t)).collect(),
        second,
        certificate: cert,
        now: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
    };
    Gathered { answers, raw }
}

fn human(domain: &str, policy_host: &str, c: &Check, g: &Gathered, raw: bool) -> String {
    let answers = &g.answers;
    let mut out = format!("{domain}: {} — {}\n", c.verdict.id().to_uppercase(), c.reason);
    let ad = |a: bool| if a { " (DNSSEC-validated)" } else { "" };
    match (&c.sts, &answers.sts_txt) {
        (Some(r), DnsAnswer::Records { authenticated, .. }) => {
            out.push_str(&format!("  _mta-sts   id={}{}\n", r.id.as_deref().unwrap_or("?"), ad(*authenticated)));
        }
        _ => out.push_str("  _mta-sts   no usable record\n"),
    }
    match &c.policy {
        Some(p) => out.push_str(&format!(
            "  policy     mode {}, max_age {}, mx {}\n",
            p.mode.map_or("(missing)", |m| m.as_str()),
            p.max_age.map_or("(missing)".to_string(), |s| format!("{s} ({})", human_duration(s))),
            p.mx.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        )),
        None => out.push_str("  policy     not read\n"),
    }
    if let Some(i) = &c.certificate {
        let (mine, others): (Vec<&String>, Vec<&String>) =
            i.dns_names.iter().partition(|id| cert::dns_id_matches(id, policy_host));
        let more = if others.is_empty() { String::new() } else { format!(" (+{} more)", others.len()) };
        let ids = if mine.is_empty() {
            "none for this host".to_string()
        } else {
            mine.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        };
        out.push_str(&format!(
            "  cert       {}, issuer {}, valid until {}, DNS-ID {ids}{more}\n",
            i.subject,
            i.issuer,
            cert::date(i.not_after),
        ));
    }
    match &c.tlsrpt {
        Some(r) => out.push_str(&format!("  TLS-RPT    {}\n", r.rua.join(", "))),
        None => out.push_str("  TLS-RPT    no usable record\n"),
    }
    if let Some(cov) = &c.coverage {
        out.push_str("MX coverage:\n");
        let width = cov.rows.iter().map(|r| r.host.len()).max().unwrap_or(4);
        for r in &cov.rows {
            let dane = match answers.tlsa.iter().find(|(h, _)| *h == r.host).map(|(_, t)| t) {
                Some(t) if t.is_dane() => "DANE",
                Some(DnsAnswer::Records { records, .. }) if !records.is_empty() => "TLSA (not validated)",
                _ => "-",
            };
            out.push_str(&format!(
                "  {:>5}  {:<width$}  {:<11}  {:<24}  {dane}\n",
                r.priority.map_or("-".to_string(), |p| p.to_string()),
                r.host,
                if r.covered { "covered" } else { "NOT COVERED" },
                r.pattern.as_deref().unwrap_or("-"),
            ));
        }
    }
    for l in &c.findings {
        let info = l.finding.code.info();
        out.push_str(&format!("{}[{}]: {}: {}\n", info.severity.as_str(), info.id, l.origin, l.finding.message()));
        out.push_str(&format!(
            "   = {} <{}>\n   = fix: {}\n",
            info.rfc.label(),
            info.rfc.url(),
            check::fix_for(l, domain)
        ));
    }
    let count = |s: Severity| c.findings.iter().filter(|l| l.finding.severity() == s).count();
    out.push_str(&format!(
        "{} error(s), {} warning(s), {} note(s)\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    if raw {
        for (what, lines) in &g.raw {
            out.push_str(&format!(";; {what}\n{lines}\n"));
        }
    }
    out
}

fn as_json(domain: &str, c: &Check, raw: &[(String, String)]) -> serde_json::Value {
    let findings: Vec<_> = c
        .findings
        .iter()
        .map(|l| {
            let i = l.finding.code.info();
            json!({"code": i.id, "severity": i.severity, "about": l.origin, "message": l.finding.message(),
                   "rfc": i.rfc.label(), "rfc_url": i.rfc.url(), "fix": check::fix_for(l, domain)})
        })
        .collect();
    let out = json!({
        "domain": domain,
        "verdict": c.verdict.id(),
        "reason": c.reason,
        "sts_id": c.sts.as_ref().and_then(|r| r.id.clone()),
        "policy": c.policy,
        "tlsrpt_rua": c.tlsrpt.as_ref().map(|r| r.rua.clone()),
        "coverage": c.coverage,
        "certificate": c.certificate,
        "reporting": c.reporting.id(),
        "findings": findings,
        "raw": raw.iter().map(|(w, l)| json!({"lookup": w, "answer": l})).collect::<Vec<_>>(),
    });
    out
}

/// Runs `mtasts check`. Exit 0 protected; 1 testing, not deployed or broken; 2 usage or
/// set-up error; 3 the check could not be decided (the resolver gave no answer).
pub fn run(args: &CheckArgs) -> u8 {
    let domain = match check::normalize_domain(&args.domain) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return 2;
        }
    };
    for url in std::iter::once(&args.net.doh).chain((args.doh2 != "none").then_some(&args.doh2)) {
        if let Err(e) = dns::check_resolver(url) {
            eprintln!("mtasts: {e}");
            return 2;
        }
    }
    let pasted = match &args.policy {
        None => None,
        Some(path) => match std::fs::read(path) {
            Ok(b) => Some(PolicyFetch::pasted(&String::from_utf8_lossy(&b))),
            Err(e) => {
                eprintln!("mtasts: cannot read {path}: {e}");
                return 2;
            }
        },
    };
    let plan = check::plan(&domain);
    let hosts = [host_of(&plan.policy), host_of(&args.net.doh), host_of(&args.doh2)];
    let c = match client(&args.net, &hosts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return 2;
        }
    };
    let second = (args.doh2 != "none").then_some(args.doh2.as_str());
    let g = gather(&c, &args.net.doh, second, &plan, pasted);
    let mut result = check::evaluate(&domain, &g.answers);
    let probes = if args.probe { probe_all(&g.answers, &args.net) } else { Vec::new() };
    if args.probe {
        check::fold_probes(&mut result, &probes);
    }
    let out = if args.json {
        let mut v = as_json(&domain, &result, &g.raw);
        if args.probe {
            if let Some(o) = v.as_object_mut() {
                o.insert("probes".to_string(), probes.iter().map(crate::probe::json).collect());
            }
        }
        format!("{v:#}\n")
    } else {
        let mut out = human(&domain, &plan.policy_host, &result, &g, args.raw);
        for p in &probes {
            out.push_str(&format!(
                "  probe      {}:{} {} ({})\n",
                p.host,
                p.port,
                if p.valid { "OK" } else { "NOT OK" },
                match (&p.tls_version, p.starttls) {
                    (Some(v), _) => v.clone(),
                    (None, true) => "STARTTLS offered, no TLS".to_string(),
                    (None, false) => "no STARTTLS".to_string(),
                }
            ));
        }
        out
    };
    print!("{out}");
    match result.verdict {
        Verdict::Protected => 0,
        Verdict::Undecided(_) => 3,
        _ => 1,
    }
}

/// Probes every MX host of the answer on port 25, all at once.
fn probe_all(answers: &Answers, net: &Net) -> Vec<mtasts_core::probe::Probe> {
    let hosts: Vec<String> = check::plan_mx(&answers.mx).into_iter().map(|(h, _)| h).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = hosts
            .iter()
            .map(|h| {
                let tlsa = answers.tlsa.iter().find(|(t, _)| t == h).map(|(_, a)| a);
                s.spawn(move || crate::probe::probe_host(h, 25, net, "mtasts-probe.invalid", tlsa, None))
            })
            .collect();
        handles.into_iter().filter_map(|j| j.join().ok().and_then(Result::ok)).collect()
    })
}

/// The live state of `domain` as `check` reads it, with one resolver: for `plan`.
pub fn gather_live(domain: &str, net: &Net) -> Result<(Check, Answers), String> {
    dns::check_resolver(&net.doh)?;
    let plan = check::plan(domain);
    let c = client(net, &[host_of(&plan.policy), host_of(&net.doh)])?;
    let g = gather(&c, &net.doh, None, &plan, None);
    Ok((check::evaluate(domain, &g.answers), g.answers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_patterns() {
        assert_eq!(host_of("https://127.0.0.1:8443/dns-query"), "127.0.0.1");
        assert_eq!(host_of("https://Dns.Google/dns-query?x"), "dns.google");
        assert_eq!(host_of("https://[::1]:443/q"), "::1");
        assert!(pattern_matches("*.test", "mta-sts.good.test"));
        assert!(!pattern_matches("*.test", "test"));
        assert!(pattern_matches("mta-sts.good.test", "MTA-STS.good.test"));
    }
}
