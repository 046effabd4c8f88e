//! The `accounts` table: single-account reads and versioned writes, bulk loads and
//! organization-wide changes, and filtered pages (`GET /Users`).

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses): the
/// methods below are inherent methods of the engine's store, which its [`Store`] impl calls.
///
/// [`Store`]: crate::store::Store
macro_rules! account_methods {
    (
        store = $store:ty,
        attrs_out = $attrs_out:literal,
        refresh_statistics_sql = $refresh_statistics_sql:expr,
    ) => {
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

        impl $store {
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
        }
    };
}
pub(crate) use account_methods;
