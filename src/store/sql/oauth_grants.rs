//! The `oauth_codes`, `oauth_grants` and `oauth_refresh_tokens` tables: what the authorization
//! server hands out (issue 14).

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses): the
/// methods below are inherent methods of the engine's store, which its [`Store`] impl calls.
///
/// [`Store`]: crate::store::Store
macro_rules! oauth_grant_methods {
    (
        store = $store:ty,
        db = $db:ty,
    ) => {
        const OAUTH_REFRESH_WITH_GRANT: &str =
            "SELECT r.id AS r_id, r.token_hash AS r_token_hash, r.grant_id AS r_grant_id, \
             r.created_at AS r_created_at, r.replaced_at AS r_replaced_at, g.* \
             FROM oauth_refresh_tokens r JOIN oauth_grants g ON g.id = r.grant_id WHERE r.id = $1";

        /// Codes that expired longer ago than this are deleted when their client gets a new one
        /// (a code used after expiry is refused either way).
        const OAUTH_CODE_KEEP: std::time::Duration = std::time::Duration::from_secs(86_400);

        fn decode_oauth_code(row: &<$db as sqlx::Database>::Row) -> StoreResult<OAuthCode> {
            Ok(OAuthCode {
                id: row.try_get("id")?,
                code_hash: row.try_get("code_hash")?,
                client_id: row.try_get("client_id")?,
                org_id: row.try_get("org_id")?,
                redirect_uri: row.try_get("redirect_uri")?,
                code_challenge: row.try_get("code_challenge")?,
                code_challenge_method: row.try_get("code_challenge_method")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
                used_at: row.try_get("used_at")?,
                grant_id: row.try_get("grant_id")?,
            })
        }

        fn decode_oauth_grant(row: &<$db as sqlx::Database>::Row) -> StoreResult<OAuthGrant> {
            Ok(OAuthGrant {
                id: row.try_get("id")?,
                client_id: row.try_get("client_id")?,
                org_id: row.try_get("org_id")?,
                secret_id: row.try_get("secret_id")?,
                created_at: row.try_get("created_at")?,
                refreshed_at: row.try_get("refreshed_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        }

        async fn insert_oauth_grant_rows(
            conn: &mut <$db as sqlx::Database>::Connection,
            grant: &OAuthGrant,
            refresh: Option<&OAuthRefreshToken>,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO oauth_grants (id, client_id, org_id, secret_id, created_at, refreshed_at, revoked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&grant.id)
            .bind(&grant.client_id)
            .bind(&grant.org_id)
            .bind(&grant.secret_id)
            .bind(grant.created_at)
            .bind(grant.refreshed_at)
            .bind(grant.revoked_at)
            .execute(&mut *conn)
            .await?;
            if let Some(refresh) = refresh {
                insert_oauth_refresh_row(conn, refresh).await?;
            }
            Ok(())
        }

        async fn insert_oauth_refresh_row(
            conn: &mut <$db as sqlx::Database>::Connection,
            refresh: &OAuthRefreshToken,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO oauth_refresh_tokens (id, token_hash, grant_id, created_at, replaced_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&refresh.id)
            .bind(&refresh.token_hash)
            .bind(&refresh.grant_id)
            .bind(refresh.created_at)
            .bind(refresh.replaced_at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        impl $store {
            async fn insert_oauth_code(&self, code: &OAuthCode, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query("DELETE FROM oauth_codes WHERE client_id = $1 AND expires_at < $2")
                    .bind(&code.client_id)
                    .bind(code.created_at.saturating_sub(OAUTH_CODE_KEEP))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO oauth_codes (id, code_hash, client_id, org_id, redirect_uri, code_challenge, \
                     code_challenge_method, created_at, expires_at, used_at, grant_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&code.id)
                .bind(&code.code_hash)
                .bind(&code.client_id)
                .bind(&code.org_id)
                .bind(&code.redirect_uri)
                .bind(&code.code_challenge)
                .bind(code.code_challenge_method)
                .bind(code.created_at)
                .bind(code.expires_at)
                .bind(code.used_at)
                .bind(&code.grant_id)
                .execute(&mut *tx)
                .await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_oauth_code(&self, id: &str) -> StoreResult<Option<OAuthCode>> {
                let row = statement!(self, sqlx::query("SELECT * FROM oauth_codes WHERE id = $1")
                    .bind(id), fetch_optional);
                row.as_ref().map(decode_oauth_code).transpose()
            }

            async fn redeem_oauth_code(
                &self,
                code_id: &str,
                at: Timestamp,
                grant: &OAuthGrant,
                refresh: &OAuthRefreshToken,
                events: &[NewEvent],
            ) -> StoreResult<bool> {
                let mut tx = self.write.begin().await?;
                // The code is claimed and its grant created in one transaction: whoever sees
                // it used also finds the grant to revoke.
                let claimed = sqlx::query(
                    "UPDATE oauth_codes SET used_at = $2, grant_id = $3 WHERE id = $1 AND used_at IS NULL",
                )
                .bind(code_id)
                .bind(at)
                .bind(&grant.id)
                .execute(&mut *tx)
                .await?;
                if claimed.rows_affected() == 0 {
                    return Ok(false);
                }
                insert_oauth_grant_rows(&mut *tx, grant, Some(refresh)).await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn insert_oauth_grant(&self, grant: &OAuthGrant, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                insert_oauth_grant_rows(&mut *tx, grant, None).await?;
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_oauth_grant(&self, id: &str) -> StoreResult<Option<OAuthGrant>> {
                let row = statement!(self, sqlx::query("SELECT * FROM oauth_grants WHERE id = $1")
                    .bind(id), fetch_optional);
                row.as_ref().map(decode_oauth_grant).transpose()
            }

            async fn get_oauth_refresh_token(&self, id: &str) -> StoreResult<Option<(OAuthRefreshToken, OAuthGrant)>> {
                let row = statement!(self, sqlx::query(OAUTH_REFRESH_WITH_GRANT).bind(id), fetch_optional);
                let Some(row) = row else { return Ok(None) };
                let refresh = OAuthRefreshToken {
                    id: row.try_get("r_id")?,
                    token_hash: row.try_get("r_token_hash")?,
                    grant_id: row.try_get("r_grant_id")?,
                    created_at: row.try_get("r_created_at")?,
                    replaced_at: row.try_get("r_replaced_at")?,
                };
                Ok(Some((refresh, decode_oauth_grant(&row)?)))
            }

            async fn refresh_oauth_grant(
                &self,
                grant: &OAuthGrant,
                rotation: Option<(&str, &OAuthRefreshToken)>,
                events: &[NewEvent],
            ) -> StoreResult<bool> {
                let mut tx = self.write.begin().await?;
                if let Some((old_id, new)) = rotation {
                    // Only one refresh can replace a refresh token; the loser sees it replaced.
                    let replaced = sqlx::query(
                        "UPDATE oauth_refresh_tokens SET replaced_at = $2 WHERE id = $1 AND replaced_at IS NULL",
                    )
                    .bind(old_id)
                    .bind(new.created_at)
                    .execute(&mut *tx)
                    .await?;
                    if replaced.rows_affected() == 0 {
                        return Ok(false);
                    }
                    insert_oauth_refresh_row(&mut *tx, new).await?;
                }
                let updated = sqlx::query(
                    "UPDATE oauth_grants SET secret_id = $2, refreshed_at = $3 WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(&grant.id)
                .bind(&grant.secret_id)
                .bind(grant.refreshed_at)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() == 0 {
                    return Ok(false);
                }
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn revoke_oauth_grant(&self, id: &str, at: Timestamp, events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query("UPDATE oauth_grants SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                    .bind(id)
                    .bind(at)
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
pub(crate) use oauth_grant_methods;
