//! The key a filter pins: `userName eq "x"`, `id eq "x"` or `externalId eq "x"`, alone or ANDed
//! with anything else. Such a filter selects at most one account (a few for `externalId`), and
//! the store then finds it through that key's index whatever the planner's statistics say (see
//! [`KeyLookup`]).

use super::ast::{CompValue, CompareOp, Filter};
use super::filter_attrs::{resolve, Target, Use};
use super::filter_sql::{user_name_norm, Dialect};

/// A key pinned to one value by a list's filter (`userName eq`, `id eq`, `externalId eq`).
///
/// Such a list selects at most one account (a few for `externalId`), yet a planner without
/// statistics can read it through the list order's index instead, checking every account of
/// the organization: PostgreSQL did so on a table filled by `POST /Users` before autovacuum had
/// analysed it (11.6 ms a lookup at 10k accounts, a walk of the whole index at 1M), and SQLite
/// did so for `externalId`. So the key's own index is made the only way to read the rows:
/// SQLite names it (`INDEXED BY`); PostgreSQL, which has no such hint, selects the key's rows
/// first, in a materialised CTE that no order and no partial index applies to, and applies the
/// rest of the condition, the order and the page to those rows. (SQLite could take the CTE
/// too, but materialising it cost `userName eq` about 15% of its rate there.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLookup {
    /// `id`, `user_name_norm` or `external_id`.
    pub column: &'static str,
    /// The value, normalised as the column stores it.
    pub value: String,
    /// Which of the two ways above applies.
    pub dialect: Dialect,
}

impl KeyLookup {
    /// Whether the statement binds the key's value (after every other parameter): the
    /// PostgreSQL CTE does; on SQLite the condition's own equality searches the index.
    pub fn binds_value(&self) -> bool {
        self.dialect == Dialect::Postgres
    }
}

/// The key columns, most selective first: the primary key, the unique userName, then
/// `externalId` (indexed, not unique).
const KEYS: [&str; 3] = ["id", "user_name_norm", "external_id"];

/// The most selective key `filter` pins with a top-level equality, if any.
pub fn key_lookup(filter: &Filter, dialect: Dialect) -> Option<KeyLookup> {
    let mut found = Vec::new();
    collect(filter, dialect, &mut found);
    found.into_iter().min_by_key(|lookup| {
        KEYS.iter()
            .position(|key| *key == lookup.column)
            .unwrap_or(KEYS.len())
    })
}

/// Every key equality reachable from the root through `and` alone: under `or` or `not` an
/// equality no longer bounds the result.
fn collect(filter: &Filter, dialect: Dialect, found: &mut Vec<KeyLookup>) {
    match filter {
        Filter::And(left, right) => {
            collect(left, dialect, found);
            collect(right, dialect, found);
        }
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::Str(value),
        } => {
            let Some(Target::Column(column, _)) = resolve(path, Use::Compare) else {
                return;
            };
            let (column, value) = match column {
                "a.id" => ("id", value.clone()),
                "a.user_name_norm" => ("user_name_norm", user_name_norm(value)),
                "a.external_id" => ("external_id", value.clone()),
                _ => return,
            };
            found.push(KeyLookup {
                column,
                value,
                dialect,
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::parse_filter;

    fn key(filter: &str) -> Option<(&'static str, String)> {
        key_lookup(&parse_filter(filter).unwrap(), Dialect::Sqlite).map(|k| (k.column, k.value))
    }

    #[test]
    fn top_level_key_equalities_are_found_most_selective_first() {
        assert_eq!(
            key(r#"userName eq "Bjensen@Example.com""#),
            Some(("user_name_norm", "bjensen@example.com".into()))
        );
        assert_eq!(
            key(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "A""#),
            Some(("user_name_norm", "a".into()))
        );
        assert_eq!(
            key(r#"externalId eq "E1" and (active eq true and userName eq "u")"#),
            Some(("user_name_norm", "u".into()))
        );
        assert_eq!(
            key(r#"externalId eq "E1" and id eq "x""#),
            Some(("id", "x".into()))
        );
        assert_eq!(
            key(r#"externalId eq "E1""#),
            Some(("external_id", "E1".into()))
        );
    }

    #[test]
    fn equalities_that_do_not_bound_the_result_are_not_keys() {
        for filter in [
            r#"userName eq "a" or active eq true"#,
            r#"not (userName eq "a")"#,
            r#"userName ne "a""#,
            r#"userName sw "a""#,
            r#"displayName eq "a""#,
            r#"emails[value eq "a"]"#,
            "id eq null",
        ] {
            assert_eq!(key(filter), None, "{filter}");
        }
    }
}
