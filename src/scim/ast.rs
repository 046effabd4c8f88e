//! The SCIM filter and attribute-path syntax tree (RFC 7644 §3.4.2.2 and §3.5.2).
//!
//! Shared by the filter parser, the SQL compiler, the in-memory matcher used for PATCH value
//! filters, and the PATCH engine.

/// `[schema-URN ":"] attrName ["." subAttr]`. Names keep the spelling the client sent; lookups
/// are case-insensitive (RFC 7643 §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// Schema URN prefix, e.g. `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`.
    pub uri: Option<String>,
    pub attr: String,
    pub sub_attr: Option<String>,
}

/// Comparison operators of RFC 7644 §3.4.2.2, table 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A comparison literal: JSON string, number, boolean or null.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Str(String),
    Num(serde_json::Number),
    Bool(bool),
    Null,
}

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attrPath pr`
    Present(AttrPath),
    /// `attrPath op value`
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    /// `attrPath "[" valFilter "]"`, e.g. `emails[type eq "work" and primary eq true]`.
    /// Inside `filter`, paths are relative to the elements of `attr` (sub-attribute names).
    ValuePath {
        attr: AttrPath,
        filter: Box<Filter>,
    },
}

/// A PATCH `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath ["." subAttr]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute addressed, with `sub_attr` set for `name.givenName`-style paths.
    pub attr: AttrPath,
    /// The `[...]` selection of multi-valued elements, if any.
    pub value_filter: Option<Filter>,
    /// For `emails[type eq "work"].value`: the sub-attribute after the brackets.
    pub sub_attr_after_filter: Option<String>,
}
