//! Lookups that pin a key (`userName eq`, `id eq`, `externalId eq`, alone or ANDed with more) are
//! read through that key's index whatever the planner's statistics say, on both engines.
//!
//! Identity providers look a user up by `userName eq` before every `POST /Users` of their first
//! sync, into a table they are filling: nothing has analysed it yet. PostgreSQL then read such a
//! lookup through the list order's index, checking every account of the organization (11.6 ms
//! at 10k accounts; after `ANALYZE`, 0.14 ms through the key's index). So the accounts here are
//! provisioned as IdPs do it, through `POST /Users` on a server, into a table that is either
//! never analysed (autovacuum off for it, so that it cannot step in) or analysed while empty and
//! then filled (stale statistics), and the plans of the statements the store runs are checked.

mod common;
mod plan_support;

use abm_scim::service::visible_condition;
use abm_scim::store::AccountQuery;
use abm_scim::testing::TestServer;
use common::{send, Engine};
use plan_support::{postgres_plan, sqlite_plan, PlanDatabase};
use reqwest::Method;
use serde_json::json;
use sqlx::Connection;

/// Accounts provisioned before the plans are read: enough that reading the organization's
/// whole list index is the slow plan it is in production.
const ACCOUNTS: usize = 600;
/// Concurrent `POST /Users` connections, as an IdP's provisioning runs.
const CLIENTS: usize = 8;

/// The statistics the planner has when the lookups arrive.
#[derive(Clone, Copy, Debug)]
enum Statistics {
    /// The table was never analysed.
    Never,
    /// Analysed while empty, then filled.
    Stale,
}

fn user_name(i: usize) -> String {
    format!("Lookup-{i}@Example.com")
}

fn external_id(i: usize) -> String {
    format!("ext-{i}")
}

/// Provisions [`ACCOUNTS`] users through `POST /Users`; returns the id of user 0.
async fn provision(server: &TestServer) -> String {
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let requests: Vec<_> = (client..ACCOUNTS)
            .step_by(CLIENTS)
            .map(|i| {
                (
                    i,
                    server.scim(Method::POST, "/Users").json(&json!({
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "userName": user_name(i),
                        "externalId": external_id(i),
                        "name": {"givenName": "Lookup", "familyName": format!("{i}")},
                        "active": true,
                    })),
                )
            })
            .collect();
        tasks.spawn(async move {
            let mut first = None;
            for (i, request) in requests {
                let (status, body) = send(request).await;
                assert_eq!(status, 201, "{body}");
                if i == 0 {
                    first = body["id"].as_str().map(str::to_string);
                }
            }
            first
        });
    }
    let mut first = None;
    while let Some(done) = tasks.join_next().await {
        first = first.or(done.expect("provisioning task"));
    }
    first.expect("user 0 was created")
}

/// A lookup whose plan is checked: the filter, and the index that must answer it per engine
/// (SQLite, PostgreSQL) with the key column it must be searched by.
struct Lookup {
    filter: String,
    index: (&'static str, &'static str),
    column: &'static str,
}

fn lookups(id: &str) -> Vec<Lookup> {
    let user_name_index = ("accounts_org_user_name", "accounts_org_user_name");
    let external_id_index = ("accounts_org_external_id", "accounts_org_external_id");
    vec![
        Lookup {
            filter: format!(r#"userName eq "{}""#, user_name(17)),
            index: user_name_index,
            column: "user_name_norm",
        },
        Lookup {
            filter: format!(r#"id eq "{id}""#),
            index: ("sqlite_autoindex_accounts_1", "accounts_pkey"),
            column: "id",
        },
        Lookup {
            filter: format!(r#"externalId eq "{}""#, external_id(17)),
            index: external_id_index,
            column: "external_id",
        },
        Lookup {
            filter: format!(r#"userName eq "{}" and active eq true"#, user_name(17)),
            index: user_name_index,
            column: "user_name_norm",
        },
        Lookup {
            filter: format!(
                r#"active eq true and (name.familyName pr and externalId eq "{}")"#,
                external_id(17)
            ),
            index: external_id_index,
            column: "external_id",
        },
    ]
}

/// The page and count statements the store runs for `filter` in the default list order.
fn statements(org_id: &str, filter: &str, engine: Engine) -> (AccountQuery, Vec<String>) {
    let dialect = match engine {
        Engine::Sqlite => abm_scim::scim::filter_sql::Dialect::Sqlite,
        Engine::Postgres => abm_scim::scim::filter_sql::Dialect::Postgres,
    };
    let (condition, key) = visible_condition(Some(filter), dialect).expect("a valid filter");
    assert!(key.is_some(), "{filter} pins a key");
    let query = AccountQuery {
        org_id: org_id.into(),
        condition,
        order_by: "a.created_at ASC, a.id ASC".into(),
        limit: 100,
        offset: 0,
        count_total: true,
        key,
    };
    let sql = vec![query.page_sql("a.*"), query.count_sql()];
    (query, sql)
}

/// Runs `sql` on the database the server uses.
async fn execute(engine: Engine, url: &str, sql: &str) {
    match engine {
        Engine::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open");
            sqlx::query(sql).execute(&mut conn).await.expect(sql);
        }
        Engine::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query(sql).execute(&mut conn).await.expect(sql);
        }
    }
}

async fn key_lookups_use_the_key_index(engine: Engine, statistics: Statistics) {
    let database = PlanDatabase::start(engine).await;
    // The rest of `database` (its temporary directory) lives to the end of the test.
    let (server, url, db_path) = (database.server, database.url, database.sqlite_path);
    if engine == Engine::Postgres {
        // Autovacuum could analyse the table while it fills; what is checked is the plan
        // before anything did.
        execute(
            engine,
            &url,
            "ALTER TABLE accounts SET (autovacuum_enabled = false)",
        )
        .await;
    }
    if let Statistics::Stale = statistics {
        execute(engine, &url, "ANALYZE accounts").await;
    }
    let id = provision(&server).await;
    if engine == Engine::Postgres {
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
        let analysed: i64 = sqlx::query_scalar(
            "SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'accounts'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("pg_stat_user_tables");
        let expected = match statistics {
            Statistics::Never => 0,
            Statistics::Stale => 1,
        };
        assert_eq!(analysed, expected, "{statistics:?}: analyses of accounts");
    }

    for Lookup {
        filter,
        index,
        column,
    } in lookups(&id)
    {
        // The server answers the lookup (what an IdP sees).
        let (status, body) = send(server.scim(
            Method::GET,
            &format!("/Users?filter={}", urlencode(&filter)),
        ))
        .await;
        assert_eq!(status, 200, "{filter}: {body}");
        assert_eq!(body["totalResults"], 1, "{filter}: {body}");

        let (query, sql) = statements(server.default_org_id(), &filter, engine);
        for sql in sql {
            let plan = match engine {
                Engine::Sqlite => sqlite_plan(&db_path, &sql).await,
                // The planner's settings left alone: the plan it picks, not the one it could.
                Engine::Postgres => postgres_plan(&url, &[], &query, &sql).await,
            };
            let context =
                format!("{statistics:?} statistics, {filter}:\n{sql}\n--- plan ---\n{plan}");
            assert!(
                !plan.contains("accounts_scim_") && !plan.contains("accounts_org_created"),
                "{context}\nno list-order index may serve a key lookup"
            );
            let lines: Vec<&str> = plan.lines().collect();
            let searched = match engine {
                // "SEARCH accounts USING INDEX accounts_org_user_name (org_id=? AND user_name_norm=?)"
                Engine::Sqlite => lines.iter().any(|line| {
                    line.contains(&format!("USING INDEX {} (", index.0))
                        && line.contains(&format!("{column}=?"))
                }),
                // "Index Scan using accounts_org_user_name on accounts", then "Index Cond: (...)".
                Engine::Postgres => lines.windows(2).any(|pair| {
                    pair[0].contains(&format!(" using {} on accounts", index.1))
                        && pair[1].contains("Index Cond")
                        && pair[1].contains(&format!("{column} = "))
                }),
            };
            assert!(
                searched,
                "{context}\nexpected a search of {index:?} by {column}"
            );
        }
    }
    server.stop().await;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn never_analysed(engine: Engine) {
    key_lookups_use_the_key_index(engine, Statistics::Never).await
}

async fn stale_statistics(engine: Engine) {
    key_lookups_use_the_key_index(engine, Statistics::Stale).await
}

on_both_engines!(never_analysed, stale_statistics);
