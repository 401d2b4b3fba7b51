//! Team groups and their VLANs.

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Table, misplaced};
use crate::read_models::rows::{select, select_opt, vlan_from_db};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::{Event, StreamId};

pub const PROJECTION: Projection = Projection::new("groups", &[&GROUPS], ops);

pub const GROUPS: Table = Table {
    name: "groups",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("team_id", "text"),
        Column::new("name", "text"),
        Column::new("vlan", "integer"),
        Column::new("created_at", "timestamptz"),
        Column::new("last_position", "bigint"),
    ],
    key: 2,
};

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

fn ops(
    stream: &StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let (org, pos, _) = recorded.row_stamp();
    // Renames and VLAN changes name no team: the stream does.
    let key = |team_id: &str| vec![org.to_owned(), team_id.to_owned()];
    let stream_key = || match stream {
        StreamId::Group { team_id, .. } => Ok(key(team_id)),
        _ => Err(misplaced(stream, recorded)),
    };
    let patch = |column, value| -> Result<RowOp, StoreError> {
        Ok(RowOp::Patch {
            table: &GROUPS,
            key: stream_key()?,
            set: vec![(column, to(value)), ("last_position", to(cell::int(pos)))],
        })
    };
    out.push(match &recorded.event {
        Event::GroupCreated {
            team_id,
            name,
            vlan,
        } => RowOp::Insert {
            table: &GROUPS,
            key: key(team_id),
            columns: vec![
                ("name", cell::text(name.as_str())),
                ("vlan", vlan.and_then(cell::int)),
                ("created_at", cell::time(recorded.recorded_at)),
                ("last_position", cell::int(pos)),
            ],
        },
        Event::GroupRenamed { name } => patch("name", cell::text(name.as_str()))?,
        Event::GroupVlanAssigned { vlan } => patch("vlan", cell::int(*vlan))?,
        Event::GroupDeleted { team_id } => RowOp::Delete {
            table: &GROUPS,
            key_prefix: key(team_id),
            matching: Vec::new(),
        },
        _ => return Ok(()),
    });
    Ok(())
}
