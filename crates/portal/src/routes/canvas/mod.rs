//! The Optix canvases' sign-in pages: the mobile app's WiFi tile (`mobile`) and the admin
//! dashboard's canvas (`admin`); the pages after signing in are the key page and `routes::admin`.

pub(crate) mod admin;
pub(crate) mod mobile;

use crate::session::ADMIN_PATH;
use actix_web::web;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/canvas/mobile", web::get().to(mobile::mobile_page))
        .route("/canvas/mobile", web::post().to(mobile::mobile_signin))
        .route(ADMIN_PATH, web::get().to(admin::admin_page))
        .route(ADMIN_PATH, web::post().to(admin::admin_signin));
}
