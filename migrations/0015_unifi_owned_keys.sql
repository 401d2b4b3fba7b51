-- UniFi private pre-shared keys carry no name or id: which entries of a WLAN's
-- `private_preshared_keys` are Lanyard's is remembered here, by the keyed hash of the
-- password Lanyard wrote (never the password), with the key's name and the expiry Lanyard
-- enforces itself (UniFi keys have none).
CREATE TABLE unifi_owned_keys (
    org_id        text        NOT NULL,
    location_id   text        NOT NULL,
    password_hash text        NOT NULL,
    name          text        NOT NULL,
    expires_at    timestamptz,
    PRIMARY KEY (org_id, location_id, password_hash)
);
