-- abm-scim schema (SQLite). Timestamps are unix epoch microseconds (BIGINT) on both engines so
-- that filters, the reaper and the manual clock compare plain integers the same way everywhere.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE orgs (
    id                       TEXT PRIMARY KEY,
    name                     TEXT NOT NULL,
    federated_authentication BOOLEAN NOT NULL,
    auto_merge               BOOLEAN NOT NULL,
    require_verified_domain  BOOLEAN NOT NULL,
    directory_sync_source    TEXT NOT NULL,
    -- When SCIM was (re)connected: starts the 4-day window for the first authorised request.
    scim_connected_at        BIGINT,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);

CREATE TABLE domains (
    org_id   TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    verified BOOLEAN NOT NULL,
    PRIMARY KEY (org_id, name)
);

CREATE TABLE scim_tokens (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    -- SHA-256 of the whole bearer token; the token itself is never stored.
    token_hash        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    last_used_at      BIGINT,
    revoked_at        BIGINT,
    expiring_notified BOOLEAN NOT NULL DEFAULT FALSE,
    renewed_from      TEXT
);
CREATE INDEX scim_tokens_org ON scim_tokens (org_id);

CREATE TABLE accounts (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_name      TEXT NOT NULL,
    -- Lower-cased userName: SCIM userName is caseExact=false, and uniqueness is enforced here.
    user_name_norm TEXT NOT NULL,
    external_id    TEXT,
    active         BOOLEAN NOT NULL,
    state          TEXT NOT NULL,
    source         TEXT NOT NULL,
    roles          TEXT NOT NULL,
    person_id      TEXT,
    -- SCIM DELETE hides the account from SCIM (RFC 7644 §3.6) while ABM keeps it, inactive.
    scim_deleted   BOOLEAN NOT NULL DEFAULT FALSE,
    deactivated_at BIGINT,
    delete_after   BIGINT,
    version        BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    attrs          TEXT NOT NULL
);
CREATE UNIQUE INDEX accounts_org_user_name ON accounts (org_id, user_name_norm);
CREATE INDEX accounts_org_external_id ON accounts (org_id, external_id);
CREATE INDEX accounts_reaper ON accounts (state, deactivated_at);

CREATE TABLE activity (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    account_id TEXT,
    detail     TEXT NOT NULL
);
CREATE INDEX activity_org_seq ON activity (org_id, seq);
