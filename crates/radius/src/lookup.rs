//! The read models an Access-Request needs, in one round trip: the NAS (by organization, id and
//! the packet's source address, so a shortname alone never names a NAS), its location's roaming
//! policy, the device's member in the NAS's organization, their grants, team VLAN, sealed
//! passphrase and wrapped data key.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::live_access::Validity;
use domain::location_access::{self as access, GrantTerms, MemberAccess, Place, Refusal, Terms};
use domain::{GrantNetwork, NasDialect, RoamingPolicy, Sealed};
use serde::Deserialize;
use std::net::IpAddr;
use store::StoreError;
use store::statements::CachedStatements;

/// A read model could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unreadable row: {0}")]
    Unreadable(String),
}

impl From<tokio_postgres::Error> for LookupError {
    fn from(error: tokio_postgres::Error) -> Self {
        LookupError::Store(error.into())
    }
}

/// The registered NAS that asks, and where it is.
#[derive(Clone, Debug)]
pub struct Nas {
    pub dialect: NasDialect,
    pub location_id: String,
    /// None when the location is not (or no longer) mapped: nobody gets a key there.
    pub roaming: Option<RoamingPolicy>,
}

/// Why a device gets no key from a NAS now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoKey {
    #[error("the NAS's location is not mapped")]
    LocationNotMapped,
    #[error(transparent)]
    Refused(#[from] Refusal),
}

impl Nas {
    /// What `member` gets from this NAS at `now`: the one judgement an Access-Request and the
    /// revocation follower (which sessions must end) both make.
    pub fn terms_for(&self, member: &MemberAccess, now: DateTime<Utc>) -> Result<Terms, NoKey> {
        let roaming = self.roaming.ok_or(NoKey::LocationNotMapped)?;
        let place = Place {
            location_id: self.location_id.clone(),
            roaming,
        };
        Ok(access::decide(member, &place, now)?)
    }
}

/// The member a device belongs to, with what opens their passphrase.
#[derive(Clone, Debug)]
pub struct DeviceMember {
    pub user_id: String,
    pub access: MemberAccess,
    pub passphrase: Option<Sealed>,
    pub wrapped_key: Option<Sealed>,
}

const AUTHORIZE_QUERY: &str = "
    SELECT n.dialect, n.location_id,
           CASE WHEN l.mapped THEN l.roaming END,
           m.user_id, m.status, m.home_location, m.passphrase, k.wrapped_key, g.vlan,
           (SELECT coalesce(json_agg(json_build_object(
                       'location_id', mg.location_id, 'valid_from', mg.valid_from,
                       'valid_until', mg.valid_until, 'network', mg.network)), '[]'::json)
              FROM member_grants mg
             WHERE mg.org_id = m.org_id AND mg.user_id = m.user_id)
      FROM radius_nas n
      LEFT JOIN locations l ON l.org_id = n.org_id AND l.location_id = n.location_id
      LEFT JOIN member_devices d ON d.org_id = n.org_id AND d.mac = $4
      LEFT JOIN members m ON m.org_id = d.org_id AND m.user_id = d.user_id
      LEFT JOIN member_keys k ON k.org_id = m.org_id AND k.user_id = m.user_id
      LEFT JOIN groups g ON g.org_id = m.org_id AND g.team_id = m.team_id
     WHERE n.org_id = $1 AND n.nas_id = $2 AND n.address >>= $3";

#[derive(Deserialize)]
struct GrantRow {
    location_id: Option<String>,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
    network: Option<GrantNetwork>,
}

/// The NAS `org_id/nas_id` if it is registered at an address containing `source`, and the
/// member of that organization whose device `mac` is (None: no such device, or its member is
/// gone).
pub async fn nas_and_member(
    client: &impl GenericClient,
    org_id: &str,
    nas_id: &str,
    source: IpAddr,
    mac: &str,
) -> Result<Option<(Nas, Option<DeviceMember>)>, LookupError> {
    let Some(row) = client
        .query_opt_cached(AUTHORIZE_QUERY, &[&org_id, &nas_id, &source, &mac])
        .await?
    else {
        return Ok(None);
    };
    let dialect: String = row.get(0);
    let roaming: Option<String> = row.get(2);
    let nas = Nas {
        dialect: text_enum(&dialect)?,
        location_id: row.get(1),
        roaming: roaming.as_deref().map(text_enum).transpose()?,
    };
    let Some(user_id) = row.get::<_, Option<String>>(3) else {
        return Ok(Some((nas, None)));
    };
    let status: String = row.get(4);
    let grants: Vec<GrantRow> = serde_json::from_value(row.get(9))
        .map_err(|e| LookupError::Unreadable(format!("member_grants as json: {e}")))?;
    let member = DeviceMember {
        user_id,
        access: MemberAccess {
            suspended: status != "active",
            home_location: row.get(5),
            group_vlan: row
                .get::<_, Option<i32>>(8)
                .and_then(|v| u16::try_from(v).ok()),
            grants: grants
                .into_iter()
                .map(|grant| GrantTerms {
                    location_id: grant.location_id,
                    validity: Validity {
                        from: grant.valid_from,
                        until: grant.valid_until,
                    },
                    network: grant.network,
                })
                .collect(),
        },
        passphrase: row
            .get::<_, Option<serde_json::Value>>(6)
            .map(sealed)
            .transpose()?,
        wrapped_key: row
            .get::<_, Option<serde_json::Value>>(7)
            .map(sealed)
            .transpose()?,
    };
    Ok(Some((nas, Some(member))))
}

/// A registered NAS whose address contains `address`: its organization, id and sealed secret.
pub async fn nas_at(
    client: &impl GenericClient,
    address: IpAddr,
) -> Result<Option<(String, String, Sealed)>, LookupError> {
    let row = client
        .query_opt_cached(
            "SELECT org_id, nas_id, secret_sealed FROM radius_nas WHERE address >>= $1",
            &[&address],
        )
        .await?;
    row.map(|row| Ok((row.get(0), row.get(1), sealed(row.get(2))?)))
        .transpose()
}

fn text_enum<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, LookupError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| LookupError::Unreadable(format!("unexpected value {text:?}: {e}")))
}

fn sealed(value: serde_json::Value) -> Result<Sealed, LookupError> {
    serde_json::from_value(value).map_err(|e| LookupError::Unreadable(format!("sealed value: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member_with_a_plan_everywhere() -> MemberAccess {
        MemberAccess {
            suspended: false,
            home_location: None,
            group_vlan: None,
            grants: vec![GrantTerms {
                location_id: None,
                validity: Validity {
                    from: None,
                    until: None,
                },
                network: None,
            }],
        }
    }

    fn nas(roaming: Option<RoamingPolicy>) -> Nas {
        Nas {
            dialect: NasDialect::Hostapd,
            location_id: "3390".into(),
            roaming,
        }
    }

    #[test]
    fn a_nas_at_an_unmapped_location_gives_nobody_a_key_and_a_mapped_one_asks_the_roaming_rule() {
        let now = Utc::now();
        let mut member = member_with_a_plan_everywhere();
        assert_eq!(
            nas(None).terms_for(&member, now),
            Err(NoKey::LocationNotMapped)
        );
        let mapped = nas(Some(RoamingPolicy::AllLocations));
        assert!(mapped.terms_for(&member, now).is_ok());
        member.suspended = true;
        assert_eq!(
            mapped.terms_for(&member, now),
            Err(NoKey::Refused(Refusal::Suspended))
        );
    }
}
