//! The NAS registry (`nas-{org}-{nas_id}` streams): the access points and controllers that
//! may ask Lanyard's RADIUS server for keys, with their address, shared secret (sealed),
//! vendor dialect, SSIDs and CoA port.

use crate::aggregate::Aggregate;
pub use crate::dialect::NasDialect;
pub use crate::events::NasRegistration;
use crate::events::{Event, Sealed};
use crate::policy::{PolicyError, check_name};
use ipnet::IpNet;
use std::net::IpAddr;

/// The RFC 5176 port a NAS listens on for Disconnect-Requests unless told otherwise.
pub const DEFAULT_COA_PORT: u16 = 3799;
/// An SSID is at most 32 bytes (IEEE 802.11).
pub const SSID_MAX_BYTES: usize = 32;
/// How many SSIDs one NAS may list.
pub const SSIDS_MAX: usize = 16;
/// Shared secret length, in characters (RFC 2865 asks for at least 16).
pub const SECRET_MIN: usize = 16;
pub const SECRET_MAX: usize = 128;
/// The widest ranges a NAS may claim: wider would swallow other networks' devices.
pub const WIDEST_V4_PREFIX: u8 = 8;
pub const WIDEST_V6_PREFIX: u8 = 32;

/// A NAS shared secret in clear, on its way to being sealed: Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(secret: impl Into<String>) -> SecretText {
        SecretText(secret.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nas {
    pub registered: Option<NasRegistration>,
}

/// The secret of a registration: checked in clear here, recorded only sealed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSecret {
    pub clear: SecretText,
    pub sealed: Sealed,
}

/// A registration as the admin asked for it (address and SSIDs as typed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NasRequest {
    pub nas_id: String,
    pub location_id: String,
    pub name: String,
    pub address: String,
    pub dialect: NasDialect,
    pub ssids: Vec<String>,
    pub coa_port: u16,
    /// `None` on a re-registration keeps the secret recorded.
    pub secret: Option<NewSecret>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // commands are short-lived values, never stored in bulk
pub enum NasCommand {
    /// Register or re-register. What only the store knows comes checked at the edge:
    /// whether the location is mapped, and whether another NAS (any organization) has an
    /// address overlapping this one (checked again at commit).
    Register {
        request: NasRequest,
        location_mapped: bool,
        address_taken: bool,
    },
    Remove,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NasError {
    #[error("the NAS id {0:?} must be 1–32 characters of a–z, 0–9 and '-'")]
    InvalidId(String),
    #[error("{0:?} is not an IP address or network (e.g. 10.0.0.7 or 10.0.0.0/24)")]
    InvalidAddress(String),
    #[error("{given} has host bits set: the network is {network}")]
    HostBitsSet { given: String, network: String },
    #[error(
        "{0} is too wide a range for one NAS (at most /{WIDEST_V4_PREFIX} for IPv4, \
         /{WIDEST_V6_PREFIX} for IPv6)"
    )]
    AddressTooWide(String),
    #[error("another NAS already uses an address in {0}; NAS addresses may not overlap")]
    AddressTaken(String),
    #[error("the location {0} is not mapped; map it first (lanyard locations map)")]
    LocationNotMapped(String),
    #[error(transparent)]
    Name(#[from] PolicyError),
    #[error("list at least one SSID the NAS serves Lanyard keys on")]
    NoSsid,
    #[error("at most {SSIDS_MAX} SSIDs per NAS")]
    TooManySsids,
    #[error(
        "the SSID {0:?} is empty, longer than 32 bytes or holds control characters \
         (accented letters and emoji take 2–4 bytes each)"
    )]
    InvalidSsid(String),
    #[error("the SSID {0:?} is listed twice")]
    DuplicateSsid(String),
    #[error("the CoA port must be between 1 and 65535")]
    CoaPort,
    #[error(
        "the shared secret must be {SECRET_MIN}–{SECRET_MAX} printable ASCII characters \
         without spaces"
    )]
    Secret,
    #[error("a new NAS needs a shared secret")]
    SecretRequired,
    #[error("there is no NAS with this id")]
    NoSuchNas,
}

impl Aggregate for Nas {
    type Command = NasCommand;
    type Error = NasError;

    fn decide(&self, command: NasCommand) -> Result<Vec<Event>, NasError> {
        match command {
            NasCommand::Register {
                request,
                location_mapped,
                address_taken,
            } => register(self, request, location_mapped, address_taken),
            NasCommand::Remove => match self.registered {
                Some(_) => Ok(vec![Event::NasRemoved]),
                None => Err(NasError::NoSuchNas),
            },
        }
    }

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::NasRegistered(registration) => self.registered = Some(registration.clone()),
            Event::NasRemoved => self.registered = None,
            _ => {}
        }
        self
    }
}

fn register(
    state: &Nas,
    request: NasRequest,
    location_mapped: bool,
    address_taken: bool,
) -> Result<Vec<Event>, NasError> {
    check_nas_id(&request.nas_id)?;
    check_name("NAS name", &request.name)?;
    let address = canonical_address(&request.address)?;
    let ssids = check_ssids(&request.ssids)?;
    if request.coa_port == 0 {
        return Err(NasError::CoaPort);
    }
    if !location_mapped {
        return Err(NasError::LocationNotMapped(request.location_id));
    }
    if address_taken {
        return Err(NasError::AddressTaken(address));
    }
    let secret = match (request.secret, &state.registered) {
        (Some(new), _) => {
            check_secret(&new.clear)?;
            new.sealed
        }
        (None, Some(current)) => current.secret.clone(),
        (None, None) => return Err(NasError::SecretRequired),
    };
    let registration = NasRegistration {
        location_id: request.location_id,
        name: request.name.trim().to_owned(),
        address,
        dialect: request.dialect,
        ssids,
        coa_port: request.coa_port,
        secret,
    };
    if state.registered.as_ref() == Some(&registration) {
        return Ok(vec![]);
    }
    Ok(vec![Event::NasRegistered(registration)])
}

/// `[a-z0-9-]{1,32}`: it is part of the stream name and of FreeRADIUS client names.
pub fn check_nas_id(nas_id: &str) -> Result<(), NasError> {
    let valid = (1..=32).contains(&nas_id.len())
        && nas_id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(NasError::InvalidId(nas_id.chars().take(40).collect()))
    }
}

/// An address or network in PostgreSQL's `cidr` text form: a single address becomes /32 or
/// /128; host bits must be clear; ranges wider than /8 (IPv4) or /32 (IPv6) are refused.
pub fn canonical_address(input: &str) -> Result<String, NasError> {
    let input = input.trim();
    let invalid = || NasError::InvalidAddress(input.chars().take(60).collect());
    let net = match input.parse::<IpNet>() {
        Ok(net) => net,
        Err(_) => IpNet::from(input.parse::<IpAddr>().map_err(|_| invalid())?),
    };
    if net.trunc() != net {
        return Err(NasError::HostBitsSet {
            given: input.to_owned(),
            network: net.trunc().to_string(),
        });
    }
    let widest = match net {
        IpNet::V4(_) => WIDEST_V4_PREFIX,
        IpNet::V6(_) => WIDEST_V6_PREFIX,
    };
    if net.prefix_len() < widest {
        return Err(NasError::AddressTooWide(net.to_string()));
    }
    Ok(net.to_string())
}

fn check_ssids(ssids: &[String]) -> Result<Vec<String>, NasError> {
    if ssids.is_empty() {
        return Err(NasError::NoSsid);
    }
    if ssids.len() > SSIDS_MAX {
        return Err(NasError::TooManySsids);
    }
    let mut checked: Vec<String> = Vec::with_capacity(ssids.len());
    for ssid in ssids {
        let valid = !ssid.trim().is_empty()
            && ssid.len() <= SSID_MAX_BYTES
            && !ssid.chars().any(char::is_control);
        if !valid {
            return Err(NasError::InvalidSsid(ssid.chars().take(40).collect()));
        }
        if checked.contains(ssid) {
            return Err(NasError::DuplicateSsid(ssid.clone()));
        }
        checked.push(ssid.clone());
    }
    Ok(checked)
}

/// 16–128 printable ASCII characters, no spaces (they do not survive vendor consoles).
pub fn check_secret(secret: &SecretText) -> Result<(), NasError> {
    let secret = secret.expose();
    let valid = (SECRET_MIN..=SECRET_MAX).contains(&secret.len())
        && secret.bytes().all(|b| b.is_ascii_graphic());
    if valid { Ok(()) } else { Err(NasError::Secret) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(tag: &str) -> Sealed {
        Sealed {
            key: "master".into(),
            nonce: tag.into(),
            ciphertext: tag.into(),
        }
    }

    fn request() -> NasRequest {
        NasRequest {
            nas_id: "lobby-ap-1".into(),
            location_id: "3390".into(),
            name: "Lobby AP".into(),
            address: "10.0.0.0/24".into(),
            dialect: NasDialect::Cisco,
            ssids: vec!["downtown-secure".into()],
            coa_port: DEFAULT_COA_PORT,
            secret: Some(NewSecret {
                clear: SecretText::new("a-long-enough-secret"),
                sealed: sealed("s1"),
            }),
        }
    }

    fn register(request: NasRequest) -> NasCommand {
        NasCommand::Register {
            request,
            location_mapped: true,
            address_taken: false,
        }
    }

    fn registered() -> Event {
        Event::NasRegistered(NasRegistration {
            location_id: "3390".into(),
            name: "Lobby AP".into(),
            address: "10.0.0.0/24".into(),
            dialect: NasDialect::Cisco,
            ssids: vec!["downtown-secure".into()],
            coa_port: 3799,
            secret: sealed("s1"),
        })
    }

    fn given(history: &[Event]) -> Nas {
        Nas::from_history(history)
    }

    fn refusal(change: impl FnOnce(&mut NasRequest)) -> Result<Vec<Event>, NasError> {
        let mut asked = request();
        change(&mut asked);
        Nas::default().decide(register(asked))
    }

    #[test]
    fn given_nothing_when_a_nas_is_registered_then_it_is_recorded_with_its_secret_sealed() {
        assert_eq!(
            Nas::default().decide(register(request())),
            Ok(vec![registered()])
        );
        let state = given(&[registered()]);
        assert_eq!(
            state.registered.as_ref().map(|r| r.address.as_str()),
            Some("10.0.0.0/24")
        );
    }

    #[test]
    fn given_a_nas_when_it_is_registered_again_without_a_secret_then_it_keeps_its_secret() {
        let state = given(&[registered()]);
        let mut same = request();
        same.secret = None;
        assert_eq!(state.decide(register(same.clone())), Ok(vec![]));
        let mut moved = same;
        moved.address = "10.0.1.7".into();
        moved.dialect = NasDialect::Hostapd;
        let events = state.decide(register(moved)).expect("re-register");
        assert!(matches!(
            &events[..],
            [Event::NasRegistered(NasRegistration { address, dialect: NasDialect::Hostapd, secret, .. })]
                if address == "10.0.1.7/32" && *secret == sealed("s1")
        ));
        assert_eq!(
            Nas::default().decide(register(NasRequest {
                secret: None,
                ..request()
            })),
            Err(NasError::SecretRequired)
        );
    }

    #[test]
    fn given_a_nas_when_it_is_removed_then_it_is_gone_and_removing_it_again_is_refused() {
        let state = given(&[registered()]);
        assert_eq!(
            state.decide(NasCommand::Remove),
            Ok(vec![Event::NasRemoved])
        );
        let state = given(&[registered(), Event::NasRemoved]);
        assert_eq!(state.registered, None);
        assert_eq!(state.decide(NasCommand::Remove), Err(NasError::NoSuchNas));
    }

    #[test]
    fn an_unmapped_location_and_an_overlapping_address_are_refused() {
        for (location_mapped, address_taken, refusal) in [
            (false, false, NasError::LocationNotMapped("3390".into())),
            (true, true, NasError::AddressTaken("10.0.0.0/24".into())),
        ] {
            let command = NasCommand::Register {
                request: request(),
                location_mapped,
                address_taken,
            };
            assert_eq!(Nas::default().decide(command), Err(refusal));
        }
    }

    #[test]
    fn addresses_are_canonical_cidr_and_bad_ones_are_refused() {
        assert_eq!(canonical_address(" 10.0.0.7 "), Ok("10.0.0.7/32".into()));
        assert_eq!(
            canonical_address("2001:db8::1"),
            Ok("2001:db8::1/128".into())
        );
        assert_eq!(
            canonical_address("2001:db8::/48"),
            Ok("2001:db8::/48".into())
        );
        assert_eq!(
            canonical_address("10.0.0.5/24"),
            Err(NasError::HostBitsSet {
                given: "10.0.0.5/24".into(),
                network: "10.0.0.0/24".into()
            })
        );
        assert_eq!(
            canonical_address("0.0.0.0/0"),
            Err(NasError::AddressTooWide("0.0.0.0/0".into()))
        );
        assert_eq!(
            canonical_address("10.0.0.256"),
            Err(NasError::InvalidAddress("10.0.0.256".into()))
        );
    }

    #[test]
    fn ids_names_ssids_ports_and_secrets_are_checked() {
        assert_eq!(
            refusal(|r| r.nas_id = "Lobby AP".into()),
            Err(NasError::InvalidId("Lobby AP".into()))
        );
        assert!(refusal(|r| r.nas_id = "x".repeat(33)).is_err());
        assert!(matches!(
            refusal(|r| r.name = " ".into()),
            Err(NasError::Name(_))
        ));
        assert_eq!(refusal(|r| r.ssids.clear()), Err(NasError::NoSsid));
        assert_eq!(
            refusal(|r| r.ssids = vec!["é".repeat(17)]),
            Err(NasError::InvalidSsid("é".repeat(17)))
        );
        assert!(refusal(|r| r.ssids = vec!["é".repeat(16)]).is_ok());
        assert_eq!(
            refusal(|r| r.ssids = vec!["a".into(), "a".into()]),
            Err(NasError::DuplicateSsid("a".into()))
        );
        assert_eq!(
            refusal(|r| r.ssids = (0..17).map(|i| i.to_string()).collect()),
            Err(NasError::TooManySsids)
        );
        assert_eq!(refusal(|r| r.coa_port = 0), Err(NasError::CoaPort));
        for secret in [
            "short",
            "has a space in it ok",
            &"x".repeat(129),
            "ünïcode-secret-long",
        ] {
            assert_eq!(
                refusal(|r| r.secret = Some(NewSecret {
                    clear: SecretText::new(secret),
                    sealed: sealed("s")
                })),
                Err(NasError::Secret),
                "{secret}"
            );
        }
    }

    #[test]
    fn dialects_parse_and_secrets_never_show_in_debug() {
        assert_eq!(NasDialect::parse("Aruba"), Some(NasDialect::Aruba));
        assert_eq!(NasDialect::parse("ubiquiti"), None);
        assert!(!format!("{:?}", request()).contains("a-long-enough-secret"));
    }
}
