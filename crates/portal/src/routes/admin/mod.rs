//! The admin canvas, one module per page: the overview (`home`), the `connection` (Optix or
//! OfficeRnD, "test connection"), `locations`, the access
//! points (`nas`), `plans`, `controllers` (cloud WiFi controllers: map/unmap forms in `controller_forms`, "test
//! connection"), the
//! member list (`members`), one member (`member`), who is online (`sessions`) and the
//! organization's email settings (`emails`), the tenant emails sent
//! (`sent_emails`). Everything
//! is scoped to the organization
//! of the admin's session; every change is a form POST with a CSRF token, sent to provision as
//! a command, and provision's refusals are shown word for word (`admin_forms`).

pub(crate) mod connection;
pub(crate) mod controller_forms;
pub(crate) mod controllers;
pub(crate) mod emails;
pub(crate) mod home;
pub(crate) mod locations;
pub(crate) mod member;
pub(crate) mod members;
pub(crate) mod nas;
pub(crate) mod plans;
pub(crate) mod sent_emails;
pub(crate) mod sessions;

use crate::admin_forms::{show, submit};
use actix_web::web;
use controller_forms::ControllerForms;
use emails::Emails;
use home::Overview;
use locations::Locations;
use nas::Nases;
use plans::Plans;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/canvas/admin/home", web::get().to(show::<Overview>))
        .route("/canvas/admin/sync", web::post().to(submit::<Overview>))
        .route(connection::PATH, web::get().to(connection::show))
        .route(
            "/canvas/admin/connection/test",
            web::post().to(connection::test),
        )
        .route("/canvas/admin/locations", web::get().to(show::<Locations>))
        .route(
            "/canvas/admin/locations",
            web::post().to(submit::<Locations>),
        )
        .route("/canvas/admin/nas", web::get().to(show::<Nases>))
        .route("/canvas/admin/nas", web::post().to(submit::<Nases>))
        .route("/canvas/admin/plans", web::get().to(show::<Plans>))
        .route("/canvas/admin/plans", web::post().to(submit::<Plans>))
        .route(
            "/canvas/admin/controllers",
            web::get().to(show::<ControllerForms>),
        )
        .route(
            "/canvas/admin/controllers",
            web::post().to(submit::<ControllerForms>),
        )
        .route(
            "/canvas/admin/controllers/test",
            web::post().to(controllers::test),
        )
        .service(
            web::resource(emails::PATH)
                .app_data(web::FormConfig::default().limit(emails::FORM_LIMIT))
                .route(web::get().to(show::<Emails>))
                .route(web::post().to(submit::<Emails>)),
        )
        .route("/canvas/admin/members", web::get().to(members::members))
        .route(
            "/canvas/admin/members/{user}",
            web::get().to(member::member),
        )
        .route(
            "/canvas/admin/members/{user}/devices/remove",
            web::post().to(member::remove_device),
        )
        .route("/canvas/admin/sessions", web::get().to(sessions::sessions))
        .route(sent_emails::PATH, web::get().to(sent_emails::sent_emails));
}
