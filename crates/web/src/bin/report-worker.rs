//! The report engine's Web Worker (see `mtasts_web::engine`): no Yew in it.

fn main() {
    mtasts_web::engine::run_worker();
}
