-- Issue 16: the request journal and the fault rules live in the database, so that every process
-- sharing it records into and reads one journal, and a rule set through one fires on all; and
-- every change another process must see at once is announced with NOTIFY.

-- One row per journaled SCIM request. `seq` orders the whole journal (every organization, every
-- process); bodies are JSON text as recorded (secrets already redacted). No foreign key: rows
-- are written in batches after the response, possibly just after the organization went.
CREATE TABLE journal (
    seq             BIGSERIAL PRIMARY KEY,
    org_id          TEXT NOT NULL,
    at              BIGINT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    query           TEXT,
    status          INTEGER NOT NULL,
    token_id        TEXT,
    latency_ms      DOUBLE PRECISION NOT NULL,
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

-- Changes other processes cache, announced on channel `abm_scim_changes` when they commit
-- (NOTIFY is transactional; one per statement, and PostgreSQL folds repeats within a
-- transaction). The payload names what to read again: `auth` (organizations, SCIM tokens,
-- OAuth clients, secrets, grants and refresh tokens), `clock` (settings: the manual clock),
-- `faults`.
CREATE FUNCTION abm_scim_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('abm_scim_changes', TG_ARGV[0]);
    RETURN NULL;
END
$$;

CREATE TRIGGER orgs_changed AFTER INSERT OR UPDATE OR DELETE ON orgs
    FOR EACH STATEMENT EXECUTE FUNCTION abm_scim_notify('auth');
-- A token's `last_used_at` refresh (once a minute per token in use) changes nothing another
-- process cached, so it announces nothing.
CREATE TRIGGER scim_tokens_changed AFTER UPDATE ON scim_tokens
    FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
                       OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
                       OR OLD.token_hash IS DISTINCT FROM NEW.token_hash
                       OR OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION abm_scim_notify('auth');
CREATE TRIGGER scim_tokens_removed AFTER DELETE ON scim_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION abm_scim_notify('auth');
CREATE TRIGGER oauth_clients_changed AFTER UPDATE OR DELETE ON oauth_clients
    FOR EACH STATEMENT EXECUTE FUNCTION abm_scim_notify('auth');
CREATE TRIGGER oauth_secrets_changed AFTER UPDATE ON oauth_secrets
    FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
                       OR OLD.expires_at IS DISTINCT FROM NEW.expires_at)
    EXECUTE FUNCTION abm_scim_notify('auth');
CREATE TRIGGER oauth_secrets_removed AFTER DELETE ON oauth_secrets
    FOR EACH STATEMENT EXECUTE FUNCTION abm_scim_notify('auth');
CREATE TRIGGER oauth_grants_changed AFTER UPDATE OR DELETE ON oauth_grants
    FOR EACH STATEMENT EXECUTE FUNCTION abm_scim_notify('auth');
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION abm_scim_notify('clock');
CREATE TRIGGER fault_rules_changed AFTER INSERT OR UPDATE OR DELETE ON fault_rules
    FOR EACH STATEMENT EXECUTE FUNCTION abm_scim_notify('faults');
