//! The page's side of the report engine: a pool of report workers (the `report-worker`
//! module, loaded on first use), reports read off the main thread in parallel and merged
//! here in input order. See `crate::engine` for the messages.
//!
//! Inputs are cut into contiguous runs; each idle worker takes the next run, so one big
//! mailbox does not hold up a thousand small files. The runs' batches are merged in
//! order (`Batch::merge`), which equals one pass over all inputs; when a run counted a
//! report an earlier run had counted (the same report dropped twice), that run is read
//! again with those reports marked as counted. Files are read here (see [`Loading`]) and
//! their bytes transferred to the workers, not copied.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::StreamExt;
use mtasts_core::tls_rpt::batch::Batch;
use mtasts_core::tls_rpt::input::Limits;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::{
    failure_from_wire, finding_from_wire, get, message, set, LintResult, ReadResult, WireFailure, WireFinding,
};
use crate::services::net::Resolver;

/// Something to read.
#[derive(Clone)]
pub enum Item {
    /// A file the user gave.
    File(web_sys::File),
    /// Bytes already in the page (the sample, a paste), with a name.
    Bytes(String, Rc<Vec<u8>>),
    /// A file kept in the browser's storage, with the name it was read under (a folder
    /// pick's path does not survive storage).
    Named(String, web_sys::File),
}

impl Item {
    pub(crate) fn name(&self) -> String {
        match self {
            Item::File(f) => super::files::name(f),
            Item::Bytes(n, _) | Item::Named(n, _) => n.clone(),
        }
    }
}

/// Milliseconds between two progress updates of the page.
const PROGRESS_MS: f64 = 250.0;
/// Most workers, whatever the machine says it has.
const MAX_WORKERS: u32 = 8;
/// Inputs per run: what a worker is given at a time.
const RUN_INPUTS: usize = 64;
/// Runs per worker in memory: the one it parses and the next, read meanwhile (4 measured
/// no faster on 10,000 files, and made more long tasks when answers bunched up).
const RUNS_AHEAD: usize = 2;
/// File reads started per browser task.
const STARTS_PER_TASK: u32 = 16;

/// Where the worker's loader is: the page names it (with its content hash) in a meta tag.
fn worker_url() -> Result<String, String> {
    super::lazy::meta("mtasts-report-worker").ok_or_else(|| "this build has no report worker".to_string())
}

/// One worker and the messages it sent.
struct Handle {
    worker: web_sys::Worker,
    inbox: futures::lock::Mutex<mpsc::UnboundedReceiver<JsValue>>,
    sender: mpsc::UnboundedSender<JsValue>,
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::ErrorEvent)>,
    ready: Cell<bool>,
    busy: Cell<bool>,
}

impl Handle {
    fn new(url: &str) -> Result<Handle, String> {
        let worker = web_sys::Worker::new(url).map_err(|e| format!("cannot start the report worker: {e:?}"))?;
        let (sender, inbox) = mpsc::unbounded();
        let to_inbox = sender.clone();
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let _ = to_inbox.unbounded_send(e.data());
        });
        let to_inbox = sender.clone();
        let on_error = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            let why = format!("the report worker failed: {}", e.message());
            let _ = to_inbox.unbounded_send(message(&[("op", "error".into()), ("message", why.into())]).into());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Handle {
            worker,
            inbox: futures::lock::Mutex::new(inbox),
            sender,
            _on_message: on_message,
            _on_error: on_error,
            ready: Cell::new(false),
            busy: Cell::new(false),
        })
    }

    /// The next message, or an error once the worker is gone.
    async fn next(&self) -> Result<JsValue, String> {
        let msg = self.inbox.lock().await.next().await;
        let msg = msg.ok_or_else(|| "cancelled".to_string())?;
        match get(&msg, "op").as_string().as_deref() {
            Some("error") => Err(get(&msg, "message").as_string().unwrap_or_default()),
            _ => Ok(msg),
        }
    }

    async fn wait_ready(&self) -> Result<(), String> {
        while !self.ready.get() {
            let msg = self.next().await?;
            if get(&msg, "op").as_string().as_deref() == Some("ready") {
                self.ready.set(true);
            }
        }
        Ok(())
    }

    /// Sends `msg` and waits for the answer to `job` (the worker's whole reply), passing
    /// progress on; the worker is `busy` meanwhile.
    async fn ask(
        &self,
        msg: &js_sys::Object,
        transfer: &js_sys::Array,
        job: u32,
        on_progress: &dyn Fn(u32, u64),
    ) -> Result<JsValue, String> {
        self.busy.set(true);
        let answer = async {
            self.wait_ready().await?;
            set(msg, "job", &job.into());
            self.worker.post_message_with_transfer(msg, transfer).map_err(|e| format!("{e:?}"))?;
            loop {
                let reply = self.next().await?;
                if get(&reply, "job").as_f64() != Some(f64::from(job)) {
                    continue;
                }
                match get(&reply, "op").as_string().as_deref() {
                    Some("progress") => {
                        let inputs = get(&reply, "inputs").as_f64().unwrap_or(0.0) as u32;
                        on_progress(inputs, get(&reply, "reports").as_f64().unwrap_or(0.0) as u64);
                    }
                    _ => return Ok(reply),
                }
            }
        }
        .await;
        self.busy.set(false);
        answer
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.worker.terminate();
        self.sender.close_channel();
    }
}

thread_local! {
    static POOL: RefCell<Vec<Rc<Handle>>> = const { RefCell::new(Vec::new()) };
    static JOBS: Cell<u32> = const { Cell::new(0) };
    /// Bumped by every [`cancel`]: a read that sees it change gives up.
    static CANCELS: Cell<u32> = const { Cell::new(0) };
}

fn next_job() -> u32 {
    JOBS.with(|j| {
        let n = j.get().wrapping_add(1);
        j.set(n);
        n
    })
}

/// The pool, started on first use: one worker per core the browser reports, capped.
fn pool() -> Result<Vec<Rc<Handle>>, String> {
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_empty() {
            let cores = web_sys::window().map_or(2.0, |w| w.navigator().hardware_concurrency());
            let n = (cores as u32).clamp(1, MAX_WORKERS);
            let url = worker_url()?;
            for _ in 0..n {
                p.push(Rc::new(Handle::new(&url)?));
            }
        }
        Ok(p.clone())
    })
}

/// Starts the pool now (the report page opened): the workers load and compile their module
/// while the user picks files, not after the drop. A failure to start is reported by the
/// next read, with the reason.
pub fn warm() {
    let _ = pool();
}

/// Stops every worker (Cancel): whatever they were doing is dropped, and the next use
/// starts fresh ones.
pub fn cancel() {
    CANCELS.with(|c| c.set(c.get().wrapping_add(1)));
    POOL.with(|p| p.borrow_mut().clear());
}

fn cancels() -> u32 {
    CANCELS.with(Cell::get)
}

/// A run's inputs being read into memory here, on the page (see
/// [`super::files::read_all`]), to be sent to a worker as bytes. A worker reading `File`s
/// itself spent about 1.5 ms of its own time per file on the browser's blob plumbing, four
/// times what the page's thread needs (the benchmark's read floor), and parsing waited.
struct Loading(wasm_bindgen_futures::JsFuture);

impl Loading {
    /// Starts reading every file of `run`, a few per browser task: asking for a file costs
    /// the page 0.15–0.9 ms, so 64 at once were a long task.
    fn start(run: &[Item]) -> Loading {
        let sources = js_sys::Array::new();
        let names = js_sys::Array::new();
        for item in run {
            let (source, name) = match item {
                Item::File(f) => (f.into(), JsValue::UNDEFINED),
                Item::Named(n, f) => (f.into(), n.into()),
                Item::Bytes(n, b) => (js_sys::Uint8Array::from(b.as_slice()).buffer().into(), n.into()),
            };
            sources.push(&source);
            names.push(&name);
        }
        Loading(super::files::read_all(&sources, &names, STARTS_PER_TASK))
    }

    /// The message that reads the run, with its buffers to transfer: `{name, bytes}` per
    /// input, or `{name, error}` when the browser could not read the file.
    async fn message(
        self,
        assumed: &[(String, String)],
        doh: Option<&str>,
    ) -> Result<(js_sys::Object, js_sys::Array), String> {
        let read = self.0.await.map_err(|e| {
            let why = get(&e, "message").as_string().unwrap_or_else(|| "unknown error".into());
            format!("cannot read the files: {why}")
        })?;
        let msg = js_sys::Object::new();
        set(&msg, "op", &"read".into());
        set(&msg, "items", &get(&read, "items"));
        set(&msg, "assumed", &serde_json::to_string(assumed).unwrap_or_default().into());
        if doh.is_some() {
            set(&msg, "dkim", &true.into());
        }
        Ok((msg, get(&read, "transfer").into()))
    }
}

/// Cuts `items` into runs (contiguous ranges) of [`RUN_INPUTS`]. Not by size: the browser
/// answers `File.size` with a synchronous round trip to the file system, 0.3 ms a file
/// here, which made cutting 1,000 files a 290 ms task (and 10,000 files three seconds).
fn runs(items: &[Item]) -> Vec<std::ops::Range<usize>> {
    (0..items.len()).step_by(RUN_INPUTS).map(|start| start..start.saturating_add(RUN_INPUTS).min(items.len())).collect()
}

/// `batch` with every input of `run` recorded as unreadable for `why`.
fn unreadable(mut batch: Batch, run: &[Item], why: &str) -> Batch {
    for item in run {
        batch.add_unreadable(&item.name(), why);
    }
    batch
}

/// A run read by a worker, as a batch; when the worker failed, every input of the run is
/// recorded as unreadable with the reason (nothing is silently lost).
async fn read_run(
    worker: &Handle,
    run: &[Item],
    loading: Loading,
    assumed: &[(String, String)],
    doh: Option<&str>,
    on_progress: &dyn Fn(u32, u64),
) -> Batch {
    let parsed = match loading.message(assumed, doh).await {
        Ok((msg, transfer)) => match worker.ask(&msg, &transfer, next_job(), on_progress).await {
            Ok(reply) => match read_answer(&reply).await {
                Ok(mut result) => {
                    if let Some(url) = doh {
                        dkim(&reply, &Resolver::new(url), &mut result).await;
                    }
                    Ok(result)
                }
                Err(why) => Err(why),
            },
            Err(why) => Err(why),
        },
        Err(why) => Err(why),
    };
    match parsed {
        Ok(r) => r.into_batch(),
        Err(why) => unreadable(Batch::new(Limits::default()), run, &why),
    }
}

/// Report emails' DKIM for a run: the worker's copies of its email inputs (`emails`),
/// each verified here and its verdict set on its input, yielding to the browser every few
/// ms (a thousand emails are not one long task).
async fn dkim(reply: &JsValue, resolver: &Resolver, result: &mut ReadResult) {
    let mut since = js_sys::Date::now();
    for pair in js_sys::Array::from(&get(reply, "emails")).iter() {
        let pair = js_sys::Array::from(&pair);
        let index = pair.get(0).as_f64().map_or(usize::MAX, |i| i as usize);
        let bytes = js_sys::Uint8Array::new(&pair.get(1)).to_vec();
        let verdict = super::dkim::verify(&bytes, resolver).await;
        if let Some(input) = result.inputs.get_mut(index) {
            input.dkim = Some(Box::new(verdict));
        }
        if js_sys::Date::now() - since > 8.0 {
            super::files::yield_now().await;
            since = js_sys::Date::now();
        }
    }
}

/// A read's answer: the result, then its failure groups and kept findings a piece per
/// browser task (a big mailbox's answer read in one go was a 230 ms task).
async fn read_answer(reply: &JsValue) -> Result<ReadResult, String> {
    let garbled = |e: serde_json::Error| format!("the report worker's answer was garbled: {e}");
    // Text again, so that only `from_str`'s reader is compiled into the page.
    let text = |v: &JsValue| {
        String::from_utf8(js_sys::Uint8Array::new(v).to_vec())
            .map_err(|_| "the report worker's answer was not UTF-8".to_string())
    };
    let mut result: ReadResult = serde_json::from_str(&text(&get(reply, "bytes"))?).map_err(garbled)?;
    for piece in js_sys::Array::from(&get(reply, "failures")).iter() {
        super::files::yield_now().await;
        let rows: Vec<WireFailure<String>> = serde_json::from_str(&text(&piece)?).map_err(garbled)?;
        result.summary.failures.extend(rows.into_iter().map(failure_from_wire));
    }
    for piece in js_sys::Array::from(&get(reply, "findings")).iter() {
        super::files::yield_now().await;
        let found: Vec<WireFinding<String>> = serde_json::from_str(&text(&piece)?).map_err(garbled)?;
        for (i, f) in found.into_iter().map(finding_from_wire) {
            let input = result.inputs.get_mut(i);
            input
                .ok_or_else(|| "the report worker's answer was garbled: a finding of no input".to_string())?
                .findings
                .push(f);
        }
    }
    Ok(result)
}

/// Progress of a read: inputs finished and reports seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Inputs finished.
    pub inputs: usize,
    /// Reports read so far (duplicates included).
    pub reports: u64,
}

/// Reads `items` with the worker pool and merges them, in input order, after `base` (the
/// inputs read before). `Err(base)` untouched when cancelled ([`cancel`]) before the
/// merge began; when the workers cannot start, every item is recorded as unreadable with
/// the reason. With `doh` (a resolver URL), report emails' DKIM signatures are checked,
/// their keys looked up there.
pub async fn read(
    base: Batch,
    items: Vec<Item>,
    doh: Option<String>,
    on_progress: impl Fn(Progress) + 'static,
) -> Result<Batch, Batch> {
    read_with(base, items, doh, Rc::new(on_progress)).await
}

/// [`read`], compiled once: each caller's progress closure would otherwise get its own
/// copy of this (large) function in the module.
async fn read_with(
    base: Batch,
    items: Vec<Item>,
    doh: Option<String>,
    on_progress: Rc<dyn Fn(Progress)>,
) -> Result<Batch, Batch> {
    let generation = cancels();
    let workers = match pool() {
        Ok(w) => w,
        Err(why) => return Ok(unreadable(base, &items, &why)),
    };
    let items = Rc::new(items);
    let ranges = runs(&items);
    let queue: Rc<RefCell<VecDeque<usize>>> = Rc::new(RefCell::new((0..ranges.len()).collect()));
    let results: Rc<RefCell<Vec<Option<Batch>>>> = Rc::new(RefCell::new((0..ranges.len()).map(|_| None).collect()));
    // Per run: inputs done and reports seen, as its worker last said.
    let seen: Rc<RefCell<Vec<(u32, u64)>>> = Rc::new(RefCell::new(vec![(0, 0); ranges.len()]));
    // The page is told at most every PROGRESS_MS: each telling re-renders and lays out the
    // progress line, and the workers' messages come far more often (a trace of 1,000 files
    // had 185 ms of layout while reading).
    let told = Cell::new(f64::NEG_INFINITY);
    let report = {
        let (seen, on_progress) = (seen.clone(), on_progress.clone());
        Rc::new(move || {
            let now = js_sys::Date::now();
            if now - told.get() < PROGRESS_MS {
                return;
            }
            told.set(now);
            let s = seen.borrow();
            let inputs = s.iter().map(|(i, _)| *i as usize).sum();
            let reports = s.iter().map(|(_, r)| *r).sum();
            on_progress(Progress { inputs, reports });
        })
    };
    let tasks = workers.iter().map(|w| {
        let (w, items, queue, results, seen, ranges) =
            (w.clone(), items.clone(), queue.clone(), results.clone(), seen.clone(), ranges.clone());
        let (report, doh) = (report.clone(), doh.clone());
        async move {
            // The next runs' files are read while this one is parsed: at most RUNS_AHEAD runs
            // per worker in memory.
            let take = || {
                let r = queue.borrow_mut().pop_front()?;
                Some((r, ranges.get(r).cloned()?))
            };
            let load = |next: Option<(usize, std::ops::Range<usize>)>| {
                let items = items.clone();
                async move {
                    let (r, range) = next?;
                    let loading = Loading::start(items.get(range.clone()).unwrap_or_default());
                    Some((r, range, loading))
                }
            };
            let mut ahead = VecDeque::new();
            while ahead.len() < RUNS_AHEAD {
                let Some(next) = load(take()).await else { break };
                ahead.push_back(next);
            }
            while let Some((r, range, loading)) = ahead.pop_front() {
                let run = items.get(range).unwrap_or_default();
                let progress = |inputs: u32, reports: u64| {
                    if let Some(slot) = seen.borrow_mut().get_mut(r) {
                        *slot = (inputs, reports);
                    }
                    report();
                };
                // This run goes to the worker first; the next one's reads start meanwhile.
                let read = read_run(&w, run, loading, &[], doh.as_deref(), &progress);
                let (batch, more) = futures::join!(read, load(take()));
                ahead.extend(more);
                if let Some(slot) = seen.borrow_mut().get_mut(r) {
                    *slot = (run.len() as u32, batch.summary.reports.saturating_add(batch.summary.duplicates));
                }
                report();
                if let Some(slot) = results.borrow_mut().get_mut(r) {
                    *slot = Some(batch);
                }
            }
        }
    });
    futures::future::join_all(tasks).await;
    let parts: Vec<Option<Batch>> = std::mem::take(&mut *results.borrow_mut());
    if cancels() != generation || parts.iter().any(Option::is_none) {
        return Err(base);
    }
    // From here on the read completes: a run redone for duplicates starts a new pool if
    // the user cancelled meanwhile.
    let mut total = base;
    for (r, part) in parts.into_iter().flatten().enumerate() {
        if let Err(overlap) = total.merge(part) {
            // The same report in an earlier run: read this run again with those counted.
            let run = ranges.get(r).and_then(|range| items.get(range.clone())).unwrap_or_default();
            let again = match pool().and_then(|w| w.first().cloned().ok_or_else(|| "no report worker".to_string())) {
                Ok(w) => read_run(&w, run, Loading::start(run), &overlap, doh.as_deref(), &|_, _| {}).await,
                // Never merge nothing in its place: the run's inputs would vanish.
                Err(why) => unreadable(Batch::new(Limits::default()), run, &why),
            };
            if let Err(still) = total.merge(again) {
                total = unreadable(total, run, &format!("counted twice by the report workers: {still:?}"));
            }
        }
        super::files::yield_now().await;
    }
    Ok(total)
}

/// Lints one pasted report in a worker: its findings (spans in `text`) and what it says.
pub async fn lint_report(text: &str) -> Result<LintResult, String> {
    // Every worker may be busy (reading reports, or linting the text typed a moment ago):
    // wait for one rather than answer "busy" for good, which left the newest text unchecked.
    let w = loop {
        let workers = pool()?;
        if let Some(w) = workers.iter().find(|w| !w.busy.get()) {
            break w.clone();
        }
        crate::services::files::sleep(25).await;
    };
    let msg = js_sys::Object::new();
    set(&msg, "op", &"lint".into());
    set(&msg, "text", &text.into());
    let reply = w.ask(&msg, &js_sys::Array::new(), next_job(), &|_, _| {}).await?;
    serde_json::from_str(&get(&reply, "json").as_string().unwrap_or_default())
        .map_err(|e| format!("the report worker's answer was garbled: {e}"))
}
