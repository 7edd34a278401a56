//! The only code that reaches outside the page's memory: reading the files the user gives,
//! handing the user a file to save, and the domain check's DNS-over-HTTPS queries and
//! policy fetch. Plain async functions returning raw results.

pub mod check;
pub mod engine;
pub mod files;
pub mod lazy;
pub mod net;
pub mod offline;
pub mod store;
