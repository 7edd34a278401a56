//! The root component: state, hash routing, page frame.

use gloo_events::EventListener;
use yew::prelude::*;

use crate::components::check::CheckPage;
use crate::components::deploy::DeployPage;
use crate::components::lint::LintPage;
use crate::state::{Action, AppState, Route};

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The whole app.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState::new(Route::parse(&current_hash())));
    use_effect_with((), |_| crate::services::offline::register());
    // The Lint boxes' text, when the user chose to keep it across reloads.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            use crate::services::store::{keeping, kept_lint, Kept};
            if keeping(Kept::Lint) {
                wasm_bindgen_futures::spawn_local(async move {
                    for k in mtasts_core::lint::Kind::ALL {
                        if let Some(text) = kept_lint(k.id()).await {
                            dispatcher.dispatch(Action::Restore(k, text));
                        }
                    }
                });
            }
        });
    }
    // Online/offline changes re-render: the Check page says when it cannot work.
    let online = use_state(crate::services::offline::online);
    {
        let online = online.clone();
        use_effect_with((), move |_| {
            let listeners = web_sys::window().map(|w| {
                let (on, off) = (online.clone(), online.clone());
                (
                    EventListener::new(&w, "online", move |_| on.set(true)),
                    EventListener::new(&w, "offline", move |_| off.set(false)),
                )
            });
            move || drop(listeners)
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    dispatcher.dispatch(Action::Navigate(Route::parse(&current_hash())))
                })
            });
            move || drop(listener)
        });
    }
    // One h1 per page and a title per route; focus moves to the heading when the route
    // changes (not on the first load), so screen readers and the keyboard start there.
    let heading = use_node_ref();
    let first = use_mut_ref(|| true);
    {
        let (heading, first) = (heading.clone(), first.clone());
        use_effect_with(state.route.clone(), move |route| {
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                doc.set_title(&route.titles().1);
                if let Some(boot) = doc.get_element_by_id("boot") {
                    boot.remove();
                }
            }
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                    let _ = h.focus();
                }
            }
        });
    }
    // The skip link's click is a native listener, not a Yew `onclick`: the report page is a
    // second Yew runtime mounted inside this one, and a delegated listener up here would be
    // looked up by the listener ids that runtime writes on its own elements, so a click
    // there would run this handler (it cancelled every click on the report page). The
    // frame, which stays mounted under the report page, has no Yew listeners at all.
    let skip = use_node_ref();
    {
        let (skip, heading) = (skip.clone(), heading.clone());
        use_effect_with((), move |_| {
            let listener = skip.cast::<web_sys::Element>().map(|el| {
                EventListener::new_with_options(
                    &el,
                    "click",
                    gloo_events::EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        e.prevent_default();
                        if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                            let _ = h.focus();
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }
    let current = |on: bool| on.then_some("page");
    let on_action = {
        let dispatcher = state.dispatcher();
        Callback::from(move |a: Action| dispatcher.dispatch(a))
    };
    let page = match &state.route {
        Route::Check(domain) => html! { <CheckPage domain={domain.clone()} /> },
        Route::Lint(_) => html! { <LintPage state={(*state).clone()} {on_action} /> },
        // Keys: leaving the analyser must remove its element (which holds its module's root).
        Route::Certificate(host) => html! { <LazyPage key="certificate" page={Lazy::Certificate(host.clone())} /> },
        Route::Reports => html! { <LazyPage key="reports" page={Lazy::Reports} /> },
        Route::Deploy(domain) => html! { <DeployPage domain={domain.clone()} /> },
    };
    html! {
        <div class="app">
            <a class="skip-link" href="#/" ref={skip}>{"Skip to the page"}</a>
            <header class="topbar">
                <a class="brand" href="#/check">
                    <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
                        <rect width="32" height="32" rx="7" fill="#1f5fbf"/>
                        <path d="M9 15v-3a7 7 0 0 1 14 0v3" fill="none" stroke="#fff" stroke-width="3"/>
                        <rect x="6.5" y="14.5" width="19" height="12" rx="2.5" fill="#fff"/>
                        <path d="M12 20.5l3 3 5.5-6" fill="none" stroke="#1f5fbf" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>
                    </svg>
                    <span class="name">{"mtasts"}</span>
                </a>
                <span class="tagline">{"MTA-STS and TLS-RPT, checked in your browser"}</span>
                <nav class="nav">
                    <a class={classes!(matches!(state.route, Route::Check(_)).then_some("active"))} aria-current={current(matches!(state.route, Route::Check(_)))} href="#/check" id="nav-check">{"Check"}</a>
                    <a class={classes!(matches!(state.route, Route::Deploy(_)).then_some("active"))} aria-current={current(matches!(state.route, Route::Deploy(_)))} href={match &state.route { Route::Check(d) | Route::Deploy(d) => Route::Deploy(d.clone()).to_hash(), _ => "#/deploy".to_string() }} id="nav-deploy">{"Deploy"}</a>
                    <a class={classes!(matches!(state.route, Route::Lint(_) | Route::Certificate(_)).then_some("active"))} aria-current={current(matches!(state.route, Route::Lint(_) | Route::Certificate(_)))} href={Route::Lint(state.kind()).to_hash()}>{"Lint"}</a>
                    <a class={classes!((state.route == Route::Reports).then_some("active"))} aria-current={current(state.route == Route::Reports)} href="#/reports" id="nav-reports">{"Reports"}</a>
                </nav>
            </header>
            if !*online {
                <p class="offline-banner" role="status" data-offline="true">
                    {"You are offline. Lint and Reports work without a network; a domain check needs one (it asks a DNS-over-HTTPS resolver and the domain's policy host)."}
                </p>
            }
            <main>
                <h1 class="page-h1" tabindex="-1" ref={heading}>{ state.route.titles().0 }</h1>
                { page }
            </main>
            <footer class="footer">
                {"Runs entirely in your browser: nothing you paste or drop is sent anywhere. A domain check asks only the DNS-over-HTTPS resolver shown and the domain's own policy host. Rules follow "}
                <a href="https://www.rfc-editor.org/rfc/rfc8461" target="_blank" rel="noopener noreferrer">{"RFC 8461"}</a>
                {" and "}
                <a href="https://www.rfc-editor.org/rfc/rfc8460" target="_blank" rel="noopener noreferrer">{"RFC 8460"}</a>
                {"."}
            </footer>
        </div>
    }
}

/// A page of the on-demand module (`services::lazy`).
#[derive(Clone, PartialEq)]
enum Lazy {
    /// The report analyser.
    Reports,
    /// The MX certificate tab for this host.
    Certificate(String),
}

/// Props of [`LazyPage`].
#[derive(Properties, PartialEq)]
struct LazyProps {
    page: Lazy,
}

/// Where a page of the on-demand module (loaded on first use) is shown.
#[function_component(LazyPage)]
fn lazy_page(props: &LazyProps) -> Html {
    let el = use_node_ref();
    let status = use_state(|| None::<Result<(), String>>);
    let (what, class) = match &props.page {
        Lazy::Reports => ("report analyser", "reports-host"),
        Lazy::Certificate(_) => ("certificate reader", "certificate-host"),
    };
    {
        let (el, status) = (el.clone(), status.clone());
        use_effect_with(props.page.clone(), move |page| {
            if let Some(el) = el.cast::<web_sys::Element>() {
                let page = page.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    status.set(Some(match page {
                        Lazy::Reports => crate::services::lazy::reports(&el).await,
                        Lazy::Certificate(host) => crate::services::lazy::certificate(&el, &host).await,
                    }));
                });
            }
        });
    }
    html! {
        <>
            if status.is_none() {
                <p class="hint loading-module" aria-live="polite">{ format!("Loading the {what}…") }</p>
            }
            if let Some(Err(why)) = &*status {
                <p class="warn" role="alert">{ why.clone() }</p>
            }
            <div {class} ref={el}></div>
        </>
    }
}
