//! The admin account list (admin API and console): filters by state, source, role, userName and
//! userName prefix, keyset-paged in creation order. Each filter is written so that an index
//! serves it (migrations 0003, 0005 and 0009), whatever the size of the organization.

use super::accounts::AccountFilter;
use super::cursor::{Cursor, CursorOrder};
use super::roles::parse_role;
use super::{App, ServiceError, ServiceResult};
use crate::domain::{names, AccountSource, AccountState};
use crate::scim::filter_sql::{user_name_norm, SqlFragment, SqlParam};
use crate::store::{Account, AccountQuery};

impl App {
    /// One page of accounts, ordered by creation, with the cursor of the next page.
    pub async fn admin_list_accounts(
        &self,
        org_id: &str,
        filter: &AccountFilter,
    ) -> ServiceResult<(Vec<Account>, Option<String>)> {
        let org = self.require_org(org_id).await?;
        let mut conditions = vec!["TRUE".to_string()];
        let mut params = Vec::new();
        let mut push = |sql: &str, param: SqlParam, conditions: &mut Vec<String>| {
            params.push(param);
            conditions.push(sql.replace('#', &format!("${}", params.len() + 1)));
        };
        if let Some(state) = &filter.state {
            let state: AccountState = parse_one_of("state", state)?;
            push(
                "a.state = #",
                SqlParam::Text(state.as_str().to_string()),
                &mut conditions,
            );
        }
        if let Some(source) = &filter.source {
            // A literal (a closed set's name), to match the partial index of manual accounts.
            let source: AccountSource = parse_one_of("source", source)?;
            conditions.push(format!("a.source = '{}'", source.as_str()));
        }
        if let Some(role) = &filter.role {
            // A literal (a closed set's name, no quotes in it), not a parameter: it must match
            // the condition of the role's partial index (migration 0009) for the planner to
            // use it.
            let role = parse_role(org.kind, role)?;
            conditions.push(format!("a.roles LIKE '%\"{}\"%'", role.as_str()));
        }
        if let Some(user_name) = &filter.user_name {
            push(
                "a.user_name_norm = #",
                SqlParam::Text(user_name_norm(user_name)),
                &mut conditions,
            );
        }
        if let Some(prefix) = filter.user_name_prefix.as_deref().map(user_name_norm) {
            if !prefix.is_empty() {
                // `substr` decides, the same on both engines (no LIKE escaping, no collation);
                // a range ending after the last letter lets the userName index find the rows.
                let length = prefix.chars().count();
                if let Some(upper) = prefix_successor(&prefix) {
                    push(
                        "a.user_name_norm >= #",
                        SqlParam::Text(prefix.clone()),
                        &mut conditions,
                    );
                    push(
                        "a.user_name_norm < #",
                        SqlParam::Text(upper),
                        &mut conditions,
                    );
                }
                push(
                    &format!("substr(a.user_name_norm, 1, {length}) = #"),
                    SqlParam::Text(prefix),
                    &mut conditions,
                );
            }
        }
        if let Some(cursor) = &filter.cursor {
            // The same keyset cursor as SCIM's creation-ordered lists.
            let invalid = |_| {
                ServiceError::bad_request(
                    "invalid_cursor",
                    "cursor is not one this server returned",
                )
            };
            let (keyset, _) = Cursor::decode(cursor)
                .and_then(|c| c.condition(CursorOrder::Created, params.len() + 2))
                .map_err(invalid)?;
            if let Some((sql, values)) = keyset {
                conditions.push(sql);
                params.extend(values);
            }
        }
        let limit = filter.limit.unwrap_or(100).clamp(1, 1000);
        let page = self
            .store
            .query_accounts(&AccountQuery {
                org_id: org_id.to_string(),
                condition: SqlFragment {
                    sql: conditions.join(" AND "),
                    params,
                },
                order_by: "a.created_at ASC, a.id ASC".into(),
                limit: limit + 1,
                offset: 0,
                count_total: false,
                key: None,
            })
            .await?;
        let mut accounts = page.accounts;
        let next = if accounts.len() as i64 > limit {
            accounts.truncate(limit as usize);
            accounts
                .last()
                .map(|a| Cursor::after(a, CursorOrder::Created, 0).encode())
        } else {
            None
        };
        Ok((accounts, next))
    }
}

/// The first text after every text starting with `prefix`, when its last character is an ASCII
/// letter or digit (whose successor sorts after it in every collation; punctuation may be
/// ignored by a locale's collation, and then no range is used).
fn prefix_successor(prefix: &str) -> Option<String> {
    let last = prefix.chars().last()?;
    if !last.is_ascii_alphanumeric() || last == 'z' || last == 'Z' || last == '9' {
        return None;
    }
    let mut upper = prefix[..prefix.len() - 1].to_string();
    upper.push((last as u8 + 1) as char);
    Some(upper)
}

/// A query parameter naming a member of a closed set, exactly as it is spelled.
fn parse_one_of<T>(field: &str, value: &str) -> ServiceResult<T>
where
    T: std::str::FromStr + strum::VariantNames,
{
    value.parse().map_err(|_| {
        ServiceError::bad_request(
            "invalid_query",
            format!("{field} must be one of {}", names::<T>()),
        )
    })
}
