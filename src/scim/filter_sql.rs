//! Compiles a SCIM filter (RFC 7644 §3.4.2.2) to a SQL `WHERE` fragment over the accounts
//! table, aliased `a`, for PostgreSQL or SQLite.
//!
//! Safety: the SQL text is assembled only from constants of the allow-list in
//! [`crate::scim::filter_attrs`] and of this file; every value from the filter is a bound
//! parameter. Attributes not on the allow-list are rejected with `invalidFilter`.
//!
//! Semantics: every compiled predicate is TRUE or FALSE, never NULL (comparisons are wrapped in
//! `COALESCE(.., FALSE)`), so `not (...)` is plain two-valued logic; `ne` is the negation of
//! `eq` and so is true when the attribute is absent. Multi-valued attributes match when any
//! element matches (`EXISTS` over the JSON array); a value path `emails[...]` evaluates its whole
//! inner filter against one element.

use crate::scim::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::error::{ProtocolError, ScimType};
use crate::scim::filter::parse_path;
use crate::scim::filter_attrs::{allowed_names, find_sub, resolve, Kind, Sub, Target, Use};

/// The SQL engine a fragment is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

/// A value bound to a placeholder of a [`SqlFragment`], in placeholder order.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlParam {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// A SQL boolean expression and the values of its placeholders.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SqlFragment {
    /// A boolean SQL expression; safe to AND with other conditions (it is parenthesized or a
    /// single function call / EXISTS).
    pub sql: String,
    /// The values for the fragment's placeholders, in placeholder order.
    pub params: Vec<SqlParam>,
}

/// The `a.user_name_norm` form of a userName. Filters lowercase their literals with this same
/// function, so the server must store `user_name_norm` with it too.
pub fn user_name_norm(user_name: &str) -> String {
    user_name.to_lowercase()
}

/// Compiles `filter` into a boolean SQL expression over the table aliased `a`.
///
/// `first_param` = number of the first placeholder to use (earlier placeholders are used by the
/// caller). Placeholders are `$n` (Postgres) or `?n` (SQLite), numbered upward in order of
/// appearance; `params` holds their values in that order.
pub fn compile_filter(
    filter: &Filter,
    dialect: Dialect,
    first_param: usize,
) -> Result<SqlFragment, ProtocolError> {
    let mut c = Compiler {
        dialect,
        next: first_param,
        params: Vec::new(),
    };
    let sql = c.filter(filter, &Scope::Root)?;
    Ok(SqlFragment {
        sql,
        params: c.params,
    })
}

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
            let first = match dialect {
                Dialect::Postgres => format!("(a.attrs->'{array}'->0->>'{sub}')"),
                Dialect::Sqlite => format!("json_extract(a.attrs, '$.\"{array}\"[0].\"{sub}\"')"),
            };
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

/// Where a scalar value lives.
enum Loc {
    Column(&'static str),
    /// A key path into `a.attrs`.
    Json(Vec<&'static str>),
    /// A sub-attribute of the current array element (alias `je`, see `Compiler::elements`).
    Elem(&'static str),
}

/// What attribute names inside the filter are relative to.
enum Scope {
    Root,
    /// Inside `emails[...]`: one element of the array.
    Elem(&'static str, &'static [Sub]),
    /// Inside `name[...]`: a single-valued complex attribute.
    Object(Vec<&'static str>, &'static [Sub]),
}

/// A resolved filter operand.
enum Leaf {
    Scalar(Loc, Kind),
    /// `emails.value`: a sub-attribute of any element of an array.
    InArray(&'static str, &'static str, Kind),
    Array(&'static str, &'static [Sub]),
    Object(Vec<&'static str>, &'static [Sub]),
    ResourceType,
}

struct Compiler {
    dialect: Dialect,
    next: usize,
    params: Vec<SqlParam>,
}

fn unknown_attr(path: &AttrPath) -> ProtocolError {
    ProtocolError::invalid_filter(format!(
        "unknown attribute '{path}' in filter; filterable attributes are {}",
        allowed_names()
    ))
}

fn sub_names(subs: &[Sub]) -> String {
    subs.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
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

impl Compiler {
    /// Adds a parameter and returns its placeholder.
    fn bind(&mut self, param: SqlParam) -> String {
        let n = self.next;
        self.next += 1;
        let ph = match (self.dialect, &param) {
            (Dialect::Sqlite, _) => format!("?{n}"),
            // Explicit types: several functions used here are overloaded in PostgreSQL.
            (Dialect::Postgres, SqlParam::Text(_)) => format!("${n}::text"),
            (Dialect::Postgres, SqlParam::Int(_)) => format!("${n}::bigint"),
            (Dialect::Postgres, SqlParam::Float(_)) => format!("${n}::float8"),
            (Dialect::Postgres, SqlParam::Bool(_)) => format!("${n}::boolean"),
        };
        self.params.push(param);
        ph
    }

    /// SQLite JSON path expression (SQL text) for `loc`; keys are quoted because the
    /// enterprise URN contains '.' and ':'.
    fn sqlite_path(loc: &Loc) -> String {
        match loc {
            Loc::Json(keys) => {
                let path: String = keys.iter().map(|k| format!(".\"{k}\"")).collect();
                format!("'${path}'")
            }
            Loc::Elem(sub) => format!("je.fullkey || '.\"{sub}\"'"),
            Loc::Column(c) => (*c).to_string(),
        }
    }

    /// `a.attrs->'k1'->'k2'` (`as_text`: `->>` for the last step).
    fn pg_json(keys: &[&str], as_text: bool) -> String {
        let mut out = "a.attrs".to_string();
        for (i, k) in keys.iter().enumerate() {
            let arrow = if as_text && i + 1 == keys.len() {
                "->>"
            } else {
                "->"
            };
            out.push_str(&format!("{arrow}'{k}'"));
        }
        format!("({out})")
    }

    /// The value at `loc` as SQL text (JSON strings unquoted; NULL when absent or JSON null).
    fn text(&self, loc: &Loc) -> String {
        match (self.dialect, loc) {
            (_, Loc::Column(c)) => (*c).to_string(),
            (Dialect::Postgres, Loc::Json(keys)) => Self::pg_json(keys, true),
            (Dialect::Postgres, Loc::Elem(sub)) => format!("(je.v->>'{sub}')"),
            (Dialect::Sqlite, loc) => format!("json_extract(a.attrs, {})", Self::sqlite_path(loc)),
        }
    }

    /// A NULL-free test that the JSON boolean at `loc` equals `ph` (a placeholder, or the
    /// constant `TRUE`): SQLite extracts JSON booleans as 1/0, so its type is checked too.
    fn bool_test(&self, loc: &Loc, ph: &str) -> String {
        match (self.dialect, loc) {
            (_, Loc::Column(c)) => format!("COALESCE({c} = {ph}, FALSE)"),
            (Dialect::Postgres, Loc::Json(keys)) => {
                format!(
                    "COALESCE({} = to_jsonb({ph}), FALSE)",
                    Self::pg_json(keys, false)
                )
            }
            (Dialect::Postgres, Loc::Elem(sub)) => {
                format!("COALESCE((je.v->'{sub}') = to_jsonb({ph}), FALSE)")
            }
            (Dialect::Sqlite, loc) => {
                let p = Self::sqlite_path(loc);
                format!("COALESCE(json_type(a.attrs, {p}) IN ('true', 'false') AND json_extract(a.attrs, {p}) = {ph}, FALSE)")
            }
        }
    }

    /// The FROM item iterating the elements of top-level array `array` as `je`, and a guard
    /// condition that it really is an array.
    fn elements(&self, array: &str) -> (String, Option<String>) {
        match self.dialect {
            Dialect::Postgres => (
                format!(
                    "jsonb_array_elements(CASE WHEN jsonb_typeof(a.attrs->'{array}') = 'array' \
                     THEN a.attrs->'{array}' ELSE '[]'::jsonb END) AS je(v)"
                ),
                None,
            ),
            Dialect::Sqlite => (
                format!("json_each(a.attrs, '$.\"{array}\"') AS je"),
                Some(format!("json_type(a.attrs, '$.\"{array}\"') = 'array'")),
            ),
        }
    }

    /// `EXISTS` an element of `array` satisfying `pred` (any element when `None`).
    fn exists(&self, array: &str, pred: Option<String>) -> String {
        let (from, guard) = self.elements(array);
        let conds: Vec<String> = guard.into_iter().chain(pred).collect();
        if conds.is_empty() {
            format!("EXISTS (SELECT 1 FROM {from})")
        } else {
            format!(
                "EXISTS (SELECT 1 FROM {from} WHERE {})",
                conds.join(" AND ")
            )
        }
    }

    fn filter(&mut self, f: &Filter, scope: &Scope) -> Result<String, ProtocolError> {
        match f {
            Filter::And(l, r) => Ok(format!(
                "({} AND {})",
                self.filter(l, scope)?,
                self.filter(r, scope)?
            )),
            Filter::Or(l, r) => Ok(format!(
                "({} OR {})",
                self.filter(l, scope)?,
                self.filter(r, scope)?
            )),
            Filter::Not(x) => Ok(format!("(NOT {})", self.filter(x, scope)?)),
            Filter::Present(path) => {
                let leaf = self.leaf(path, scope, Use::Present)?;
                Ok(self.present(&leaf))
            }
            Filter::Compare { path, op, value } => self.compare(path, *op, value, scope),
            Filter::ValuePath { attr, filter } => {
                if !matches!(scope, Scope::Root) {
                    return Err(ProtocolError::invalid_filter(format!(
                        "value filter '{attr}[...]' cannot be nested inside another value filter"
                    )));
                }
                match resolve(attr, Use::Container).ok_or_else(|| unknown_attr(attr))? {
                    Target::Array(array, subs) => {
                        let pred = self.filter(filter, &Scope::Elem(array, subs))?;
                        Ok(self.exists(array, Some(pred)))
                    }
                    Target::Object(keys, subs) => self.filter(filter, &Scope::Object(keys, subs)),
                    _ => Err(ProtocolError::invalid_filter(format!(
                        "'{attr}' is not a complex attribute, so it cannot take a '[...]' value filter; \
                         use e.g. emails[type eq \"work\"]"
                    ))),
                }
            }
        }
    }

    fn leaf(&self, path: &AttrPath, scope: &Scope, usage: Use) -> Result<Leaf, ProtocolError> {
        let (parent, subs) = match scope {
            Scope::Root => {
                return Ok(
                    match resolve(path, usage).ok_or_else(|| unknown_attr(path))? {
                        Target::Column(c, kind) => Leaf::Scalar(Loc::Column(c), kind),
                        Target::Json(keys, kind) => Leaf::Scalar(Loc::Json(keys), kind),
                        Target::Elem {
                            array, sub, kind, ..
                        } => Leaf::InArray(array, sub, kind),
                        Target::Array(array, subs) => Leaf::Array(array, subs),
                        Target::Object(keys, subs) => Leaf::Object(keys, subs),
                        Target::ResourceType => Leaf::ResourceType,
                    },
                );
            }
            Scope::Elem(array, subs) => (*array, *subs),
            Scope::Object(keys, subs) => (keys.last().copied().unwrap_or_default(), *subs),
        };
        let found = match (&path.uri, &path.sub_attr) {
            (None, None) => find_sub(subs, &path.attr),
            _ => None,
        };
        let Some((name, kind)) = found else {
            return Err(ProtocolError::invalid_filter(format!(
                "unknown attribute '{path}' inside '{parent}[...]'; use one of its sub-attributes: {}",
                sub_names(subs)
            )));
        };
        Ok(match scope {
            Scope::Object(keys, _) => Leaf::Scalar(
                Loc::Json(keys.iter().copied().chain([name]).collect()),
                kind,
            ),
            _ => Leaf::Scalar(Loc::Elem(name), kind),
        })
    }

    fn present(&self, leaf: &Leaf) -> String {
        match leaf {
            Leaf::Scalar(loc, Kind::Bool | Kind::DateTime) => {
                format!("({} IS NOT NULL)", self.text(loc))
            }
            Leaf::Scalar(loc, _) => format!("COALESCE({} <> '', FALSE)", self.text(loc)),
            Leaf::InArray(array, sub, kind) => {
                let pred = self.present(&Leaf::Scalar(Loc::Elem(sub), *kind));
                self.exists(array, Some(pred))
            }
            Leaf::Array(array, _) => self.exists(array, None),
            Leaf::Object(keys, _) => {
                match self.dialect {
                    Dialect::Postgres => {
                        let j = Self::pg_json(keys, false);
                        format!("COALESCE(jsonb_typeof({j}) = 'object' AND {j} <> '{{}}'::jsonb, FALSE)")
                    }
                    Dialect::Sqlite => {
                        let p = Self::sqlite_path(&Loc::Json(keys.clone()));
                        format!("COALESCE(json_type(a.attrs, {p}) = 'object' AND json_extract(a.attrs, {p}) <> '{{}}', FALSE)")
                    }
                }
            }
            Leaf::ResourceType => "TRUE".to_string(),
        }
    }

    fn compare(
        &mut self,
        path: &AttrPath,
        op: CompareOp,
        value: &CompValue,
        scope: &Scope,
    ) -> Result<String, ProtocolError> {
        if let CompValue::Null = value {
            // `eq null` means "has no value" and `ne null` "has a value".
            let present = self.present(&self.leaf(path, scope, Use::Present)?);
            return match op {
                CompareOp::Eq => Ok(format!("(NOT {present})")),
                CompareOp::Ne => Ok(present),
                _ => Err(ProtocolError::invalid_filter(format!(
                    "'{path} {} null' is not supported; null can only be compared with eq or ne",
                    op.as_str()
                ))),
            };
        }
        if op == CompareOp::Ne {
            return Ok(format!(
                "(NOT {})",
                self.compare(path, CompareOp::Eq, value, scope)?
            ));
        }
        match self.leaf(path, scope, Use::Compare)? {
            Leaf::Scalar(loc, kind) => self.scalar(&loc, kind, op, value, path),
            Leaf::InArray(array, sub, kind) => {
                let pred = self.scalar(&Loc::Elem(sub), kind, op, value, path)?;
                Ok(self.exists(array, Some(pred)))
            }
            Leaf::Array(_, subs) | Leaf::Object(_, subs) => Err(ProtocolError::invalid_filter(format!(
                "'{path}' is a complex attribute; compare one of its sub-attributes ({}), e.g. {path}.{}",
                sub_names(subs),
                subs.first().map_or("value", |(n, _)| *n)
            ))),
            Leaf::ResourceType => {
                let s = expect_str(value, path, "a string such as \"User\"")?;
                let (data, lit) = ("user", s.to_lowercase());
                let hit = match op {
                    CompareOp::Co => data.contains(&lit),
                    CompareOp::Sw => data.starts_with(&lit),
                    CompareOp::Ew => data.ends_with(&lit),
                    CompareOp::Gt => data > lit.as_str(),
                    CompareOp::Ge => data >= lit.as_str(),
                    CompareOp::Lt => data < lit.as_str(),
                    CompareOp::Le => data <= lit.as_str(),
                    CompareOp::Eq | CompareOp::Ne => data == lit,
                };
                Ok(if hit { "TRUE" } else { "FALSE" }.to_string())
            }
        }
    }

    fn scalar(
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
        let pg = self.dialect == Dialect::Postgres;
        // E'' means one backslash in PostgreSQL whatever `standard_conforming_strings` says.
        let esc = if pg { r"E'\\'" } else { r"'\'" };
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
                let f = if pg { "strpos" } else { "instr" };
                format!("COALESCE({f}({t}, {ph}) > 0, FALSE)")
            }
            _ if is_like => {
                let len = self.bind(SqlParam::Text(s.to_string()));
                let ph = self.bind(SqlParam::Text(s.to_string()));
                let part = match (pg, op) {
                    (true, CompareOp::Sw) => format!("left({t}, char_length({len}))"),
                    (true, _) => format!("right({t}, char_length({len}))"),
                    (false, CompareOp::Sw) => format!("substr({t}, 1, length({len}))"),
                    (false, _) => format!("substr({t}, -length({len}))"),
                };
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

fn expect_str<'v>(
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

#[cfg(test)]
#[path = "filter_sql_tests.rs"]
mod tests;
