//! The files a user drops or picks (their bytes are read by the report workers, see
//! `services::engine`), offering a download, and the clipboard. Nothing is sent anywhere:
//! all of it stays inside the browser.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

// Dropped folders are only reachable through the entries API, which is callback-shaped;
// this walks them (recursively, all batches of readEntries) and resolves to the files,
// each with its path inside the dropped folder as webkitRelativePath. The entries must be
// taken during the drop event itself, so the function starts synchronously.
#[wasm_bindgen(module = "/js/drop.js")]
extern "C" {
    fn dropped_files(dt: &web_sys::DataTransfer) -> js_sys::Promise;
    fn read_inputs(sources: &js_sys::Array, names: &js_sys::Array, per_task: u32) -> js_sys::Promise;
}

/// Starts reading `sources` (each a `File` or an `ArrayBuffer`), `per_task` reads per
/// browser task; resolves to `{items, transfer}`: per source `{name, bytes}` or `{name,
/// error}` (named by `names`, or where that is `undefined` by the file's path or name), and
/// the buffers.
pub fn read_all(sources: &js_sys::Array, names: &js_sys::Array, per_task: u32) -> JsFuture {
    read_inputs(sources, names, per_task).into()
}

// scheduler.yield() gives the browser a turn without setTimeout's 4 ms clamp on nested
// timers (it exists in current Chromium); elsewhere a zero timeout does the same, slower.
#[wasm_bindgen(module = "/js/timing.js")]
extern "C" {
    fn yield_to_browser() -> js_sys::Promise;
    fn sleep_ms(ms: u32) -> js_sys::Promise;
}

/// Resolves after `ms` milliseconds (a timer, for debouncing).
pub async fn sleep(ms: u32) {
    let _ = JsFuture::from(sleep_ms(ms)).await;
}

/// The files of a drop, folders included (walked recursively). Must be called during the
/// drop event: the walk starts now, and the returned future finishes it.
pub fn dropped(dt: Option<web_sys::DataTransfer>) -> impl std::future::Future<Output = Vec<web_sys::File>> {
    let promise = dt.as_ref().map(dropped_files);
    let direct = list(dt.and_then(|d| d.files()));
    async move {
        let Some(promise) = promise else { return direct };
        match JsFuture::from(promise).await {
            Ok(found) => {
                js_sys::Array::from(&found).iter().filter_map(|f| f.dyn_into::<web_sys::File>().ok()).collect()
            }
            Err(_) => direct,
        }
    }
}

/// The files of a `FileList`.
pub fn list(files: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(files) = files else { return Vec::new() };
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}

/// The name to show for a file: its path inside a picked folder, or its name (the same
/// rule as `read_inputs` in js/drop.js, which names the files it reads for the worker).
pub fn name(file: &web_sys::File) -> String {
    let rel =
        js_sys::Reflect::get(file, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    if rel.is_empty() {
        file.name()
    } else {
        rel
    }
}

/// Lets the user save `text` as `filename`.
pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    let err = |e| format!("{e:?}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(err)?.unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    web_sys::Url::revoke_object_url(&url).map_err(err)?;
    Ok(())
}

#[wasm_bindgen(module = "/js/clipboard.js")]
extern "C" {
    fn copy_to_clipboard(text: &str);
}

/// Puts `text` on the clipboard (best effort: the browser may refuse without a gesture).
pub fn copy_text(text: &str) {
    copy_to_clipboard(text);
}

/// Lets the browser paint and handle input before the next chunk of work.
pub async fn yield_now() {
    let _ = JsFuture::from(yield_to_browser()).await;
}

/// Milliseconds since some fixed point, for time-slicing work.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
