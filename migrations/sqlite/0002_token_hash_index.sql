-- Opaque tokens with fixed secrets (seed files) are found by their hash.
CREATE INDEX scim_tokens_hash ON scim_tokens (token_hash);
