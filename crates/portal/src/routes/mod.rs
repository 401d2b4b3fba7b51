//! The portal's pages, one module per page or flow. A page module imports only what lives
//! below the pages (state, sessions, rendering, onboarding, …), never another page module.

pub(crate) mod admin;
pub(crate) mod canvas;
pub(crate) mod site;
pub(crate) mod tenant;
