-- The event log: one append-only table (Message DB style, `category-id` stream names).
--
-- Global position: every append takes the transaction-level advisory lock
-- `pg_advisory_xact_lock(7010)` before drawing positions from the sequence, and holds it until
-- commit. Positions are therefore assigned in commit order, so a reader that follows
-- `global_position > last_seen` never skips an event that commits later with a smaller position
-- (the classic sequence-gap race). We chose this over xid8/snapshot-xmin filtering because
-- provision is the single writer (throughput is bounded by its own commits, which it batches) and
-- readers stay trivial: replay, the relay and `events tail` just follow the position.
CREATE SEQUENCE event_position_seq AS bigint;

CREATE TABLE events (
    global_position bigint      PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,          -- idempotent appends
    stream_id       text        NOT NULL,                 -- e.g. member-6267-12346
    category        text        NOT NULL,                 -- e.g. member
    org_id          text        NOT NULL,
    stream_version  bigint      NOT NULL CHECK (stream_version >= 0),
    event_type      text        NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,                 -- causation, correlation, actor, cause
    recorded_at     timestamptz NOT NULL,
    CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)  -- optimistic concurrency
);
CREATE INDEX events_org_position ON events (org_id, global_position);
CREATE INDEX events_category_position ON events (category, global_position);

-- The database itself refuses to change history.
CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on events is refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

-- NATS messages whose effects are committed (recorded in the same transaction as the events),
-- so a redelivery beyond JetStream's duplicate window is still a no-op.
CREATE TABLE processed_messages (
    message_id   text        PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);

-- Key material lives outside the log. Deleting a member's row destroys the only key that opens
-- their sealed profile and passphrase in the log (crypto-shredding).
CREATE TABLE member_keys (
    org_id      text        NOT NULL,
    user_id     text        NOT NULL,
    wrapped_key jsonb       NOT NULL,   -- the data key sealed with the master key
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);

-- ── Projections: disposable, rebuilt by `lanyard replay` with the same code as live. ──────────
CREATE TABLE organizations (
    org_id           text        PRIMARY KEY,
    installed        boolean     NOT NULL,
    token            jsonb,                  -- sealed with the master key
    token_updated_at timestamptz,
    last_position    bigint      NOT NULL
);

CREATE TABLE members (
    org_id          text        NOT NULL,
    user_id         text        NOT NULL,
    home_location   text,
    onboarded_via   text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('active', 'suspended')),
    email_hash      text        NOT NULL,
    profile         jsonb       NOT NULL,   -- sealed with the member key
    passphrase      jsonb,                  -- sealed with the member key
    passphrase_hash text,                   -- keyed hash: uniqueness without decrypting
    team_id         text,
    opened_at       timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    last_position   bigint      NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE UNIQUE INDEX members_passphrase_unique ON members (org_id, passphrase_hash);
CREATE INDEX members_email ON members (org_id, email_hash);

CREATE TABLE member_grants (
    org_id      text        NOT NULL,
    user_id     text        NOT NULL,
    basis       text        NOT NULL,
    source_id   text        NOT NULL,
    location_id text,
    valid_from  timestamptz,
    valid_until timestamptz,
    granted_at  timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id, basis, source_id)
);
CREATE INDEX member_grants_expiry ON member_grants (valid_until) WHERE valid_until IS NOT NULL;
