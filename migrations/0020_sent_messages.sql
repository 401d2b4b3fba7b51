-- The mailer's outbox (issue 21, `portal::notify`): one row per email Lanyard decided to send a
-- tenant, keyed by what triggered it (the event id, or for a reminder an id derived from the
-- grant and its end) and the kind of message, so a redelivered event or a second portal
-- instance sends nothing twice. Holds no address and no passphrase: the address is opened
-- from the member's sealed profile at send time. Operational data, not a projection.
CREATE TABLE sent_messages (
    trigger_id    uuid NOT NULL,
    kind          text NOT NULL,
    org_id        text NOT NULL,
    user_id       text NOT NULL,
    location_id   text,
    -- sending | sent | failed | skipped_off | skipped_deleted
    status        text NOT NULL,
    attempts      int NOT NULL DEFAULT 0,
    -- Why the last attempt failed, in Lanyard's words (never the SMTP server's text).
    last_error    text,
    -- A `sending` row is another instance's until then; a `failed` one is retried from then.
    claimed_until timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz,
    PRIMARY KEY (trigger_id, kind)
);

-- One welcome per member and location, ever: grants re-issued when plans change, or a
-- re-grant after a revocation, do not welcome the member again.
CREATE UNIQUE INDEX sent_messages_one_welcome
    ON sent_messages (org_id, user_id, location_id) WHERE kind = 'welcome';

-- The admin page of sends: an organization's latest.
CREATE INDEX sent_messages_by_org ON sent_messages (org_id, updated_at DESC);
