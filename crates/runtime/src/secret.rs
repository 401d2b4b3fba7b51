//! Secrets in configuration: never printed, read from files when named, and URLs with their
//! passwords removed for logs.

use anyhow::Context;
use serde::Deserialize;
use std::fmt;
use std::path::Path;

/// A secret from configuration: never printed by Debug or Display.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A connection URL fit for logs: the userinfo of `scheme://user:password@host/...` loses its
/// password (a bare token `scheme://token@host` is hidden whole), and libpq key/value strings
/// lose `password=...`. Several comma-separated URLs (NATS server lists) are handled each.
pub fn redact_url(url: &str) -> String {
    if !url.contains("://") {
        return url
            .split_whitespace()
            .map(|pair| {
                if pair.to_ascii_lowercase().starts_with("password=") {
                    "password=[redacted]"
                } else {
                    pair
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    url.split(',')
        .map(|one| {
            let Some((scheme, rest)) = one.split_once("://") else {
                return one.to_owned();
            };
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = match userinfo.split_once(':') {
                        Some((user, _password)) => format!("{user}:[redacted]"),
                        None => "[redacted]".to_owned(),
                    };
                    format!("{scheme}://{user}@{host}{path}")
                }
                None => one.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Replaces `secret` with the contents of `file` (trailing newline removed) when one is named:
/// how systemd credentials and Kubernetes secret volumes hand secrets over. `key` names the
/// setting in errors.
pub(crate) fn read_secret_file(
    secret: &mut Secret,
    file: Option<&Path>,
    key: &str,
) -> anyhow::Result<()> {
    let Some(file) = file else { return Ok(()) };
    let contents = std::fs::read_to_string(file)
        .with_context(|| format!("{key}: cannot read {}", file.display()))?;
    let value = contents.trim_end_matches(['\n', '\r']);
    anyhow::ensure!(!value.is_empty(), "{key}: {} is empty", file.display());
    *secret = Secret::new(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_or_display() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(secret.to_string(), "[redacted]");
        let app = crate::OptixApp {
            client_id: "c".into(),
            secret,
            secret_file: None,
        };
        assert!(!format!("{app:?}").contains("hunter2"));
    }

    #[test]
    fn urls_lose_their_passwords_in_debug() {
        assert_eq!(
            redact_url("postgres://lanyard:pw@db:5432/lanyard?sslmode=require"),
            "postgres://lanyard:[redacted]@db:5432/lanyard?sslmode=require"
        );
        assert_eq!(
            redact_url("nats://tok@a:4222,nats://b:4222"),
            "nats://[redacted]@a:4222,nats://b:4222"
        );
        assert_eq!(
            redact_url("host=db user=x password=pw"),
            "host=db user=x password=[redacted]"
        );
        assert_eq!(redact_url("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
        let database = crate::DatabaseSettings {
            url: "postgres://u:hunter2@h/d".into(),
            pool_size: 1,
        };
        assert!(!format!("{database:?}").contains("hunter2"));
    }
}
