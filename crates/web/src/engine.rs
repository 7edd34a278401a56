//! The report engine as a Web Worker: the `report-worker` binary runs [`run_worker`], and
//! the page talks to it through `services::engine`. Everything heavy about reports lives
//! here (sniffing, gzip, zip, MIME, JSON, aggregation), so the start page's module never
//! carries it: this module is reachable only from the worker binary.
//!
//! Messages (JS objects; `job` numbers the page's requests):
//! - page → worker `{op: "read", job, items: [{name, bytes} | {name, error}], assumed, dkim}`:
//!   read these inputs (`bytes` a transferred `ArrayBuffer`; `error` why the page could not
//!   read the file) into one batch, treating the reports in `assumed` (JSON
//!   `[[org, id], ...]`) as counted; with `dkim: true`, also hand back a copy of each email
//!   input's bytes, whose DKIM the page checks (`services::dkim`);
//! - page → worker `{op: "lint", job, text}`: lint one pasted report;
//! - worker → page `{op: "ready"}` once, then `{op: "progress", job, inputs, reports}`
//!   while reading; `{op: "lint", job, json}` with a [`LintResult`]; `{op: "read", job,
//!   bytes, failures}` with a [`ReadResult`] as UTF-8 JSON in a transferred `ArrayBuffer`,
//!   its summary's failure groups apart in `failures: [ArrayBuffer, ...]` (as [`WireFailure`]s),
//!   [`FAILURES_PER_PIECE`] groups per piece, in order, and the inputs' kept findings apart
//!   in `findings: [ArrayBuffer, ...]` (as [`WireFinding`]s), as many per piece;
//!   and with `dkim`, `emails: [[input index, ArrayBuffer], ...]` (transferred).

use mtasts_core::finding::{Located, Span};
use mtasts_core::tls_rpt::batch::{Batch, InputOutcome};

use mtasts_core::tls_rpt::input::Limits;
use mtasts_core::tls_rpt::input::{sniff, Sniffed};
use mtasts_core::tls_rpt::summary::{FailureKey, FailureRow, Summary};
use mtasts_core::{Code, Finding};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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

/// A failure group as sent to the page: one JSON array of its key's fields (day,
/// organisation, policy domain, policy type, result type, sending MTA IP, receiving MX host
/// name, HELO, receiving IP, failure reason code, additional information), sessions, report
/// id and origin. Not `FailureRow`, whose flattened key makes serde buffer every row (twice
/// the time), nor the key as an object, whose member names were a third of a mailbox's
/// 5.4 MB answer and most of the page's time reading it.
pub(crate) type WireFailure<S> =
    (S, S, S, S, S, Option<S>, Option<S>, Option<S>, Option<S>, Option<S>, Option<S>, u64, S, S);

/// `row` as it crosses to the page.
fn failure_to_wire(r: &FailureRow) -> WireFailure<&str> {
    let k = &r.key;
    let o = Option::as_deref;
    (
        &k.day,
        &k.organisation,
        &k.policy_domain,
        &k.policy_type,
        &k.result_type,
        o(&k.sending_mta_ip),
        o(&k.receiving_mx_hostname),
        o(&k.receiving_mx_helo),
        o(&k.receiving_ip),
        o(&k.failure_reason_code),
        o(&k.additional_information),
        r.sessions,
        &r.report_id,
        &r.origin,
    )
}

/// A failure group as the page received it.
pub(crate) fn failure_from_wire(w: WireFailure<String>) -> FailureRow {
    let (day, organisation, policy_domain, policy_type, result_type) = (w.0, w.1, w.2, w.3, w.4);
    let key = FailureKey {
        day,
        organisation,
        policy_domain,
        policy_type,
        result_type,
        sending_mta_ip: w.5,
        receiving_mx_hostname: w.6,
        receiving_mx_helo: w.7,
        receiving_ip: w.8,
        failure_reason_code: w.9,
        additional_information: w.10,
    };
    FailureRow { key, sessions: w.11, report_id: w.12, origin: w.13 }
}

/// A kept finding as sent to the page: its input's index, origin, code, span, pointer and
/// detail, as one JSON array (objects' member names were most of the reading).
pub(crate) type WireFinding<S> = (usize, S, Code, usize, usize, Option<S>, S);

fn finding_to_wire((i, l): &(usize, Located)) -> WireFinding<&str> {
    let f = &l.finding;
    (*i, &l.origin, f.code, f.span.start, f.span.end, f.pointer.as_deref(), &f.detail)
}

/// A kept finding as the page received it, with its input's index.
pub(crate) fn finding_from_wire(w: WireFinding<String>) -> (usize, Located) {
    let (i, origin, code, start, end, pointer, detail) = w;
    (i, Located { origin, finding: Finding { code, span: Span { start, end }, pointer, detail } })
}

/// Failure groups (or findings) per piece of a read's answer (about 0.5 MB of JSON, a few
/// ms to read).
pub(crate) const FAILURES_PER_PIECE: usize = 1000;
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

/// `value` as JSON in a new `ArrayBuffer`, listed in `transfer`.
fn json_buffer<T: Serialize + ?Sized>(value: &T, transfer: &js_sys::Array) -> JsValue {
    let buf = js_sys::Uint8Array::from(serde_json::to_vec(value).unwrap_or_default().as_slice()).buffer();
    transfer.push(&buf);
    buf.into()
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
            let dkim = get(&data, "dkim").as_bool().unwrap_or(false);
            let (mut result, emails) = read(scope, &job, &items, assumed, dkim);
            // The failure groups (most of a big answer) go in pieces, so that the page can
            // read them a piece per task instead of in one long task.
            // Sent as UTF-8 bytes in transferred buffers: a JS string would be converted to
            // UTF-16 here and back on the page (a third of the page's time on a big answer).
            let failures = std::mem::take(&mut result.summary.failures);
            let transfer = js_sys::Array::new();
            let pieces = js_sys::Array::new();
            for piece in failures.chunks(FAILURES_PER_PIECE) {
                let rows: Vec<WireFailure<&str>> = piece.iter().map(failure_to_wire).collect();
                pieces.push(&json_buffer(&rows, &transfer));
            }
            // So do the inputs' kept findings (up to 10,000 of them), each with its input's
            // index (`WireFinding`).
            let kept: Vec<(usize, Located)> = result
                .inputs
                .iter_mut()
                .enumerate()
                .flat_map(|(i, input)| std::mem::take(&mut input.findings).into_iter().map(move |f| (i, f)))
                .collect();
            let findings = js_sys::Array::new();
            for piece in kept.chunks(FAILURES_PER_PIECE) {
                let rows: Vec<WireFinding<&str>> = piece.iter().map(finding_to_wire).collect();
                findings.push(&json_buffer(&rows, &transfer));
            }
            let json = json_buffer(&result, &transfer);
            let reply = message(&[
                ("op", "read".into()),
                ("job", job.clone()),
                ("bytes", json),
                ("failures", pieces.into()),
                ("findings", findings.into()),
            ]);
            // Report emails go back to the page, which checks their DKIM (keys over its
            // resolver, WebCrypto): the verifier lives in the on-demand page module, which
            // has the hashing and base64 code already, so the worker stays small and fast.
            if dkim {
                let list = js_sys::Array::new();
                for (i, buf) in emails {
                    transfer.push(&buf);
                    list.push(&js_sys::Array::of2(&(i as u32).into(), &buf));
                }
                set(&reply, "emails", &list);
            }
            let _ = scope.post_message_with_transfer(&reply, &transfer);
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

/// Reads a run into one batch; with `dkim`, also a copy of each email input's bytes, by
/// input index.
fn read(
    scope: &web_sys::DedicatedWorkerGlobalScope,
    job: &JsValue,
    items: &js_sys::Array,
    assumed: Vec<(String, String)>,
    dkim: bool,
) -> (ReadResult, Vec<(usize, JsValue)>) {
    let mut emails = Vec::new();
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
    for item in items.iter() {
        let name = get(&item, "name").as_string().unwrap_or_default();
        match get(&item, "error").as_string() {
            None => {
                let bytes = js_sys::Uint8Array::new(&get(&item, "bytes")).to_vec();
                if dkim && sniff(&bytes) == Sniffed::Email {
                    emails.push((batch.inputs.len(), js_sys::Uint8Array::from(bytes.as_slice()).buffer().into()));
                }
                let mut adding = batch.begin(&name, &bytes);
                while !batch.step(&mut adding, PARTS_PER_STEP) {
                    tick(&batch, done, &mut last);
                }
            }
            Some(why) => batch.add_unreadable(&name, why),
        }
        done = done.saturating_add(1);
        tick(&batch, done, &mut last);
    }
    progress(&batch, done);
    let counted = batch.summary.counted().cloned().collect();
    (ReadResult { summary: batch.summary, counted, inputs: batch.inputs }, emails)
}
