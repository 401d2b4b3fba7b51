//! `ingest`: verifies Optix webhooks and publishes them to JetStream (see the library).

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    runtime::serve::<ingest::Application>().await
}
