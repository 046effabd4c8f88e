//! SCIM `/Users` with Apple Business Manager's account rules: creation as Staff with a Person
//! ID, the verified-domain rule, name conflicts with manual and deactivated accounts,
//! deactivation instead of deletion, and reactivation within the retention window.
//!
//! [`create`] holds `POST /Users` and its conflict rules, [`update`] reading, replacing,
//! patching and deleting one user, [`retry`] how writers that lost a race to the same account
//! take turns; this module the pieces they share.

mod create;
mod retry;
mod update;

use rand::Rng;
use serde_json::{Map, Value};

use super::{ServiceError, ServiceResult};
use crate::domain::{AccountSource, AccountState};
use crate::scim::error::ProtocolError;
use crate::scim::filter_sql::user_name_norm;
use crate::store::Account;

/// Whether a PUT/PATCH must match a given version (`If-Match`).
#[derive(Debug, Clone, Default)]
pub struct Precondition {
    /// The raw `If-Match` header, if sent.
    pub if_match: Option<String>,
}

impl Precondition {
    /// `true` when the header is absent, `*`, or lists the account's current ETag.
    fn accepts(&self, version: i64) -> bool {
        match &self.if_match {
            None => true,
            Some(header) => header.split(',').map(str::trim).any(|tag| {
                tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == version.to_string()
            }),
        }
    }
}

/// The ETag of an account version (weak: the JSON rendering may vary in key order).
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// The outcome of `POST /Users`: created anew, or an existing account reactivated or merged.
#[derive(Debug)]
pub struct Created {
    pub account: Account,
}

/// 400 `invalidValue` if any string (or member name) of a request body holds U+0000: it is no
/// meaningful directory data, and PostgreSQL cannot store it (it would otherwise be a 500 there
/// while SQLite stored it).
fn reject_nul(body: &Value) -> ServiceResult<()> {
    fn find(value: &Value, path: &mut Vec<String>) -> bool {
        match value {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().enumerate().any(|(i, v)| {
                path.push(format!("[{i}]"));
                let found = find(v, path);
                if !found {
                    path.pop();
                }
                found
            }),
            Value::Object(members) => members.iter().any(|(k, v)| {
                path.push(format!(".{}", k.replace('\0', "\\u0000")));
                let found = k.contains('\0') || find(v, path);
                if !found {
                    path.pop();
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = Vec::new();
    if find(body, &mut path) {
        let at = path.concat();
        let at = at.trim_start_matches('.');
        return Err(ProtocolError::invalid_value(format!(
            "the request body holds a NUL character (\\u0000) at {}: remove it",
            if at.is_empty() { "its top level" } else { at }
        ))
        .into());
    }
    Ok(())
}

/// Whether SCIM may see this account.
pub fn scim_visible(account: &Account) -> bool {
    account.source == AccountSource::Scim
        && account.state != AccountState::Conflict
        && !account.scim_deleted
}

/// Stores the canonical attributes and their indexed copies (userName, externalId, active).
fn set_attrs(account: &mut Account, mut attrs: Map<String, Value>) {
    let active = attrs.get("active").and_then(Value::as_bool).unwrap_or(true);
    attrs.insert("active".into(), Value::Bool(active));
    account.user_name = text_attr(&attrs, "userName").unwrap_or_default();
    account.user_name_norm = user_name_norm(&account.user_name);
    account.external_id = text_attr(&attrs, "externalId");
    account.active = active;
    account.attrs = attrs;
}

fn text_attr(attrs: &Map<String, Value>, name: &str) -> Option<String> {
    attrs.get(name).and_then(Value::as_str).map(str::to_string)
}

/// ABM's Person ID: a stable identifier generated on the first sync.
pub fn new_person_id() -> String {
    format!(
        "{:016}",
        rand::thread_rng().gen_range(1_000_000_000_000_000u64..10_000_000_000_000_000u64)
    )
}

fn taken(user_name: &str) -> ServiceError {
    ServiceError::uniqueness(format!(
        "userName {user_name:?} is already taken in this organization"
    ))
}

fn not_found(id: &str) -> ServiceError {
    ServiceError::Protocol(ProtocolError::new(
        404,
        None,
        format!("no User with id {id}"),
    ))
}

fn precondition_failed(version: i64) -> ServiceError {
    ServiceError::PreconditionFailed(format!(
        "If-Match does not match the current version {}: GET the resource and retry",
        etag(version)
    ))
}
