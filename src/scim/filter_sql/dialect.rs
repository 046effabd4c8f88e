//! The SQL each engine spells differently: placeholders, access to JSON values, boolean tests,
//! iteration over JSON arrays, LIKE's escape and substring functions. Everything that matches
//! on [`Dialect`] lives here, so the rest of the compiler is shared by both engines.

use super::{Compiler, Dialect, Loc, SqlParam};
use crate::scim::ast::CompareOp;

impl Compiler {
    /// Adds a parameter and returns its placeholder.
    pub(super) fn bind(&mut self, param: SqlParam) -> String {
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
    pub(super) fn text(&self, loc: &Loc) -> String {
        match (self.dialect, loc) {
            (_, Loc::Column(c)) => (*c).to_string(),
            (Dialect::Postgres, Loc::Json(keys)) => Self::pg_json(keys, true),
            (Dialect::Postgres, Loc::Elem(sub)) => format!("(je.v->>'{sub}')"),
            (Dialect::Sqlite, loc) => format!("json_extract(a.attrs, {})", Self::sqlite_path(loc)),
        }
    }

    /// A NULL-free test that the JSON boolean at `loc` equals `ph` (a placeholder, or the
    /// constant `TRUE`): SQLite extracts JSON booleans as 1/0, so its type is checked too.
    pub(super) fn bool_test(&self, loc: &Loc, ph: &str) -> String {
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
    pub(super) fn elements(&self, array: &str) -> (String, Option<String>) {
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
    pub(super) fn exists(&self, array: &str, pred: Option<String>) -> String {
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

    /// A NULL-free test that the JSON value at key path `keys` is a non-empty object.
    pub(super) fn object_present(&self, keys: &[&'static str]) -> String {
        match self.dialect {
            Dialect::Postgres => {
                let j = Self::pg_json(keys, false);
                format!("COALESCE(jsonb_typeof({j}) = 'object' AND {j} <> '{{}}'::jsonb, FALSE)")
            }
            Dialect::Sqlite => {
                let p = Self::sqlite_path(&Loc::Json(keys.to_vec()));
                format!("COALESCE(json_type(a.attrs, {p}) = 'object' AND json_extract(a.attrs, {p}) <> '{{}}', FALSE)")
            }
        }
    }

    /// Sub-attribute `sub` of the first element of top-level array `array`, as SQL text.
    pub(super) fn first_element_text(&self, array: &str, sub: &str) -> String {
        match self.dialect {
            Dialect::Postgres => format!("(a.attrs->'{array}'->0->>'{sub}')"),
            Dialect::Sqlite => format!("json_extract(a.attrs, '$.\"{array}\"[0].\"{sub}\"')"),
        }
    }

    /// The `ESCAPE` character of LIKE patterns (see `scalar::escape_like`): one backslash.
    pub(super) fn like_escape(&self) -> &'static str {
        // E'' means one backslash in PostgreSQL whatever `standard_conforming_strings` says.
        match self.dialect {
            Dialect::Postgres => r"E'\\'",
            Dialect::Sqlite => r"'\'",
        }
    }

    /// The 1-based position of `needle` in `t` (0 when absent): a case-exact substring test.
    pub(super) fn position(&self, t: &str, needle: &str) -> String {
        let f = match self.dialect {
            Dialect::Postgres => "strpos",
            Dialect::Sqlite => "instr",
        };
        format!("{f}({t}, {needle})")
    }

    /// The start (`sw`) or the end (`ew`) of `t`, as long as the text `len` is.
    pub(super) fn affix(&self, t: &str, op: CompareOp, len: &str) -> String {
        match (self.dialect, op) {
            (Dialect::Postgres, CompareOp::Sw) => format!("left({t}, char_length({len}))"),
            (Dialect::Postgres, _) => format!("right({t}, char_length({len}))"),
            (Dialect::Sqlite, CompareOp::Sw) => format!("substr({t}, 1, length({len}))"),
            (Dialect::Sqlite, _) => format!("substr({t}, -length({len}))"),
        }
    }
}
