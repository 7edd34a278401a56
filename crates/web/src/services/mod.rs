//! The only code that reaches outside the page's memory: reading the files the user gives,
//! handing the user a file to save, the domain check's DNS-over-HTTPS queries and policy
//! fetch, and the DKIM keys of report emails (looked up and checked in the report worker). Plain async functions returning raw results.

pub mod check;
pub mod dkim;
pub mod engine;
pub mod files;
pub mod lazy;
pub mod net;
pub mod offline;
pub mod store;
