-- SQLite compares TEXT in binary order already (the same as 0004 on PostgreSQL); kept so both
-- engines share one migration history.
SELECT 1;
