//! Entry point of the web app.

fn main() {
    yew::Renderer::<mtasts_web::app::App>::new().render();
}
