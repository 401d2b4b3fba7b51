//! WiFi accounts (`members`) and their grants (`member_grants`).

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Set, Table, misplaced};
use crate::read_models::groups::GroupView;
use crate::read_models::rows::{enum_text, from_json, sealed, select, select_opt, vlan_from_db};
use crate::recorded::RecordedEvent;
use crate::statements::CachedStatements;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::access::DesiredGrant;
use domain::live_access::{self, AccessState, Validity};
use domain::{Event, GrantKey, GrantNetwork, Sealed, StreamId};
use tokio_postgres::types::ToSql;

pub const PROJECTION: Projection = Projection::new("members", &[&MEMBERS, &MEMBER_GRANTS], ops);

pub const MEMBERS: Table = Table {
    name: "members",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("user_id", "text"),
        Column::new("home_location", "text"),
        Column::new("onboarded_via", "text"),
        Column::new("status", "text"),
        Column::new("email_hash", "text"),
        Column::new("profile", "jsonb"),
        Column::new("passphrase", "jsonb"),
        Column::new("passphrase_hash", "text"),
        Column::new("team_id", "text"),
        Column::new("opened_at", "timestamptz"),
        Column::new("updated_at", "timestamptz"),
        Column::new("last_position", "bigint"),
    ],
    key: 2,
};

pub const MEMBER_GRANTS: Table = Table {
    name: "member_grants",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("user_id", "text"),
        Column::new("basis", "text"),
        Column::new("source_id", "text"),
        Column::new("location_id", "text"),
        Column::new("valid_from", "timestamptz"),
        Column::new("valid_until", "timestamptz"),
        Column::new("granted_at", "timestamptz"),
        Column::new("network", "jsonb"),
    ],
    key: 4,
};

#[derive(Clone, Debug, PartialEq)]
pub struct GrantView {
    pub basis: String,
    pub source_id: String,
    pub location_id: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub network: Option<GrantNetwork>,
}

impl GrantView {
    pub fn validity(&self) -> Validity {
        Validity {
            from: self.valid_from,
            until: self.valid_until,
        }
    }

    /// See [`Validity::is_live_at`].
    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        self.validity().is_live_at(now)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemberView {
    pub org_id: String,
    pub user_id: String,
    pub home_location: Option<String>,
    pub onboarded_via: String,
    pub status: String,
    pub team_id: Option<String>,
    pub profile: Sealed,
    pub passphrase: Option<Sealed>,
    pub opened_at: DateTime<Utc>,
    /// The last change to the account's own row (status, profile, passphrase, team, home);
    /// grants and revocations are in `grants`.
    pub updated_at: DateTime<Utc>,
    pub grants: Vec<GrantView>,
    /// The team's group, when the member is in one.
    pub group: Option<GroupView>,
}

impl MemberView {
    /// The grants valid at `now`.
    pub fn live_grants(&self, now: DateTime<Utc>) -> impl Iterator<Item = &GrantView> {
        self.grants.iter().filter(move |g| g.is_live_at(now))
    }

    /// Live, upcoming or none (see [`live_access::access_state`]).
    pub fn access_state(&self, now: DateTime<Utc>) -> AccessState {
        live_access::access_state(self.grants.iter().map(GrantView::validity), now)
    }

    /// The VLAN the member's key puts them on (see [`live_access::vlan`]).
    pub fn vlan(&self, now: DateTime<Utc>) -> Option<u16> {
        live_access::vlan(
            self.group.as_ref().and_then(|g| g.vlan),
            self.grants
                .iter()
                .map(|g| (g.validity(), g.network.as_ref().and_then(|n| n.vlan))),
            now,
        )
    }

    /// The end of access if nothing changes (see [`live_access::access_until`]).
    pub fn access_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        live_access::access_until(self.grants.iter().map(GrantView::validity), now)
    }

    /// When the current access began (see [`live_access::access_from`]).
    pub fn access_from(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        live_access::access_from(self.grants.iter().map(GrantView::validity), now)
    }
}

const MEMBER_COLUMNS: &str =
    "m.org_id, m.user_id, m.home_location, m.onboarded_via, m.status, m.team_id, m.profile,
     m.passphrase, m.opened_at, m.updated_at, g.name, g.vlan";

/// Members `m` with their group `g`, what [`MEMBER_COLUMNS`] selects from.
const MEMBERS_WITH_GROUPS: &str =
    "FROM members m LEFT JOIN groups g ON g.org_id = m.org_id AND g.team_id = m.team_id";

const GRANT_COLUMNS: &str =
    "org_id, user_id, basis, source_id, location_id, valid_from, valid_until, network";

/// Members (`m`, with their group `g`) selected by `member_where` (a WHERE clause and its
/// ORDER BY, over `params`), with their grants. `org_id` is the organization the clause keeps
/// to, if it keeps to one.
async fn select_members(
    client: &impl GenericClient,
    member_where: &str,
    params: &[&(dyn ToSql + Sync)],
    org_id: Option<&str>,
) -> Result<Vec<MemberView>, StoreError> {
    let rows = client
        .query_cached(
            &format!("SELECT {MEMBER_COLUMNS} {MEMBERS_WITH_GROUPS} WHERE {member_where}"),
            params,
        )
        .await?;
    let user_ids: Vec<String> = match org_id {
        Some(_) => rows.iter().map(|r| r.get(1)).collect(),
        None => Vec::new(),
    };
    // With no organization (the CLI's list of everything) the grants are read whole.
    let grant_rows = client
        .query_cached(
            &format!(
                "SELECT {GRANT_COLUMNS} FROM member_grants
                 WHERE $1::text IS NULL OR (org_id = $1 AND user_id = ANY($2))
                 ORDER BY org_id, user_id, basis, source_id"
            ),
            &[&org_id, &user_ids],
        )
        .await?;
    members_from_rows(rows, &grant_rows)
}

/// Members with their grants, ordered by organization and user id.
pub async fn list_members(
    client: &impl GenericClient,
    org_id: Option<&str>,
) -> Result<Vec<MemberView>, StoreError> {
    select_members(
        client,
        "($1::text IS NULL OR m.org_id = $1) ORDER BY m.org_id, length(m.user_id), m.user_id",
        &[&org_id],
        org_id,
    )
    .await
}

/// One page of an organization's members (in user id order) with their grants, and how many
/// members the organization has in all.
pub async fn members_page(
    client: &impl GenericClient,
    org_id: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MemberView>, i64), StoreError> {
    let total: i64 = client
        .query_one_cached("SELECT count(*) FROM members WHERE org_id = $1", &[&org_id])
        .await?
        .get(0);
    let page = select_members(
        client,
        "m.org_id = $1 ORDER BY length(m.user_id), m.user_id OFFSET $2 LIMIT $3",
        &[&org_id, &offset, &limit],
        Some(org_id),
    )
    .await?;
    Ok((page, total))
}

/// One member with their grants (what the portal's key page shows). The member's row and
/// their grants are asked for together: one round trip, each statement on its key (no
/// `IS NULL OR` a generic plan could not use the index for).
pub async fn member(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Option<MemberView>, StoreError> {
    let (member_sql, grants_sql) = (
        format!(
            "SELECT {MEMBER_COLUMNS} {MEMBERS_WITH_GROUPS}
             WHERE m.org_id = $1 AND m.user_id = $2"
        ),
        format!(
            "SELECT {GRANT_COLUMNS} FROM member_grants
             WHERE org_id = $1 AND user_id = $2 ORDER BY basis, source_id"
        ),
    );
    let params: [&(dyn ToSql + Sync); 2] = [&org_id, &user_id];
    let (row, grants) = tokio::join!(
        client.query_opt_cached(&member_sql, &params),
        client.query_cached(&grants_sql, &params)
    );
    let Some(row) = row? else {
        return Ok(None);
    };
    Ok(members_from_rows(vec![row], &grants?)?.pop())
}

/// The user whose account has this keyed email hash, if any.
pub async fn member_by_email_hash(
    client: &impl GenericClient,
    org_id: &str,
    email_hash: &str,
) -> Result<Option<String>, StoreError> {
    let found = members_by_email_hash(client, org_id, &[email_hash]).await?;
    Ok(found.into_iter().next().map(|(_, user_id)| user_id))
}

/// The members with these email hashes: (email hash, user id).
pub async fn members_by_email_hash(
    client: &impl GenericClient,
    org_id: &str,
    email_hashes: &[&str],
) -> Result<Vec<(String, String)>, StoreError> {
    select(
        client,
        "SELECT DISTINCT ON (m.email_hash) m.email_hash, m.user_id
           FROM (SELECT DISTINCT unnest($2::text[])) AS wanted(email_hash)
          CROSS JOIN LATERAL (SELECT email_hash, user_id FROM members
                               WHERE org_id = $1 AND email_hash = wanted.email_hash OFFSET 0) AS m
          ORDER BY m.email_hash, m.user_id",
        &[&org_id, &email_hashes],
        |r| (r.get(0), r.get(1)),
    )
    .await
}

/// A `member_grants` row selected as [`GRANT_COLUMNS`].
fn grant_from_row(g: &tokio_postgres::Row) -> Result<GrantView, StoreError> {
    Ok(GrantView {
        basis: g.get(2),
        source_id: g.get(3),
        location_id: g.get(4),
        valid_from: g.get(5),
        valid_until: g.get(6),
        network: g
            .get::<_, Option<serde_json::Value>>(7)
            .map(from_json)
            .transpose()?,
    })
}

fn members_from_rows(
    rows: Vec<tokio_postgres::Row>,
    grant_rows: &[tokio_postgres::Row],
) -> Result<Vec<MemberView>, StoreError> {
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        let org: String = row.get(0);
        let user: String = row.get(1);
        let grants = grant_rows
            .iter()
            .filter(|g| g.get::<_, &str>(0) == org && g.get::<_, &str>(1) == user)
            .map(grant_from_row)
            .collect::<Result<Vec<_>, StoreError>>()?;
        let team_id: Option<String> = row.get(5);
        let group = match (&team_id, row.get::<_, Option<String>>(10)) {
            (Some(team_id), Some(name)) => Some(GroupView {
                team_id: team_id.clone(),
                name,
                vlan: row.get::<_, Option<i32>>(11).and_then(vlan_from_db),
            }),
            _ => None,
        };
        members.push(MemberView {
            org_id: org,
            user_id: user,
            home_location: row.get(2),
            onboarded_via: row.get(3),
            status: row.get(4),
            team_id,
            profile: sealed(row.get(6))?,
            passphrase: row
                .get::<_, Option<serde_json::Value>>(7)
                .map(sealed)
                .transpose()?,
            opened_at: row.get(8),
            updated_at: row.get(9),
            grants,
            group,
        });
    }
    Ok(members)
}

/// Whether another member of the organization already uses a passphrase with this hash.
pub async fn passphrase_taken(
    client: &impl GenericClient,
    org_id: &str,
    lookup_hash: &str,
    except_user: &str,
) -> Result<bool, StoreError> {
    let taken = select_opt(
        client,
        "SELECT 1 FROM members WHERE org_id = $1 AND passphrase_hash = $2 AND user_id <> $3",
        &[&org_id, &lookup_hash, &except_user],
        |_| (),
    )
    .await?;
    Ok(taken.is_some())
}

/// [`passphrase_taken`] for many lookup hashes in one query: the (hash, user id) pairs of the
/// organization's members holding any of `lookup_hashes`.
pub async fn passphrase_holders(
    client: &impl GenericClient,
    org_id: &str,
    lookup_hashes: &[&str],
) -> Result<Vec<(String, String)>, StoreError> {
    select(
        client,
        "SELECT m.passphrase_hash, m.user_id
           FROM (SELECT DISTINCT unnest($2::text[])) AS wanted(passphrase_hash)
          CROSS JOIN LATERAL (SELECT passphrase_hash, user_id FROM members
                               WHERE org_id = $1 AND passphrase_hash = wanted.passphrase_hash
                              OFFSET 0) AS m",
        &[&org_id, &lookup_hashes],
        |r| (r.get(0), r.get(1)),
    )
    .await
}

/// Members holding at least one grant whose validity ended by `now`.
pub async fn members_with_expired_grants(
    client: &impl GenericClient,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    // Ended: `valid_until <= now`, the complement of the end half of `Validity::is_live_at`
    // (filtered in SQL: the scheduler must not read every grant to find the few that ended).
    select(
        client,
        "SELECT DISTINCT org_id, user_id FROM member_grants WHERE valid_until <= $1 LIMIT $2",
        &[&now, &limit],
        |r| (r.get(0), r.get(1)),
    )
    .await
}

/// The earliest grant end still ahead, so the scheduler can sleep until then.
pub async fn next_grant_expiry(
    client: &impl GenericClient,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row = client
        .query_one_cached("SELECT min(valid_until) FROM member_grants", &[])
        .await?;
    Ok(row.get(0))
}

/// Live access at a glance, for the metrics: accounts per organization and status, and live
/// grants per organization and basis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessCounts {
    pub accounts: Vec<(String, String, i64)>,
    pub live_grants: Vec<(String, String, i64)>,
}

pub async fn access_counts(
    client: &impl GenericClient,
    now: DateTime<Utc>,
) -> Result<AccessCounts, StoreError> {
    let triples = |rows: Vec<tokio_postgres::Row>| {
        rows.iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect::<Vec<_>>()
    };
    let accounts = client
        .query_cached(
            "SELECT org_id, status, count(*) FROM members GROUP BY org_id, status",
            &[],
        )
        .await?;
    // `Validity::is_live_at` in SQL (counted in the database: the metrics must not read every
    // grant): started by now, and ending after it.
    let live_grants = client
        .query_cached(
            "SELECT org_id, basis, count(*) FROM member_grants
             WHERE (valid_from IS NULL OR valid_from <= $1) AND (valid_until IS NULL OR valid_until > $1)
             GROUP BY org_id, basis",
            &[&now],
        )
        .await?;
    Ok(AccessCounts {
        accounts: triples(accounts),
        live_grants: triples(live_grants),
    })
}

/// User ids of every account of the organization (open ones: deleted accounts have no row).
pub async fn member_user_ids(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<String>, StoreError> {
    select(
        client,
        "SELECT user_id FROM members WHERE org_id = $1",
        &[&org_id],
        |r| r.get(0),
    )
    .await
}

/// Members whose account is in the team's group.
pub async fn members_in_group(
    client: &impl GenericClient,
    org_id: &str,
    team_id: &str,
) -> Result<Vec<String>, StoreError> {
    select(
        client,
        "SELECT user_id FROM members WHERE org_id = $1 AND team_id = $2",
        &[&org_id, &team_id],
        |r| r.get(0),
    )
    .await
}

/// The member an event is about, and when.
struct Row<'a> {
    key: [&'a str; 2],
    at: DateTime<Utc>,
    pos: i64,
}

impl<'a> Row<'a> {
    /// The row of the member whose stream `recorded` is on.
    fn of(stream: &'a StreamId, recorded: &RecordedEvent) -> Result<Row<'a>, StoreError> {
        match stream {
            StreamId::Member { org_id, user_id } => Ok(Row {
                key: [org_id, user_id],
                at: recorded.recorded_at,
                pos: recorded.global_position,
            }),
            _ => Err(misplaced(stream, recorded)),
        }
    }

    fn key(&self) -> Vec<String> {
        self.key.iter().map(|k| (*k).to_owned()).collect()
    }

    /// Sets columns of the member's row, stamping it.
    fn patch(&self, mut set: Vec<(&'static str, Set)>) -> RowOp {
        set.push(("updated_at", to(cell::time(self.at))));
        set.push(("last_position", to(cell::int(self.pos))));
        RowOp::Patch {
            table: &MEMBERS,
            key: self.key(),
            set,
        }
    }

    /// Deletes the member's grants.
    fn delete_grants(&self) -> RowOp {
        RowOp::Delete {
            table: &MEMBER_GRANTS,
            key_prefix: self.key(),
            matching: Vec::new(),
        }
    }
}

/// The grant's row in `member_grants`. The member's row is left alone: its stamp
/// (`updated_at`, `last_position`) is the last change to the row's own columns, and a plan
/// change touching it cost an index-maintaining UPDATE per webhook (the grant keeps its own
/// `granted_at`).
fn write_grant(
    row: &Row<'_>,
    grant: &GrantKey,
    desired: &DesiredGrant,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let mut key = row.key();
    key.extend([grant.basis.as_str().to_owned(), grant.source_id.clone()]);
    let network = desired.network.as_ref().map(cell::json).transpose()?;
    out.push(RowOp::Upsert {
        table: &MEMBER_GRANTS,
        key,
        set: vec![
            (
                "location_id",
                to(cell::opt_text(desired.location_id.as_ref())),
            ),
            ("valid_from", to(cell::opt_time(desired.valid_from))),
            ("valid_until", to(cell::opt_time(desired.valid_until))),
            ("granted_at", to(cell::time(row.at))),
            ("network", to(network.flatten())),
        ],
        insert_only: Vec::new(),
    });
    Ok(())
}

fn ops(
    stream: &StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let row = || Row::of(stream, recorded);
    match &recorded.event {
        Event::AccountOpened {
            home_location,
            via,
            email_hash,
            profile,
            ..
        } => {
            let row = row()?;
            // Reopening after a deletion starts from a clean row.
            out.push(row.delete_grants());
            let opened = [
                ("home_location", cell::opt_text(home_location.as_ref())),
                ("onboarded_via", cell::text(enum_text(via)?)),
                ("status", cell::text("active")),
                ("email_hash", cell::text(email_hash.as_str())),
                ("profile", cell::json(profile)?),
                ("passphrase", None),
                ("passphrase_hash", None),
                ("team_id", None),
                ("opened_at", cell::time(row.at)),
                ("updated_at", cell::time(row.at)),
                ("last_position", cell::int(row.pos)),
            ];
            out.push(RowOp::Upsert {
                table: &MEMBERS,
                key: row.key(),
                set: opened.into_iter().map(|(c, v)| (c, to(v))).collect(),
                insert_only: Vec::new(),
            });
        }
        Event::AccessGranted { .. } => {
            if let Some((grant, desired)) = DesiredGrant::granted_by(&recorded.event) {
                write_grant(&row()?, &grant, &desired, out)?;
            }
        }
        Event::AccessRevoked { grant, .. } => {
            let row = row()?;
            let mut key = row.key();
            key.extend([grant.basis.as_str().to_owned(), grant.source_id.clone()]);
            out.push(RowOp::Delete {
                table: &MEMBER_GRANTS,
                key_prefix: key,
                matching: Vec::new(),
            });
        }
        Event::AccountDeleted => {
            let row = row()?;
            out.push(row.delete_grants());
            out.push(RowOp::Delete {
                table: &MEMBERS,
                key_prefix: row.key(),
                matching: Vec::new(),
            });
        }
        event => {
            if let Some(set) = column_changes(event)? {
                out.push(row()?.patch(set));
            }
        }
    }
    Ok(())
}

/// The member events that set columns of the account's row and nothing else: those columns.
fn column_changes(event: &Event) -> Result<Option<Vec<(&'static str, Set)>>, StoreError> {
    let text = |value: &String| to(cell::text(value.as_str()));
    Ok(Some(match event {
        Event::ProfileChanged {
            email_hash,
            profile,
        } => vec![
            ("email_hash", text(email_hash)),
            ("profile", to(cell::json(profile)?)),
        ],
        Event::PassphraseIssued {
            passphrase,
            lookup_hash,
        }
        | Event::PassphraseChanged {
            passphrase,
            lookup_hash,
            ..
        } => vec![
            ("passphrase", to(cell::json(passphrase)?)),
            ("passphrase_hash", text(lookup_hash)),
        ],
        Event::AccountBound { location_id } => vec![("home_location", text(location_id))],
        Event::AccountSuspended => vec![("status", to(cell::text("suspended")))],
        Event::AccountResumed => vec![("status", to(cell::text("active")))],
        Event::JoinedGroup { team_id } => vec![("team_id", text(team_id))],
        Event::LeftGroup { .. } => vec![("team_id", to(None))],
        _ => return Ok(None),
    }))
}
