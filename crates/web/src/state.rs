//! The app's one state and its reducer, plus the hash route.
//!
//! Only the view, the kind and a checked domain go in the URL (`#/lint/policy`,
//! `#/check/example.com`): what the user pastes never leaves the page, not even into the
//! address bar or history.

use std::rc::Rc;

use mtasts_core::lint::Kind;
use yew::Reducible;

use crate::view_model::lint::examples;

/// Where the app is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The domain check, of this domain (empty: none yet). The page a visit starts on.
    Check(String),
    /// The Lint view for one kind of input.
    Lint(Kind),
    /// The Lint view's MX certificate tab, for this MX host (empty: none yet), with the TLSA
    /// records the Check page found in the hash's query (see `components::certificate`).
    Certificate(String),
    /// The report analyser.
    Reports,
    /// The setup generator and change planner, for this domain (empty: none yet).
    Deploy(String),
}

impl Route {
    /// Reads a location hash such as `#/lint/policy`; anything unknown is the default view.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.split('/');
        match (parts.next(), parts.next()) {
            (Some("lint"), Some("certificate")) => {
                Route::Certificate(decode(parts.next().unwrap_or("").split('?').next().unwrap_or("")))
            }
            (Some("lint"), Some(kind)) => Route::Lint(Kind::from_id(kind).unwrap_or(Kind::Policy)),
            (Some("reports"), _) => Route::Reports,
            (Some("check"), domain) => Route::Check(decode(domain.unwrap_or(""))),
            (Some("deploy"), domain) => Route::Deploy(decode(domain.unwrap_or(""))),
            _ => Route::Check(String::new()),
        }
    }

    /// The hash for this route.
    pub fn to_hash(&self) -> String {
        match self {
            Route::Check(d) if d.is_empty() => "#/check".to_string(),
            Route::Check(d) => format!("#/check/{d}"),
            Route::Lint(kind) => format!("#/lint/{}", kind.id()),
            Route::Certificate(h) if h.is_empty() => "#/lint/certificate".to_string(),
            Route::Certificate(h) => format!("#/lint/certificate/{h}"),
            Route::Reports => "#/reports".to_string(),
            Route::Deploy(d) if d.is_empty() => "#/deploy".to_string(),
            Route::Deploy(d) => format!("#/deploy/{d}"),
        }
    }
}

impl Route {
    /// The page's heading (its one `h1`) and the document title, naming the domain on
    /// Check and Deploy.
    pub fn titles(&self) -> (String, String) {
        let h1 = match self {
            Route::Check(d) if d.trim().is_empty() => "Check a domain".to_string(),
            Route::Check(d) => format!("Check {}", d.trim()),
            Route::Deploy(d) if d.trim().is_empty() => "Deploy MTA-STS and TLS-RPT".to_string(),
            Route::Deploy(d) => format!("Deploy MTA-STS and TLS-RPT for {}", d.trim()),
            Route::Lint(k) => format!("Lint: {}", k.title()),
            Route::Certificate(h) if h.trim().is_empty() => "Lint: MX certificate".to_string(),
            Route::Certificate(h) => format!("Lint: MX certificate of {}", h.trim()),
            Route::Reports => "TLS report analyser".to_string(),
        };
        let title = format!("{h1} — mtasts");
        (h1, title)
    }
}

/// Percent-decodes a hash segment (the address bar may show `%C3%BC` for "ü").
fn decode(segment: &str) -> String {
    mtasts_core::text::percent_decode(segment)
}

fn slot(kind: Kind) -> usize {
    match kind {
        Kind::StsRecord => 0,
        Kind::TlsRptRecord => 1,
        Kind::Policy => 2,
        Kind::Report => 3,
        Kind::PolicyFetch => 4,
    }
}

/// Everything the app remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppState {
    /// The current view.
    pub route: Route,
    /// The text in the box, one per kind, so switching kinds loses nothing.
    inputs: [String; 5],
    /// The finding under the pointer, whose span is lit up.
    pub active: Option<usize>,
    /// The Lint kind last shown, to return to.
    last_kind: Kind,
}

impl Default for AppState {
    fn default() -> AppState {
        AppState::new(Route::Lint(Kind::Policy))
    }
}

impl AppState {
    /// A fresh state at `route`, with each box holding the kind's correct example: a first
    /// visit is not met by a page of red (issue 15); "Typical mistakes" is one click away.
    pub fn new(route: Route) -> AppState {
        let inputs = Kind::ALL.map(|k| examples(k)[0].1.to_string());
        let mut ordered: [String; 5] = Default::default();
        for (k, text) in Kind::ALL.into_iter().zip(inputs) {
            if let Some(s) = ordered.get_mut(slot(k)) {
                *s = text;
            }
        }
        let last_kind = match route {
            Route::Lint(k) => k,
            _ => Kind::Policy,
        };
        AppState { route, inputs: ordered, active: None, last_kind }
    }

    /// The kind being linted (the last one chosen, on other views).
    pub fn kind(&self) -> Kind {
        match self.route {
            Route::Lint(k) => k,
            _ => self.last_kind,
        }
    }

    /// The current kind's text.
    pub fn input(&self) -> &str {
        self.text_of(self.kind())
    }

    /// Kind `k`'s text.
    pub fn text_of(&self, k: Kind) -> &str {
        self.inputs.get(slot(k)).map_or("", String::as_str)
    }
}

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Go to a route (from a click or the address bar).
    Navigate(Route),
    /// The user edited the text.
    SetInput(String),
    /// Replace the text with example `n` of the current kind.
    LoadExample(usize),
    /// Light up a finding's span, or none.
    Hover(Option<usize>),
    /// Put back kind's text as kept in the browser before a reload.
    Restore(Kind, String),
}

impl AppState {
    /// Applies `action`; pure, so it is tested natively.
    pub fn apply(mut self, action: Action) -> AppState {
        match action {
            Action::Navigate(route) => {
                if let Route::Lint(k) = route {
                    self.last_kind = k;
                }
                self.route = route;
                self.active = None;
            }
            Action::SetInput(text) => {
                let i = slot(self.kind());
                if let Some(s) = self.inputs.get_mut(i) {
                    *s = text;
                }
                self.active = None;
            }
            Action::LoadExample(n) => {
                let kind = self.kind();
                if let Some((_, text)) = examples(kind).get(n) {
                    return self.apply(Action::SetInput((*text).to_string()));
                }
            }
            Action::Hover(i) => self.active = i,
            Action::Restore(k, text) => {
                if let Some(s) = self.inputs.get_mut(slot(k)) {
                    *s = text;
                }
            }
        }
        self
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip() {
        for kind in Kind::ALL {
            let r = Route::Lint(kind);
            assert_eq!(Route::parse(&r.to_hash()), r);
        }
        assert_eq!(Route::parse(""), Route::Check(String::new()));
        assert_eq!(Route::parse("#/lint/nonsense"), Route::Lint(Kind::Policy));
        assert_eq!(Route::parse("#/elsewhere"), Route::Check(String::new()));
        assert_eq!(Route::parse("#/check/example.com"), Route::Check("example.com".into()));
        assert_eq!(Route::parse("#/check/b%C3%BCcher.example"), Route::Check("bücher.example".into()));
        assert_eq!(Route::parse("#/check/100%"), Route::Check("100%".into()));
        assert_eq!(Route::parse("#/deploy/example.com"), Route::Deploy("example.com".into()));
        assert_eq!(
            Route::parse("#/lint/certificate/mx.dane.test?tlsa=3%201%201%20ab&ad=1"),
            Route::Certificate("mx.dane.test".into())
        );
        assert_eq!(Route::Certificate("mx.dane.test".into()).to_hash(), "#/lint/certificate/mx.dane.test");
        assert_eq!(Route::parse("#/lint/certificate"), Route::Certificate(String::new()));
        assert_eq!(Route::Check("example.com".into()).titles().1, "Check example.com — mtasts");
        assert_eq!(Route::Lint(Kind::Policy).titles().0, "Lint: MTA-STS policy file");
        assert_eq!(Route::parse("#/deploy"), Route::Deploy(String::new()));
        for r in [Route::Deploy(String::new()), Route::Deploy("example.com".into())] {
            assert_eq!(Route::parse(&r.to_hash()), r);
        }
        assert_eq!(Route::Check("example.com".into()).to_hash(), "#/check/example.com");
        assert_eq!(Route::Check(String::new()).to_hash(), "#/check");
        assert_eq!(Route::parse("#/reports"), Route::Reports);
        assert_eq!(Route::Reports.to_hash(), "#/reports");
    }

    #[test]
    fn each_kind_keeps_its_own_text() {
        let s = AppState::default().apply(Action::SetInput("mode: x".into()));
        let s = s.apply(Action::Navigate(Route::Lint(Kind::StsRecord)));
        assert_eq!(s.input(), examples(Kind::StsRecord)[0].1, "the correct example first");
        let s = s.apply(Action::Navigate(Route::Lint(Kind::Policy)));
        assert_eq!(s.input(), "mode: x");
    }

    #[test]
    fn kept_text_is_restored_to_its_own_tab() {
        let s =
            AppState::new(Route::Lint(Kind::Policy)).apply(Action::Restore(Kind::StsRecord, "v=STSv1; id=1".into()));
        assert_eq!(s.route, Route::Lint(Kind::Policy), "restoring does not navigate");
        assert_eq!(s.text_of(Kind::StsRecord), "v=STSv1; id=1");
        assert_eq!(s.input(), examples(Kind::Policy)[0].1);
    }

    #[test]
    fn examples_load_and_hover_resets() {
        let s = AppState::default().apply(Action::Hover(Some(2)));
        assert_eq!(s.active, Some(2));
        let s = s.apply(Action::LoadExample(0));
        assert_eq!(s.input(), examples(Kind::Policy)[0].1);
        assert_eq!(s.active, None);
        let same = s.clone().apply(Action::LoadExample(7));
        assert_eq!(same, s);
    }
}
