-- Issue 16: the request journal and the fault rules live in the database, so that every process
-- sharing it records into and reads one journal, and a rule set through one fires on all.

-- One row per journaled SCIM request. `seq` orders the whole journal (every organization, every
-- process); bodies are JSON text as recorded (secrets already redacted). No foreign key: rows
-- are written in batches after the response, possibly just after the organization went.
CREATE TABLE journal (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          TEXT NOT NULL,
    at              BIGINT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    query           TEXT,
    status          INTEGER NOT NULL,
    token_id        TEXT,
    latency_ms      REAL NOT NULL,
    request_headers TEXT NOT NULL,
    request_body    TEXT,
    response_body   TEXT,
    -- JSON array of dialect feature names.
    dialect         TEXT NOT NULL,
    fault           TEXT,
    -- Entries of this organization lost just before this one (the write queue was full).
    dropped_before  BIGINT NOT NULL DEFAULT 0,
    -- Length of both bodies, for the per-organization byte budget.
    body_bytes      BIGINT NOT NULL
);
-- Reads by organization and `since`; trimming sums `body_bytes` from the same index.
CREATE INDEX journal_org_seq ON journal (org_id, seq, body_bytes);

-- An organization's fault rules in order; `remaining` is the rule's `times` left (NULL: no
-- limit), decremented in one statement per firing.
CREATE TABLE fault_rules (
    org_id    TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    position  BIGINT NOT NULL,
    rule      TEXT NOT NULL,
    remaining BIGINT,
    PRIMARY KEY (org_id, position)
);

-- The accounts-per-organization gauge of /metrics: one GROUP BY read from this index alone.
CREATE INDEX accounts_census ON accounts (org_id, state, source);
