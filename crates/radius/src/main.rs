//! `radius`: the endpoints FreeRADIUS asks through `rlm_rest` (see the library).

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    runtime::serve::<radius::Application>().await
}
