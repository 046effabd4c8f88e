//! Rows to records: the decoders of account, organization, token and event rows (the OAuth
//! rows' decoders sit with their statements, in `oauth_clients` and `oauth_grants`).

/// Defines `decode_account`, `decode_org` (and `decode_prefixed_org`), `decode_token` and
/// `decode_event` for rows of engine
/// `$db`, in the engine's module (expanded by [`super::impl_sql_store!`], whose imports it uses).
macro_rules! row_decoders {
    (db = $db:ty $(,)?) => {
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
                grade_level: row.try_get("grade_level")?,
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
                oauth_client_credentials: row.try_get("oauth_client_credentials")?,
                kind: row.try_get("kind")?,
                sis_connected: row.try_get("sis_connected")?,
                retention_days: decode_retention_days(row.try_get("retention_days")?)?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        /// The organization of a join (columns of `prefixed_org_columns!`).
        fn decode_prefixed_org(row: &<$db as sqlx::Database>::Row) -> StoreResult<Org> {
            Ok(Org {
                id: row.try_get("o_id")?,
                name: row.try_get("o_name")?,
                federated_authentication: row.try_get("o_federated_authentication")?,
                auto_merge: row.try_get("o_auto_merge")?,
                require_verified_domain: row.try_get("o_require_verified_domain")?,
                directory_sync_source: row.try_get("o_directory_sync_source")?,
                scim_connected_at: row.try_get("o_scim_connected_at")?,
                oauth_client_credentials: row.try_get("o_oauth_client_credentials")?,
                kind: row.try_get("o_kind")?,
                sis_connected: row.try_get("o_sis_connected")?,
                retention_days: decode_retention_days(row.try_get("o_retention_days")?)?,
                created_at: row.try_get("o_created_at")?,
                updated_at: row.try_get("o_updated_at")?,
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
    };
}
pub(crate) use row_decoders;
