-- Partial indexes over the accounts SCIM can see (the predicate is `SCIM_VISIBLE_SQL` in
-- src/service/users_list.rs, word for word: SQLite uses a partial index only when the query's
-- WHERE holds the index's terms as written). They hold the list's order keys, so
-- `totalResults` counts and the rows skipped by a deep `startIndex` are read from the index
-- alone: at 1M accounts, a count or a skip of 900k rows no longer visits the table.
CREATE INDEX accounts_scim_created ON accounts (org_id, created_at, id)
    WHERE source = 'scim' AND state <> 'conflict' AND scim_deleted = FALSE;
CREATE INDEX accounts_scim_user_name ON accounts (org_id, user_name_norm, id)
    WHERE source = 'scim' AND state <> 'conflict' AND scim_deleted = FALSE;
