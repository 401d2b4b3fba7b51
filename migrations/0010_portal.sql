-- The portal's own state: sign-in links, sessions and request counters. These are NOT
-- projections (nothing in the event log produces them, `lanyard replay` leaves them alone):
-- losing them only signs people out and forgets unused links.
--
-- No secret is stored in clear: links and sessions are kept as the SHA-256 of their random
-- 256-bit value (the value itself only ever travels in an email, a POST body or a cookie), and
-- rate-limit buckets are keyed hashes of the email or client address.

CREATE TABLE portal_magic_links (
    token_hash  text        PRIMARY KEY,            -- hex SHA-256 of the token in the link
    org_id      text        NOT NULL,
    location_id text        NOT NULL,               -- the portal (Optix location) it was asked at
    user_id     text        NOT NULL,               -- the Optix user the email matched
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz                         -- set once: links are single-use
);
CREATE INDEX portal_magic_links_expiry ON portal_magic_links (expires_at);

CREATE TABLE portal_sessions (
    id_hash     text        PRIMARY KEY,            -- hex SHA-256 of the cookie value
    kind        text        NOT NULL CHECK (kind IN ('tenant', 'admin')),
    org_id      text        NOT NULL,               -- a session is bound to one organization
    user_id     text        NOT NULL,               -- … and one Optix user
    location_id text,                               -- where they signed in (onboarding location)
    via         text        NOT NULL CHECK (via IN ('portal', 'mobile_app', 'admin_canvas')),
    context     jsonb,                              -- admin: Optix locations and plans seen at sign-in
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);

-- Fixed-window request counters (per email, per client address), shared by every portal
-- instance.
CREATE TABLE portal_rate_limits (
    bucket       text        PRIMARY KEY,           -- e.g. `link-email:<keyed hash>`
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL
);
