//! `mtasts init DOMAIN` (a complete setup: policy, records, zone lines, hosting recipes) and
//! `mtasts plan DOMAIN --to ...` (the dated steps of a change, from the live state). Core
//! generates and plans (`mtasts_core::deploy`); this file reads the live state over
//! DNS-over-HTTPS with `check`'s client, writes files and prints.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use mtasts_core::check::{self, DnsAnswer};
use mtasts_core::deploy::{self, LineEnding, Live, Setup, Target, WebTarget};
use mtasts_core::dns::{self, Kind};
use mtasts_core::mta_sts::policy::{human_duration, Mode};
use serde_json::json;

use crate::check::{gather_live, Net};

/// `mtasts init` options.
#[derive(clap::Args)]
pub struct InitArgs {
    /// The domain that receives the mail.
    domain: String,
    /// An MX host (repeatable); without it the MX records are looked up over DoH.
    #[arg(long, value_name = "HOST")]
    mx: Vec<String>,
    /// Where senders send TLS reports: an e-mail address, mailto: or https: URI
    /// (repeatable). Default: mailto:tlsrpt@DOMAIN.
    #[arg(long, value_name = "URI")]
    rua: Vec<String>,
    /// The policy's mode; testing is the safe start (senders report, refuse nothing).
    #[arg(long, value_enum, default_value_t = InitMode::Testing)]
    mode: InitMode,
    /// max_age in seconds (default: 86400 for testing, 604800 for enforce).
    #[arg(long, value_name = "S")]
    max_age: Option<u64>,
    /// The _mta-sts id (default: the date and time, UTC, as 14 digits).
    #[arg(long)]
    id: Option<String>,
    /// Accept a one-label wildcard over MX hosts that share a parent, such as
    /// "*.mail.example.com" (repeatable); otherwise every host is listed exactly.
    #[arg(long, value_name = "PATTERN")]
    wildcard: Vec<String>,
    /// Where mta-sts.DOMAIN points: a host name (CNAME) or IP addresses.
    #[arg(long, value_name = "HOST|IP")]
    web: Option<String>,
    /// End the policy's lines with LF instead of CRLF.
    #[arg(long)]
    lf: bool,
    /// Write the policy at DIR/.well-known/mta-sts.txt, DIR/zone.txt, the hosting recipes
    /// and DIR/README.txt.
    #[arg(long, value_name = "DIR")]
    out: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: Net,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum InitMode {
    Testing,
    Enforce,
}

/// `mtasts plan` options.
#[derive(clap::Args)]
pub struct PlanArgs {
    /// The domain.
    domain: String,
    /// Where to go: testing, enforce, none, remove, or mx=HOST,HOST.
    #[arg(long, value_name = "TARGET")]
    to: String,
    /// Plan from this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// The report address to publish when no _smtp._tls record exists yet (repeatable).
    /// Default: mailto:tlsrpt@DOMAIN.
    #[arg(long, value_name = "URI")]
    rua: Vec<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: Net,
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

fn ruas(given: &[String], domain: &str) -> Result<(Vec<String>, bool), String> {
    if given.is_empty() {
        return Ok((vec![format!("mailto:tlsrpt@{domain}")], true));
    }
    given.iter().map(|r| deploy::rua_uri(r)).collect::<Result<Vec<_>, _>>().map(|v| (v, false))
}

/// The MX hosts from DoH, or why there are none.
fn live_mx(domain: &str, net: &Net) -> Result<Vec<String>, String> {
    let c = net.client(&[net.doh_host()])?;
    let (answer, _) = crate::check::lookup(&c, &net.doh, domain, Kind::Mx, dns::decode_mx);
    match answer {
        DnsAnswer::Records { records, .. } if !records.is_empty() => {
            let mut r = records;
            r.sort();
            deploy::mx_hosts(&r.iter().map(|(p, h)| format!("{p} {h}")).collect::<Vec<_>>())
        }
        DnsAnswer::Records { .. } | DnsAnswer::NxDomain => {
            Err(format!("no MX found for {domain} and none given: name the hosts with --mx HOST"))
        }
        DnsAnswer::ServFail => Err(format!("the MX lookup for {domain} failed (SERVFAIL); give the hosts with --mx")),
        DnsAnswer::Timeout => Err(format!("the MX lookup for {domain} timed out; give the hosts with --mx")),
        DnsAnswer::Failed(why) => Err(format!("the MX lookup for {domain} failed: {why}; give the hosts with --mx")),
    }
}

fn build(a: &InitArgs) -> Result<(Setup, Vec<deploy::PatternChoice>, Vec<deploy::WildcardOffer>, bool), String> {
    let domain = check::normalize_domain(&a.domain)?;
    let hosts = if a.mx.is_empty() { live_mx(&domain, &a.net)? } else { deploy::mx_hosts(&a.mx)? };
    let offers = deploy::wildcard_offers(&hosts);
    let chosen = deploy::choose_patterns(&hosts, &a.wildcard)?;
    let (rua, defaulted) = ruas(&a.rua, &domain)?;
    let mode = match a.mode {
        InitMode::Testing => Mode::Testing,
        InitMode::Enforce => Mode::Enforce,
    };
    let setup = Setup {
        domain,
        mode,
        max_age: a.max_age.unwrap_or_else(|| deploy::default_max_age(mode)),
        mx: chosen.iter().map(|c| c.pattern.clone()).collect(),
        rua,
        id: a.id.clone().unwrap_or_else(|| deploy::new_id(unix_now(), None)),
        line_ending: if a.lf { LineEnding::Lf } else { LineEnding::Crlf },
        web: WebTarget::parse(a.web.as_deref().unwrap_or(""))?,
    }
    .validate()?;
    Ok((setup, chosen, offers, defaulted))
}

/// Every file `--out` writes, relative to DIR: the policy, zone.txt, README.txt, then each
/// recipe's own files (the policy once).
fn files(s: &Setup) -> Vec<(String, String)> {
    let mut out = vec![(".well-known/mta-sts.txt".to_string(), s.policy()), ("zone.txt".to_string(), s.zone())];
    let mut readme = format!(
        "MTA-STS for {d}: serve .well-known/mta-sts.txt at https://mta-sts.{d}/.well-known/mta-sts.txt,\n\
         publish the records in zone.txt (the policy first, then the _mta-sts record), then run\n\
         `mtasts check {d}` and `mtasts plan {d} --to enforce`.\n",
        d = s.domain
    );
    for r in s.recipes() {
        readme.push_str(&format!("\n== {} ==\n", r.title));
        for f in &r.files {
            readme.push_str(&format!("  file: {}\n", f.path));
            if !out.iter().any(|(p, _)| *p == f.path) {
                out.push((f.path.clone(), f.text.clone()));
            }
        }
        for n in &r.notes {
            readme.push_str(&format!("  - {n}\n"));
        }
    }
    out.insert(2, ("README.txt".to_string(), readme));
    out
}

fn write_all(dir: &Path, files: &[(String, String)]) -> Result<(), String> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Runs `mtasts init`. Exit 0; 2 on a bad host, URI, id or option, or when no MX was found
/// and none given (nothing is written then).
pub fn run_init(a: &InitArgs) -> u8 {
    let (s, chosen, offers, defaulted) = match build(a) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return 2;
        }
    };
    let files = files(&s);
    if let Some(dir) = &a.out {
        if let Err(e) = write_all(Path::new(dir), &files) {
            eprintln!("mtasts: {e}");
            return 2;
        }
    }
    if a.json {
        let out = json!({
            "domain": s.domain,
            "policy": s.policy(),
            "mode": s.mode.as_str(),
            "max_age": s.max_age,
            "id": s.id,
            "patterns": chosen,
            "wildcard_offers": offers,
            "records": s.records(),
            "zone": s.zone(),
            "recipes": s.recipes(),
            "files": files.iter().map(|(p, t)| json!({"path": p, "text": t})).collect::<Vec<_>>(),
            "out": a.out,
        });
        return emit(&format!("{out:#}\n"));
    }
    let mut o = format!("MTA-STS setup for {} (mode {}, max_age {})\n\n", s.domain, s.mode.as_str(), s.max_age_words());
    o.push_str("mx patterns:\n");
    for c in &chosen {
        o.push_str(&format!("  {:<32} {}\n", c.pattern, c.why));
    }
    for w in offers.iter().filter(|w| !chosen.iter().any(|c| c.pattern == w.pattern)) {
        o.push_str(&format!("  (offer) --wildcard {}: {}\n", w.pattern, w.why));
    }
    o.push_str(&format!("\npolicy, served at {}:\n", check::policy_url(&s.domain)));
    for line in s.policy().lines() {
        o.push_str(&format!("  {line}\n"));
    }
    o.push_str("\nzone-file lines:\n");
    o.push_str(&s.zone());
    if defaulted {
        o.push_str(&format!("\nreports go to {}: make sure that mailbox exists, or give --rua.\n", s.rua.join(", ")));
    }
    o.push_str("\nhosting recipes: ");
    o.push_str(&s.recipes().iter().map(|r| r.id).collect::<Vec<_>>().join(", "));
    match &a.out {
        Some(dir) => o.push_str(&format!("\nwrote {} files under {dir} (README.txt says what each is)\n", files.len())),
        None => o.push_str(" (--out DIR writes them)\n"),
    }
    o.push_str(&format!(
        "\nnext: publish the policy, then the records; `mtasts check {0}`; after a week of reports, `mtasts plan {0} --to enforce`.\n",
        s.domain
    ));
    emit(&o)
}

/// Prints `text`; exit 2 when standard output is gone (a closed pipe).
fn emit(text: &str) -> u8 {
    use std::io::Write;
    match std::io::stdout().write_all(text.as_bytes()) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// Runs `mtasts plan`. Exit 0 with the steps; 2 on a usage error or when the live state
/// could not be read (a plan from a guessed state would give wrong dates).
pub fn run_plan(a: &PlanArgs) -> u8 {
    match plan(a) {
        Ok(out) => emit(&out),
        Err(e) => {
            eprintln!("mtasts: {e}");
            2
        }
    }
}

fn plan(a: &PlanArgs) -> Result<String, String> {
    let domain = check::normalize_domain(&a.domain)?;
    let target = Target::parse(&a.to)?;
    let now = match &a.now {
        None => unix_now(),
        Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map(|t| t.unix_timestamp())
            .map_err(|e| format!("--now {t:?} is not an RFC 3339 time ({e})"))?,
    };
    let (c, answers) = gather_live(&domain, &a.net)?;
    if let check::Verdict::Undecided(check::Undecided::NoAnswer) = c.verdict {
        return Err(format!("the live state of {domain} could not be read ({}); no dates without it", c.reason));
    }
    let (live, bad_mx) = Live::read(&c, &answers);
    if let Some(e) = bad_mx {
        return Err(e);
    }
    let (rua, _) = ruas(&a.rua, &domain)?;
    let steps = deploy::plan(&domain, &live, &target, now, &rua)?;
    if a.json {
        let out = json!({
            "domain": domain,
            "to": a.to,
            "now": deploy::rfc3339(now),
            "live": {
                "verdict": c.verdict.id(),
                "sts_id": live.sts_id,
                "mode": live.policy.as_ref().and_then(|p| p.mode).map(|m| m.as_str()),
                "max_age": live.policy.as_ref().and_then(|p| p.max_age),
                "mx": live.mx,
                "rua": live.rua,
            },
            "steps": steps,
        });
        return Ok(format!("{out:#}\n"));
    }
    let mut o =
        format!("{domain} now: {} — {}\nplan to {} from {}:\n", c.verdict.id(), c.reason, a.to, deploy::rfc3339(now));
    if live.cached_for() > 0 {
        o.push_str(&format!("(senders may hold the live policy for up to {})\n", human_duration(live.cached_for())));
    }
    for (i, s) in steps.iter().enumerate() {
        o.push_str(&format!("\n{}. not before {}\n   {}\n", i + 1, deploy::rfc3339(s.not_before), s.what));
        if let Some(p) = &s.policy {
            for line in p.lines() {
                o.push_str(&format!("     {line}\n"));
            }
        }
        for r in &s.records {
            o.push_str(&format!("     {}\n", r.zone_line()));
        }
    }
    Ok(o)
}
