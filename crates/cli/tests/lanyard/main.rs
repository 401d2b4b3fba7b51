//! The `lanyard` binary as operators and scripts run it, one test binary.

mod optix_manifest;
mod shape;
mod validation;
