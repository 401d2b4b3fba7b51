//! A member's devices as the key page and the admin's member page show them: name, MAC as
//! phones show it (`AA:BB:…`), how it was bound and when, when it was last and first on the WiFi
//! (RADIUS accounting), and the member's device limit.

use crate::error::PortalError;
use crate::pages::{DeviceFormValues, DeviceRow, DeviceSection};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::DeviceBinding;
use i18n::Texts;
use std::collections::HashMap;
use store::queries::{DeviceView, MemberView};
use store::radius_sessions::DeviceSeen;

fn bound_words(t: &Texts<'_>, binding: DeviceBinding) -> String {
    t.get(match binding {
        DeviceBinding::Tenant => "devices-bound-tenant",
        DeviceBinding::Admin => "devices-bound-admin",
        DeviceBinding::Accounting => "devices-bound-accounting",
        DeviceBinding::Handshake => "devices-bound-handshake",
    })
}

/// When a device was on the WiFi, in words (accounting keeps `radius.accounting_retention_days`).
fn seen_words(t: &Texts<'_>, seen: Option<&DeviceSeen>, tz: Tz) -> String {
    let day_and_time = |at: DateTime<Utc>| i18n::format_datetime(t.lang(), &at.with_timezone(&tz));
    match seen {
        Some(seen) => t.get_with(
            "devices-seen",
            &[
                ("last", &day_and_time(seen.last_seen)),
                ("first", &day_and_time(seen.first_seen)),
            ],
        ),
        None => t.get("devices-not-seen"),
    }
}

fn row(t: &Texts<'_>, device: DeviceView, seen: Option<&DeviceSeen>, tz: Tz) -> DeviceRow {
    DeviceRow {
        seen: seen_words(t, seen, tz),
        mac: device.mac.display_colons(),
        mac_value: device.mac.to_string(),
        name: device.name,
        bound: bound_words(t, device.bound_via),
        added: i18n::format_date(t.lang(), &device.added_at.with_timezone(&tz)),
    }
}

/// How many devices the member may have now: the largest limit among the profiles of their
/// live grants (see `domain::devices::device_limit`).
pub(crate) fn device_limit(member: &MemberView, now: DateTime<Utc>) -> u16 {
    domain::devices::device_limit(
        member
            .live_grants(now)
            .map(|g| g.network.as_ref().and_then(|n| n.device_limit)),
    )
}

/// The member's devices and limit, with the refused form's values if there are any.
pub(crate) async fn device_section(
    client: &impl store::GenericClient,
    t: &Texts<'_>,
    member: &MemberView,
    tz: Tz,
    refused_form: Option<DeviceFormValues>,
) -> Result<DeviceSection, PortalError> {
    let devices = store::queries::devices(client, &member.org_id, &member.user_id).await?;
    let seen: HashMap<String, DeviceSeen> =
        store::radius_sessions::devices_seen(client, &member.org_id, &member.user_id)
            .await?
            .into_iter()
            .map(|seen| (seen.mac.clone(), seen))
            .collect();
    let (form_name, form_mac, refused) = match refused_form {
        Some(values) => (values.name, values.mac, true),
        None => (String::new(), String::new(), false),
    };
    Ok(DeviceSection {
        rows: devices
            .into_iter()
            .map(|d| {
                let seen = seen.get(&d.mac.to_string());
                row(t, d, seen, tz)
            })
            .collect(),
        limit: device_limit(member, Utc::now()),
        form_name,
        form_mac,
        refused,
    })
}
