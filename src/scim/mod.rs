//! Pure SCIM 2.0 protocol code: types, parsers, the PATCH engine, schemas. No I/O.
pub mod ast;
pub mod error;
pub mod filter_sql;
