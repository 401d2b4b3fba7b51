//! TLS to PostgreSQL, asked for in `database.url` with libpq's own parameters:
//! `?sslmode=verify-full&sslrootcert=/etc/lanyard/db-ca.pem`.
//!
//! Lanyard never encrypts without verifying: `require`, `verify-ca` and `verify-full` all check
//! the server's certificate chain AND its name (libpq's `require` checks neither), against
//! `sslrootcert` (a PEM file; `system` or none: the Mozilla roots). Any other `sslmode`
//! (`disable`, `allow`, `prefer`, or none) connects without TLS, as before: an unverified TLS
//! session would only look safe.

use crate::StoreError;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::str::FromStr;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The connection settings of `url`, and the TLS connector it asks for (None: plain TCP).
pub fn from_url(
    url: &str,
) -> Result<(tokio_postgres::Config, Option<MakeRustlsConnect>), StoreError> {
    let (url, asked) = take_tls_parameters(url);
    let config = tokio_postgres::Config::from_str(&url)
        .map_err(|e| StoreError::Config(format!("database.url: {e}")))?;
    let Some(root_cert) = asked.verified() else {
        return Ok((config, None));
    };
    let roots = root_store(root_cert)?;
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StoreError::Config(format!("TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok((config, Some(MakeRustlsConnect::new(tls))))
}

/// What the URL said about TLS, taken out of it (tokio-postgres knows only `disable`,
/// `prefer` and `require`, and no `sslrootcert`).
#[derive(Debug, Default, PartialEq, Eq)]
struct TlsParameters {
    sslmode: Option<String>,
    sslrootcert: Option<String>,
}

impl TlsParameters {
    /// The roots to verify against when TLS is asked for: a file, or None for the Mozilla
    /// roots; no TLS at all otherwise.
    fn verified(&self) -> Option<Option<&str>> {
        match self.sslmode.as_deref() {
            Some("require" | "verify-ca" | "verify-full") => {
                Some(self.sslrootcert.as_deref().filter(|root| *root != "system"))
            }
            _ => None,
        }
    }
}

/// `url` without `sslmode` and `sslrootcert` (URL or `key=value` form), and their values.
fn take_tls_parameters(url: &str) -> (String, TlsParameters) {
    let mut asked = TlsParameters::default();
    let mut keep = |key: &str, value: &str| match key {
        "sslmode" => {
            asked.sslmode = Some(value.to_owned());
            false
        }
        "sslrootcert" => {
            asked.sslrootcert = Some(value.to_owned());
            false
        }
        _ => true,
    };
    let stripped = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            Some((base, query)) => {
                let kept: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                    .filter(|(k, v)| keep(k, v))
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                if kept.is_empty() {
                    base.to_owned()
                } else {
                    let query = form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(kept)
                        .finish();
                    format!("{base}?{query}")
                }
            }
            None => url.to_owned(),
        }
    } else {
        url.split_whitespace()
            .filter(|pair| match pair.split_once('=') {
                Some((k, v)) => keep(k, v),
                None => true,
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    (stripped, asked)
}

fn root_store(root_cert: Option<&str>) -> Result<rustls::RootCertStore, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    let Some(path) = root_cert else {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        return Ok(roots);
    };
    let unreadable =
        |e: &dyn std::fmt::Display| StoreError::Config(format!("sslrootcert {path}: {e}"));
    let pem = std::fs::read(path).map_err(|e| unreadable(&e))?;
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| unreadable(&e))?;
        roots.add(cert).map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(unreadable(&"no certificate in the file"));
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_are_taken_out_of_either_form_and_the_rest_is_kept() {
        let (url, asked) = take_tls_parameters(
            "postgres://lanyard:pw@db:5432/lanyard?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca.pem",
        );
        assert_eq!(
            url,
            "postgres://lanyard:pw@db:5432/lanyard?application_name=x"
        );
        assert_eq!(asked.verified(), Some(Some("/etc/ca.pem")));
        let (url, asked) = take_tls_parameters("host=db dbname=lanyard sslmode=require");
        assert_eq!(url, "host=db dbname=lanyard");
        assert_eq!(asked.verified(), Some(None), "the Mozilla roots");
        let (url, asked) =
            take_tls_parameters("postgres://db/lanyard?sslmode=require&sslrootcert=system");
        assert_eq!(url, "postgres://db/lanyard");
        assert_eq!(asked.verified(), Some(None));
    }

    #[test]
    fn only_a_verified_mode_asks_for_tls() {
        for plain in [
            "postgres://db/lanyard",
            "postgres://db/lanyard?sslmode=prefer",
            "postgres://db/lanyard?sslmode=disable&sslrootcert=/etc/ca.pem",
        ] {
            assert_eq!(take_tls_parameters(plain).1.verified(), None, "{plain}");
        }
    }

    #[test]
    fn a_root_file_without_a_certificate_is_refused_with_its_path() {
        let path = std::env::temp_dir().join(format!("lanyard-no-cert-{}", std::process::id()));
        std::fs::write(&path, "not a certificate\n").expect("a temporary file");
        let url = format!(
            "postgres://db/lanyard?sslmode=verify-full&sslrootcert={}",
            path.display()
        );
        let error = from_url(&url)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        assert!(error.contains("no certificate in the file"), "{error}");
        assert!(error.contains("lanyard-no-cert"), "{error}");
    }
}
