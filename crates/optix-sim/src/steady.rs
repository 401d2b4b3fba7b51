//! Steady delivery: webhooks at a fixed rate, as Optix sends them during a busy hour, spread
//! over several receivers (the instances behind a load balancer: each attempt goes to the next
//! one), each retried with Optix's policy (a 2xx or a 410 ends it; anything else, a timeout or a
//! refused connection is retried `max_retries` times, `retry_interval` apart). The chaos suite
//! (`lanyard-chaos`) kills things while this runs and counts, per delivery, what was answered.

use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How a steady run delivers.
#[derive(Clone, Debug)]
pub struct SteadyPlan {
    /// The receivers (`…/optix/webhooks` of each ingest instance), taken in turn.
    pub urls: Vec<String>,
    pub per_second: f64,
    /// How many webhooks in all.
    pub count: usize,
    /// Optix: 10 minutes. A test compresses it.
    pub retry_interval: Duration,
    /// Optix: 10.
    pub max_retries: u32,
}

/// One attempt at delivering webhook `index` and what it got.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub index: usize,
    /// 1 for the first POST.
    pub attempt: u32,
    /// The HTTP status, or `None` when the request failed (timeout, connection refused).
    pub status: Option<u16>,
    pub answered_at: Instant,
    /// No attempt follows (answered 2xx or 410, or the retries are spent).
    pub last: bool,
}

impl Attempt {
    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Sends `plan.count` webhooks, the `i`th at `i / per_second` after the start, its body made by
/// `body(i)` at that moment (the change happens, then Optix sends the webhook). Returns once the
/// last first attempt is sent; retries go on in the background, and every attempt is reported
/// on `attempts` (the channel closes when the last delivery is settled).
pub async fn deliver_steady(
    plan: SteadyPlan,
    mut body: impl FnMut(usize) -> anyhow::Result<String>,
    attempts: mpsc::UnboundedSender<Attempt>,
) -> anyhow::Result<()> {
    anyhow::ensure!(!plan.urls.is_empty(), "no receiver to deliver to");
    anyhow::ensure!(plan.per_second > 0.0, "the rate must be positive");
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let start = Instant::now();
    for index in 0..plan.count {
        tokio::time::sleep_until(start + Duration::from_secs_f64(index as f64 / plan.per_second))
            .await;
        let form = body(index)?;
        let (http, plan, attempts) = (http.clone(), plan.clone(), attempts.clone());
        tokio::spawn(async move { deliver_one(&http, &plan, index, form, &attempts).await });
    }
    Ok(())
}

async fn deliver_one(
    http: &reqwest::Client,
    plan: &SteadyPlan,
    index: usize,
    form: String,
    attempts: &mpsc::UnboundedSender<Attempt>,
) {
    for attempt in 1..=plan.max_retries + 1 {
        if attempt > 1 {
            tokio::time::sleep(plan.retry_interval).await;
        }
        let url = &plan.urls[(index + attempt as usize - 1) % plan.urls.len()];
        let status = http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.clone())
            .send()
            .await
            .ok()
            .map(|r| r.status().as_u16());
        let done = status.is_some_and(|s| (200..300).contains(&s) || s == 410);
        let last = done || attempt == plan.max_retries + 1;
        // The receiver of the reports may have gone (a run given up): nothing to tell then.
        let _ = attempts.send(Attempt {
            index,
            attempt,
            status,
            answered_at: Instant::now(),
            last,
        });
        if last {
            return;
        }
    }
}
