//! Optix: webhook signature and payloads, and the GraphQL API client.

pub mod api;
pub mod manifest;
pub mod signature;
pub mod webhook;
