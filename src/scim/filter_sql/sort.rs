//! `sortBy` (RFC 7644 §3.4.2.3): the `ORDER BY` expression for an attribute on the allow-list.

use super::{Compiler, Dialect, Loc};
use crate::scim::error::{ProtocolError, ScimType};
use crate::scim::filter::parse_path;
use crate::scim::filter_attrs::{allowed_names, resolve, Kind, Target, Use};

/// The `ORDER BY` expression (without direction) for a `sortBy` attribute (RFC 7644 §3.4.2.3),
/// e.g. `lower((a.attrs->'name'->>'familyName'))` for `name.familyName`. Strings sort
/// case-insensitively; a multi-valued attribute sorts by its primary element's value, or the
/// first element's when none is primary. Errors are `400 invalidValue`.
pub fn sort_expression(sort_by: &str, dialect: Dialect) -> Result<String, ProtocolError> {
    let bad = |why: String| ProtocolError::bad_request(ScimType::InvalidValue, why);
    let path = parse_path(sort_by)
        .map_err(|e| bad(format!("invalid sortBy '{sort_by}': {}", e.detail)))?;
    let unknown = || {
        bad(format!(
            "cannot sort by '{sort_by}'; sortable attributes are {}",
            allowed_names()
        ))
    };
    if path.value_filter.is_some() {
        return Err(unknown());
    }
    let c = Compiler {
        dialect,
        next: 1,
        params: Vec::new(),
    };
    let lower = |expr: String, kind: Kind| {
        if kind == Kind::Str {
            format!("lower({expr})")
        } else {
            expr
        }
    };
    match resolve(&path.attr, Use::Compare).ok_or_else(unknown)? {
        Target::Column(col, _) => Ok(col.to_string()),
        // Every resource is a User, so any order is sorted; the primary key keeps it stable.
        Target::ResourceType => Ok("a.id".to_string()),
        Target::Json(keys, kind) => Ok(lower(c.text(&Loc::Json(keys)), kind)),
        Target::Elem {
            array,
            sub,
            kind,
            has_primary,
        } => {
            let first = c.first_element_text(array, sub);
            if !has_primary {
                return Ok(lower(first, kind));
            }
            let (from, guard) = c.elements(array);
            let is_primary = c.bool_test(&Loc::Elem("primary"), "TRUE");
            let conds = guard
                .into_iter()
                .chain([is_primary])
                .collect::<Vec<_>>()
                .join(" AND ");
            let value = c.text(&Loc::Elem(sub));
            let primary = format!("(SELECT {value} FROM {from} WHERE {conds} LIMIT 1)");
            Ok(lower(format!("COALESCE({primary}, {first})"), kind))
        }
        Target::Object(..) | Target::Array(..) => Err(unknown()),
    }
}
