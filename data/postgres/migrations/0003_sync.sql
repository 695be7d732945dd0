-- The change log of the sync protocol (DESIGN.md §3). Every write of a
-- record a desktop copies takes the next number of its Caf's sequence,
-- under the counter row's lock, so that numbers commit in order and a pull
-- « seq > cursor » never skips a change. Keep in step with
-- data/sqlite/migrations/central.

CREATE TABLE seq_counters (
    caf_code TEXT PRIMARY KEY,
    value    BIGINT NOT NULL
);

-- One row per write of a record: the pull reads it by Caf and sequence.
CREATE TABLE change_log (
    caf_code        TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    professional_id TEXT NOT NULL DEFAULT '',  -- the professional the record belongs to
    entity          TEXT NOT NULL,
    key             TEXT NOT NULL,
    deleted         BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (caf_code, seq)
);
CREATE INDEX change_log_professional ON change_log (professional_id, seq);

-- The version (sequence number) and stamp of each field's last change.
CREATE TABLE field_stamps (
    entity  TEXT NOT NULL,
    key     TEXT NOT NULL,
    field   TEXT NOT NULL,
    version BIGINT NOT NULL,
    stamp   TEXT NOT NULL,   -- data.HLC of the edit
    by_name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (entity, key, field)
);

-- Mutations already applied (or refused for good), by idempotency key,
-- with the answer given, so that a retry gets the same answer.
CREATE TABLE mutations_applied (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    result     TEXT NOT NULL,
    applied_at BIGINT NOT NULL
);

-- Every value an edit overwrote, or that lost to a later edit.
CREATE TABLE conflict_log (
    id              TEXT PRIMARY KEY,
    caf_code        TEXT NOT NULL,
    professional_id TEXT NOT NULL DEFAULT '',
    entity          TEXT NOT NULL,
    key             TEXT NOT NULL,
    field           TEXT NOT NULL,
    lost_value      TEXT NOT NULL,
    kept_value      TEXT NOT NULL,
    lost_by         TEXT NOT NULL,
    kept_by         TEXT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX conflict_log_professional ON conflict_log (professional_id, at);
