//! SCIM filter and PATCH path parsing (RFC 7644 §3.4.2.2 and §3.5.2) and canonical printing of
//! the syntax tree. In-memory evaluation ([`matches()`]) is in `filter_eval.rs`.
//!
//! Input is bounded ([`MAX_FILTER_LEN`] bytes, [`MAX_DEPTH`] levels of nesting) so that hostile
//! filters cost little, and the parser never slices text except at ASCII delimiters, so any UTF-8
//! input is safe. Error positions are 1-based character (not byte) offsets.
//!
//! The lexer (`lexer`), the grammar (`parser`) and the printer (`print`) each have their own
//! file; this module is their public face.

mod lexer;
mod parser;
mod print;

use crate::scim::ast::{Filter, PatchPath};
use crate::scim::error::ProtocolError;
/// In-memory evaluation lives in its own file; re-exported so callers use `filter::matches`.
pub use crate::scim::filter_eval::matches;

/// Longest filter or PATCH path accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 4096;
/// Deepest nesting of `(...)`, `not (...)` and `[...]` accepted.
pub const MAX_DEPTH: usize = 32;

/// Parses a `filter` query parameter (RFC 7644 §3.4.2.2).
///
/// Errors are `400 invalidFilter` with the position of the problem and what was expected.
pub fn parse_filter(input: &str) -> Result<Filter, ProtocolError> {
    parser::parse_filter_text(input).map_err(ProtocolError::invalid_filter)
}

/// Parses a PATCH operation `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath ["." subAttr]`.
///
/// Errors (including errors inside the `[...]` value filter) are `400 invalidPath`.
pub fn parse_path(input: &str) -> Result<PatchPath, ProtocolError> {
    parser::parse_path_text(input).map_err(ProtocolError::invalid_path)
}

#[cfg(test)]
mod tests;
