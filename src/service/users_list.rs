//! `GET /Users` and `POST /Users/.search`: filtering, sorting and paging, all in SQL.

use super::cursor::{Cursor, CursorOrder};
use super::{App, ScimPrincipal, ServiceResult};
use crate::scim::error::{ProtocolError, ScimType};
use crate::scim::filter::parse_filter;
use crate::scim::filter_key::key_lookup;
use crate::scim::filter_sql::{compile_filter, sort_expression, Dialect, SqlFragment, SqlParam};
use crate::store::{Account, AccountQuery, KeyLookup};

/// What SCIM can see: synced accounts that were not deleted through SCIM nor unlinked by a
/// Person ID edit. Constant SQL, no parameters. The partial indexes of migration 0005 repeat
/// it word for word (SQLite matches them to a query by its terms, as written).
pub const SCIM_VISIBLE_SQL: &str =
    "a.source = 'scim' AND a.state <> 'conflict' AND a.scim_deleted = FALSE";

/// List parameters of RFC 7644 §3.4.2, as sent.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    /// RFC 9865 cursor: `Some("")` asks for the first page of a cursor-paged list.
    pub cursor: Option<String>,
}

/// One page of a list.
#[derive(Debug)]
pub struct ListPage {
    pub accounts: Vec<Account>,
    pub total: i64,
    pub start_index: i64,
    /// Set when the client pages by cursor: the cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
    /// Whether the client pages by cursor (then `startIndex` is not reported).
    pub by_cursor: bool,
}

/// The condition of a SCIM list over SCIM-visible accounts with `filter` (compiled for
/// `dialect`, placeholders from `$2`), and the key the filter pins, if any.
pub fn visible_condition(
    filter: Option<&str>,
    dialect: Dialect,
) -> Result<(SqlFragment, Option<KeyLookup>), ProtocolError> {
    let mut condition = SqlFragment {
        sql: SCIM_VISIBLE_SQL.to_string(),
        params: Vec::new(),
    };
    let Some(text) = filter.filter(|f| !f.trim().is_empty()) else {
        return Ok((condition, None));
    };
    let filter = parse_filter(text)?;
    let compiled = compile_filter(&filter, dialect, 2)?;
    if compiled
        .params
        .iter()
        .any(|p| matches!(p, SqlParam::Text(t) if t.contains('\0')))
    {
        // Nothing stored holds U+0000 (bodies with it are refused), and PostgreSQL
        // cannot compare such text: say so rather than fail.
        return Err(ProtocolError::invalid_filter(
            "a filter value holds a NUL character (\\u0000), which no attribute value can contain: remove it",
        ));
    }
    condition.sql = format!("{} AND ({})", condition.sql, compiled.sql);
    condition.params = compiled.params;
    Ok((condition, key_lookup(&filter, dialect)))
}

impl App {
    /// Runs a SCIM list query for the principal's organization.
    pub async fn scim_list_users(
        &self,
        principal: &ScimPrincipal,
        request: &ListRequest,
    ) -> ServiceResult<ListPage> {
        let dialect = self.store.dialect();
        let (condition, key) = visible_condition(request.filter.as_deref(), dialect)?;
        let descending = match request
            .sort_order
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("") | Some("ascending") => false,
            Some("descending") => true,
            Some(other) => {
                return Err(ProtocolError::bad_request(
                    ScimType::InvalidValue,
                    format!("sortOrder must be \"ascending\" or \"descending\", not {other:?}"),
                )
                .into())
            }
        };
        let direction = if descending { "DESC" } else { "ASC" };
        let sort_by = request
            .sort_by
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let (order_by, cursor_order) = match sort_by {
            None => (
                "a.created_at ASC, a.id ASC".to_string(),
                CursorOrder::Created,
            ),
            // Ties are broken by id so pages never overlap or skip.
            Some(attr) => {
                let expression = sort_expression(attr, dialect)?;
                let order = if expression == "a.user_name_norm" {
                    CursorOrder::UserName { descending }
                } else {
                    CursorOrder::Other
                };
                (format!("{expression} {direction}, a.id {direction}"), order)
            }
        };
        let max = i64::from(self.settings.max_results);
        let count = request.count.unwrap_or(max).clamp(0, max);
        let by_cursor = request.cursor.is_some();
        let mut offset = request.start_index.unwrap_or(1).max(1) - 1;
        let mut page_condition = condition.clone();
        if let Some(text) = request
            .cursor
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let (keyset, cursor_offset) =
                Cursor::decode(text)?.condition(cursor_order, page_condition.params.len() + 2)?;
            if let Some((sql, params)) = keyset {
                page_condition.sql = format!("{} AND {sql}", page_condition.sql);
                page_condition.params.extend(params);
            }
            offset = cursor_offset;
        } else if by_cursor {
            offset = 0;
        }
        // One row more than asked tells whether a next page exists.
        let page = self
            .store
            .query_accounts(&AccountQuery {
                org_id: principal.org.id.clone(),
                condition: page_condition,
                order_by,
                limit: count + i64::from(by_cursor),
                offset,
                // An index page counts its own filter (the store can often tell the total from
                // the page alone); a cursor page's condition also holds the keyset, so the total
                // is counted apart.
                count_total: !by_cursor,
                key: key.clone(),
            })
            .await?;
        let total = match page.total {
            Some(total) => total,
            None => self.count_visible(principal, &condition, key).await?,
        };
        let mut accounts = page.accounts;
        let next_cursor = if by_cursor && accounts.len() as i64 > count {
            accounts.truncate(count as usize);
            accounts
                .last()
                .map(|last| Cursor::after(last, cursor_order, offset + count).encode())
        } else {
            None
        };
        let start_index = offset + 1;
        Ok(ListPage {
            total,
            accounts,
            start_index,
            next_cursor,
            by_cursor,
        })
    }

    /// `totalResults`: how many accounts the filter selects (before paging).
    async fn count_visible(
        &self,
        principal: &ScimPrincipal,
        condition: &SqlFragment,
        key: Option<KeyLookup>,
    ) -> ServiceResult<i64> {
        let page = self
            .store
            .query_accounts(&AccountQuery {
                org_id: principal.org.id.clone(),
                condition: condition.clone(),
                order_by: "a.id".into(),
                limit: 0,
                offset: 0,
                count_total: true,
                key,
            })
            .await?;
        Ok(page.total.unwrap_or(0))
    }
}
