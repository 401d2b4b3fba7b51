//! OfficeRnD, the second membership platform (issue 23; docs/officernd.md): the API v2 client
//! ([`client`]), the records it answers ([`model`]), what they say about a member in the
//! domain's words ([`facts`]), the webhooks OfficeRnD signs ([`webhook`]) and the integration
//! pages it opens with signed parameters ([`integration_page`]).

pub mod client;
pub mod facts;
pub mod integration_page;
pub mod model;
pub mod webhook;

pub use client::{ClientSettings, Credentials, OfficeRndClient, OfficeRndError};

/// Slugs as OfficeRnD shows them in its addresses; nothing else goes into an API path.
pub fn slug_ok(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
