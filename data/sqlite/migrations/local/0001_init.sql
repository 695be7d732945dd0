-- The desktop's own tables, on top of the central schema (which holds the
-- user's copy: her fiche and availability, or her Caf's professionals and
-- requests). Times are Unix milliseconds.

-- Edits not yet acknowledged by the central service, in the order made.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,  -- mutation ID (UUIDv7): the idempotency key
    entity     TEXT NOT NULL,
    key        TEXT NOT NULL,
    payload    BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);

-- Edits the central service refused for good, kept to be shown.
CREATE TABLE rejected (
    id          TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    entity      TEXT NOT NULL,
    key         TEXT NOT NULL,
    payload     BLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    attempts    INTEGER NOT NULL,
    last_error  TEXT NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    rejected_at BIGINT NOT NULL
);

-- Cursor, client ID, clock and other values of the sync.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
