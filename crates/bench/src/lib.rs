//! The scenarios behind `lanyard-bench` (`src/main.rs`) and `lanyard-bench-ingest`
//! (`src/bin/lanyard-bench-ingest.rs`, the ingest scenario in a process with ingest's
//! allocator).

pub mod budget;
pub mod burst;
pub mod controllers;
pub mod freshness;
pub mod handshake;
pub mod ingest;
pub mod ingest_bodies;
pub mod ingest_work;
pub mod memory;
pub mod portal;
pub mod proc_stat;
pub mod provision;
pub mod radius;
pub mod replay;
pub mod stats;
pub mod support;
