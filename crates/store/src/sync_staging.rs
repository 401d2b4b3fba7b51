//! A running full sync's working set in PostgreSQL (migration 0028): the organization's live
//! plans, read before its users, and the users it has seen. The sync reads Optix's users a page
//! at a time and finds each page's plans here, so it never holds the whole organization in
//! memory; at the end, whoever the log has an account for and the sync never saw is gone.

use crate::error::StoreError;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::access::{PlanFact, PlanStatus};

/// One sync's rows: the id from [`begin`], removed by [`finish`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncId(i64);

/// A new sync's id; rows a crashed sync left behind a day ago are removed first.
pub async fn begin(client: &impl GenericClient) -> Result<SyncId, StoreError> {
    for table in ["sync_staged_plans", "sync_seen_users"] {
        client
            .execute(
                &format!("DELETE FROM {table} WHERE staged_at < now() - interval '1 day'"),
                &[],
            )
            .await?;
    }
    let row = client
        .query_one("SELECT nextval('sync_staging_ids')", &[])
        .await?;
    Ok(SyncId(row.get(0)))
}

/// Removes the sync's rows (whatever its outcome).
pub async fn finish(client: &impl GenericClient, sync: SyncId) -> Result<(), StoreError> {
    for table in ["sync_staged_plans", "sync_seen_users"] {
        client
            .execute(
                &format!("DELETE FROM {table} WHERE sync_id = $1"),
                &[&sync.0],
            )
            .await?;
    }
    Ok(())
}

fn status_text(status: &PlanStatus) -> &'static str {
    match status {
        PlanStatus::Active => "active",
        PlanStatus::InTrial => "in_trial",
        PlanStatus::Other => "other",
    }
}

fn status_of(text: &str) -> PlanStatus {
    match text {
        "active" => PlanStatus::Active,
        "in_trial" => PlanStatus::InTrial,
        _ => PlanStatus::Other,
    }
}

/// Stages one page of plans, each with its holder; `first_ordinal` is the first one's place
/// in the platform's list (a member's plans are read back in that order).
pub async fn stage_plans(
    client: &impl GenericClient,
    sync: SyncId,
    first_ordinal: i64,
    plans: &[(String, PlanFact)],
) -> Result<(), StoreError> {
    let ordinals: Vec<i64> = (first_ordinal..).take(plans.len()).collect();
    let users: Vec<&str> = plans.iter().map(|(user, _)| user.as_str()).collect();
    let plan_ids: Vec<&str> = plans
        .iter()
        .map(|(_, p)| p.account_plan_id.as_str())
        .collect();
    let templates: Vec<&str> = plans
        .iter()
        .map(|(_, p)| p.plan_template_id.as_str())
        .collect();
    let statuses: Vec<&str> = plans.iter().map(|(_, p)| status_text(&p.status)).collect();
    let starts: Vec<Option<DateTime<Utc>>> = plans.iter().map(|(_, p)| p.start).collect();
    let ends: Vec<Option<DateTime<Utc>>> = plans.iter().map(|(_, p)| p.end).collect();
    let everywhere: Vec<bool> = plans.iter().map(|(_, p)| p.in_all_locations).collect();
    let locations: Vec<serde_json::Value> = plans
        .iter()
        .map(|(_, p)| serde_json::Value::from(p.location_ids.clone()))
        .collect();
    client
        .execute(
            "INSERT INTO sync_staged_plans (sync_id, ordinal, user_id, account_plan_id,
                 plan_template_id, status, start_at, end_at, in_all_locations, location_ids)
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[],
                 $6::text[], $7::timestamptz[], $8::timestamptz[], $9::boolean[], $10::jsonb[])",
            &[
                &sync.0,
                &ordinals,
                &users,
                &plan_ids,
                &templates,
                &statuses,
                &starts,
                &ends,
                &everywhere,
                &locations,
            ],
        )
        .await?;
    Ok(())
}

/// The staged plans of `users`, each with its holder, in the platform's order.
pub async fn plans_of(
    client: &impl GenericClient,
    sync: SyncId,
    users: &[&str],
) -> Result<Vec<(String, PlanFact)>, StoreError> {
    let rows = client
        .query(
            "SELECT p.user_id, p.account_plan_id, p.plan_template_id, p.status, p.start_at,
                    p.end_at, p.in_all_locations, p.location_ids
               FROM (SELECT DISTINCT unnest($2::text[])) AS wanted(user_id)
              CROSS JOIN LATERAL (SELECT * FROM sync_staged_plans
                                   WHERE sync_id = $1 AND user_id = wanted.user_id OFFSET 0) AS p
              ORDER BY p.ordinal",
            &[&sync.0, &users],
        )
        .await?;
    rows.into_iter()
        .map(|row| {
            let locations: serde_json::Value = row.get(7);
            let location_ids = serde_json::from_value(locations)
                .map_err(|e| StoreError::Unreadable(format!("a staged plan's locations: {e}")))?;
            let status: &str = row.get(3);
            Ok((
                row.get(0),
                PlanFact {
                    account_plan_id: row.get(1),
                    plan_template_id: row.get(2),
                    status: status_of(status),
                    start: row.get(4),
                    end: row.get(5),
                    in_all_locations: row.get(6),
                    location_ids,
                },
            ))
        })
        .collect()
}

/// Records that the sync has seen `users` on the platform's list.
pub async fn record_seen(
    client: &impl GenericClient,
    sync: SyncId,
    users: &[&str],
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO sync_seen_users (sync_id, user_id) SELECT $1, * FROM unnest($2::text[])
             ON CONFLICT DO NOTHING",
            &[&sync.0, &users],
        )
        .await?;
    Ok(())
}

/// Everyone the sync must treat as gone from the platform: the organization's accounts, the
/// holders of staged plans and `also_named`, less the users it has seen; in user id order.
pub async fn unseen(
    client: &impl GenericClient,
    sync: SyncId,
    org_id: &str,
    also_named: &[&str],
) -> Result<Vec<String>, StoreError> {
    let rows = client
        .query(
            "SELECT user_id FROM members WHERE org_id = $2
             UNION SELECT user_id FROM sync_staged_plans WHERE sync_id = $1
             UNION SELECT * FROM unnest($3::text[])
             EXCEPT SELECT user_id FROM sync_seen_users WHERE sync_id = $1
             ORDER BY 1",
            &[&sync.0, &org_id, &also_named],
        )
        .await?;
    Ok(rows.into_iter().map(|row| row.get(0)).collect())
}
