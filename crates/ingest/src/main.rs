//! `ingest`: verifies Optix webhooks and publishes them to JetStream (see the library).

/// mimalloc: glibc's malloc and free were 18 % of ingest's workers' CPU. The bench runs
/// ingest's scenario in a process with this allocator too (`lanyard-bench-ingest`);
/// docs/performance.md, "mimalloc for ingest".
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    runtime::serve::<ingest::Application>().await
}
