//! Thin Yew components: they render view models and send actions.

pub mod certificate;
pub mod check;
pub mod deploy;
pub mod findings;
pub mod lint;
pub mod reports;
