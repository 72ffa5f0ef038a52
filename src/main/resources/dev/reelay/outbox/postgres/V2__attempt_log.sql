-- Reelay's shared journal on PostgreSQL, schema version 2: the attempt log and what listings use.
--
-- Applied after V1__journal.sql, the same way (by Reelay on first use, in one transaction under the
-- advisory lock; or by a DBA: psql -1 -f V2__attempt_log.sql, then createSchema(false)). Entries
-- already journaled are kept; their title and email are filled in from their recording.

-- The last run's result (COMPLETED, PARTIAL, WEBHOOK_FAILED, …), and the title and email that
-- listings search, out of the recording's JSON.
ALTER TABLE reelay_recordings ADD COLUMN title text, ADD COLUMN email text, ADD COLUMN result text;

UPDATE reelay_recordings SET title = recording::jsonb ->> 'title', email = recording::jsonb -> 'user' ->> 'email';

-- Listings, newest first, whatever the state.
CREATE INDEX reelay_recordings_newest ON reelay_recordings (accepted_at, id);

-- Counting the entries by how their last run ended.
CREATE INDEX reelay_recordings_result ON reelay_recordings (state, result);

-- Every webhook request and every upload of a file, at most 20 per recording and target (a file, an
-- endpoint), the newest; deleted with their recording when it is pruned. Nothing secret: the request
-- headers less Authorization and the signature's value, and an excerpt of the answer, escaped.
CREATE TABLE reelay_attempts (
    id              bigserial PRIMARY KEY,
    recording_id    bigint NOT NULL,
    kind            text NOT NULL,
    target          text NOT NULL,
    number          integer NOT NULL,
    started_at      bigint NOT NULL,
    duration_ms     bigint NOT NULL,
    outcome         text NOT NULL,
    status_code     integer NOT NULL,
    requests        integer NOT NULL,
    bytes           bigint NOT NULL,
    webhook_id      text,
    request_headers text,
    answer          text,
    error           text
);

-- A recording's attempts, and keeping the newest per target.
CREATE INDEX reelay_attempts_recording ON reelay_attempts (recording_id, kind, target, id);

-- Charts of the last hours.
CREATE INDEX reelay_attempts_time ON reelay_attempts (started_at);

-- Each endpoint's health.
CREATE INDEX reelay_attempts_target ON reelay_attempts (kind, target, started_at);

INSERT INTO reelay_schema_version (version, script) VALUES (2, 'V2__attempt_log.sql');
