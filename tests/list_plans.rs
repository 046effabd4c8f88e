//! Query plans of the list statements, on both engines: `totalResults` counts and the rows a
//! deep `startIndex` page skips come from the SCIM-visible partial indexes alone (no table visit
//! per row), and a cursor page seeks to its cursor's key instead of scanning up to it. The
//! statements checked are the ones the store runs (`AccountQuery::page_sql` / `count_sql` over
//! `SCIM_VISIBLE_SQL`, with the keyset condition of `Cursor::condition`).

mod common;
mod plan_support;

use abm_scim::scim::filter_sql::{SqlFragment, SqlParam};
use abm_scim::service::{Cursor, CursorOrder, SCIM_VISIBLE_SQL};
use abm_scim::store::AccountQuery;
use common::Engine;
use plan_support::{postgres_plan, sqlite_plan, PlanDatabase};

/// A list query over SCIM-visible accounts with `extra` ANDed to the visibility condition.
fn list_query(
    extra: Option<&str>,
    params: Vec<SqlParam>,
    order_by: &str,
    offset: i64,
) -> AccountQuery {
    let sql = match extra {
        Some(extra) => format!("{SCIM_VISIBLE_SQL} AND ({extra})"),
        None => SCIM_VISIBLE_SQL.to_string(),
    };
    AccountQuery {
        org_id: "org".into(),
        condition: SqlFragment { sql, params },
        order_by: order_by.into(),
        limit: 100,
        offset,
        count_total: true,
        key: None,
    }
}

/// What is explained: the count, the id subquery of a deep page, or a cursor page.
#[derive(Clone, Copy)]
enum Statement {
    Count,
    DeepPageIds,
    CursorPage,
}

impl Statement {
    fn sql(self, query: &AccountQuery) -> String {
        match self {
            Statement::Count => query.count_sql(),
            Statement::DeepPageIds => {
                let ids = query.page_ids_sql();
                assert!(
                    query.page_sql("a.*").contains(&format!("({ids}) page")),
                    "a page that skips rows selects its ids first"
                );
                ids
            }
            Statement::CursorPage => query.page_sql("a.id"),
        }
    }
}

/// A cursor page's query: the visibility condition and the cursor's keyset, as
/// `scim_list_users` builds it.
fn cursor_query(cursor: Cursor, order: CursorOrder, order_by: &str) -> AccountQuery {
    let (keyset, offset) = cursor.condition(order, 2).expect("a cursor of this order");
    let (sql, params) = keyset.expect("a keyset cursor");
    let mut query = list_query(None, params, order_by, offset);
    query.condition.sql = format!("{SCIM_VISIBLE_SQL} AND {sql}");
    query
}

/// One statement whose plan is checked.
struct Case {
    what: &'static str,
    query: AccountQuery,
    statement: Statement,
    /// The index it must read (a prefix matches any index starting so).
    index: &'static str,
    /// For a seek: what the index access must be bounded by, per engine (SQLite, PostgreSQL).
    seek: Option<(&'static str, &'static str)>,
}

fn cases() -> Vec<Case> {
    let by_created = "a.created_at ASC, a.id ASC";
    let by_user_name = "a.user_name_norm DESC, a.id DESC";
    let prefix = Some("a.user_name_norm >= $2 AND a.user_name_norm < $3");
    let prefix_params = || {
        vec![
            SqlParam::Text("grace.".into()),
            SqlParam::Text("grace/".into()),
        ]
    };
    vec![
        Case {
            what: "count of every visible account",
            query: list_query(None, vec![], by_created, 0),
            statement: Statement::Count,
            // Either SCIM-visible index holds every visible account; planners take the smaller.
            index: "accounts_scim_",
            seek: None,
        },
        Case {
            what: "a deep page in the default order",
            query: list_query(None, vec![], by_created, 899_900),
            statement: Statement::DeepPageIds,
            index: "accounts_scim_created",
            seek: None,
        },
        Case {
            what: "a deep page sorted by userName, descending",
            query: list_query(None, vec![], by_user_name, 899_900),
            statement: Statement::DeepPageIds,
            index: "accounts_scim_user_name",
            seek: None,
        },
        Case {
            what: "count of a userName prefix",
            query: list_query(prefix, prefix_params(), by_user_name, 0),
            statement: Statement::Count,
            index: "accounts_scim_user_name",
            seek: None,
        },
        Case {
            what: "a cursor page in the default order",
            query: cursor_query(
                Cursor::Created {
                    created_at: 1_700_000_000_000_000,
                    id: "0190".into(),
                },
                CursorOrder::Created,
                by_created,
            ),
            statement: Statement::CursorPage,
            index: "accounts_scim_created",
            seek: Some(("(created_at,id)>(?,?)", "ROW(created_at, id) > ")),
        },
        Case {
            what: "a cursor page sorted by userName, descending",
            query: cursor_query(
                Cursor::UserName {
                    norm: "m@example.com".into(),
                    id: "0190".into(),
                },
                CursorOrder::UserName { descending: true },
                by_user_name,
            ),
            statement: Statement::CursorPage,
            index: "accounts_scim_user_name",
            seek: Some(("(user_name_norm,id)<(?,?)", "ROW(user_name_norm, id) < ")),
        },
    ]
}

async fn counts_and_deep_pages_read_only_the_visible_indexes(engine: Engine) {
    let database = PlanDatabase::start(engine).await;
    // The rest of `database` (its temporary directory) lives to the end of the test.
    let (server, url, db_path) = (database.server, database.url, database.sqlite_path);
    for Case {
        what,
        query,
        statement,
        index,
        seek,
    } in cases()
    {
        let plan = match engine {
            Engine::Sqlite => sqlite_plan(&db_path, &statement.sql(&query)).await,
            // A test table is tiny: make the planner show whether the index *can* serve the
            // query (whether the statement implies the partial index's predicate), as it does
            // at 1M rows.
            Engine::Postgres => {
                let setup = ["SET enable_seqscan = off", "SET enable_bitmapscan = off"];
                postgres_plan(&url, &setup, &query, &statement.sql(&query)).await
            }
        };
        // SQLite: "SEARCH a USING [COVERING ]INDEX name (org_id=? AND (created_at,id)>(?,?))". A
        // partial index whose predicate the query implies is read without visiting the table
        // even when SQLite does not call it covering: the implied terms are dropped, and the row
        // lookup is deferred until a table column is needed, which for a count or an id list is
        // never. PostgreSQL: "Index [Only ]Scan [Backward] using name on accounts a", then its
        // "Index Cond: (...)" line.
        let reads_index = |line: &str| match engine {
            Engine::Sqlite => {
                line.contains(&format!("USING INDEX {index}"))
                    || line.contains(&format!("USING COVERING INDEX {index}"))
            }
            Engine::Postgres => {
                let index_only = line.contains("Index Only Scan");
                (index_only || matches!(statement, Statement::CursorPage))
                    && line.contains(&format!(" using {index}"))
            }
        };
        let lines: Vec<&str> = plan.lines().collect();
        let at = lines.iter().position(|line| reads_index(line));
        assert!(
            at.is_some(),
            "{what}: expected a read of {index} in the plan of\n{}\n--- plan ---\n{plan}",
            statement.sql(&query)
        );
        if let (Some(at), Some((sqlite, postgres))) = (at, seek) {
            let bounded = match engine {
                Engine::Sqlite => lines[at].contains(sqlite),
                Engine::Postgres => lines
                    .get(at + 1)
                    .is_some_and(|cond| cond.contains("Index Cond") && cond.contains(postgres)),
            };
            assert!(
                bounded,
                "{what}: the index read must seek to the cursor ({sqlite} / {postgres}) in the plan of\n{}\n--- plan ---\n{plan}",
                statement.sql(&query)
            );
        }
    }
    server.stop().await;
}

on_both_engines!(counts_and_deep_pages_read_only_the_visible_indexes);
