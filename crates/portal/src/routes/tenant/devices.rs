//! `POST /wifi/devices` and `/wifi/devices/remove`: the signed-in tenant adds a device (name
//! and MAC) or removes one; back to the key page with `?done=…`, or the key page with
//! provision's refusal above the form and what was typed still in it (over the limit: "You
//! can register at most N devices; remove one first"). Changes are rate-limited per member and
//! per client address like passphrase changes.

use crate::commands::Answer;
use crate::db::SessionRow;
use crate::error::PortalError;
use crate::forms::CarriesCsrf;
use crate::pages::DeviceFormValues;
use crate::pages::{Action, Framing};
use crate::refusals::refusal_text;
use crate::responses::see_other;
use crate::routes::tenant::key::{ChangeLimits, KeyMessages, KeyPageData, render_key};
use crate::state::State;
use crate::tenant_session::SignedInForm;
use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use bus::commands::Command;
use serde::Deserialize;

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct AddDeviceForm {
    csrf: String,
    name: String,
    mac: String,
}

impl CarriesCsrf for AddDeviceForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct RemoveDeviceForm {
    csrf: String,
    mac: String,
}

impl CarriesCsrf for RemoveDeviceForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /wifi/devices`.
pub(crate) async fn add_device(
    state: web::Data<State>,
    request: HttpRequest,
    tenant: SignedInForm<AddDeviceForm>,
) -> Result<HttpResponse, PortalError> {
    let SignedInForm { cookie, row, form } = tenant;
    if let Some(page) = limited(&state, &request, &row).await? {
        return Ok(page);
    }
    let command = Command::AddDevice {
        user_id: row.user_id.clone(),
        mac: form.mac.clone(),
        name: form.name.clone(),
    };
    let typed = DeviceFormValues {
        name: form.name,
        mac: form.mac,
    };
    let change = DeviceChange {
        command,
        done: "device_added",
        typed,
    };
    device_answer(&state, &request, &cookie, &row, change).await
}

/// `POST /wifi/devices/remove`.
pub(crate) async fn remove_device(
    state: web::Data<State>,
    request: HttpRequest,
    tenant: SignedInForm<RemoveDeviceForm>,
) -> Result<HttpResponse, PortalError> {
    let SignedInForm { cookie, row, form } = tenant;
    if let Some(page) = limited(&state, &request, &row).await? {
        return Ok(page);
    }
    let command = Command::RemoveDevice {
        user_id: row.user_id.clone(),
        mac: form.mac,
    };
    let typed = DeviceFormValues {
        name: String::new(),
        mac: String::new(),
    };
    let change = DeviceChange {
        command,
        done: "device_removed",
        typed,
    };
    device_answer(&state, &request, &cookie, &row, change).await
}

/// The "too many requests" page when the tenant's device changes are over the limits.
async fn limited(
    state: &State,
    request: &HttpRequest,
    row: &SessionRow,
) -> Result<Option<HttpResponse>, PortalError> {
    match ChangeLimits::DEVICES.over(state, request, row).await? {
        Some(retry_after_secs) => {
            let lang = state.page_language(request, Some(&row.org_id)).await;
            state
                .too_many(
                    &lang,
                    Framing::Optix,
                    retry_after_secs,
                    Action::link("/wifi", lang.t.get("back-to-wifi")),
                )
                .map(Some)
        }
        None => Ok(None),
    }
}

/// A device change: its command, what the key page says after it (`?done=`), and the form as
/// typed (shown again on a refusal).
struct DeviceChange {
    command: Command,
    done: &'static str,
    typed: DeviceFormValues,
}

async fn device_answer(
    state: &State,
    request: &HttpRequest,
    cookie: &str,
    row: &SessionRow,
    change: DeviceChange,
) -> Result<HttpResponse, PortalError> {
    let DeviceChange {
        command,
        done,
        typed,
    } = change;
    let actor = format!("tenant:{}", row.user_id);
    let answer = state.command(&row.org_id, &actor, command).await;
    let lang = state.page_language(request, Some(&row.org_id)).await;
    match answer {
        Answer::Done { .. } => Ok(see_other(&format!("/wifi?done={done}"))),
        Answer::Unavailable => state.unavailable(&lang, Framing::Optix, "/wifi"),
        Answer::Refused { code, message } => {
            tracing::info!(
                org_id = row.org_id,
                code = code.label(),
                "a device change was refused"
            );
            let data = KeyPageData::read(&state.pool.get().await?, row).await?;
            let messages = KeyMessages {
                notice: None,
                error: Some(refusal_text(&lang.t, code, &message)),
                device_form: Some(typed),
            };
            render_key(
                state,
                &lang,
                cookie,
                row,
                data,
                messages,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
