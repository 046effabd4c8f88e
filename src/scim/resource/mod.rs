//! User resources: client input normalisation into the canonical stored attribute map, and the
//! rendering of that map into the SCIM User served to clients. Projection (`attributes`,
//! `excludedAttributes`) lives in `projection` and is re-exported here.
//!
//! The canonical map holds core attributes under their canonical names (`userName`, `name`,
//! `emails` ...) and Enterprise User attributes in one object under the key
//! [`ENTERPRISE_SCHEMA`](super::schema::ENTERPRISE_SCHEMA).
//! It never holds `id`, `meta`, `schemas`, `password`, `roles` or ABM fields: those are the
//! server's, not the client's.
//!
//! Layout: `normalize` reads a body, `values` normalises each attribute's value, `render`
//! builds the served resource; this file holds the helpers they and the PATCH engine share.

mod normalize;
mod render;
mod values;

use super::schema::{AttrDef, Mutability};
use serde_json::{Map, Value};

pub use super::projection::project;
pub use normalize::normalize_user;
pub(crate) use normalize::{complex_slot, container_mut, normalize_user_noting, split_dot};
pub use render::{render_user, AbmFields, Meta};
pub(crate) use values::{merge_subs, norm_attr, norm_complex, norm_simple, set_sub};
pub use values::{MAX_BINARY_CHARS, MAX_STRING_CHARS, MAX_USER_NAME_CHARS, MAX_VALUES};

/// Client dialect features observed while interpreting a request (see `patch::PatchOutcome`).
pub(crate) type Notes = Vec<&'static str>;

/// Records a dialect feature once.
pub(crate) fn note(notes: &mut Notes, what: &'static str) {
    if !notes.contains(&what) {
        notes.push(what);
    }
}

/// Case-insensitive member lookup (RFC 7643 §2.1: attribute names are case-insensitive).
pub(crate) fn get_ci<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Shortens client-supplied text before echoing it in an error detail.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() <= 120 {
        s.to_string()
    } else {
        let head: String = s.chars().take(120).collect();
        format!("{head}…")
    }
}

/// Whether a client may set this attribute (readOnly ones are server-managed; writeOnly
/// `password` is accepted but never stored).
pub(crate) fn writable(def: &AttrDef) -> bool {
    matches!(
        def.mutability,
        Mutability::ReadWrite | Mutability::Immutable
    )
}

#[cfg(test)]
mod tests;
