-- Accounts and sessions of the central service: restricted sessions (opened
-- with a generated password), one-time codes, captchas and the per-address
-- login throttle. Keep in step with data/postgres/migrations.

ALTER TABLE sessions ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;

-- Single-use codes mailed to a person (forgotten password, a new agent's
-- first password). Only their hash is kept.
CREATE TABLE codes (
    hash       TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX codes_account ON codes (account_id, purpose);

-- Captchas issued and not yet answered: shared by every service instance.
CREATE TABLE captchas (
    id         TEXT PRIMARY KEY,
    digits     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Failed logins per client address, in a sliding window.
CREATE TABLE login_failures (
    address      TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start BIGINT NOT NULL
);
