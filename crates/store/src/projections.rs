//! Projections: tables derived from events. `apply` is the one code path for live appends and
//! for replay, and uses only what the event carries (never the clock), so a rebuild from
//! position 0 yields identical rows.

use crate::event_log::{RecordedEvent, StoreError};
use domain::{Event, StreamId};
use tokio_postgres::GenericClient;

pub const PROJECTION_TABLES: &[&str] = &["organizations", "members", "member_grants"];

pub async fn apply(
    client: &impl GenericClient,
    stream: &StreamId,
    recorded: &RecordedEvent,
) -> Result<(), StoreError> {
    let org = stream.org_id();
    let pos = recorded.global_position;
    let at = recorded.recorded_at;
    match (&recorded.event, stream.user_id()) {
        (
            Event::IntegrationConfigured { token, .. }
            | Event::OrganizationTokenRotated { token, .. },
            _,
        ) => {
            let token = json(token)?;
            client
                .execute(
                    "INSERT INTO organizations (org_id, installed, token, token_updated_at, last_position)
                     VALUES ($1, true, $2, $3, $4)
                     ON CONFLICT (org_id) DO UPDATE SET installed = true, token = $2, token_updated_at = $3, last_position = $4",
                    &[&org, &token, &at, &pos],
                )
                .await?;
        }
        (Event::AppUninstalled { .. }, _) => {
            client
                .execute(
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
            Some(user),
        ) => {
            let via = serde_json::to_value(via).map_err(|e| StoreError::Config(e.to_string()))?;
            let via = via.as_str().unwrap_or_default().to_owned();
            // Reopening after a deletion starts from a clean row.
            client
                .execute(
                    "DELETE FROM member_grants WHERE org_id = $1 AND user_id = $2",
                    &[&org, &user],
                )
                .await?;
            client
                .execute(
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
            Some(user),
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
            },
            Some(user),
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
            },
            Some(user),
        ) => {
            client
                .execute(
                    "INSERT INTO member_grants (org_id, user_id, basis, source_id, location_id, valid_from, valid_until, granted_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (org_id, user_id, basis, source_id) DO UPDATE
                     SET location_id = $5, valid_from = $6, valid_until = $7, granted_at = $8",
                    &[&org, &user, &grant.basis.as_str(), &grant.source_id, location_id, valid_from, valid_until, &at],
                )
                .await?;
            touch_member(client, org, user, at, pos).await?;
        }
        (Event::AccessRevoked { grant, .. }, Some(user)) => {
            client
                .execute(
                    "DELETE FROM member_grants WHERE org_id = $1 AND user_id = $2 AND basis = $3 AND source_id = $4",
                    &[&org, &user, &grant.basis.as_str(), &grant.source_id],
                )
                .await?;
            touch_member(client, org, user, at, pos).await?;
        }
        (Event::AccountSuspended, Some(user)) => {
            update_member(client, org, user, "status = $5", &[&"suspended"], at, pos).await?;
        }
        (Event::AccountResumed, Some(user)) => {
            update_member(client, org, user, "status = $5", &[&"active"], at, pos).await?;
        }
        (Event::JoinedGroup { team_id }, Some(user)) => {
            update_member(client, org, user, "team_id = $5", &[team_id], at, pos).await?;
        }
        (Event::LeftGroup { .. }, Some(user)) => {
            update_member(client, org, user, "team_id = NULL", &[], at, pos).await?;
        }
        (Event::AccountDeleted, Some(user)) => {
            client
                .execute(
                    "DELETE FROM member_grants WHERE org_id = $1 AND user_id = $2",
                    &[&org, &user],
                )
                .await?;
            client
                .execute(
                    "DELETE FROM members WHERE org_id = $1 AND user_id = $2",
                    &[&org, &user],
                )
                .await?;
        }
        (event, None) => {
            return Err(StoreError::Corrupt {
                position: pos,
                reason: format!("{} does not belong on stream {stream}", event.type_name()),
            });
        }
    }
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
    client.execute(sql.as_str(), &params).await?;
    Ok(())
}
