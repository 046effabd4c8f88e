//! The `oauth_clients` and `oauth_secrets` tables: an organization's OAuth 2 client and its
//! client secrets (issue 14).

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses): the
/// methods below are inherent methods of the engine's store, which its [`Store`] impl calls.
/// Every write that can revoke or change what authorises a request moves the auth generation
/// on (`auth_changed`), as token writes do.
///
/// [`Store`]: crate::store::Store
macro_rules! oauth_client_methods {
    (
        store = $store:ty,
        db = $db:ty,
    ) => {
        const OAUTH_SECRET_WITH_ORG: &str = concat!(
            "SELECT s.*, ",
            prefixed_org_columns!(),
            "FROM oauth_secrets s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1"
        );

        fn decode_oauth_client(row: &<$db as sqlx::Database>::Row) -> StoreResult<OAuthClient> {
            let uris: String = row.try_get("redirect_uris")?;
            Ok(OAuthClient {
                id: row.try_get("id")?,
                org_id: row.try_get("org_id")?,
                name: row.try_get("name")?,
                redirect_uris: serde_json::from_str(&uris)?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        fn decode_oauth_secret(row: &<$db as sqlx::Database>::Row) -> StoreResult<OAuthSecret> {
            Ok(OAuthSecret {
                id: row.try_get("id")?,
                client_id: row.try_get("client_id")?,
                org_id: row.try_get("org_id")?,
                secret_hash: row.try_get("secret_hash")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
                last_used_at: row.try_get("last_used_at")?,
                revoked_at: row.try_get("revoked_at")?,
                expiring_notified: row.try_get("expiring_notified")?,
                expired_notified: row.try_get("expired_notified")?,
            })
        }

        /// Inserts a secret row (inside the caller's transaction).
        async fn insert_oauth_secret_row(
            conn: &mut <$db as sqlx::Database>::Connection,
            secret: &OAuthSecret,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO oauth_secrets (id, client_id, org_id, secret_hash, created_at, expires_at, \
                 last_used_at, revoked_at, expiring_notified, expired_notified) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&secret.id)
            .bind(&secret.client_id)
            .bind(&secret.org_id)
            .bind(&secret.secret_hash)
            .bind(secret.created_at)
            .bind(secret.expires_at)
            .bind(secret.last_used_at)
            .bind(secret.revoked_at)
            .bind(secret.expiring_notified)
            .bind(secret.expired_notified)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        impl $store {
            async fn insert_oauth_client(
                &self,
                client: &OAuthClient,
                secret: &OAuthSecret,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                let uris = serde_json::to_string(&client.redirect_uris)?;
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "INSERT INTO oauth_clients (id, org_id, name, redirect_uris, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&client.id)
                .bind(&client.org_id)
                .bind(&client.name)
                .bind(uris)
                .bind(client.created_at)
                .bind(client.updated_at)
                .execute(&mut *tx)
                .await?;
                insert_oauth_secret_row(&mut *tx, secret).await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn get_oauth_client(&self, client_id: &str) -> StoreResult<Option<OAuthClient>> {
                let row = statement!(self, sqlx::query("SELECT * FROM oauth_clients WHERE id = $1")
                    .bind(client_id), fetch_optional);
                row.as_ref().map(decode_oauth_client).transpose()
            }

            async fn get_org_oauth_client(&self, org_id: &str) -> StoreResult<Option<OAuthClient>> {
                let row = statement!(self, sqlx::query("SELECT * FROM oauth_clients WHERE org_id = $1")
                    .bind(org_id), fetch_optional);
                row.as_ref().map(decode_oauth_client).transpose()
            }

            async fn update_oauth_client(&self, client: &OAuthClient, events: &[NewEvent]) -> StoreResult<()> {
                let uris = serde_json::to_string(&client.redirect_uris)?;
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "UPDATE oauth_clients SET name = $2, redirect_uris = $3, updated_at = $4 WHERE id = $1",
                )
                .bind(&client.id)
                .bind(&client.name)
                .bind(uris)
                .bind(client.updated_at)
                .execute(&mut *tx)
                .await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn delete_oauth_client(&self, client_id: &str, events: &[NewEvent]) -> StoreResult<bool> {
                let mut tx = self.write.begin().await?;
                // Secrets, codes, grants and refresh tokens go with it (ON DELETE CASCADE).
                let done = sqlx::query("DELETE FROM oauth_clients WHERE id = $1")
                    .bind(client_id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(true)
            }

            async fn insert_oauth_secret(&self, secret: &OAuthSecret, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                insert_oauth_secret_row(&mut *tx, secret).await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn list_oauth_secrets(&self, org_id: &str) -> StoreResult<Vec<OAuthSecret>> {
                let rows = statement!(self, sqlx::query(
                    "SELECT * FROM oauth_secrets WHERE org_id = $1 ORDER BY created_at, id",
                )
                .bind(org_id), fetch_all);
                rows.iter().map(decode_oauth_secret).collect()
            }

            async fn get_oauth_secret_with_org(&self, id: &str) -> StoreResult<Option<(OAuthSecret, Org)>> {
                let row = statement!(self, sqlx::query(OAUTH_SECRET_WITH_ORG).bind(id), fetch_optional);
                let Some(row) = row else { return Ok(None) };
                Ok(Some((decode_oauth_secret(&row)?, decode_prefixed_org(&row)?)))
            }

            async fn update_oauth_secret_notes(&self, secret: &OAuthSecret, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "UPDATE oauth_secrets SET expiring_notified = $2, expired_notified = $3 WHERE id = $1",
                )
                .bind(&secret.id)
                .bind(secret.expiring_notified)
                .bind(secret.expired_notified)
                .execute(&mut *tx)
                .await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn revoke_oauth_secrets(&self, ids: &[String], at: Timestamp, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                for id in ids {
                    sqlx::query("UPDATE oauth_secrets SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                        .bind(id)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    // Every grant the secret last authenticated goes with it, and so do the
                    // refresh and access tokens of those grants.
                    sqlx::query("UPDATE oauth_grants SET revoked_at = $2 WHERE secret_id = $1 AND revoked_at IS NULL")
                        .bind(id)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn touch_oauth_secret(&self, id: &str, last_used_at: Timestamp, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query("UPDATE oauth_secrets SET last_used_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(last_used_at)
                    .execute(&mut *tx)
                    .await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use oauth_client_methods;
