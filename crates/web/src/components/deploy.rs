//! The Deploy page, `#/deploy/<domain>`: reads the live domain (the Check page's lookups),
//! proposes a setup the admin adjusts (MX patterns, report addresses, mode, max_age), shows
//! every artefact ready to copy in `[data-artifact]` elements, the hosting recipes, and the
//! dated plan of the next change. Everything shown comes from `view_model::deploy`.

use std::rc::Rc;

use mtasts_core::check::{normalize_domain, PolicyFetch};
use mtasts_core::mta_sts::policy::Mode;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::check::{current_resolvers, set_hash};
use crate::services::check::{run, Outcome};
use crate::services::files::copy_text;
use crate::view_model::deploy::{live_from, live_summary, DeployView, Form, SetupView, StepView};

/// The page's properties: the domain in the route.
#[derive(Properties, PartialEq)]
pub struct DeployPageProps {
    /// As typed in the address (normalized before use).
    pub domain: String,
}

/// A copy button that says "Copied" for two seconds after a click. A function, not a
/// component: each component type costs the start page its own lifecycle code.
pub fn copy_button(text: &str, what: &str) -> Html {
    let onclick = {
        let text = text.to_string();
        Callback::from(move |e: MouseEvent| {
            copy_text(&text);
            let Some(button) = e.target_dyn_into::<web_sys::Element>() else { return };
            button.set_text_content(Some("Copied"));
            let done = Closure::once_into_js(move || button.set_text_content(Some("Copy")));
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(done.unchecked_ref(), 2000);
            }
        })
    };
    html! { <button type="button" class="copy" {onclick} aria-label={format!("Copy {what}")}>{"Copy"}</button> }
}
/// What the page read: the domain, the check's answers and the time it read them (the
/// plan's "now" and the new id's date stay fixed while the admin edits the form).
type Read = Rc<(String, Outcome, i64)>;

/// The page.
#[function_component(DeployPage)]
pub fn deploy_page(props: &DeployPageProps) -> Html {
    let input = use_state(|| props.domain.clone());
    let read = use_state(|| None::<Read>);
    let running = use_state(|| false);
    let error = use_state(|| None::<String>);
    let form = use_state(|| None::<Form>);
    let pasted = use_state(String::new);
    let generation = use_mut_ref(|| 0u32);
    {
        let (input, read, running, error, form) =
            (input.clone(), read.clone(), running.clone(), error.clone(), form.clone());
        let generation = generation.clone();
        use_effect_with(props.domain.clone(), move |domain| {
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            input.set(domain.clone());
            error.set(None);
            read.set(None);
            form.set(None);
            if domain.trim().is_empty() {
                running.set(false);
            } else {
                match normalize_domain(domain) {
                    Err(e) => {
                        error.set(Some(e));
                        running.set(false);
                    }
                    Ok(d) => {
                        running.set(true);
                        wasm_bindgen_futures::spawn_local(async move {
                            let o = run(&d, &current_resolvers()).await;
                            if *generation.borrow() == mine {
                                #[allow(clippy::cast_possible_truncation)]
                                let now = (js_sys::Date::now() / 1000.0) as i64;
                                let (live, web) = live_from(&d, &o.answers);
                                form.set(Some(Form::from_live(&d, &live, &web)));
                                read.set(Some(Rc::new((d, o, now))));
                                running.set(false);
                            }
                        });
                    }
                }
            }
        });
    }
    let onsubmit = {
        let (input, error) = (input.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match normalize_domain(&input) {
                Err(msg) => error.set(Some(msg)),
                Ok(d) => set_hash(&format!("#/deploy/{d}")),
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
    let live = {
        let (read, pasted) = (read.clone(), pasted.clone());
        use_memo(((*read).clone(), (*pasted).clone()), move |(r, p)| {
            r.as_ref().map(|r| {
                let (d, o, _) = &**r;
                let mut answers = o.answers.clone();
                if !p.trim().is_empty() {
                    answers.policy = PolicyFetch::pasted(p);
                }
                live_from(d, &answers).0
            })
        })
    };
    let body = match ((*read).as_ref(), (*form).as_ref(), (*live).as_ref()) {
        (Some(r), Some(f), Some(l)) => {
            let (domain, outcome, now) = &**r;
            let view = DeployView::new(domain, f, l, *now);
            let edit = {
                let form = form.clone();
                Callback::from(move |change: Box<dyn FnOnce(&mut Form)>| {
                    if let Some(mut f) = (*form).clone() {
                        change(&mut f);
                        form.set(Some(f));
                    }
                })
            };
            let on_paste = {
                let pasted = pasted.clone();
                Callback::from(move |t: String| pasted.set(t))
            };
            let needs_paste = l.deployed && l.policy.is_none();
            html! {
                <>
                    <p class="check-meta" data-live="read">{ live_summary(l) }
                        { format!(" Read in {} ms. ", crate::components::check::ms(outcome.ms)) }
                        <a href={format!("#/check/{domain}")}>{"Full check"}</a></p>
                    if needs_paste || !pasted.is_empty() {
                        { paste_live(domain, &pasted, &on_paste) }
                    }
                    { form_view(domain, f, &view, &edit) }
                    { artefacts(domain, &view) }
                    { plan_view(domain, f, &view, &edit) }
                </>
            }
        }
        _ if *running => html! {
            <div class="check-verdict pending" aria-busy="true"><span class="verdict-title">{ format!("Reading the live setup of {}…", props.domain.trim()) }</span>
                <span class="verdict-detail">{"MX, _mta-sts, _smtp._tls and the policy, over DNS-over-HTTPS."}</span></div>
        },
        _ if error.is_none() => intro(),
        _ => html! {},
    };
    html! {
        <section class="check deploy">
            <form class="check-form" {onsubmit}>
                <label for="deploy-domain">{"Domain"}</label>
                <input id="deploy-domain" type="text" inputmode="url" autocomplete="off" spellcheck="false"
                    placeholder="example.com" value={(*input).clone()} {oninput}
                    aria-invalid={error.is_some().then_some("true")} aria-describedby={error.is_some().then_some("deploy-domain-error")} />
                <button type="submit" class="primary">{"Start"}</button>
            </form>
            if let Some(e) = (*error).clone() {
                <p class="form-error" id="deploy-domain-error" role="alert">{ e }</p>
            }
            { body }
        </section>
    }
}

fn intro() -> Html {
    html! {
        <div class="intro">
            <p>{"Type the domain that receives the mail. The page reads its MX hosts and whatever MTA-STS and TLS-RPT it already publishes, then writes the policy, the DNS records and the web-server configuration for you, and plans each change with its dates: TLS reports first, a week in testing, then enforce."}</p>
        </div>
    }
}

fn paste_live(domain: &str, pasted: &str, on_paste: &Callback<String>) -> Html {
    let oninput = {
        let on_paste = on_paste.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
                on_paste.emit(t.value());
            }
        })
    };
    html! {
        <div class="paste-policy">
            <label for="deploy-live-policy">{ format!("The live policy of {domain} could not be read from the browser (no CORS). Paste it so the plan's dates come from its max_age; until then they assume the longest possible, a year.") }</label>
            <textarea id="deploy-live-policy" rows="5" spellcheck="false" value={pasted.to_string()} {oninput}
                placeholder={mtasts_core::check::curl_command(domain)} />
        </div>
    }
}

type Edit = Callback<Box<dyn FnOnce(&mut Form)>>;

fn text_value(e: &InputEvent) -> Option<String> {
    e.target_dyn_into::<HtmlTextAreaElement>()
        .map(|t| t.value())
        .or_else(|| e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()))
}

fn on_text(edit: &Edit, set: fn(&mut Form, String)) -> Callback<InputEvent> {
    let edit = edit.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(v) = text_value(&e) {
            edit.emit(Box::new(move |f: &mut Form| set(f, v)));
        }
    })
}

fn on_select(edit: &Edit, set: fn(&mut Form, String)) -> Callback<Event> {
    let edit = edit.clone();
    Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
            let v = s.value();
            edit.emit(Box::new(move |f: &mut Form| set(f, v)));
        }
    })
}

fn field_error(view: &DeployView, field: &'static str) -> Html {
    match view.error(field) {
        Some(e) => {
            html! { <p class="form-error" id={format!("deploy-{field}-error")} role="alert">{ e.to_string() }</p> }
        }
        None => html! {},
    }
}

fn form_view(domain: &str, f: &Form, view: &DeployView, edit: &Edit) -> Html {
    let offers = view.offers.iter().map(|o| {
        let checked = f.accepted.contains(&o.pattern);
        let onchange = {
            let (edit, pattern) = (edit.clone(), o.pattern.clone());
            Callback::from(move |_: Event| {
                let pattern = pattern.clone();
                edit.emit(Box::new(move |f: &mut Form| {
                    if let Some(i) = f.accepted.iter().position(|a| *a == pattern) {
                        f.accepted.remove(i);
                    } else {
                        f.accepted.push(pattern);
                    }
                }))
            })
        };
        html! {
            <label class="offer" data-wildcard={o.pattern.clone()}>
                <input type="checkbox" {checked} {onchange} />
                <span><code>{ o.pattern.clone() }</code>{ format!(" instead of {}: {}", o.covers.join(", "), o.why) }</span>
            </label>
        }
    });
    let patterns =
        view.patterns.iter().map(|p| html! { <li><code>{ p.pattern.clone() }</code>{ format!(" — {}", p.why) }</li> });
    let coverage = view.coverage.iter().map(|r| {
        html! {
            <tr data-host={r.host.clone()} data-covered={r.covered.to_string()}>
                <td class="mono">{ r.host.clone() }</td>
                <td class="mono">{ r.pattern.clone().unwrap_or_else(|| "—".into()) }</td>
                <td>{ if r.covered { html! { <span class="tag same">{"covered"}</span> } } else { html! { <span class="tag differs">{"not covered"}</span> } } }</td>
            </tr>
        }
    });
    let mode_change = on_select(edit, |f, v| {
        f.mode = if v == "enforce" { Mode::Enforce } else { Mode::Testing };
        f.max_age = mtasts_core::deploy::default_max_age(f.mode).to_string();
    });
    let crlf_change = on_select(edit, |f, v| f.crlf = v == "crlf");
    html! {
        <div class="deploy-form">
            <h3 class="sub">{"1. Which hosts receive the mail"}</h3>
            <label for="deploy-mx">{ format!("MX hosts of {domain}, one per line (from DNS; edit to plan for new ones)") }</label>
            <textarea id="deploy-mx" rows="3" spellcheck="false" value={f.mx.clone()} oninput={on_text(edit, |f, v| f.mx = v)} />
            { field_error(view, "mx") }
            if !view.offers.is_empty() {
                <fieldset class="offers"><legend>{"One-label wildcards (optional)"}</legend>{ for offers }</fieldset>
            }
            <ul class="patterns">{ for patterns }</ul>
            if !view.coverage.is_empty() {
                <table class="small coverage">
                    <caption>{"The proposal against the MX hosts DNS publishes now"}</caption>
                    <thead><tr><th>{"MX host"}</th><th>{"Pattern"}</th><th>{"Verdict"}</th></tr></thead>
                    <tbody>{ for coverage }</tbody>
                </table>
            }
            <h3 class="sub">{"2. Reports and policy"}</h3>
            <label for="deploy-rua">{"Where senders mail (or post) TLS reports: addresses or https: URLs, one per line"}</label>
            <textarea id="deploy-rua" rows="2" spellcheck="false" value={f.rua.clone()} oninput={on_text(edit, |f, v| f.rua = v)} />
            { field_error(view, "rua") }
            <div class="row">
                <label>{"Mode "}
                    <select id="deploy-mode" onchange={mode_change}>
                        <option value="testing" selected={f.mode == Mode::Testing}>{"testing (report only: the safe start)"}</option>
                        <option value="enforce" selected={f.mode == Mode::Enforce}>{"enforce"}</option>
                    </select></label>
                <label>{"max_age (seconds) "}
                    <input id="deploy-max-age" type="text" inputmode="numeric" value={f.max_age.clone()} oninput={on_text(edit, |f, v| f.max_age = v)} /></label>
                <label>{"Line ends "}
                    <select id="deploy-crlf" onchange={crlf_change}>
                        <option value="crlf" selected={f.crlf}>{"CRLF (RFC 8461)"}</option>
                        <option value="lf" selected={!f.crlf}>{"LF"}</option>
                    </select></label>
            </div>
            { field_error(view, "max_age") }
            <label for="deploy-web">{ format!("Where mta-sts.{domain} points: your web host's name (CNAME) or its IP addresses") }</label>
            <input id="deploy-web" type="text" spellcheck="false" value={f.web.clone()} placeholder="example.github.io" oninput={on_text(edit, |f, v| f.web = v)} />
            { field_error(view, "web") }
        </div>
    }
}

/// One artefact: a title, a copy button and the exact text in `[data-artifact=id]`.
pub(crate) fn artefact(id: &'static str, title: String, text: String) -> Html {
    html! {
        <div class="artefact">
            <div class="artefact-head"><h4>{ title.clone() }</h4>{ copy_button(&text, &title) }</div>
            <pre class="mono" data-artifact={id} tabindex="0">{ text }</pre>
        </div>
    }
}

fn artefacts(domain: &str, view: &DeployView) -> Html {
    let Some(s) = &view.setup else {
        return html! { <p class="empty">{"Fix the form above to see the setup."}</p> };
    };
    html! {
        <div class="artefacts">
            <h3 class="sub">{"3. Publish"}</h3>
            <p class="hint">{ format!("Serve the policy first, then publish the records: senders fetch the policy when they see a new id. max_age {}.", s.max_age) }</p>
            { artefact("policy", format!("Policy: https://mta-sts.{domain}/.well-known/mta-sts.txt"), s.policy.clone()) }
            { artefact("sts-record", format!("TXT _mta-sts.{domain}"), s.sts_record.clone()) }
            if let Some(t) = &s.tlsrpt_record {
                { artefact("tlsrpt-record", format!("TXT _smtp._tls.{domain}"), t.clone()) }
            }
            if s.host_records.is_empty() {
                <p class="note">{ format!("mta-sts.{domain} must point at the web server that serves the policy: give its name or addresses above for the exact record.") }</p>
            } else {
                { artefact("host-record", format!("mta-sts.{domain}"), s.host_records.join("\n")) }
            }
            { artefact("zone", "Zone-file lines".to_string(), s.zone.clone()) }
            { recipes(s) }
        </div>
    }
}

fn recipes(s: &SetupView) -> Html {
    let items = s.recipes.iter().map(|r| {
        html! {
            <details class="recipe" data-recipe={r.id}>
                <summary>{ r.title }</summary>
                <ol class="notes">{ for r.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ol>
                { for r.files.iter().map(|f| html! {
                    <div class="artefact">
                        <div class="artefact-head"><h4 class="mono">{ f.path.clone() }</h4>
                            { copy_button(&f.text, &f.path) }</div>
                        <pre class="mono" tabindex="0">{ if f.text.is_empty() { "(an empty file)".to_string() } else { f.text.clone() } }</pre>
                    </div>
                }) }
            </details>
        }
    });
    html! {
        <div class="recipes">
            <h3 class="sub">{"4. Serve the policy"}</h3>
            <p class="hint">{"Each recipe answers exactly /.well-known/mta-sts.txt with 200 and text/plain, without redirects or caching surprises. `mtasts init --out DIR` writes the same files."}</p>
            { for items }
        </div>
    }
}

fn step(s: &StepView) -> Html {
    html! {
        <li class="step" data-not-before={s.not_before.clone()}>
            <span class="when">{ s.when.clone() }</span>
            <p>{ s.step.what.clone() }
                if let Some(link) = s.step.link {
                    { " " }<a href={link}>{"Open the report analyser"}</a>
                }
            </p>
            if let Some(p) = &s.step.policy {
                <pre class="mono" tabindex="0">{ p.clone() }</pre>
            }
            if !s.lines.is_empty() {
                <pre class="mono" tabindex="0">{ s.lines.join("\n") }</pre>
            }
        </li>
    }
}

fn plan_view(domain: &str, f: &Form, view: &DeployView, edit: &Edit) -> Html {
    let target_change = on_select(edit, |f, v| f.target = v);
    let options = [
        ("testing", "mode testing"),
        ("enforce", "mode enforce (through testing)"),
        ("mx", "move mail to new MX hosts"),
        ("none", "mode none"),
        ("remove", "remove MTA-STS (RFC 8461 §8.3)"),
    ];
    html! {
        <div class="plan">
            <h3 class="sub">{"5. Plan the next change"}</h3>
            <label>{ format!("Take {domain} to ") }
                <select id="deploy-target" onchange={target_change}>
                    { for options.iter().map(|(v, t)| html! { <option value={*v} selected={f.target == *v}>{ *t }</option> }) }
                </select></label>
            if f.target == "mx" {
                <label for="deploy-new-mx">{"The new MX hosts, one per line"}</label>
                <textarea id="deploy-new-mx" rows="2" spellcheck="false" value={f.new_mx.clone()} oninput={on_text(edit, |f, v| f.new_mx = v)} />
            }
            { match &view.plan {
                Ok(steps) => html! { <ol class="steps" data-plan={f.target.clone()}>{ for steps.iter().map(step) }</ol> },
                Err(e) => html! { <p class="form-error" role="alert" id="deploy-plan-error">{ e.clone() }</p> },
            } }
        </div>
    }
}
