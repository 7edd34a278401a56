//! The report analyser: give it reports (drop, pick, paste, or the sample), see the
//! dashboard. Every byte stays in the page; strings from reports are only ever text nodes.

use std::cell::RefCell;
use std::rc::Rc;

use mtasts_core::text::thousands;
use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::export::{self, Breakdown};
use mtasts_core::tls_rpt::input::Limits;
use mtasts_core::tls_rpt::summary::{FailureRow, Summary};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::services::engine::{self, Item};
use crate::services::files;
use crate::services::store::{self, Kept};
use crate::view_model::reports::{self as vm, Column, Dimension, Filter, Headline, Row, Verdict};
use crate::view_model::sample;

/// What the dashboard shows, taken from the batch once a batch of inputs is read (not on
/// every progress tick). Compared by pointer: a new snapshot is a new batch state.
/// The batch is shared with the page's state, not copied: a copy of 10,000 failure groups
/// was a tenth of the page's work after a big mailbox was read. The next read takes the
/// batch back (copying it only if a snapshot still holds it).
#[derive(Clone)]
struct Snapshot {
    batch: Rc<Batch>,
    files: Rc<Vec<vm::FileLine>>,
}

impl PartialEq for Snapshot {
    fn eq(&self, other: &Snapshot) -> bool {
        Rc::ptr_eq(&self.batch, &other.batch)
    }
}

impl Snapshot {
    fn of(b: &Rc<Batch>) -> Snapshot {
        Snapshot { batch: b.clone(), files: Rc::new(vm::files(b)) }
    }

    fn summary(&self) -> &Summary {
        &self.batch.summary
    }
}

/// The dashboard's last render pass (see `dashboard`).
const LAST_STAGE: u8 = 4;

/// Failure rows rendered at first; more on request (a big first render is a long task).
const FAILURE_ROWS: usize = 100;

/// File rows listed; the rest are summarised (thousands of rows would freeze the page).
const FILE_ROWS: usize = 200;

/// `x` with `places` decimals (0–3), by integer arithmetic: formatting an f64 links core's
/// float printing (Grisu and Dragon) into the module, several KB for chart coordinates.
#[allow(clippy::cast_possible_truncation)]
fn fixed(x: f64, places: u32) -> String {
    let scale = 10_i64.pow(places.min(3));
    let n = (x * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let (int, frac) = (n.unsigned_abs() / scale.unsigned_abs(), n.unsigned_abs() % scale.unsigned_abs());
    if places == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0width$}", width = places.min(3) as usize)
    }
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_string(), |r| format!("{}%", fixed(r * 100.0, 2)))
}

/// The report analyser page.
#[function_component(ReportsPage)]
pub fn reports_page() -> Html {
    let batch = use_mut_ref(|| Rc::new(Batch::new(Limits::default())));
    let snapshot = use_state(|| None::<Snapshot>);
    let progress = use_state(|| None::<(engine::Progress, usize)>);
    let table = use_state(TableState::default);
    let paste = use_node_ref();
    let paste_count = use_mut_ref(|| 0u32);
    let live_policy = use_state(String::new);
    // The pasted input being read, and why it was refused: a refused paste keeps its text
    // and says why beside the box.
    let pasted_name = use_mut_ref(|| None::<String>);
    let paste_error = use_state(|| None::<String>);
    use_effect_with((), |_| engine::warm());
    // Keeping across reloads (opt-in): the inputs read so far (to keep them when the
    // switch is turned on later), whether the next read is a restore (already kept), and
    // what the switch last did.
    let keep = use_state(|| store::keeping(Kept::Reports));
    // Report emails' DKIM (RFC 8460 §3): on unless turned off; keys at the Check page's resolver.
    let dkim_on = use_state(store::checking_dkim);
    let keep_note = use_state(|| None::<String>);
    let read_inputs = use_mut_ref(Vec::<Item>::new);
    let restoring = use_mut_ref(|| false);

    let start = {
        let batch = batch.clone();
        let progress = progress.clone();
        let snapshot = snapshot.clone();
        let (paste, pasted_name, paste_error) = (paste.clone(), pasted_name.clone(), paste_error.clone());
        let (keep_note, read_inputs, restoring) = (keep_note.clone(), read_inputs.clone(), restoring.clone());
        let doh = (*dkim_on).then(|| crate::components::check::current_resolvers().primary.url);
        Callback::from(move |items: Vec<Item>| {
            if items.is_empty() {
                return;
            }
            let doh = doh.clone();
            let batch: Rc<RefCell<Rc<Batch>>> = batch.clone();
            let progress = progress.clone();
            let snapshot = snapshot.clone();
            let (paste, pasted_name, paste_error) = (paste.clone(), pasted_name.clone(), paste_error.clone());
            let (keep_note, read_inputs, restoring) = (keep_note.clone(), read_inputs.clone(), restoring.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let total = items.len();
                progress.set(Some((engine::Progress::default(), total)));
                let base = Rc::unwrap_or_clone(std::mem::take(&mut *batch.borrow_mut()));
                let shown = progress.clone();
                let on_progress = move |p| shown.set(Some((p, total)));
                let read = engine::read(base, items.clone(), doh, on_progress).await;
                let done = read.is_ok();
                *batch.borrow_mut() = Rc::new(read.unwrap_or_else(|base| base));
                let restored = std::mem::take(&mut *restoring.borrow_mut());
                if done {
                    snapshot.set(Some(Snapshot::of(&batch.borrow())));
                    read_inputs.borrow_mut().extend(items.iter().cloned());
                    let keeping = store::keeping(Kept::Reports);
                    if keeping && !restored {
                        if let Err(e) = store::keep(&items).await {
                            keep_note.set(Some(format!("Could not keep these inputs in this browser: {e}")));
                        }
                    }
                    // Reports not kept are lost by a reload: the browser asks first.
                    store::guard_unload(!keeping);
                }
                if let Some(name) = pasted_name.borrow_mut().take() {
                    let b = batch.borrow();
                    let outcome = b.inputs.iter().rev().find(|i| i.path == name);
                    match outcome {
                        Some(i) if i.ok() && i.reports.saturating_add(i.duplicates) > 0 => {
                            if let Some(area) = paste.cast::<HtmlTextAreaElement>() {
                                area.set_value("");
                            }
                            paste_error.set(None);
                        }
                        Some(i) => paste_error.set(Some(
                            i.errors
                                .first()
                                .map_or("no report in it".to_string(), |l| crate::text::message(&l.finding)),
                        )),
                        None => paste_error.set(Some("reading was cancelled".to_string())),
                    }
                }
                progress.set(None);
            });
        })
    };
    let on_cancel = Callback::from(|_: MouseEvent| engine::cancel());

    let on_pick = {
        let start = start.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let picked = files::list(input.files());
            input.set_value("");
            start.emit(picked.into_iter().map(Item::File).collect());
        })
    };
    let on_drop = {
        let start = start.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let start = start.clone();
            // Taken now: a drop's items are gone once the event is over.
            let pending = files::dropped(e.data_transfer());
            wasm_bindgen_futures::spawn_local(async move {
                let dropped = pending.await;
                start.emit(dropped.into_iter().map(Item::File).collect());
            });
        })
    };
    let on_dragover = Callback::from(|e: DragEvent| e.prevent_default());
    let on_sample = {
        let start = start.clone();
        Callback::from(move |_: MouseEvent| {
            start.emit(sample::reports().into_iter().map(|(n, b)| Item::Bytes(n, Rc::new(b))).collect())
        })
    };
    let on_paste = {
        let start = start.clone();
        let paste = paste.clone();
        let paste_count = paste_count.clone();
        let pasted_name = pasted_name.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(area) = paste.cast::<HtmlTextAreaElement>() else { return };
            let text = area.value();
            if text.trim().is_empty() {
                return;
            }
            let count = {
                let mut n = paste_count.borrow_mut();
                *n = n.saturating_add(1);
                *n
            };
            let name = format!("pasted report {count}");
            *pasted_name.borrow_mut() = Some(name.clone());
            start.emit(vec![Item::Bytes(name, Rc::new(text.into_bytes()))]);
        })
    };
    let on_clear = {
        let batch = batch.clone();
        let snapshot = snapshot.clone();
        let table = table.clone();
        let (keep_note, read_inputs) = (keep_note.clone(), read_inputs.clone());
        Callback::from(move |_: MouseEvent| {
            *batch.borrow_mut() = Rc::new(Batch::new(Limits::default()));
            table.set(TableState::default());
            snapshot.set(None);
            read_inputs.borrow_mut().clear();
            store::guard_unload(false);
            let keep_note = keep_note.clone();
            wasm_bindgen_futures::spawn_local(async move {
                keep_note.set(
                    store::clear(Kept::Reports).await.err().map(|e| format!("Could not forget the kept inputs: {e}")),
                );
            });
        })
    };
    // On the first visit after a reload, the kept inputs are read again.
    {
        let (start, restoring, keep_note) = (start.clone(), restoring.clone(), keep_note.clone());
        use_effect_with((), move |_| {
            if store::keeping(Kept::Reports) {
                wasm_bindgen_futures::spawn_local(async move {
                    match store::kept().await {
                        Ok(items) if !items.is_empty() => {
                            keep_note.set(Some(format!("Read again: {} kept in this browser.", inputs(items.len()))));
                            *restoring.borrow_mut() = true;
                            start.emit(items);
                        }
                        Ok(_) => {}
                        Err(e) => keep_note.set(Some(format!("Could not read the inputs kept in this browser: {e}"))),
                    }
                });
            }
        });
    }
    let on_keep = {
        let (keep, keep_note, read_inputs) = (keep.clone(), keep_note.clone(), read_inputs.clone());
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            keep.set(on);
            let inputs_now = read_inputs.borrow().clone();
            let keep_note = keep_note.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut done = store::set_keeping(Kept::Reports, on).await;
                if on && done.is_ok() {
                    done = store::keep(&inputs_now).await;
                }
                keep_note.set(Some(match done {
                    Err(e) => format!("Could not change what this browser keeps: {e}"),
                    Ok(()) if on => format!(
                        "{} kept in this browser (IndexedDB, nowhere else); Clear forgets them.",
                        inputs(inputs_now.len())
                    ),
                    Ok(()) => "Nothing kept: a reload starts empty.".to_string(),
                }));
                store::guard_unload(!on && !inputs_now.is_empty());
            });
        })
    };

    let on_dkim = {
        let dkim_on = dkim_on.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            store::set_checking_dkim(on);
            dkim_on.set(on);
        })
    };
    let resolver = crate::components::check::current_resolvers().primary.label();

    let busy = *progress;
    let has_data = snapshot.is_some();
    html! {
        <section class="reports">
            <div class="panel intake" ondragover={on_dragover} ondrop={on_drop}>
                <div class="dropzone" id="dropzone">
                    <p class="drop-title">{"Drop TLS-RPT reports here"}</p>
                    <p class="hint">{"Any number of .json, .json.gz, .zip, .eml or mbox files, as they arrive by mail. They are read in this page; nothing is uploaded."}</p>
                    <div class="actions">
                        <label class="button">
                            {"Choose files"}
                            <input type="file" id="report-files" multiple=true class="visually-hidden" onchange={on_pick.clone()} />
                        </label>
                        <label class="button">
                            {"Choose a folder"}
                            <input type="file" id="report-folder" multiple=true webkitdirectory=true class="visually-hidden" onchange={on_pick} />
                        </label>
                        <button type="button" id="try-sample" onclick={on_sample}>{"Try a sample week"}</button>
                        if has_data {
                            <button type="button" class="ghost" onclick={on_clear}>{"Clear"}</button>
                        }
                    </div>
                </div>
                <p class="keep">
                    <label><input type="checkbox" id="keep-reports" checked={*keep} onchange={on_keep} />
                        {" Keep these reports in this browser across reloads"}</label>
                    if let Some(note) = (*keep_note).clone() {
                        <span class="hint" id="keep-note" role="status">{" "}{ note }</span>
                    }
                </p>
                <p class="keep">
                    <label><input type="checkbox" id="check-dkim" checked={*dkim_on} onchange={on_dkim} />
                        {" Check report emails' DKIM signatures"}</label>
                    <span class="hint" id="dkim-note">{ if *dkim_on {
                        format!(" Their keys are looked up at {resolver}: the only requests this page makes, and only for emails (.eml). RFC 8460 §3: a report not signed by its reporter should be ignored.")
                    } else {
                        " Off: emails are read without checking who signed them, and nothing is looked up.".to_string()
                    } }</span>
                </p>
                <details class="paste">
                    <summary>{"Paste a report instead"}</summary>
                    <textarea id="report-paste" ref={paste} rows="6" spellcheck="false" placeholder="{ \"organization-name\": ... }"
                        aria-invalid={paste_error.is_some().then_some("true")} aria-describedby={paste_error.is_some().then_some("report-paste-error")} />
                    if let Some(e) = (*paste_error).clone() {
                        <p class="form-error" id="report-paste-error" role="alert">{ format!("Not added: {e}") }</p>
                    }
                    <button type="button" id="add-pasted" onclick={on_paste}>{"Add pasted report"}</button>
                </details>
                if let Some((done, total)) = busy {
                    <div class="progress-row">
                        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax={total.to_string()} aria-valuenow={done.inputs.to_string()}>
                            <div class="bar" style={format!("width: {}%", fixed(done.inputs as f64 * 100.0 / total.max(1) as f64, 1))}></div>
                            <span>{ format!("Reading {} of {} · {} reports so far…", thousands(done.inputs as u64), thousands(total as u64), thousands(done.reports)) }</span>
                        </div>
                        <button type="button" class="ghost" id="cancel-reading" onclick={on_cancel}>{"Cancel"}</button>
                    </div>
                }
            </div>
            // Announced to screen readers when a batch has been read (issue 15 item 7).
            <p class="visually-hidden" aria-live="polite" id="reports-announce">{ (*snapshot).as_ref().map(|snap| {
                let n = Headline::new(snap.summary()).reports;
                format!("{} report{} read from {} input{}.", thousands(n), if n == 1 { "" } else { "s" },
                    thousands(snap.files.len() as u64), if snap.files.len() == 1 { "" } else { "s" })
            }).unwrap_or_default() }</p>
            if let Some(snap) = (*snapshot).clone() {
                <Dashboard snap={snap} live_policy={(*live_policy).clone()}
                    on_live_policy={Callback::from({ let l = live_policy.clone(); move |v| l.set(v) })}
                    table={(*table).clone()} on_table={Callback::from({ let t = table.clone(); move |v| t.set(v) })} />
            } else if busy.is_none() {
                <p class="empty-state">{"No reports yet. Drop some, choose files or a folder, or try the sample week."}</p>
            }
        </section>
    }
}

fn inputs(n: usize) -> String {
    format!("{} input{}", thousands(n as u64), if n == 1 { "" } else { "s" })
}

/// A file that could not be read in full.
fn problem(f: &vm::FileLine) -> bool {
    f.reason.is_some()
}

/// The conformance notes (of the first 10,000 the batch kept) on the report from
/// `origin`: message and code, for an expanded failure row.
fn notes(b: &Batch, origin: &str) -> Vec<(String, &'static str)> {
    b.inputs
        .iter()
        .flat_map(|i| &i.findings)
        .filter(|l| l.origin == origin)
        .map(|l| (crate::text::message(&l.finding), l.finding.code.id()))
        .collect()
}

#[derive(Properties, PartialEq)]
struct DashboardProps {
    snap: Snapshot,
    live_policy: String,
    on_live_policy: Callback<String>,
    table: TableState,
    on_table: Callback<TableState>,
}

#[function_component(Dashboard)]
fn dashboard(p: &DashboardProps) -> Html {
    // Five passes, a browser turn apart, so that no single render (and the layout after it)
    // is a long task: the numbers and the verdict, the daily chart, the breakdowns, the
    // failure table, the other tables.
    let stage = use_state(|| 0u8);
    {
        let stage = stage.clone();
        use_effect_with(p.snap.clone(), move |_| stage.set(0));
    }
    {
        // The next pass once this one is rendered (an effect runs after the render), one
        // browser turn later.
        let (next, now) = (stage.clone(), *stage);
        use_effect_with((now, p.snap.clone()), move |_| {
            if now < LAST_STAGE {
                wasm_bindgen_futures::spawn_local(async move {
                    files::yield_now().await;
                    next.set(now.saturating_add(1));
                });
            }
        });
    }
    let day_focus = use_state(|| None::<usize>);
    let on_day_focus = {
        let day_focus = day_focus.clone();
        Callback::from(move |i: Option<usize>| day_focus.set(i))
    };
    let s = p.snap.summary();
    let h = Headline::new(s);
    if h.reports == 0 && h.duplicates == 0 {
        return html! {
            <div class="dashboard">
                <p class="panel empty-state" role="alert" data-no-reports="true">{ format!(
                    "None of the {} inputs held a readable TLS report, so there is nothing to count: each one's reason is below.",
                    thousands(p.snap.files.len() as u64)) }</p>
                { files_panel(&p.snap.files) }
            </div>
        };
    }
    let metric = |id: &str, label: &str, value: u64| {
        html! {
            <div class="metric" data-metric={id.to_string()} data-value={value.to_string()}>
                <span class="metric-value">{ thousands(value) }</span>
                <span class="metric-label">{ label.to_string() }</span>
            </div>
        }
    };
    let span =
        h.span.clone().map_or_else(|| "no dates".to_string(), |(a, b)| if a == b { a } else { format!("{a} to {b}") });
    let ready = vm::readiness(s);
    let export_json = {
        let b = p.snap.batch.clone();
        Callback::from(move |_: MouseEvent| {
            let text = serde_json::to_string_pretty(&b.summary).unwrap_or_default();
            let _ = files::download("tlsrpt-summary.json", "application/json", &text);
        })
    };
    let export_csv = |what: Breakdown, name: &'static str| {
        let b = p.snap.batch.clone();
        Callback::from(move |_: MouseEvent| {
            let _ = files::download(name, "text/csv", &export::csv(&b.summary, what));
        })
    };
    html! {
        <div class="dashboard">
            <div class="panel headline">
                <div class="metrics">
                    { metric("reports", "reports", h.reports) }
                    { metric("successful", "successful sessions", h.successful) }
                    { metric("failed", "failed sessions", h.failed) }
                    <div class="metric" data-metric="success-rate">
                        <span class="metric-value">{ percent(h.success_rate) }</span>
                        <span class="metric-label">{"success rate"}</span>
                    </div>
                    { metric("organisations", "reporting organisations", h.organisations) }
                    { metric("duplicates", "duplicates ignored", h.duplicates) }
                </div>
                <p class="span">{ format!("Reports cover {span} (UTC).") }</p>
            </div>
            <div class={classes!("panel", "readiness", format!("verdict-{}", ready.verdict.id()))} data-verdict={ready.verdict.id()}>
                <h2>{"Safe to enforce?"}</h2>
                <p class="verdict-line">{ ready.summary.clone() }</p>
                <ul>{ for ready.reasons.iter().map(|pt| html! { <li>{ pt.clone() }</li> }) }</ul>
                if !ready.stories.is_empty() {
                    <h3 class="sub">{"What failed, where and since when"}</h3>
                    <ul class="stories">{ for ready.stories.iter().map(|t| html! {
                        <li class={classes!(t.blocking.then_some("blocking"))} data-story={t.result_type.clone()} data-mx={t.mx.clone()}
                            data-stopped={t.stopped.to_string()}>
                            <span>{ t.sentence.clone() }</span>
                            <span class="fix"><span class="fix-label">{"Fix: "}</span>{ t.remedy.clone() }</span>
                        </li>
                    }) }</ul>
                }
                if !ready.blocking_by_mx.is_empty() && ready.verdict == Verdict::NotYet {
                    <table class="small">
                        <caption>{"Sessions enforce would have blocked, by receiving MX"}</caption>
                        <tr><th scope="col">{"MX host"}</th><th scope="col" class="num">{"Sessions"}</th></tr>
                        { for ready.blocking_by_mx.iter().map(|(mx, n)| html! { <tr><td>{ mx.clone() }</td><td class="num">{ thousands(*n) }</td></tr> }) }
                    </table>
                }
            </div>
            if *stage >= 1 {
            <div class="panel">
                <h2>{"Sessions per day (UTC)"}</h2>
                { daily_chart(s, *day_focus, &on_day_focus) }
            </div>
            }
            if *stage >= 2 {
            <div class="breakdowns">
                { for Dimension::ALL.into_iter().map(|d| breakdown_panel(d, &d.rows(s))) }
            </div>
            }
            if *stage < 3 {
                <p class="hint loading-tables">{"Preparing the charts and tables…"}</p>
            } else {
            <FailureTable snap={p.snap.clone()} table={p.table.clone()} on_table={p.on_table.clone()} />
            }
            if *stage == LAST_STAGE {
            <PoliciesPanel snap={p.snap.clone()} live={p.live_policy.clone()} on_live={p.on_live_policy.clone()} />
            <div class="panel exports">
                <h2>{"Export"}</h2>
                <div class="actions">
                    <button type="button" id="export-json" onclick={export_json}>{"Summary (JSON)"}</button>
                    <button type="button" id="export-failures" onclick={export_csv(Breakdown::Failures, "tlsrpt-failures.csv")}>{"Failure details (CSV)"}</button>
                    <button type="button" onclick={export_csv(Breakdown::Day, "tlsrpt-by-day.csv")}>{"By day (CSV)"}</button>
                    <button type="button" onclick={export_csv(Breakdown::Org, "tlsrpt-by-organisation.csv")}>{"By organisation (CSV)"}</button>
                </div>
            </div>
            { files_panel(&p.snap.files) }
            }
        </div>
    }
}

/// Every input with its status, problems first.
fn files_panel(files: &[vm::FileLine]) -> Html {
    let tally = vm::dkim_tally(files);
    html! {
        <div class="panel">
            <h2>{ format!("Files ({})", files.len()) }</h2>
            if let Some(t) = tally {
                <p class="dkim-tally" id="dkim-tally">
                    {"Report emails' DKIM: "}
                    { for t.iter().enumerate().map(|(i, (label, n))| html! {
                        <>{ if i > 0 { ", " } else { "" } }<span data-dkim-count={*label} data-value={n.to_string()}>{ format!("{n} {label}") }</span></>
                    }) }
    {". The totals count every report; RFC 8460 §3 says to ignore those not signed by their reporter (mtasts report --signed-only does)."}
                </p>
            }
            <table class="files">
                <tr><th scope="col">{"File"}</th><th scope="col">{"Status"}</th><th scope="col" class="num">{"Reports"}</th>
                    if tally.is_some() { <th scope="col">{"DKIM"}</th> }
                    <th scope="col">{"Note"}</th></tr>
                { for files.iter().filter(|f| problem(f)).chain(files.iter().filter(|f| !problem(f))).take(FILE_ROWS).map(|f| {
                    let note = f.reason.clone().unwrap_or_else(|| if f.duplicates > 0 { format!("{} already counted", f.duplicates) } else { String::new() });
                    // Why an email's signature does not count is said in the note.
                    let dkim_why = f.dkim.as_ref().filter(|d| d.0 != "pass").map(|d| format!("DKIM: {}", d.2));
                    let note = [Some(note).filter(|n| !n.is_empty()), dkim_why].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                    html! {
                    <tr class={classes!("file", f.status.replace(' ', "-"))} data-status={f.status}>
                        <td class="mono">{ f.name.clone() }</td>
                        <td>{ f.status }</td>
                        <td class="num">{ f.reports }</td>
                        if tally.is_some() {
                            <td class="dkim" data-dkim={f.dkim.as_ref().map(|d| d.0)}>{ f.dkim.as_ref().map(|d| d.1.clone()).unwrap_or_default() }</td>
                        }
                        <td>{ note }</td>
                    </tr>
                }}) }
            </table>
            if files.len() > FILE_ROWS {
                <p class="hint">{ format!("Showing {FILE_ROWS} of {} files, problems first; {} were read without trouble.",
                    files.len(), files.iter().filter(|f| !problem(f)).count()) }</p>
            }
        </div>
        }
}

/// Stacked daily bars (successful and failed) on a real time axis: a day inside the range
/// without any report is an empty, marked slot (a silent day can mean the `rua` mailbox
/// broke). Failures alone are drawn again on their own scale, so that a handful among
/// thousands of sessions is still visible. The scale's label sits above the plot, never
/// on a bar; day labels show the year where the range crosses one.
///
/// Every value is reachable without a pointer: the combined chart is one tab stop whose
/// days are walked with the arrow keys (Home and End for the ends); the day under the
/// pointer or focus is read out beside the legend, in a live region.
fn daily_chart(s: &Summary, focus: Option<usize>, on_focus: &Callback<Option<usize>>) -> Html {
    let days: Vec<vm::CalendarDay> = vm::calendar(s).unwrap_or_else(|| {
        vm::days(s)
            .into_iter()
            .map(|r| vm::CalendarDay { key: r.key, counts: Some((r.successful, r.failed)) })
            .collect()
    });
    if days.is_empty() {
        return html! { <p class="empty">{"No dated reports."}</p> };
    }
    let (w, h, pad, top, bottom) = (720.0_f64, 190.0_f64, 8.0_f64, 22.0_f64, 20.0_f64);
    let plot = h - top - bottom;
    let n = days.len() as f64;
    let slot = (w - 2.0 * pad) / n;
    let bar = (slot * 0.7).max(1.0);
    let counts = |d: &vm::CalendarDay| d.counts.unwrap_or((0, 0));
    let max_total = days.iter().map(|d| counts(d).0.saturating_add(counts(d).1)).max().unwrap_or(1).max(1) as f64;
    let max_failed = days.iter().map(|d| counts(d).1).max().unwrap_or(0).max(1) as f64;
    let silent: Vec<&str> = days.iter().filter(|d| d.counts.is_none()).map(|d| d.key.as_str()).collect();
    let crosses_year = days.first().map(|d| d.key.get(..4)) != days.last().map(|d| d.key.get(..4));
    let label_every = (days.len() / 10).max(1);
    let base = h - bottom;
    let said = |d: &vm::CalendarDay| match d.counts {
        Some((ok, failed)) => format!("{}: {} successful, {} failed", d.key, thousands(ok), thousands(failed)),
        None => format!("{}: no report covers this day", d.key),
    };
    // The roving tab stop: the focused day, else the latest.
    let stop = focus.filter(|&i| i < days.len()).unwrap_or(days.len() - 1);
    let bars = |failed_only: bool| {
        let on_focus = on_focus.clone();
        days.iter().enumerate().map(move |(i, d)| {
            let x = pad + i as f64 * slot + (slot - bar) / 2.0;
            let title = said(d);
            // Only the combined chart takes focus; the failures-only one repeats its days.
            let (tabindex, label) = if failed_only { (None, None) } else { (Some(if i == stop { "0" } else { "-1" }), Some(title.clone())) };
            let class = classes!("day", d.counts.is_none().then_some("silent"), (focus == Some(i)).then_some("focused"));
            let enter = on_focus.clone();
            let onmouseenter = Callback::from(move |_: MouseEvent| enter.emit(Some(i)));
            let focused = on_focus.clone();
            let onfocus = Callback::from(move |_: FocusEvent| focused.emit(Some(i)));
            let Some((ok, failed)) = d.counts else {
                return html! { <g {class} data-silent-day={d.key.clone()} data-i={i.to_string()} {tabindex} role={label.is_some().then_some("img")} aria-label={label} {onmouseenter} {onfocus}><title>{ title }</title>
                    <rect class="silent" x={fixed(x, 1)} y={fixed(base - 3.0, 1)} width={fixed(bar, 1)} height="3" /></g> };
            };
            if failed_only {
                let hf = (failed as f64 / max_failed) * plot;
                html! { <g {class} data-day={d.key.clone()} {onmouseenter}><title>{ title }</title>
                    <rect class="failed" x={fixed(x, 1)} y={fixed(base - hf, 1)} width={fixed(bar, 1)} height={fixed(hf, 1)} /></g> }
            } else {
                let hs = (ok as f64 / max_total) * plot;
                let hf = (failed as f64 / max_total) * plot;
                html! { <g {class} data-day={d.key.clone()} data-i={i.to_string()} {tabindex} role="img" aria-label={label} {onmouseenter} {onfocus}><title>{ title }</title>
                    <rect class="ok" x={fixed(x, 1)} y={fixed(base - hs, 1)} width={fixed(bar, 1)} height={fixed(hs, 1)} />
                    <rect class="failed" x={fixed(x, 1)} y={fixed(base - hs - hf, 1)} width={fixed(bar, 1)} height={fixed(hf, 1)} /></g> }
            }
        })
    };
    let last = days.len() - 1;
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        let next = match e.key().as_str() {
            "ArrowRight" | "ArrowDown" => (stop + 1).min(last),
            "ArrowLeft" | "ArrowUp" => stop.saturating_sub(1),
            "Home" => 0,
            "End" => last,
            _ => return,
        };
        e.prevent_default();
        // The listener sits on the svg, and every element carrying data-i is an SVG `g`.
        let svg: Option<web_sys::Element> = e.current_target().map(JsCast::unchecked_into);
        let day = svg.and_then(|svg| svg.query_selector(&format!("[data-i=\"{next}\"]")).ok().flatten());
        if let Some(day) = day {
            let _ = day.unchecked_into::<web_sys::SvgElement>().focus();
        }
    });
    let readout = focus.and_then(|i| days.get(i)).map(said);
    let mut last_year: Option<String> = None;
    let labels: Vec<Html> = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every == 0)
        .map(|(i, d)| {
            let x = pad + i as f64 * slot + slot / 2.0;
            let year = d.key.get(..4).map(str::to_string);
            let text = if crosses_year && year != last_year {
                d.key.clone()
            } else {
                d.key.get(5..).unwrap_or(&d.key).to_string()
            };
            last_year = year;
            html! { <text class="axis" x={fixed(x, 1)} y={fixed(h - 4.0, 1)} text-anchor="middle">{ text }</text> }
        })
        .collect();
    let axis = html! { <line class="baseline" x1={fixed(pad, 0)} x2={fixed(w - pad, 1)} y1={fixed(base, 1)} y2={fixed(base, 1)} /> };
    html! {
        <div class="charts">
            <svg class="chart" viewBox={format!("0 0 {} {}", fixed(w, 0), fixed(h, 0))} role="group" aria-labelledby="daily-title" {onkeydown}>
                <title id="daily-title">{"Successful and failed sessions per day"}</title>
                <text class="axis" x={fixed(pad, 0)} y="12">{ format!("scale: up to {} sessions a day", thousands(max_total as u64)) }</text>
                { axis.clone() }
                { for bars(false) }
                { for labels.iter().cloned() }
            </svg>
            <svg class="chart" viewBox={format!("0 0 {} {}", fixed(w, 0), fixed(h, 0))} role="img" aria-labelledby="failed-title">
                <title id="failed-title">{"Failed sessions per day, on their own scale"}</title>
                <text class="axis" x={fixed(pad, 0)} y="12">{ format!("scale: up to {} failed sessions a day", thousands(max_failed as u64)) }</text>
                { axis }
                { for bars(true) }
                { for labels.iter().cloned() }
            </svg>
            <p class="legend"><span class="swatch ok"></span>{"successful "}<span class="swatch failed"></span>{"failed "}
                if !silent.is_empty() {
                    <span class="swatch silent"></span>{"no report that day "}
                }
                {"(point at a day, or Tab to the chart and use ← →, for its numbers)"}</p>
            <p class="readout" data-readout="" aria-live="polite">{ readout.unwrap_or_default() }</p>
            if !silent.is_empty() {
                <p class="warn silent-days" data-silent-days={silent.len().to_string()}>
                    { format!("{} without any report: {}. Senders report every day; a silent day can mean the rua mailbox stopped receiving.",
                        if silent.len() == 1 { "1 day".to_string() } else { format!("{} days", silent.len()) },
                        silent.iter().take(10).copied().collect::<Vec<_>>().join(", ") + if silent.len() > 10 { ", …" } else { "" }) }
                </p>
            }
            <details>
                <summary>{"Table"}</summary>
                <table class="small">
                    <tr><th scope="col">{"Day"}</th><th scope="col" class="num">{"Successful"}</th><th scope="col" class="num">{"Failed"}</th></tr>
                    { for days.iter().map(|d| match d.counts {
                        Some((ok, failed)) => html! { <tr><td>{ d.key.clone() }</td><td class="num">{ thousands(ok) }</td><td class="num">{ thousands(failed) }</td></tr> },
                        None => html! { <tr class="silent"><td>{ d.key.clone() }</td><td colspan="2">{"no report"}</td></tr> },
                    }) }
                </table>
            </details>
        </div>
    }
}

/// A breakdown as a table whose rows carry their own bar.
fn breakdown_panel(dimension: Dimension, rows: &[Row]) -> Html {
    let max = rows.iter().map(|r| r.successful.saturating_add(r.failed)).max().unwrap_or(1).max(1) as f64;
    let failures_only = rows.iter().all(|r| r.successful == 0);
    html! {
        <div class="panel breakdown" data-breakdown={dimension.id()}>
            <h2>{ dimension.title() }</h2>
            if rows.is_empty() {
                <p class="empty">{"None."}</p>
            } else {
                <table class="bars">
                    { for rows.iter().take(12).map(|r| {
                        let total = r.successful.saturating_add(r.failed);
                        let ok_w = r.successful as f64 / max * 100.0;
                        let f_w = r.failed as f64 / max * 100.0;
                        let value = if failures_only { thousands(r.failed) } else { format!("{} / {} failed", thousands(total), thousands(r.failed)) };
                        html! {
                            <tr>
                                <th scope="row" class="mono">{ r.key.clone() }</th>
                                <td class="barcell" aria-hidden="true">
                                    <span class="seg ok" style={format!("width:{}%", fixed(ok_w, 2))}></span>
                                    <span class="seg failed" style={format!("width:{}%", fixed(f_w, 2))}></span>
                                </td>
                                <td class="num">{ value }</td>
                            </tr>
                        }
                    }) }
                </table>
                if rows.len() > 12 {
                    <p class="hint">{ format!("and {} more (see the exports)", rows.len().saturating_sub(12)) }</p>
                }
            }
        </div>
    }
}

/// What the user did to the failure table: filters, sort column and direction, open row.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TableState {
    filter: Filter,
    sort: (Column, bool),
    expanded: Option<usize>,
}

impl Default for TableState {
    fn default() -> TableState {
        TableState { filter: Filter::default(), sort: (Column::Sessions, true), expanded: None }
    }
}

#[derive(Properties, PartialEq)]
struct FailureTableProps {
    snap: Snapshot,
    table: TableState,
    on_table: Callback<TableState>,
}

/// The failure groups, filtered and sorted. Its own component so that the order and the
/// filter menus (a sort of up to 20,000 groups) are computed when the summary or the table
/// state changes, not on every render of the dashboard (a day focused on the chart).
#[function_component(FailureTable)]
fn failure_table(p: &FailureTableProps) -> Html {
    let s = p.snap.summary();
    let (by, desc) = p.table.sort;
    let order = use_memo((p.snap.clone(), p.table.filter.clone(), p.table.sort), |(snap, filter, (by, desc))| {
        vm::failure_rows(snap.summary(), filter, *by, *desc, FAILURE_ROWS)
    });
    let menus = use_memo(p.snap.clone(), |snap| {
        [Column::Day, Column::Organisation, Column::Mx, Column::ResultType].map(|c| vm::choices(snap.summary(), c))
    });
    let [days, orgs, mxs, types] = &*menus;
    let (matching, shown) = &*order;
    let rows: Vec<&FailureRow> = shown.iter().filter_map(|&i| s.failures.get(i)).collect();
    // Every change goes through one callback with the whole new table state.
    let change = |edit: Box<dyn Fn(&mut TableState)>| {
        let table = p.table.clone();
        let on_table = p.on_table.clone();
        move || {
            let mut t = table.clone();
            edit(&mut t);
            on_table.emit(t);
        }
    };
    let select = |column: Column, options: &[String], current: Option<String>, set: fn(&mut Filter, Option<String>)| {
        let table = p.table.clone();
        let on_table = p.on_table.clone();
        let onchange = Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            let v = sel.value();
            let mut t = table.clone();
            set(&mut t.filter, if v.is_empty() { None } else { Some(v) });
            t.expanded = None;
            on_table.emit(t);
        });
        html! {
            <label class="filter">{ column.title() }
                <select data-filter={column.title().to_string()} {onchange}>
                    <option value="" selected={current.is_none()}>{"any"}</option>
                    { for options.iter().map(|o| html! { <option value={o.clone()} selected={current.as_deref() == Some(o.as_str())}>{ o.clone() }</option> }) }
                </select>
            </label>
        }
    };
    let header = Column::ALL.into_iter().map(|c| {
        let next = if c == by { (c, !desc) } else { (c, c == Column::Sessions) };
        let apply = change(Box::new(move |t| {
            t.sort = next;
            t.expanded = None;
        }));
        let onclick = Callback::from(move |_: MouseEvent| apply());
        let mark = if c == by { if desc { " ▼" } else { " ▲" } } else { "" };
        let aria = if c == by { if desc { "descending" } else { "ascending" } } else { "none" };
        html! { <th scope="col" aria-sort={aria} class={classes!((c == Column::Sessions).then_some("num"))}><button type="button" class="sort" {onclick}>{ format!("{}{mark}", c.title()) }</button></th> }
    });
    html! {
        <div class="panel failures">
            <h2>{ format!("Failure details ({matching} groups)") }</h2>
            <div class="filters">
                { select(Column::Day, days, p.table.filter.day.clone(), |f, v| f.day = v) }
                { select(Column::Organisation, orgs, p.table.filter.organisation.clone(), |f, v| f.organisation = v) }
                { select(Column::Mx, mxs, p.table.filter.mx.clone(), |f, v| f.mx = v) }
                { select(Column::ResultType, types, p.table.filter.result_type.clone(), |f, v| f.result_type = v) }
            </div>
            if rows.is_empty() {
                <p class="empty">{"No failures match."}</p>
            } else {
                <table class="failure-table">
                    <tr>{ for header }<th scope="col"></th></tr>
                    { for rows.iter().enumerate().map(|(i, r)| {
                        let k = &r.key;
                        let open = p.table.expanded == Some(i);
                        let apply = change(Box::new(move |t| t.expanded = if open { None } else { Some(i) }));
                        let onclick = Callback::from(move |_: MouseEvent| apply());
                        let detail = if !open { serde_json::Value::Null } else { serde_json::json!({
                            "result-type": k.result_type, "sending-mta-ip": k.sending_mta_ip, "receiving-mx-hostname": k.receiving_mx_hostname,
                            "receiving-mx-helo": k.receiving_mx_helo, "receiving-ip": k.receiving_ip, "failed-session-count": r.sessions,
                            "failure-reason-code": k.failure_reason_code, "additional-information": k.additional_information,
                        }) };
                        // Only the open row looks up its report's notes.
                        let notes = if open { notes(&p.snap.batch, &r.origin) } else { Vec::new() };
                        html! {
                            <>
                            <tr class="failure-row" data-result-type={k.result_type.clone()}>
                                <td>{ k.day.clone() }</td>
                                <td>{ k.organisation.clone() }</td>
                                <td class="mono">{ k.result_type.clone() }</td>
                                <td class="mono">{ k.receiving_mx_hostname.clone().unwrap_or_default() }</td>
                                <td class="mono">{ k.sending_mta_ip.clone().unwrap_or_default() }</td>
                                <td class="num">{ thousands(r.sessions) }</td>
                                <td><button type="button" class="ghost expand" aria-expanded={open.to_string()} {onclick}>{ if open { "Hide" } else { "Details" } }</button></td>
                            </tr>
                            if open {
                                <tr class="failure-detail"><td colspan="7">
                                    <p>{ format!("From report {} ({}), policy {} for {}.", r.report_id, r.origin, k.policy_type, k.policy_domain) }</p>
                                    <pre>{ serde_json::to_string_pretty(&detail).unwrap_or_default() }</pre>
                                    if notes.is_empty() {
                                        <p class="hint">{"That report had no conformance notes."}</p>
                                    } else {
                                        <ul class="notes">{ for notes.iter().map(|(msg, code)| html! { <li><code>{ *code }</code>{" "}{ msg.clone() }</li> }) }</ul>
                                    }
                                </td></tr>
                            }
                            </>
                        }
                    }) }
                </table>
                if *matching > FAILURE_ROWS {
                    <p class="hint">{ format!("Showing the first {FAILURE_ROWS} of {matching}; narrow the filters, sort, or export the CSV for all of them.") }</p>
                }
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PoliciesProps {
    snap: Snapshot,
    live: String,
    on_live: Callback<String>,
}

/// The policies reporters applied, optionally compared with the live one the user pastes.
#[function_component(PoliciesPanel)]
fn policies_panel(p: &PoliciesProps) -> Html {
    let s = p.snap.summary();
    let live = vm::live_lines(&p.live);
    // The live policy is one domain's: compare it with that domain's policies only.
    let domains = vm::sts_domains(s);
    let chosen = use_state(|| None::<String>);
    let domain = (*chosen).clone().filter(|d| domains.contains(d)).or_else(|| domains.first().cloned());
    let on_domain = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            chosen.set(Some(sel.value()));
        })
    };
    let live_lint = (!p.live.trim().is_empty())
        .then(|| mtasts_core::lint::lint_text(mtasts_core::lint::Kind::Policy, p.live.as_bytes()))
        .flatten();
    let oninput = {
        let on_live = p.on_live.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_live.emit(area.value());
        })
    };
    let any_differs =
        s.policies.values().any(|pol| matches!(vm::compare(pol, &live, None), vm::Comparison::Differs { .. }));
    html! {
        <div class="panel">
            <h2>{"Policies reporters applied"}</h2>
            <p class="hint">{"The policy each sender said it used. Paste your live policy to see which senders still apply an older one."}</p>
            <details class="live" open={!p.live.is_empty()}>
                <summary>{"Compare with your live policy"}</summary>
                <label class="filter">{"Policy of the domain"}
                    <select id="live-domain" onchange={on_domain}>
                        { for domains.iter().map(|d| html! { <option value={d.clone()} selected={domain.as_deref() == Some(d.as_str())}>{ d.clone() }</option> }) }
                    </select>
                </label>
                <textarea id="live-policy" rows="5" spellcheck="false" placeholder={"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800"} value={p.live.clone()} {oninput} />
                if let Some(l) = &live_lint {
                    if l.is_valid() {
                        <p class="hint">{"The pasted policy is valid."}</p>
                    } else {
                        <p class="warn">{ format!("The pasted policy has {} error(s); check it on the Lint page.", l.findings.iter().filter(|f| f.severity() == mtasts_core::Severity::Error).count()) }</p>
                    }
                }
                if any_differs {
                    <p class="warn">{"Some senders applied a policy that differs from the live one. If you changed the policy days ago and they still use the old one, check that you also changed the id in the _mta-sts TXT record: senders only fetch a new policy when the id changes (RFC 8461 §3.1)."}</p>
                }
            </details>
            <ul class="policies">
                { for s.policies.values().map(|pol| {
                    let cmp = vm::compare(pol, &live, domain.as_deref());
                    let badge = match &cmp {
                        vm::Comparison::Same => html! { <span class="tag same" data-compare="same">{"matches the live policy"}</span> },
                        vm::Comparison::Differs { .. } => html! { <span class="tag differs" data-compare="differs">{"differs from the live policy"}</span> },
                        vm::Comparison::NotComparable => html! {},
                    };
                    html! {
                        <li class="policy-seen">
                            <div><strong>{ pol.policy_domain.clone() }</strong>{" "}<span class="tag">{ pol.policy_type.as_str().to_string() }</span>{" "}{ badge }
                                { format!(" — {} report{} from {}; {} successful, {} failed sessions", pol.reports, if pol.reports == 1 { "" } else { "s" },
                                    pol.organisations.iter().cloned().collect::<Vec<_>>().join(", "), thousands(pol.successful), thousands(pol.failed)) }</div>
                            if !pol.published.is_empty() {
                                <pre data-policy-lines="">{ pol.published.join("\n") }</pre>
                            }
                            if let vm::Comparison::Differs { only_seen, only_live } = &cmp {
                                <p class="diff">
                                    { for only_seen.iter().map(|l| html! { <span class="del">{ format!("− {l} (reporters)") }</span> }) }
                                    { for only_live.iter().map(|l| html! { <span class="add">{ format!("+ {l} (live)") }</span> }) }
                                </p>
                            }
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_agrees_with_format() {
        for x in [0.0, 0.04, 0.05, 1.25, 99.999, 100.0, 719.95, -3.04, 12345.678] {
            for places in 0..=2u32 {
                let want = format!("{x:.*}", places as usize);
                // Halves round away from zero here, to even in format!: equal elsewhere.
                if (x * 10f64.powi(places as i32)).fract().abs() != 0.5 {
                    assert_eq!(fixed(x, places), want, "{x} to {places}");
                }
            }
        }
        assert_eq!(fixed(-0.04, 1), "0.0");
    }
}
