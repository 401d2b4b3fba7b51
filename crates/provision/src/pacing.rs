//! Adaptive linger: how long an organization's worker gathers webhooks before a batch spends
//! Optix requests on them.
//!
//! A batch costs about the same few requests (plans by id, facts, emails) whether it holds one
//! webhook or a hundred. While the budget is ample a batch goes after the short `coalesce`
//! (freshness); in a burst, spending at that pace empties the 60 requests a minute in seconds,
//! after which every batch waits up to a minute for the window to slide. So the worker paces
//! itself with a token bucket inside the window: `BURST` of the budget may go at once, the rest
//! at the rate that keeps any window's spending within the limit; when the bucket is empty the
//! worker lingers, gathering more of the burst into the next batch, until it has refilled.

use std::time::{Duration, Instant};

/// The part of the budget a burst may spend at once (a sixth: 10 of Optix's 60).
const BURST_SHARE: f64 = 1.0 / 6.0;
/// What a batch is assumed to cost before the first one has been measured.
const FIRST_COST: f64 = 2.0;
/// Never gather for longer than this (a webhook's account should follow its 2xx within
/// seconds, and the messages held are kept alive meanwhile).
pub const MAX_LINGER: Duration = Duration::from_secs(3);

/// One organization's pacing (its worker owns it).
#[derive(Debug)]
pub struct Pacing {
    capacity: f64,
    /// Requests a second the bucket refills by: (limit − burst) per window, so that a full
    /// bucket plus a window's refill never exceeds the limit.
    rate: f64,
    tokens: f64,
    at: Instant,
    /// What the last batches cost (a moving average), what the next is assumed to cost.
    cost: f64,
}

impl Pacing {
    /// For a budget of `limit` requests per `window`; None without a limit.
    pub fn new(limit: u32, window: Duration, now: Instant) -> Option<Pacing> {
        if limit == 0 || window.is_zero() {
            return None;
        }
        let limit = f64::from(limit);
        let capacity = (limit * BURST_SHARE).max(1.0);
        // The client's limiter counts a little more than the window (see optix::limiter).
        let counted = window + window / 20;
        Some(Pacing {
            capacity,
            rate: (limit - capacity).max(1.0) / counted.as_secs_f64(),
            tokens: capacity,
            at: now,
            cost: FIRST_COST,
        })
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.at = now;
    }

    /// How long to gather before the next batch: `coalesce` while the bucket holds a batch's
    /// cost, else until it will (at most [`MAX_LINGER`]).
    pub fn linger(&mut self, coalesce: Duration, now: Instant) -> Duration {
        self.refill(now);
        let wanted = self.cost.min(self.capacity);
        if self.tokens >= wanted {
            return coalesce;
        }
        let wait = Duration::from_secs_f64((wanted - self.tokens) / self.rate);
        wait.clamp(coalesce, MAX_LINGER.max(coalesce))
    }

    /// A batch spent `requests`.
    pub fn spent(&mut self, requests: u32, now: Instant) {
        self.refill(now);
        let requests = f64::from(requests);
        self.tokens -= requests;
        if requests > 0.0 {
            self.cost = (self.cost + requests) / 2.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COALESCE: Duration = Duration::from_millis(5);

    fn optix(now: Instant) -> Pacing {
        Pacing::new(60, Duration::from_secs(60), now).expect("a limit")
    }

    #[test]
    fn without_a_limit_there_is_no_pacing() {
        assert!(Pacing::new(0, Duration::from_secs(60), Instant::now()).is_none());
    }

    #[test]
    fn an_ample_budget_only_coalesces() {
        let now = Instant::now();
        let mut pacing = optix(now);
        assert_eq!(pacing.linger(COALESCE, now), COALESCE);
        pacing.spent(2, now);
        assert_eq!(pacing.linger(COALESCE, now), COALESCE);
    }

    #[test]
    fn a_burst_that_empties_the_bucket_lingers_until_a_batch_is_paid_for() {
        let now = Instant::now();
        let mut pacing = optix(now);
        for _ in 0..5 {
            pacing.spent(2, now);
        }
        // Empty: 2 requests at (60 − 10) / 63 s a second take 2.5 s to come back.
        let linger = pacing.linger(COALESCE, now);
        assert!(
            linger > Duration::from_secs(2) && linger <= MAX_LINGER,
            "{linger:?}"
        );
        let later = now + linger;
        assert_eq!(pacing.linger(COALESCE, later), COALESCE);
    }

    #[test]
    fn the_linger_is_bounded_however_far_behind_the_bucket_is() {
        let now = Instant::now();
        let mut pacing = optix(now);
        pacing.spent(60, now);
        assert_eq!(pacing.linger(COALESCE, now), MAX_LINGER);
    }

    #[test]
    fn paced_spending_stays_within_the_limit_in_any_window() {
        // Batches as often as the pacing lets them, each costing 2: never more than 60 in
        // any window the client's limiter counts (a minute and 2 %).
        let start = Instant::now();
        let mut pacing = optix(start);
        let mut now = start;
        let mut sent: Vec<Instant> = Vec::new();
        while now < start + Duration::from_secs(300) {
            now += pacing.linger(COALESCE, now);
            pacing.spent(2, now);
            sent.extend([now, now]);
            let in_window = sent
                .iter()
                .filter(|t| now.duration_since(**t) < Duration::from_millis(61_200))
                .count();
            assert!(in_window <= 60, "{in_window} requests in a minute");
        }
    }
}
