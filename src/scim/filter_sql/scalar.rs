//! Comparisons of one scalar value with a filter literal: booleans, date-times and strings
//! (case-insensitive, server-normalised or case-exact), each literal a bound parameter, each
//! result NULL-free and, where an index can serve it, in a form the index can serve.

use super::{user_name_norm, Compiler, Loc, SqlParam};
use crate::scim::ast::{AttrPath, CompValue, CompareOp};
use crate::scim::error::ProtocolError;
use crate::scim::filter_attrs::Kind;

impl Compiler {
    pub(super) fn scalar(
        &mut self,
        loc: &Loc,
        kind: Kind,
        op: CompareOp,
        value: &CompValue,
        path: &AttrPath,
    ) -> Result<String, ProtocolError> {
        let unsupported = || {
            ProtocolError::invalid_filter(format!(
                "operator '{}' is not supported on '{path}'; use {}",
                op.as_str(),
                if kind == Kind::Bool {
                    "eq or ne"
                } else {
                    "eq, ne, gt, ge, lt or le"
                }
            ))
        };
        let t = self.text(loc);
        match kind {
            Kind::Bool => {
                let b = match value {
                    CompValue::Bool(b) => *b,
                    CompValue::Str(s) if s.eq_ignore_ascii_case("true") => true,
                    CompValue::Str(s) if s.eq_ignore_ascii_case("false") => false,
                    _ => {
                        return Err(ProtocolError::invalid_filter(format!(
                            "'{path}' is a boolean; compare it with true or false"
                        )))
                    }
                };
                if op != CompareOp::Eq {
                    return Err(unsupported());
                }
                let ph = self.bind(SqlParam::Bool(b));
                Ok(self.bool_test(loc, &ph))
            }
            Kind::DateTime => {
                let example = "an RFC 3339 date-time string such as \"2024-01-31T12:00:00Z\"";
                let s = expect_str(value, path, example)?;
                let micros = chrono::DateTime::parse_from_rfc3339(s)
                    .map_err(|e| {
                        ProtocolError::invalid_filter(format!(
                            "invalid date-time {value} for '{path}' ({e}); use {example}"
                        ))
                    })?
                    .timestamp_micros();
                if matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
                    return Err(unsupported());
                }
                let ph = self.bind(SqlParam::Int(micros));
                Ok(null_free(&t, format!("{t} {} {ph}", sql_op(op))))
            }
            Kind::Str | Kind::NormStr | Kind::ExactStr => {
                let s = expect_str(value, path, "a \"double-quoted\" string")?;
                Ok(self.string_op(&t, kind, op, s))
            }
        }
    }

    fn string_op(&mut self, t: &str, kind: Kind, op: CompareOp, s: &str) -> String {
        let is_like = matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew);
        let esc = self.like_escape();
        match kind {
            // Both sides lowercased by the same SQL function, so equal strings always match
            // whatever the database's notion of case.
            Kind::Str if is_like => {
                let ph = self.bind(SqlParam::Text(like_pattern(op, s)));
                format!("COALESCE(lower({t}) LIKE lower({ph}) ESCAPE {esc}, FALSE)")
            }
            Kind::Str => {
                let ph = self.bind(SqlParam::Text(s.to_string()));
                format!("COALESCE(lower({t}) {} lower({ph}), FALSE)", sql_op(op))
            }
            // The column holds `user_name_norm(userName)`: lowercase the literal the same way.
            // A prefix is a range of the (binary-collated) column, which its index serves;
            // LIKE with a bound pattern could not use the index on either engine.
            Kind::NormStr if op == CompareOp::Sw => {
                let prefix = user_name_norm(s);
                match prefix_upper_bound(&prefix) {
                    Some(upper) => {
                        let low = self.bind(SqlParam::Text(prefix));
                        let high = self.bind(SqlParam::Text(upper));
                        null_free(t, format!("{t} >= {low} AND {t} < {high}"))
                    }
                    None => {
                        let ph = self.bind(SqlParam::Text(like_pattern(op, &prefix)));
                        null_free(t, format!("{t} LIKE {ph} ESCAPE {esc}"))
                    }
                }
            }
            Kind::NormStr if is_like => {
                let ph = self.bind(SqlParam::Text(like_pattern(op, &user_name_norm(s))));
                null_free(t, format!("{t} LIKE {ph} ESCAPE {esc}"))
            }
            Kind::NormStr => {
                let ph = self.bind(SqlParam::Text(user_name_norm(s)));
                null_free(t, format!("{t} {} {ph}", sql_op(op)))
            }
            // Case-exact: SQLite's LIKE ignores ASCII case, so use substring functions.
            _ if is_like && s.is_empty() => format!("({t} IS NOT NULL)"),
            _ if op == CompareOp::Co => {
                let ph = self.bind(SqlParam::Text(s.to_string()));
                format!("COALESCE({} > 0, FALSE)", self.position(t, &ph))
            }
            _ if is_like => {
                let len = self.bind(SqlParam::Text(s.to_string()));
                let ph = self.bind(SqlParam::Text(s.to_string()));
                let part = self.affix(t, op, &len);
                format!("COALESCE({part} = {ph}, FALSE)")
            }
            _ => {
                let ph = self.bind(SqlParam::Text(s.to_string()));
                null_free(t, format!("{t} {} {ph}", sql_op(op)))
            }
        }
    }
}

/// Columns declared NOT NULL: a comparison with a bound value can never be NULL.
const NOT_NULL_COLUMNS: [&str; 4] = ["a.user_name_norm", "a.id", "a.created_at", "a.updated_at"];

/// Makes `condition` on expression `t` two-valued (never NULL) in a form the engines can still
/// serve from an index: a bare comparison on a NOT NULL column, `t IS NOT NULL AND ...` on a
/// nullable column, `COALESCE(..., FALSE)` on anything computed (JSON).
fn null_free(t: &str, condition: String) -> String {
    let is_column = t.starts_with("a.")
        && t[2..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if NOT_NULL_COLUMNS.contains(&t) {
        format!("({condition})")
    } else if is_column {
        format!("({t} IS NOT NULL AND {condition})")
    } else {
        format!("COALESCE({condition}, FALSE)")
    }
}

/// The smallest string greater than every string starting with `prefix` in code-point (binary)
/// order: `prefix` with its last character incremented. `None` when there is none to increment.
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        // Skip the surrogate gap, which holds no `char`.
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn sql_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        _ => "=",
    }
}

/// Escapes LIKE's metacharacters (`%`, `_`, `\`) with `\`, the fragment's ESCAPE character.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn like_pattern(op: CompareOp, s: &str) -> String {
    let s = escape_like(s);
    match op {
        CompareOp::Sw => format!("{s}%"),
        CompareOp::Ew => format!("%{s}"),
        _ => format!("%{s}%"),
    }
}

/// `value` as a string, or an error saying what `path` can be compared with.
pub(super) fn expect_str<'v>(
    value: &'v CompValue,
    path: &AttrPath,
    what: &str,
) -> Result<&'v str, ProtocolError> {
    match value {
        CompValue::Str(s) => Ok(s),
        _ => Err(ProtocolError::invalid_filter(format!(
            "'{path}' cannot be compared with {value}; use {what}"
        ))),
    }
}
