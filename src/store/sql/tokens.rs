//! The `scim_tokens` table: SCIM bearer tokens, alone or with their organization.

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses): the
/// methods below are inherent methods of the engine's store, which its [`Store`] impl calls.
///
/// [`Store`]: crate::store::Store
macro_rules! token_methods {
    (
        store = $store:ty,
    ) => {
        const TOKEN_WITH_ORG_BY_ID: &str = concat!(token_with_org_select!(), "WHERE t.id = $1");
        const TOKEN_WITH_ORG_BY_HASH: &str = concat!(token_with_org_select!(), "WHERE t.token_hash = $1");

        impl $store {
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
                let org = decode_prefixed_org(&row)?;
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
        }
    };
}
pub(crate) use token_methods;
