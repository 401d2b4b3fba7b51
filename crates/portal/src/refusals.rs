//! Refused onboardings remembered for `onboarding_refusal_cache_secs`: asking again within that
//! time gets the same answer without spending the organization's Optix budget; and a refusal of
//! a tenant's change in the page's language ([`refusal_text`]).

use crate::pages::sentence;
use crate::state::State;
use bus::commands::RefusalCode;
use i18n::{Lang, Texts};
use std::time::{Duration, Instant};

impl State {
    /// A refused onboarding of this user at this location, remembered within
    /// `onboarding_refusal_cache_secs`.
    pub(crate) fn remembered_refusal(
        &self,
        org_id: &str,
        user_id: &str,
        location_id: &str,
    ) -> Option<(RefusalCode, String)> {
        let ttl = Duration::from_secs(self.settings.onboarding_refusal_cache_secs);
        let mut refusals = self
            .onboarding_refusals
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let key = format!("{org_id}/{user_id}/{location_id}");
        match refusals.get(&key) {
            Some((at, code, message)) if at.elapsed() < ttl => Some((*code, message.clone())),
            Some(_) => {
                refusals.pop(&key);
                None
            }
            None => None,
        }
    }

    /// Remembers a refused onboarding whose answer will not change in a minute or two (no plan,
    /// unknown user, suspended, not installed), so asking again does not spend Optix budget.
    pub(crate) fn remember_refusal(
        &self,
        org_id: &str,
        user_id: &str,
        location_id: &str,
        code: RefusalCode,
        message: &str,
    ) {
        let lasting = matches!(
            code,
            RefusalCode::NoAccess
                | RefusalCode::UnknownUser
                | RefusalCode::NoAccount
                | RefusalCode::Suspended
                | RefusalCode::NotInstalled
        );
        if !lasting || self.settings.onboarding_refusal_cache_secs == 0 {
            return;
        }
        self.onboarding_refusals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(
                format!("{org_id}/{user_id}/{location_id}"),
                (Instant::now(), code, message.to_owned()),
            );
    }
}

/// A refusal of a tenant's change in the page's language. Provision words its refusals in
/// English with the exact rule broken: English pages show them as they are, other languages
/// the catalogue's text for the refusal's code.
pub fn refusal_text(t: &Texts<'_>, code: RefusalCode, message: &str) -> String {
    let id = match code {
        _ if t.lang() == Lang::En => return sentence(message),
        RefusalCode::InvalidPassphrase => "refusal-invalid-passphrase",
        RefusalCode::PassphraseTaken => "refusal-passphrase-taken",
        RefusalCode::DeviceLimitReached => "refusal-device-limit",
        RefusalCode::DeviceTaken => "refusal-device-taken",
        RefusalCode::InvalidMac => "refusal-invalid-mac",
        RefusalCode::UnknownDevice => "refusal-unknown-device",
        RefusalCode::NoAccount => "refusal-no-account",
        _ => return t.get_with("refusal-other", &[("reason", message)]),
    };
    t.get(id)
}
