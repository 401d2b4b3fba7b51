//! Projections: tables derived from events. `apply` is the one code path for live appends and
//! for replay, and uses only what the event carries (never the clock), so a rebuild from
//! position 0 yields identical rows.

use crate::event_log::{RecordedEvent, StoreError};
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;
use domain::{Event, StreamId};

pub const PROJECTION_TABLES: &[&str] = &[
    "organizations",
    "members",
    "member_grants",
    "plan_profiles",
    "locations",
    "groups",
    "notifications",
    "sync_runs",
];

pub async fn apply(
    client: &impl GenericClient,
    stream: &StreamId,
    recorded: &RecordedEvent,
) -> Result<(), StoreError> {
    let org = stream.org_id();
    let pos = recorded.global_position;
    let at = recorded.recorded_at;
    match (&recorded.event, stream) {
        (
            Event::IntegrationConfigured { token, .. }
            | Event::OrganizationTokenRotated { token, .. },
            _,
        ) => {
            let token = json(token)?;
            client
                .execute_cached(
                    "INSERT INTO organizations (org_id, installed, token, token_updated_at, last_position)
                     VALUES ($1, true, $2, $3, $4)
                     ON CONFLICT (org_id) DO UPDATE SET installed = true, token = $2, token_updated_at = $3, last_position = $4",
                    &[&org, &token, &at, &pos],
                )
                .await?;
        }
        (
            Event::PlanMapped {
                plan_template_id,
                profile,
            },
            _,
        ) => {
            client
                .execute_cached(
                    "INSERT INTO plan_profiles (org_id, plan_template_id, profile, mapped_at, last_position)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (org_id, plan_template_id) DO UPDATE SET profile = $3, mapped_at = $4, last_position = $5",
                    &[&org, plan_template_id, &json(profile)?, &at, &pos],
                )
                .await?;
        }
        (Event::PlanUnmapped { plan_template_id }, _) => {
            client
                .execute_cached(
                    "DELETE FROM plan_profiles WHERE org_id = $1 AND plan_template_id = $2",
                    &[&org, plan_template_id],
                )
                .await?;
        }
        (Event::DefaultProfileSet { profile }, _) => {
            client
                .execute_cached(
                    "INSERT INTO organizations (org_id, installed, default_profile, last_position) VALUES ($1, false, $2, $3)
                     ON CONFLICT (org_id) DO UPDATE SET default_profile = $2, last_position = $3",
                    &[&org, &json(profile)?, &pos],
                )
                .await?;
        }
        (Event::VlanPoolSet { pool }, _) => {
            let (first, last) = (
                pool.map(|p| i32::from(p.first)),
                pool.map(|p| i32::from(p.last)),
            );
            client
                .execute_cached(
                    "INSERT INTO organizations (org_id, installed, vlan_first, vlan_last, last_position) VALUES ($1, false, $2, $3, $4)
                     ON CONFLICT (org_id) DO UPDATE SET vlan_first = $2, vlan_last = $3, last_position = $4",
                    &[&org, &first, &last, &pos],
                )
                .await?;
        }
        (
            Event::SyncCompleted {
                kind,
                users_seen,
                corrected_streams,
                events_appended,
                corrections,
            },
            _,
        ) => {
            client
                .execute_cached(
                    "INSERT INTO sync_runs (global_position, org_id, kind, outcome, users_seen, corrected_streams,
                                            events_appended, corrections, finished_at)
                     VALUES ($1, $2, $3, 'ok', $4, $5, $6, $7, $8)",
                    &[
                        &pos,
                        &org,
                        &kind.as_str(),
                        &(*users_seen as i32),
                        &(*corrected_streams as i32),
                        &(*events_appended as i32),
                        &json(corrections)?,
                        &at,
                    ],
                )
                .await?;
        }
        (Event::SyncFailed { kind, reason }, _) => {
            client
                .execute_cached(
                    "INSERT INTO sync_runs (global_position, org_id, kind, outcome, reason, finished_at)
                     VALUES ($1, $2, $3, 'failed', $4, $5)",
                    &[&pos, &org, &kind.as_str(), reason, &at],
                )
                .await?;
            notify(
                client,
                recorded,
                "sync_failed",
                kind.as_str(),
                &format!("The {} sync with Optix failed: {reason}", kind.as_str()),
            )
            .await?;
        }
        (
            Event::LocationMapped {
                location_id,
                settings,
            },
            _,
        ) => {
            let roaming = json(&settings.roaming)?;
            let roaming = roaming.as_str().unwrap_or_default().to_owned();
            client
                .execute_cached(
                    "INSERT INTO locations (org_id, location_id, mapped, name, network_name, timezone, vlan_first, vlan_last,
                                            roaming, updated_at, last_position)
                     VALUES ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (org_id, location_id) DO UPDATE SET mapped = true, name = $3, network_name = $4,
                         timezone = $5, vlan_first = $6, vlan_last = $7, roaming = $8, updated_at = $9, last_position = $10",
                    &[
                        &org,
                        location_id,
                        &settings.name,
                        &settings.network_name,
                        &settings.timezone,
                        &settings.vlan_pool.map(|p| i32::from(p.first)),
                        &settings.vlan_pool.map(|p| i32::from(p.last)),
                        &roaming,
                        &at,
                        &pos,
                    ],
                )
                .await?;
        }
        (Event::LocationUnmapped { location_id }, _) => {
            client
                .execute_cached(
                    "UPDATE locations SET mapped = false, updated_at = $3, last_position = $4
                     WHERE org_id = $1 AND location_id = $2",
                    &[&org, location_id, &at, &pos],
                )
                .await?;
        }
        (
            Event::UnmappedLocationUsed {
                location_id,
                user_id,
                at: used_at,
            },
            _,
        ) => {
            client
                .execute_cached(
                    "INSERT INTO locations (org_id, location_id, mapped, unmapped_uses, last_unmapped_use, last_unmapped_user,
                                            updated_at, last_position)
                     VALUES ($1, $2, false, 1, $3, $4, $5, $6)
                     ON CONFLICT (org_id, location_id) DO UPDATE SET unmapped_uses = locations.unmapped_uses + 1,
                         last_unmapped_use = $3, last_unmapped_user = $4, updated_at = $5, last_position = $6",
                    &[&org, location_id, used_at, user_id, &at, &pos],
                )
                .await?;
            notify(
                client,
                recorded,
                "unmapped_location",
                location_id,
                &format!(
                    "A tenant asked for WiFi at Optix location {location_id}, which is not mapped to a Lanyard location."
                ),
            )
            .await?;
        }
        (
            Event::GroupCreated {
                team_id,
                name,
                vlan,
            },
            _,
        ) => {
            client
                .execute_cached(
                    "INSERT INTO groups (org_id, team_id, name, vlan, created_at, last_position) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[&org, team_id, name, &vlan.map(i32::from), &at, &pos],
                )
                .await?;
            if vlan.is_none() {
                notify(
                    client,
                    recorded,
                    "group_without_vlan",
                    team_id,
                    &format!(
                        "Team {name} ({team_id}) has no VLAN: configure a VLAN pool for the organization or its members' location, or free one."
                    ),
                )
                .await?;
            }
        }
        (Event::GroupRenamed { name }, StreamId::Group { team_id, .. }) => {
            client
                .execute_cached(
                    "UPDATE groups SET name = $3, last_position = $4 WHERE org_id = $1 AND team_id = $2",
                    &[&org, team_id, name, &pos],
                )
                .await?;
        }
        (Event::GroupVlanAssigned { vlan }, StreamId::Group { team_id, .. }) => {
            client
                .execute_cached(
                    "UPDATE groups SET vlan = $3, last_position = $4 WHERE org_id = $1 AND team_id = $2",
                    &[&org, team_id, &i32::from(*vlan), &pos],
                )
                .await?;
        }
        (Event::GroupDeleted { team_id }, _) => {
            client
                .execute_cached(
                    "DELETE FROM groups WHERE org_id = $1 AND team_id = $2",
                    &[&org, team_id],
                )
                .await?;
        }
        (Event::AppUninstalled { .. }, _) => {
            client
                .execute_cached(
                    "UPDATE organizations SET installed = false, token = NULL, token_updated_at = $2, last_position = $3
                     WHERE org_id = $1",
                    &[&org, &at, &pos],
                )
                .await?;
        }
        (
            Event::AccountOpened {
                home_location,
                via,
                email_hash,
                profile,
                ..
            },
            StreamId::Member { user_id: user, .. },
        ) => {
            let via = serde_json::to_value(via).map_err(|e| StoreError::Config(e.to_string()))?;
            let via = via.as_str().unwrap_or_default().to_owned();
            // Reopening after a deletion starts from a clean row.
            client
                .execute_cached(
                    "DELETE FROM member_grants WHERE org_id = $1 AND user_id = $2",
                    &[&org, &user],
                )
                .await?;
            client
                .execute_cached(
                    "INSERT INTO members (org_id, user_id, home_location, onboarded_via, status, email_hash, profile,
                                          opened_at, updated_at, last_position)
                     VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $7, $8)
                     ON CONFLICT (org_id, user_id) DO UPDATE SET home_location = $3, onboarded_via = $4, status = 'active',
                         email_hash = $5, profile = $6, passphrase = NULL, passphrase_hash = NULL, team_id = NULL,
                         opened_at = $7, updated_at = $7, last_position = $8",
                    &[&org, &user, home_location, &via, email_hash, &json(profile)?, &at, &pos],
                )
                .await?;
        }
        (
            Event::ProfileChanged {
                email_hash,
                profile,
            },
            StreamId::Member { user_id: user, .. },
        ) => {
            update_member(
                client,
                org,
                user,
                "email_hash = $5, profile = $6",
                &[email_hash, &json(profile)?],
                at,
                pos,
            )
            .await?;
        }
        (
            Event::PassphraseIssued {
                passphrase,
                lookup_hash,
            }
            | Event::PassphraseChanged {
                passphrase,
                lookup_hash,
                ..
            },
            StreamId::Member { user_id: user, .. },
        ) => {
            update_member(
                client,
                org,
                user,
                "passphrase = $5, passphrase_hash = $6",
                &[&json(passphrase)?, lookup_hash],
                at,
                pos,
            )
            .await?;
        }
        (
            Event::AccessGranted {
                grant,
                location_id,
                valid_from,
                valid_until,
                network,
            },
            StreamId::Member { user_id: user, .. },
        ) => {
            let network = network.as_ref().map(json).transpose()?;
            client
                .execute_cached(
                    "INSERT INTO member_grants (org_id, user_id, basis, source_id, location_id, valid_from, valid_until, granted_at, network)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (org_id, user_id, basis, source_id) DO UPDATE
                     SET location_id = $5, valid_from = $6, valid_until = $7, granted_at = $8, network = $9",
                    &[&org, &user, &grant.basis.as_str(), &grant.source_id, location_id, valid_from, valid_until, &at, &network],
                )
                .await?;
            touch_member(client, org, user, at, pos).await?;
        }
        (Event::AccessRevoked { grant, .. }, StreamId::Member { user_id: user, .. }) => {
            client
                .execute_cached(
                    "DELETE FROM member_grants WHERE org_id = $1 AND user_id = $2 AND basis = $3 AND source_id = $4",
                    &[&org, &user, &grant.basis.as_str(), &grant.source_id],
                )
                .await?;
            touch_member(client, org, user, at, pos).await?;
        }
        (Event::AccountBound { location_id }, StreamId::Member { user_id: user, .. }) => {
            update_member(
                client,
                org,
                user,
                "home_location = $5",
                &[location_id],
                at,
                pos,
            )
            .await?;
        }
        (Event::AccountSuspended, StreamId::Member { user_id: user, .. }) => {
            update_member(client, org, user, "status = $5", &[&"suspended"], at, pos).await?;
        }
        (Event::AccountResumed, StreamId::Member { user_id: user, .. }) => {
            update_member(client, org, user, "status = $5", &[&"active"], at, pos).await?;
        }
        (Event::JoinedGroup { team_id }, StreamId::Member { user_id: user, .. }) => {
            update_member(client, org, user, "team_id = $5", &[team_id], at, pos).await?;
        }
        (Event::LeftGroup { .. }, StreamId::Member { user_id: user, .. }) => {
            update_member(client, org, user, "team_id = NULL", &[], at, pos).await?;
        }
        (Event::AccountDeleted, StreamId::Member { user_id: user, .. }) => {
            client
                .execute_cached(
                    "DELETE FROM member_grants WHERE org_id = $1 AND user_id = $2",
                    &[&org, &user],
                )
                .await?;
            client
                .execute_cached(
                    "DELETE FROM members WHERE org_id = $1 AND user_id = $2",
                    &[&org, &user],
                )
                .await?;
        }
        (event, _) => {
            return Err(StoreError::Corrupt {
                position: pos,
                reason: format!("{} does not belong on stream {stream}", event.type_name()),
            });
        }
    }
    Ok(())
}

/// A row in the admins' notification box, raised by `recorded`.
async fn notify(
    client: &impl GenericClient,
    recorded: &RecordedEvent,
    kind: &str,
    subject: &str,
    message: &str,
) -> Result<(), StoreError> {
    client
        .execute_cached(
            "INSERT INTO notifications (global_position, org_id, kind, subject, message, raised_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &recorded.global_position,
                &recorded.org_id,
                &kind,
                &subject,
                &message,
                &recorded.recorded_at,
            ],
        )
        .await?;
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Config(e.to_string()))
}

async fn touch_member(
    client: &impl GenericClient,
    org: &str,
    user: &str,
    at: chrono::DateTime<chrono::Utc>,
    pos: i64,
) -> Result<(), StoreError> {
    update_member(client, org, user, "status = status", &[], at, pos).await
}

/// `UPDATE members SET <assignments>, updated_at, last_position` where the assignments use
/// parameters from $5 on.
async fn update_member(
    client: &impl GenericClient,
    org: &str,
    user: &str,
    assignments: &str,
    values: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    at: chrono::DateTime<chrono::Utc>,
    pos: i64,
) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE members SET {assignments}, updated_at = $3, last_position = $4 WHERE org_id = $1 AND user_id = $2"
    );
    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&org, &user, &at, &pos];
    params.extend_from_slice(values);
    client.execute_cached(sql.as_str(), &params).await?;
    Ok(())
}
