//! Organizations: whether the Optix app is installed, the sealed token, the default profile
//! and the organization's VLAN pool.

use crate::error::StoreError;
use crate::projection::Projection;
use crate::read_models::locations::locations;
use crate::read_models::plan_profiles::plan_profiles;
use crate::read_models::rows::{
    execute, from_json, json, pool_from_db, pool_to_db, sealed, select, select_opt,
};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::policy::OrgPolicy;
use domain::{Event, PlatformAccount, Sealed};

pub const PROJECTION: Projection =
    Projection::new("organizations", &["organizations"], |tx, _, recorded| {
        Box::pin(write(tx, recorded))
    });

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
    let settings = select_opt(
        client,
        "SELECT default_profile, vlan_first, vlan_last FROM organizations WHERE org_id = $1",
        &[&org_id],
        |r| {
            (
                r.get::<_, Option<serde_json::Value>>(0),
                pool_from_db(r.get(1), r.get(2)),
            )
        },
    )
    .await?;
    if let Some((default_profile, vlan_pool)) = settings {
        if let Some(profile) = default_profile {
            policy.default_profile = from_json(profile)?;
        }
        policy.vlan_pool = vlan_pool;
    }
    policy
        .plan_profiles
        .extend(plan_profiles(client, org_id).await?);
    for location in locations(client, org_id).await? {
        if let Some(settings) = location.settings {
            policy.locations.insert(location.location_id, settings);
        }
    }
    Ok(policy)
}

async fn write(client: &impl GenericClient, recorded: &RecordedEvent) -> Result<(), StoreError> {
    let (org, pos, at) = recorded.row_stamp();
    match &recorded.event {
        Event::IntegrationConfigured {
            token,
            platform,
            account,
            ..
        } => {
            execute(
                client,
                "INSERT INTO organizations (org_id, installed, token, token_updated_at, last_position, platform, account)
                 VALUES ($1, true, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id) DO UPDATE SET installed = true, token = $2, token_updated_at = $3, last_position = $4,
                     platform = $5, account = $6",
                &[&org, &json(token)?, &at, &pos, &platform.as_str(), &account.as_ref().map(json).transpose()?],
            )
            .await
        }
        Event::OrganizationTokenRotated { token, .. } => {
            execute(
                client,
                "INSERT INTO organizations (org_id, installed, token, token_updated_at, last_position)
                 VALUES ($1, true, $2, $3, $4)
                 ON CONFLICT (org_id) DO UPDATE SET installed = true, token = $2, token_updated_at = $3, last_position = $4",
                &[&org, &json(token)?, &at, &pos],
            )
            .await
        }
        Event::DefaultProfileSet { profile } => {
            execute(
                client,
                "INSERT INTO organizations (org_id, installed, default_profile, last_position) VALUES ($1, false, $2, $3)
                 ON CONFLICT (org_id) DO UPDATE SET default_profile = $2, last_position = $3",
                &[&org, &json(profile)?, &pos],
            )
            .await
        }
        Event::VlanPoolSet { pool } => {
            let (first, last) = pool_to_db(*pool);
            execute(
                client,
                "INSERT INTO organizations (org_id, installed, vlan_first, vlan_last, last_position) VALUES ($1, false, $2, $3, $4)
                 ON CONFLICT (org_id) DO UPDATE SET vlan_first = $2, vlan_last = $3, last_position = $4",
                &[&org, &first, &last, &pos],
            )
            .await
        }
        Event::AppUninstalled { .. } => {
            execute(
                client,
                "UPDATE organizations SET installed = false, token = NULL, token_updated_at = $2, last_position = $3
                 WHERE org_id = $1",
                &[&org, &at, &pos],
            )
            .await
        }
        _ => Ok(()),
    }
}
