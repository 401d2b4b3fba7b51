//! The `lanyard` command line, as a library so tests drive the same code.

pub use store::history;
pub mod members;
