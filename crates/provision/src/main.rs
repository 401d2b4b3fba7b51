//! `provision`: folds Optix webhooks into the event log (see the library).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    runtime::serve::<provision::Application>().await
}
