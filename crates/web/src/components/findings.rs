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

/// The list's properties.
#[derive(Properties, PartialEq)]
pub struct FindingsProps {
    /// The findings.
    pub findings: Vec<FindingView>,
    /// The one under the pointer.
    #[prop_or_default]
    pub active: Option<usize>,
    /// Pointer enters (Some) or leaves (None) a finding.
    #[prop_or_default]
    pub on_hover: Callback<Option<usize>>,
}

/// The list.
#[function_component(Findings)]
pub fn findings(props: &FindingsProps) -> Html {
    if props.findings.is_empty() {
        return html! { <p class="empty">{"Nothing to report."}</p> };
    }
    let items = props.findings.iter().map(|f| {
        let index = f.index;
        let on_hover = props.on_hover.clone();
        let onmouseenter = Callback::from(move |_: MouseEvent| on_hover.emit(Some(index)));
        let on_hover = props.on_hover.clone();
        let onmouseleave = Callback::from(move |_: MouseEvent| on_hover.emit(None));
        let class = classes!("finding", sev_class(Some(f.severity)), (props.active == Some(index)).then_some("active"));
        html! {
            <li {class} data-code={f.code} data-severity={f.severity.as_str()} {onmouseenter} {onmouseleave}>
                <div class="finding-head">
                    <span class={classes!("badge", sev_class(Some(f.severity)))}>{ f.severity.as_str() }</span>
                    <code class="code">{ f.code }</code>
                    <span class="loc">{ f.loc.clone() }</span>
                </div>
                <p class="message">{ f.message.clone() }</p>
                <p class="fix"><span class="fix-label">{"Fix: "}</span>{ f.fix }</p>
                <a class="rfc" href={f.rfc_url.clone()} target="_blank" rel="noopener noreferrer">{ f.rfc_label.clone() }</a>
            </li>
        }
    });
    html! { <ol class="findings">{ for items }</ol> }
}
