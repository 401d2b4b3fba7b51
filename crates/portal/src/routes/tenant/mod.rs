//! The tenant portal, one module per page or flow: a location's portal and the sign-in link
//! request (`sign_in`), the emailed link (`link`), the key page and passphrase changes (`key`),
//! the tenant's devices (`devices`),
//! onboarding on request (`onboarding`), signing out (`sign_out`) and the language switch
//! (`language_switch`).

pub(crate) mod devices;
pub(crate) mod key;
pub(crate) mod language_switch;
pub(crate) mod link;
pub(crate) mod onboarding;
pub(crate) mod sign_in;
pub(crate) mod sign_out;

use actix_web::web;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/l/{org}/{location}", web::get().to(sign_in::portal_page))
        .route("/l/{org}/{location}", web::post().to(sign_in::request_link))
        .route(
            "/l/{org}/{location}/signin",
            web::get().to(link::signin_page),
        )
        .route("/l/{org}/{location}/signin", web::post().to(link::signin))
        .route("/wifi", web::get().to(key::key_page))
        .route("/wifi/start", web::post().to(onboarding::start_onboarding))
        .route(
            "/wifi/passphrase",
            web::post().to(key::change_passphrase::<key::PassphraseForm>),
        )
        .route(
            "/wifi/regenerate",
            web::post().to(key::change_passphrase::<key::RegenerateForm>),
        )
        .route("/wifi/devices", web::post().to(devices::add_device))
        .route(
            "/wifi/devices/remove",
            web::post().to(devices::remove_device),
        )
        .route("/wifi/signout", web::post().to(sign_out::sign_out))
        .route(
            "/language",
            web::post().to(language_switch::choose_language),
        );
}
