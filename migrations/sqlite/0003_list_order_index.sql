-- Default list order (creation time, id) per organization: index-ordered pages and keyset cursors.
CREATE INDEX accounts_org_created ON accounts (org_id, created_at, id);
