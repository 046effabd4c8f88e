//! A whole store for one engine: [`impl_sql_store!`].

/// Implements [`Store`] for a struct with a `write` pool and a `statements` pool of engine
/// `$db`, in the engine's module: the row decoders and each aggregate's methods (settings,
/// organizations and domains, tokens, accounts, events, the reaper) are expanded there as
/// inherent methods of the store, over the write statements of the engine's `$statements`
/// module (see [`super::builders`]), and the [`Store`] impl calls them.
///
/// The engine's store provides `write_batcher()`, `private_database()` and `after_close()`.
///
/// [`Store`]: crate::store::Store
macro_rules! impl_sql_store {
    (
        store = $store:ty,
        db = $db:ty,
        dialect = $dialect:expr,
        statements = $statements:ident,
        attrs_out = $attrs_out:literal,
        reap_sql = $reap_sql:expr,
        refresh_statistics_sql = $refresh_statistics_sql:expr,
        journal_lock = $journal_lock:expr,
    ) => {
        use sqlx::Row as _;
        use $crate::scim::filter_sql::SqlParam;
        use $crate::store::sql::{
            account_columns, decode_json_columns, decode_retention_days, prefixed_org_columns,
            token_with_org_select,
        };
        use $crate::store::statement_pool::statement;
        use $crate::store::$statements::*;
        use $crate::store::*;

        $crate::store::sql::decode::row_decoders! { db = $db }
        $crate::store::sql::settings::settings_methods! { store = $store, }
        $crate::store::sql::orgs::org_methods! { store = $store, }
        $crate::store::sql::tokens::token_methods! { store = $store, }
        $crate::store::sql::oauth_clients::oauth_client_methods! { store = $store, db = $db, }
        $crate::store::sql::oauth_grants::oauth_grant_methods! { store = $store, db = $db, }
        $crate::store::sql::accounts::account_methods! {
            store = $store,
            attrs_out = $attrs_out,
            refresh_statistics_sql = $refresh_statistics_sql,
        }
        $crate::store::sql::events::event_methods! { store = $store, db = $db, }
        $crate::store::sql::harness::harness_methods! {
            store = $store,
            db = $db,
            journal_lock = $journal_lock,
        }
        $crate::store::sql::reaper::reaper_methods! {
            store = $store,
            attrs_out = $attrs_out,
            reap_sql = $reap_sql,
        }

        impl $store {
            /// Called after every committed write to `orgs` or `scim_tokens` (see
            /// [`Store::auth_generation`]).
            fn auth_changed(&self) {
                self.auth_epoch
                    .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            }
        }

        /// Each query method runs the inherent method of the same name (see above).
        #[async_trait::async_trait]
        impl Store for $store {
            fn dialect(&self) -> $crate::scim::filter_sql::Dialect {
                $dialect
            }

            fn is_private(&self) -> bool {
                self.private_database()
            }

            fn auth_generation(&self) -> u64 {
                self.auth_epoch.load(std::sync::atomic::Ordering::Acquire)
            }

            async fn ping(&self) -> StoreResult<()> {
                statement!(self, sqlx::query("SELECT 1"), execute);
                Ok(())
            }

            async fn close(&self) {
                self.write.close().await;
                self.statements.close().await;
                self.after_close();
            }

            async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
                Self::get_setting(self, key).await
            }

            async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
                Self::put_setting(self, key, value).await
            }

            async fn insert_setting_if_absent(&self, key: &str, value: &str) -> StoreResult<bool> {
                Self::insert_setting_if_absent(self, key, value).await
            }

            async fn insert_org(
                &self,
                org: &Org,
                domains: &[Domain],
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::insert_org(self, org, domains, events).await
            }

            async fn get_org(&self, id: &str) -> StoreResult<Option<Org>> {
                Self::get_org(self, id).await
            }

            async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
                Self::list_orgs(self).await
            }

            async fn update_org(&self, org: &Org, events: &[NewEvent]) -> StoreResult<()> {
                Self::update_org(self, org, events).await
            }

            async fn update_org_restamping(
                &self,
                org: &Org,
                events: &[NewEvent],
                retention: std::time::Duration,
            ) -> StoreResult<()> {
                Self::update_org_restamping(self, org, events, Some(retention)).await
            }

            async fn delete_org(&self, id: &str) -> StoreResult<bool> {
                Self::delete_org(self, id).await
            }

            async fn list_domains(&self, org_id: &str) -> StoreResult<Vec<Domain>> {
                Self::list_domains(self, org_id).await
            }

            async fn upsert_domain(&self, domain: &Domain) -> StoreResult<()> {
                Self::upsert_domain(self, domain).await
            }

            async fn delete_domain(&self, org_id: &str, name: &str) -> StoreResult<bool> {
                Self::delete_domain(self, org_id, name).await
            }

            async fn insert_token(
                &self,
                token: &TokenRecord,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::insert_token(self, token, events).await
            }

            async fn get_token(&self, id: &str) -> StoreResult<Option<TokenRecord>> {
                Self::get_token(self, id).await
            }

            async fn get_token_with_org(
                &self,
                key: &str,
                by_hash: bool,
            ) -> StoreResult<Option<(TokenRecord, Org)>> {
                Self::get_token_with_org(self, key, by_hash).await
            }

            async fn touch_token(
                &self,
                id: &str,
                last_used_at: Timestamp,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::touch_token(self, id, last_used_at, events).await
            }

            async fn get_token_by_hash(
                &self,
                token_hash: &str,
            ) -> StoreResult<Option<TokenRecord>> {
                Self::get_token_by_hash(self, token_hash).await
            }

            async fn list_tokens(&self, org_id: &str) -> StoreResult<Vec<TokenRecord>> {
                Self::list_tokens(self, org_id).await
            }

            async fn update_token(
                &self,
                token: &TokenRecord,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::update_token(self, token, events).await
            }

            async fn insert_account(
                &self,
                account: &Account,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::insert_account(self, account, events).await
            }

            async fn get_account(&self, org_id: &str, id: &str) -> StoreResult<Option<Account>> {
                Self::get_account(self, org_id, id).await
            }

            async fn find_account_by_user_name(
                &self,
                org_id: &str,
                user_name_norm: &str,
            ) -> StoreResult<Option<Account>> {
                Self::find_account_by_user_name(self, org_id, user_name_norm).await
            }

            async fn update_account(
                &self,
                account: &Account,
                expected_version: i64,
                events: &[NewEvent],
            ) -> StoreResult<bool> {
                Self::update_account(self, account, expected_version, events).await
            }

            async fn delete_account(
                &self,
                org_id: &str,
                id: &str,
                expected_version: i64,
                events: &[NewEvent],
            ) -> StoreResult<bool> {
                Self::delete_account(self, org_id, id, expected_version, events).await
            }

            async fn refresh_statistics(&self) -> StoreResult<()> {
                Self::refresh_statistics(self).await
            }

            async fn bulk_insert_accounts(&self, accounts: &[Account]) -> StoreResult<()> {
                Self::bulk_insert_accounts(self, accounts).await
            }

            async fn delete_accounts_batch(&self, org_id: &str, batch: i64) -> StoreResult<u64> {
                Self::delete_accounts_batch(self, org_id, batch).await
            }

            async fn delete_events(&self, org_id: &str) -> StoreResult<u64> {
                Self::delete_events(self, org_id).await
            }

            async fn convert_scim_accounts_to_manual(
                &self,
                org_id: &str,
                now: Timestamp,
            ) -> StoreResult<u64> {
                Self::convert_scim_accounts_to_manual(self, org_id, now).await
            }

            async fn query_accounts(&self, query: &AccountQuery) -> StoreResult<AccountPage> {
                Self::query_accounts(self, query).await
            }

            async fn reap_inactive(
                &self,
                org_id: &str,
                deactivated_before: Timestamp,
                batch: i64,
                now: Timestamp,
                keep: usize,
            ) -> StoreResult<Reaped> {
                Self::reap_inactive(self, org_id, deactivated_before, batch, now, keep).await
            }

            async fn list_reapable(
                &self,
                org_id: &str,
                deactivated_before: Timestamp,
                limit: i64,
            ) -> StoreResult<Vec<Account>> {
                Self::list_reapable(self, org_id, deactivated_before, limit).await
            }

            async fn count_reapable(
                &self,
                org_id: &str,
                deactivated_before: Timestamp,
            ) -> StoreResult<u64> {
                Self::count_reapable(self, org_id, deactivated_before).await
            }

            async fn append_events(&self, events: &[NewEvent]) -> StoreResult<()> {
                Self::append_events(self, events).await
            }

            async fn list_events(
                &self,
                org_id: &str,
                since: i64,
                kind: Option<&str>,
                limit: i64,
            ) -> StoreResult<Vec<Event>> {
                Self::list_events(self, org_id, since, kind, limit).await
            }
        }

        /// Each method runs the inherent method of the same name (`oauth_clients`,
        /// `oauth_grants`).
        #[async_trait::async_trait]
        impl OAuthStore for $store {
            async fn insert_oauth_client(
                &self,
                client: &OAuthClient,
                secret: &OAuthSecret,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::insert_oauth_client(self, client, secret, events).await
            }

            async fn get_oauth_client(&self, client_id: &str) -> StoreResult<Option<OAuthClient>> {
                Self::get_oauth_client(self, client_id).await
            }

            async fn get_org_oauth_client(&self, org_id: &str) -> StoreResult<Option<OAuthClient>> {
                Self::get_org_oauth_client(self, org_id).await
            }

            async fn update_oauth_client(
                &self,
                client: &OAuthClient,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::update_oauth_client(self, client, events).await
            }

            async fn delete_oauth_client(
                &self,
                client_id: &str,
                events: &[NewEvent],
            ) -> StoreResult<bool> {
                Self::delete_oauth_client(self, client_id, events).await
            }

            async fn insert_oauth_secret(
                &self,
                secret: &OAuthSecret,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::insert_oauth_secret(self, secret, events).await
            }

            async fn list_oauth_secrets(&self, org_id: &str) -> StoreResult<Vec<OAuthSecret>> {
                Self::list_oauth_secrets(self, org_id).await
            }

            async fn get_oauth_secret_with_org(
                &self,
                id: &str,
            ) -> StoreResult<Option<(OAuthSecret, Org)>> {
                Self::get_oauth_secret_with_org(self, id).await
            }

            async fn update_oauth_secret_notes(
                &self,
                secret: &OAuthSecret,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::update_oauth_secret_notes(self, secret, events).await
            }

            async fn revoke_oauth_secrets(
                &self,
                ids: &[String],
                at: Timestamp,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::revoke_oauth_secrets(self, ids, at, events).await
            }

            async fn touch_oauth_secret(
                &self,
                id: &str,
                last_used_at: Timestamp,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::touch_oauth_secret(self, id, last_used_at, events).await
            }

            async fn insert_oauth_code(
                &self,
                code: &OAuthCode,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::insert_oauth_code(self, code, events).await
            }

            async fn get_oauth_code(&self, id: &str) -> StoreResult<Option<OAuthCode>> {
                Self::get_oauth_code(self, id).await
            }

            async fn redeem_oauth_code(
                &self,
                code_id: &str,
                at: Timestamp,
                grant: &OAuthGrant,
                refresh: &OAuthRefreshToken,
                events: &[NewEvent],
            ) -> StoreResult<bool> {
                Self::redeem_oauth_code(self, code_id, at, grant, refresh, events).await
            }

            async fn insert_oauth_grant(
                &self,
                grant: &OAuthGrant,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::insert_oauth_grant(self, grant, events).await
            }

            async fn get_oauth_grant(&self, id: &str) -> StoreResult<Option<OAuthGrant>> {
                Self::get_oauth_grant(self, id).await
            }

            async fn get_oauth_refresh_token(
                &self,
                id: &str,
            ) -> StoreResult<Option<(OAuthRefreshToken, OAuthGrant)>> {
                Self::get_oauth_refresh_token(self, id).await
            }

            async fn refresh_oauth_grant(
                &self,
                grant: &OAuthGrant,
                rotation: Option<(&str, &OAuthRefreshToken)>,
                events: &[NewEvent],
            ) -> StoreResult<bool> {
                Self::refresh_oauth_grant(self, grant, rotation, events).await
            }

            async fn revoke_oauth_grant(
                &self,
                id: &str,
                at: Timestamp,
                events: &[NewEvent],
            ) -> StoreResult<()> {
                Self::revoke_oauth_grant(self, id, at, events).await
            }
        }
    };
}
pub(crate) use impl_sql_store;
