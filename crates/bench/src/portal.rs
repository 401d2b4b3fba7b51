//! Portal: the signed-in key page's latency at a fixed rate, and the time a magic-link request
//! takes until the email is handed to SMTP (the sink has written it to its Maildir).
//!
//! A tenant signs in as a person would (the email form, the emailed link, the sign-in page's
//! POST), then `GET /wifi` runs open loop with their session cookie: first one second at the
//! rate that is not counted (the portal's database connections open and prepare their
//! statements, the client's connections open: steady state is what the target is about; the
//! warm-up's own p99 is reported beside it), then the measured seconds. The ceiling is the
//! same portal's stylesheet at the same rate with the same cookie: the same server and client
//! with no database behind the answer. Magic links are requested
//! at a fixed rate for different members, each timed from its POST until the sink's Maildir
//! holds a message to that member (inotify tells when a message lands in `new/`: a poll of the
//! directory costs with every message already there, and the sink's Maildir keeps them all).
//!
//! The magic link's ceiling is the sink itself: right after the links, as many messages at the
//! same rate go straight to the sink over SMTP (lettre, as the portal's mailer; no portal, no
//! database), timed the same way. The sink (aiosmtpd's Maildir handler, Python's `mailbox`)
//! fsyncs each message before it answers, one at a time, so its latency is the disk's: what
//! no sender can go below on this machine at that moment.

use crate::stats::{Row, ms, quantile};
use crate::support;
use integration_tests::StackOptions;
use integration_tests::agent::Agent;
use integration_tests::stack::DEMO_ORG;
use serde::Serialize;
use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const LOCATION: &str = "3390";

#[derive(Serialize)]
pub struct PortalFigures {
    pub key_page_rate_per_sec: u32,
    pub key_page_requests: usize,
    pub key_page_p50_ms: f64,
    pub key_page_p99_ms: f64,
    pub key_page_max_ms: f64,
    /// The sum of [`PortalFigures::key_page_failures`], for readers of the JSON.
    pub key_page_non_200: usize,
    /// The failed key-page requests by why: an HTTP status, or the client's error for a
    /// request it could not complete.
    pub key_page_failures: support::Failures,
    pub key_page_warm_up_p99_ms: f64,
    pub stylesheet_p50_ms: f64,
    pub stylesheet_p99_ms: f64,
    pub link_rate_per_sec: u32,
    pub link_requests: usize,
    pub link_answer_p99_ms: f64,
    pub link_mail_p50_ms: f64,
    pub link_mail_p99_ms: f64,
    pub link_mail_max_ms: f64,
    pub sink_alone_p50_ms: f64,
    pub sink_alone_p99_ms: f64,
    pub sink_alone_max_ms: f64,
}

impl PortalFigures {
    pub fn rows(&self) -> Vec<Row> {
        vec![
            Row {
                what: format!("portal key page at {}/s", self.key_page_rate_per_sec),
                figure: format!(
                    "p50 {:.2} ms, p99 {:.2} ms (max {:.1} ms, {}; warm-up second p99 {:.1} ms)",
                    self.key_page_p50_ms,
                    self.key_page_p99_ms,
                    self.key_page_max_ms,
                    support::count_with_causes(&self.key_page_failures, "non-200"),
                    self.key_page_warm_up_p99_ms
                ),
                ceiling: format!(
                    "the stylesheet at the same rate: p50 {:.2} ms, p99 {:.2} ms",
                    self.stylesheet_p50_ms, self.stylesheet_p99_ms
                ),
                target: "p99 < 10 ms".into(),
                // A page that failed was not served in time, whatever its latency.
                met: Some(self.key_page_p99_ms < 10.0 && self.key_page_failures.is_empty()),
            },
            Row {
                what: format!("magic link → mail at SMTP ({}/s)", self.link_rate_per_sec),
                figure: format!(
                    "p50 {:.1} ms, p99 {:.1} ms (max {:.1} ms; answer p99 {:.1} ms; {} requests)",
                    self.link_mail_p50_ms,
                    self.link_mail_p99_ms,
                    self.link_mail_max_ms,
                    self.link_answer_p99_ms,
                    self.link_requests
                ),
                ceiling: format!(
                    "the sink alone, the same number at the same rate: p50 {:.1} ms, p99 {:.1} ms (max {:.1} ms)",
                    self.sink_alone_p50_ms, self.sink_alone_p99_ms, self.sink_alone_max_ms
                ),
                target: "p99 < 20 ms".into(),
                met: Some(self.link_mail_p99_ms < 20.0),
            },
        ]
    }
}

/// `GET path` at `rate`/s for `seconds`, open loop, with `cookie`: latencies, and the requests
/// that did not end in a whole 200 by why.
pub async fn fixed_rate_get(
    url: &str,
    cookie: &str,
    rate: usize,
    seconds: usize,
) -> anyhow::Result<(Vec<Duration>, support::Failures)> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(support::CONCURRENCY)
        .timeout(Duration::from_secs(10))
        .build()?;
    let pace = support::OpenLoop::at(rate);
    let mut tasks = Vec::with_capacity(rate * seconds);
    for i in 0..rate * seconds {
        let due = pace.wait(i).await;
        let (http, url, cookie) = (http.clone(), url.to_owned(), cookie.to_owned());
        tasks.push(tokio::spawn(async move {
            let outcome = match http.get(&url).header("cookie", cookie).send().await {
                Ok(response) if response.status() != 200 => {
                    Err(format!("HTTP {}", response.status().as_u16()))
                }
                Ok(response) => response
                    .bytes()
                    .await
                    .map(drop)
                    .map_err(|e| support::failure_of(&e)),
                Err(error) => Err(support::failure_of(&error)),
            };
            (due.elapsed(), outcome)
        }));
    }
    support::latencies_and_failures(tasks).await
}

/// The recipient of a message in the sink's Maildir (the `To:` header's address).
fn recipient(path: &Path) -> Option<String> {
    let raw = std::fs::read_to_string(path).ok()?;
    let header = raw
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.len() > 3 && l[..3].eq_ignore_ascii_case("to:"))?;
    let value = header[3..].trim();
    let address = match (value.find('<'), value.find('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value,
    };
    Some(address.to_lowercase())
}

pub async fn run(smoke: bool) -> anyhow::Result<PortalFigures> {
    let (key_rate, key_seconds, link_rate, link_seconds) = if smoke {
        (50, 1, 5, 1)
    } else {
        (500, 10, 20, 10)
    };
    let links = link_rate * link_seconds;
    let unlimited = StackOptions::rate_limits(0, 0, Duration::from_secs(60));
    let (stack, people, _) =
        support::populated_stack(unlimited, links + 1, Duration::from_secs(300)).await?;
    stack.map_demo_locations().await?;
    let mailbox = stack.mailbox.clone().ok_or_else(|| {
        anyhow::anyhow!("no SMTP sink: run through scripts/bench.sh (SMTP_URL, MAILDIR)")
    })?;
    let (base, server) = portal_without_link_limits(&stack).await?;
    let email = |user: &str| {
        stack
            .sim
            .sim
            .user_email(DEMO_ORG, user)
            .ok_or_else(|| anyhow::anyhow!("no email for user {user}"))
    };

    // The key page of a signed-in tenant.
    let mut tenant = Agent::new(&base);
    tenant
        .sign_in(&mailbox, DEMO_ORG, LOCATION, &email(&people[0].0)?)
        .await?;
    let (key_page, cookie) = (format!("{base}/wifi"), tenant.cookie_header());
    let (mut warm_up, mut key_page_failures) =
        fixed_rate_get(&key_page, &cookie, key_rate, 1).await?;
    let (mut key_latencies, measured_failures) =
        fixed_rate_get(&key_page, &cookie, key_rate, key_seconds).await?;
    // A page that fails is counted whether or not its second is timed.
    for (why, count) in measured_failures {
        *key_page_failures.entry(why).or_default() += count;
    }
    let (mut stylesheet, stylesheet_failures) = fixed_rate_get(
        &format!("{base}/assets/portal.css"),
        &cookie,
        key_rate,
        key_seconds,
    )
    .await?;
    support::ensure_none_failed(&stylesheet_failures, "stylesheet requests")?;

    // Magic links: one member each, at a fixed rate.
    let asked: Asked = Arc::default();
    let deadline = Duration::from_secs(link_seconds as u64 + 60);
    let arrivals = MailArrivals::watch(mailbox.dir.join("new"))?;
    let watcher = tokio::spawn(watch_mail(arrivals, asked.clone(), links, deadline));
    let addresses = people[1..=links]
        .iter()
        .map(|(user, _)| email(user))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut answers = ask_for_links(&base, addresses, link_rate, &asked).await?;
    let mut mail_latencies = watcher.await??;
    server.abort();
    let mut sink_alone = sink_alone(&mailbox, links, link_rate, deadline).await?;
    Ok(PortalFigures {
        key_page_rate_per_sec: key_rate as u32,
        key_page_requests: key_latencies.len(),
        key_page_p50_ms: ms(quantile(&mut key_latencies, 0.50)),
        key_page_p99_ms: ms(quantile(&mut key_latencies, 0.99)),
        key_page_max_ms: ms(quantile(&mut key_latencies, 1.0)),
        key_page_non_200: key_page_failures.values().sum(),
        key_page_failures,
        key_page_warm_up_p99_ms: ms(quantile(&mut warm_up, 0.99)),
        stylesheet_p50_ms: ms(quantile(&mut stylesheet, 0.50)),
        stylesheet_p99_ms: ms(quantile(&mut stylesheet, 0.99)),
        link_rate_per_sec: link_rate as u32,
        link_requests: links,
        link_answer_p99_ms: ms(quantile(&mut answers, 0.99)),
        link_mail_p50_ms: ms(quantile(&mut mail_latencies, 0.50)),
        link_mail_p99_ms: ms(quantile(&mut mail_latencies, 0.99)),
        link_mail_max_ms: ms(quantile(&mut mail_latencies, 1.0)),
        sink_alone_p50_ms: ms(quantile(&mut sink_alone, 0.50)),
        sink_alone_p99_ms: ms(quantile(&mut sink_alone, 0.99)),
        sink_alone_max_ms: ms(quantile(&mut sink_alone, 1.0)),
    })
}

/// `count` messages sent straight to the sink at `rate` per second, each to its own address
/// (lettre, pooled, as the portal sends): the time from each send until the sink's Maildir
/// holds it.
async fn sink_alone(
    mailbox: &integration_tests::mail::Mailbox,
    count: usize,
    rate: usize,
    deadline: Duration,
) -> anyhow::Result<Vec<Duration>> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&mailbox.smtp_url)?
        .timeout(Some(Duration::from_secs(10)))
        .build();
    let asked: Asked = Arc::default();
    let arrivals = MailArrivals::watch(mailbox.dir.join("new"))?;
    let watcher = tokio::spawn(watch_mail(arrivals, asked.clone(), count, deadline));
    let pace = support::OpenLoop::at(rate);
    let mut sends = Vec::with_capacity(count);
    for i in 0..count {
        pace.wait(i).await;
        let to = format!("sink-alone-{i}@bench.example");
        let message = Message::builder()
            .from("Lanyard bench <bench@bench.example>".parse()?)
            .to(to.parse()?)
            .subject("The sink alone")
            // A short plain-text body, as a sign-in email is: what the sink spends is its
            // fsync, not the bytes.
            .body(String::from("A message straight to the sink.\n").repeat(12))?;
        let (transport, asked) = (transport.clone(), asked.clone());
        sends.push(tokio::spawn(async move {
            asked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(to, Instant::now());
            transport.send(message).await.map(|_| ())
        }));
    }
    for send in sends {
        send.await??;
    }
    watcher.await?
}

/// Lower-cased address → when its sign-in link was asked for, until its email arrives.
type Asked = Arc<Mutex<HashMap<String, Instant>>>;

/// A second portal on the stack that lets one client ask for as many links as the benchmark
/// sends: its base URL and its task.
async fn portal_without_link_limits(
    stack: &integration_tests::Stack,
) -> anyhow::Result<(String, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let mut settings = stack.settings.clone();
    settings.portal.listen = "127.0.0.1:0".into();
    settings.portal.link_requests_per_client = u32::MAX;
    settings.portal.link_requests_per_client_daily = u32::MAX;
    settings.portal.link_requests_per_email = u32::MAX;
    let portal = portal::Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", portal.port());
    Ok((base, tokio::spawn(portal.run_until_stopped())))
}

/// Messages landing in a Maildir's `new/` directory, as inotify reports them (the sink
/// writes each into `tmp/`, then links it into `new/`).
struct MailArrivals {
    new_dir: PathBuf,
    inotify: tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>,
}

impl MailArrivals {
    /// Starts watching now: every message that lands from here on is reported.
    fn watch(new_dir: PathBuf) -> anyhow::Result<MailArrivals> {
        use rustix::fs::inotify;
        let fd = inotify::init(inotify::CreateFlags::NONBLOCK | inotify::CreateFlags::CLOEXEC)?;
        inotify::add_watch(
            &fd,
            &new_dir,
            // Python's `mailbox` (the sink) links the message from `tmp/` into `new/`; others
            // rename it; a writer straight into `new/` is read again when it closes the file.
            inotify::WatchFlags::CREATE
                | inotify::WatchFlags::MOVED_TO
                | inotify::WatchFlags::CLOSE_WRITE,
        )?;
        // SAFETY: the `OwnedFd` moves into the `AsyncFd` and stays open, the same descriptor,
        // until the `AsyncFd` drops it.
        let inotify = unsafe { tokio::io::unix::AsyncFd::register(fd) }
            .map_err(|e| anyhow::anyhow!("watching {}: {e}", new_dir.display()))?;
        Ok(MailArrivals { new_dir, inotify })
    }

    /// The paths of the messages that landed since the last call, waiting for at least one.
    async fn next(&self, buf: &mut [std::mem::MaybeUninit<u8>]) -> anyhow::Result<Vec<PathBuf>> {
        loop {
            let mut ready = self.inotify.readable().await?;
            let read = ready.try_io(|fd| {
                let mut reader = rustix::fs::inotify::Reader::new(fd.get_ref(), &mut *buf);
                let mut paths = Vec::new();
                loop {
                    match reader.next() {
                        Ok(event) => {
                            if let Some(name) = event.file_name() {
                                let name = std::ffi::OsStr::from_bytes(name.to_bytes());
                                paths.push(self.new_dir.join(name));
                            }
                        }
                        Err(rustix::io::Errno::AGAIN) if !paths.is_empty() => return Ok(paths),
                        Err(e) => return Err(std::io::Error::from(e)),
                    }
                }
            });
            match read {
                Ok(paths) => return Ok(paths?),
                Err(_would_block) => continue,
            }
        }
    }
}

/// Waits until `links` emails to the `asked` addresses have arrived: the time from each
/// request to its email.
async fn watch_mail(
    arrivals: MailArrivals,
    asked: Asked,
    links: usize,
    deadline: Duration,
) -> anyhow::Result<Vec<Duration>> {
    let give_up = tokio::time::Instant::now() + deadline;
    let mut buf = vec![std::mem::MaybeUninit::uninit(); 64 * 1024];
    let mut latencies = Vec::with_capacity(links);
    while latencies.len() < links {
        let paths = tokio::time::timeout_at(give_up, arrivals.next(&mut buf))
            .await
            .map_err(|_| {
                anyhow::anyhow!("only {} of {links} sign-in emails arrived", latencies.len())
            })??;
        let at = Instant::now();
        for path in paths {
            if let Some(to) = recipient(&path)
                && let Some(sent) = asked.lock().unwrap_or_else(|p| p.into_inner()).remove(&to)
            {
                latencies.push(at.saturating_duration_since(sent));
            }
        }
    }
    Ok(latencies)
}

/// Asks for a sign-in link for each address at `rate` per second from one client (one form,
/// one CSRF token), noting each request in `asked`; the time each took to be answered.
async fn ask_for_links(
    base: &str,
    addresses: Vec<String>,
    rate: usize,
    asked: &Asked,
) -> anyhow::Result<Vec<Duration>> {
    let mut asker = Agent::new(base);
    let form = asker.get(&format!("/l/{DEMO_ORG}/{LOCATION}")).await?;
    anyhow::ensure!(
        form.status == 200,
        "the portal page answered {}",
        form.status
    );
    let csrf = form.try_csrf()?;
    let cookie = asker.cookie_header();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()?;
    let pace = support::OpenLoop::at(rate);
    let mut requests = Vec::with_capacity(addresses.len());
    for (i, address) in addresses.into_iter().enumerate() {
        pace.wait(i).await;
        let (http, url, cookie, csrf, asked) = (
            http.clone(),
            format!("{base}/l/{DEMO_ORG}/{LOCATION}"),
            cookie.clone(),
            csrf.clone(),
            asked.clone(),
        );
        requests.push(tokio::spawn(async move {
            let sent = Instant::now();
            asked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(address.to_lowercase(), sent);
            let answer = http
                .post(&url)
                .header("cookie", cookie)
                .form(&[("csrf", csrf.as_str()), ("email", address.as_str())])
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            (sent.elapsed(), answer)
        }));
    }
    let mut answers = Vec::with_capacity(requests.len());
    for request in requests {
        let (latency, ok) = request.await?;
        anyhow::ensure!(ok, "a sign-in link request was refused");
        answers.push(latency);
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::fixed_rate_get;
    use actix_web::{App, HttpResponse, HttpServer, web};

    #[tokio::test]
    async fn a_fixed_rate_phase_records_why_each_request_failed() -> anyhow::Result<()> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(|| {
            App::new()
                .route("/ok", web::get().to(HttpResponse::Ok))
                .route("/broken", web::get().to(HttpResponse::InternalServerError))
        })
        .workers(1)
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);

        let base = format!("http://127.0.0.1:{port}");
        let (served, none) = fixed_rate_get(&format!("{base}/ok"), "", 20, 1).await?;
        let (failed, failures) = fixed_rate_get(&format!("{base}/broken"), "", 20, 1).await?;
        handle.stop(false).await;

        assert_eq!((served.len(), none.len()), (20, 0));
        assert_eq!(failed.len(), 20, "a failed request's latency is kept");
        assert_eq!(
            failures.into_iter().collect::<Vec<_>>(),
            [("HTTP 500".to_owned(), 20)]
        );
        Ok(())
    }
}
