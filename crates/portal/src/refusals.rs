//! Refused onboardings remembered for `onboarding_refusal_cache_secs`: asking again within that
//! time gets the same answer without spending the organization's Optix budget.

use crate::state::State;
use bus::commands::RefusalCode;
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
