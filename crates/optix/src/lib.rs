//! Optix: webhook signature and payloads, and the GraphQL API client.

pub mod api;
pub mod limiter;
pub mod manifest;
pub mod signature;
pub mod webhook;
