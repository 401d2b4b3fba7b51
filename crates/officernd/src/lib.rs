//! OfficeRnD, the second membership platform (issue 23; docs/officernd.md): the API v2 client
//! ([`client`]), the records it answers ([`model`]), what they say about a member in the
//! domain's words ([`facts`]) and the webhooks OfficeRnD signs ([`webhook`]).

pub mod client;
pub mod facts;
pub mod model;
pub mod webhook;

pub use client::{ClientSettings, Credentials, OfficeRndClient, OfficeRndError};
