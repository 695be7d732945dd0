-- The central schema on SQLite. Times are Unix milliseconds (0 = none),
-- dates ISO text, booleans 0/1. Keep in step with data/postgres/migrations.

CREATE TABLE professionals (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    department      TEXT NOT NULL,
    caf_code        TEXT NOT NULL,
    agrement_number TEXT NOT NULL DEFAULT '',
    civility        TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    first_name      TEXT NOT NULL DEFAULT '',
    structure_name  TEXT NOT NULL DEFAULT '',
    street_number   TEXT NOT NULL DEFAULT '',
    street_type     TEXT NOT NULL DEFAULT '',
    street_name     TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    commune_insee   TEXT NOT NULL DEFAULT '',
    commune_name    TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    places_agreed   INTEGER NOT NULL DEFAULT 0,
    agrement_date   TEXT NOT NULL DEFAULT '',
    capacity        INTEGER NOT NULL DEFAULT 0,
    opening_hours   TEXT NOT NULL DEFAULT '',
    listing         TEXT NOT NULL,
    habilitation    TEXT NOT NULL,
    sort_last       TEXT NOT NULL,  -- normalised last name (structure name for a structure)
    sort_first      TEXT NOT NULL,  -- normalised first name
    search_text     TEXT NOT NULL,  -- normalised names, for « contains » search
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX professionals_agrement ON professionals (department, agrement_number)
    WHERE agrement_number <> '';
CREATE INDEX professionals_caf ON professionals (caf_code, sort_last, sort_first, id);
CREATE INDEX professionals_postal_code ON professionals (postal_code);
CREATE INDEX professionals_commune ON professionals (commune_insee);

CREATE TABLE availability (
    professional_id TEXT PRIMARY KEY REFERENCES professionals (id),
    global          TEXT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE availability_weeks (
    professional_id TEXT NOT NULL REFERENCES professionals (id),
    monday          TEXT NOT NULL,
    use_detail      BOOLEAN NOT NULL,
    grid            TEXT NOT NULL,  -- 49 letters, see data.WeekGrid.Encode
    places          INTEGER,        -- NULL: not given
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (professional_id, monday)
);

CREATE TABLE availability_dated (
    professional_id TEXT NOT NULL REFERENCES professionals (id),
    day             TEXT NOT NULL,  -- a 1 January or 1 September
    use_detail      BOOLEAN NOT NULL,
    days            TEXT NOT NULL,  -- 7 letters, see data.WeekDays.Encode
    places          INTEGER,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (professional_id, day)
);

CREATE TABLE requests (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    civility        TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    first_name      TEXT NOT NULL DEFAULT '',
    structure_name  TEXT NOT NULL DEFAULT '',
    agrement_number TEXT NOT NULL DEFAULT '',
    street_number   TEXT NOT NULL DEFAULT '',
    street_type     TEXT NOT NULL DEFAULT '',
    street_name     TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    commune_insee   TEXT NOT NULL DEFAULT '',
    commune_name    TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    department      TEXT NOT NULL,
    caf_code        TEXT NOT NULL,
    state           TEXT NOT NULL,
    refusal_reason  TEXT NOT NULL DEFAULT '',
    professional_id TEXT REFERENCES professionals (id),
    match_kind      TEXT NOT NULL DEFAULT '',
    search_text     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX requests_caf ON requests (caf_code, created_at);

CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    role                TEXT NOT NULL,
    professional_id     TEXT REFERENCES professionals (id),
    caf_code            TEXT NOT NULL DEFAULT '',
    first_name          TEXT NOT NULL DEFAULT '',
    last_name           TEXT NOT NULL DEFAULT '',
    password_hash       TEXT NOT NULL DEFAULT '',
    password_generated  BOOLEAN NOT NULL DEFAULT FALSE,
    password_expires_at BIGINT NOT NULL DEFAULT 0,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        BIGINT NOT NULL DEFAULT 0,
    last_login_at       BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX accounts_caf ON accounts (caf_code, role);
CREATE INDEX accounts_professional ON accounts (professional_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,  -- SHA-256 of the token, never the token
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    caf_code    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_caf ON audit (caf_code, at);
CREATE INDEX audit_actor ON audit (actor_id, at);
CREATE INDEX audit_target ON audit (target_id);

-- The audit log is append-only.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
