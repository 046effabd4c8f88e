//! The `orgs` and `domains` tables: organizations and their domains.

/// Expanded by [`super::impl_sql_store!`] in an engine's module (whose imports it uses): the
/// methods below are inherent methods of the engine's store, which its [`Store`] impl calls.
///
/// [`Store`]: crate::store::Store
macro_rules! org_methods {
    (
        store = $store:ty,
    ) => {
        impl $store {
            async fn insert_org(&self, org: &Org, domains: &[Domain], events: &[NewEvent]) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "INSERT INTO orgs (id, name, federated_authentication, auto_merge, \
                     require_verified_domain, directory_sync_source, scim_connected_at, created_at, updated_at, \
                     oauth_client_credentials, kind, sis_connected, retention_days) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
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
                .bind(org.oauth_client_credentials)
                .bind(org.kind)
                .bind(org.sis_connected)
                .bind(org.retention_days.map(i64::from))
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
                self.update_org_restamping(org, events, None).await
            }

            /// Writes the organization; with `restamp`, also moves the deletion date of each of
            /// its deactivated accounts to its deactivation plus that retention, in the same
            /// transaction (the reaper itself goes by the organization's retention).
            async fn update_org_restamping(&self, org: &Org, events: &[NewEvent], restamp: Option<std::time::Duration>) -> StoreResult<()> {
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "UPDATE orgs SET name = $2, federated_authentication = $3, auto_merge = $4, \
                     require_verified_domain = $5, directory_sync_source = $6, scim_connected_at = $7, \
                     updated_at = $8, oauth_client_credentials = $9, sis_connected = $10, \
                     retention_days = $11 WHERE id = $1",
                )
                .bind(&org.id)
                .bind(&org.name)
                .bind(org.federated_authentication)
                .bind(org.auto_merge)
                .bind(org.require_verified_domain)
                .bind(&org.directory_sync_source)
                .bind(org.scim_connected_at)
                .bind(org.updated_at)
                .bind(org.oauth_client_credentials)
                .bind(org.sis_connected)
                .bind(org.retention_days.map(i64::from))
                .execute(&mut *tx)
                .await?;
                if let Some(retention) = restamp {
                    let retention = i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
                    sqlx::query(
                        "UPDATE accounts SET delete_after = CASE WHEN deactivated_at > $3 - $2 \
                         THEN $3 ELSE deactivated_at + $2 END \
                         WHERE org_id = $1 AND deactivated_at IS NOT NULL",
                    )
                    .bind(&org.id)
                    .bind(retention)
                    .bind(Timestamp::MAX)
                    .execute(&mut *tx)
                    .await?;
                }
                insert_events(&mut *tx, events).await?;
                tx.commit().await?;
                self.auth_changed();
                Ok(())
            }

            async fn delete_org(&self, id: &str) -> StoreResult<bool> {
                // The journal has no foreign key (see migration 0008).
                sqlx::query("DELETE FROM journal WHERE org_id = $1")
                    .bind(id)
                    .execute(&self.write)
                    .await?;
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
        }
    };
}
pub(crate) use org_methods;
