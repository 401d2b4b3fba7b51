//! `controllers`: keeps cloud WiFi controllers' key lists equal to Lanyard's (see the library).

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    runtime::serve::<controllers::Application>().await
}
