-- Projections of the organization's configuration (plan mappings, default profile, VLAN pool),
-- the location mappings, the team groups with their VLANs, the admins' notifications and the
-- sync runs (drift reports). Like every projection, rebuilt by `lanyard replay`.

ALTER TABLE organizations
    ALTER COLUMN installed SET DEFAULT false,
    ADD COLUMN default_profile jsonb,            -- null: the built-in default (WiFi on, no limits)
    ADD COLUMN vlan_first      integer,
    ADD COLUMN vlan_last       integer;

CREATE TABLE plan_profiles (
    org_id           text        NOT NULL,
    plan_template_id text        NOT NULL,
    profile          jsonb       NOT NULL,       -- domain::AccessProfile
    mapped_at        timestamptz NOT NULL,
    last_position    bigint      NOT NULL,
    PRIMARY KEY (org_id, plan_template_id)
);

CREATE TABLE locations (
    org_id             text        NOT NULL,
    location_id        text        NOT NULL,     -- the Optix location id
    mapped             boolean     NOT NULL,
    name               text,
    network_name       text,
    timezone           text,
    vlan_first         integer,
    vlan_last          integer,
    roaming            text,
    unmapped_uses      integer     NOT NULL DEFAULT 0,
    last_unmapped_use  timestamptz,
    last_unmapped_user text,
    updated_at         timestamptz NOT NULL,
    last_position      bigint      NOT NULL,
    PRIMARY KEY (org_id, location_id)
);

CREATE TABLE groups (
    org_id        text        NOT NULL,
    team_id       text        NOT NULL,
    name          text        NOT NULL,
    vlan          integer,
    created_at    timestamptz NOT NULL,
    last_position bigint      NOT NULL,
    PRIMARY KEY (org_id, team_id),
    -- A VLAN is never held by two live groups. Deferred to commit: replay applies different
    -- streams concurrently, so a VLAN freed and reused may arrive in either order within a batch.
    CONSTRAINT groups_vlan_unique UNIQUE (org_id, vlan) DEFERRABLE INITIALLY DEFERRED
);

-- What admins see in the notification box: unmapped locations, failed syncs, groups left
-- without a VLAN. One row per event that raised it.
CREATE TABLE notifications (
    global_position bigint      PRIMARY KEY,
    org_id          text        NOT NULL,
    kind            text        NOT NULL,
    subject         text        NOT NULL,     -- e.g. the Optix location id
    message         text        NOT NULL,
    raised_at       timestamptz NOT NULL
);
CREATE INDEX notifications_org ON notifications (org_id, global_position DESC);

CREATE TABLE sync_runs (
    global_position   bigint      PRIMARY KEY,
    org_id            text        NOT NULL,
    kind              text        NOT NULL,
    outcome           text        NOT NULL CHECK (outcome IN ('ok', 'failed')),
    users_seen        integer,
    corrected_streams integer,
    events_appended   integer,
    corrections       jsonb,
    reason            text,
    finished_at       timestamptz NOT NULL
);
CREATE INDEX sync_runs_org ON sync_runs (org_id, global_position DESC);

-- What a grant gives on the network (profile, VLAN, bandwidth), from the plan's access profile.
ALTER TABLE member_grants ADD COLUMN network jsonb;

-- Passphrase uniqueness becomes a constraint checked at commit, for the same replay reason as
-- the VLANs above (a passphrase given up by one member and chosen by another).
DROP INDEX members_passphrase_unique;
ALTER TABLE members ADD CONSTRAINT members_passphrase_unique
    UNIQUE (org_id, passphrase_hash) DEFERRABLE INITIALLY DEFERRED;
