//! What the portal's OfficeRnD pages share (docs/officernd.md §13): an organization's
//! connection (its account and client secret, opened with the master key), the admin context
//! OfficeRnD's records give (locations and plans, as an Optix sign-in gives them, so the
//! locations and plans pages send the same commands for both platforms), and "test
//! connection" in words an operator can act on.

use crate::admin_session::{AdminContext, OptixLocation, OptixPlan};
use crate::error::PortalError;
use crate::state::State;
use chrono::Utc;
use domain::{Platform, PlatformAccount};
use i18n::Texts;
use officernd::{Credentials, OfficeRndError};

/// A connected OfficeRnD organization, as provision recorded it.
pub(crate) struct Connection {
    pub(crate) account: PlatformAccount,
    secret: String,
}

impl Connection {
    pub(crate) fn new(account: PlatformAccount, secret: String) -> Connection {
        Connection { account, secret }
    }

    pub(crate) fn credentials(&self) -> Credentials {
        Credentials::new(&self.account.client_id, &self.secret, &self.account.slug)
    }

    /// The secret OfficeRnD signs the integration page with (the application's).
    pub(crate) fn secret(&self) -> &[u8] {
        self.secret.as_bytes()
    }
}

/// The organization's OfficeRnD connection; None when it is not a connected OfficeRnD
/// organization.
pub(crate) async fn connection(
    state: &State,
    org_id: &str,
) -> Result<Option<Connection>, PortalError> {
    if Platform::of_org(org_id) != Platform::OfficeRnd {
        return Ok(None);
    }
    let client = state.pool.get().await?;
    let Some((account, sealed)) = store::queries::platform_account(&client, org_id).await? else {
        return Ok(None);
    };
    let aad = secrets::contexts::organization_token(org_id);
    let secret = String::from_utf8(state.keys.open_with_master(&sealed, &aad)?)
        .map_err(|_| PortalError::Internal("a client secret is not text".into()))?;
    Ok(Some(Connection::new(account, secret)))
}

/// "Test connection": the organization's name and Lanyard id when the credentials read it,
/// else what to fix.
pub(crate) async fn test_connection(
    state: &State,
    t: &Texts<'_>,
    credentials: &Credentials,
) -> Result<(String, String), String> {
    match state.officernd.organization(credentials).await {
        Ok(organization) => Ok((
            organization.name,
            Platform::OfficeRnd.org_id(&organization.id),
        )),
        Err(OfficeRndError::Unauthorized | OfficeRndError::Server(500)) => {
            Err(t.get("admin-officernd-bad-credentials"))
        }
        Err(OfficeRndError::Forbidden) => Err(t.get("admin-officernd-forbidden")),
        Err(error) => {
            tracing::warn!(%error, "testing an OfficeRnD connection failed");
            Err(t.get_with(
                "admin-officernd-unreachable",
                &[("error", &error.to_string())],
            ))
        }
    }
}

/// "Connection works: Lanyard Demo (officernd_…)." in the page's language.
pub(crate) fn connection_works(t: &Texts<'_>, name: &str, org_id: &str) -> String {
    let answer = format!("{name} ({org_id})");
    t.get_with("admin-connection-works", &[("answer", &answer)])
}

/// The admin context of someone OfficeRnD signed in: the organization's locations and plans
/// (read with the connection's credentials), as the locations and plans pages list them.
pub(crate) async fn admin_context(
    state: &State,
    connection: &Connection,
    name: &str,
) -> AdminContext {
    let credentials = connection.credentials();
    let locations = state
        .officernd
        .list::<officernd::model::Location>(&credentials, "locations", &[])
        .await;
    let plans = state
        .officernd
        .list::<officernd::model::Plan>(&credentials, "plans", &[])
        .await;
    let (plans, plans_error) = match plans {
        Ok(plans) => (
            plans
                .into_iter()
                .map(|p| OptixPlan {
                    plan_template_id: p.id,
                    name: p.name,
                })
                .collect(),
            None,
        ),
        Err(error) => {
            tracing::warn!(%error, "listing OfficeRnD plans failed");
            (Vec::new(), Some(error.to_string()))
        }
    };
    AdminContext {
        name: name.to_owned(),
        locations: locations
            .inspect_err(|error| tracing::warn!(%error, "listing OfficeRnD locations failed"))
            .unwrap_or_default()
            .into_iter()
            .map(|l| OptixLocation {
                location_id: l.id,
                name: l.name,
                timezone: l.timezone.unwrap_or_else(|| "UTC".into()),
            })
            .collect(),
        plans,
        plans_error,
        token: None,
        checked_at: Some(Utc::now()),
        platform: Platform::OfficeRnd,
    }
}
