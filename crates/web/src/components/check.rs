//! The domain check page, `#/check/<domain>`: a form, the verdict, the MX coverage matrix,
//! the policy (or, when the browser may not read it, a paste box and a curl command),
//! TLS-RPT, DANE, every finding, and the raw DNS answers.

use std::rc::Rc;

use mtasts_core::check::{curl_command, normalize_domain, PolicyFetch};
use mtasts_core::text::plural;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::deploy::{artefact, copy_button};
use crate::components::findings::{findings, FindingsProps};
use crate::services::check::{run, Outcome, Resolvers};
use crate::services::net::Resolver;
use crate::view_model::check::{CheckView, DaneView, MxRowView};

const SAVED_PRIMARY: &str = "mtasts.doh";
const SAVED_SECOND: &str = "mtasts.doh2";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// `?doh=` and `?doh2=` from the address, when given.
fn url_resolvers() -> (Option<String>, Option<String>) {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    match web_sys::UrlSearchParams::new_with_str(&search) {
        Ok(p) => (p.get("doh"), p.get("doh2")),
        Err(_) => (None, None),
    }
}

fn saved_resolvers() -> Option<(String, String)> {
    let s = storage()?;
    let p = s.get_item(SAVED_PRIMARY).ok().flatten()?;
    Some((p, s.get_item(SAVED_SECOND).ok().flatten().unwrap_or_default()))
}

/// The resolvers the page uses: `?doh=`, else saved settings, else the defaults.
pub(crate) fn current_resolvers() -> Resolvers {
    let (doh, doh2) = url_resolvers();
    Resolvers::from(doh, doh2, saved_resolvers())
}

/// Milliseconds, rounded, as text. Integer formatting: formatting an f64 would link core's
/// float printing (Grisu and Dragon, several KB) into the start page for this alone.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn ms(v: f64) -> String {
    (v.round() as i64).to_string()
}

/// Opens the resolver settings and puts the keyboard in the first field.
fn open_settings() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(d) = doc.query_selector("details.settings").ok().flatten() {
        let _ = d.set_attribute("open", "");
    }
    if let Some(input) = doc.query_selector("details.settings input").ok().flatten() {
        if let Ok(i) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(input) {
            let _ = i.focus();
        }
    }
}

/// Goes to `hash` (a route).
pub(crate) fn set_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

/// The page's properties: the domain in the route.
#[derive(Properties, PartialEq)]
pub struct CheckPageProps {
    /// As typed in the address (normalized before use).
    pub domain: String,
}

/// The page.
#[function_component(CheckPage)]
pub fn check_page(props: &CheckPageProps) -> Html {
    let resolvers = use_state(current_resolvers);
    let input = use_state(|| props.domain.clone());
    let outcome = use_state(|| None::<Rc<(String, Outcome)>>);
    let running = use_state(|| false);
    let error = use_state(|| None::<String>);
    let pasted = use_state(|| None::<String>);
    let rerun = use_state(|| 0u32);
    let generation = use_mut_ref(|| 0u32);
    let (primary_ref, second_ref, paste_ref) = (use_node_ref(), use_node_ref(), use_node_ref());

    {
        let (input, outcome, running, error, pasted) =
            (input.clone(), outcome.clone(), running.clone(), error.clone(), pasted.clone());
        let generation = generation.clone();
        use_effect_with((props.domain.clone(), *rerun, (*resolvers).clone()), move |(domain, _, res)| {
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            input.set(domain.clone());
            pasted.set(None);
            error.set(None);
            if domain.trim().is_empty() {
                outcome.set(None);
                running.set(false);
            } else {
                let bad_resolver = std::iter::once(&res.primary)
                    .chain(res.second.as_ref())
                    .find_map(|r| mtasts_core::dns::check_resolver(&r.url).err());
                match normalize_domain(domain).and_then(|d| bad_resolver.map_or(Ok(d), Err)) {
                    Err(e) => {
                        error.set(Some(e));
                        outcome.set(None);
                        running.set(false);
                    }
                    Ok(d) => {
                        running.set(true);
                        let res = res.clone();
                        wasm_bindgen_futures::spawn_local(async move {
                            let o = run(&d, &res).await;
                            if *generation.borrow() == mine {
                                outcome.set(Some(Rc::new((d, o))));
                                running.set(false);
                            }
                        });
                    }
                }
            }
        });
    }

    let view = {
        let (outcome, pasted) = (outcome.clone(), pasted.clone());
        use_memo(((*outcome).clone(), (*pasted).clone()), move |(o, p)| {
            o.as_ref().map(|o| {
                let (domain, out) = &**o;
                let mut answers = out.answers.clone();
                if let Some(text) = p {
                    answers.policy = PolicyFetch::pasted(text);
                }
                CheckView::new(domain, &answers, out.raw.clone(), out.ms)
            })
        })
    };

    let onsubmit = {
        let (input, error, rerun, outcome) = (input.clone(), error.clone(), rerun.clone(), outcome.clone());
        let current = props.domain.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match normalize_domain(&input) {
                // The results below were for another domain: gone with the bad input.
                Err(msg) => {
                    error.set(Some(msg));
                    outcome.set(None);
                }
                Ok(d) if d == current => rerun.set(*rerun + 1),
                Ok(d) => set_hash(&format!("#/check/{d}")),
            }
        })
    };
    let oninput = {
        let input = input.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                input.set(el.value());
            }
        })
    };
    let on_paste = {
        let pasted = pasted.clone();
        Callback::from(move |text: Option<String>| pasted.set(text))
    };
    let on_resolvers = {
        let resolvers = resolvers.clone();
        Callback::from(move |r: Resolvers| resolvers.set(r))
    };

    let status = if *running {
        html! { <p class="check-meta" aria-live="polite">{ format!("Checking {}…", props.domain.trim()) }</p> }
    } else if let Some(v) = view.as_ref() {
        let via = match &resolvers.second {
            Some(s) => format!("{} (second opinion: {})", resolvers.primary.label(), s.label()),
            None => resolvers.primary.label(),
        };
        html! {
            <p class="check-meta" data-ms={ms(v.ms)}>
                { format!("Checked {} in {} ms via {via}. ", v.domain, ms(v.ms)) }
                <button type="button" class="ghost" onclick={ let rerun = rerun.clone(); Callback::from(move |_| rerun.set(*rerun + 1)) }>{"Check again"}</button>
            </p>
        }
    } else {
        html! {}
    };

    html! {
        <section class="check">
            <form class="check-form" {onsubmit} role="search">
                <label for="domain">{"Domain"}</label>
                <input id="domain" type="text" inputmode="url" autocomplete="off" spellcheck="false" autofocus=true
                    placeholder="example.com" value={(*input).clone()} {oninput}
                    aria-invalid={error.is_some().then_some("true")} aria-describedby={error.is_some().then_some("domain-error")} />
                <button type="submit" class="primary">{"Check"}</button>
            </form>
            { settings(&resolvers, &primary_ref, &second_ref, &on_resolvers) }
            if let Some(e) = (*error).clone() {
                <p class="form-error" id="domain-error" role="alert">{ e }</p>
            }
            { status }
            if *running {
                <div class="check-verdict pending" aria-busy="true"><span class="verdict-title">{"Checking…"}</span>
                    <span class="verdict-detail">{"Asking DNS and fetching the policy."}</span></div>
            } else if let Some(v) = view.as_ref() {
                if !v.outage.is_empty() {
                    <div class="outage" role="alert" data-outage={v.outage.len().to_string()}>
                        <p><strong>{ format!("The resolver {} did not answer", resolvers.primary.label()) }</strong>
                            { format!(" for {}. Nothing below is concluded about {}: this is an outage of the resolver or the network, not a fact about {}.",
                                v.outage.join(", "), if v.outage.len() == 1 { "that name" } else { "those names" }, v.domain) }</p>
                        <div class="actions">
                            <button type="button" class="primary" id="retry" onclick={ let rerun = rerun.clone(); Callback::from(move |_| rerun.set(*rerun + 1)) }>{"Retry"}</button>
                            <button type="button" id="change-resolver" onclick={Callback::from(|_: MouseEvent| open_settings())}>{"Change resolver"}</button>
                        </div>
                    </div>
                }
                { results(v, (*pasted).clone(), &paste_ref, &on_paste) }
            } else if error.is_none() {
                { intro() }
            }
        </section>
    }
}

fn intro() -> Html {
    html! {
        <div class="intro">
            <h2>{"Is mail to your domain protected by MTA-STS?"}</h2>
            <p>{"Type a domain to check its "}<code>{"_mta-sts"}</code>{" record, the policy at "}
                <code>{"https://mta-sts.<domain>/.well-known/mta-sts.txt"}</code>
                {", which MX hosts the policy covers, its TLS-RPT record and DANE. Lookups go over DNS-over-HTTPS straight from your browser to the resolver; nothing goes to us."}</p>
        </div>
    }
}

/// Resolver settings. Plain functions rather than components here and below: each
/// component type costs the bundle its own copy of Yew's lifecycle code.
fn settings(resolvers: &Resolvers, primary: &NodeRef, second: &NodeRef, on_change: &Callback<Resolvers>) -> Html {
    let from_url = url_resolvers().0.is_some();
    let save = {
        let (primary, second, on_change) = (primary.clone(), second.clone(), on_change.clone());
        Callback::from(move |_: MouseEvent| {
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (p, s) = (value(&primary), value(&second));
            if let Some(st) = storage() {
                let _ = st.set_item(SAVED_PRIMARY, &p);
                let _ = st.set_item(SAVED_SECOND, &s);
            }
            let (doh, doh2) = url_resolvers();
            on_change.emit(Resolvers::from(doh, doh2, Some((p, s))));
        })
    };
    let reset = {
        let on_change = on_change.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(st) = storage() {
                let _ = st.remove_item(SAVED_PRIMARY);
                let _ = st.remove_item(SAVED_SECOND);
            }
            let (doh, doh2) = url_resolvers();
            on_change.emit(Resolvers::from(doh, doh2, None));
        })
    };
    let second_url = resolvers.second.as_ref().map(|r| r.url.clone()).unwrap_or_default();
    html! {
        <details class="settings">
            <summary>{ format!("Resolvers: {}{}", resolvers.primary.label(),
                resolvers.second.as_ref().map(|s| format!(" + {}", s.label())).unwrap_or_default()) }</summary>
            if from_url {
                <p class="hint">{"Set by ?doh= in the address; saved settings apply without it."}</p>
            }
            <label>{"DNS-over-HTTPS resolver (RFC 8484)"}
                <input ref={primary.clone()} type="url" value={resolvers.primary.url.clone()} placeholder={Resolver::CLOUDFLARE} /></label>
            <label>{"Second resolver, asked again for the two TXT names (empty: none)"}
                <input ref={second.clone()} type="url" value={second_url} placeholder={Resolver::GOOGLE} /></label>
            <div class="actions">
                <button type="button" onclick={save}>{"Save"}</button>
                <button type="button" class="ghost" onclick={reset}>{"Defaults"}</button>
            </div>
        </details>
    }
}

fn results(v: &CheckView, pasted: Option<String>, paste_ref: &NodeRef, on_paste: &Callback<Option<String>>) -> Html {
    let [errors, warnings, infos] = v.counts;
    html! {
        <div class="check-results">
            <div class={classes!("check-verdict", format!("verdict-{}", v.verdict))} data-verdict={v.verdict} role="status">
                <span class="verdict-title">{ v.title }</span>
                <span class="verdict-detail">{ v.reason.clone() }</span>
                if v.verdict == "testing" {
                    <p class="next-step">{"Before switching to "}<code>{"mode: enforce"}</code>{", read the TLS-RPT reports senders mail you: "}
                        <a href="#/reports">{"is it safe to enforce?"}</a></p>
                }
                <p class="next-step"><a href={format!("#/deploy/{}", v.domain)} id="to-deploy">
                    { if v.verdict == "none" { "Set up MTA-STS for this domain" } else { "Generate a corrected setup or plan a change" } }</a></p>
                <span class="verdict-counts">{ format!("{} · {} · {}", plural(errors, "error"), plural(warnings, "warning"), plural(infos, "note")) }</span>
            </div>
            <div class="cards">
                if v.outage.iter().any(|n| n.starts_with("_mta-sts.")) {
                    { card("MTA-STS record", None, "not known: no answer".to_string()) }
                } else {
                    { card("MTA-STS record", Some(v.sts_id.is_some()),
                        v.sts_id.as_ref().map_or("no usable record".to_string(), |id| format!("id={id}"))) }
                }
                { card("Policy", Some(v.policy_ok),
                    v.policy.as_ref().map_or("not read".to_string(), |p| format!("mode {} · max_age {}", p.mode, p.max_age))) }
                if v.tlsrpt_unknown {
                    { card("TLS-RPT", None, "not known: no answer".to_string()) }
                } else {
                { card("TLS-RPT", Some(v.rua.is_some()),
                    v.rua.as_ref().map_or("no usable record".to_string(), |r| format!("{} report address{}", r.len(), if r.len() == 1 { "" } else { "es" }))) }
                }
                { card("DANE", (!v.dane.is_empty()).then(|| v.dane.iter().all(|d| d.authenticated)),
                    if v.dane.is_empty() { "no TLSA records".to_string() } else { format!("TLSA on {} of {} MX hosts", v.dane.len(), v.mx.len()) }) }
            </div>
            if let Some(fix) = &v.fix {
                <div class="fix" id="fix">
                    <h3 class="sub">{"Fix ready to paste"}</h3>
                    <ul class="changes">{ for fix.changes.iter().map(|c| html! { <li>{ c.clone() }</li> }) }</ul>
                    <p class="hint">{ format!("Serve the corrected policy at {} first, then publish the new record: senders fetch the policy again when they see a new id.", mtasts_core::check::policy_url(&v.domain)) }</p>
                    { artefact("policy", "Corrected policy".to_string(), fix.policy.clone()) }
                    { artefact("sts-record", format!("TXT _mta-sts.{}", v.domain), fix.sts_record.clone()) }
                </div>
            }
            if v.needs_paste {
                { paste_policy(&v.domain, pasted, paste_ref, on_paste) }
            }
            <h3 class="sub">{"Findings"}</h3>
            { findings(FindingsProps { findings: &v.findings, active: None, on_hover: Callback::noop(), linked: false }) }
            { mx_matrix(v) }
            { tls_rpt(v.rua.as_deref(), v.tlsrpt_unknown) }
            { dane(v) }
            { raw_answers(v) }
        </div>
    }
}

/// A summary card; `ok` None is neutral (nothing wrong, nothing there).
fn card(title: &'static str, ok: Option<bool>, body: String) -> Html {
    let state = match ok {
        Some(true) => "ok",
        Some(false) => "not-ok",
        None => "neutral",
    };
    html! {
        <div class={classes!("card", state)}>
            <span class="card-title">{ title }</span>
            <span class="card-body">{ body }</span>
        </div>
    }
}

fn paste_policy(domain: &str, pasted: Option<String>, text: &NodeRef, on_paste: &Callback<Option<String>>) -> Html {
    let cmd = curl_command(domain);
    let apply = {
        let (text, on_paste) = (text.clone(), on_paste.clone());
        Callback::from(move |_: MouseEvent| {
            let t = text.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default();
            on_paste.emit(if t.trim().is_empty() { None } else { Some(t) });
        })
    };
    html! {
        <div class="paste-policy" id="paste-policy">
            <h3 class="sub">{"Finish the check: paste the policy"}</h3>
            <p>{"Browsers only let a page read another site's answer when that site allows it (CORS), and policy hosts seldom do, so the policy itself cannot be read from here."}</p>
            <p>{"Run this and paste its whole output (headers and body: status 200, Content-Type and the policy are then all checked), or paste just the policy text:"}</p>
            <div class="command">
                <input class="mono" type="text" readonly=true value={cmd.clone()} aria-label="Command to fetch the policy" />
                { copy_button(&cmd, "the command") }
            </div>
            <textarea ref={text.clone()} id="policy-paste" rows="8" spellcheck="false"
                placeholder={"HTTP/2 200\ncontent-type: text/plain\n\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800"}
                value={pasted.clone().unwrap_or_default()} />
            <div class="actions">
                <button type="button" class="primary" id="check-paste" onclick={apply}>{"Check pasted text"}</button>
                if pasted.is_some() {
                    <button type="button" class="ghost" onclick={ let p = on_paste.clone(); Callback::from(move |_| p.emit(None)) }>{"Forget it"}</button>
                }
            </div>
        </div>
    }
}

fn mx_matrix(props: &CheckView) -> Html {
    let rows = props.mx.iter().map(|r: &MxRowView| {
        html! {
            <tr class={r.state} data-host={r.host.clone()} data-covered={r.covered.to_string()}>
                <td class="num">{ r.priority.clone() }</td>
                <td class="mono">{ r.host.clone() }</td>
                <td class="mono">{ r.pattern.clone().unwrap_or_else(|| "—".to_string()) }</td>
                <td>{ match r.state {
                    "covered" => html! { <span class="tag same">{"covered"}</span> },
                    "not-covered" => html! { <span class="tag differs">{"not covered"}</span> },
                    _ => html! { <span class="tag">{"unknown"}</span> },
                } }</td>
                <td>{ r.why.clone() }</td>
                <td>{ r.dane.clone() }</td>
                <td><a href={r.certificate.clone()} data-cert-link={r.host.clone()}>{"check its certificate"}</a></td>
            </tr>
        }
    });
    let source = props.policy.as_ref().map(|p| format!(" (policy {})", p.source)).unwrap_or_default();
    html! {
        // Focusable and named: at phone widths the table scrolls inside this box, and the
        // keyboard must be able to scroll it (WCAG 2.1.1, axe scrollable-region-focusable).
        <div class="mx-matrix" tabindex="0" role="region" aria-label="MX coverage">
            <h3 class="sub">{ format!("MX coverage{source}") }</h3>
            if props.null_mx {
                <p class="note">{"Null MX (RFC 7505): this domain accepts no mail, so MTA-STS has nothing to protect."}</p>
            }
            if props.mx.is_empty() && !props.null_mx {
                <p class="empty">{"No MX hosts to show."}</p>
            } else if !props.mx.is_empty() {
                <table class="small">
                    <thead><tr><th class="num">{"Priority"}</th><th>{"MX host"}</th><th>{"Policy pattern"}</th><th>{"Verdict"}</th><th>{"Why"}</th><th>{"DANE"}</th><th>{"Certificate"}</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            if !props.stale.is_empty() {
                <p class="note">{ format!("Patterns matching no MX host (stale): {}", props.stale.join(", ")) }</p>
            }
            if let Some(p) = &props.policy {
                <p class="note">{ format!("Policy: mode {}, max_age {}, mx {}", p.mode, p.max_age, if p.mx.is_empty() { "(none)".to_string() } else { p.mx.join(", ") }) }</p>
            }
        </div>
    }
}

fn tls_rpt(rua: Option<&[String]>, unknown: bool) -> Html {
    html! {
        <div class="tlsrpt">
            <h3 class="sub">{"TLS reporting (RFC 8460)"}</h3>
            { match rua {
                None if unknown => html! { <p class="empty">{"Not known: the _smtp._tls lookup got no answer."}</p> },
                None => html! { <p class="empty">{"No usable _smtp._tls record: senders send no reports, so failures go unseen."}</p> },
                Some(rua) => html! { <ul class="rua">{ for rua.iter().map(|r| html! { <li class="mono">{ r.clone() }</li> }) }</ul> },
            } }
        </div>
    }
}

fn dane(props: &CheckView) -> Html {
    let ad = props.dnssec.iter().map(|(name, a)| {
        let text = match a {
            Some(true) => "validated (AD)",
            Some(false) => "not validated",
            None => "no answer",
        };
        html! { <li>{ format!("{name}: {text}") }</li> }
    });
    html! {
        <div class="dane" tabindex="0" role="region" aria-label="DNSSEC and DANE">
            <h3 class="sub">{"DNSSEC and DANE"}</h3>
            <ul class="inline">{ for ad }</ul>
            if props.dane.is_empty() {
                <p class="empty">{"No TLSA records at _25._tcp of any MX host."}</p>
            } else {
                <table class="small">
                    <thead><tr><th>{"MX host"}</th><th>{"DNSSEC"}</th><th>{"TLSA"}</th><th>{"Meaning"}</th></tr></thead>
                    <tbody>{ for props.dane.iter().flat_map(|d: &DaneView| d.records.iter().map(move |(rec, meaning)| html! {
                        <tr data-host={d.host.clone()}>
                            <td class="mono">{ d.host.clone() }</td>
                            <td>{ if d.authenticated { "validated (AD)" } else { "not validated" } }</td>
                            <td class="mono tlsa">{ rec.clone() }</td>
                            <td>{ meaning.clone() }</td>
                        </tr>
                    })) }</tbody>
                </table>
            }
        </div>
    }
}

fn raw_answers(v: &CheckView) -> Html {
    let rows = v.raw.iter().map(|r| {
        html! {
            <tr>
                <td>{ r.resolver.clone() }</td>
                <td class="mono">{ r.name.clone() }</td>
                <td>{ r.kind }</td>
                <td>{ r.status.clone() }</td>
                <td>{ if r.authenticated { "yes" } else { "no" } }</td>
                <td class="num">{ ms(r.ms) }</td>
                <td><pre class="mono">{ r.lines.join("\n") }</pre></td>
            </tr>
        }
    });
    html! {
        <details class="raw">
            <summary>{ format!("Raw answers ({} DNS lookups and the policy fetch)", v.raw.len()) }</summary>
            <p class="fetch-raw"><strong>{ format!("{}: ", mtasts_core::check::policy_url(&v.domain)) }</strong>{ v.fetch_raw.0.clone() }</p>
            if let Some(body) = &v.fetch_raw.1 {
                <pre class="mono policy-body">{ body.clone() }</pre>
            }
            <table class="small">
                <thead><tr><th>{"Resolver"}</th><th>{"Name"}</th><th>{"Type"}</th><th>{"Status"}</th><th>{"AD"}</th><th class="num">{"ms"}</th><th>{"Answer"}</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </details>
    }
}
