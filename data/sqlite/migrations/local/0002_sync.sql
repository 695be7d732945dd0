-- The sync side of the desktop's copy (see data.LocalSync). The local rows
-- (professionals, availability…) are the service's state of each record
-- with the pending local edits laid over it: the service's state is kept
-- here, apart, so that an edit that lost or was refused settles back to it.

-- The service's state of every record of the copy, as last pulled: its
-- fields and each field's version, as JSON objects. One row per record
-- (not per field): a Caf's copy holds tens of thousands of records of up
-- to 51 fields.
CREATE TABLE sync_records (
    entity   TEXT NOT NULL,
    key      TEXT NOT NULL,
    parent   TEXT NOT NULL DEFAULT '',  -- the professional the record belongs to, or that a request names
    fields   TEXT NOT NULL,             -- {"field": "value"}
    versions TEXT NOT NULL,             -- {"field": version}
    PRIMARY KEY (entity, key)
);
CREATE INDEX sync_records_parent ON sync_records (parent);

-- The fields each outbox entry changes, with their new value. When the
-- entry leaves the outbox (acknowledged or refused) its outbox_id becomes
-- NULL: the field then settles to the service's state at the end of the
-- next complete pull, and the row goes.
CREATE TABLE outbox_fields (
    outbox_id TEXT REFERENCES outbox (id) ON DELETE SET NULL,
    seq       INTEGER NOT NULL,  -- the entry's place in the outbox: later edits win
    entity    TEXT NOT NULL,
    key       TEXT NOT NULL,
    field     TEXT NOT NULL,
    value     TEXT NOT NULL
);
CREATE INDEX outbox_fields_outbox ON outbox_fields (outbox_id);
CREATE INDEX outbox_fields_record ON outbox_fields (entity, key);

-- Conflict records the user has seen (the records are in sync_records).
CREATE TABLE conflicts_seen (
    key     TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
