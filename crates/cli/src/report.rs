//! `mtasts report`: read any number of TLS-RPT reports and print what they add up to.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use mtasts_core::text::thousands;
use mtasts_core::tls_rpt::batch::{Batch, InputJson, InputOutcome};
use mtasts_core::tls_rpt::dkim::Verdict;
use mtasts_core::tls_rpt::export::{self, Breakdown};
use mtasts_core::tls_rpt::input::Limits;
use mtasts_core::tls_rpt::input::{sniff, Sniffed};
use mtasts_core::tls_rpt::readiness::{readiness, Story};
use mtasts_core::tls_rpt::summary::{utc_day, Counts, Summary};

use crate::check::Net;
use crate::imap::{Fetched, MailboxUrl, Mark};

#[derive(Args)]
pub struct ReportArgs {
    /// Report files (.json, .json.gz, .zip, .eml, mbox), directories (read recursively; a
    /// Maildir's cur/ and new/), "-" for standard input, or IMAP mailboxes as
    /// imaps://USER@HOST[:PORT]/MAILBOX (imap:// is upgraded with STARTTLS; the password
    /// comes from $MTASTS_IMAP_PASSWORD or --password-file, never the command line).
    #[arg(required = true)]
    paths: Vec<String>,
    /// Print one JSON object: totals, breakdowns, policies, failures and every input.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print the --by breakdown as CSV.
    #[arg(long)]
    csv: bool,
    /// Print one JSON object per line, for ClickHouse (INSERT ... FORMAT JSONEachRow) or
    /// Elasticsearch (docs/): "kind": "policy" per report and policy, with its session
    /// counts, and "kind": "failure" per failure-details entry; duplicates left out.
    #[arg(long, conflicts_with_all = ["json", "csv"])]
    ndjson: bool,
    /// The breakdown to show: day, org, mx, result-type, policy-domain, policy-type,
    /// sending-ip, receiving-ip, policy or failures.
    #[arg(long, default_value = "day", value_parser = parse_by)]
    by: Breakdown,
    /// How many failure groups to list in text output.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Most bytes one input may decompress to, all its members together.
    #[arg(long, default_value_t = Limits::default().max_decompressed)]
    max_bytes: usize,
    /// Most bytes one compressed member or archive entry may decompress to.
    #[arg(long, default_value_t = Limits::default().max_member)]
    max_member_bytes: usize,
    /// Most parts per email or entries per archive (default: no limit).
    #[arg(long)]
    max_parts: Option<usize>,
    /// Most reports in the whole batch (default: no limit).
    #[arg(long)]
    max_reports: Option<usize>,
    /// Largest file read (an mbox can be big; a report is not).
    #[arg(long, default_value_t = 1 << 30)]
    max_file_bytes: u64,
    /// Read incrementally: skip what this state file says was read before, and add what
    /// this run read (Maildir messages by their unique name, so a mail client moving or
    /// flagging one does not make it new; other files by path, size and modification
    /// time). Created when missing; for cron jobs that must count each report once.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Threads reading inputs (default: one per core). The output is the same for any
    /// number; --ndjson and --max-reports always read on one.
    #[arg(long)]
    jobs: Option<usize>,
    /// The IMAP password is the first line of this file (else $MTASTS_IMAP_PASSWORD).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// After reading, move the messages read from each IMAP mailbox to this mailbox.
    #[arg(long, value_name = "MAILBOX")]
    move_to: Option<String>,
    /// Check each report email's DKIM signatures (keys over --doh): a report counts as
    /// signed when its reporting domain (TLS-Report-Submitter, else From), or a parent of
    /// it, signed it without l= (RFC 8460 §3). Shown per input; "dkim" in --json.
    #[arg(long)]
    dkim: bool,
    /// Count only reports in emails that pass --dkim (implies it); the rest are listed with
    /// the reason.
    #[arg(long)]
    signed_only: bool,
    /// Say how each report (or error) was reached inside its input: gzip, zip entry, mbox
    /// message, email part and why that part was taken, transfer encoding. "routes" per
    /// input in --json; a "read:" line per report or error in text
    #[arg(long, short = 'v')]
    verbose: bool,
    #[command(flatten)]
    net: Net,
}

/// One thing to read.
enum Task {
    /// Named and why it cannot be read.
    Unreadable(String, String),
    /// A file, and its `--state` key when there is a state file.
    File(PathBuf, Option<String>),
    /// Bytes already read (standard input), with a name.
    Bytes(String, Vec<u8>),
}

/// Reads `tasks` in order into one batch (reports in `assumed` counted as read before),
/// showing `counted` each report counted; with the `--state` keys of the files read
/// (whatever they held: a broken report stays broken; a file that could not be read is
/// tried again next time).
fn read_tasks(
    tasks: &[Task],
    how: &Reading<'_>,
    assumed: &[(String, String)],
    counted: &mut Counted<'_>,
) -> (Batch, Vec<String>) {
    let (limits, max_file_bytes) = (how.limits, how.max_file_bytes);
    let mut batch = Batch::new(limits);
    batch.verbose = how.verbose;
    batch.summary.assume_counted(assumed.iter().cloned());
    let mut keys = Vec::new();
    // One buffer for the run's files (it keeps the largest file's size).
    let mut buf = Vec::new();
    for t in tasks {
        match t {
            Task::Unreadable(name, why) => batch.add_unreadable(name, why.clone()),
            Task::Bytes(name, bytes) => add(&mut batch, how, name, bytes, counted),
            Task::File(f, key) => {
                // What `display()` shows, without the formatting machinery (it was 1.3 % of
                // reading a small report).
                let name = f.to_string_lossy().into_owned();
                match read_capped(f, max_file_bytes, &mut buf) {
                    Ok(()) => {
                        add(&mut batch, how, &name, &buf, counted);
                        keys.extend(key.clone());
                    }
                    Err(e) => batch.add_unreadable(&name, e),
                }
            }
        }
    }
    (batch, keys)
}

/// What is told each report counted: the report, where it came from, and the DKIM verdict
/// on the email it came in (`--dkim`).
type Counted<'c> =
    dyn FnMut(&mtasts_core::tls_rpt::report::Report, &str, Option<&mtasts_core::tls_rpt::dkim::Dkim>) + 'c;

/// How inputs are read: limits, and whether report emails' DKIM is checked.
struct Reading<'a> {
    limits: Limits,
    max_file_bytes: u64,
    /// `--dkim`: the verifier, and `--signed-only`.
    dkim: Option<(&'a crate::dkim::Verifier<'a>, bool)>,
    /// `--verbose`: keep how each part was reached.
    verbose: bool,
}

/// Adds one input's bytes: with `--dkim`, an email's signatures are judged first, and with
/// `--signed-only` an input without a passing signature by its reporter is listed with the
/// reason and not counted (RFC 8460 §3: such reports "MUST be ignored").
fn add(batch: &mut Batch, how: &Reading<'_>, name: &str, bytes: &[u8], counted: &mut Counted<'_>) {
    let Some((verifier, only_signed)) = how.dkim else {
        batch.add_with(name, bytes, &mut |r, origin| counted(r, origin, None));
        return;
    };
    let verdict = (sniff(bytes) == Sniffed::Email).then(|| verifier.verify(bytes));
    let passed = verdict.as_ref().is_some_and(|d| d.result == Verdict::Pass);
    if only_signed && !passed {
        batch.add_unsigned(name, verdict);
        return;
    }
    batch.add_with(name, bytes, &mut |r, origin| counted(r, origin, verdict.as_ref()));
    if let Some(input) = batch.inputs.last_mut() {
        input.dkim = verdict.map(Box::new);
    }
}

/// Tasks per run handed to a thread: about eight runs per thread, so that one big mailbox
/// among many small files still balances, and between 64 and 256 tasks. Each run is a
/// batch of its own, merged on the main thread: runs of 64 made 10,000 small reports
/// take 47 ms to read on two threads, runs of 256 took 41; runs of 1,024 held 108 MiB at
/// 100,000 reports, 256 hold 92 (BENCHMARKS.md, session 12).
fn run_tasks(tasks: usize, jobs: usize) -> usize {
    (tasks / jobs.saturating_mul(8).max(1)).clamp(64, 256)
}

/// Reads `tasks` on `jobs` threads (issue 13), each taking the next run of tasks and
/// reading it into its own batch one input at a time; the runs' batches are merged in
/// order (`Batch::merge`), which equals one pass. A run that counted a report an earlier
/// run had counted (the same report in two files) is read again with those reports
/// marked as counted, as the web page's workers do.
fn read_parallel(tasks: &[Task], how: &Reading<'_>, jobs: usize) -> (Batch, Vec<String>) {
    let limits = how.limits;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let per_run = run_tasks(tasks.len(), jobs);
    let runs: Vec<&[Task]> = tasks.chunks(per_run).collect();
    let next = AtomicUsize::new(0);
    let (send, receive) = std::sync::mpsc::channel::<(usize, (Batch, Vec<String>))>();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(runs.len()) {
            let (send, next, runs) = (send.clone(), &next, &runs);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(run) = runs.get(i) else { break };
                let read = read_tasks(run, how, &[], &mut |_, _, _| {});
                if send.send((i, read)).is_err() {
                    break;
                }
            });
        }
        drop(send);
        // Merge in order as runs arrive; a run that arrives early waits in `pending`.
        let mut whole = Batch::new(limits);
        // One outcome per task: room for all of them at once. Grown by doubling instead,
        // the list's last move held both copies, 100,000 outcomes and half as many again
        // (10 MB at 100,000 small reports).
        whole.inputs.reserve_exact(tasks.len());
        let mut keys = Vec::new();
        let mut pending = std::collections::BTreeMap::new();
        let mut at = 0usize;
        for (i, read) in receive {
            pending.insert(i, read);
            while let Some((part, part_keys)) = pending.remove(&at) {
                if let Err(overlap) = whole.merge(part) {
                    let (again, _) = read_tasks(runs.get(at).copied().unwrap_or(&[]), how, &overlap, &mut |_, _, _| {});
                    // Read again with the overlap counted already, it cannot overlap; were it
                    // to, say so rather than drop a run silently.
                    if let Err(still) = whole.merge(again) {
                        eprintln!(
                            "mtasts: internal error: inputs {} to {} overlap {} counted reports twice",
                            at * per_run,
                            (at + 1) * per_run,
                            still.len()
                        );
                    }
                }
                keys.extend(part_keys);
                at += 1;
            }
        }
        (whole, keys)
    })
}

/// What `--state` remembers: the keys of inputs read before ([`input_key`]), and how far
/// each IMAP mailbox was read.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct State {
    version: u32,
    read: std::collections::BTreeSet<String>,
    #[serde(default)]
    imap: std::collections::BTreeMap<String, Mark>,
}

/// Whether `dir` is a Maildir (it has cur/ and new/).
fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

/// The key `--state` knows an input by: a message in a Maildir's cur/ or new/ by the
/// Maildir's path and the message's unique name (the part before ":", which carries the
/// flags a mail client changes), any other file by path, size and modification time.
fn input_key(path: &Path) -> String {
    let parent = path.parent();
    let folder = parent.and_then(Path::file_name).and_then(|n| n.to_str());
    if let (Some("cur" | "new"), Some(maildir)) = (folder, parent.and_then(Path::parent)) {
        if is_maildir(maildir) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let unique = name.split(':').next().unwrap_or(&name).to_string();
            let dir = std::fs::canonicalize(maildir).unwrap_or_else(|_| maildir.to_path_buf());
            return format!("maildir:{}/{unique}", dir.display());
        }
    }
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let meta = std::fs::metadata(path).ok();
    let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    format!("file:{}:{size}:{mtime}", real.display())
}

fn read_state(path: &Path) -> Result<State, String> {
    match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State { version: 1, ..State::default() }),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| format!("{} is not an mtasts state file: {e}", path.display()))
        }
    }
}

/// Writes `state` whole or not at all (a temporary file renamed over the old one).
fn write_state(path: &Path, state: &State) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    let text = serde_json::to_vec_pretty(state).map_err(|e| e.to_string())?;
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn parse_by(s: &str) -> Result<Breakdown, String> {
    Breakdown::from_id(s).ok_or_else(|| {
        let ids: Vec<&str> = Breakdown::ALL.iter().map(|b| b.id()).collect();
        format!("expected one of: {}", ids.join(", "))
    })
}

/// Files under `path`, in name order, and what could not be read on the way. Directories
/// are entered once each (by their canonical path), so a symlink loop ends instead of
/// recursing; an unreadable entry is reported and the walk goes on.
fn walk(path: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<(String, String)>, seen: &mut HashSet<PathBuf>) {
    if !path.is_dir() {
        files.push(path.to_path_buf());
        return;
    }
    match std::fs::canonicalize(path) {
        Ok(real) if !seen.insert(real.clone()) => {
            let why = format!("skipped: a link back to {}, already read (symlink loop)", real.display());
            problems.push((path.display().to_string(), why));
            return;
        }
        Ok(_) => {}
        Err(e) => {
            problems.push((path.display().to_string(), e.to_string()));
            return;
        }
    }
    let entries = match std::fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) => {
            problems.push((path.display().to_string(), e.to_string()));
            return;
        }
    };
    // A Maildir's tmp/ holds messages still being delivered: never read them.
    let maildir = is_maildir(path);
    // Each with whether the directory listing already says it is a plain file (no stat
    // call then: a stat per file was 1.3 % of reading 1,000 small reports).
    let mut entries: Vec<(PathBuf, bool)> = entries
        .filter(|e| !(maildir && e.as_ref().is_ok_and(|e| e.file_name() == "tmp")))
        .filter_map(|e| match e {
            Ok(e) => Some((e.path(), e.file_type().is_ok_and(|t| t.is_file()))),
            Err(e) => {
                problems.push((path.display().to_string(), e.to_string()));
                None
            }
        })
        .collect();
    // Byte order of the names: as stable as Path ordering, and much cheaper. Every entry's
    // path is this directory's joined to its name, so only the names are compared (the
    // shared prefix was most of each comparison), and a directory holds each name once, so
    // an unstable sort gives the same order: 10,000 entries in 0.58 ms instead of 0.80.
    let prefix = path.join("x").as_os_str().len().saturating_sub(1);
    fn name(p: &Path, prefix: usize) -> &[u8] {
        p.as_os_str().as_encoded_bytes().get(prefix..).unwrap_or_default()
    }
    entries.sort_unstable_by(|a, b| name(&a.0, prefix).cmp(name(&b.0, prefix)));
    for (e, file) in entries {
        if file {
            files.push(e);
        } else {
            walk(&e, files, problems, seen);
        }
    }
}

/// Reads the file at `path` into `buf` (emptied first), refusing more than `cap` bytes.
///
/// `buf` is reused from file to file: a small report is read in one `read` plus one that
/// meets the end, with no `statx` to size a new buffer and no allocation (from an empty
/// buffer, reading grows it from 32 bytes: eight `read` calls for a 1.3 KB email).
fn read_capped(path: &Path, cap: u64, buf: &mut Vec<u8>) -> Result<(), String> {
    buf.clear();
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    file.take(cap + 1).read_to_end(buf).map_err(|e| e.to_string())?;
    if buf.len() as u64 > cap {
        return Err(format!("larger than {cap} bytes (--max-file-bytes)"));
    }
    Ok(())
}

pub fn run(args: &ReportArgs) -> u8 {
    let limits = Limits {
        max_decompressed: args.max_bytes,
        max_member: args.max_member_bytes,
        max_parts: args.max_parts.unwrap_or(usize::MAX),
        max_reports: args.max_reports.unwrap_or(usize::MAX),
    };
    let mut state = match args.state.as_deref().map(read_state).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return 2;
        }
    };
    // What to read, in order: the same list whether read by one thread or several.
    let mut tasks: Vec<Task> = Vec::new();
    // IMAP mailboxes read, kept open until the reports are counted (for --move-to).
    let mut mailboxes: Vec<(MailboxUrl, Fetched)> = Vec::new();
    let mut password: Option<Result<String, String>> = None;
    for p in &args.paths {
        match MailboxUrl::parse(p) {
            Err(why) => {
                tasks.push(Task::Unreadable(p.clone(), why));
                continue;
            }
            Ok(Some(url)) => {
                let pass = password.get_or_insert_with(|| crate::imap::password(args.password_file.as_deref()));
                let since = state.as_ref().and_then(|s| s.imap.get(&url.key()).copied());
                match pass.clone().and_then(|pw| crate::imap::fetch(&url, &pw, &args.net, since, args.max_file_bytes)) {
                    Ok(mut f) => {
                        let validity = f.mark.map_or(0, |m| m.uid_validity);
                        for (uid, bytes) in std::mem::take(&mut f.messages) {
                            tasks.push(Task::Bytes(Fetched::name(&url, validity, uid), bytes));
                        }
                        tasks.extend(f.problems.drain(..).map(|(name, why)| Task::Unreadable(name, why)));
                        mailboxes.push((url, f));
                    }
                    Err(why) => tasks.push(Task::Unreadable(url.key(), why)),
                }
                continue;
            }
            Ok(None) => {}
        }
        if p == "-" {
            let mut buf = Vec::new();
            tasks.push(match std::io::stdin().take(args.max_file_bytes + 1).read_to_end(&mut buf) {
                Ok(_) if buf.len() as u64 > args.max_file_bytes => {
                    Task::Unreadable("<stdin>".to_string(), "standard input is too large".to_string())
                }
                Ok(_) => Task::Bytes("<stdin>".to_string(), buf),
                Err(e) => Task::Unreadable("<stdin>".to_string(), e.to_string()),
            });
            continue;
        }
        if !Path::new(p).exists() {
            tasks.push(Task::Unreadable(p.clone(), "no such file or directory".to_string()));
            continue;
        }
        let (mut files, mut problems) = (Vec::new(), Vec::new());
        walk(Path::new(p), &mut files, &mut problems, &mut HashSet::new());
        tasks.extend(problems.into_iter().map(|(name, why)| Task::Unreadable(name, why)));
        for f in files {
            let key = state.as_ref().map(|_| input_key(&f));
            if let (Some(s), Some(k)) = (&state, &key) {
                if s.read.contains(k) {
                    continue;
                }
            }
            tasks.push(Task::File(f, key));
        }
    }
    // With --ndjson, rows go out as each report is counted: nothing is held (one thread,
    // so that rows come in input order); so does a --max-reports cap, which is per batch.
    let stdout = std::io::stdout();
    let mut rows = std::io::BufWriter::new(stdout.lock());
    let mut row_error: Option<std::io::Error> = None;
    let jobs = match args.jobs {
        Some(n) => n.max(1),
        None => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
    };
    let verifier = if args.dkim || args.signed_only {
        match crate::dkim::Verifier::new(&args.net) {
            Ok(v) => Some(v),
            Err(e) => {
                eprintln!("mtasts: --dkim: {e}");
                return 2;
            }
        }
    } else {
        None
    };
    let how = Reading {
        limits,
        max_file_bytes: args.max_file_bytes,
        dkim: verifier.as_ref().map(|v| (v, args.signed_only)),
        verbose: args.verbose,
    };
    let (batch, read_keys) = if args.ndjson {
        read_tasks(&tasks, &how, &[], &mut |r, origin, dkim| {
            if row_error.is_none() {
                if let Err(e) = rows.write_all(export::ndjson(r, origin, dkim).as_bytes()) {
                    row_error = Some(e);
                }
            }
        })
    } else if jobs == 1 || args.max_reports.is_some() {
        read_tasks(&tasks, &how, &[], &mut |_, _, _| {})
    } else {
        read_parallel(&tasks, &how, jobs)
    };
    if let Some(s) = &mut state {
        s.read.extend(read_keys);
        for (url, f) in &mailboxes {
            if let Some(mark) = f.mark {
                s.imap.insert(url.key(), mark);
            }
        }
    }
    let written = if args.ndjson {
        // The rows are the output: what could not be read is said on standard error.
        for i in batch.inputs.iter().filter(|i| !i.ok()) {
            for e in &i.errors {
                eprintln!("mtasts: {}: {} [{}]", e.origin, e.finding.message(), e.finding.code.id());
            }
        }
        match row_error {
            Some(e) => Err(e),
            None => rows.flush(),
        }
    } else if args.json {
        drop(rows);
        json_out(&batch, stdout.lock())
    } else {
        drop(rows);
        let out = if args.csv { export::csv(&batch.summary, args.by) } else { text_out(&batch, args.by, args.top) };
        stdout.lock().write_all(out.as_bytes())
    };
    if written.is_err() {
        return 2;
    }
    if let (Some(path), Some(s)) = (&args.state, &state) {
        if let Err(e) = write_state(path, s) {
            eprintln!("mtasts: {e}");
            return 2;
        }
    }
    // Reports are counted, printed and remembered: the mailboxes can be tidied (a failure
    // is said, and the exit code is 1).
    let mut tidy_failed = false;
    for (url, f) in mailboxes {
        match &args.move_to {
            Some(to) => match f.move_to(to) {
                Ok(n) => eprintln!("mtasts: moved {n} messages from {} to {to}", url.key()),
                Err(e) => {
                    eprintln!("mtasts: {}: {e}", url.key());
                    tidy_failed = true;
                }
            },
            None => f.close(),
        }
    }
    let code = if batch.all_ok() && !tidy_failed { 0 } else { 1 };
    // The process ends here: freeing 10,000 inputs and their failure groups one by one
    // only costs time (2-4 ms of 60 on 10,000 small reports).
    std::mem::forget(batch);
    code
}

/// `report --json`: the summary's fields, then derived totals and every input.
#[derive(serde::Serialize)]
struct JsonOut<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    success_rate: Option<f64>,
    first_day: Option<String>,
    last_day: Option<String>,
    readiness: ReadinessJson,
    inputs: Inputs<'a>,
}

/// The inputs' JSON views, made one at a time while writing: 100,000 of them built up front
/// were 12.8 MB of the peak memory.
struct Inputs<'a>(&'a [InputOutcome]);

impl serde::Serialize for Inputs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(InputJson::new))
    }
}

/// `"readiness": {"verdict": "ready" | "not-yet" | "insufficient-data" | "enforcing",
/// "summary", "reasons": [...], "blocking_by_mx": [{"mx", "sessions"}], "stories": [{"result_type",
/// "mx", "sessions", "blocking", "first_day", "last_day", "stopped", "sentence", "remedy"}]}`.
#[derive(serde::Serialize)]
struct ReadinessJson {
    verdict: &'static str,
    summary: String,
    reasons: Vec<String>,
    blocking_by_mx: Vec<serde_json::Value>,
    /// What failed, where, since when, whether it stopped, and the remedy (core's `Story`).
    stories: Vec<Story>,
}

impl ReadinessJson {
    fn new(s: &Summary) -> ReadinessJson {
        let r = readiness(s);
        ReadinessJson {
            verdict: r.verdict.id(),
            summary: r.summary,
            reasons: r.reasons,
            blocking_by_mx: r
                .blocking_by_mx
                .into_iter()
                .map(|(mx, n)| serde_json::json!({"mx": mx, "sessions": n}))
                .collect(),
            stories: r.stories,
        }
    }
}

fn json_out(batch: &Batch, to: impl std::io::Write) -> std::io::Result<()> {
    let s = &batch.summary;
    let out = JsonOut {
        summary: s,
        success_rate: s.success_rate(),
        first_day: s.first_start.map(utc_day),
        last_day: s.last_end.map(utc_day),
        readiness: ReadinessJson::new(s),
        inputs: Inputs(&batch.inputs),
    };
    // Streamed: a batch of 100,000 reports makes a big document. Written 256 KiB at a time:
    // into a pipe, 8 KiB writes woke the reader 1,250 times for 10,000 reports (68 → 62 ms).
    let mut to = std::io::BufWriter::with_capacity(1 << 18, to);
    crate::pretty::to_writer(&mut to, &out)?;
    to.write_all(b"\n")?;
    to.flush()
}

fn rate(ok: u64, failed: u64) -> String {
    Counts { reports: 0, successful: ok, failed }
        .success_rate()
        .map_or_else(|| "-".to_string(), |r| format!("{:.2}%", r * 100.0))
}

fn text_out(batch: &Batch, by: Breakdown, top: usize) -> String {
    let s = &batch.summary;
    let mut out = String::new();
    let failed_inputs = batch.inputs.iter().filter(|i| !i.ok()).count();
    out.push_str(&format!(
        "Read {} input(s): {} report(s), {} duplicate(s), {} input(s) with errors\n",
        batch.inputs.len(),
        thousands(s.reports),
        thousands(s.duplicates),
        failed_inputs
    ));
    // --dkim: how many emails were signed by their reporter, and each one that was not.
    let checked: Vec<(&str, &mtasts_core::tls_rpt::dkim::Dkim)> =
        batch.inputs.iter().filter_map(|i| Some((i.path.as_str(), i.dkim.as_deref()?))).collect();
    if !checked.is_empty() {
        let count = |label: &str| checked.iter().filter(|(_, d)| d.label() == label).count();
        out.push_str(&format!(
            "DKIM: {} signed, {} unsigned, {} forged, {} unverified\n",
            count("signed"),
            count("unsigned"),
            count("forged"),
            count("unverified")
        ));
        for (path, d) in checked.iter().filter(|(_, d)| d.result != Verdict::Pass) {
            out.push_str(&format!("  {}: {path}: {}\n", d.label(), d.reason));
        }
    }
    let span = match (s.first_start, s.last_end) {
        (Some(a), Some(b)) => format!("{} to {}", utc_day(a), utc_day(b)),
        _ => "unknown".to_string(),
    };
    out.push_str(&format!(
        "Sessions: {} successful, {} failed ({} successful)   Period: {span}\n\n",
        thousands(s.successful),
        thousands(s.failed),
        rate(s.successful, s.failed)
    ));
    let table = |out: &mut String, head: &str, map: &std::collections::BTreeMap<String, Counts>| {
        let w = map.keys().map(|k| k.chars().count()).max().unwrap_or(0).max(head.len());
        out.push_str(&format!(
            "{head:<w$}  {:>8}  {:>12}  {:>10}  {:>9}\n",
            "reports", "successful", "failed", "success"
        ));
        for (k, c) in map {
            out.push_str(&format!(
                "{k:<w$}  {:>8}  {:>12}  {:>10}  {:>9}\n",
                thousands(c.reports),
                thousands(c.successful),
                thousands(c.failed),
                rate(c.successful, c.failed)
            ));
        }
        out.push('\n');
    };
    let sessions = |out: &mut String, head: &str, map: &std::collections::BTreeMap<String, u64>| {
        let mut rows: Vec<(&String, &u64)> = map.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let w = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0).max(head.len());
        out.push_str(&format!("{head:<w$}  {:>15}\n", "failed sessions"));
        for (k, n) in rows {
            out.push_str(&format!("{k:<w$}  {:>15}\n", thousands(*n)));
        }
        out.push('\n');
    };
    match by {
        Breakdown::Day => table(&mut out, "day (UTC)", &s.by_day),
        Breakdown::Org => table(&mut out, "organisation", &s.by_org),
        Breakdown::PolicyDomain => table(&mut out, "policy domain", &s.by_policy_domain),
        Breakdown::PolicyType => table(&mut out, "policy type", &s.by_policy_type),
        Breakdown::SendingIp => sessions(&mut out, "sending MTA IP", &s.by_sending_ip),
        Breakdown::ReceivingIp => sessions(&mut out, "receiving IP", &s.by_receiving_ip),
        Breakdown::ResultType | Breakdown::Failures => {}
        Breakdown::Mx => {
            let map = s.by_mx.iter().map(|(k, m)| (k.clone(), m.failed)).collect();
            sessions(&mut out, "receiving MX", &map);
        }
        Breakdown::Policy => {
            out.push_str("Policies reporters applied:\n");
            for p in s.policies.values() {
                out.push_str(&format!(
                    "  {} {} — {} report(s) from {}; {} ok, {} failed\n",
                    p.policy_type.as_str(),
                    p.policy_domain,
                    p.reports,
                    p.organisations.iter().cloned().collect::<Vec<_>>().join(", "),
                    thousands(p.successful),
                    thousands(p.failed)
                ));
                for l in &p.published {
                    out.push_str(&format!("      {l}\n"));
                }
            }
            out.push('\n');
        }
    }
    if !s.result_types.is_empty() {
        sessions(&mut out, "result type", &s.result_types);
    }
    let rows = s.top_failures(if by == Breakdown::Failures { usize::MAX } else { top });
    if !rows.is_empty() {
        out.push_str(&format!("Top failures ({} of {} groups):\n", rows.len(), s.failures.len()));
        for r in rows {
            let k = &r.key;
            let mut parts = vec![format!("{:>8}  {}", thousands(r.sessions), k.result_type)];
            if let Some(mx) = &k.receiving_mx_hostname {
                parts.push(format!("mx {mx}"));
            }
            if let Some(ip) = &k.receiving_ip {
                parts.push(format!("ip {ip}"));
            }
            if let Some(ip) = &k.sending_mta_ip {
                parts.push(format!("from {ip}"));
            }
            parts.push(format!("{} ({}) reported by {} on {}", k.policy_domain, k.policy_type, k.organisation, k.day));
            if let Some(code) = &k.failure_reason_code {
                parts.push(format!("reason {code:?}"));
            }
            out.push_str(&format!("  {}\n", parts.join(", ")));
        }
        out.push('\n');
    }
    let r = readiness(s);
    out.push_str(&format!("Safe to enforce? {} — {}\n", r.verdict.id().to_uppercase(), r.summary));
    for reason in &r.reasons {
        out.push_str(&format!("  {reason}\n"));
    }
    for t in &r.stories {
        out.push_str(&format!("  {}\n      fix: {}\n", t.sentence, t.remedy));
    }
    out.push('\n');
    // --verbose: the way to each report or error, inside its input.
    for r in batch.inputs.iter().filter_map(|i| i.routes.as_deref()).flatten() {
        let steps: Vec<&str> = r.route.steps().map(|s| s.describe()).collect();
        let way = if steps.is_empty() { "the input itself".to_string() } else { steps.join(" › ") };
        out.push_str(&format!("read: {}: {way} → {}\n", r.origin, if r.report { "report" } else { "error" }));
    }
    for i in batch.inputs.iter().filter(|i| !i.ok()) {
        for e in &i.errors {
            out.push_str(&format!("error: {}: {} [{}]\n", e.origin, e.finding.message(), e.finding.code.id()));
        }
    }
    out
}
