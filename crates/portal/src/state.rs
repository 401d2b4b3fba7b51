//! What every handler shares: the pools and clients the portal was built with, its settings and
//! the small in-memory maps (unmapped-location reports, remembered refusals). What the portal
//! does with it lives beside the job: rate limits (`limits`), commands (`commands`), refused
//! onboardings (`refusals`), rendering (`responses`), the client's address (`address`).

use bus::commands::RefusalCode;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Instant;

/// Bound on every in-memory map keyed by what outsiders send (locations, users): the least
/// recently used entry goes first, so memory stays flat under any flood.
pub(crate) const OUTSIDE_KEYS_CAP: usize = 10_000;

pub(crate) fn bounded<K: std::hash::Hash + Eq, V>() -> Mutex<LruCache<K, V>> {
    Mutex::new(LruCache::new(
        NonZeroUsize::new(OUTSIDE_KEYS_CAP).unwrap_or(NonZeroUsize::MIN),
    ))
}

pub(crate) struct State {
    pub(crate) pool: deadpool_postgres::Pool,
    pub(crate) bus: bus::Bus,
    pub(crate) keys: secrets::KeyRing,
    pub(crate) settings: runtime::PortalSettings,
    /// Base URL for links in emails, without a trailing slash.
    pub(crate) public_url: String,
    pub(crate) mailer: crate::mail::Mailer,
    pub(crate) verifier: crate::verify::Verifier,
    /// Unmapped-location reports sent recently (organization/location/user → when), so a page
    /// reloaded in a loop does not flood the admins' notifications.
    pub(crate) reports: Mutex<LruCache<String, Instant>>,
    /// Refused onboardings (organization/user/location → when, the refusal), remembered for
    /// `onboarding_refusal_cache_secs` so asking again does not spend Optix budget.
    pub(crate) onboarding_refusals: Mutex<LruCache<String, RememberedRefusal>>,
    /// Parsed `trusted_proxies`.
    pub(crate) trusted_proxies: Vec<ipnet::IpNet>,
    /// Reads controller mappings and tests their connection (the admin canvas's page).
    pub(crate) controllers: controllers::Context,
    /// Tests OfficeRnD connections and reads an organization's locations and plans (the
    /// OfficeRnD pages).
    pub(crate) officernd: officernd::OfficeRndClient,
    /// How far an OfficeRnD integration page's signed `t` may be from now (`officernd.
    /// signature_tolerance_secs`).
    pub(crate) officernd_tolerance_secs: i64,
}

/// A refused onboarding: when, and provision's answer.
pub(crate) type RememberedRefusal = (Instant, RefusalCode, String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keyed_by_outside_input_stay_bounded() {
        let map = bounded::<String, Instant>();
        let mut map = map.lock().expect("lock");
        for i in 0..(OUTSIDE_KEYS_CAP * 3) {
            map.put(format!("6267/location-{i}/-"), Instant::now());
        }
        assert_eq!(map.len(), OUTSIDE_KEYS_CAP);
    }
}
