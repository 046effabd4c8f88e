-- The console's and the admin API's account lists filtered by state, source or role, in the default
-- order (creation time, id): an index-ordered page whatever the size of the organization. Without
-- them a filter matching few accounts read the whole organization (600 ms at 1M accounts).
CREATE INDEX accounts_org_state_created ON accounts (org_id, state, created_at, id);
-- Manual accounts only (a partial index, matched by the literal `source = 'manual'`): an index
-- on (org_id, source) would be chosen for the SCIM-visible reads too, over their own indexes.
CREATE INDEX accounts_manual_created ON accounts (org_id, created_at, id) WHERE source = 'manual';
-- Filtered by role: roles is JSON text, so one partial index per role (of Business and of School
-- Manager), each matching the
-- literal condition the account list writes (`roles LIKE '%"Staff"%'`).
CREATE INDEX accounts_role_administrator ON accounts (org_id, created_at, id) WHERE roles LIKE '%"Administrator"%';
CREATE INDEX accounts_role_people_manager ON accounts (org_id, created_at, id) WHERE roles LIKE '%"People Manager"%';
CREATE INDEX accounts_role_device_enrollment_manager ON accounts (org_id, created_at, id) WHERE roles LIKE '%"Device Enrollment Manager"%';
CREATE INDEX accounts_role_content_manager ON accounts (org_id, created_at, id) WHERE roles LIKE '%"Content Manager"%';
CREATE INDEX accounts_role_staff ON accounts (org_id, created_at, id) WHERE roles LIKE '%"Staff"%';
CREATE INDEX accounts_role_site_manager ON accounts (org_id, created_at, id) WHERE roles LIKE '%"Site Manager"%';
CREATE INDEX accounts_role_manager ON accounts (org_id, created_at, id) WHERE roles LIKE '%"Manager"%';
CREATE INDEX accounts_role_instructor ON accounts (org_id, created_at, id) WHERE roles LIKE '%"Instructor"%';
CREATE INDEX accounts_role_student ON accounts (org_id, created_at, id) WHERE roles LIKE '%"Student"%';
