//! The report engine as a Web Worker: the `report-worker` binary runs [`run_worker`], and
//! the page talks to it through `services::engine`. Everything heavy about reports lives
//! here (sniffing, gzip, zip, MIME, JSON, aggregation), so the start page's module never
//! carries it: this module is reachable only from the worker binary.
//!
//! Messages (JS objects; `job` numbers the page's requests):
//! - page → worker `{op: "read", job, items: [{name, file} | {name, bytes}], assumed}`:
//!   read these inputs (a `File` is read here; `bytes` is a transferred `ArrayBuffer`) into
//!   one batch, treating the reports in `assumed` (JSON `[[org, id], ...]`) as counted;
//! - page → worker `{op: "lint", job, text}`: lint one pasted report;
//! - worker → page `{op: "ready"}` once, then `{op: "progress", job, inputs, reports}`
//!   while reading, and `{op: "read" | "lint", job, json}` with a [`ReadResult`] or
//!   [`LintResult`].

use mtasts_core::tls_rpt::batch::{Batch, InputOutcome};
use mtasts_core::tls_rpt::input::Limits;
use mtasts_core::tls_rpt::summary::Summary;
use mtasts_core::Finding;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A run of inputs read by one worker.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReadResult {
    /// Its summary.
    pub summary: Summary,
    /// The reports it counted (organisation, report id): the summary's duplicate memory.
    pub counted: Vec<(String, String)>,
    /// Per input, in order.
    pub inputs: Vec<InputOutcome>,
}

impl ReadResult {
    /// Back into a batch, ready to merge.
    pub fn into_batch(self) -> Batch {
        let mut summary = self.summary;
        summary.restore_counted(self.counted);
        Batch::from_parts(summary, self.inputs)
    }
}

/// A linted report.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintResult {
    /// Every finding, spans located in the pasted text.
    pub findings: Vec<Finding>,
    /// What the report says, as label/value rows.
    pub rows: Vec<(String, String)>,
}

/// Milliseconds between two progress messages.
const PROGRESS_MS: f64 = 50.0;
/// Parts (mbox messages, zip entries) read between two looks at the clock.
const PARTS_PER_STEP: usize = 64;

/// A member of a message (undefined when absent). Shared with the page's side.
pub(crate) fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets a member of a message.
pub(crate) fn set(o: &js_sys::Object, key: &str, v: &JsValue) {
    let _ = js_sys::Reflect::set(o, &JsValue::from_str(key), v);
}

/// A message with these members.
pub(crate) fn message(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        set(&o, k, v);
    }
    o
}

/// Installs the message handler and says so.
pub fn run_worker() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let scope = replies.clone();
        wasm_bindgen_futures::spawn_local(async move { handle(&scope, e.data()).await });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&message(&[("op", "ready".into())]));
}

async fn handle(scope: &web_sys::DedicatedWorkerGlobalScope, data: JsValue) {
    let job = get(&data, "job");
    match get(&data, "op").as_string().as_deref() {
        Some("read") => {
            let assumed: Vec<(String, String)> =
                get(&data, "assumed").as_string().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
            let items = js_sys::Array::from(&get(&data, "items"));
            let result = read(scope, &job, &items, assumed).await;
            let json = serde_json::to_string(&result).unwrap_or_default();
            let _ = scope.post_message(&message(&[("op", "read".into()), ("job", job), ("json", json.into())]));
        }
        Some("lint") => {
            let text = get(&data, "text").as_string().unwrap_or_default();
            let linted = mtasts_core::lint::lint_report(text.as_bytes());
            let rows = match &linted.value {
                mtasts_core::lint::Value::Report(reports) => crate::view_model::lint::report_rows(reports),
                _ => Vec::new(),
            };
            let result = LintResult { findings: linted.findings, rows };
            let json = serde_json::to_string(&result).unwrap_or_default();
            let _ = scope.post_message(&message(&[("op", "lint".into()), ("job", job), ("json", json.into())]));
        }
        _ => {}
    }
}

/// An item whose bytes are on their way: a file read started, or the bytes the page
/// transferred.
enum Pending {
    File(js_sys::Promise),
    Bytes(JsValue),
}

impl Pending {
    fn start(item: &JsValue) -> Pending {
        match get(item, "file").dyn_into::<web_sys::File>() {
            Ok(file) => Pending::File(file.array_buffer()),
            Err(_) => Pending::Bytes(get(item, "bytes")),
        }
    }

    async fn bytes(self) -> Result<Vec<u8>, String> {
        let buf = match self {
            Pending::Bytes(buf) => buf,
            Pending::File(p) => JsFuture::from(p).await.map_err(|e| {
                let why = get(&e, "message").as_string().unwrap_or_else(|| "unknown error".into());
                format!("cannot read the file: {why}")
            })?,
        };
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    }
}

async fn read(
    scope: &web_sys::DedicatedWorkerGlobalScope,
    job: &JsValue,
    items: &js_sys::Array,
    assumed: Vec<(String, String)>,
) -> ReadResult {
    let mut batch = Batch::new(Limits::default());
    batch.summary.assume_counted(assumed);
    let mut last = js_sys::Date::now();
    let mut done = 0u32;
    let progress = |batch: &Batch, done: u32| {
        let msg = message(&[
            ("op", "progress".into()),
            ("job", job.clone()),
            ("inputs", done.into()),
            ("reports", (batch.summary.reports.saturating_add(batch.summary.duplicates) as f64).into()),
        ]);
        let _ = scope.post_message(&msg);
    };
    // Progress at most every PROGRESS_MS.
    let tick = |batch: &Batch, done: u32, last: &mut f64| {
        if js_sys::Date::now() - *last > PROGRESS_MS {
            progress(batch, done);
            *last = js_sys::Date::now();
        }
    };
    // Every file of the run is asked for at once (a run is at most 64 files or 4 MB): the
    // browser's file reads overlap instead of costing a round trip each, and are parsed in
    // order as they arrive.
    let reads: Vec<Pending> = items.iter().map(|item| Pending::start(&item)).collect();
    for (i, reading) in (0..items.length()).zip(reads) {
        let name = get(&items.get(i), "name").as_string().unwrap_or_default();
        match reading.bytes().await {
            Ok(bytes) => {
                let mut adding = batch.begin(&name, &bytes);
                while !batch.step(&mut adding, PARTS_PER_STEP) {
                    tick(&batch, done, &mut last);
                }
            }
            Err(why) => batch.add_unreadable(&name, why),
        }
        done = done.saturating_add(1);
        tick(&batch, done, &mut last);
    }
    progress(&batch, done);
    let counted = batch.summary.counted().cloned().collect();
    ReadResult { summary: batch.summary, counted, inputs: batch.inputs }
}
