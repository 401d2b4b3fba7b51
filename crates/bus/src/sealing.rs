//! Webhook bodies on the bus are sealed (AEAD: XChaCha20-Poly1305): they carry organization
//! tokens, names and emails, and the stream keeps them for the retention window. The subject
//! (`optix.webhooks.<org>.<event>`) is the associated data, so a sealed body cannot be moved to
//! another organization's subject; only holders of the key (ingest, provision) can read or
//! forge one. The AEAD itself is the `secrets` crate's, as for every sealed value.

use hmac::{Hmac, Mac};
use rand::RngCore;
use secrets::aead::{self, NONCE_LEN};
use sha2::Sha256;

/// What every sealed body starts with (format version).
const PREFIX: &[u8] = b"lanyard-sealed-v1:";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("webhooks.seal_key must be 64 hex characters (32 bytes)")]
    BadKey,
    #[error("the webhook body is not sealed")]
    NotSealed,
    #[error("the sealed webhook could not be opened (wrong key, wrong subject or tampered)")]
    Open,
}

fn webhook_secret_context(org_id: &str) -> String {
    format!("lanyard.officernd-webhook-secret.{org_id}")
}

#[derive(Clone)]
pub struct WebhookSeal {
    cipher: secrets::aead::Cipher,
    /// Keys the message ids (with a key derived from the seal key, never used to encrypt).
    id_mac: Hmac<Sha256>,
}

impl std::fmt::Debug for WebhookSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSeal([redacted])")
    }
}

impl WebhookSeal {
    pub fn from_hex(hex_key: &str) -> Result<WebhookSeal, SealError> {
        let key = aead::parse_key(hex_key).ok_or(SealError::BadKey)?;
        let mut derive =
            <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(|_| SealError::BadKey)?;
        derive.update(b"lanyard webhook message id");
        let id_mac = <Hmac<Sha256> as Mac>::new_from_slice(&derive.finalize().into_bytes())
            .map_err(|_| SealError::BadKey)?;
        Ok(WebhookSeal {
            cipher: aead::cipher(&key),
            id_mac,
        })
    }

    /// The digest of a delivery: the same for Optix's retries of it (same subject, same body).
    /// Keyed, because it outlives the body (it starts the causation id of the events it leads
    /// to): a plain digest of a body would let anyone who can guess the rest of it test guesses
    /// of the email in it.
    pub fn message_id(&self, subject: &str, body: &[u8]) -> String {
        let mut id = String::with_capacity(64);
        crate::push_hex(&mut id, &self.digest(subject, body));
        id
    }

    fn digest(&self, subject: &str, body: &[u8]) -> [u8; 32] {
        let mut mac = self.id_mac.clone();
        mac.update(subject.as_bytes());
        mac.update(b"\n");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// The id of one delivery: [`WebhookSeal::message_id`] and a random suffix, so that every
    /// delivery is stored. Optix stamps whole seconds, so two changes in one second can send
    /// byte-identical bodies; deduplicating by body would lose the second change. Provision
    /// decides instead whether a delivery is already covered by a reconciliation made after
    /// its time (docs/design.md, "Look-alike webhooks").
    pub fn delivery_id(&self, subject: &str, body: &[u8]) -> String {
        // The thread's CSPRNG, not a getrandom syscall per webhook.
        let suffix = rand::thread_rng().next_u64();
        // 64 hex digits, a dot, 16: one allocation of the right size, written without the
        // formatting machinery (190 of the 1,500 instructions the id cost besides SHA-256).
        let mut id = String::with_capacity(81);
        crate::push_hex(&mut id, &self.digest(subject, body));
        id.push('.');
        crate::push_hex(&mut id, &suffix.to_be_bytes());
        id
    }

    pub fn seal(&self, subject: &str, body: &[u8]) -> Vec<u8> {
        let mut sealed = Vec::with_capacity(Self::sealed_len(body.len()));
        self.seal_into(subject, body, &mut sealed);
        sealed
    }

    /// [`WebhookSeal::seal`] written after what `out` holds (a delivery's frame), without a
    /// buffer of its own.
    pub fn seal_into(&self, subject: &str, body: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(PREFIX);
        // Ingest caps bodies far below the AEAD's limit (256 GiB).
        aead::seal_into(&self.cipher, body, subject.as_bytes(), out);
    }

    /// How long a body of `body_len` bytes is once sealed.
    pub const fn sealed_len(body_len: usize) -> usize {
        PREFIX.len() + aead::sealed_len(body_len)
    }

    /// Seals an OfficeRnD organization's webhook secret for the installations registry; the
    /// associated data names the organization and is never a webhook subject.
    pub fn seal_webhook_secret(&self, org_id: &str, secret: &[u8]) -> Vec<u8> {
        self.seal(&webhook_secret_context(org_id), secret)
    }

    pub fn open_webhook_secret(&self, org_id: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        self.open(&webhook_secret_context(org_id), sealed)
    }

    pub fn open(&self, subject: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let rest = sealed.strip_prefix(PREFIX).ok_or(SealError::NotSealed)?;
        if rest.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        aead::open(&self.cipher, nonce, ciphertext, subject.as_bytes()).ok_or(SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal() -> WebhookSeal {
        WebhookSeal::from_hex(&"ab".repeat(32)).expect("key")
    }

    #[test]
    fn a_sealed_body_opens_on_its_subject_only() {
        let body = br#"{"organization_token":"secret-token","email":"ada@example.com"}"#;
        let sealed = seal().seal("optix.webhooks.6267.new_member", body);
        assert_eq!(sealed.len(), WebhookSeal::sealed_len(body.len()));
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("secret-token") && !text.contains("ada@example.com"));
        assert_eq!(
            seal().open("optix.webhooks.6267.new_member", &sealed),
            Ok(body.to_vec())
        );
        assert_eq!(
            seal().open("optix.webhooks.990001.new_member", &sealed),
            Err(SealError::Open)
        );
        let other = WebhookSeal::from_hex(&"cd".repeat(32)).expect("key");
        assert_eq!(
            other.open("optix.webhooks.6267.new_member", &sealed),
            Err(SealError::Open)
        );
        assert_eq!(
            seal().open("optix.webhooks.6267.new_member", body),
            Err(SealError::NotSealed)
        );
    }

    #[test]
    fn message_ids_are_stable_per_delivery_and_keyed() {
        let body = b"client_id=x&email=ada@example.com";
        let id = seal().message_id("optix.webhooks.6267.new_member", body);
        assert_eq!(
            id,
            seal().message_id("optix.webhooks.6267.new_member", body)
        );
        assert_ne!(
            id,
            seal().message_id("optix.webhooks.6268.new_member", body)
        );
        let other = WebhookSeal::from_hex(&"cd".repeat(32)).expect("key");
        assert_ne!(id, other.message_id("optix.webhooks.6267.new_member", body));
    }

    #[test]
    fn every_delivery_gets_its_own_id_starting_with_the_digest() {
        let body = b"client_id=x&member_id=1&created_timestamp=1";
        let subject = "optix.webhooks.6267.member_updated";
        let (first, second) = (
            seal().delivery_id(subject, body),
            seal().delivery_id(subject, body),
        );
        assert_ne!(
            first, second,
            "a look-alike delivery is not deduplicated away"
        );
        let digest = seal().message_id(subject, body);
        assert!(first.starts_with(&digest) && second.starts_with(&digest));
        // 64 lowercase hex digits of the keyed digest (as `hex::encode` wrote them before), a
        // dot, 16 of the suffix.
        let expected_digest = {
            let mut mac = seal().id_mac.clone();
            mac.update(subject.as_bytes());
            mac.update(b"\n");
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        };
        assert_eq!(digest, expected_digest);
        let suffix = first
            .strip_prefix(&format!("{digest}."))
            .expect("digest and a dot");
        assert_eq!((first.len(), suffix.len()), (81, 16));
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn a_suffix_is_written_as_sixteen_hex_digits_of_its_number() {
        // As `{:016x}` wrote the suffix before.
        for n in [0, 1, 0xab, 0x0123_4567_89ab_cdef, u64::MAX] {
            let mut written = String::new();
            crate::push_hex(&mut written, &u64::to_be_bytes(n));
            assert_eq!(written, format!("{n:016x}"));
        }
    }

    #[test]
    fn a_bad_key_is_refused() {
        assert_eq!(
            WebhookSeal::from_hex("").map(|_| ()),
            Err(SealError::BadKey)
        );
        assert_eq!(
            WebhookSeal::from_hex("zz").map(|_| ()),
            Err(SealError::BadKey)
        );
    }
}
