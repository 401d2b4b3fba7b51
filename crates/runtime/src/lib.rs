//! Service basics shared by ingest, provision, portal and the CLI: layered settings (each
//! program reads the sections it uses), the clients those settings configure, a service's
//! start, and the shutdown signal.
//!
//! - [`sections`]: the sections of `lanyard.toml` and the clients they build
//!   ([`DatabaseSettings::pool`], [`OptixSettings::client`]; the bus is `bus::Bus::connect`).
//! - [`services`]: which sections each program reads ([`IngestConfig`], [`ProvisionConfig`],
//!   [`PortalConfig`], [`RadiusConfig`], and [`Settings`], all of them, for the CLI).
//! - [`load`]: file, environment, secret files, and the refusal of published keys.
//! - [`secret`]: secrets that never print, and URLs without their passwords.
//! - [`service`]: what a service binary's `main` does.

pub mod load;
pub mod secret;
pub mod sections;
pub mod service;
pub mod services;

pub use load::{ServiceSettings, load};
pub use secret::{Secret, redact_url};
pub use sections::{
    ControllersSettings, DatabaseSettings, IngestSettings, NatsSettings, OfficeRndSettings,
    OptixApp, OptixSettings, PortalSettings, ProvisionSettings, RadiusSettings, WebhookSettings,
};
pub use service::{Service, serve, shutdown_signal};
pub use services::{
    ControllersConfig, IngestConfig, PortalConfig, ProvisionConfig, RadiusConfig, Settings,
    load_settings,
};
