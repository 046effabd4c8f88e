-- Issue 15: Apple School Manager organizations.
-- Every existing organization is an Apple Business Manager one.
ALTER TABLE orgs ADD COLUMN kind TEXT NOT NULL DEFAULT 'business';
-- A school's Student Information System (or SFTP uploads) is connected: directory sync cannot
-- run until it is disconnected.
ALTER TABLE orgs ADD COLUMN sis_connected BOOLEAN NOT NULL DEFAULT FALSE;
-- Days a deactivated account is kept before the reaper deletes it; NULL means the kind's
-- default (business: --retention, school: --school-retention).
ALTER TABLE orgs ADD COLUMN retention_days BIGINT;
-- Apple School Manager's grade level: an ABM-side property, never written by SCIM.
ALTER TABLE accounts ADD COLUMN grade_level TEXT;
-- The reaper now works one organization at a time (each has its own retention).
DROP INDEX accounts_reaper;
CREATE INDEX accounts_org_reaper ON accounts (org_id, state, deactivated_at);
