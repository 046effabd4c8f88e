//! The `settings` table: key/value pairs (the JWT secret, the admin token's hash, the manual
//! clock...).

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses): the
/// methods below are inherent methods of the engine's store, which its [`Store`] impl calls.
///
/// [`Store`]: crate::store::Store
macro_rules! settings_methods {
    (
        store = $store:ty,
    ) => {
        impl $store {
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
        }
    };
}
pub(crate) use settings_methods;
