//! A member's devices: the MAC addresses RADIUS MAC authentication knows them by, and what
//! a device may be called. Events `DeviceAdded` / `DeviceRemoved` on the member stream.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How many devices a member may register when no live grant's profile says otherwise.
pub const DEFAULT_DEVICE_LIMIT: u16 = 5;

/// The longest device name, in characters.
pub const DEVICE_NAME_MAX: usize = 64;

/// A MAC address in its canonical form: 12 lowercase hex digits, no separators. Parses the
/// forms vendors send (`AA-BB-CC-DD-EE-FF`, `aa:bb:cc:dd:ee:ff`, `aabb.ccdd.eeff`,
/// `aabbccddeeff`, either case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mac([u8; 6]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MacError {
    #[error(
        "{0:?} is not a MAC address: write 12 hex digits, e.g. AA:BB:CC:DD:EE:FF, \
         AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff"
    )]
    Invalid(String),
}

impl Mac {
    pub fn octets(self) -> [u8; 6] {
        self.0
    }

    /// `AA:BB:CC:DD:EE:FF`, the way phones and laptops show it.
    pub fn display_colons(self) -> String {
        self.0
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// A locally administered address (the second-lowest bit of the first octet): what
    /// iOS, Android, macOS and Windows make up per network ("private address").
    pub fn is_randomized(self) -> bool {
        self.0[0] & 0b10 != 0
    }
}

impl FromStr for Mac {
    type Err = MacError;

    fn from_str(input: &str) -> Result<Mac, MacError> {
        let invalid = || MacError::Invalid(input.chars().take(40).collect());
        let trimmed = input.trim();
        // One separator style throughout, in its place: 2-2-2-2-2-2 for `:`/`-`, 4-4-4 for `.`.
        let groups: Vec<&str> = if trimmed.contains(':') {
            trimmed.split(':').collect()
        } else if trimmed.contains('-') {
            trimmed.split('-').collect()
        } else if trimmed.contains('.') {
            trimmed.split('.').collect()
        } else {
            vec![trimmed]
        };
        let group_len = 12 / groups.len().max(1);
        let well_formed = matches!(groups.len(), 1 | 3 | 6)
            && (groups.len() != 3 || trimmed.contains('.'))
            && groups.iter().all(|g| g.len() == group_len);
        if !well_formed {
            return Err(invalid());
        }
        let digits: String = groups.concat();
        let mut octets = [0u8; 6];
        for (i, octet) in octets.iter_mut().enumerate() {
            let pair = digits.get(2 * i..2 * i + 2).ok_or_else(invalid)?;
            *octet = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
        }
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        Ok(Mac(octets))
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl Serialize for Mac {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Mac {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Mac, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// In the events' JSON Schema (proto/events/): the canonical text `Display` writes.
impl JsonSchema for Mac {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Mac".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A MAC address: 12 lowercase hex digits, no separators.",
            "type": "string",
            "pattern": "^[0-9a-f]{12}$"
        })
    }
}

/// How a device came to be bound to its member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceBinding {
    /// The tenant registered it on the key page or in the app.
    Tenant,
    /// An admin (admin canvas) or the operator (CLI) registered it.
    Admin,
    /// An access point's accounting reported which of the location's keys it joined with.
    Accounting,
    /// The access point reported the key at the handshake (hostapd's `keyid`).
    Handshake,
}

impl DeviceBinding {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceBinding::Tenant => "tenant",
            DeviceBinding::Admin => "admin",
            DeviceBinding::Accounting => "accounting",
            DeviceBinding::Handshake => "handshake",
        }
    }
}

/// Who removed a device (the actor is in the event's metadata too; this is for the words).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRemover {
    Tenant,
    Admin,
    Operator,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeviceNameError {
    #[error("give the device a name, e.g. \"Anna's phone\"")]
    Empty,
    #[error("a device name has at most {DEVICE_NAME_MAX} characters")]
    TooLong,
    #[error("a device name may not contain line breaks, tabs or other control characters")]
    ControlCharacter,
}

/// A device name as typed, trimmed and checked: 1–64 characters, no control characters.
pub fn device_name(name: &str) -> Result<String, DeviceNameError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DeviceNameError::Empty);
    }
    if name.chars().count() > DEVICE_NAME_MAX {
        return Err(DeviceNameError::TooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(DeviceNameError::ControlCharacter);
    }
    Ok(name.to_owned())
}

/// A member's device limit: the largest limit among the profiles of their live grants (a
/// profile without one counts as [`DEFAULT_DEVICE_LIMIT`]); the default when none is live.
pub fn device_limit(live_grant_limits: impl IntoIterator<Item = Option<u16>>) -> u16 {
    live_grant_limits
        .into_iter()
        .map(|limit| limit.unwrap_or(DEFAULT_DEVICE_LIMIT))
        .max()
        .unwrap_or(DEFAULT_DEVICE_LIMIT)
}

/// The name a device bound by the network gets: `Device aa:bb:cc:dd:ee:ff`.
pub fn bound_device_name(mac: Mac) -> String {
    format!("Device {}", mac.display_colons().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_form_parses_to_the_canonical_form() {
        for form in [
            "AA-BB-CC-DD-EE-0F",
            "aa:bb:cc:dd:ee:0f",
            "aabb.ccdd.ee0f",
            "AABBCCDDEE0F",
            " aa:BB:cc:dd:ee:0f ",
        ] {
            let mac: Mac = form.parse().expect(form);
            assert_eq!(mac.to_string(), "aabbccddee0f", "{form}");
        }
        let mac: Mac = "aabbccddee0f".parse().expect("mac");
        assert_eq!(mac.display_colons(), "AA:BB:CC:DD:EE:0F");
        assert_eq!(
            serde_json::to_value(mac).expect("json"),
            serde_json::json!("aabbccddee0f")
        );
        assert_eq!(
            serde_json::from_value::<Mac>(serde_json::json!("AA-BB-CC-DD-EE-0F")).expect("de"),
            mac
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "aabbccddee",
            "aabbccddee0f00",
            "aa:bb:cc:dd:ee",
            "aa:bb:cc-dd:ee:0f",
            "aabb:ccdd:ee0f",
            "aab.bccdd.ee0f",
            "gg:bb:cc:dd:ee:0f",
            "+a:bb:cc:dd:ee:0f",
            "aa:bb:cc:dd:ee:0é",
        ] {
            assert!(bad.parse::<Mac>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn private_addresses_are_recognised() {
        assert!(
            "da:a1:19:00:00:01"
                .parse::<Mac>()
                .expect("mac")
                .is_randomized()
        );
        assert!(
            !"00:1b:63:00:00:01"
                .parse::<Mac>()
                .expect("mac")
                .is_randomized()
        );
    }

    #[test]
    fn device_names_are_checked() {
        assert_eq!(device_name("  Anna's phone "), Ok("Anna's phone".into()));
        assert_eq!(device_name(" "), Err(DeviceNameError::Empty));
        assert_eq!(device_name(&"x".repeat(65)), Err(DeviceNameError::TooLong));
        assert!(device_name(&"é".repeat(64)).is_ok());
        assert_eq!(device_name("a\nb"), Err(DeviceNameError::ControlCharacter));
        let mac: Mac = "aabbccddee0f".parse().expect("mac");
        assert_eq!(bound_device_name(mac), "Device aa:bb:cc:dd:ee:0f");
    }
}
