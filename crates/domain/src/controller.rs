//! Cloud WiFi controllers (`controller-{org}-{location}` streams): which vendor network a
//! location's keys go to, with the vendor credentials sealed, and what the controllers service
//! reports back that an admin must act on (a location over the vendor's key limit).

use crate::aggregate::Aggregate;
use crate::events::{Event, Sealed};
use crate::nas::SecretText;

pub use crate::controller_target::{
    ControllerTarget, ID_MAX_CHARS, MERAKI_SSID_MAX, SSID_MAX_BYTES,
};

/// A location's controller as recorded (credentials sealed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerMapping {
    pub target: ControllerTarget,
    pub credentials: Sealed,
    pub token_hash: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Controller {
    pub mapped: Option<ControllerMapping>,
    /// The figures of the last over-limit report since the mapping: the same again is not
    /// reported twice.
    pub over_limit: Option<(usize, usize)>,
}

/// Credentials checked in clear here, recorded only sealed (and, for a fetch token, by its
/// keyed hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCredentials {
    pub clear: SecretText,
    pub sealed: Sealed,
    pub token_hash: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControllerCommand {
    /// Map the location to `target` (replacing an earlier mapping). `location_mapped`: whether
    /// the Optix location is a mapped Lanyard location (the store knows).
    Map {
        target: ControllerTarget,
        credentials: NewCredentials,
        location_mapped: bool,
        /// Whether another location's AP group already fetches with this token (the store
        /// knows; checked again at commit by a unique index).
        token_taken: bool,
    },
    Unmap,
    /// The controllers service found more keys for the location than the vendor allows:
    /// nothing was applied. Recorded once per change of the figures.
    ReportOverLimit {
        wanted: usize,
        limit: usize,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ControllerError {
    #[error("the {0} must be 1–{ID_MAX_CHARS} printable characters without spaces")]
    InvalidId(&'static str),
    #[error("the Meraki SSID number must be 0–{MERAKI_SSID_MAX}")]
    InvalidSsid,
    #[error("the SSID must be 1–{SSID_MAX_BYTES} bytes without control characters")]
    InvalidSsidName,
    #[error("the credential must be at least {0} characters, without spaces")]
    Credential(usize),
    #[error(
        "the location is not mapped to a Lanyard location; map it first (lanyard locations map)"
    )]
    LocationNotMapped,
    #[error("no controller is mapped to this location")]
    NotMapped,
    #[error("another location's AP group already fetches with this token: choose another")]
    TokenTaken,
}

impl Aggregate for Controller {
    type Command = ControllerCommand;
    type Error = ControllerError;

    fn decide(&self, command: ControllerCommand) -> Result<Vec<Event>, ControllerError> {
        match command {
            ControllerCommand::Map {
                target,
                credentials,
                location_mapped,
                token_taken,
            } => map(target, credentials, location_mapped, token_taken),
            ControllerCommand::Unmap => Ok(match self.mapped {
                Some(_) => vec![Event::ControllerUnmapped],
                None => vec![],
            }),
            ControllerCommand::ReportOverLimit { wanted, limit } => match &self.mapped {
                Some(_) if self.over_limit == Some((wanted, limit)) => Ok(vec![]),
                Some(mapped) => Ok(vec![Event::ControllerOverLimit {
                    vendor: mapped.target.vendor().to_owned(),
                    wanted,
                    limit,
                }]),
                None => Err(ControllerError::NotMapped),
            },
        }
    }

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::ControllerMapped {
                target,
                credentials,
                token_hash,
            } => {
                self.mapped = Some(ControllerMapping {
                    target: target.clone(),
                    credentials: credentials.clone(),
                    token_hash: token_hash.clone(),
                });
                self.over_limit = None;
            }
            Event::ControllerUnmapped => {
                self.mapped = None;
                self.over_limit = None;
            }
            Event::ControllerOverLimit { wanted, limit, .. } => {
                self.over_limit = Some((*wanted, *limit));
            }
            _ => {}
        }
        self
    }
}

fn map(
    target: ControllerTarget,
    credentials: NewCredentials,
    location_mapped: bool,
    token_taken: bool,
) -> Result<Vec<Event>, ControllerError> {
    for (what, id) in target.ids() {
        let printable = id.chars().all(|c| c.is_ascii_graphic());
        if id.is_empty() || id.chars().count() > ID_MAX_CHARS || !printable {
            return Err(ControllerError::InvalidId(what));
        }
    }
    if let ControllerTarget::Meraki { ssid_number, .. } = &target
        && *ssid_number > MERAKI_SSID_MAX
    {
        return Err(ControllerError::InvalidSsid);
    }
    if let Some(ssid) = target.ssid()
        && (ssid.is_empty() || ssid.len() > SSID_MAX_BYTES || ssid.chars().any(char::is_control))
    {
        return Err(ControllerError::InvalidSsidName);
    }
    let min = target.credential_min_chars();
    let clear = credentials.clear.expose();
    if clear.chars().count() < min || clear.chars().any(char::is_whitespace) {
        return Err(ControllerError::Credential(min));
    }
    if !location_mapped {
        return Err(ControllerError::LocationNotMapped);
    }
    if token_taken {
        return Err(ControllerError::TokenTaken);
    }
    Ok(vec![Event::ControllerMapped {
        target,
        credentials: credentials.sealed,
        token_hash: credentials.token_hash,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(tag: &str) -> Sealed {
        Sealed {
            key: "master".into(),
            nonce: "n".into(),
            ciphertext: tag.into(),
        }
    }

    fn meraki(ssid_number: u8) -> ControllerTarget {
        ControllerTarget::Meraki {
            organization_id: "549236".into(),
            network_id: "N_24329156".into(),
            ssid_number,
        }
    }

    fn credentials(clear: &str) -> NewCredentials {
        NewCredentials {
            clear: SecretText::new(clear),
            sealed: sealed("sealed-key"),
            token_hash: None,
        }
    }

    fn given(events: &[Event]) -> Controller {
        events
            .iter()
            .fold(Controller::default(), |state, event| state.evolve(event))
    }

    fn map_command(target: ControllerTarget, clear: &str) -> ControllerCommand {
        ControllerCommand::Map {
            target,
            credentials: credentials(clear),
            location_mapped: true,
            token_taken: false,
        }
    }

    #[test]
    fn a_mapping_records_the_credentials_sealed_only() {
        let events = given(&[])
            .decide(map_command(meraki(3), "a-meraki-api-key-of-40-chars"))
            .expect("mapped");
        assert_eq!(
            events,
            vec![Event::ControllerMapped {
                target: meraki(3),
                credentials: sealed("sealed-key"),
                token_hash: None,
            }]
        );
        let text = serde_json::to_string(&events).expect("json");
        assert!(!text.contains("a-meraki-api-key"));
    }

    #[test]
    fn bad_ids_ssids_credentials_and_unmapped_locations_are_refused() {
        let state = given(&[]);
        assert_eq!(
            state.decide(map_command(meraki(15), "a-meraki-api-key-of-40-chars")),
            Err(ControllerError::InvalidSsid)
        );
        assert_eq!(
            state.decide(map_command(meraki(1), "short")),
            Err(ControllerError::Credential(20))
        );
        let openwrt = ControllerTarget::Openwrt {
            ap_group: "floor 2".into(),
        };
        assert_eq!(
            state.decide(map_command(openwrt, &"t".repeat(40))),
            Err(ControllerError::InvalidId("AP group"))
        );
        let unmapped = ControllerCommand::Map {
            target: meraki(1),
            credentials: credentials("a-meraki-api-key-of-40-chars"),
            location_mapped: false,
            token_taken: false,
        };
        assert_eq!(
            state.decide(unmapped),
            Err(ControllerError::LocationNotMapped)
        );
        let taken = ControllerCommand::Map {
            target: ControllerTarget::Openwrt {
                ap_group: "rome-aps".into(),
            },
            credentials: credentials(&"t".repeat(40)),
            location_mapped: true,
            token_taken: true,
        };
        assert_eq!(state.decide(taken), Err(ControllerError::TokenTaken));
    }

    #[test]
    fn a_mist_ssid_may_hold_spaces_but_not_be_empty() {
        let mist = |ssid: &str| ControllerTarget::Mist {
            org_id: "9777c1a0-6ef6-11e6-8bbf-02e208b2d34f".into(),
            site_id: None,
            ssid: ssid.into(),
        };
        let key = "a-mist-api-token-of-enough-chars";
        assert!(
            given(&[])
                .decide(map_command(mist("Lanyard Members"), key))
                .is_ok()
        );
        assert_eq!(
            given(&[]).decide(map_command(mist(""), key)),
            Err(ControllerError::InvalidSsidName)
        );
    }

    #[test]
    fn unmapping_forgets_the_mapping_once() {
        let mapped = Event::ControllerMapped {
            target: meraki(3),
            credentials: sealed("k"),
            token_hash: None,
        };
        let state = given(std::slice::from_ref(&mapped));
        assert_eq!(
            state.decide(ControllerCommand::Unmap),
            Ok(vec![Event::ControllerUnmapped])
        );
        let state = given(&[mapped, Event::ControllerUnmapped]);
        assert_eq!(state.mapped, None);
        assert_eq!(state.decide(ControllerCommand::Unmap), Ok(vec![]));
    }

    #[test]
    fn over_limit_is_reported_for_a_mapped_location_only() {
        let report = ControllerCommand::ReportOverLimit {
            wanted: 1200,
            limit: 1000,
        };
        assert_eq!(
            given(&[]).decide(report.clone()),
            Err(ControllerError::NotMapped)
        );
        let mapped = Event::ControllerMapped {
            target: meraki(3),
            credentials: sealed("k"),
            token_hash: None,
        };
        let over = Event::ControllerOverLimit {
            vendor: "meraki".into(),
            wanted: 1200,
            limit: 1000,
        };
        assert_eq!(
            given(std::slice::from_ref(&mapped)).decide(report.clone()),
            Ok(vec![over.clone()])
        );
        // The same figures again are not reported twice; a new mapping starts afresh.
        assert_eq!(
            given(&[mapped.clone(), over.clone()]).decide(report.clone()),
            Ok(vec![])
        );
        assert_eq!(
            given(&[mapped.clone(), over.clone(), mapped]).decide(report),
            Ok(vec![over])
        );
    }
}
