//! The canvases' sign-in pages: the Optix mobile app's WiFi tile (`mobile`), the Optix admin
//! dashboard's canvas (`admin`), and OfficeRnD's signed integration page and first-connect
//! form (`officernd`); the pages after signing in are the key page and `routes::admin`.

pub(crate) mod admin;
pub(crate) mod mobile;
pub(crate) mod officernd;

use crate::session::ADMIN_PATH;
use actix_web::web;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/canvas/mobile", web::get().to(mobile::mobile_page))
        .route("/canvas/mobile", web::post().to(mobile::mobile_signin))
        .route(ADMIN_PATH, web::get().to(admin::admin_page))
        .route(ADMIN_PATH, web::post().to(admin::admin_signin))
        .route(officernd::ENTRY_PATH, web::get().to(officernd::entry_page))
        .route(
            officernd::ENTRY_PATH,
            web::post().to(officernd::entry_signin),
        )
        .route(
            officernd::CONNECT_PATH,
            web::get().to(officernd::connect_form),
        )
        .route(officernd::CONNECT_PATH, web::post().to(officernd::connect));
}
