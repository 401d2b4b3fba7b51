-- The handshake matcher's PMKs (issue 17, docs/radius.md "Handshake mode"): one per member and
-- SSID their key is valid at, PBKDF2-HMAC-SHA1(passphrase, SSID, 4096, 32), sealed with the
-- member's data key (so crypto-shredding the member makes them unreadable, and a leaked
-- database gives no PMK). Written by the radius service when it computes one, read when it
-- starts, so a restart costs reads, not a PBKDF2 per key. `passphrase_nonce` names the sealed
-- passphrase it came from (the nonce of its sealing): a changed passphrase makes the row stale.
-- Not a projection and never replayed: it follows the passphrases, and is rebuilt from them.
CREATE TABLE handshake_pmks (
    org_id           text        NOT NULL,
    user_id          text        NOT NULL,
    ssid             text        NOT NULL,
    passphrase_nonce text        NOT NULL,
    pmk              jsonb       NOT NULL,
    computed_at      timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id, ssid)
);
