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

/// A member's devices and when each was last on the WiFi, as stored.
pub(crate) struct DeviceRecords {
    devices: Vec<DeviceView>,
    seen: Vec<DeviceSeen>,
}

impl DeviceRecords {
    /// Both read together: one round trip.
    pub(crate) async fn read(
        client: &impl store::GenericClient,
        org_id: &str,
        user_id: &str,
    ) -> Result<DeviceRecords, PortalError> {
        let (devices, seen) = tokio::join!(
            store::queries::devices(client, org_id, user_id),
            store::radius_sessions::devices_seen(client, org_id, user_id)
        );
        Ok(DeviceRecords {
            devices: devices?,
            seen: seen?,
        })
    }
}

/// The member's devices and limit, with the refused form's values if there are any.
pub(crate) fn device_section(
    t: &Texts<'_>,
    member: &MemberView,
    records: DeviceRecords,
    tz: Tz,
    refused_form: Option<DeviceFormValues>,
) -> DeviceSection {
    let DeviceRecords { devices, seen } = records;
    let seen: HashMap<String, DeviceSeen> = seen
        .into_iter()
        .map(|seen| (seen.mac.clone(), seen))
        .collect();
    let (form_name, form_mac, refused) = match refused_form {
        Some(values) => (values.name, values.mac, true),
        None => (String::new(), String::new(), false),
    };
    DeviceSection {
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
    }
}
