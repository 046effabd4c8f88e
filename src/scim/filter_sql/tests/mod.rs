//! Tests of `filter_sql`: the generated SQL and parameters (`generated`), and real execution
//! against an in-memory SQLite database (`sqlite`); this file holds the helpers they share.

use super::*;
use crate::scim::error::ScimType;
use crate::scim::filter::parse_filter;

mod generated;
mod sqlite;

const PG: Dialect = Dialect::Postgres;
const LITE: Dialect = Dialect::Sqlite;

fn compile(filter: &str, dialect: Dialect) -> SqlFragment {
    let f = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {}", e.detail));
    compile_filter(&f, dialect, 1).unwrap_or_else(|e| panic!("{filter}: {}", e.detail))
}

fn compile_err(filter: &str) -> String {
    let f = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {}", e.detail));
    let e = compile_filter(&f, LITE, 1).expect_err(filter);
    assert_eq!(e.scim_type, Some(ScimType::InvalidFilter));
    assert_eq!(compile_filter(&f, PG, 1).expect_err(filter), e);
    e.detail
}

fn text(s: &str) -> SqlParam {
    SqlParam::Text(s.to_string())
}
