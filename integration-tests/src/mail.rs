//! The SMTP sink's Maildir (aiosmtpd started by scripts/infra.sh: `SMTP_URL`, `MAILDIR`): tests
//! read the emails the portal sent. Every test process shares the sink, so a message is picked
//! by its recipient and by a text only this test's portal puts in it (its URL).

use anyhow::Context;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// How long an email may take to arrive.
const WAIT: Duration = Duration::from_secs(20);

#[derive(Clone, Debug)]
pub struct Mailbox {
    pub smtp_url: String,
    pub dir: PathBuf,
}

#[derive(Clone, Debug)]
pub struct Email {
    pub to: String,
    pub subject: String,
    /// The body; of a multipart email, every part's decoded body in order (plain text first).
    pub body: String,
    /// The message as the sink stored it (headers, encoded parts).
    pub raw: String,
    /// Its file in the Maildir.
    pub file: PathBuf,
}

impl Mailbox {
    /// The sink from the environment; missing is an error (tests fail, never skip).
    pub fn from_env() -> anyhow::Result<Mailbox> {
        let smtp_url = std::env::var("SMTP_URL").context(
            "SMTP_URL is not set: run the tests with `make test` (scripts/infra.sh starts an SMTP sink)",
        )?;
        let dir = std::env::var("MAILDIR").context(
            "MAILDIR is not set: run the tests with `make test` (scripts/infra.sh starts an SMTP sink)",
        )?;
        let dir = PathBuf::from(dir);
        anyhow::ensure!(
            dir.join("new").is_dir(),
            "MAILDIR {} is not a Maildir",
            dir.display()
        );
        Ok(Mailbox { smtp_url, dir })
    }

    /// Every message in the Maildir, decoded.
    pub fn all(&self) -> anyhow::Result<Vec<Email>> {
        let mut emails = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(raw) = std::fs::read(entry.path()) else {
                    continue;
                };
                let Ok(parsed) = mailparse::parse_mail(&raw) else {
                    continue;
                };
                let header = |name: &str| {
                    parsed
                        .headers
                        .iter()
                        .find(|h| h.get_key().eq_ignore_ascii_case(name))
                        .map(|h| h.get_value())
                        .unwrap_or_default()
                };
                let body = if parsed.subparts.is_empty() {
                    parsed.get_body().unwrap_or_default()
                } else {
                    parsed
                        .subparts
                        .iter()
                        .map(|part| part.get_body().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                emails.push(Email {
                    to: header("To"),
                    subject: header("Subject"),
                    body,
                    raw: String::from_utf8_lossy(&raw).into_owned(),
                    file: entry.path(),
                });
            }
        }
        Ok(emails)
    }

    /// Waits for the email to `to` whose body contains `marker`.
    pub async fn wait_for(&self, to: &str, marker: &str) -> anyhow::Result<Email> {
        self.wait_for_within(to, marker, WAIT).await
    }

    /// [`Mailbox::wait_for`] with its own deadline.
    pub async fn wait_for_within(
        &self,
        to: &str,
        marker: &str,
        deadline: Duration,
    ) -> anyhow::Result<Email> {
        self.wait_for_one(to, marker, &BTreeSet::new(), deadline)
            .await
    }

    /// The files of the emails to `to` containing `marker` so far ([`Mailbox::wait_for_new`]).
    pub fn present(&self, to: &str, marker: &str) -> anyhow::Result<BTreeSet<PathBuf>> {
        Ok(self.matching(to, marker)?.map(|e| e.file).collect())
    }

    /// Waits for an email to `to` containing `marker` that is not among `before`: a portal's
    /// URL is not unique over a whole run (a later test's stack may be given a port an earlier
    /// one had), so an earlier test's email to the same member can carry the same marker.
    pub async fn wait_for_new(
        &self,
        to: &str,
        marker: &str,
        before: &BTreeSet<PathBuf>,
    ) -> anyhow::Result<Email> {
        self.wait_for_one(to, marker, before, WAIT).await
    }

    /// Emails to `to` containing `marker` (e.g. to check none was sent).
    pub fn count(&self, to: &str, marker: &str) -> anyhow::Result<usize> {
        Ok(self.matching(to, marker)?.count())
    }

    /// The emails to `to` whose body contains `marker`.
    fn matching(
        &self,
        to: &str,
        marker: &str,
    ) -> anyhow::Result<impl Iterator<Item = Email> + use<>> {
        let (to, marker) = (to.to_owned(), marker.to_owned());
        Ok(self
            .all()?
            .into_iter()
            .filter(move |e| e.to.contains(&to) && e.body.contains(&marker)))
    }

    /// Waits (at most `deadline`) for the first of [`Mailbox::matching`] not among `before`.
    async fn wait_for_one(
        &self,
        to: &str,
        marker: &str,
        before: &BTreeSet<PathBuf>,
        deadline: Duration,
    ) -> anyhow::Result<Email> {
        crate::wait::eventually(
            &format!("an email to {to} containing {marker}"),
            deadline,
            || async {
                Ok(self
                    .matching(to, marker)?
                    .find(|e| !before.contains(&e.file)))
            },
        )
        .await
    }
}

impl Email {
    /// The first `http…` link in the body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.body
            .split_whitespace()
            .find(|word| word.starts_with(prefix))
            .map(str::to_owned)
    }
}
