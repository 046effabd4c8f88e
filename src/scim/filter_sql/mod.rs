//! Compiles a SCIM filter (RFC 7644 §3.4.2.2) to a SQL `WHERE` fragment over the accounts
//! table, aliased `a`, for PostgreSQL or SQLite.
//!
//! Safety: the SQL text is assembled only from constants of the allow-list in
//! [`crate::scim::filter_attrs`] and of this module; every value from the filter is a bound
//! parameter. Attributes not on the allow-list are rejected with `invalidFilter`.
//!
//! Semantics: every compiled predicate is TRUE or FALSE, never NULL (comparisons are wrapped in
//! `COALESCE(.., FALSE)`), so `not (...)` is plain two-valued logic; `ne` is the negation of
//! `eq` and so is true when the attribute is absent. Multi-valued attributes match when any
//! element matches (`EXISTS` over the JSON array); a value path `emails[...]` evaluates its whole
//! inner filter against one element.
//!
//! Layout: `compile` walks the filter tree, `scalar` compares one value with a literal, `sort`
//! builds `ORDER BY` expressions, and `dialect` holds every spelling that differs between
//! PostgreSQL and SQLite.

mod compile;
mod dialect;
mod scalar;
mod sort;

pub use compile::compile_filter;
pub use sort::sort_expression;

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

/// Where a scalar value lives.
enum Loc {
    Column(&'static str),
    /// A key path into `a.attrs`.
    Json(Vec<&'static str>),
    /// A sub-attribute of the current array element (alias `je`, see `Compiler::elements`).
    Elem(&'static str),
}

/// The compiler's state: the dialect, the next placeholder number and the bound values so far.
struct Compiler {
    dialect: Dialect,
    next: usize,
    params: Vec<SqlParam>,
}

#[cfg(test)]
mod tests;
