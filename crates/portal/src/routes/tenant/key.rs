//! `GET /wifi`: the signed-in tenant's key page (network, passphrase behind a reveal, its QR
//! code); `POST /wifi/passphrase` and `/wifi/regenerate`: a passphrase of their own, or a new
//! generated one ([`PassphraseChange`]). A GET never changes anything or asks Optix.

use crate::access::{AccessNow, access_now};
use crate::admin_words::device_words;
use crate::commands::Answer;
use crate::db::{SessionRow, Via};
use crate::devices::{DeviceRecords, device_section};
use crate::error::PortalError;
use crate::forms::CarriesCsrf;
use crate::language::PageLanguage;
use crate::limits::RateLimit;
use crate::metrics;
use crate::onboarding::{no_access, suspended};
use crate::pages::{Action, Framing, KeyPage, Message, OnlineDevice};
use crate::pages::{DeviceFormValues, DeviceSection};
use crate::refusals::refusal_text;
use crate::responses::see_other;
use crate::sealed::open_passphrase;
use crate::session::{self, TENANT_SCOPE};
use crate::session_store;
use crate::state::State;
use crate::tenant_session::{SignedInForm, signed_out};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bus::commands::{Command, PassphraseText, RefusalCode};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::LocationSettings;
use domain::describe::last_whole_day;
use i18n::Texts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use store::queries::MemberView;
use store::radius_sessions::{ONLINE_WITHIN, SessionView};

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct KeyQuery {
    done: Option<String>,
}

/// `GET /wifi`: the key page. A GET never changes anything or asks Optix: a tenant without an
/// account yet gets a button that POSTs to `/wifi/start`.
pub(crate) async fn key_page(
    state: web::Data<State>,
    request: HttpRequest,
    query: web::Query<KeyQuery>,
) -> Result<HttpResponse, PortalError> {
    let Some((cookie, row)) = session_store::tenant_session(&state, &request).await? else {
        return signed_out(&state, &request).await;
    };
    let (lang, data) = {
        let client = state.pool.get().await?;
        let (lang, data) = tokio::join!(
            state.page_language_on(&client, &request, &row.org_id),
            KeyPageData::read(&client, &row)
        );
        (lang, data?)
    };
    let notice = match query.done.as_deref() {
        Some("changed") => Some("key-done-changed"),
        Some("generated") => Some("key-done-generated"),
        Some("device_added") => Some("key-done-device-added"),
        Some("device_removed") => Some("key-done-device-removed"),
        _ => None,
    };
    if data.member.is_none() {
        return state.page(
            StatusCode::OK,
            Framing::Optix,
            &Message::localized(&lang, "get-key-title", &["get-key-text"]).action(Action::post(
                "/wifi/start",
                lang.t.get("get-key-button"),
                session::csrf_token(&state.keys, TENANT_SCOPE, &cookie),
            )),
        );
    }
    render_key(
        &state,
        &lang,
        &cookie,
        &row,
        data,
        KeyMessages {
            notice: notice.map(|id| lang.t.get(id)),
            error: None,
            device_form: None,
        },
        StatusCode::OK,
    )
    .await
}

/// A banner on the key page: what just happened, or what was refused.
pub(crate) struct KeyMessages {
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The device form as typed, when the error is about it.
    pub device_form: Option<DeviceFormValues>,
}

/// A location's network, by id (`None` settings: the location is not mapped).
type Network = (String, Option<LocationSettings>);

/// Everything the key page shows of the session's member, asked for together on one
/// connection: one round trip instead of one per statement.
pub(crate) struct KeyPageData {
    /// The member with their grants (`None`: no account yet).
    member: Option<MemberView>,
    /// The network of the account's home location. An account the sync opened before the
    /// tenant ever came is bound nowhere: then the location they came from (portal or app).
    network: Option<Network>,
    /// The member's wrapped data key.
    wrapped_key: Option<domain::Sealed>,
    /// Their sessions online now.
    online: Vec<SessionView>,
    devices: DeviceRecords,
}

impl KeyPageData {
    pub(crate) async fn read(
        client: &impl store::GenericClient,
        row: &SessionRow,
    ) -> Result<KeyPageData, PortalError> {
        let (org_id, user_id) = (row.org_id.as_str(), row.user_id.as_str());
        let came_from = row.location_id.as_deref();
        let since = Utc::now() - ONLINE_WITHIN;
        let (member, location, wrapped_key, online, devices) = tokio::join!(
            store::queries::member(client, org_id, user_id),
            store::queries::member_location(client, org_id, user_id, came_from),
            store::queries::member_key(client, org_id, user_id),
            store::radius_sessions::live_sessions_of_member(client, org_id, user_id, since),
            DeviceRecords::read(client, org_id, user_id),
        );
        let member = member?;
        let network = match location? {
            Some(location) => Some((location.location_id, location.settings)),
            None => member
                .as_ref()
                .and_then(|m| m.home_location.clone())
                .or_else(|| row.location_id.clone())
                .map(|place| (place, None)),
        };
        Ok(KeyPageData {
            member,
            network,
            wrapped_key: wrapped_key?,
            online: online?,
            devices: devices?,
        })
    }
}

/// The member's devices online now, for the key page, by their registered name when they
/// have one, in the location's time zone.
fn online_devices(
    t: &Texts<'_>,
    sessions: Vec<SessionView>,
    devices: &DeviceSection,
    tz: Tz,
) -> Vec<OnlineDevice> {
    sessions
        .into_iter()
        .map(|session| {
            let mac = device_words(&session.ids.mac);
            let name = devices.rows.iter().find(|d| d.mac_value == session.ids.mac);
            OnlineDevice {
                device: match name {
                    Some(device) => format!("{} ({mac})", device.name),
                    None => mac,
                },
                since: i18n::format_datetime(t.lang(), &session.started_at.with_timezone(&tz)),
            }
        })
        .collect()
}

/// The key page of the session's member (`data` as just read from the projections).
pub(crate) async fn render_key(
    state: &State,
    lang: &PageLanguage,
    cookie: &str,
    row: &SessionRow,
    data: KeyPageData,
    messages: KeyMessages,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let KeyMessages {
        notice,
        error,
        device_form,
    } = messages;
    let KeyPageData {
        member,
        network,
        wrapped_key,
        online,
        devices,
    } = data;
    let Some(member) = member else {
        return state.page(
            StatusCode::OK,
            Framing::Optix,
            &Message::localized(lang, "preparing-title", &["preparing-text"])
                .action(Action::link("/wifi", lang.t.get("reload"))),
        );
    };
    let csrf = session::csrf_token(&state.keys, TENANT_SCOPE, cookie);
    let now = Utc::now();
    match access_now(&member, now) {
        AccessNow::Suspended => {
            return state.page(StatusCode::FORBIDDEN, Framing::Optix, &suspended(lang));
        }
        AccessNow::NoLiveGrant => {
            let page = no_access(lang, csrf).detail(lang.t.get("no-live-grant"));
            return state.page(StatusCode::FORBIDDEN, Framing::Optix, &page);
        }
        AccessNow::Live => {}
    }
    let settings = match network {
        Some((_, Some(settings))) => settings,
        Some((place, None)) => return state.unmapped_location(lang, Framing::Optix, &place),
        None => return state.page(StatusCode::OK, Framing::Optix, &no_location(lang)),
    };
    let tz: Tz = settings.timezone.parse().unwrap_or(chrono_tz::UTC);
    let (passphrase, qr_svg) =
        passphrase_and_qr(state, &lang.t, row, &member, &settings, wrapped_key)?;
    let devices = device_section(&lang.t, &member, devices, tz, device_form);
    let page = KeyPage {
        t: lang.t,
        switch: lang.switch(),
        // A refusal re-renders the page: the title says so first, for screen readers and tabs.
        title: lang.t.get(if error.is_some() {
            "key-title-error"
        } else {
            "key-title"
        }),
        network_name: settings.network_name.clone(),
        location_name: settings.name.clone(),
        passphrase,
        qr_svg,
        group: member.group.as_ref().map(|g| g.name.clone()),
        vlan: member.vlan(now),
        valid_until: valid_until_text(&lang.t, member.access_until(now), tz),
        online: online_devices(&lang.t, online, &devices, tz),
        csrf,
        notice,
        error,
        can_sign_out: row.via == Via::Portal,
        devices_intro: lang
            .t
            .get_count("devices-intro", "limit", i64::from(devices.limit)),
        devices,
    };
    state.page(status, Framing::Optix, &page)
}

/// The page for an account bound to no location, reached without one.
fn no_location(lang: &PageLanguage) -> Message {
    Message::localized(lang, "no-location-title", &["no-location-text"])
}

/// "Valid until …" on the key page, in the location's time zone and the page's language. A
/// grant ending at local midnight reads as the end of the day before.
pub(crate) fn valid_until_text(t: &Texts<'_>, until: Option<DateTime<Utc>>, tz: Tz) -> String {
    let Some(until) = until else {
        return t.get("key-valid-no-end");
    };
    match last_whole_day(until, tz) {
        Some(last) => t.get_with(
            "key-valid-until-day",
            &[
                ("day", &i18n::format_date(t.lang(), &last)),
                ("zone", tz.name()),
            ],
        ),
        None => t.get_with(
            "key-valid-until",
            &[
                (
                    "time",
                    &i18n::format_datetime(t.lang(), &until.with_timezone(&tz)),
                ),
                ("zone", tz.name()),
            ],
        ),
    }
}

/// The member's passphrase in clear and the QR code that joins the network with it (none yet
/// while provision prepares the passphrase).
fn passphrase_and_qr(
    state: &State,
    t: &Texts<'_>,
    row: &SessionRow,
    member: &MemberView,
    settings: &LocationSettings,
    wrapped_key: Option<domain::Sealed>,
) -> Result<(Option<String>, String), PortalError> {
    let Some(sealed) = &member.passphrase else {
        return Ok((None, String::new()));
    };
    let passphrase = open_passphrase(
        state,
        &row.org_id,
        &row.user_id,
        wrapped_key.as_ref(),
        sealed,
    )?;
    let qr_svg = crate::wifi::qr_svg(
        &crate::wifi::join_uri(&settings.network_name, &passphrase),
        &t.get_with("key-qr-label", &[("network", &settings.network_name)]),
    )
    .map_err(|e| PortalError::Internal(e.to_string()))?;
    Ok((Some(passphrase), qr_svg))
}

/// A passphrase change the tenant asks for: its form and the command it becomes.
pub(crate) trait PassphraseChange: DeserializeOwned + CarriesCsrf + 'static {
    /// What the key page says afterwards (`?done=`).
    const DONE: &'static str;

    fn command(self, user_id: String) -> Command;
}

/// `POST /wifi/passphrase`: the tenant's own passphrase.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct PassphraseForm {
    pub(crate) csrf: String,
    pub(crate) passphrase: String,
}

impl PassphraseChange for PassphraseForm {
    const DONE: &'static str = "changed";

    fn command(self, user_id: String) -> Command {
        Command::SetPassphrase {
            user_id,
            passphrase: PassphraseText(self.passphrase),
        }
    }
}

impl CarriesCsrf for PassphraseForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /wifi/regenerate`: a new generated passphrase (a button).
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct RegenerateForm {
    csrf: String,
}

impl PassphraseChange for RegenerateForm {
    const DONE: &'static str = "generated";

    fn command(self, user_id: String) -> Command {
        Command::RegeneratePassphrase { user_id }
    }
}

impl CarriesCsrf for RegenerateForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /wifi/passphrase` and `/wifi/regenerate`: a passphrase change of the signed-in tenant
/// within its rate limits; back to the key page with `?done=…`, or provision's refusal shown
/// on it as is.
pub(crate) async fn change_passphrase<C: PassphraseChange>(
    state: web::Data<State>,
    request: HttpRequest,
    tenant: SignedInForm<C>,
) -> Result<HttpResponse, PortalError> {
    let SignedInForm { cookie, row, form } = tenant;
    let limited = ChangeLimits::PASSPHRASE
        .over(&state, &request, &row)
        .await?;
    let lang = state.page_language(&request, Some(&row.org_id)).await;
    if let Some(retry_after_secs) = limited {
        return state.too_many(
            &lang,
            Framing::Optix,
            retry_after_secs,
            Action::link("/wifi", lang.t.get("back-to-wifi")),
        );
    }
    let answer = state
        .command(
            &row.org_id,
            &format!("tenant:{}", row.user_id),
            form.command(row.user_id.clone()),
        )
        .await;
    passphrase_answer(&state, &lang, &cookie, &row, answer, C::DONE).await
}

/// The limits of a tenant's changes, per member and per client address (the same numbers as
/// passphrase changes: `portal.passphrase_changes_per_member` / `_per_client`), each kind in
/// its own buckets.
pub(crate) struct ChangeLimits {
    member_kind: &'static str,
    client_kind: &'static str,
    what: &'static str,
    command: &'static str,
}

impl ChangeLimits {
    /// "Already in use" tells whether someone uses a passphrase: guessing must stay slow.
    const PASSPHRASE: ChangeLimits = ChangeLimits {
        member_kind: "passphrase-member",
        client_kind: "passphrase-client",
        what: "passphrase changes",
        command: "set_passphrase",
    };
    /// "Registered to another member" tells whose a MAC is, and every change is an event.
    pub(crate) const DEVICES: ChangeLimits = ChangeLimits {
        member_kind: "device-member",
        client_kind: "device-client",
        what: "device changes",
        command: "add_device",
    };

    /// `Some(retry after)` when the changes are over a limit. Every attempt counts, accepted
    /// or refused.
    pub(crate) async fn over(
        &self,
        state: &State,
        request: &HttpRequest,
        row: &SessionRow,
    ) -> Result<Option<u64>, PortalError> {
        let address = state.client_address(request);
        let limits = [
            RateLimit {
                kind: self.member_kind,
                org_id: &row.org_id,
                value: &row.user_id,
                max: state.settings.passphrase_changes_per_member,
                window_secs: state.settings.rate_window_secs,
            },
            RateLimit {
                kind: self.client_kind,
                org_id: "",
                value: &address,
                max: state.settings.passphrase_changes_per_client,
                window_secs: state.settings.rate_window_secs,
            },
        ];
        state
            .over_limit(&limits, &row.org_id, self.what, || {
                metrics::command(self.command, "rate_limited")
            })
            .await
    }
}

async fn passphrase_answer(
    state: &State,
    lang: &PageLanguage,
    cookie: &str,
    row: &SessionRow,
    answer: Answer,
    done: &str,
) -> Result<HttpResponse, PortalError> {
    match answer {
        Answer::Done { .. } => Ok(see_other(&format!("/wifi?done={done}"))),
        Answer::Unavailable => state.unavailable(lang, Framing::Optix, "/wifi"),
        Answer::Refused {
            code: RefusalCode::Suspended,
            ..
        } => state.page(StatusCode::FORBIDDEN, Framing::Optix, &suspended(lang)),
        Answer::Refused { code, message } => {
            let data = KeyPageData::read(&state.pool.get().await?, row).await?;
            render_key(
                state,
                lang,
                cookie,
                row,
                data,
                KeyMessages {
                    notice: None,
                    error: Some(refusal_text(&lang.t, code, &message)),
                    device_form: None,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use i18n::Lang;

    fn utc(timestamp: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(timestamp)
            .expect("ts")
            .with_timezone(&Utc)
    }

    #[test]
    fn validity_reads_in_the_location_time_zone() {
        let rome: Tz = "Europe/Rome".parse().expect("tz");
        let english = Texts::new(Lang::En);
        // Local midnight in Rome (23:00 UTC in winter): the end of the day before.
        let until = utc("2026-11-22T23:00:00Z");
        assert_eq!(
            valid_until_text(&english, Some(until), rome),
            "Until the end of Sunday 22 November 2026 (Europe/Rome)"
        );
        let until = utc("2026-11-22T16:30:00Z");
        assert_eq!(
            valid_until_text(&english, Some(until), rome),
            "Until Sunday 22 November 2026, 17:30 (Europe/Rome)"
        );
        assert!(valid_until_text(&english, None, rome).starts_with("No end date"));
    }

    #[test]
    fn validity_reads_in_the_page_language() {
        let rome: Tz = "Europe/Rome".parse().expect("tz");
        let until = utc("2026-11-22T23:00:00Z");
        assert_eq!(
            valid_until_text(&Texts::new(Lang::Fr), Some(until), rome),
            "Jusqu'à la fin du dimanche 22 novembre 2026 (Europe/Rome)"
        );
        let until = utc("2026-11-22T16:30:00Z");
        assert_eq!(
            valid_until_text(&Texts::new(Lang::De), Some(until), rome),
            "Bis Sonntag, 22. November 2026, 17:30 Uhr (Europe/Rome)"
        );
    }
}
