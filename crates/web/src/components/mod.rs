//! Thin Yew components: they render view models and send actions.

pub mod lint;
pub mod reports;
