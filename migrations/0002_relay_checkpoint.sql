-- Where the relay (log → NATS lanyard.events.*) has got to. Updated after each published
-- batch; a crash between publish and update republishes, and JetStream drops the duplicates by
-- event id (Nats-Msg-Id).
CREATE TABLE relay_checkpoints (
    name       text        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
