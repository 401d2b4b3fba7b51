-- A running full sync's working set (issue 19): the organization's live plans, read from Optix
-- before most of its users, and the users the sync has seen, so the sync holds a page of the
-- organization in memory instead of all of it. Rows belong to one sync (`sync_id`, from the
-- sequence) and are removed when it ends; a sync stopped midway leaves rows a later one removes
-- once they are a day old. Logged, not UNLOGGED: a crash truncates unlogged tables and a standby
-- never has them, and a sync that went on after a PostgreSQL restart or failover would then
-- find no plans for the users it reads next and take everyone it had seen for gone (their
-- access revoked, their data deleted). The WAL of a sync's staging is small beside its events.
CREATE SEQUENCE sync_staging_ids;

CREATE TABLE sync_staged_plans (
    sync_id          bigint      NOT NULL,
    ordinal          bigint      NOT NULL,
    user_id          text        NOT NULL,
    account_plan_id  text        NOT NULL,
    plan_template_id text        NOT NULL,
    status           text        NOT NULL,
    start_at         timestamptz,
    end_at           timestamptz,
    in_all_locations boolean     NOT NULL,
    location_ids     jsonb       NOT NULL,
    staged_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sync_id, ordinal)
);
CREATE INDEX sync_staged_plans_user ON sync_staged_plans (sync_id, user_id);

CREATE TABLE sync_seen_users (
    sync_id   bigint      NOT NULL,
    user_id   text        NOT NULL,
    staged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sync_id, user_id)
);
