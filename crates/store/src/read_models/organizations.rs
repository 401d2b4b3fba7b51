//! Organizations: whether the Optix app is installed, the sealed token, the default profile
//! and the organization's VLAN pool.

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Set, Table};
use crate::read_models::locations::locations;
use crate::read_models::plan_profiles::plan_profiles;
use crate::read_models::rows::{from_json, pool_from_db, pool_to_db, sealed, select, select_opt};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::policy::OrgPolicy;
use domain::{Event, PlatformAccount, Sealed};

pub const PROJECTION: Projection = Projection::new("organizations", &[&ORGANIZATIONS], ops);

pub const ORGANIZATIONS: Table = Table {
    name: "organizations",
    columns: &[
        Column::new("org_id", "text"),
        Column::with_default("installed", "boolean", "false"),
        Column::new("token", "jsonb"),
        Column::new("token_updated_at", "timestamptz"),
        Column::new("last_position", "bigint"),
        Column::new("default_profile", "jsonb"),
        Column::new("vlan_first", "integer"),
        Column::new("vlan_last", "integer"),
        Column::with_default("platform", "text", "optix"),
        Column::new("account", "jsonb"),
    ],
    key: 1,
};

/// Whether the organization installed the Optix app (`None`: Lanyard never heard of it).
pub async fn organization_installed(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Option<bool>, StoreError> {
    select_opt(
        client,
        "SELECT installed FROM organizations WHERE org_id = $1",
        &[&org_id],
        |r| r.get(0),
    )
    .await
}

/// The sealed organization token, if the app is installed.
pub async fn organization_token(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Option<Sealed>, StoreError> {
    let token = select_opt(
        client,
        "SELECT token FROM organizations WHERE org_id = $1 AND installed",
        &[&org_id],
        |r| r.get::<_, Option<serde_json::Value>>(0),
    )
    .await?;
    token.flatten().map(sealed).transpose()
}

/// How Lanyard reaches a connected organization on a client-credentials platform: its account
/// (client id, slug) and the sealed client secret. None for an Optix organization or one not
/// connected.
pub async fn platform_account(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Option<(PlatformAccount, Sealed)>, StoreError> {
    let row = select_opt(
        client,
        "SELECT account, token FROM organizations WHERE org_id = $1 AND installed AND account IS NOT NULL",
        &[&org_id],
        |r| {
            (
                r.get::<_, Option<serde_json::Value>>(0),
                r.get::<_, Option<serde_json::Value>>(1),
            )
        },
    )
    .await?;
    let Some((Some(account), Some(token))) = row else {
        return Ok(None);
    };
    Ok(Some((from_json(account)?, sealed(token)?)))
}

/// Organizations that installed the app (for the periodic sync).
pub async fn installed_organizations(
    client: &impl GenericClient,
) -> Result<Vec<String>, StoreError> {
    select(
        client,
        "SELECT org_id FROM organizations WHERE installed ORDER BY org_id",
        &[],
        |r| r.get(0),
    )
    .await
}

/// The organization's configuration for the access rules: plan profiles, default profile,
/// VLAN pool and mapped locations.
pub async fn org_policy(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<OrgPolicy, StoreError> {
    let mut policy = OrgPolicy::default();
    // Pipelined: one round trip for the three.
    let org: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&org_id];
    let (settings, plan_profiles, locations) = futures::try_join!(
        select_opt(
            client,
            "SELECT default_profile, vlan_first, vlan_last FROM organizations WHERE org_id = $1",
            &org,
            |r| {
                (
                    r.get::<_, Option<serde_json::Value>>(0),
                    pool_from_db(r.get(1), r.get(2)),
                )
            },
        ),
        plan_profiles(client, org_id),
        locations(client, org_id),
    )?;
    if let Some((default_profile, vlan_pool)) = settings {
        if let Some(profile) = default_profile {
            policy.default_profile = from_json(profile)?;
        }
        policy.vlan_pool = vlan_pool;
    }
    policy.plan_profiles.extend(plan_profiles);
    for location in locations {
        if let Some(settings) = location.settings {
            policy.locations.insert(location.location_id, settings);
        }
    }
    Ok(policy)
}

fn ops(
    _: &domain::StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let (org, pos, at) = recorded.row_stamp();
    let upsert = |set: Vec<(&'static str, Set)>, insert_only| RowOp::Upsert {
        table: &ORGANIZATIONS,
        key: vec![org.to_owned()],
        set,
        insert_only,
    };
    // Configuration set before the app is installed creates a row that says so.
    let not_installed = || vec![("installed", cell::boolean(false))];
    out.push(match &recorded.event {
        Event::IntegrationConfigured {
            token,
            platform,
            account,
            ..
        } => upsert(
            vec![
                ("installed", to(cell::boolean(true))),
                ("token", to(cell::json(token)?)),
                ("token_updated_at", to(cell::time(at))),
                ("last_position", to(cell::int(pos))),
                ("platform", to(cell::text(platform.as_str()))),
                (
                    "account",
                    to(account.as_ref().map(cell::json).transpose()?.flatten()),
                ),
            ],
            Vec::new(),
        ),
        Event::OrganizationTokenRotated { token, .. } => upsert(
            vec![
                ("installed", to(cell::boolean(true))),
                ("token", to(cell::json(token)?)),
                ("token_updated_at", to(cell::time(at))),
                ("last_position", to(cell::int(pos))),
            ],
            Vec::new(),
        ),
        Event::DefaultProfileSet { profile } => upsert(
            vec![
                ("default_profile", to(cell::json(profile)?)),
                ("last_position", to(cell::int(pos))),
            ],
            not_installed(),
        ),
        Event::VlanPoolSet { pool } => {
            let (first, last) = pool_to_db(*pool);
            upsert(
                vec![
                    ("vlan_first", to(first.and_then(cell::int))),
                    ("vlan_last", to(last.and_then(cell::int))),
                    ("last_position", to(cell::int(pos))),
                ],
                not_installed(),
            )
        }
        Event::AppUninstalled { .. } => RowOp::Patch {
            table: &ORGANIZATIONS,
            key: vec![org.to_owned()],
            set: vec![
                ("installed", to(cell::boolean(false))),
                ("token", to(None)),
                ("token_updated_at", to(cell::time(at))),
                ("last_position", to(cell::int(pos))),
            ],
        },
        _ => return Ok(()),
    });
    Ok(())
}
