//! The portal end to end, one test binary: the pages in Chromium and over HTTP, the attacks of
//! the security review, and the pages as a screen-reader or keyboard user meets them.

mod accessibility;
mod admin_languages;
mod devices;
mod emails;
mod languages;
mod notify;
mod portal;
mod portal_abuse;
mod sessions;
