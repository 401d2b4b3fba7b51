//! The client side of Optix's budget of 60 requests per minute per token.
//!
//! A sliding window: at most `limit` requests in any 60 seconds. Unlike a token bucket this can
//! never overrun a fixed-window limit on the server, whichever way its windows are aligned. A
//! 429 blocks the token until the server's `Retry-After` has passed.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(60);

/// Bound on the tokens tracked at once. The portal verifies canvas tokens anyone can make up,
/// each with its own budget: the map must not grow with them.
pub const MAX_TOKENS: usize = 10_000;

/// What a shared budget answers, or why it could not be asked.
pub type SharedBudgetFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, Box<dyn std::error::Error + Send + Sync>>> + Send + 'a>>;

/// A token's budget counted for every process that sends with it (provision's instances count
/// in PostgreSQL): the process that takes an organization over sees what the previous one spent
/// in the window. The client checks it after its own window, which counts only this process.
pub trait SharedBudget: Send + Sync {
    /// Takes one request of `key`'s budget of `limit` per `window` if it is free now
    /// (`Ok(Ok(()))`), or answers how long until it is (`Ok(Err(wait))`), taking nothing.
    fn take<'a>(
        &'a self,
        key: &'a str,
        limit: u32,
        window: Duration,
    ) -> SharedBudgetFuture<'a, Result<(), Duration>>;

    /// The server said 429: no process sends for `key` until `retry_after` has passed.
    fn block<'a>(&'a self, key: &'a str, retry_after: Duration) -> SharedBudgetFuture<'a, ()>;
}

#[derive(Default)]
struct TokenWindow {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

pub struct RateLimiter {
    /// Requests per window per token; 0 = unlimited.
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, TokenWindow>>,
}

impl RateLimiter {
    pub fn new(limit_per_minute: u32) -> RateLimiter {
        RateLimiter::with_window(limit_per_minute, WINDOW)
    }

    /// `limit` requests per `window` (Optix's window is a minute; tests shorten it). The
    /// client counts a little more than the window (2 %, at least 250 ms): Optix counts arrivals,
    /// not departures, and a request that leaves just inside our window may land in its next one.
    pub fn with_window(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window: window + (window / 50).max(Duration::from_millis(250)),
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The window counted, margin included.
    pub fn window(&self) -> Duration {
        self.window
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, TokenWindow>) -> T) -> T {
        let mut guard = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    /// Takes one request from `key`'s budget if it is free now (`Ok`), or says how long until
    /// it is (`Err`), without taking anything.
    pub fn try_acquire(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let limit = self.limit as usize;
        self.with(|windows| {
            if !windows.contains_key(key) && windows.len() >= MAX_TOKENS {
                self.prune(windows, now);
            }
            let window = windows.entry(key.to_owned()).or_default();
            if let Some(until) = window.blocked_until {
                if until > now {
                    return Err(until - now);
                }
                window.blocked_until = None;
            }
            if limit == 0 {
                return Ok(());
            }
            while window
                .sent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                window.sent.pop_front();
            }
            if window.sent.len() >= limit {
                let oldest = window.sent.front().copied().unwrap_or(now);
                return Err(self.window.saturating_sub(now.duration_since(oldest)));
            }
            window.sent.push_back(now);
            Ok(())
        })
    }

    /// Makes room in a full map: first forgets tokens with nothing in their window and no block;
    /// if that is not enough, the half with the fewest requests in their window (tokens used
    /// once, like made-up canvas tokens, rather than an organization's busy one).
    fn prune(&self, windows: &mut HashMap<String, TokenWindow>, now: Instant) {
        windows.retain(|_, w| {
            w.blocked_until.is_some_and(|u| u > now)
                || w.sent
                    .back()
                    .is_some_and(|t| now.saturating_duration_since(*t) < self.window)
        });
        if windows.len() < MAX_TOKENS {
            return;
        }
        let mut by_use: Vec<(usize, String)> = windows
            .iter()
            .filter(|(_, w)| w.blocked_until.is_none_or(|u| u <= now))
            .map(|(k, w)| (w.sent.len(), k.clone()))
            .collect();
        by_use.sort_unstable();
        for (_, key) in by_use.into_iter().take(MAX_TOKENS / 2) {
            windows.remove(&key);
        }
    }

    /// Tokens tracked now.
    pub fn tracked(&self) -> usize {
        self.with(|windows| windows.len())
    }

    /// Waits for a request of `key`'s budget. Fails with the wait it would take when that is
    /// longer than `patience`.
    pub async fn acquire(&self, key: &str, patience: Duration) -> Result<(), Duration> {
        let started = Instant::now();
        loop {
            match self.try_acquire(key, Instant::now()) {
                Ok(()) => return Ok(()),
                Err(wait) => {
                    if started.elapsed() + wait > patience {
                        return Err(wait);
                    }
                    tokio::time::sleep(wait.max(Duration::from_millis(5))).await;
                }
            }
        }
    }

    /// The server said 429: nothing goes out for `key` until `retry_after` has passed.
    pub fn block(&self, key: &str, retry_after: Duration) {
        let until = Instant::now() + retry_after;
        self.with(|windows| {
            let window = windows.entry(key.to_owned()).or_default();
            window.blocked_until = Some(window.blocked_until.map_or(until, |u| u.max(until)));
        });
    }

    /// Requests left in `key`'s current window (the limit when unlimited or unused).
    pub fn remaining(&self, key: &str, now: Instant) -> u32 {
        if self.limit == 0 {
            return 0;
        }
        self.with(|windows| {
            let Some(window) = windows.get(key) else {
                return self.limit;
            };
            if window.blocked_until.is_some_and(|u| u > now) {
                return 0;
            }
            let used = window
                .sent
                .iter()
                .filter(|t| now.duration_since(**t) < self.window)
                .count() as u32;
            self.limit.saturating_sub(used)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Acquires for `key` at each instant, asserting that none is refused.
    fn acquire_at_each(
        limiter: &RateLimiter,
        key: &str,
        instants: impl IntoIterator<Item = Instant>,
    ) {
        for at in instants {
            assert_eq!(limiter.try_acquire(key, at), Ok(()));
        }
    }

    #[test]
    fn at_most_the_limit_in_any_sixty_seconds() {
        let limiter = RateLimiter::new(3);
        let t0 = Instant::now();
        acquire_at_each(&limiter, "t", (0..3).map(|i| t0 + Duration::from_secs(i)));
        // The fourth waits until the first request leaves the window (60 s and the 1.2 s
        // margin for the way to Optix).
        assert_eq!(
            limiter.try_acquire("t", t0 + Duration::from_secs(10)),
            Err(Duration::from_millis(51_200))
        );
        assert_eq!(limiter.remaining("t", t0 + Duration::from_secs(10)), 0);
        assert!(
            limiter
                .try_acquire("t", t0 + Duration::from_secs(60))
                .is_err()
        );
        assert_eq!(
            limiter.try_acquire("t", t0 + Duration::from_millis(61_200)),
            Ok(())
        );
        // Budgets are per token.
        assert_eq!(limiter.try_acquire("other", t0), Ok(()));
        assert_eq!(limiter.remaining("unused", t0), 3);
    }

    #[test]
    fn made_up_tokens_never_grow_the_map_past_its_bound() {
        let limiter = RateLimiter::new(60);
        let t0 = Instant::now();
        // An organization's busy token…
        acquire_at_each(
            &limiter,
            "org",
            (0..30).map(|i| t0 + Duration::from_millis(i)),
        );
        // …and the attack: a flood of distinct forged canvas tokens within one window.
        for i in 0..(MAX_TOKENS * 5) {
            let _ = limiter.try_acquire(&format!("forged-{i}"), t0 + Duration::from_secs(1));
        }
        assert!(limiter.tracked() <= MAX_TOKENS, "{}", limiter.tracked());
        // The busy token kept its window: its budget was not reset by the flood.
        assert_eq!(limiter.remaining("org", t0 + Duration::from_secs(2)), 30);
        // Long after, idle tokens are simply forgotten.
        let _ = limiter.try_acquire("late", t0 + Duration::from_secs(600));
        assert!(limiter.tracked() <= MAX_TOKENS);
    }

    #[test]
    fn a_429_blocks_the_token_until_retry_after() {
        let limiter = RateLimiter::new(0);
        limiter.block("t", Duration::from_secs(30));
        let wait = limiter
            .try_acquire("t", Instant::now())
            .expect_err("blocked");
        assert!(wait > Duration::from_secs(29) && wait <= Duration::from_secs(30));
        assert_eq!(limiter.try_acquire("u", Instant::now()), Ok(()));
    }

    #[tokio::test]
    async fn waiting_longer_than_the_patience_fails_at_once_with_the_wait() {
        let limiter = RateLimiter::new(1);
        assert_eq!(limiter.acquire("t", Duration::ZERO).await, Ok(()));
        let started = Instant::now();
        let refused = limiter.acquire("t", Duration::from_secs(1)).await;
        assert!(refused.is_err());
        assert!(started.elapsed() < Duration::from_millis(100));
    }
}
