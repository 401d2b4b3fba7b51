//! Reads of projections and key material, for provision, the portal and the CLI.

use crate::event_log::StoreError;
use crate::statements::CachedStatements;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::policy::{AccessProfile, LocationSettings, OrgPolicy, RoamingPolicy, VlanRange};
use domain::{GrantNetwork, Sealed};

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
    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        self.valid_from.is_none_or(|from| from <= now)
            && self.valid_until.is_none_or(|until| now < until)
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

    /// The VLAN the member's key puts them on: their team's group VLAN first (rule 4), else the
    /// VLAN of a live grant's access profile.
    pub fn vlan(&self, now: DateTime<Utc>) -> Option<u16> {
        self.group.as_ref().and_then(|g| g.vlan).or_else(|| {
            self.live_grants(now)
                .filter_map(|g| g.network.as_ref().and_then(|n| n.vlan))
                .min()
        })
    }

    /// The end of access if nothing changes: `None` when a live grant has no end (or there is
    /// no live grant; see [`MemberView::live_grants`]).
    pub fn access_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut until = None;
        for grant in self.live_grants(now) {
            match grant.valid_until {
                None => return None,
                Some(end) => until = Some(until.map_or(end, |u: DateTime<Utc>| u.max(end))),
            }
        }
        until
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    pub team_id: String,
    pub name: String,
    pub vlan: Option<u16>,
}

fn sealed(value: serde_json::Value) -> Result<Sealed, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt {
        position: -1,
        reason: e.to_string(),
    })
}

const MEMBER_COLUMNS: &str =
    "m.org_id, m.user_id, m.home_location, m.onboarded_via, m.status, m.team_id, m.profile,
     m.passphrase, m.opened_at, m.updated_at, g.name, g.vlan";

/// Members with their grants, ordered by organization and user id.
pub async fn list_members(
    client: &impl GenericClient,
    org_id: Option<&str>,
) -> Result<Vec<MemberView>, StoreError> {
    let rows = client
        .query_cached(
            &format!(
                "SELECT {MEMBER_COLUMNS} FROM members m
                 LEFT JOIN groups g ON g.org_id = m.org_id AND g.team_id = m.team_id
                 WHERE ($1::text IS NULL OR m.org_id = $1)
                 ORDER BY m.org_id, length(m.user_id), m.user_id"
            ),
            &[&org_id],
        )
        .await?;
    let grant_rows = client
        .query_cached(
            "SELECT org_id, user_id, basis, source_id, location_id, valid_from, valid_until, network
             FROM member_grants WHERE ($1::text IS NULL OR org_id = $1)
             ORDER BY org_id, user_id, basis, source_id",
            &[&org_id],
        )
        .await?;
    members_from_rows(rows, &grant_rows)
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
    let rows = client
        .query_cached(
            &format!(
                "SELECT {MEMBER_COLUMNS} FROM members m
                 LEFT JOIN groups g ON g.org_id = m.org_id AND g.team_id = m.team_id
                 WHERE m.org_id = $1
                 ORDER BY length(m.user_id), m.user_id OFFSET $2 LIMIT $3"
            ),
            &[&org_id, &offset, &limit],
        )
        .await?;
    let user_ids: Vec<String> = rows.iter().map(|r| r.get(1)).collect();
    let grant_rows = client
        .query_cached(
            "SELECT org_id, user_id, basis, source_id, location_id, valid_from, valid_until, network
             FROM member_grants WHERE org_id = $1 AND user_id = ANY($2)
             ORDER BY org_id, user_id, basis, source_id",
            &[&org_id, &user_ids],
        )
        .await?;
    Ok((members_from_rows(rows, &grant_rows)?, total))
}

/// One member with their grants (what the portal's key page shows).
pub async fn member(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Option<MemberView>, StoreError> {
    let rows = client
        .query_cached(
            &format!(
                "SELECT {MEMBER_COLUMNS} FROM members m
                 LEFT JOIN groups g ON g.org_id = m.org_id AND g.team_id = m.team_id
                 WHERE m.org_id = $1 AND m.user_id = $2"
            ),
            &[&org_id, &user_id],
        )
        .await?;
    let grant_rows = client
        .query_cached(
            "SELECT org_id, user_id, basis, source_id, location_id, valid_from, valid_until, network
             FROM member_grants WHERE org_id = $1 AND user_id = $2 ORDER BY basis, source_id",
            &[&org_id, &user_id],
        )
        .await?;
    Ok(members_from_rows(rows, &grant_rows)?.pop())
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
    let rows = client
        .query_cached(
            "SELECT DISTINCT ON (email_hash) email_hash, user_id FROM members
             WHERE org_id = $1 AND email_hash = ANY($2) ORDER BY email_hash, user_id",
            &[&org_id, &email_hashes],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
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
            .map(|g| {
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
            })
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

pub async fn member_key(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Option<Sealed>, StoreError> {
    let row = client
        .query_opt_cached(
            "SELECT wrapped_key FROM member_keys WHERE org_id = $1 AND user_id = $2",
            &[&org_id, &user_id],
        )
        .await?;
    row.map(|r| sealed(r.get(0))).transpose()
}

/// Stores a freshly wrapped member key unless one exists; returns the key in force.
pub async fn insert_member_key(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
    wrapped: &Sealed,
) -> Result<Sealed, StoreError> {
    let value = serde_json::to_value(wrapped).map_err(|e| StoreError::Config(e.to_string()))?;
    client
        .execute_cached(
            "INSERT INTO member_keys (org_id, user_id, wrapped_key) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, user_id) DO NOTHING",
            &[&org_id, &user_id, &value],
        )
        .await?;
    member_key(client, org_id, user_id)
        .await?
        .ok_or_else(|| StoreError::Config("member key vanished during insert".into()))
}

/// The sealed organization token, if the app is installed.
pub async fn organization_token(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Option<Sealed>, StoreError> {
    let row = client
        .query_opt_cached(
            "SELECT token FROM organizations WHERE org_id = $1 AND installed",
            &[&org_id],
        )
        .await?;
    row.and_then(|r| r.get::<_, Option<serde_json::Value>>(0))
        .map(sealed)
        .transpose()
}

/// Whether another member of the organization already uses a passphrase with this hash.
pub async fn passphrase_taken(
    client: &impl GenericClient,
    org_id: &str,
    lookup_hash: &str,
    except_user: &str,
) -> Result<bool, StoreError> {
    let row = client
        .query_opt_cached(
            "SELECT 1 FROM members WHERE org_id = $1 AND passphrase_hash = $2 AND user_id <> $3",
            &[&org_id, &lookup_hash, &except_user],
        )
        .await?;
    Ok(row.is_some())
}

/// Members holding at least one grant whose validity ended by `now`.
pub async fn members_with_expired_grants(
    client: &impl GenericClient,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT DISTINCT org_id, user_id FROM member_grants WHERE valid_until <= $1 LIMIT $2",
            &[&now, &limit],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
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

fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt {
        position: -1,
        reason: e.to_string(),
    })
}

fn vlan_from_db(value: i32) -> Option<u16> {
    u16::try_from(value).ok()
}

fn pool_from_db(first: Option<i32>, last: Option<i32>) -> Option<VlanRange> {
    Some(VlanRange {
        first: vlan_from_db(first?)?,
        last: vlan_from_db(last?)?,
    })
}

/// A Lanyard location as admins configured it, and its unmapped-use record.
#[derive(Clone, Debug, PartialEq)]
pub struct LocationView {
    pub location_id: String,
    /// `Some` when mapped.
    pub settings: Option<LocationSettings>,
    pub unmapped_uses: i32,
    pub last_unmapped_use: Option<DateTime<Utc>>,
}

const LOCATION_COLUMNS: &str =
    "location_id, mapped, name, network_name, timezone, vlan_first, vlan_last, roaming,
     unmapped_uses, last_unmapped_use";

fn location_from_row(row: &tokio_postgres::Row) -> LocationView {
    let mapped: bool = row.get(1);
    let roaming: Option<String> = row.get(7);
    let settings = mapped.then(|| LocationSettings {
        name: row.get::<_, Option<String>>(2).unwrap_or_default(),
        network_name: row.get::<_, Option<String>>(3).unwrap_or_default(),
        timezone: row.get::<_, Option<String>>(4).unwrap_or_default(),
        vlan_pool: pool_from_db(row.get(5), row.get(6)),
        roaming: roaming
            .and_then(|r| serde_json::from_value(serde_json::Value::String(r)).ok())
            .unwrap_or(RoamingPolicy::SingleLocation),
    });
    LocationView {
        location_id: row.get(0),
        settings,
        unmapped_uses: row.get(8),
        last_unmapped_use: row.get(9),
    }
}

pub async fn location(
    client: &impl GenericClient,
    org_id: &str,
    location_id: &str,
) -> Result<Option<LocationView>, StoreError> {
    let row = client
        .query_opt_cached(
            &format!(
                "SELECT {LOCATION_COLUMNS} FROM locations WHERE org_id = $1 AND location_id = $2"
            ),
            &[&org_id, &location_id],
        )
        .await?;
    Ok(row.as_ref().map(location_from_row))
}

/// Every location Lanyard knows for the organization: mapped ones and unmapped ones tenants
/// tried, ordered by Optix id.
pub async fn locations(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<LocationView>, StoreError> {
    let rows = client
        .query_cached(
            &format!(
                "SELECT {LOCATION_COLUMNS} FROM locations WHERE org_id = $1 ORDER BY length(location_id), location_id"
            ),
            &[&org_id],
        )
        .await?;
    Ok(rows.iter().map(location_from_row).collect())
}

/// The organization's configuration for the access rules: plan profiles, default profile,
/// VLAN pool and mapped locations.
pub async fn org_policy(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<OrgPolicy, StoreError> {
    let mut policy = OrgPolicy::default();
    if let Some(row) = client
        .query_opt_cached(
            "SELECT default_profile, vlan_first, vlan_last FROM organizations WHERE org_id = $1",
            &[&org_id],
        )
        .await?
    {
        if let Some(profile) = row.get::<_, Option<serde_json::Value>>(0) {
            policy.default_profile = from_json(profile)?;
        }
        policy.vlan_pool = pool_from_db(row.get(1), row.get(2));
    }
    for row in client
        .query_cached(
            "SELECT plan_template_id, profile FROM plan_profiles WHERE org_id = $1",
            &[&org_id],
        )
        .await?
    {
        let profile: AccessProfile = from_json(row.get(1))?;
        policy.plan_profiles.insert(row.get(0), profile);
    }
    for location in locations(client, org_id).await? {
        if let Some(settings) = location.settings {
            policy.locations.insert(location.location_id, settings);
        }
    }
    Ok(policy)
}

pub async fn group(
    client: &impl GenericClient,
    org_id: &str,
    team_id: &str,
) -> Result<Option<GroupView>, StoreError> {
    let row = client
        .query_opt_cached(
            "SELECT team_id, name, vlan FROM groups WHERE org_id = $1 AND team_id = $2",
            &[&org_id, &team_id],
        )
        .await?;
    Ok(row.map(|r| GroupView {
        team_id: r.get(0),
        name: r.get(1),
        vlan: r.get::<_, Option<i32>>(2).and_then(vlan_from_db),
    }))
}

/// Every live group of the organization with its VLAN and member count.
pub async fn groups(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<(GroupView, i64)>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT g.team_id, g.name, g.vlan, count(m.user_id) FROM groups g
             LEFT JOIN members m ON m.org_id = g.org_id AND m.team_id = g.team_id
             WHERE g.org_id = $1 GROUP BY g.team_id, g.name, g.vlan ORDER BY g.name",
            &[&org_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                GroupView {
                    team_id: r.get(0),
                    name: r.get(1),
                    vlan: r.get::<_, Option<i32>>(2).and_then(vlan_from_db),
                },
                r.get(3),
            )
        })
        .collect())
}

/// VLANs held by the organization's live groups.
pub async fn vlans_in_use(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<u16>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT vlan FROM groups WHERE org_id = $1 AND vlan IS NOT NULL",
            &[&org_id],
        )
        .await?;
    Ok(rows.iter().filter_map(|r| vlan_from_db(r.get(0))).collect())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationView {
    pub position: i64,
    pub kind: String,
    pub subject: String,
    pub message: String,
    pub raised_at: DateTime<Utc>,
}

/// The newest notifications first, the latest of each kind and subject only.
pub async fn notifications(
    client: &impl GenericClient,
    org_id: &str,
    limit: i64,
) -> Result<Vec<NotificationView>, StoreError> {
    let rows = client
        .query_cached(
            // The latest of each kind and subject: one location reported every hour, or a
            // sync failing every 15 minutes, is one line and cannot push the others off.
            "SELECT global_position, kind, subject, message, raised_at FROM (
                 SELECT DISTINCT ON (kind, subject) global_position, kind, subject, message, raised_at
                 FROM notifications WHERE org_id = $1
                 ORDER BY kind, subject, global_position DESC
             ) latest ORDER BY global_position DESC LIMIT $2",
            &[&org_id, &limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| NotificationView {
            position: r.get(0),
            kind: r.get(1),
            subject: r.get(2),
            message: r.get(3),
            raised_at: r.get(4),
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyncRunView {
    pub kind: String,
    pub outcome: String,
    pub users_seen: Option<i32>,
    pub corrected_streams: Option<i32>,
    pub events_appended: Option<i32>,
    pub corrections: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub finished_at: DateTime<Utc>,
}

/// The newest sync runs first.
pub async fn sync_runs(
    client: &impl GenericClient,
    org_id: &str,
    limit: i64,
) -> Result<Vec<SyncRunView>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT kind, outcome, users_seen, corrected_streams, events_appended, corrections, reason, finished_at
             FROM sync_runs WHERE org_id = $1 ORDER BY global_position DESC LIMIT $2",
            &[&org_id, &limit],
        )
        .await?;
    Ok(rows.iter().map(sync_run_view).collect())
}

/// Plan templates with a profile of their own.
pub async fn plan_profiles(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<(String, AccessProfile)>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT plan_template_id, profile FROM plan_profiles WHERE org_id = $1
             ORDER BY length(plan_template_id), plan_template_id",
            &[&org_id],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.get(0), from_json(r.get(1))?)))
        .collect()
}

/// Organizations that installed the app (for the periodic sync).
pub async fn installed_organizations(
    client: &impl GenericClient,
) -> Result<Vec<String>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT org_id FROM organizations WHERE installed ORDER BY org_id",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// User ids of every account of the organization (open ones: deleted accounts have no row).
pub async fn member_user_ids(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = client
        .query_cached("SELECT user_id FROM members WHERE org_id = $1", &[&org_id])
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Members whose account is in the team's group.
pub async fn members_in_group(
    client: &impl GenericClient,
    org_id: &str,
    team_id: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT user_id FROM members WHERE org_id = $1 AND team_id = $2",
            &[&org_id, &team_id],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Team ids of the organization's live groups whose last event is at or before `written_up_to`.
pub async fn group_team_ids(
    client: &impl GenericClient,
    org_id: &str,
    written_up_to: i64,
) -> Result<Vec<String>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT team_id FROM groups WHERE org_id = $1 AND last_position <= $2",
            &[&org_id, &written_up_to],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The position of the organization's latest recorded sync run (0: none yet).
pub async fn latest_sync_position(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<i64, StoreError> {
    let row = client
        .query_one_cached(
            "SELECT coalesce(max(global_position), 0) FROM sync_runs WHERE org_id = $1",
            &[&org_id],
        )
        .await?;
    Ok(row.get(0))
}

/// The first sync run recorded after `position`, if one finished since.
pub async fn sync_run_after(
    client: &impl GenericClient,
    org_id: &str,
    position: i64,
) -> Result<Option<SyncRunView>, StoreError> {
    let row = client
        .query_opt_cached(
            "SELECT kind, outcome, users_seen, corrected_streams, events_appended, corrections, reason, finished_at
             FROM sync_runs WHERE org_id = $1 AND global_position > $2
             ORDER BY global_position LIMIT 1",
            &[&org_id, &position],
        )
        .await?;
    Ok(row.as_ref().map(sync_run_view))
}

/// A `sync_runs` row selected as (kind, outcome, users_seen, corrected_streams, events_appended,
/// corrections, reason, finished_at).
fn sync_run_view(r: &tokio_postgres::Row) -> SyncRunView {
    SyncRunView {
        kind: r.get(0),
        outcome: r.get(1),
        users_seen: r.get(2),
        corrected_streams: r.get(3),
        events_appended: r.get(4),
        corrections: r.get(5),
        reason: r.get(6),
        finished_at: r.get(7),
    }
}
