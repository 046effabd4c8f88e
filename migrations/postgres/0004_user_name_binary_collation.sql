-- userName comparisons and prefix ranges use binary (code-point) order, as on SQLite, so a
-- `sw` prefix is an exact index range and sorting by userName agrees on both engines.
ALTER TABLE accounts ALTER COLUMN user_name_norm TYPE TEXT COLLATE "C";
