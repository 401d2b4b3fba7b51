//! OfficeRnD's integration pages (docs/officernd.md §13): OfficeRnD opens the page's URL with
//! `slug`, `organizationId`, `memberId`, `locations` and `signature` (`t=…,signature=…`), an
//! HMAC-SHA256 keyed with the integration's secret over the JSON of the other parameters, `.`
//! and `t` — the webhook construction (`crate::webhook`) with that JSON as the body. The JSON's
//! key order is not documented; Lanyard signs and checks them in the order OfficeRnD lists
//! them (slug, organizationId, memberId, locations).

use crate::webhook::{self, SignatureError};
use serde::{Deserialize, Serialize};

/// The signed parameters of an integration page's URL (the query, `signature` aside).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PageParameters {
    pub slug: String,
    pub organization_id: String,
    pub member_id: String,
    /// The location ids OfficeRnD passes, as it passes them (comma-separated).
    pub locations: String,
}

impl PageParameters {
    /// What the signature covers.
    fn signed_bytes(&self) -> Vec<u8> {
        // A struct of strings always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The `signature` parameter OfficeRnD sends for these parameters at `t`.
    pub fn sign(&self, secret: &[u8], t: i64) -> String {
        webhook::sign(secret, &self.signed_bytes(), t)
    }

    /// Checks `signature` (the parameter) against these parameters with `secret`, its `t`
    /// within `tolerance_secs` of `now`; constant-time. Answers `t`.
    pub fn verify(
        &self,
        signature: Option<&str>,
        secret: &[u8],
        now: i64,
        tolerance_secs: i64,
    ) -> Result<i64, SignatureError> {
        webhook::verify(
            signature,
            &self.signed_bytes(),
            &[secret],
            now,
            tolerance_secs,
        )
    }

    /// `url` with these parameters and `signature` in its query, as OfficeRnD opens it.
    pub fn signed_url(&self, url: &str, signature: &str) -> Result<url::Url, url::ParseError> {
        url::Url::parse_with_params(
            url,
            [
                ("slug", self.slug.as_str()),
                ("organizationId", &self.organization_id),
                ("memberId", &self.member_id),
                ("locations", &self.locations),
                ("signature", signature),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameters() -> PageParameters {
        PageParameters {
            slug: "lanyard-demo".into(),
            organization_id: "5f0000000000000000000001".into(),
            member_id: "5f00000000000000000000e1".into(),
            locations: "5f00000000000000000000b1,5f00000000000000000000b2".into(),
        }
    }

    #[test]
    fn a_signed_page_verifies_and_any_changed_parameter_does_not() {
        let secret = b"integration-secret";
        let signature = parameters().sign(secret, 1_000);
        assert_eq!(
            parameters().verify(Some(&signature), secret, 1_010, 300),
            Ok(1_000)
        );
        let mut other = parameters();
        other.member_id = "5f00000000000000000000e2".into();
        assert_eq!(
            other.verify(Some(&signature), secret, 1_010, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            parameters().verify(Some(&signature), b"another secret", 1_010, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            parameters().verify(Some(&signature), secret, 2_000, 300),
            Err(SignatureError::Stale(1_000))
        );
        assert_eq!(
            parameters().verify(None, secret, 1_000, 300),
            Err(SignatureError::Missing)
        );
        let url = parameters()
            .signed_url("http://127.0.0.1:1/canvas/admin/officernd", &signature)
            .expect("a URL");
        let query: std::collections::HashMap<_, _> = url.query_pairs().collect();
        assert_eq!(query["signature"], signature.as_str());
        assert_eq!(query["organizationId"], "5f0000000000000000000001");
    }
}
