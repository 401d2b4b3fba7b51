//! Rate limits: counters in `portal_rate_limits`, shared by every portal instance, keyed by a
//! keyed hash of what they count (an email, a client address, a user), never the value itself.

use crate::db;
use crate::error::PortalError;
use crate::state::State;

/// The longest rate-limit window (`link_requests_per_client_daily`).
pub(crate) const LONGEST_WINDOW_SECS: u64 = 24 * 3600;

/// One rate limit: the bucket (kind, organization or "" for all, the value counted), how many
/// requests it allows and in how long a window.
pub(crate) struct RateLimit<'a> {
    pub kind: &'static str,
    pub org_id: &'a str,
    pub value: &'a str,
    pub max: u32,
    pub window_secs: u64,
}

impl State {
    /// The rate-limit bucket of a value (an email, an address): stored only as a keyed hash.
    fn bucket(&self, bucket_kind: &str, org_id: &str, value: &str) -> String {
        format!(
            "{bucket_kind}:{}",
            self.keys.keyed_hash(bucket_kind, org_id, value)
        )
    }

    /// Counts a request against a limit (`bucket_kind` names the limit).
    pub(crate) async fn limit(
        &self,
        bucket_kind: &str,
        org_id: &str,
        value: &str,
        max: u32,
    ) -> Result<db::Limit, PortalError> {
        self.limit_within(
            bucket_kind,
            org_id,
            value,
            max,
            self.settings.rate_window_secs,
        )
        .await
    }

    /// Counts a request against a limit of `max` per `window_secs`; check and count are one
    /// statement, so parallel requests can never get past the limit together.
    pub(crate) async fn limit_within(
        &self,
        bucket_kind: &str,
        org_id: &str,
        value: &str,
        max: u32,
        window_secs: u64,
    ) -> Result<db::Limit, PortalError> {
        let bucket = self.bucket(bucket_kind, org_id, value);
        let client = self.pool.get().await?;
        Ok(db::hit(&client, &bucket, max, window_secs).await?)
    }

    /// Counts one request against each limit in turn and stops at the first one it is over:
    /// then `count` records it (a metric), the log names the limit (and `what` was asked, for
    /// `org_id`), and the answer is the seconds until that limit frees.
    pub(crate) async fn over_limit(
        &self,
        limits: &[RateLimit<'_>],
        org_id: &str,
        what: &str,
        count: impl FnOnce(),
    ) -> Result<Option<u64>, PortalError> {
        for limit in limits {
            if let db::Limit::Exceeded { retry_after_secs } = self
                .limit_within(
                    limit.kind,
                    limit.org_id,
                    limit.value,
                    limit.max,
                    limit.window_secs,
                )
                .await?
            {
                count();
                tracing::info!(org_id, limit = limit.kind, "{what} over the limit");
                return Ok(Some(retry_after_secs));
            }
        }
        Ok(None)
    }

    /// Gives back one request counted by [`State::limit`] (it turned out not to count).
    pub(crate) async fn unlimit(
        &self,
        bucket_kind: &str,
        org_id: &str,
        value: &str,
    ) -> Result<(), PortalError> {
        let bucket = self.bucket(bucket_kind, org_id, value);
        let client = self.pool.get().await?;
        Ok(db::refund(&client, &bucket).await?)
    }
}
