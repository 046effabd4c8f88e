//! `GET /Users` and `POST /Users/.search`: filtering, sorting and paging, all in SQL.

use super::{App, ScimPrincipal, ServiceResult};
use crate::scim::error::{ProtocolError, ScimType};
use crate::scim::filter::parse_filter;
use crate::scim::filter_sql::{compile_filter, sort_expression, SqlFragment};
use crate::store::{Account, AccountQuery};

/// What SCIM can see: synced accounts that were not deleted through SCIM nor unlinked by a
/// Person ID edit. Constant SQL, no parameters.
const SCIM_VISIBLE_SQL: &str =
    "a.source = 'scim' AND a.state <> 'conflict' AND a.scim_deleted = FALSE";

/// List parameters of RFC 7644 §3.4.2, as sent.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
}

/// One page of a list.
#[derive(Debug)]
pub struct ListPage {
    pub accounts: Vec<Account>,
    pub total: i64,
    pub start_index: i64,
}

impl App {
    /// Runs a SCIM list query for the principal's organization.
    pub async fn scim_list_users(
        &self,
        principal: &ScimPrincipal,
        request: &ListRequest,
    ) -> ServiceResult<ListPage> {
        let dialect = self.store.dialect();
        let mut condition = SqlFragment {
            sql: SCIM_VISIBLE_SQL.to_string(),
            params: Vec::new(),
        };
        if let Some(text) = request.filter.as_deref().filter(|f| !f.trim().is_empty()) {
            let filter = parse_filter(text)?;
            let compiled = compile_filter(&filter, dialect, 2)?;
            condition.sql = format!("{} AND ({})", condition.sql, compiled.sql);
            condition.params = compiled.params;
        }
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
        let order_by = match request.sort_by.as_deref().filter(|s| !s.trim().is_empty()) {
            // Ties are broken by id so pages never overlap or skip.
            Some(attr) => format!(
                "{} {direction}, a.id {direction}",
                sort_expression(attr, dialect)?
            ),
            None => "a.created_at ASC, a.id ASC".to_string(),
        };
        let start_index = request.start_index.unwrap_or(1).max(1);
        let max = i64::from(self.settings.max_results);
        let count = request.count.unwrap_or(max).clamp(0, max);
        let page = self
            .store
            .query_accounts(&AccountQuery {
                org_id: principal.org.id.clone(),
                condition,
                order_by,
                limit: count,
                offset: start_index - 1,
                count_total: true,
            })
            .await?;
        Ok(ListPage {
            total: page.total.unwrap_or(0),
            accounts: page.accounts,
            start_index,
        })
    }
}
