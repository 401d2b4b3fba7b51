//! Team groups and their VLANs.

use crate::error::StoreError;
use crate::projection::{Projection, misplaced};
use crate::read_models::rows::{execute, select, select_opt, vlan_from_db};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::{Event, StreamId};

pub const PROJECTION: Projection =
    Projection::new("groups", &["groups"], |tx, stream, recorded| {
        Box::pin(write(tx, stream, recorded))
    });

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    pub team_id: String,
    pub name: String,
    pub vlan: Option<u16>,
}

/// A `groups` row selected as (team_id, name, vlan).
fn group_from_row(r: &tokio_postgres::Row) -> GroupView {
    GroupView {
        team_id: r.get(0),
        name: r.get(1),
        vlan: r.get::<_, Option<i32>>(2).and_then(vlan_from_db),
    }
}

pub async fn group(
    client: &impl GenericClient,
    org_id: &str,
    team_id: &str,
) -> Result<Option<GroupView>, StoreError> {
    select_opt(
        client,
        "SELECT team_id, name, vlan FROM groups WHERE org_id = $1 AND team_id = $2",
        &[&org_id, &team_id],
        group_from_row,
    )
    .await
}

/// Every live group of the organization with its VLAN and member count.
pub async fn groups(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<(GroupView, i64)>, StoreError> {
    select(
        client,
        "SELECT g.team_id, g.name, g.vlan, count(m.user_id) FROM groups g
         LEFT JOIN members m ON m.org_id = g.org_id AND m.team_id = g.team_id
         WHERE g.org_id = $1 GROUP BY g.team_id, g.name, g.vlan ORDER BY g.name",
        &[&org_id],
        |r| (group_from_row(r), r.get(3)),
    )
    .await
}

/// VLANs held by the organization's live groups.
pub async fn vlans_in_use(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<u16>, StoreError> {
    let vlans = select(
        client,
        "SELECT vlan FROM groups WHERE org_id = $1 AND vlan IS NOT NULL",
        &[&org_id],
        |r| vlan_from_db(r.get(0)),
    )
    .await?;
    Ok(vlans.into_iter().flatten().collect())
}

/// Team ids of the organization's live groups whose last event is at or before `written_up_to`.
pub async fn group_team_ids(
    client: &impl GenericClient,
    org_id: &str,
    written_up_to: i64,
) -> Result<Vec<String>, StoreError> {
    select(
        client,
        "SELECT team_id FROM groups WHERE org_id = $1 AND last_position <= $2",
        &[&org_id, &written_up_to],
        |r| r.get(0),
    )
    .await
}

async fn write(
    client: &impl GenericClient,
    stream: &StreamId,
    recorded: &RecordedEvent,
) -> Result<(), StoreError> {
    let (pos, org) = (recorded.global_position, recorded.org_id.as_str());
    // Renames and VLAN changes name no team: the stream does.
    let team = || match stream {
        StreamId::Group { team_id, .. } => Ok(team_id),
        _ => Err(misplaced(stream, recorded)),
    };
    match &recorded.event {
        Event::GroupCreated {
            team_id,
            name,
            vlan,
        } => {
            execute(
                client,
                "INSERT INTO groups (org_id, team_id, name, vlan, created_at, last_position) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&org, team_id, name, &vlan.map(i32::from), &recorded.recorded_at, &pos],
            )
            .await
        }
        Event::GroupRenamed { name } => {
            execute(
                client,
                "UPDATE groups SET name = $3, last_position = $4 WHERE org_id = $1 AND team_id = $2",
                &[&org, team()?, name, &pos],
            )
            .await
        }
        Event::GroupVlanAssigned { vlan } => {
            execute(
                client,
                "UPDATE groups SET vlan = $3, last_position = $4 WHERE org_id = $1 AND team_id = $2",
                &[&org, team()?, &i32::from(*vlan), &pos],
            )
            .await
        }
        Event::GroupDeleted { team_id } => {
            execute(
                client,
                "DELETE FROM groups WHERE org_id = $1 AND team_id = $2",
                &[&org, team_id],
            )
            .await
        }
        _ => Ok(()),
    }
}
