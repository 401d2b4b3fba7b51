//! The admin canvas, one module per page: the overview (`home`), `locations`, `plans`,
//! `controllers` (cloud WiFi controllers, with "test connection"), the
//! member list (`members`) and one member (`member`). Everything is scoped to the organization
//! of the admin's session; every change is a form POST with a CSRF token, sent to provision as
//! a command, and provision's refusals are shown word for word (`admin_forms`).

pub(crate) mod controllers;
pub(crate) mod home;
pub(crate) mod locations;
pub(crate) mod member;
pub(crate) mod members;
pub(crate) mod plans;

use crate::admin_forms::{show, submit};
use actix_web::web;
use home::Overview;
use locations::Locations;
use plans::Plans;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/canvas/admin/home", web::get().to(show::<Overview>))
        .route("/canvas/admin/sync", web::post().to(submit::<Overview>))
        .route("/canvas/admin/locations", web::get().to(show::<Locations>))
        .route(
            "/canvas/admin/locations",
            web::post().to(submit::<Locations>),
        )
        .route("/canvas/admin/plans", web::get().to(show::<Plans>))
        .route("/canvas/admin/plans", web::post().to(submit::<Plans>))
        .route(
            "/canvas/admin/controllers",
            web::get().to(controllers::page),
        )
        .route(
            "/canvas/admin/controllers/test",
            web::post().to(controllers::test),
        )
        .route("/canvas/admin/members", web::get().to(members::members))
        .route(
            "/canvas/admin/members/{user}",
            web::get().to(member::member),
        );
}
