//! The read models an Access-Request needs, in one round trip: the NAS (by organization, id and
//! the packet's source address, so a shortname alone never names a NAS), its location's roaming
//! policy, the device's member in the NAS's organization, their grants, team VLAN, sealed
//! passphrase and wrapped data key.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::events::GrantKey;
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
    /// Its class's epoch (`NasClass::epoch`).
    pub epoch: String,
    /// None when the location is not (or no longer) mapped: nobody gets a key there.
    pub roaming: Option<RoamingPolicy>,
}

/// What an answer depends on besides the device: the organization, the NAS's location (its
/// roaming policy) and its dialect. Every NAS of a class gets the same answer for a MAC, so
/// FreeRADIUS keeps one cached answer per class and MAC (`answer_cache`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NasClass {
    pub org_id: String,
    pub location_id: String,
    pub dialect: NasDialect,
    /// Changes whenever a NAS joins or leaves the class (`radius_nas_classes`): it renames the
    /// class's cached answers, so a NAS just removed finds none.
    pub epoch: String,
}

/// A registered NAS as FreeRADIUS learns it (`clients`).
#[derive(Clone, Debug)]
pub struct RegisteredNas {
    pub nas_id: String,
    pub secret: Sealed,
    pub class: NasClass,
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
    /// This NAS's class in organization `org_id`.
    pub fn class(&self, org_id: &str) -> NasClass {
        NasClass {
            org_id: org_id.to_owned(),
            location_id: self.location_id.clone(),
            dialect: self.dialect,
            epoch: self.epoch.clone(),
        }
    }

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

/// A location of an organization and the SSIDs its NASes broadcast (where the handshake
/// matcher keeps keys, `handshake_keys`).
#[derive(Clone, Debug)]
pub struct LocationSsids {
    pub location_id: String,
    /// None when the location is not mapped: nobody gets a key there.
    pub roaming: Option<RoamingPolicy>,
    pub ssids: Vec<String>,
}

impl LocationSsids {
    /// Where a member's key may belong: the location when it is mapped (has a roaming
    /// policy) and some NAS there broadcasts an SSID, else none.
    pub fn place(&self) -> Option<Place> {
        let roaming = self.roaming.filter(|_| !self.ssids.is_empty())?;
        Some(Place {
            location_id: self.location_id.clone(),
            roaming,
        })
    }
}

/// A grant of a member (by its key, as `member_grants` keys it) and the location it is for:
/// what decides where the member may be admitted, whatever its validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantAt {
    pub grant: GrantKey,
    pub location_id: Option<String>,
}

/// The member a device belongs to, with what opens their passphrase.
#[derive(Clone, Debug)]
pub struct DeviceMember {
    pub user_id: String,
    pub access: MemberAccess,
    /// Each grant of `access.grants`, in the same order, by its key.
    pub grants_at: Vec<GrantAt>,
    pub passphrase: Option<Sealed>,
    pub wrapped_key: Option<Sealed>,
}

/// What both lookups read of the device's member, joined on `n.org_id` and `n.mac`: status,
/// home location, sealed passphrase, wrapped key, team VLAN and grants (as one JSON array).
macro_rules! member_of_device {
    ($select:literal, $from:literal) => {
        concat!(
            "SELECT ",
            $select,
            ", ",
            member_columns!(),
            "
               FROM ",
            $from,
            "
               LEFT JOIN member_devices d ON d.org_id = n.org_id AND d.mac = n.mac
               LEFT JOIN members m ON m.org_id = d.org_id AND m.user_id = d.user_id
               LEFT JOIN member_keys k ON k.org_id = m.org_id AND k.user_id = m.user_id
               LEFT JOIN groups g ON g.org_id = m.org_id AND g.team_id = m.team_id"
        )
    };
}

/// The member columns `member_from` reads, of `members m`, `member_keys k` and `groups g`.
macro_rules! member_columns {
    () => {
        "m.user_id, m.status, m.home_location, m.passphrase, k.wrapped_key, g.vlan,
         (SELECT coalesce(json_agg(json_build_object(
                     'basis', mg.basis, 'source_id', mg.source_id,
                     'location_id', mg.location_id, 'valid_from', mg.valid_from,
                     'valid_until', mg.valid_until, 'network', mg.network)), '[]'::json)
            FROM member_grants mg
           WHERE mg.org_id = m.org_id AND mg.user_id = m.user_id)"
    };
}

/// The NAS by organization, id and source address; its location; the device's member.
const AUTHORIZE_QUERY: &str = member_of_device!(
    "n.dialect, n.location_id, CASE WHEN l.mapped THEN l.roaming END, c.epoch",
    "(SELECT org_id, nas_id, location_id, dialect, $4::text AS mac
         FROM radius_nas WHERE org_id = $1 AND nas_id = $2 AND address >>= $3) n
       JOIN radius_nas_classes c
         ON c.org_id = n.org_id AND c.location_id = n.location_id AND c.dialect = n.dialect
       LEFT JOIN locations l ON l.org_id = n.org_id AND l.location_id = n.location_id"
);

/// A location's roaming policy (none when not mapped, or when the class has another epoch: a
/// NAS joined or left it) and the device's member: what the answer cache asks for a NAS class
/// and a MAC.
const LOCATION_QUERY: &str = member_of_device!(
    "CASE WHEN l.mapped AND EXISTS (SELECT 1 FROM radius_nas_classes c
                 WHERE c.org_id = n.org_id AND c.location_id = $2 AND c.dialect = $4
                   AND c.epoch = $5) THEN l.roaming END",
    "(SELECT $1::text AS org_id, $3::text AS mac) n
       LEFT JOIN locations l ON l.org_id = n.org_id AND l.location_id = $2"
);

#[derive(Deserialize)]
struct GrantRow {
    #[serde(flatten)]
    grant: GrantKey,
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
        epoch: row.get(3),
        roaming: roaming.as_deref().map(text_enum).transpose()?,
    };
    Ok(Some((nas, member_from(&row, 4)?)))
}

/// The NAS class `class` (its location's roaming policy read now; none when no registered NAS
/// has that class) and the member of its organization whose device `mac` is (None: no such
/// device, or its member is gone).
pub async fn class_and_member(
    client: &impl GenericClient,
    class: &NasClass,
    mac: &str,
) -> Result<(Nas, Option<DeviceMember>), LookupError> {
    let row = client
        .query_one_cached(
            LOCATION_QUERY,
            &[
                &class.org_id,
                &class.location_id,
                &mac,
                &crate::dialect::label(class.dialect),
                &class.epoch,
            ],
        )
        .await?;
    let roaming: Option<String> = row.get(0);
    let nas = Nas {
        dialect: class.dialect,
        location_id: class.location_id.clone(),
        epoch: class.epoch.clone(),
        roaming: roaming.as_deref().map(text_enum).transpose()?,
    };
    Ok((nas, member_from(&row, 1)?))
}

/// The member columns of [`member_of_device`] starting at column `at`.
fn member_from(row: &tokio_postgres::Row, at: usize) -> Result<Option<DeviceMember>, LookupError> {
    let Some(user_id) = row.get::<_, Option<String>>(at) else {
        return Ok(None);
    };
    let status: String = row.get(at + 1);
    let grants: Vec<GrantRow> = serde_json::from_value(row.get(at + 6))
        .map_err(|e| LookupError::Unreadable(format!("member_grants as json: {e}")))?;
    let (grants_at, grants): (Vec<GrantAt>, Vec<GrantTerms>) = grants
        .into_iter()
        .map(|grant| {
            let at = GrantAt {
                grant: grant.grant,
                location_id: grant.location_id.clone(),
            };
            let terms = GrantTerms {
                location_id: grant.location_id,
                validity: Validity {
                    from: grant.valid_from,
                    until: grant.valid_until,
                },
                network: grant.network,
            };
            (at, terms)
        })
        .unzip();
    Ok(Some(DeviceMember {
        user_id,
        grants_at,
        access: MemberAccess {
            suspended: status != "active",
            home_location: row.get(at + 2),
            group_vlan: row
                .get::<_, Option<i32>>(at + 5)
                .and_then(|v| u16::try_from(v).ok()),
            grants,
        },
        passphrase: row
            .get::<_, Option<serde_json::Value>>(at + 3)
            .map(sealed)
            .transpose()?,
        wrapped_key: row
            .get::<_, Option<serde_json::Value>>(at + 4)
            .map(sealed)
            .transpose()?,
    }))
}

/// Every member of `org_id` with a passphrase (the handshake matcher's keys), or those of
/// `members` when given.
pub async fn members_with_passphrases(
    client: &impl GenericClient,
    org_id: &str,
    members: Option<&[&str]>,
) -> Result<Vec<DeviceMember>, LookupError> {
    // Two statements, not `($2 IS NULL OR m.user_id = ANY($2))`: the cached statement's
    // generic plan could not use the key for a few members and read the whole organization
    // per event (3.2 ms at 10,000 members, the most time PostgreSQL spent during a burst).
    macro_rules! members_query {
        ($one_member:literal) => {
            concat!(
                "SELECT ",
                member_columns!(),
                "
                   FROM members m
                   LEFT JOIN member_keys k ON k.org_id = m.org_id AND k.user_id = m.user_id
                   LEFT JOIN groups g ON g.org_id = m.org_id AND g.team_id = m.team_id
                  WHERE m.org_id = $1 AND m.passphrase IS NOT NULL",
                $one_member
            )
        };
    }
    let rows = match members {
        Some(members) => {
            client
                .query_cached(
                    members_query!(" AND m.user_id = ANY($2)"),
                    &[&org_id, &members],
                )
                .await?
        }
        None => client.query_cached(members_query!(""), &[&org_id]).await?,
    };
    let mut members = Vec::with_capacity(rows.len());
    for row in &rows {
        members.extend(member_from(row, 0)?);
    }
    Ok(members)
}

/// The locations of `org_id` (their roaming policy; none when not mapped) with the SSIDs of
/// their registered NASes: where the handshake matcher keeps keys.
pub async fn locations_with_ssids(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<LocationSsids>, LookupError> {
    let rows = client
        .query_cached(
            "SELECT l.location_id, CASE WHEN l.mapped THEN l.roaming END,
                    coalesce(array_agg(DISTINCT s.ssid) FILTER (WHERE s.ssid IS NOT NULL), '{}')
               FROM locations l
               LEFT JOIN radius_nas n ON n.org_id = l.org_id AND n.location_id = l.location_id
               LEFT JOIN LATERAL unnest(n.ssids) AS s(ssid) ON true
              WHERE l.org_id = $1
              GROUP BY l.location_id, l.mapped, l.roaming",
            &[&org_id],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let roaming: Option<String> = row.get(1);
            Ok(LocationSsids {
                location_id: row.get(0),
                roaming: roaming.as_deref().map(text_enum).transpose()?,
                ssids: row.get(2),
            })
        })
        .collect()
}

/// The organizations with a registered NAS (the handshake keys are built for them).
pub async fn organizations_with_nases(
    client: &impl GenericClient,
) -> Result<Vec<String>, LookupError> {
    let rows = client
        .query_cached(
            "SELECT DISTINCT org_id FROM radius_nas ORDER BY org_id",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// The registered NAS whose address contains `address`.
pub async fn nas_at(
    client: &impl GenericClient,
    address: IpAddr,
) -> Result<Option<RegisteredNas>, LookupError> {
    let row = client
        .query_opt_cached(
            "SELECT n.org_id, n.nas_id, n.secret_sealed, n.location_id, n.dialect, c.epoch
               FROM radius_nas n
               JOIN radius_nas_classes c
                 ON c.org_id = n.org_id AND c.location_id = n.location_id AND c.dialect = n.dialect
              WHERE n.address >>= $1",
            &[&address],
        )
        .await?;
    row.map(|row| {
        let dialect: String = row.get(4);
        Ok(RegisteredNas {
            nas_id: row.get(1),
            secret: sealed(row.get(2))?,
            class: NasClass {
                org_id: row.get(0),
                location_id: row.get(3),
                dialect: text_enum(&dialect)?,
                epoch: row.get(5),
            },
        })
    })
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
            epoch: "e".into(),
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
