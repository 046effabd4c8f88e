//! The `journal` and `fault_rules` tables and the figures `/metrics` reads (issue 16).

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses):
/// implements [`HarnessStore`] for the engine's store. The engine provides
/// `engine_pool_stats()`, `engine_watch_changes()` and `engine_changes_connected()`;
/// `journal_lock` is a statement run first in every journal write (PostgreSQL: an advisory
/// lock, so that `seq` order is commit order across processes and a reader polling with
/// `since` never skips an entry committed late with a lower `seq`).
///
/// [`HarnessStore`]: crate::store::HarnessStore
macro_rules! harness_methods {
    (
        store = $store:ty,
        db = $db:ty,
        journal_lock = $journal_lock:expr,
    ) => {
        /// Rows per multi-row INSERT: 15 parameters each, far below both engines' limits.
        const JOURNAL_ROWS_PER_STATEMENT: usize = 400;

        const JOURNAL_COLUMNS: &str = "seq, org_id, at, method, path, query, status, token_id, \
             latency_ms, request_headers, request_body, response_body, dialect, fault, \
             dropped_before";

        fn decode_journal_row(row: &<$db as sqlx::Database>::Row) -> StoreResult<JournalRow> {
            Ok(JournalRow {
                seq: row.try_get("seq")?,
                org_id: row.try_get("org_id")?,
                at: row.try_get("at")?,
                method: row.try_get("method")?,
                path: row.try_get("path")?,
                query: row.try_get("query")?,
                status: row.try_get("status")?,
                token_id: row.try_get("token_id")?,
                latency_ms: row.try_get("latency_ms")?,
                request_headers: row.try_get("request_headers")?,
                request_body: row.try_get("request_body")?,
                response_body: row.try_get("response_body")?,
                dialect: row.try_get("dialect")?,
                fault: row.try_get("fault")?,
                dropped_before: row.try_get("dropped_before")?,
            })
        }

        #[async_trait::async_trait]
        impl HarnessStore for $store {
            async fn append_journal(
                &self,
                rows: &[JournalRow],
                trim: &[String],
                bounds: JournalBounds,
            ) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                if let Some(lock) = $journal_lock {
                    sqlx::query(lock).execute(&mut *tx).await?;
                }
                for chunk in rows.chunks(JOURNAL_ROWS_PER_STATEMENT) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO journal (org_id, at, method, path, query, status, token_id, \
                         latency_ms, request_headers, request_body, response_body, dialect, \
                         fault, dropped_before, body_bytes) ",
                    );
                    insert.push_values(chunk, |mut values, row| {
                        values
                            .push_bind(row.org_id.clone())
                            .push_bind(row.at)
                            .push_bind(row.method.clone())
                            .push_bind(row.path.clone())
                            .push_bind(row.query.clone())
                            .push_bind(row.status)
                            .push_bind(row.token_id.clone())
                            .push_bind(row.latency_ms)
                            .push_bind(row.request_headers.clone())
                            .push_bind(row.request_body.clone())
                            .push_bind(row.response_body.clone())
                            .push_bind(row.dialect.clone())
                            .push_bind(row.fault.clone())
                            .push_bind(row.dropped_before)
                            .push_bind(row.body_bytes());
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                for org_id in trim {
                    // Beyond the entry capacity, then beyond the body budget (summed newest
                    // first), the oldest go.
                    sqlx::query(
                        "DELETE FROM journal WHERE org_id = $1 AND seq <= (SELECT seq FROM journal \
                         WHERE org_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)",
                    )
                    .bind(org_id)
                    .bind(bounds.entries)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "DELETE FROM journal WHERE org_id = $1 AND seq <= (SELECT MAX(seq) FROM \
                         (SELECT seq, SUM(body_bytes) OVER (ORDER BY seq DESC) AS total \
                         FROM journal WHERE org_id = $1) AS newest WHERE total > $2)",
                    )
                    .bind(org_id)
                    .bind(bounds.body_bytes)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn list_journal(
                &self,
                org_id: &str,
                filter: &JournalFilter,
            ) -> StoreResult<Vec<JournalRow>> {
                let sql = format!(
                    "SELECT * FROM (SELECT {JOURNAL_COLUMNS} FROM journal WHERE org_id = $1 \
                     AND seq > $2 \
                     AND (CAST($3 AS TEXT) IS NULL OR UPPER(method) = UPPER($3)) \
                     AND (CAST($4 AS TEXT) IS NULL OR substr(path, 1, length($4)) = $4) \
                     AND (CAST($5 AS INTEGER) IS NULL OR status = $5) \
                     ORDER BY seq DESC LIMIT $6) AS newest ORDER BY seq"
                );
                let rows = statement!(self, sqlx::query(&sql)
                    .bind(org_id)
                    .bind(filter.since)
                    .bind(filter.method.as_deref())
                    .bind(filter.path_prefix.as_deref())
                    .bind(filter.status)
                    .bind(filter.limit), fetch_all);
                rows.iter().map(decode_journal_row).collect()
            }

            async fn latest_journal_seq(&self, org_id: &str) -> StoreResult<i64> {
                let row = statement!(self, sqlx::query(
                    "SELECT COALESCE(MAX(seq), 0) AS seq FROM journal WHERE org_id = $1",
                )
                .bind(org_id), fetch_one);
                Ok(row.try_get("seq")?)
            }

            async fn clear_journal(&self, org_id: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM journal WHERE org_id = $1")
                    .bind(org_id)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn put_fault_rules(&self, org_id: &str, rules: &[FaultRow]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query("DELETE FROM fault_rules WHERE org_id = $1")
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?;
                for rule in rules {
                    sqlx::query(
                        "INSERT INTO fault_rules (org_id, position, rule, remaining) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(org_id)
                    .bind(rule.position)
                    .bind(&rule.rule)
                    .bind(rule.remaining)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn list_fault_rules(&self, org_id: &str) -> StoreResult<Vec<FaultRow>> {
                let rows = statement!(self, sqlx::query(
                    "SELECT position, rule, remaining FROM fault_rules WHERE org_id = $1 \
                     ORDER BY position",
                )
                .bind(org_id), fetch_all);
                rows.iter()
                    .map(|row| {
                        Ok(FaultRow {
                            position: row.try_get("position")?,
                            rule: row.try_get("rule")?,
                            remaining: row.try_get("remaining")?,
                        })
                    })
                    .collect()
            }

            async fn consume_fault(&self, org_id: &str, position: i64) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE fault_rules SET remaining = remaining - 1 \
                     WHERE org_id = $1 AND position = $2 AND remaining > 0",
                )
                .bind(org_id)
                .bind(position)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn account_census(&self) -> StoreResult<Vec<AccountCensus>> {
                let rows = statement!(self, sqlx::query(
                    "SELECT org_id, state, source, COUNT(*) AS n FROM accounts \
                     GROUP BY org_id, state, source",
                ), fetch_all);
                rows.iter()
                    .map(|row| {
                        Ok(AccountCensus {
                            org_id: row.try_get("org_id")?,
                            state: row.try_get("state")?,
                            source: row.try_get("source")?,
                            count: row.try_get("n")?,
                        })
                    })
                    .collect()
            }

            async fn credential_expiries(
                &self,
                now: Timestamp,
                soon: Timestamp,
            ) -> StoreResult<Vec<CredentialExpiry>> {
                let rows = statement!(self, sqlx::query(
                    "SELECT org_id, kind, MIN(expires_at) AS earliest, \
                     SUM(CASE WHEN expires_at <= $2 THEN 1 ELSE 0 END) AS expiring FROM ( \
                     SELECT org_id, CAST('scim_token' AS TEXT) AS kind, expires_at FROM scim_tokens \
                     WHERE revoked_at IS NULL AND expires_at > $1 \
                     UNION ALL SELECT org_id, CAST('oauth_secret' AS TEXT) AS kind, expires_at \
                     FROM oauth_secrets WHERE revoked_at IS NULL AND expires_at > $1) AS live \
                     GROUP BY org_id, kind",
                )
                .bind(now)
                .bind(soon), fetch_all);
                rows.iter()
                    .map(|row| {
                        Ok(CredentialExpiry {
                            org_id: row.try_get("org_id")?,
                            kind: row.try_get("kind")?,
                            earliest: row.try_get("earliest")?,
                            expiring: row.try_get("expiring")?,
                        })
                    })
                    .collect()
            }

            fn pool_stats(&self) -> Vec<PoolStats> {
                self.engine_pool_stats()
            }

            fn watch_changes(&self) -> Option<tokio::sync::broadcast::Receiver<Change>> {
                self.engine_watch_changes()
            }

            fn changes_connected(&self) -> Option<bool> {
                self.engine_changes_connected()
            }
        }
    };
}
pub(crate) use harness_methods;
