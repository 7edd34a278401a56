//! The only code that reaches outside the page's memory: reading the files the user gives,
//! and handing the user a file to save. Plain async functions returning raw results.

pub mod files;
