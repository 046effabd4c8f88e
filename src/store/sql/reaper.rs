//! The reaper's statements: an organization's accounts deactivated longer than its retention,
//! counted, listed and deleted in batches (the batch's own SQL, `REAP_SQL`, is each engine's).

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses): the
/// methods below are inherent methods of the engine's store, which its [`Store`] impl calls.
///
/// [`Store`]: crate::store::Store
macro_rules! reaper_methods {
    (
        store = $store:ty,
        attrs_out = $attrs_out:literal,
        reap_sql = $reap_sql:expr,
    ) => {
        impl $store {
            async fn reap_inactive(&self, org_id: &str, deactivated_before: Timestamp, batch: i64, now: Timestamp, keep: usize) -> StoreResult<Reaped> {
                // `$reap_sql` claims the batch, records its events and deletes it inside the
                // database, then returns the first `$4` deleted rows, each with the batch's
                // size in `reaped` (at least one row is asked for, so that the size comes back).
                let mut tx = self.write.begin().await?;
                let rows = sqlx::query($reap_sql)
                    .bind(deactivated_before)
                    .bind(batch)
                    .bind(now)
                    .bind(i64::try_from(keep.max(1)).unwrap_or(i64::MAX))
                    .bind(org_id)
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

            async fn list_reapable(&self, org_id: &str, deactivated_before: Timestamp, limit: i64) -> StoreResult<Vec<Account>> {
                let sql = concat!(
                    "SELECT ",
                    account_columns!($attrs_out),
                    " FROM accounts a WHERE a.org_id = $3 AND a.state = 'inactive' AND a.deactivated_at <= $1 \
                     ORDER BY a.deactivated_at, a.id LIMIT $2"
                );
                let rows = statement!(self, sqlx::query(sql).bind(deactivated_before).bind(limit).bind(org_id), fetch_all);
                rows.iter().map(decode_account).collect()
            }

            async fn count_reapable(&self, org_id: &str, deactivated_before: Timestamp) -> StoreResult<u64> {
                let sql = "SELECT COUNT(*) AS n FROM accounts WHERE org_id = $2 AND state = 'inactive' AND deactivated_at <= $1";
                let row = statement!(self, sqlx::query(sql).bind(deactivated_before).bind(org_id), fetch_one);
                Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
            }
        }
    };
}
pub(crate) use reaper_methods;
