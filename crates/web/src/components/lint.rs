//! The Lint view: pick a kind, paste text, see every finding and where it is.

use std::rc::Rc;

use mtasts_core::lint::Kind;
use mtasts_core::text::{plural, thousands};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::components::deploy::artefact;
use crate::components::findings::{findings, sev_class, FindingsProps};
use crate::engine::LintResult;
use crate::services::store::{self, Kept};
use crate::state::{Action, AppState, Route};
use crate::view_model::lint::{examples, LintView, Segment};

/// Inputs larger than this are linted after a pause in typing.
const DEBOUNCE_ABOVE: usize = 64 * 1024;
/// The pause.
const DEBOUNCE_MS: u32 = 300;

/// Props of [`LintPage`].
#[derive(Properties, PartialEq)]
pub struct LintPageProps {
    /// The app state.
    pub state: AppState,
    /// Where actions go.
    pub on_action: Callback<Action>,
}

fn hint(kind: Kind) -> &'static str {
    match kind {
        Kind::StsRecord => "Paste the TXT record(s) at _mta-sts.<your domain>, one per line. Quoted strings (as in dig output or a zone file) are joined without spaces.",
        Kind::TlsRptRecord => "Paste the TXT record(s) at _smtp._tls.<your domain>, one per line. Quoted strings (as in dig output or a zone file) are joined without spaces.",
        Kind::Policy => "Paste the policy file served at https://mta-sts.<your domain>/.well-known/mta-sts.txt.",
        Kind::PolicyFetch => "Browsers cannot read another site's policy file, so fetch it as a sender does and paste the whole output here: curl -sS -D - --max-redirs 0 https://mta-sts.<your domain>/.well-known/mta-sts.txt",
        Kind::Report => "Paste the JSON of one TLS-RPT report (the decompressed .json attachment). Quirks of real senders are noted, not rejected.",
    }
}

/// The Lint tabs, one per kind and the MX certificate's; `active` is the kind shown (none:
/// the certificate tab).
pub fn tabs(active: Option<Kind>) -> Html {
    let tabs = Kind::ALL.into_iter().map(|k| {
        let class = classes!("tab", (Some(k) == active).then_some("active"));
        html! { <a {class} href={Route::Lint(k).to_hash()} data-kind={k.id()} aria-current={(Some(k) == active).then_some("page")}>{ k.title() }</a> }
    });
    let cert = classes!("tab", active.is_none().then_some("active"));
    html! {
        <nav class="tabs" aria-label="What to check">
            { for tabs }
            <a class={cert} href={Route::Certificate(String::new()).to_hash()} data-kind="certificate" aria-current={active.is_none().then_some("page")}>{"MX certificate"}</a>
        </nav>
    }
}

/// The Lint page.
#[function_component(LintPage)]
pub fn lint_page(props: &LintPageProps) -> Html {
    let kind = props.state.kind();
    let input = props.state.input().to_string();
    // Large inputs are linted once typing pauses, not on every keystroke: a 5 MB report
    // takes longer to read than the gap between two keys.
    let linted = use_state(|| Rc::new(input.clone()));
    let generation = use_mut_ref(|| 0u32);
    let show_all = use_state(|| false);
    {
        let (linted, generation, show_all) = (linted.clone(), generation.clone(), show_all.clone());
        use_effect_with(input.clone(), move |input| {
            let mine = {
                let mut g = generation.borrow_mut();
                *g = g.wrapping_add(1);
                *g
            };
            if input.len() <= DEBOUNCE_ABOVE {
                linted.set(Rc::new(input.clone()));
            } else {
                let input = input.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    crate::services::files::sleep(DEBOUNCE_MS).await;
                    if *generation.borrow() == mine {
                        show_all.set(false);
                        linted.set(Rc::new(input));
                    }
                });
            }
        });
    }
    // Kept across reloads when the user opted in: saved once typing pauses.
    let keep = use_state(|| store::keeping(Kept::Lint));
    let keep_note = use_state(|| None::<String>);
    let saved = use_mut_ref(|| 0u32);
    {
        let (keep, keep_note, saved) = (*keep, keep_note.clone(), saved.clone());
        use_effect_with((kind, input.clone()), move |(kind, input)| {
            let mine = {
                let mut g = saved.borrow_mut();
                *g = g.wrapping_add(1);
                *g
            };
            if keep {
                let (kind, input) = (*kind, input.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    crate::services::files::sleep(DEBOUNCE_MS).await;
                    if *saved.borrow() == mine {
                        if let Err(e) = store::keep_lint(kind.id(), &input).await {
                            keep_note.set(Some(format!("Could not keep the text: {e}")));
                        }
                    }
                });
            }
        });
    }
    let on_keep = {
        let (keep, keep_note) = (keep.clone(), keep_note.clone());
        let texts: Vec<(Kind, String)> =
            Kind::ALL.into_iter().map(|k| (k, props.state.text_of(k).to_string())).collect();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
            keep.set(on);
            let (keep_note, texts) = (keep_note.clone(), texts.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let mut done = store::set_keeping(Kept::Lint, on).await;
                for (k, text) in texts.iter().filter(|_| on) {
                    done = done.and(store::keep_lint(k.id(), text).await);
                }
                keep_note.set(Some(match done {
                    Err(e) => format!("Could not change what this browser keeps: {e}"),
                    Ok(()) if on => {
                        "The text of every tab is kept in this browser (IndexedDB, nowhere else).".to_string()
                    }
                    Ok(()) => "Nothing kept: a reload starts from the examples.".to_string(),
                }));
            });
        })
    };
    // Reports are linted by the report worker (loaded on first use), the other kinds here.
    let from_worker = use_state(|| None::<Rc<(Rc<String>, Result<LintResult, String>)>>);
    // The text last sent: answers to older texts (workers answer in any order) are dropped.
    let asked = use_mut_ref(|| Rc::new(String::new()));
    {
        let (from_worker, asked) = (from_worker.clone(), asked.clone());
        use_effect_with((kind, (*linted).clone()), move |(kind, text)| {
            if *kind == Kind::Report {
                let text = text.clone();
                *asked.borrow_mut() = text.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = crate::services::engine::lint_report(&text).await;
                    if *asked.borrow() == text {
                        from_worker.set(Some(Rc::new((text, result))));
                    }
                });
            }
        });
    }
    let worker_answer = (*from_worker).clone().filter(|r| kind == Kind::Report && r.0.as_str() == linted.as_str());
    let pending = linted.as_str() != input || (kind == Kind::Report && worker_answer.is_none());
    let limit = if *show_all { usize::MAX } else { LintView::FIRST };
    let view: Rc<LintView> =
        use_memo((kind, (*linted).clone(), limit, worker_answer.clone()), |(k, i, limit, answer)| {
            // Without the worker's answer (yet), or when it failed: no findings, and why.
            let unchecked = |rows| LintView::from_findings(*k, i, &[], rows, *limit);
            match answer.as_ref().map(|a| &a.1) {
                Some(Ok(r)) => LintView::from_findings(*k, i, &r.findings, r.rows.clone(), *limit),
                Some(Err(why)) => unchecked(vec![("not checked".to_string(), why.clone())]),
                None => LintView::of_text(*k, i, *limit).unwrap_or_else(|| unchecked(Vec::new())),
            }
        });
    let shown = view.findings.get(..view.findings.len().min(limit)).unwrap_or_default();
    let more = view.findings.len().saturating_sub(shown.len());
    let on_show_all = {
        let show_all = show_all.clone();
        Callback::from(move |_: MouseEvent| show_all.set(true))
    };
    let on_input = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_action.emit(Action::SetInput(area.value()));
        })
    };
    let on_hover = {
        let on_action = props.on_action.clone();
        Callback::from(move |i: Option<usize>| on_action.emit(Action::Hover(i)))
    };
    let example_buttons = examples(kind).into_iter().enumerate().map(|(n, (label, _))| {
        let on_action = props.on_action.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_action.emit(Action::LoadExample(n)));
        html! { <button type="button" class="ghost" data-example={n.to_string()} {onclick}>{ label }</button> }
    });
    let clear = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::SetInput(String::new())))
    };
    html! {
        <section class="lint" data-kind={kind.id()}>
            { tabs(Some(kind)) }
            <div class="lint-grid">
                <div class="panel input-panel">
                    <div class="panel-head">
                        <label for="lint-input">{ kind.title() }</label>
                        <div class="actions">{ for example_buttons }<button type="button" class="ghost" onclick={clear}>{"Clear"}</button></div>
                    </div>
                    <p class="hint">{ hint(kind) }</p>
                    <textarea id="lint-input" spellcheck="false" autocomplete="off" rows="9" value={input} oninput={on_input} />
                    <p class="keep">
                        <label><input type="checkbox" id="keep-lint" checked={*keep} onchange={on_keep} />{" Keep my text in this browser across reloads"}</label>
                        if let Some(note) = (*keep_note).clone() {
                            <span class="hint" id="keep-lint-note" role="status">{" "}{ note }</span>
                        }
                    </p>
                    <h3 class="sub">{"Annotated"}</h3>
                    { annotated(&view.segments, props.state.active, &on_hover) }
                </div>
                <div class="panel result-panel">
                    if pending {
                        <p class="hint" aria-live="polite">{"Checking…"}</p>
                    }
                    if !(pending && kind == Kind::Report) {
                        { verdict(&view) }
                    }
                    if kind == Kind::Policy && props.state.input().len() <= mtasts_core::mta_sts::policy::MAX_POLICY_BYTES {
                        if let Some((fixed, changes)) = mtasts_core::mta_sts::policy::mechanical_fix(props.state.input().as_bytes()) {
                            <div class="fix" id="lint-fix">
                                <h3 class="sub">{ format!("Corrected policy ({} mechanical fix{})", changes.len(), if changes.len() == 1 { "" } else { "es" }) }</h3>
                                <ul class="changes">{ for changes.iter().map(|c| html! { <li>{ c.clone() }</li> }) }</ul>
                                { artefact("policy", "Corrected policy".to_string(), fixed) }
                            </div>
                        }
                    }
                    { findings(FindingsProps { findings: shown, active: props.state.active, on_hover, linked: true }) }
                    if more > 0 {
                        <p class="more-findings">
                            { format!("The first {} of {} findings are listed and underlined. ", shown.len(), thousands(view.findings.len() as u64)) }
                            <button type="button" class="ghost" id="show-all-findings" onclick={on_show_all}>{ format!("Show all {}", thousands(view.findings.len() as u64)) }</button>
                        </p>
                    }
                    { summary(&view.summary) }
                </div>
            </div>
        </section>
    }
}

fn verdict(v: &LintView) -> Html {
    let (class, title) = if v.valid { ("verdict valid", "Valid") } else { ("verdict invalid", "Invalid") };
    let notes = format!("{}, {}", plural(v.warnings, "warning"), plural(v.infos, "note"));
    let detail = match (v.kind, v.valid, v.findings.is_empty()) {
        (Kind::Report, true, true) => "Read completely; nothing unusual.".to_string(),
        (Kind::Report, true, false) => format!("Read completely; every count is included. {notes}."),
        (Kind::Report, false, _) => {
            format!("{}: parts of this report could not be read. {notes}.", plural(v.errors, "error"))
        }
        (_, true, true) => "No findings: senders will accept this as written.".to_string(),
        (_, true, false) => format!("Senders will accept it. {notes}."),
        (_, false, _) => {
            format!("{}, {notes}. Senders may ignore it until the errors are fixed.", plural(v.errors, "error"))
        }
    };
    html! {
        <div {class} data-valid={v.valid.to_string()} role="status" aria-live="polite">
            <span class="verdict-title">{ title }</span>
            <span class="verdict-detail">{ detail }</span>
        </div>
    }
}

fn annotated(segments: &[Segment], active: Option<usize>, on_hover: &Callback<Option<usize>>) -> Html {
    let parts = segments.iter().map(|s| {
        let active = active.is_some_and(|a| s.findings.contains(&a));
        if s.findings.is_empty() {
            return html! { { s.text.clone() } };
        }
        let first = s.findings.first().copied();
        let enter = on_hover.clone();
        let onmouseenter = Callback::from(move |_: MouseEvent| enter.emit(first));
        let leave = on_hover.clone();
        let onmouseleave = Callback::from(move |_: MouseEvent| leave.emit(None));
        let (focus, blur) = (on_hover.clone(), on_hover.clone());
        let onfocus = Callback::from(move |_: FocusEvent| focus.emit(first));
        let onblur = Callback::from(move |_: FocusEvent| blur.emit(None));
        let ids = s.findings.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
        // A tab stop described by its findings: a screen reader reads what is wrong here.
        let described = s.findings.iter().map(|i| format!("finding-{i}")).collect::<Vec<_>>().join(" ");
        if s.marker {
            let class = classes!("marker", sev_class(s.severity), active.then_some("active"));
            html! { <span {class} data-findings={ids} title="something is missing here" tabindex="0" aria-describedby={described} {onmouseenter} {onmouseleave} {onfocus} {onblur}>{"‸"}</span> }
        } else {
            let class = classes!("mark", sev_class(s.severity), active.then_some("active"));
            html! { <mark {class} data-findings={ids} tabindex="0" aria-describedby={described} {onmouseenter} {onmouseleave} {onfocus} {onblur}>{ s.text.clone() }</mark> }
        }
    });
    html! { <pre class="annotated" aria-label="Your input with problems underlined">{ for parts }</pre> }
}

fn summary(rows: &[(String, String)]) -> Html {
    let rows = rows.iter().map(|(k, v)| html! { <tr><th scope="row">{ k.clone() }</th><td>{ v.clone() }</td></tr> });
    html! {
        <div class="summary">
            <h3 class="sub">{"Parsed fields"}</h3>
            <table>{ for rows }</table>
        </div>
    }
}
