//! The Lint view's MX certificate tab, `#/lint/certificate/<host>` (issue 11): paste the
//! chain an MX host presents (PEM, or the output of `openssl s_client -starttls smtp
//! -showcerts`) and see it judged as senders judge it (names, dates against this browser's
//! clock, chain order, keys, OpenSSL's trust verdict when pasted, TLSA records when the
//! Check page found some). The judgement is core's `probe::judge`. The page is part of the
//! on-demand module (`reports-ui`, mounted by `mount_certificate`), so neither the X.509
//! reader nor this page is part of the start page's download.

use mtasts_core::check::{DnsAnswer, Tlsa};
use mtasts_core::probe::Probe;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::deploy::copy_button;
use crate::components::findings::{findings, FindingsProps};
use crate::view_model::lint::FindingView;

/// Props of [`CertificatePage`].
#[derive(Properties, PartialEq)]
pub struct CertificateProps {
    /// The MX host from the route (empty: none yet).
    pub host: String,
}

/// The TLSA records and the AD bit the Check page put in the link (`?tlsa=3%201%201%20…&ad=1`).
fn tlsa_from_hash() -> (String, bool) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let query = hash.split_once('?').map_or("", |(_, q)| q);
    let mut tlsa = String::new();
    let mut ad = false;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("tlsa", v)) => tlsa = mtasts_core::text::percent_decode(v),
            Some(("ad", v)) => ad = v == "1",
            _ => {}
        }
    }
    (tlsa, ad)
}

/// The command whose output to paste.
fn openssl(host: &str) -> String {
    let host = if host.is_empty() { "<MX host>" } else { host };
    format!("openssl s_client -starttls smtp -connect {host}:25 -servername {host} -showcerts </dev/null")
}

/// The page.
#[function_component(CertificatePage)]
pub fn certificate_page(props: &CertificateProps) -> Html {
    let host = use_state(|| props.host.clone());
    let text = use_state(String::new);
    let (tlsa, ad) = use_memo((), |_| tlsa_from_hash()).as_ref().clone();
    let result = {
        let tlsa = tlsa.clone();
        use_memo(((*host).clone(), (*text).clone()), move |(host, text)| {
            (!host.trim().is_empty() && !text.trim().is_empty()).then(|| {
                let answer = tlsa_answer(&tlsa, ad);
                // Whole seconds of this browser's clock: certificates are dated to the second.
                #[allow(clippy::cast_possible_truncation)]
                let now = (js_sys::Date::now() / 1000.0) as i64;
                mtasts_core::probe::judge(&mtasts_core::probe::from_paste(text, host), now, answer.as_ref(), None)
            })
        })
    };
    let on_host = {
        let host = host.clone();
        Callback::from(move |e: InputEvent| {
            host.set(e.target_unchecked_into::<HtmlInputElement>().value().trim().to_ascii_lowercase())
        })
    };
    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let command = openssl(&host);
    html! {
        <section class="lint" data-kind="certificate">
            { crate::components::lint::tabs(None) }
            <div class="lint-grid">
                <div class="panel input-panel">
                    <label class="cert-host" for="cert-host">{"MX host"}
                        <input id="cert-host" type="text" value={(*host).clone()} oninput={on_host} placeholder="mx1.example.com"
                            spellcheck="false" autocomplete="off" /></label>
                    <p class="hint">{"Run this where port 25 is open, and paste everything it prints (or just the PEM certificates):"}</p>
                    <div class="artefact"><pre class="mono" tabindex="0">{ command.clone() }</pre>{ copy_button(&command, "command") }</div>
                    <label for="cert-input">{"Certificate chain"}</label>
                    <textarea id="cert-input" spellcheck="false" autocomplete="off" rows="9" value={(*text).clone()} oninput={on_text}
                        placeholder="-----BEGIN CERTIFICATE-----" />
                    if !tlsa.is_empty() {
                        <p class="hint" data-tlsa={tlsa.clone()}>{ format!("TLSA records from the check ({}): {}",
                            if ad { "DNSSEC-validated" } else { "not validated" }, tlsa.replace(',', ", ")) }</p>
                    }
                </div>
                <div class="panel result-panel">
                    { match result.as_ref() {
                        None => html! { <p class="empty">{"Give the MX host and paste its chain."}</p> },
                        Some(p) => judged(p),
                    } }
                </div>
            </div>
        </section>
    }
}

fn judged(p: &Probe) -> Html {
    let errors = p.findings.iter().any(|f| f.severity() == mtasts_core::Severity::Error);
    // A headline that says "fine" must not hide the warnings listed under it.
    let warnings = p.findings.iter().filter(|f| f.severity() == mtasts_core::Severity::Warning).count();
    let also = match warnings {
        0 => String::new(),
        1 => ", one warning below".to_string(),
        n => format!(", {n} warnings below"),
    };
    let (class, title, line) = match (p.valid, errors) {
        (true, _) => ("verdict valid", format!("Valid{also}"), "Senders applying MTA-STS accept this chain for this host."),
        (false, true) => {
            ("verdict invalid", "Invalid".to_string(), "Senders applying an enforce policy will not deliver to this host.")
        }
        (false, false) => (
            "verdict unknown",
            format!("Names and dates fine{also}"),
            "Whether the chain leads to a trusted root was not checked: paste the whole openssl output (its \"Verify return code\"), or run mtasts probe.",
        ),
    };
    let views: Vec<FindingView> = p
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut v = FindingView::new(i, f, p.host.clone());
            v.fix = v.fix.replace("<host>", &p.host);
            v
        })
        .collect();
    html! {
        <>
            <div class={class} data-valid={p.valid.to_string()} role="status">
                <span class="verdict-title">{ title }</span>
                <p class="verdict-detail">{ line }</p>
            </div>
            <table class="small chain">
                <caption>{ format!("{} certificate{} presented{}", p.chain.len(), if p.chain.len() == 1 { "" } else { "s" },
                    p.tls_version.as_deref().filter(|v| mtasts_core::probe::stated(v)).map(|v| format!(" over {v}")).unwrap_or_default()) }</caption>
                <thead><tr><th>{"#"}</th><th>{"Subject"}</th><th>{"Issuer"}</th><th>{"Valid until"}</th><th>{"Key"}</th><th>{"DNS-IDs"}</th></tr></thead>
                <tbody>{ for p.chain.iter().enumerate().map(|(i, c)| html! {
                    <tr data-cert={i.to_string()}>
                        <td class="num">{ i + 1 }</td>
                        <td class="mono">{ c.subject.clone() }</td>
                        <td class="mono">{ c.issuer.clone() }</td>
                        <td>{ c.not_after.clone() }</td>
                        <td>{ format!("{}, {}", c.key, c.signature) }</td>
                        <td class="mono">{ c.dns_names.join(", ") }</td>
                    </tr>
                }) }</tbody>
            </table>
            if let Some(d) = &p.dane {
                <p data-dane={d.matched.is_some().to_string()}>{ format!("DANE ({}): {}", d.name,
                    d.matched.as_deref().map_or("no TLSA record matches this chain".to_string(), |m| format!("matches {m}"))) }</p>
            }
            { findings(FindingsProps { findings: &views, active: None, on_hover: Callback::noop(), linked: false }) }
        </>
    }
}

/// TLSA records as the Check page's link carries them ("3 1 1 8cb0…", comma-separated) as
/// a DNS answer; `None` when there are none.
fn tlsa_answer(text: &str, authenticated: bool) -> Option<DnsAnswer<Tlsa>> {
    let records: Vec<Tlsa> = text.split(',').filter_map(Tlsa::from_text).collect();
    (!records.is_empty()).then_some(DnsAnswer::Records { records, authenticated, cnames: Vec::new() })
}
