//! The access profile each mapped plan template gives.

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Table};
use crate::read_models::rows::{from_json, select};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::Event;
use domain::policy::AccessProfile;

pub const PROJECTION: Projection = Projection::new("plan_profiles", &[&PLAN_PROFILES], ops);

pub const PLAN_PROFILES: Table = Table {
    name: "plan_profiles",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("plan_template_id", "text"),
        Column::new("profile", "jsonb"),
        Column::new("mapped_at", "timestamptz"),
        Column::new("last_position", "bigint"),
    ],
    key: 2,
};

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

fn ops(
    _: &domain::StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let key = |plan: &str| vec![recorded.org_id.clone(), plan.to_owned()];
    out.push(match &recorded.event {
        Event::PlanMapped {
            plan_template_id,
            profile,
        } => RowOp::Upsert {
            table: &PLAN_PROFILES,
            key: key(plan_template_id),
            set: vec![
                ("profile", to(cell::json(profile)?)),
                ("mapped_at", to(cell::time(recorded.recorded_at))),
                ("last_position", to(cell::int(recorded.global_position))),
            ],
            insert_only: Vec::new(),
        },
        Event::PlanUnmapped { plan_template_id } => RowOp::Delete {
            table: &PLAN_PROFILES,
            key_prefix: key(plan_template_id),
            matching: Vec::new(),
        },
        _ => return Ok(()),
    });
    Ok(())
}
