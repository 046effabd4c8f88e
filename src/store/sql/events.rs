//! The `activity` table: the events every write records, read back by the activity API.

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses): the
/// methods below are inherent methods of the engine's store, which its [`Store`] impl calls.
///
/// [`Store`]: crate::store::Store
macro_rules! event_methods {
    (
        store = $store:ty,
        db = $db:ty,
    ) => {
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

        impl $store {
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

            async fn delete_events(&self, org_id: &str) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM activity WHERE org_id = $1")
                    .bind(org_id)
                    .execute(&self.write)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
pub(crate) use event_methods;
