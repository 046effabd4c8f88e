//! The SQL shared by both engines.
//!
//! Both engines accept `$N` placeholders and the same statements, except for how the JSON
//! attribute column is written and read; the reaper's statement (`REAP_SQL`) and bulk inserts
//! (positional `?` on SQLite, where sqlx binds numbered parameters slowly) differ per engine,
//! and SQLite commits account inserts in batches (`sqlite_batch`). The store body is
//! therefore written once, as macros instantiated for each engine's concrete sqlx types
//! (sqlx's generic executor bounds make a plain generic impl far harder to read):
//!
//! - [`builders`]: the account and event write statements and their binders, expanded in the
//!   engine's statements module (`sqlite_statements`, `postgres_statements`), which the
//!   engine's store and SQLite's write batcher both use;
//! - [`decode`]: rows to records;
//! - [`settings`], [`orgs`] (with domains), [`tokens`], [`oauth_clients`] (with their
//!   secrets), [`oauth_grants`] (codes, grants, refresh tokens), [`accounts`], [`events`],
//!   [`reaper`], [`harness`] (journal, fault rules, metrics figures): the store's methods per
//!   aggregate;
//! - [`store_impl`]: [`impl_sql_store!`], which expands the decoders and the aggregates in the
//!   engine's module and implements [`super::Store`] with them.
//!
//! This module holds what they share: the column lists (also used by each engine's
//! `REAP_SQL`) and the decoding of the JSON columns.

pub(super) mod accounts;
pub(super) mod builders;
pub(super) mod decode;
pub(super) mod events;
pub(super) mod harness;
pub(super) mod oauth_clients;
pub(super) mod oauth_grants;
pub(super) mod orgs;
pub(super) mod reaper;
pub(super) mod settings;
pub(super) mod store_impl;
pub(super) mod tokens;

pub(crate) use builders::statement_builders;
pub(crate) use store_impl::impl_sql_store;

/// The account columns, in the order `decode_account` reads them, qualified by alias `a`.
macro_rules! account_columns {
    (bare, $attrs:literal) => {
        concat!(
            "id, org_id, user_name, user_name_norm, external_id, active, state, ",
            "source, roles, person_id, grade_level, scim_deleted, deactivated_at, delete_after, ",
            "version, created_at, updated_at, ",
            $attrs,
            " AS attrs"
        )
    };
    ($attrs:literal) => {
        concat!(
            "a.id, a.org_id, a.user_name, a.user_name_norm, a.external_id, a.active, a.state, ",
            "a.source, a.roles, a.person_id, a.grade_level, a.scim_deleted, a.deactivated_at, a.delete_after, ",
            "a.version, a.created_at, a.updated_at, ",
            $attrs,
            " AS attrs"
        )
    };
}
pub(crate) use account_columns;

/// The organization columns of a join, prefixed `o_` (read by `decode_prefixed_org`).
macro_rules! prefixed_org_columns {
    () => {
        "o.id AS o_id, o.name AS o_name, \
         o.federated_authentication AS o_federated_authentication, o.auto_merge AS o_auto_merge, \
         o.require_verified_domain AS o_require_verified_domain, \
         o.directory_sync_source AS o_directory_sync_source, o.scim_connected_at AS o_scim_connected_at, \
         o.oauth_client_credentials AS o_oauth_client_credentials, \
         o.kind AS o_kind, o.sis_connected AS o_sis_connected, o.retention_days AS o_retention_days, \
         o.created_at AS o_created_at, o.updated_at AS o_updated_at "
    };
}
pub(crate) use prefixed_org_columns;

/// A token row joined with its organization (organization columns prefixed `o_`).
macro_rules! token_with_org_select {
    () => {
        concat!(
            "SELECT t.*, ",
            prefixed_org_columns!(),
            "FROM scim_tokens t JOIN orgs o ON o.id = t.org_id "
        )
    };
}
pub(crate) use token_with_org_select;

/// An organization's `retention_days` column: a day count the service checked on the way in.
pub(crate) fn decode_retention_days(days: Option<i64>) -> super::StoreResult<Option<u32>> {
    days.map(|days| {
        u32::try_from(days).map_err(|_| {
            super::StoreError::Corrupt(format!(
                "retention_days {days} in the database is out of range"
            ))
        })
    })
    .transpose()
}

/// Decodes the JSON-encoded `roles` and `attrs` columns.
pub(crate) fn decode_json_columns(
    roles: &str,
    attrs: &str,
) -> Result<
    (
        Vec<crate::domain::Role>,
        serde_json::Map<String, serde_json::Value>,
    ),
    super::StoreError,
> {
    Ok((serde_json::from_str(roles)?, serde_json::from_str(attrs)?))
}
