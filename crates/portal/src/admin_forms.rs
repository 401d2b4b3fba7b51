//! The admin canvas's form pages (overview, locations, plans): each is shown by `GET` with the
//! notice of what the last form did, and its forms go one way — the admin and CSRF check, the
//! form as a command (or the form's own problem), provision's answer, then back to the page
//! with `?ok=<what was done>` or the page again with the refusal above the forms.

use crate::admin_session::{Admin, csrf_checked};
use crate::commands::Answer;
use crate::error::PortalError;
use crate::pages::Framing;
use crate::responses::see_other;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use bus::commands::Command;
use domain::VlanRange;
use i18n::Texts;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A rendered admin page.
pub(crate) type PageResult = Result<HttpResponse, PortalError>;

/// An admin page with forms.
pub(crate) trait FormPage {
    /// What the page's forms post.
    type Form: DeserializeOwned + 'static;

    /// The page's address: where a form's answer goes back to.
    const PATH: &'static str;

    /// The form as a command and the code of the notice saying it was done (see
    /// [`flash_text`]), or the form's own problem in words (`texts`: the page's language).
    fn command(form: &Self::Form, texts: &Texts<'_>) -> Result<(Command, &'static str), String>;

    /// The page for `admin`, under `banner`.
    async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult;

    /// The CSRF token a posted form carries.
    fn csrf(form: &Self::Form) -> &str;

    /// The page again after `form` was refused. Pages whose forms hold long input (the
    /// emails' wording) show it as typed; the others show what is stored.
    async fn render_refused(
        state: &State,
        admin: &Admin,
        _form: &Self::Form,
        banner: Banner,
    ) -> PageResult {
        Self::render(state, admin, banner).await
    }
}

/// What an admin page says above its content (what was done, or what was refused), and the
/// status it is answered with.
pub(crate) struct Banner {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub status: StatusCode,
}

impl Banner {
    /// A page shown by `GET`, with what the last form did, if anything.
    pub(crate) fn shown(notice: Option<String>) -> Banner {
        Banner {
            notice,
            error: None,
            status: StatusCode::OK,
        }
    }

    /// The page again, with the refusal above the forms.
    pub(crate) fn refused(problem: String) -> Banner {
        Banner {
            notice: None,
            error: Some(problem),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct Flash {
    ok: Option<String>,
}

impl Flash {
    /// What the last form did, in words (pages that are not a [`FormPage`] show it too).
    pub(crate) fn notice(&self, texts: &Texts<'_>) -> Option<String> {
        flash_text(self.ok.as_deref(), texts)
    }
}

fn flash_text(code: Option<&str>, texts: &Texts<'_>) -> Option<String> {
    let id = match code? {
        "location_mapped" => "admin-done-location-mapped",
        "location_unmapped" => "admin-done-location-unmapped",
        "plan_mapped" => "admin-done-plan-mapped",
        "plan_unmapped" => "admin-done-plan-unmapped",
        "default_set" => "admin-done-default-set",
        "pool_set" => "admin-done-pool-set",
        "sync_started" => "admin-done-sync-started",
        "nas_registered" => "admin-done-nas-registered",
        "nas_removed" => "admin-done-nas-removed",
        "device_removed" => "admin-done-device-removed",
        "officernd_connected" => "admin-done-officernd-connected",
        "controller_mapped" => "admin-done-controller-mapped",
        "controller_unmapped" => "admin-done-controller-unmapped",
        "mail_settings_saved" => "mail-settings-saved",
        _ => return None,
    };
    Some(texts.get(id))
}

/// `GET` of a form page, with the notice of what the last form did.
pub(crate) async fn show<P: FormPage>(
    state: web::Data<State>,
    flash: web::Query<Flash>,
    admin: Admin,
) -> Result<HttpResponse, PortalError> {
    let notice = flash.notice(&admin.texts);
    P::render(&state, &admin, Banner::shown(notice)).await
}

/// `POST` of a form page's form: the admin and CSRF check, then the command (or the form's
/// problem), then back to the page with `?ok=<what was done>`, or the page again with the
/// refusal.
///
/// `admin` comes before `form`: actix extracts in order, so a visitor who is not signed in is
/// answered before the body (up to the emails form's 1.2 MB) is read.
pub(crate) async fn submit<P: FormPage>(
    state: web::Data<State>,
    admin: Admin,
    form: web::Form<P::Form>,
) -> Result<HttpResponse, PortalError> {
    let back = P::PATH;
    let admin = match csrf_checked(&state, admin, P::csrf(&form), back)? {
        Ok(admin) => admin,
        Err(page) => return Ok(page),
    };
    let (command, done) = match P::command(&form, &admin.texts) {
        Ok(command) => command,
        Err(problem) => {
            return P::render_refused(&state, &admin, &form, Banner::refused(problem)).await;
        }
    };
    match state
        .command(&admin.row.org_id, &admin.actor(), command)
        .await
    {
        Answer::Done { .. } => Ok(see_other(&format!("{back}?ok={done}"))),
        Answer::Refused { message, .. } => {
            let problem = provision_refusal(&admin.texts, &message);
            P::render_refused(&state, &admin, &form, Banner::refused(problem)).await
        }
        Answer::Unavailable => state.unavailable(&admin.language, Framing::Optix, back),
    }
}

/// An optional number field: empty is `None`; anything else must parse (`field`: the id of
/// the field's name in the catalogue, e.g. `admin-field-vlan`).
pub(crate) fn optional_number<T: std::str::FromStr>(
    value: &str,
    field: &str,
    texts: &Texts<'_>,
) -> Result<Option<T>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| {
        texts.get_with(
            "admin-error-whole-number",
            &[
                ("field", &texts.get(field)),
                ("value", &format!("{value:?}")),
            ],
        )
    })
}

pub(crate) fn optional_pool(
    first: &str,
    last: &str,
    texts: &Texts<'_>,
) -> Result<Option<VlanRange>, String> {
    match (
        optional_number::<u16>(first, "admin-field-vlan-first", texts)?,
        optional_number::<u16>(last, "admin-field-vlan-last", texts)?,
    ) {
        (None, None) => Ok(None),
        (Some(first), Some(last)) => Ok(Some(VlanRange { first, last })),
        _ => Err(texts.get("admin-error-pool-both")),
    }
}

/// Provision's refusal (an English sentence with the exact rule): as it is on an English page,
/// behind the page's language's "the change was refused" on the others.
pub(crate) fn provision_refusal(texts: &Texts<'_>, message: &str) -> String {
    if texts.lang() == i18n::Lang::En {
        return message.to_owned();
    }
    texts.get_with("admin-error-provision-refused", &[("reason", message)])
}

/// A value the domain refused, in the page's language around the domain's own reason.
pub(crate) fn refused(texts: &Texts<'_>, reason: impl std::fmt::Display) -> String {
    texts.get_with("admin-error-refused", &[("reason", &reason.to_string())])
}

/// A VLAN pool as its two form fields (empty when there is no pool): the other way of
/// [`optional_pool`].
pub(crate) fn pool_fields(pool: Option<VlanRange>) -> (String, String) {
    match pool {
        Some(pool) => (pool.first.to_string(), pool.last.to_string()),
        None => (String::new(), String::new()),
    }
}
