//! A cookie-keeping HTTP client for the portal, for tests and benchmarks that need no browser.

use std::collections::BTreeMap;
use std::time::Duration;

/// A client keeping cookies by hand (reqwest's store would not send `Secure` cookies over
/// http://127.0.0.1, which browsers do) and never following redirects.
pub struct Agent {
    http: reqwest::Client,
    pub base: String,
    /// The cookies it holds, by name.
    pub cookies: BTreeMap<String, String>,
    /// Headers sent with every request (e.g. `Accept-Language`, as a browser sends it).
    pub headers: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
    pub retry_after: Option<String>,
}

impl Page {
    /// The page's CSRF token (panics, showing the page, when it has none: for tests).
    pub fn csrf(&self) -> String {
        hidden(&self.body, "csrf").unwrap_or_else(|| panic!("no csrf field in:\n{}", self.body))
    }

    /// The page's CSRF token, or an error naming the page's status.
    pub fn try_csrf(&self) -> anyhow::Result<String> {
        hidden(&self.body, "csrf")
            .ok_or_else(|| anyhow::anyhow!("no csrf field in the page ({})", self.status))
    }
    pub fn h1(&self) -> String {
        let start = self.body.find("<h1").map(|i| i + 3).unwrap_or(0);
        let start = self.body[start..]
            .find('>')
            .map(|i| start + i + 1)
            .unwrap_or(0);
        let end = self.body[start..]
            .find("</h1>")
            .map(|i| start + i)
            .unwrap_or(start);
        self.body[start..end].to_owned()
    }
}

/// The value of a hidden input by name.
pub fn hidden(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

/// A response header's value, when it is there and readable as text.
pub fn header_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

impl Agent {
    pub fn new(base: &str) -> Agent {
        Agent {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_else(|e| panic!("client: {e}")),
            base: base.to_owned(),
            cookies: BTreeMap::new(),
            headers: Vec::new(),
        }
    }

    /// The `Cookie` header the agent would send now.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, mut request: reqwest::RequestBuilder) -> anyhow::Result<Page> {
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = if self.cookies.is_empty() {
            request
        } else {
            request.header("cookie", self.cookie_header())
        };
        let response = request.send().await?;
        let status = response.status().as_u16();
        let location = header_value(&response, "location");
        let retry_after = header_value(&response, "retry-after");
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for cookie in &set_cookies {
            let pair = cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || cookie.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body = response.text().await?;
        Ok(Page {
            status,
            location,
            set_cookies,
            body,
            retry_after,
        })
    }

    pub async fn get(&mut self, path: &str) -> anyhow::Result<Page> {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> anyhow::Result<Page> {
        let request = self.http.post(format!("{}{path}", self.base)).form(fields);
        self.send(request).await
    }

    /// Sets new passphrases (`"{label} {n} maple rocket violin"`, n counting from 0) on the
    /// signed-in member's WiFi page until the limit answers 429 or `attempts` are made: every
    /// answer, the 429 last when it came.
    pub async fn change_passphrase_until_limited(
        &mut self,
        csrf: &str,
        label: &str,
        attempts: usize,
    ) -> anyhow::Result<Vec<Page>> {
        let mut answers = Vec::new();
        for attempt in 0..attempts {
            let candidate = format!("{label} {attempt} maple rocket violin");
            let page = self
                .post(
                    "/wifi/passphrase",
                    &[("csrf", csrf), ("passphrase", candidate.as_str())],
                )
                .await?;
            let limited = page.status == 429;
            answers.push(page);
            if limited {
                break;
            }
        }
        Ok(answers)
    }

    /// Asks for a sign-in link at a portal.
    pub async fn request_link(
        &mut self,
        org: &str,
        location: &str,
        email: &str,
    ) -> anyhow::Result<Page> {
        let path = format!("/l/{org}/{location}");
        let form = self.get(&path).await?;
        anyhow::ensure!(form.status == 200, "{form:?}");
        let csrf = form.try_csrf()?;
        self.post(&path, &[("csrf", &csrf), ("email", email)]).await
    }

    /// Signs in at a canvas as Optix and the page's script do: GET the page (`page_path`, with
    /// its query), then POST the token with the page's CSRF token (a GET never signs in).
    pub async fn canvas_sign_in(&mut self, page_path: &str, token: &str) -> anyhow::Result<Page> {
        let page = self.get(page_path).await?;
        anyhow::ensure!(page.status == 200, "{page:?}");
        let csrf = page.try_csrf()?;
        let action = page_path.split('?').next().unwrap_or(page_path).to_owned();
        let location = hidden(&page.body, "location_id");
        let mut fields = vec![("csrf", csrf.as_str()), ("token", token)];
        if let Some(location) = location.as_deref() {
            fields.push(("location_id", location));
        }
        self.post(&action, &fields).await
    }

    /// Follows a sign-in link as the page's script does: the fragment's token in a POST.
    pub async fn follow_link(&mut self, link: &str) -> anyhow::Result<Page> {
        let (url, token) = link
            .split_once("#token=")
            .ok_or_else(|| anyhow::anyhow!("the link carries no #token=: {link}"))?;
        let path = url.trim_start_matches(&self.base).to_owned();
        let page = self.get(&path).await?;
        anyhow::ensure!(page.status == 200, "{page:?}");
        let csrf = page.try_csrf()?;
        self.post(&path, &[("csrf", &csrf), ("token", token)]).await
    }

    /// Signs `email` in at a portal through the link emailed to `mailbox`; afterwards the agent
    /// holds the tenant session and the key page answers.
    pub async fn sign_in(
        &mut self,
        mailbox: &crate::mail::Mailbox,
        org: &str,
        location: &str,
        email: &str,
    ) -> anyhow::Result<()> {
        let prefix = format!("{}/l/{org}/{location}/signin", self.base);
        let before = mailbox.present(email, &prefix)?;
        let answer = self.request_link(org, location, email).await?;
        anyhow::ensure!(answer.status == 200, "asking for a link: {}", answer.status);
        let mail = mailbox.wait_for_new(email, &prefix, &before).await?;
        let link = mail
            .link(&prefix)
            .ok_or_else(|| anyhow::anyhow!("no sign-in link in the email"))?;
        let done = self.follow_link(&link).await?;
        anyhow::ensure!(
            done.status < 400,
            "signing in answered {}: {}",
            done.status,
            done.body.chars().take(300).collect::<String>()
        );
        let key = self.get("/wifi").await?;
        anyhow::ensure!(key.status == 200, "the key page answered {}", key.status);
        Ok(())
    }
}
