-- Issue 14: OAuth 2 client secrets for custom identity providers (ABM's "Client Secret").
-- Every secret, authorization code and refresh token is stored as the SHA-256 (hex) of the
-- whole value, compared in constant time; codes and refresh tokens are `<id>.<random>`, found by
-- their id (a selector that proves nothing on its own) and then checked by hash. Access tokens
-- are signed JWTs and not stored at all: their grant and secret are checked on every request
-- instead, so revoking either revokes them.

-- Emulator setting: allow grant_type=client_credentials for headless tests (ABM's flow is
-- interactive).
ALTER TABLE orgs ADD COLUMN oauth_client_credentials BOOLEAN NOT NULL DEFAULT FALSE;

-- One OAuth client per organization; `id` is the client_id (`SCIM.<uuid>`).
CREATE TABLE oauth_clients (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    -- JSON array of the exact redirect URIs the authorization endpoint accepts.
    redirect_uris TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth_clients_org ON oauth_clients (org_id);

CREATE TABLE oauth_secrets (
    id                TEXT PRIMARY KEY,
    client_id         TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    org_id            TEXT NOT NULL,
    secret_hash       TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    -- The last SCIM request authorised by an access token obtained with this secret.
    last_used_at      BIGINT,
    revoked_at        BIGINT,
    expiring_notified BOOLEAN NOT NULL DEFAULT FALSE,
    expired_notified  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX oauth_secrets_org ON oauth_secrets (org_id);
CREATE INDEX oauth_secrets_client ON oauth_secrets (client_id);

-- A grant: what one approval (or one client_credentials request) gave the client. Its refresh
-- tokens and access tokens live and die with it.
CREATE TABLE oauth_grants (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    org_id       TEXT NOT NULL,
    -- The secret that authenticated the grant's last use: revoking it revokes the grant.
    secret_id    TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    refreshed_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX oauth_grants_secret ON oauth_grants (secret_id);

-- Refresh tokens of a grant. With rotation, a replaced one is kept (`replaced_at`) so that its
-- reuse is recognised and revokes the grant.
CREATE TABLE oauth_refresh_tokens (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL,
    grant_id    TEXT NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    replaced_at BIGINT
);
CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (grant_id);

-- Authorization codes: single use, bound to the client, the redirect URI and the PKCE
-- challenge. `grant_id` is set when the code is redeemed, in the same transaction.
CREATE TABLE oauth_codes (
    id                    TEXT PRIMARY KEY,
    code_hash             TEXT NOT NULL,
    client_id             TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    org_id                TEXT NOT NULL,
    redirect_uri          TEXT NOT NULL,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    used_at               BIGINT,
    grant_id              TEXT
);
CREATE INDEX oauth_codes_client ON oauth_codes (client_id, expires_at);
