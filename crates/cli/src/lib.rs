//! The `lanyard` command line, as a library so tests drive the same code.

pub mod configure;
pub mod history;
pub mod members;
