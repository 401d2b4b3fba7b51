-- The RADIUS registry (issue 16): the NASes (access points, controllers) that may ask for keys,
-- and the members' devices MAC authentication finds them by. Both are projections of the event
-- log (`nas-{org}-{nas_id}` streams; DeviceAdded/DeviceRemoved on member streams), rebuilt by
-- `lanyard replay`.
--
-- Uniqueness is checked at commit (DEFERRABLE INITIALLY DEFERRED), like VLANs and passphrases:
-- two transactions that race for the same MAC or overlapping NAS addresses both decide on a
-- state without the other's row, and the loser's COMMIT fails, so it decides again, sees the
-- row and refuses (`device_taken`, `nas_address_taken`). Deferred also lets a replay move a MAC
-- between members (or an address between NASes) in any order within its batch.

CREATE TABLE radius_nas (                 -- read model of the nas-{org}-{nas_id} streams
  org_id        text        NOT NULL,
  nas_id        text        NOT NULL,     -- short slug chosen by the admin, [a-z0-9-]{1,32}, unique per org
  location_id   text        NOT NULL,     -- Optix location id (a mapped location)
  name          text        NOT NULL,
  address       cidr        NOT NULL,     -- one address = /32 or /128; no two NASes (any org) overlap
  dialect       text        NOT NULL,     -- 'cisco' | 'aruba' | 'meraki' | 'hostapd'
  ssids         text[]      NOT NULL,
  coa_port      integer     NOT NULL,     -- default 3799
  secret_sealed jsonb       NOT NULL,     -- secrets::Sealed (same envelope as passphrases), context "nas-secret"; opened only by a service holding the key ring
  registered_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, nas_id),
  CONSTRAINT radius_nas_address_disjoint EXCLUDE USING gist (address inet_ops WITH &&)
    DEFERRABLE INITIALLY DEFERRED
);
-- RADIUS finds the NAS of a request by its source address (`address >>= $ip`).
CREATE INDEX radius_nas_location ON radius_nas (org_id, location_id);

CREATE TABLE member_devices (             -- read model of DeviceAdded/DeviceRemoved on member streams
  org_id     text        NOT NULL,
  user_id    text        NOT NULL,
  mac        text        NOT NULL,        -- 12 lowercase hex digits, no separators (domain::devices::Mac)
  name       text        NOT NULL,
  bound_via  text        NOT NULL,        -- 'tenant' | 'admin' | 'accounting' | 'handshake'
  added_at   timestamptz NOT NULL,
  CONSTRAINT member_devices_pkey PRIMARY KEY (org_id, mac)  -- a MAC belongs to at most one member of an organization
    DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX member_devices_member ON member_devices (org_id, user_id);
