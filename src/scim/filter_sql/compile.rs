//! [`compile_filter`] and the filter tree walk: `and`/`or`/`not`, value-path scopes, resolution
//! of attribute names against the allow-list, presence tests and the `null`/`ne`/`resourceType`
//! rules of comparisons. Comparing one scalar with a literal is `scalar`'s job.

use super::scalar::expect_str;
use super::{Compiler, Dialect, Loc, SqlFragment};
use crate::scim::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::error::ProtocolError;
use crate::scim::filter_attrs::{allowed_names, find_sub, resolve, Kind, Sub, Target, Use};

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

fn unknown_attr(path: &AttrPath) -> ProtocolError {
    ProtocolError::invalid_filter(format!(
        "unknown attribute '{path}' in filter; filterable attributes are {}",
        allowed_names()
    ))
}

fn sub_names(subs: &[Sub]) -> String {
    subs.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

impl Compiler {
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
            Leaf::Object(keys, _) => self.object_present(keys),
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
}
