//! The access profile each mapped plan template gives.

use crate::error::StoreError;
use crate::projection::Projection;
use crate::read_models::rows::{execute, from_json, json, select};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::Event;
use domain::policy::AccessProfile;

pub const PROJECTION: Projection =
    Projection::new("plan_profiles", &["plan_profiles"], |tx, _, recorded| {
        Box::pin(write(tx, recorded))
    });

/// Plan templates with a profile of their own.
pub async fn plan_profiles(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<(String, AccessProfile)>, StoreError> {
    let profiles = select(
        client,
        "SELECT plan_template_id, profile FROM plan_profiles WHERE org_id = $1
         ORDER BY length(plan_template_id), plan_template_id",
        &[&org_id],
        |r| Ok((r.get(0), from_json(r.get(1))?)),
    )
    .await?;
    profiles.into_iter().collect()
}

async fn write(client: &impl GenericClient, recorded: &RecordedEvent) -> Result<(), StoreError> {
    let org = recorded.org_id.as_str();
    match &recorded.event {
        Event::PlanMapped {
            plan_template_id,
            profile,
        } => {
            execute(
                client,
                "INSERT INTO plan_profiles (org_id, plan_template_id, profile, mapped_at, last_position)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (org_id, plan_template_id) DO UPDATE SET profile = $3, mapped_at = $4, last_position = $5",
                &[&org, plan_template_id, &json(profile)?, &recorded.recorded_at, &recorded.global_position],
            )
            .await
        }
        Event::PlanUnmapped { plan_template_id } => {
            execute(
                client,
                "DELETE FROM plan_profiles WHERE org_id = $1 AND plan_template_id = $2",
                &[&org, plan_template_id],
            )
            .await
        }
        _ => Ok(()),
    }
}
