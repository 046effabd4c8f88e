//! Cursor pagination (RFC 9865): opaque cursors carrying the last row's sort key, so a page
//! deep into a large list costs an index seek (keyset), not a scan of everything before it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::scim::error::{ProtocolError, ScimType};
use crate::scim::filter_sql::SqlParam;
use crate::store::Account;

/// A keyset condition (SQL with its bound values), or `None` with an offset to skip.
pub type PageStart = (Option<(String, Vec<SqlParam>)>, i64);

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Default order (creation time, then id).
    Created { created_at: i64, id: String },
    /// Ordered by userName.
    UserName { norm: String, id: String },
    /// Any other order: a plain offset.
    Offset(i64),
}

/// How a list is ordered, as far as cursors are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorOrder {
    Created,
    UserName { descending: bool },
    Other,
}

impl Cursor {
    /// The cursor pointing after `last` (the last row of a page) for `order`; `offset` is the
    /// position after the page, used for orders without a keyset.
    pub fn after(last: &Account, order: CursorOrder, offset: i64) -> Self {
        match order {
            CursorOrder::Created => Cursor::Created {
                created_at: last.created_at.as_micros(),
                id: last.id.clone(),
            },
            CursorOrder::UserName { .. } => Cursor::UserName {
                norm: last.user_name_norm.clone(),
                id: last.id.clone(),
            },
            CursorOrder::Other => Cursor::Offset(offset),
        }
    }

    pub fn encode(&self) -> String {
        let text = match self {
            Cursor::Created { created_at, id } => format!("c|{created_at}|{id}"),
            Cursor::UserName { norm, id } => format!("u|{id}|{norm}"),
            Cursor::Offset(offset) => format!("o|{offset}"),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    pub fn decode(text: &str) -> Result<Self, ProtocolError> {
        let invalid = || {
            ProtocolError::bad_request(
                ScimType::InvalidCursor,
                "the cursor is not one this server returned: start again with cursor= (empty)",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.splitn(3, '|');
        let cursor = match (parts.next(), parts.next(), parts.next()) {
            (Some("c"), Some(created_at), Some(id)) => Cursor::Created {
                created_at: created_at.parse().map_err(|_| invalid())?,
                id: id.to_string(),
            },
            (Some("u"), Some(id), Some(norm)) => Cursor::UserName {
                norm: norm.to_string(),
                id: id.to_string(),
            },
            (Some("o"), Some(offset), None) => {
                Cursor::Offset(offset.parse().map_err(|_| invalid())?)
            }
            _ => return Err(invalid()),
        };
        Ok(cursor)
    }

    /// The keyset condition for this cursor under `order`, with placeholders from `first_param`,
    /// or the offset to use.
    ///
    /// A row-value comparison, which both engines turn into one seek on the (org, key, id)
    /// index. The equivalent `key > x OR (key = x AND id > y)` is not: PostgreSQL scanned the
    /// index from the organization's first row, and where many rows share the key (accounts
    /// loaded in bulk share `created_at`) any range on the key alone still walks them all.
    pub fn condition(
        &self,
        order: CursorOrder,
        first_param: usize,
    ) -> Result<PageStart, ProtocolError> {
        let mismatch = || {
            ProtocolError::bad_request(
                ScimType::InvalidCursor,
                "the cursor belongs to a list with another sortBy/sortOrder: start again with cursor= (empty)",
            )
        };
        let (a, b) = (first_param, first_param + 1);
        match (self, order) {
            (Cursor::Created { created_at, id }, CursorOrder::Created) => Ok((
                Some((
                    format!("(a.created_at, a.id) > (${a}, ${b})"),
                    vec![SqlParam::Int(*created_at), SqlParam::Text(id.clone())],
                )),
                0,
            )),
            (Cursor::UserName { norm, id }, CursorOrder::UserName { descending }) => {
                let cmp = if descending { "<" } else { ">" };
                Ok((
                    Some((
                        format!("(a.user_name_norm, a.id) {cmp} (${a}, ${b})"),
                        vec![SqlParam::Text(norm.clone()), SqlParam::Text(id.clone())],
                    )),
                    0,
                ))
            }
            (Cursor::Offset(offset), CursorOrder::Other) if *offset >= 0 => Ok((None, *offset)),
            _ => Err(mismatch()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        for cursor in [
            Cursor::Created {
                created_at: 42,
                id: "a-b".into(),
            },
            Cursor::UserName {
                norm: "x|y@example.com".into(),
                id: "id".into(),
            },
            Cursor::Offset(300),
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
        for bad in ["", "!!", "bm9wZQ", &URL_SAFE_NO_PAD.encode("c|x|y")] {
            let err = Cursor::decode(bad).unwrap_err();
            assert_eq!(err.scim_type, Some(ScimType::InvalidCursor));
        }
        assert!(Cursor::Offset(1)
            .condition(CursorOrder::Created, 2)
            .is_err());
    }
}
