//! Tests of `filter`: parsing, printing, PATCH paths and in-memory matching, one concern per
//! file; this file holds the helpers they share.

use super::parser::split_attr_path;
use super::*;
use crate::scim::ast::{AttrPath, CompValue, CompareOp};
use crate::scim::error::ScimType;

mod errors;
mod grammar;
mod matching;
mod paths;
mod print;
mod robustness;

fn p(s: &str) -> Filter {
    match parse_filter(s) {
        Ok(f) => f,
        Err(e) => panic!("{s:?} should parse: {}", e.detail),
    }
}

fn err(s: &str) -> String {
    match parse_filter(s) {
        Ok(f) => panic!("{s:?} should not parse, got {f:?}"),
        Err(e) => {
            assert_eq!(e.status, 400);
            assert_eq!(e.scim_type, Some(ScimType::InvalidFilter));
            e.detail
        }
    }
}

fn path(s: &str) -> AttrPath {
    split_attr_path(s).expect("valid path")
}

fn cmp(attr: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare {
        path: path(attr),
        op,
        value,
    }
}

fn s(v: &str) -> CompValue {
    CompValue::Str(v.to_string())
}

fn pr(attr: &str) -> Filter {
    Filter::Present(path(attr))
}

fn and(l: Filter, r: Filter) -> Filter {
    Filter::And(Box::new(l), Box::new(r))
}

fn or(l: Filter, r: Filter) -> Filter {
    Filter::Or(Box::new(l), Box::new(r))
}

fn not(x: Filter) -> Filter {
    Filter::Not(Box::new(x))
}
