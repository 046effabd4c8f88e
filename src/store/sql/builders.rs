//! Statement builders of the account and event writes: placeholders, multi-row inserts, and
//! versioned updates and deletes, with the binders of their parameters.

/// Defines the write statements of engine `$db` and their binders in the module that invokes
/// it: `sqlite_statements` or `postgres_statements`, below both the engine's store and (on
/// SQLite) its write batcher, which share them.
macro_rules! statement_builders {
    (
        db = $db:ty,
        dialect = $dialect:expr,
        attrs_in = ($attrs_in_pre:literal, $attrs_in_post:literal),
    ) => {
        use $crate::store::{Account, NewEvent, StoreResult};

        /// A statement of engine `$db`, being bound.
        pub(super) type Query<'q> = sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>;

        /// Appends `rows` rows of `width` parameters, `(.., ..), (.., ..)`, each row's last one
        /// wrapped in `last` (the JSON cast of `attrs`, or nothing). PostgreSQL gets `$N`
        /// numbered from `first`; SQLite gets plain `?`: sqlx resolves a numbered SQLite
        /// parameter through sqlite3_bind_parameter_name, a linear scan of the statement's
        /// names, which makes binding a large statement quadratic, while `?` bind in order (also
        /// across the statements of one multi-statement query).
        fn push_param_rows(sql: &mut String, first: usize, rows: usize, width: usize, last: (&str, &str)) {
            let mut n = first;
            for row in 0..rows {
                sql.push_str(if row == 0 { "(" } else { ",(" });
                for column in 1..=width {
                    if column > 1 {
                        sql.push(',');
                    }
                    let wrap = if column == width { last } else { ("", "") };
                    sql.push_str(wrap.0);
                    push_placeholder(sql, n);
                    sql.push_str(wrap.1);
                    n += 1;
                }
                sql.push(')');
            }
        }

        /// Parameters per account row of [`insert_accounts_sql`] / [`bind_account`].
        pub(super) const ACCOUNT_PARAMS: usize = 18;

        /// `INSERT INTO accounts ...` for `rows` accounts, parameters from `first` (see
        /// [`push_param_rows`]); bound by [`bind_account`].
        pub(super) fn insert_accounts_sql(first: usize, rows: usize) -> String {
            let mut sql = String::with_capacity(300 + rows * ACCOUNT_PARAMS * 8);
            sql.push_str(
                "INSERT INTO accounts (id, org_id, created_at, user_name, user_name_norm, external_id, \
                 active, state, source, roles, person_id, grade_level, scim_deleted, deactivated_at, delete_after, \
                 version, updated_at, attrs) VALUES ",
            );
            push_param_rows(&mut sql, first, rows, ACCOUNT_PARAMS, ($attrs_in_pre, $attrs_in_post));
            sql
        }

        /// Binds one row of [`insert_accounts_sql`]: the account's identity and creation time,
        /// then what a write may change ([`bind_changeable`]).
        pub(super) fn bind_account<'q>(query: Query<'q>, account: &'q Account) -> StoreResult<Query<'q>> {
            let query = query
                .bind(account.id.as_str())
                .bind(account.org_id.as_str())
                .bind(account.created_at);
            bind_changeable(query, account)
        }

        /// Binds the columns an account write may change, in the order of
        /// [`CHANGEABLE_COLUMNS`] (`attrs` last: PostgreSQL's is wrapped in a JSONB cast).
        fn bind_changeable<'q>(query: Query<'q>, account: &'q Account) -> StoreResult<Query<'q>> {
            Ok(query
                .bind(account.user_name.as_str())
                .bind(account.user_name_norm.as_str())
                .bind(account.external_id.as_deref())
                .bind(account.active)
                .bind(account.state.as_str())
                .bind(account.source.as_str())
                .bind(serde_json::to_string(&account.roles)?)
                .bind(account.person_id.as_deref())
                .bind(account.grade_level.as_deref())
                .bind(account.scim_deleted)
                .bind(account.deactivated_at)
                .bind(account.delete_after)
                .bind(account.version)
                .bind(account.updated_at)
                .bind(serde_json::to_string(&account.attrs)?))
        }

        /// What [`bind_changeable`] binds, as the UPDATE names them.
        const CHANGEABLE_COLUMNS: [&str; 15] = [
            "user_name", "user_name_norm", "external_id", "active", "state", "source", "roles",
            "person_id", "grade_level", "scim_deleted", "deactivated_at", "delete_after", "version", "updated_at",
            "attrs",
        ];

        /// `INSERT INTO activity ...` for `count` events, parameters from `first` (see
        /// [`push_param_rows`]); bound by [`bind_events`].
        pub(super) fn insert_events_sql(first: usize, count: usize) -> String {
            format!("{INSERT_EVENTS} VALUES {}", event_rows_sql(first, count))
        }

        const INSERT_EVENTS: &str = "INSERT INTO activity (org_id, at, kind, actor, account_id, detail)";

        /// The `(..), (..)` rows of `count` events, parameters from `first`.
        pub(super) fn event_rows_sql(first: usize, count: usize) -> String {
            let mut sql = String::new();
            push_param_rows(&mut sql, first, count, EVENT_PARAMS, ("", ""));
            sql
        }

        /// Parameters per event row of [`event_rows_sql`] / [`bind_events`].
        pub(super) const EVENT_PARAMS: usize = 6;

        /// `INSERT INTO activity ... SELECT` of `count` events, parameters from `first`, that
        /// inserts them only `when` (an SQL condition): an account write's events are written
        /// only if the write found its row at the expected version.
        pub(super) fn insert_events_when_sql(first: usize, count: usize, when: &str) -> String {
            format!(
                "{INSERT_EVENTS} SELECT * FROM (VALUES {}) AS events WHERE {when}",
                event_rows_sql(first, count)
            )
        }

        /// Appends placeholder number `n`: `$n` on PostgreSQL, `?` on SQLite (see
        /// [`push_param_rows`]).
        fn push_placeholder(sql: &mut String, n: usize) {
            use std::fmt::Write as _;
            if $dialect == $crate::scim::filter_sql::Dialect::Sqlite {
                sql.push('?');
            } else {
                let _ = write!(sql, "${n}");
            }
        }

        /// Appends ` WHERE id = .. AND org_id = .. AND version = ..`, parameters from `first`:
        /// one account at an expected version.
        fn push_versioned_row(sql: &mut String, first: usize) {
            for (i, term) in [" WHERE id = ", " AND org_id = ", " AND version = "].into_iter().enumerate() {
                sql.push_str(term);
                push_placeholder(sql, first + i);
            }
        }

        /// Parameters of [`update_account_sql`] / [`bind_update`].
        pub(super) const UPDATE_PARAMS: usize = CHANGEABLE_COLUMNS.len() + 3;

        /// `UPDATE accounts ...` of one account at an expected version, parameters from
        /// `first`; bound by [`bind_update`].
        pub(super) fn update_account_sql(first: usize) -> String {
            let mut sql = String::from("UPDATE accounts SET ");
            for (i, column) in CHANGEABLE_COLUMNS.iter().enumerate() {
                let wrap = if *column == "attrs" { ($attrs_in_pre, $attrs_in_post) } else { ("", "") };
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(column);
                sql.push_str(" = ");
                sql.push_str(wrap.0);
                push_placeholder(&mut sql, first + i);
                sql.push_str(wrap.1);
            }
            push_versioned_row(&mut sql, first + CHANGEABLE_COLUMNS.len());
            sql
        }

        /// Binds [`update_account_sql`]: `account` (whose version is already the new one)
        /// written over the row at `expected_version`.
        pub(super) fn bind_update<'q>(query: Query<'q>, account: &'q Account, expected_version: i64) -> StoreResult<Query<'q>> {
            Ok(bind_changeable(query, account)?
                .bind(account.id.as_str())
                .bind(account.org_id.as_str())
                .bind(expected_version))
        }

        /// Parameters of [`delete_account_sql`] / [`bind_delete`].
        pub(super) const DELETE_PARAMS: usize = 3;

        /// `DELETE FROM accounts ...` of one account at an expected version.
        pub(super) fn delete_account_sql(first: usize) -> String {
            let mut sql = String::from("DELETE FROM accounts");
            push_versioned_row(&mut sql, first);
            sql
        }

        pub(super) fn bind_delete<'q>(query: Query<'q>, org_id: &'q str, id: &'q str, expected_version: i64) -> Query<'q> {
            query.bind(id).bind(org_id).bind(expected_version)
        }

        /// PostgreSQL: an account write at an expected version and its events as one
        /// autocommit statement (one round trip; a transaction cost five: BEGIN, two
        /// statements, COMMIT and the pool's ping). `write` is the UPDATE or DELETE, whose
        /// parameters come first; the events follow from `events_first`. Answers one row, `n`:
        /// 1 when the row was written (and the events with it), 0 when it was not found at
        /// that version (and nothing was written).
        pub(super) fn versioned_write_sql(write: &str, events_first: usize, events: usize) -> String {
            let mut sql = format!("WITH written AS ({write} RETURNING 1 AS done)");
            if events > 0 {
                sql.push_str(", logged AS (");
                sql.push_str(&insert_events_when_sql(events_first, events, "EXISTS (SELECT 1 FROM written)"));
                sql.push(')');
            }
            sql.push_str(" SELECT COUNT(*) AS n FROM written");
            sql
        }

        pub(super) fn bind_events<'q>(mut query: Query<'q>, events: &'q [NewEvent]) -> Query<'q> {
            for event in events {
                query = query
                    .bind(event.org_id.as_str())
                    .bind(event.at)
                    .bind(event.kind.as_str())
                    .bind(event.actor.as_str())
                    .bind(event.account_id.as_deref())
                    .bind(event.detail.to_string());
            }
            query
        }
    };
}
pub(crate) use statement_builders;
