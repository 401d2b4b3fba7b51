-- RADIUS accounting (issue 16): one row per session a NAS reported (Start / Interim-Update /
-- Stop through FreeRADIUS's rlm_rest to the radius service). Not the event log: a packet every
-- few minutes per device is operational data, kept for `radius.accounting_retention_days`
-- and purged by the radius service. Devices' first and last seen are read from here.
CREATE TABLE radius_sessions (
    org_id            text        NOT NULL,
    -- Acct-Unique-Session-Id when FreeRADIUS sends it, else one derived from the NAS, the
    -- Acct-Session-Id and the device (accounting::unique_session_id).
    unique_session_id text        NOT NULL,
    nas_id            text        NOT NULL,
    location_id       text        NOT NULL,
    -- The member whose device this is (member_devices), NULL while the MAC is bound to nobody.
    user_id           text,
    mac               text        NOT NULL,
    acct_session_id   text        NOT NULL,
    -- What a Disconnect-Request must repeat for the NAS to find the session (RFC 5176 §3).
    user_name         text        NOT NULL,
    calling_station_id text       NOT NULL,
    nas_ip            inet,
    source_ip         inet        NOT NULL,
    framed_ip         inet,
    -- From a Start, or estimated from an Interim or a Stop's Acct-Session-Time when the Start
    -- was lost or is late (a later Start keeps the earlier of the two).
    started_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    stopped_at        timestamptz,
    terminate_cause   text,
    input_octets      bigint      NOT NULL DEFAULT 0,
    output_octets     bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, unique_session_id)
);
CREATE INDEX radius_sessions_live_member ON radius_sessions (org_id, user_id) WHERE stopped_at IS NULL;
CREATE INDEX radius_sessions_live_location ON radius_sessions (org_id, location_id) WHERE stopped_at IS NULL;
CREATE INDEX radius_sessions_live_nas ON radius_sessions (org_id, nas_id) WHERE stopped_at IS NULL;
CREATE INDEX radius_sessions_mac ON radius_sessions (org_id, mac);
CREATE INDEX radius_sessions_retention ON radius_sessions ((coalesce(stopped_at, updated_at)));

-- Disconnect-Requests (RFC 5176) sent for a domain event: the event follower is at-least-once,
-- so a redelivered event finds its (event, session) here and sends nothing twice.
CREATE TABLE radius_disconnects (
    org_id            text        NOT NULL,
    unique_session_id text        NOT NULL,
    event_id          uuid        NOT NULL,
    requested_at      timestamptz NOT NULL,
    -- NULL while the sender is trying; then 'acked' | 'nacked' | 'no_answer'.
    outcome           text,
    answered_at       timestamptz,
    PRIMARY KEY (org_id, unique_session_id, event_id)
);
CREATE INDEX radius_disconnects_retention ON radius_disconnects (requested_at);
