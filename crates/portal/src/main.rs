//! `portal`: the tenant portal and the Optix canvases (see the library).

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    runtime::serve::<portal::Application>().await
}
