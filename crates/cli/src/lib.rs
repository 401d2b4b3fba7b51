//! The `lanyard` command line, as a library so tests drive the same code.

pub mod args;
pub mod configure;
// The plain-words history lives in store (the admin canvas shows it too).
pub use store::history;
pub mod members;
