-- FreeRADIUS's answer cache (issue 16, docs/radius.md "Answers from FreeRADIUS's memory"): which
-- answers Lanyard had FreeRADIUS keep in memory, one row per NAS class (organization, location,
-- dialect) and MAC, written by the radius service's answer endpoint each time FreeRADIUS
-- fetches an answer to keep (inserted on an Accept, deleted when the answer is a refusal).
-- It is how the radius service finds every cached answer it must fetch again after a change it
-- cannot trace to current devices (a member deleted, a device removed, the service restarted):
-- nothing secret, no passphrase, not the event log.
CREATE TABLE radius_cached_answers (
    org_id      text        NOT NULL,
    location_id text        NOT NULL,
    dialect     text        NOT NULL,
    -- The class's epoch when it was fetched (radius_nas_classes).
    epoch       text        NOT NULL,
    mac         text        NOT NULL,
    user_id     text        NOT NULL,
    filled_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, location_id, dialect, epoch, mac)
);
CREATE INDEX radius_cached_answers_member ON radius_cached_answers (org_id, user_id);

-- The NAS classes: every NAS of one organization, location and dialect gets the same answer for
-- a MAC. The epoch changes whenever a NAS joins or leaves the class (or moves), which renames
-- the class's cached answers: a NAS removed a moment ago, whose old class FreeRADIUS still
-- remembers for its dynamic client's lifetime, finds nothing in memory and is refused by the
-- HTTP path at once.
CREATE VIEW radius_nas_classes AS
SELECT org_id, location_id, dialect,
       left(md5(string_agg(nas_id || '=' || address::text, ',' ORDER BY nas_id)), 12) AS epoch
  FROM radius_nas
 GROUP BY org_id, location_id, dialect;
