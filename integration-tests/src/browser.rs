//! Headless Chromium driven over WebDriver (chromedriver + fantoccini), for the portal's
//! end-to-end tests. Each browser gets its own chromedriver on a free port and a fresh profile
//! directory; both go away with it. Missing Chromium or chromedriver fails the test (`make
//! test` installs them: scripts/infra.sh).
//!
//! Screenshots go to `$LANYARD_SCREENSHOTS` or `target/screenshots/` with the names the tests
//! give them.

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The flags Chromium runs with here: headless, no sandbox (root in a container), nothing that
/// phones home or updates itself.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=412,915",
];

pub struct Browser {
    pub client: Client,
    screenshots: PathBuf,
    _driver: Driver,
}

/// chromedriver in its own process group, and Chromium's profile directory: dropping it ends
/// chromedriver and the Chromium it started (even when a test fails half-way) and removes the
/// profile.
struct Driver {
    child: Child,
    profile_dir: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: signals the process group created for chromedriver (its pid is the group
            // id); only chromedriver and the Chromium it started are in it.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

fn find_binary(env: &str, candidates: &[&str]) -> anyhow::Result<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        let path = PathBuf::from(path);
        anyhow::ensure!(path.exists(), "{env}={} does not exist", path.display());
        return Ok(path);
    }
    for candidate in candidates {
        let path = Path::new(candidate);
        if path.is_absolute() {
            if path.exists() {
                return Ok(path.to_path_buf());
            }
            continue;
        }
        if let Some(paths) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&paths) {
                let full = dir.join(candidate);
                if full.exists() {
                    return Ok(full);
                }
            }
        }
    }
    bail!(
        "none of {candidates:?} found (set {env}); `make test` installs chromium and \
         chromium-driver (scripts/infra.sh install)"
    )
}

/// Where screenshots go: `$LANYARD_SCREENSHOTS`, else `<workspace>/target/screenshots`.
pub fn screenshot_dir() -> PathBuf {
    match std::env::var_os("LANYARD_SCREENSHOTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("screenshots"),
    }
}

impl Browser {
    pub async fn start() -> anyhow::Result<Browser> {
        // fantoccini's rustls connector uses the process-default crypto provider; with both
        // ring and aws-lc-rs compiled in, one must be installed first.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let chromium = find_binary("CHROME_BIN", &["/usr/bin/chromium", "chromium"])?;
        let chromedriver = find_binary("CHROMEDRIVER", &["/usr/bin/chromedriver", "chromedriver"])?;
        let port = bus::testing::ports::free_tcp_port()?;
        let profile_dir = std::env::temp_dir().join(format!(
            "lanyard-chromium-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&profile_dir)?;
        let mut command = Command::new(&chromedriver);
        command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut driver = Driver {
            child: command
                .spawn()
                .with_context(|| format!("starting {}", chromedriver.display()))?,
            profile_dir,
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let status = reqwest::Client::new();
        loop {
            if let Ok(response) = status.get(format!("{webdriver}/status")).send().await
                && response.status().is_success()
            {
                break;
            }
            if let Ok(Some(exit)) = driver.child.try_wait() {
                bail!("chromedriver exited at start ({exit})");
            }
            if started.elapsed() > Duration::from_secs(15) {
                bail!("chromedriver did not answer on port {port} within 15 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", driver.profile_dir.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": args,
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            bail!("capabilities must be an object");
        };
        let client = ClientBuilder::rustls()?
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .context("starting a Chromium session through chromedriver")?;
        Ok(Browser {
            client,
            screenshots: screenshot_dir(),
            _driver: driver,
        })
    }

    /// Saves a PNG of the current page as `<screenshots>/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        std::fs::create_dir_all(&self.screenshots)?;
        let png = self.client.screenshot().await?;
        let path = self.screenshots.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Waits for an element (pages load fast; 10 s covers a slow machine).
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for {css}"))
    }

    /// The text of the first `h1` once the page shows one with `expected` in it.
    pub async fn wait_for_heading(&self, expected: &str) -> anyhow::Result<String> {
        let started = Instant::now();
        loop {
            if let Ok(h1) = self.client.find(Locator::Css("h1")).await
                && let Ok(text) = h1.text().await
                && text.contains(expected)
            {
                return Ok(text);
            }
            if started.elapsed() > Duration::from_secs(15) {
                let body = self.client.source().await.unwrap_or_default();
                bail!("no heading with {expected:?} after 15 s; the page is:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element and waits until the browser has left the page (the old document's
    /// root went stale), so what is looked for next is on the new page.
    pub async fn click_and_wait(&self, css: &str) -> anyhow::Result<()> {
        let old_root = self.client.find(Locator::Css("html")).await?;
        self.client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("finding {css}"))?
            .click()
            .await?;
        let started = Instant::now();
        while old_root.tag_name().await.is_ok() {
            if started.elapsed() > Duration::from_secs(15) {
                bail!("clicking {css} did not load a new page within 15 s");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Ok(())
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        Ok(self.client.goto(url).await?)
    }

    /// Types `text` into the element with id `id`.
    pub async fn type_into(&self, id: &str, text: &str) -> anyhow::Result<()> {
        Ok(self
            .client
            .find(Locator::Id(id))
            .await?
            .send_keys(text)
            .await?)
    }

    /// The text of the element with id `id`.
    pub async fn text_of(&self, id: &str) -> anyhow::Result<String> {
        Ok(self.client.find(Locator::Id(id)).await?.text().await?)
    }

    /// Clicks the element, staying on the page (a `<details>` summary, a button of a script).
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        Ok(self.client.find(Locator::Css(css)).await?.click().await?)
    }

    pub async fn current_url(&self) -> anyhow::Result<url::Url> {
        Ok(self.client.current_url().await?)
    }

    /// Ends the WebDriver session (Chromium quits), then chromedriver.
    pub async fn close(self) -> anyhow::Result<()> {
        let Browser {
            client, _driver, ..
        } = self;
        client.close().await?;
        drop(_driver);
        Ok(())
    }
}
