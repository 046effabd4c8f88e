//! Pure SCIM 2.0 protocol code: types, parsers, the PATCH engine, schemas. No I/O.
pub mod ast;
pub mod error;
pub mod filter;
pub mod filter_attrs;
pub mod filter_eval;
pub mod filter_key;
pub mod filter_sql;
pub mod patch;
pub mod patch_paths;
pub mod projection;
pub mod resource;
pub mod schema;
