//! Canvas tokens: Optix hands a personal token to the canvas; the portal asks Optix who it
//! belongs to (`me`) and remembers the answer briefly, keyed by the token's SHA-256. The token
//! itself is never stored, logged or put in a URL by the portal.

use optix::api::{Me, OptixClient, OptixError};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Bound on remembered verifications (each is small; forged tokens are never remembered).
const CACHE_LIMIT: usize = 10_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// Optix does not accept the token, or it is not a user's personal token.
    #[error("the token is not a valid personal token: {0}")]
    Rejected(&'static str),
    /// Optix could not be asked (down, rate limited, bad answer).
    #[error("Optix could not verify the token: {0}")]
    Unavailable(String),
}

/// A personal token Optix vouched for.
#[derive(Clone, Debug)]
pub struct Verified {
    pub org_id: String,
    pub user_id: String,
    pub fullname: String,
    pub me: Me,
}

pub struct Verifier {
    optix: OptixClient,
    ttl: Duration,
    cache: Mutex<HashMap<String, (Instant, Verified)>>,
}

impl Verifier {
    pub fn new(optix: OptixClient, ttl: Duration) -> Verifier {
        Verifier {
            optix,
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn optix(&self) -> &OptixClient {
        &self.optix
    }

    fn cached(&self, key: &str) -> Option<Verified> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    fn remember(&self, key: String, verified: Verified) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_LIMIT {
            let ttl = self.ttl;
            cache.retain(|_, (at, _)| at.elapsed() < ttl);
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
        }
        cache.insert(key, (Instant::now(), verified));
    }

    /// Who the token belongs to: a PERSONAL token with a user and an organization.
    pub async fn verify(&self, token: &str) -> Result<Verified, VerifyError> {
        let key = crate::session::sha256_hex(token);
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let me = match self.optix.me(token).await {
            Ok(me) => me,
            Err(OptixError::Unauthorized) => return Err(VerifyError::Rejected("refused by Optix")),
            Err(OptixError::GraphQl(_)) => {
                return Err(VerifyError::Rejected("Optix reported errors for it"));
            }
            Err(other) => return Err(VerifyError::Unavailable(other.to_string())),
        };
        if me.auth_type != "PERSONAL" {
            return Err(VerifyError::Rejected("not a personal token"));
        }
        let Some(user) = me.user.clone() else {
            return Err(VerifyError::Rejected("no user behind it"));
        };
        if user.is_deleted {
            return Err(VerifyError::Rejected("the user is deleted"));
        }
        let Some(org_id) = me.organization_id.clone() else {
            return Err(VerifyError::Rejected("no organization behind it"));
        };
        let verified = Verified {
            org_id,
            user_id: user.user_id,
            fullname: user.fullname,
            me,
        };
        self.remember(key, verified.clone());
        Ok(verified)
    }
}
