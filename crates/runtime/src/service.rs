//! The start of every service binary: telemetry, `--config`, its settings, build, serve.

use crate::load::{ServiceSettings, load};
use clap::{CommandFactory, FromArgMatches};
use std::future::Future;
use std::path::PathBuf;

/// A Lanyard service (ingest, provision, portal) as its binary runs it.
pub trait Service: Sized {
    /// `ingest`, `provision`, `portal`: the binary, the telemetry service name.
    const NAME: &'static str;
    /// What it does, for `--help`.
    const ABOUT: &'static str;
    /// The sections of `lanyard.toml` it reads.
    type Settings: ServiceSettings;
    fn build(settings: Self::Settings) -> impl Future<Output = anyhow::Result<Self>>;
    /// The port it serves on and, when it has one of its own, the operations listener's.
    fn ports(&self) -> (u16, Option<u16>);
    /// Serves until SIGTERM or ctrl-c, then lets the work in hand finish.
    fn run_until_stopped(self) -> impl Future<Output = anyhow::Result<()>>;
}

/// `impl Service for $app`, forwarding to the application's own `build` and
/// `run_until_stopped` (the ones its tests and benchmarks call): a trait impl with constants
/// is beyond a function, and the three services would otherwise spell the same forwarding out.
#[macro_export]
macro_rules! service {
    ($app:ident {
        name: $name:literal,
        about: $about:literal,
        settings: $settings:ty,
        ports: |$this:ident| $ports:expr $(,)?
    }) => {
        impl $crate::Service for $app {
            const NAME: &'static str = $name;
            const ABOUT: &'static str = $about;
            type Settings = $settings;

            async fn build(settings: $settings) -> ::anyhow::Result<$app> {
                $app::build(settings).await
            }

            fn ports(&self) -> (u16, Option<u16>) {
                let $this = self;
                $ports
            }

            // Some services answer with an anyhow::Result, others with io::Result.
            async fn run_until_stopped(self) -> ::anyhow::Result<()> {
                $app::run_until_stopped(self)
                    .await
                    .map_err(::anyhow::Error::from)
            }
        }
    };
}

#[derive(clap::Parser)]
struct Args {
    /// Configuration file (TOML); every key can be overridden with LANYARD__SECTION__KEY.
    #[arg(long, env = "LANYARD_CONFIG")]
    config: Option<PathBuf>,
}

/// A service binary's `main`: tracing, arguments, settings, then the service until stopped.
pub async fn serve<S: Service>() -> anyhow::Result<()> {
    let _tracing = telemetry::init(S::NAME);
    let command = Args::command().name(S::NAME).about(S::ABOUT);
    let args = Args::from_arg_matches(&command.get_matches())?;
    let settings = load::<S::Settings>(args.config.as_deref())?;
    let service = S::build(settings).await?;
    let (port, ops_port) = service.ports();
    tracing::info!(port, ops_port, "{} listening", S::NAME);
    service.run_until_stopped().await
}

/// Resolves on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutdown signal received");
}
