//! The SQL shared by both engines.
//!
//! Both engines accept `$N` placeholders and the same statements, except for how the JSON
//! attribute column is written and read; the reaper's statement (`REAP_SQL`) and bulk inserts
//! (positional `?` on SQLite, where sqlx binds numbered parameters slowly) differ per engine,
//! and SQLite commits account inserts in batches (`sqlite_batch`). The store body is
//! therefore written once, as a macro instantiated for each engine's concrete sqlx types
//! (sqlx's generic executor bounds make a plain generic impl far harder to read).

/// The account columns, in the order [`decode_account!`] reads them, qualified by alias `a`.
macro_rules! account_columns {
    (bare, $attrs:literal) => {
        concat!(
            "id, org_id, user_name, user_name_norm, external_id, active, state, ",
            "source, roles, person_id, scim_deleted, deactivated_at, delete_after, ",
            "version, created_at, updated_at, ",
            $attrs,
            " AS attrs"
        )
    };
    ($attrs:literal) => {
        concat!(
            "a.id, a.org_id, a.user_name, a.user_name_norm, a.external_id, a.active, a.state, ",
            "a.source, a.roles, a.person_id, a.scim_deleted, a.deactivated_at, a.delete_after, ",
            "a.version, a.created_at, a.updated_at, ",
            $attrs,
            " AS attrs"
        )
    };
}
pub(crate) use account_columns;

/// A token row joined with its organization (organization columns prefixed `o_`).
macro_rules! token_with_org_select {
    () => {
        "SELECT t.*, o.id AS o_id, o.name AS o_name, \
         o.federated_authentication AS o_federated_authentication, o.auto_merge AS o_auto_merge, \
         o.require_verified_domain AS o_require_verified_domain, \
         o.directory_sync_source AS o_directory_sync_source, o.scim_connected_at AS o_scim_connected_at, \
         o.created_at AS o_created_at, o.updated_at AS o_updated_at \
         FROM scim_tokens t JOIN orgs o ON o.id = t.org_id "
    };
}
pub(crate) use token_with_org_select;

/// Decodes the JSON-encoded `roles` and `attrs` columns.
pub(crate) fn decode_json_columns(
    roles: &str,
    attrs: &str,
) -> Result<
    (
        Vec<crate::domain::Role>,
        serde_json::Map<String, serde_json::Value>,
    ),
    super::StoreError,
> {
    Ok((serde_json::from_str(roles)?, serde_json::from_str(attrs)?))
}

/// Implements [`super::Store`] for a struct with `read` and `write` pools of engine `$db`.
macro_rules! impl_sql_store {
    (
        store = $store:ty,
        db = $db:ty,
        dialect = $dialect:expr,
        attrs_in = ($attrs_in_pre:literal, $attrs_in_post:literal),
        attrs_out = $attrs_out:literal,
        reap_sql = $reap_sql:expr,
        refresh_statistics_sql = $refresh_statistics_sql:expr,
    ) => {
        use sqlx::Row as _;
        use $crate::scim::filter_sql::SqlParam;
        use $crate::store::statement_pool::statement;
        use $crate::store::sql::{account_columns, decode_json_columns, token_with_org_select};
        use $crate::store::*;

        type Query<'q> = sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>;

        fn bind_params<'q>(mut query: Query<'q>, params: &'q [SqlParam]) -> Query<'q> {
            for param in params {
                query = match param {
                    SqlParam::Text(s) => query.bind(s.as_str()),
                    SqlParam::Int(i) => query.bind(*i),
                    SqlParam::Float(f) => query.bind(*f),
                    SqlParam::Bool(b) => query.bind(*b),
                };
            }
            query
        }

        /// Binds the value of the query's pinned key, the statement's last parameter.
        fn bind_key<'q>(query: Query<'q>, account_query: &'q AccountQuery) -> Query<'q> {
            match &account_query.key {
                Some(key) if key.binds_value() => query.bind(key.value.as_str()),
                _ => query,
            }
        }

        fn decode_account(row: &<$db as sqlx::Database>::Row) -> StoreResult<Account> {
            let roles: String = row.try_get("roles")?;
            let attrs: String = row.try_get("attrs")?;
            let (roles, attrs) = decode_json_columns(&roles, &attrs)?;
            Ok(Account {
                id: row.try_get("id")?,
                org_id: row.try_get("org_id")?,
                user_name: row.try_get("user_name")?,
                user_name_norm: row.try_get("user_name_norm")?,
                external_id: row.try_get("external_id")?,
                active: row.try_get("active")?,
                state: row.try_get("state")?,
                source: row.try_get("source")?,
                roles,
                person_id: row.try_get("person_id")?,
                scim_deleted: row.try_get("scim_deleted")?,
                deactivated_at: row.try_get("deactivated_at")?,
                delete_after: row.try_get("delete_after")?,
                version: row.try_get("version")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                attrs,
            })
        }

        fn decode_org(row: &<$db as sqlx::Database>::Row) -> StoreResult<Org> {
            Ok(Org {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                federated_authentication: row.try_get("federated_authentication")?,
                auto_merge: row.try_get("auto_merge")?,
                require_verified_domain: row.try_get("require_verified_domain")?,
                directory_sync_source: row.try_get("directory_sync_source")?,
                scim_connected_at: row.try_get("scim_connected_at")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        fn decode_token(row: &<$db as sqlx::Database>::Row) -> StoreResult<TokenRecord> {
            Ok(TokenRecord {
                id: row.try_get("id")?,
                org_id: row.try_get("org_id")?,
                token_hash: row.try_get("token_hash")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
                last_used_at: row.try_get("last_used_at")?,
                revoked_at: row.try_get("revoked_at")?,
                expiring_notified: row.try_get("expiring_notified")?,
                renewed_from: row.try_get("renewed_from")?,
            })
        }

        fn decode_event(row: &<$db as sqlx::Database>::Row) -> StoreResult<Event> {
            let detail: String = row.try_get("detail")?;
            Ok(Event {
                seq: row.try_get("seq")?,
                org_id: row.try_get("org_id")?,
                at: row.try_get("at")?,
                kind: row.try_get("kind")?,
                actor: row.try_get("actor")?,
                account_id: row.try_get("account_id")?,
                detail: serde_json::from_str(&detail)?,
            })
        }

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
        pub(super) const ACCOUNT_PARAMS: usize = 17;

        /// `INSERT INTO accounts ...` for `rows` accounts, parameters from `first` (see
        /// [`push_param_rows`]); bound by [`bind_account`].
        pub(super) fn insert_accounts_sql(first: usize, rows: usize) -> String {
            let mut sql = String::with_capacity(300 + rows * ACCOUNT_PARAMS * 8);
            sql.push_str(
                "INSERT INTO accounts (id, org_id, created_at, user_name, user_name_norm, external_id, \
                 active, state, source, roles, person_id, scim_deleted, deactivated_at, delete_after, \
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
                .bind(account.scim_deleted)
                .bind(account.deactivated_at)
                .bind(account.delete_after)
                .bind(account.version)
                .bind(account.updated_at)
                .bind(serde_json::to_string(&account.attrs)?))
        }

        /// What [`bind_changeable`] binds, as the UPDATE names them.
        const CHANGEABLE_COLUMNS: [&str; 14] = [
            "user_name", "user_name_norm", "external_id", "active", "state", "source", "roles",
            "person_id", "scim_deleted", "deactivated_at", "delete_after", "version", "updated_at",
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
        fn versioned_write_sql(write: &str, events_first: usize, events: usize) -> String {
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

        async fn insert_events(
            conn: &mut <$db as sqlx::Database>::Connection,
            events: &[NewEvent],
        ) -> StoreResult<()> {
            // One multi-row INSERT per chunk of events.
            const ROWS_PER_STATEMENT: usize = 1000;
            for chunk in events.chunks(ROWS_PER_STATEMENT) {
                let sql = insert_events_sql(1, chunk.len());
                bind_events(sqlx::query(&sql), chunk).execute(&mut *conn).await?;
            }
            Ok(())
        }

        const TOKEN_WITH_ORG_BY_ID: &str = concat!(token_with_org_select!(), "WHERE t.id = $1");
        const TOKEN_WITH_ORG_BY_HASH: &str = concat!(token_with_org_select!(), "WHERE t.token_hash = $1");

        impl $store {
            /// Called after every committed write to `orgs` or `scim_tokens` (see
            /// [`Store::auth_generation`]).
            fn auth_changed(&self) {
                self.auth_epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            }
        }

        #[async_trait::async_trait]
        impl Store for $store {
            fn dialect(&self) -> $crate::scim::filter_sql::Dialect {
                $dialect
            }

            fn is_private(&self) -> bool {
                self.private_database()
            }

            fn auth_generation(&self) -> u64 {
                self.auth_epoch.load(std::sync::atomic::Ordering::Acquire)
            }

            async fn ping(&self) -> StoreResult<()> {
                statement!(self, sqlx::query("SELECT 1"), execute);
                Ok(())
            }

            async fn close(&self) {
                self.write.close().await;
                self.statements.close().await;
                self.after_close();
            }

            async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
                let row = statement!(self, sqlx::query("SELECT value FROM settings WHERE key = $1")
                    .bind(key), fetch_optional);
                Ok(match row {
                    Some(row) => Some(row.try_get("value")?),
                    None => None,
                })
            }

            async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(value)
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn insert_setting_if_absent(&self, key: &str, value: &str) -> StoreResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(value)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_org(&self, org: &Org, domains: &[Domain], events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "INSERT INTO orgs (id, name, federated_authentication, auto_merge, \
                     require_verified_domain, directory_sync_source, scim_connected_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&org.id)
                .bind(&org.name)
                .bind(org.federated_authentication)
                .bind(org.auto_merge)
                .bind(org.require_verified_domain)
                .bind(&org.directory_sync_source)
                .bind(org.scim_connected_at)
                .bind(org.created_at)
                .bind(org.updated_at)
                .execute(&mut *tx)
                .await?;
                for domain in domains {
                    sqlx::query("INSERT INTO domains (org_id, name, verified) VALUES ($1, $2, $3)")
                        .bind(&domain.org_id)
                        .bind(&domain.name)
                        .bind(domain.verified)
                        .execute(&mut *tx)
                        .await?;
                }
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn get_org(&self, id: &str) -> StoreResult<Option<Org>> {
                let row = statement!(self, sqlx::query("SELECT * FROM orgs WHERE id = $1")
                    .bind(id), fetch_optional);
                row.as_ref().map(decode_org).transpose()
            }

            async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
                let rows = statement!(self, sqlx::query("SELECT * FROM orgs ORDER BY created_at, id"), fetch_all);
                rows.iter().map(decode_org).collect()
            }

            async fn update_org(&self, org: &Org, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "UPDATE orgs SET name = $2, federated_authentication = $3, auto_merge = $4, \
                     require_verified_domain = $5, directory_sync_source = $6, scim_connected_at = $7, \
                     updated_at = $8 WHERE id = $1",
                )
                .bind(&org.id)
                .bind(&org.name)
                .bind(org.federated_authentication)
                .bind(org.auto_merge)
                .bind(org.require_verified_domain)
                .bind(&org.directory_sync_source)
                .bind(org.scim_connected_at)
                .bind(org.updated_at)
                .execute(&mut *tx)
                .await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn delete_org(&self, id: &str) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM orgs WHERE id = $1")
                    .bind(id)
                    .execute(&self.write)
                    .await?;
                self.auth_changed();
                Ok(done.rows_affected() > 0)
            }

            async fn list_domains(&self, org_id: &str) -> StoreResult<Vec<Domain>> {
                let rows = statement!(self, sqlx::query("SELECT org_id, name, verified FROM domains WHERE org_id = $1 ORDER BY name")
                    .bind(org_id), fetch_all);
                rows.iter()
                    .map(|row| {
                        Ok(Domain {
                            org_id: row.try_get("org_id")?,
                            name: row.try_get("name")?,
                            verified: row.try_get("verified")?,
                        })
                    })
                    .collect()
            }

            async fn upsert_domain(&self, domain: &Domain) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO domains (org_id, name, verified) VALUES ($1, $2, $3) \
                     ON CONFLICT (org_id, name) DO UPDATE SET verified = excluded.verified",
                )
                .bind(&domain.org_id)
                .bind(&domain.name)
                .bind(domain.verified)
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn delete_domain(&self, org_id: &str, name: &str) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM domains WHERE org_id = $1 AND name = $2")
                    .bind(org_id)
                    .bind(name)
                    .execute(&self.write)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn insert_token(&self, token: &TokenRecord, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "INSERT INTO scim_tokens (id, org_id, token_hash, created_at, expires_at, last_used_at, \
                     revoked_at, expiring_notified, renewed_from) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&token.id)
                .bind(&token.org_id)
                .bind(&token.token_hash)
                .bind(token.created_at)
                .bind(token.expires_at)
                .bind(token.last_used_at)
                .bind(token.revoked_at)
                .bind(token.expiring_notified)
                .bind(&token.renewed_from)
                .execute(&mut *tx)
                .await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn get_token(&self, id: &str) -> StoreResult<Option<TokenRecord>> {
                let row = statement!(self, sqlx::query("SELECT * FROM scim_tokens WHERE id = $1")
                    .bind(id), fetch_optional);
                row.as_ref().map(decode_token).transpose()
            }

            async fn get_token_with_org(&self, key: &str, by_hash: bool) -> StoreResult<Option<(TokenRecord, Org)>> {
                let sql = if by_hash { TOKEN_WITH_ORG_BY_HASH } else { TOKEN_WITH_ORG_BY_ID };
                let row = statement!(self, sqlx::query(sql).bind(key), fetch_optional);
                let Some(row) = row else { return Ok(None) };
                let token = decode_token(&row)?;
                let org = Org {
                    id: row.try_get("o_id")?,
                    name: row.try_get("o_name")?,
                    federated_authentication: row.try_get("o_federated_authentication")?,
                    auto_merge: row.try_get("o_auto_merge")?,
                    require_verified_domain: row.try_get("o_require_verified_domain")?,
                    directory_sync_source: row.try_get("o_directory_sync_source")?,
                    scim_connected_at: row.try_get("o_scim_connected_at")?,
                    created_at: row.try_get("o_created_at")?,
                    updated_at: row.try_get("o_updated_at")?,
                };
                Ok(Some((token, org)))
            }

            async fn touch_token(&self, id: &str, last_used_at: Timestamp, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query("UPDATE scim_tokens SET last_used_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(last_used_at)
                    .execute(&mut *tx)
                    .await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
                let row = statement!(self, sqlx::query("SELECT * FROM scim_tokens WHERE token_hash = $1")
                    .bind(token_hash), fetch_optional);
                row.as_ref().map(decode_token).transpose()
            }

            async fn list_tokens(&self, org_id: &str) -> StoreResult<Vec<TokenRecord>> {
                let rows = statement!(self, sqlx::query("SELECT * FROM scim_tokens WHERE org_id = $1 ORDER BY created_at, id")
                    .bind(org_id), fetch_all);
                rows.iter().map(decode_token).collect()
            }

            async fn update_token(&self, token: &TokenRecord, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "UPDATE scim_tokens SET expires_at = $2, last_used_at = $3, revoked_at = $4, \
                     expiring_notified = $5 WHERE id = $1",
                )
                .bind(&token.id)
                .bind(token.expires_at)
                .bind(token.last_used_at)
                .bind(token.revoked_at)
                .bind(token.expiring_notified)
                .execute(&mut *tx)
                .await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn insert_account(&self, account: &Account, events: &[NewEvent]) -> StoreResult<()> {
                // SQLite commits concurrent inserts together (see `sqlite_batch`).
                if let Some(batcher) = self.write_batcher() {
                    return batcher.insert(account, events).await;
                }
                // PostgreSQL: the account and its events in one round trip, as one statement
                // (a data-modifying CTE is atomic without BEGIN); a POST /Users used to cost
                // five (BEGIN, two INSERTs, COMMIT, and the pool's ping).
                let insert = insert_accounts_sql(1, 1);
                let sql = if events.is_empty() {
                    insert
                } else {
                    format!("WITH inserted AS ({insert} RETURNING id) {}", insert_events_sql(1 + ACCOUNT_PARAMS, events.len()))
                };
                let query = bind_account(sqlx::query(&sql), account)?;
                let query = bind_events(query, events);
                // A single autocommit statement needs no transaction handling, so it runs on the
                // statement pool (see `statement_pool`), sparing the write pool's ping on release.
                statement!(self, query, execute);
                Ok(())
            }

            async fn get_account(&self, org_id: &str, id: &str) -> StoreResult<Option<Account>> {
                let sql = concat!("SELECT ", account_columns!($attrs_out), " FROM accounts a WHERE a.id = $1 AND a.org_id = $2");
                let row = statement!(self, sqlx::query(sql).bind(id).bind(org_id), fetch_optional);
                row.as_ref().map(decode_account).transpose()
            }

            async fn find_account_by_user_name(&self, org_id: &str, user_name_norm: &str) -> StoreResult<Option<Account>> {
                let sql = concat!(
                    "SELECT ",
                    account_columns!($attrs_out),
                    " FROM accounts a WHERE a.org_id = $1 AND a.user_name_norm = $2"
                );
                let row = statement!(self, sqlx::query(sql).bind(org_id).bind(user_name_norm), fetch_optional);
                row.as_ref().map(decode_account).transpose()
            }

            async fn update_account(&self, account: &Account, expected_version: i64, events: &[NewEvent]) -> StoreResult<bool> {
                // SQLite commits concurrent writes together (see `sqlite_batch`).
                if let Some(batcher) = self.write_batcher() {
                    return batcher.update(account, expected_version, events).await;
                }
                let sql = versioned_write_sql(&update_account_sql(1), 1 + UPDATE_PARAMS, events.len());
                let query = bind_events(bind_update(sqlx::query(&sql), account, expected_version)?, events);
                let row = statement!(self, query, fetch_one);
                Ok(row.try_get::<i64, _>("n")? == 1)
            }

            async fn delete_account(&self, org_id: &str, id: &str, expected_version: i64, events: &[NewEvent]) -> StoreResult<bool> {
                if let Some(batcher) = self.write_batcher() {
                    return batcher.delete(org_id, id, expected_version, events).await;
                }
                let sql = versioned_write_sql(&delete_account_sql(1), 1 + DELETE_PARAMS, events.len());
                let query = bind_events(bind_delete(sqlx::query(&sql), org_id, id, expected_version), events);
                let row = statement!(self, query, fetch_one);
                Ok(row.try_get::<i64, _>("n")? == 1)
            }

            async fn refresh_statistics(&self) -> StoreResult<()> {
                let sql: Option<&str> = $refresh_statistics_sql;
                if let Some(sql) = sql {
                    sqlx::query(sql).execute(&self.write).await?;
                }
                Ok(())
            }

            async fn bulk_insert_accounts(&self, accounts: &[Account]) -> StoreResult<()> {
                // Multi-row INSERTs of 1,000 rows (17,000 parameters: under SQLite's 32,766 and
                // PostgreSQL's 65,535). Every full chunk has the same statement text, so it is
                // prepared once and then reused from the connection's statement cache.
                const ROWS_PER_STATEMENT: usize = 1000;
                let insert_sql = |rows: usize| insert_accounts_sql(1, rows);
                let full = insert_sql(ROWS_PER_STATEMENT);
                let mut tx = self.write.begin().await?;
                for chunk in accounts.chunks(ROWS_PER_STATEMENT) {
                    let partial;
                    let sql = if chunk.len() == ROWS_PER_STATEMENT {
                        full.as_str()
                    } else {
                        partial = insert_sql(chunk.len());
                        partial.as_str()
                    };
                    let mut query = sqlx::query(sql);
                    for account in chunk {
                        query = bind_account(query, account)?;
                    }
                    query.execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn delete_accounts_batch(&self, org_id: &str, batch: i64) -> StoreResult<u64> {
                let done = sqlx::query(
                    "DELETE FROM accounts WHERE id IN (SELECT id FROM accounts WHERE org_id = $1 LIMIT $2)",
                )
                .bind(org_id)
                .bind(batch)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected())
            }

            async fn delete_events(&self, org_id: &str) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM activity WHERE org_id = $1")
                    .bind(org_id)
                    .execute(&self.write)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn convert_scim_accounts_to_manual(&self, org_id: &str, now: Timestamp) -> StoreResult<u64> {
                // A conflicting (unlinked) account has no IdP link left either: it becomes manual too.
                let done = sqlx::query(
                    "UPDATE accounts SET source = 'manual', scim_deleted = FALSE, \
                     state = CASE WHEN state = 'conflict' THEN (CASE WHEN active THEN 'active' ELSE 'inactive' END) ELSE state END, \
                     version = version + 1, updated_at = $2 WHERE org_id = $1 AND source = 'scim'",
                )
                .bind(org_id)
                .bind(now)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected())
            }

            async fn query_accounts(&self, query: &AccountQuery) -> StoreResult<AccountPage> {
                // `count=0` asks for totalResults only: no rows to fetch.
                let accounts = if query.limit > 0 {
                    let sql = query.page_sql(account_columns!($attrs_out));
                    let page = bind_params(sqlx::query(&sql).bind(&query.org_id), &query.condition.params)
                        .bind(query.limit)
                        .bind(query.offset);
                    let rows = statement!(self, bind_key(page, query), fetch_all);
                    rows.iter().map(decode_account).collect::<StoreResult<Vec<_>>>()?
                } else {
                    Vec::new()
                };
                // A page that is not full, and not past the end, holds the last matching rows:
                // the count is known without counting (a `userName eq` lookup then costs one
                // statement instead of two).
                let fetched = accounts.len() as i64;
                let total = if query.count_total
                    && query.limit > 0
                    && fetched < query.limit
                    && (query.offset == 0 || fetched > 0)
                {
                    Some(query.offset + fetched)
                } else if query.count_total {
                    let sql = query.count_sql();
                    let count = bind_params(sqlx::query(&sql).bind(&query.org_id), &query.condition.params);
                    let row = statement!(self, bind_key(count, query), fetch_one);
                    Some(row.try_get::<i64, _>("n")?)
                } else {
                    None
                };
                Ok(AccountPage { accounts, total })
            }

            async fn reap_inactive(&self, deactivated_before: Timestamp, batch: i64, now: Timestamp, keep: usize) -> StoreResult<Reaped> {
                // `$reap_sql` claims the batch, records its events and deletes it inside the
                // database, then returns the first `$4` deleted rows, each with the batch's
                // size in `reaped` (at least one row is asked for, so that the size comes back).
                let mut tx = self.write.begin().await?;
                let rows = sqlx::query($reap_sql)
                    .bind(deactivated_before)
                    .bind(batch)
                    .bind(now)
                    .bind(i64::try_from(keep.max(1)).unwrap_or(i64::MAX))
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                let count = match rows.first() {
                    Some(row) => u64::try_from(row.try_get::<i64, _>("reaped")?).unwrap_or(0),
                    None => 0,
                };
                let accounts = rows.iter().take(keep).map(decode_account).collect::<StoreResult<Vec<_>>>()?;
                Ok(Reaped { count, accounts })
            }

            async fn list_reapable(&self, deactivated_before: Timestamp, limit: i64) -> StoreResult<Vec<Account>> {
                let sql = concat!(
                    "SELECT ",
                    account_columns!($attrs_out),
                    " FROM accounts a WHERE a.state = 'inactive' AND a.deactivated_at <= $1 \
                     ORDER BY a.deactivated_at, a.id LIMIT $2"
                );
                let rows = statement!(self, sqlx::query(sql).bind(deactivated_before).bind(limit), fetch_all);
                rows.iter().map(decode_account).collect()
            }

            async fn count_reapable(&self, deactivated_before: Timestamp) -> StoreResult<u64> {
                let sql = "SELECT COUNT(*) AS n FROM accounts WHERE state = 'inactive' AND deactivated_at <= $1";
                let row = statement!(self, sqlx::query(sql).bind(deactivated_before), fetch_one);
                Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
            }

            async fn append_events(&self, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_events(&self, org_id: &str, since: i64, kind: Option<&str>, limit: i64) -> StoreResult<Vec<Event>> {
                let rows = statement!(self, sqlx::query(
                    "SELECT * FROM activity WHERE org_id = $1 AND seq > $2 AND (CAST($3 AS TEXT) IS NULL OR kind = $3) \
                     ORDER BY seq LIMIT $4",
                )
                .bind(org_id)
                .bind(since)
                .bind(kind)
                .bind(limit), fetch_all);
                rows.iter().map(decode_event).collect()
            }
        }
    };
}
pub(crate) use impl_sql_store;
