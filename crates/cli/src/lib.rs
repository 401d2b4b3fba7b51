//! The `lanyard` command line, as a library so tests drive the same code.

pub mod args;
pub mod backup;
pub mod configure;
pub mod controllers;
// A recorded event's history line: words from `domain::describe`, the line from store (the
// admin canvas shows it too).
pub use store::history;
pub mod mail;
pub mod members;
pub mod officernd;
pub mod registry;
