-- Reelay's shared journal on PostgreSQL, schema version 1.
--
-- Reelay applies this file itself on first use (the default), in one transaction under a
-- transaction-scoped advisory lock, so that instances starting at once create one schema, and
-- records it in reelay_schema_version. Where DBAs apply schemas themselves: run this file in one
-- transaction (psql -1 -f V1__journal.sql), then build the outbox with createSchema(false); Reelay
-- then only checks that the version it reads is there.
--
-- Every name starts with reelay_. With another table prefix or a schema (PostgresOutbox.Builder
-- tablePrefix / schema), replace reelay_ throughout with that prefix, qualified by the schema.
--
-- Times are epoch milliseconds (bigint). lease_until is on the database's clock (Reelay writes and
-- compares it with statement_timestamp()); the other times are the hosts'.

CREATE TABLE IF NOT EXISTS reelay_schema_version (
    version    integer PRIMARY KEY,
    script     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- One row per accepted recording. Updated often while it runs (every journal write, every lease
-- renewal): no index names updated_at or lease_until, so those updates stay HOT.
CREATE TABLE reelay_recordings (
    id              bigint PRIMARY KEY,
    recording       text NOT NULL,
    version         text NOT NULL,
    state           text NOT NULL,
    reason          text,
    attempts        integer NOT NULL,
    accepted_at     bigint NOT NULL,
    updated_at      bigint NOT NULL,
    next_attempt_at bigint,
    lease_owner     text,
    lease_until     bigint,
    lease_token     bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 80);

-- Claiming interrupted work, pending(), pruning and a dashboard's listing: by state, then the
-- (accepted_at, id) keyset the pages follow.
CREATE INDEX reelay_recordings_listing ON reelay_recordings (state, accepted_at, id);

-- The slow schedule: what is due, soonest first.
CREATE INDEX reelay_recordings_due ON reelay_recordings (next_attempt_at, id) WHERE state IN ('PENDING', 'PARKED');

CREATE TABLE reelay_files (
    recording_id bigint NOT NULL,
    name         text NOT NULL,
    role         text NOT NULL,
    object_key   text NOT NULL,
    url          text,
    size         bigint NOT NULL,
    attempts     integer NOT NULL,
    PRIMARY KEY (recording_id, name)
);

-- Multipart uploads under way, so that any instance continues one from its stored parts.
CREATE TABLE reelay_multipart (
    recording_id  bigint NOT NULL,
    name          text NOT NULL,
    upload_id     text NOT NULL,
    part_size     bigint NOT NULL,
    file_size     bigint NOT NULL,
    file_modified bigint NOT NULL,
    PRIMARY KEY (recording_id, name)
);

CREATE TABLE reelay_parts (
    recording_id bigint NOT NULL,
    name         text NOT NULL,
    part_number  integer NOT NULL,
    etag         text NOT NULL,
    size         bigint NOT NULL,
    PRIMARY KEY (recording_id, name, part_number)
);

CREATE TABLE reelay_metadata (
    recording_id bigint PRIMARY KEY,
    name         text NOT NULL,
    object_key   text NOT NULL,
    url          text,
    size         bigint NOT NULL,
    attempts     integer NOT NULL,
    body         bytea NOT NULL
);

CREATE TABLE reelay_deliveries (
    recording_id bigint NOT NULL,
    endpoint     text NOT NULL,
    webhook_id   text NOT NULL,
    state        text NOT NULL,
    status_code  integer NOT NULL,
    attempts     integer NOT NULL,
    reply        text,
    error        text,
    PRIMARY KEY (recording_id, endpoint)
);

-- Endpoints that answered 410, shared by every instance until enabled again.
CREATE TABLE reelay_disabled_endpoints (
    endpoint text PRIMARY KEY,
    since    bigint NOT NULL,
    reason   text
);

INSERT INTO reelay_schema_version (version, script) VALUES (1, 'V1__journal.sql');
