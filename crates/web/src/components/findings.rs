//! A list of findings: severity, code, where, message, fix and RFC link, each item carrying
//! `data-code` and `data-severity`. Shared by the Lint view and the domain check.

use mtasts_core::Severity;
use yew::prelude::*;

use crate::view_model::lint::FindingView;

/// The CSS class for a severity.
pub fn sev_class(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Error) => "sev-error",
        Some(Severity::Warning) => "sev-warning",
        Some(Severity::Info) => "sev-info",
        None => "",
    }
}

/// What the list shows.
pub struct FindingsProps<'a> {
    /// The findings.
    pub findings: &'a [FindingView],
    /// The one under the pointer.
    pub active: Option<usize>,
    /// Pointer enters (Some) or leaves (None) a finding.
    pub on_hover: Callback<Option<usize>>,
    /// Whether the findings point into text beside them (the Lint page's underlines): then
    /// each one is a tab stop that lights its place up on focus as on hover, and the
    /// underlines name it (`id="finding-N"`).
    pub linked: bool,
}

/// The list. A plain function rather than a component: each component type costs the
/// bundle its own copy of Yew's lifecycle code, and this one has no state to keep.
pub fn findings(props: FindingsProps<'_>) -> Html {
    if props.findings.is_empty() {
        return html! { <p class="empty">{"Nothing to report."}</p> };
    }
    let items = props.findings.iter().map(|f| {
        let index = f.index;
        let on_hover = props.on_hover.clone();
        let onmouseenter = Callback::from(move |_: MouseEvent| on_hover.emit(Some(index)));
        let on_hover = props.on_hover.clone();
        let onmouseleave = Callback::from(move |_: MouseEvent| on_hover.emit(None));
        let (focus, blur) = (props.on_hover.clone(), props.on_hover.clone());
        let onfocus = props.linked.then(|| Callback::from(move |_: FocusEvent| focus.emit(Some(index))));
        let onblur = props.linked.then(|| Callback::from(move |_: FocusEvent| blur.emit(None)));
        let id = props.linked.then(|| format!("finding-{index}"));
        let class = classes!("finding", sev_class(Some(f.severity)), (props.active == Some(index)).then_some("active"));
        html! {
            <li {class} {id} tabindex={props.linked.then_some("0")} data-code={f.code} data-severity={f.severity.as_str()} {onmouseenter} {onmouseleave} {onfocus} {onblur}>
                <div class="finding-head">
                    <span class={classes!("badge", sev_class(Some(f.severity)))}>{ f.severity.as_str() }</span>
                    <code class="code">{ f.code }</code>
                    <span class="loc">{ f.loc.clone() }</span>
                </div>
                <p class="message">{ f.message.clone() }</p>
                <p class="fix"><span class="fix-label">{"Fix: "}</span>{ f.fix.clone() }</p>
                <a class="rfc" href={f.rfc_url.clone()} target="_blank" rel="noopener noreferrer">{ f.rfc_label.clone() }</a>
            </li>
        }
    });
    html! { <ol class="findings">{ for items }</ol> }
}
