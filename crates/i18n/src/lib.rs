//! Lanyard's languages (issue 21): which language a tenant reads, and the texts of pages and
//! emails in it.
//!
//! - [`Lang`]: the languages shipped, and how one is chosen ([`Lang::negotiate`]: the member's
//!   remembered choice, then the browser's `Accept-Language`, then the organization's locale,
//!   then English).
//! - [`Texts`]: the messages of one language, from the Fluent catalogues under `locales/`
//!   (one folder per language, one `.ftl` file per area, editable by a translator), with an
//!   organization's [`Overrides`] looked up first.
//! - [`format_datetime`] / [`format_date`]: dates in the language's words, in the time zone
//!   given (the location's).
//!
//! Pure: the catalogues are compiled in; nothing here reads files or the clock.

mod catalog;
mod dates;
mod lang;

pub use catalog::{AREAS, OverrideError, Overrides, Texts, catalogue_source};
pub use dates::{format_date, format_datetime};
pub use lang::Lang;
