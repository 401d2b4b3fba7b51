//! A vendor's request budget (a token bucket): Lanyard stays under the vendor's rate instead of
//! learning it from 429s. One bucket per vendor organization, shared by its locations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `rate` requests per second, at most `burst` at once.
#[derive(Debug)]
pub struct Budget {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl Budget {
    pub fn new(rate_per_second: u32, burst: u32) -> Budget {
        Budget::with_rate(f64::from(rate_per_second.max(1)), f64::from(burst.max(1)))
    }

    /// `calls` per `window` (Mist: 5,000 per hour), all of them at once at most.
    pub fn per_window(calls: u32, window: Duration) -> Budget {
        let calls = f64::from(calls.max(1));
        Budget::with_rate(calls / window.as_secs_f64().max(0.001), calls)
    }

    fn with_rate(rate: f64, burst: f64) -> Budget {
        Budget {
            rate,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Waits until a request may go.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let (tokens, at) = *state;
                let tokens =
                    (tokens + now.duration_since(at).as_secs_f64() * self.rate).min(self.burst);
                if tokens >= 1.0 {
                    *state = (tokens - 1.0, now);
                    return;
                }
                *state = (tokens, now);
                Duration::from_secs_f64((1.0 - tokens) / self.rate)
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// The vendor said to wait (429 + `Retry-After`): no request goes before then.
    pub fn hold_for(&self, wait: Duration) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let debt = wait.as_secs_f64() * self.rate;
        *state = (-debt, Instant::now());
    }
}

/// Most vendor organizations whose budgets are kept (the mappings bound them; this bounds
/// the map however many there are).
const MAX_BUDGETS: usize = 10_000;

/// The budgets by vendor organization.
#[derive(Debug, Default)]
pub struct Budgets {
    budgets: Mutex<HashMap<String, Arc<Budget>>>,
}

impl Budgets {
    /// The budget of `key` (e.g. `meraki:<organization id>`), made at `rate` when new.
    pub fn of(&self, key: &str, rate: u32, burst: u32) -> Arc<Budget> {
        self.of_with(key, || Budget::new(rate, burst))
    }

    /// The budget of `key`, made by `make` when new.
    pub fn of_with(&self, key: &str, make: impl FnOnce() -> Budget) -> Arc<Budget> {
        let mut budgets = self.budgets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(budget) = budgets.get(key) {
            return budget.clone();
        }
        if budgets.len() >= MAX_BUDGETS {
            budgets.clear();
        }
        let budget = Arc::new(make());
        budgets.insert(key.to_owned(), budget.clone());
        budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn given_a_rate_then_no_more_requests_than_it_after_the_burst() {
        let budget = Budget::new(50, 1);
        let start = Instant::now();
        for _ in 0..11 {
            budget.acquire().await;
        }
        assert!(start.elapsed() >= Duration::from_millis(190));
    }
}
