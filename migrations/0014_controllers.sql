-- Cloud WiFi controllers (issue 18): which vendor network/SSID a location's keys go to, and
-- what each reconciliation changed there.

-- One controller per mapped location. `credentials` (the vendor API key, or an OpenWrt AP
-- group's fetch token) is sealed with the master key; `token_hash` is the keyed hash an OpenWrt
-- router's token is looked up by.
CREATE TABLE controller_mappings (
    org_id      text        NOT NULL,
    location_id text        NOT NULL,
    vendor      text        NOT NULL CHECK (vendor IN ('meraki', 'openwrt', 'unifi', 'mist')),
    target      jsonb       NOT NULL,   -- vendor ids: organization, network, SSID number, site, WLAN …
    credentials jsonb       NOT NULL,   -- sealed with the master key
    token_hash  text,                   -- OpenWrt: keyed hash of the AP group's token
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (org_id, location_id)
);
CREATE UNIQUE INDEX controller_mappings_token ON controller_mappings (token_hash)
    WHERE token_hash IS NOT NULL;

-- Every reconciliation of a location with its controller: what was created, updated, deleted,
-- how much of it was drift (a change made behind Lanyard's back), and how it ended.
CREATE TABLE controller_reconciliations (
    id          bigserial   PRIMARY KEY,
    org_id      text        NOT NULL,
    location_id text        NOT NULL,
    vendor      text        NOT NULL,
    trigger     text        NOT NULL CHECK (trigger IN ('event', 'periodic', 'manual')),
    outcome     text        NOT NULL CHECK (outcome IN ('ok', 'failed', 'over_limit')),
    created     integer     NOT NULL,
    updated     integer     NOT NULL,
    deleted     integer     NOT NULL,
    drift       integer     NOT NULL,
    detail      text,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL
);
CREATE INDEX controller_reconciliations_location
    ON controller_reconciliations (org_id, location_id, id DESC);
