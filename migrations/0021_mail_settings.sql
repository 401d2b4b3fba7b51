-- Each organization's email settings (issue 21): which messages it sends, the sender name and
-- reply-to, reminder lead times and its own wording per language (`domain::messages::
-- MailSettings`, whole, as JSON). One row per organization that set them; none means the
-- defaults. A projection of `MailSettingsSet`, rebuilt by `lanyard replay`; like the rest of an
-- organization's configuration it outlives an uninstall.
CREATE TABLE mail_settings (
    org_id        text        PRIMARY KEY,
    settings      jsonb       NOT NULL,
    updated_at    timestamptz NOT NULL,
    last_position bigint      NOT NULL
);
