-- When provision last asked Optix about what a webhook hint names (keyed hash of the hint:
-- no email in clear). A delivery stamped before that time, less a margin for whole-second
-- timestamps and clock skew, is already covered: an Optix retry of it costs no request.
-- Rows older than ingest's timestamp horizon can cover nothing ingest still accepts; provision
-- deletes them as it writes.
CREATE TABLE webhook_coverage (
    org_id     text        NOT NULL,
    hint_key   text        NOT NULL,
    asked_from timestamptz NOT NULL,
    PRIMARY KEY (org_id, hint_key)
);
CREATE INDEX webhook_coverage_asked_from ON webhook_coverage (asked_from);
