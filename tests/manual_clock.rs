//! The manual clock is held in memory: SCIM requests do not read it from the database (it cost
//! a database read per request), the admin clock route reads it exactly, and a move made behind
//! the process's back (another process sharing the database) is seen after the TTL on SQLite,
//! and at once on PostgreSQL, which announces it (issue 16).
//!
//! The stored time is changed directly in the database here, as another process would, and
//! `meta.created` of new users tells which time the server used.

mod common;

use std::time::Duration;

use abm_scim::clock::ClockMode;
use abm_scim::testing::TestServer;
use chrono::{DateTime, Utc};
use common::{send, Engine};
use reqwest::Method;
use serde_json::json;
use sqlx::Connection;

/// Moves the stored manual clock to `to`, as another process sharing the database would.
async fn move_stored_clock(engine: Engine, url: &str, to: DateTime<Utc>) {
    let sql = "UPDATE settings SET value = $1 WHERE key = 'manual_clock_now'";
    let value = to.timestamp_micros().to_string();
    let changed = match engine {
        Engine::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open");
            let done = sqlx::query(sql).bind(&value).execute(&mut conn).await;
            done.expect("update the clock").rows_affected()
        }
        Engine::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
            let done = sqlx::query(sql).bind(&value).execute(&mut conn).await;
            done.expect("update the clock").rows_affected()
        }
    };
    assert_eq!(changed, 1);
}

/// Creates a user and returns its `meta.created`.
async fn created_at(server: &TestServer, user_name: &str) -> DateTime<Utc> {
    let (status, body) = send(server.scim(Method::POST, "/Users").json(&json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
    })))
    .await;
    assert_eq!(status, 201, "{body}");
    body["meta"]["created"]
        .as_str()
        .expect("meta.created")
        .parse()
        .expect("an RFC 3339 time")
}

async fn admin_clock(server: &TestServer) -> DateTime<Utc> {
    let (status, body) = send(server.admin().request(Method::GET, "/clock")).await;
    assert_eq!(status, 200, "{body}");
    body["now"].as_str().expect("now").parse().expect("a time")
}

async fn scim_requests_use_the_clock_held_in_memory(engine: Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    // A database another process could share: a SQLite file, or PostgreSQL.
    let url = match engine {
        Engine::Sqlite => format!("sqlite:{}", dir.path().join("abm.db").display()),
        Engine::Postgres => engine.fresh_database_url().await,
    };
    let ttl = Duration::from_millis(600);
    let server = TestServer::builder()
        .database_url(&url)
        .clock(ClockMode::Manual)
        .configure(|args| args.auth_cache_ttl = ttl)
        .start()
        .await;
    // A first SCIM request connects directory sync (ABM's 4-day window is then behind us).
    let (status, body) = send(server.scim(Method::GET, "/Users")).await;
    assert_eq!(status, 200, "{body}");
    // A whole minute, so that `meta.created` (milliseconds) can be compared with it.
    let now = admin_clock(&server).await;
    let start = DateTime::from_timestamp((now.timestamp() / 60 + 1) * 60, 0).unwrap();
    let (status, body) = send(
        server
            .admin()
            .request(Method::POST, "/clock")
            .json(&json!({"set": start.to_rfc3339()})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(admin_clock(&server).await, start);
    assert_eq!(created_at(&server, "first@example.com").await, start);

    // Another process moves the clock a day on.
    let later = start + chrono::Duration::days(1);
    move_stored_clock(engine, &url, later).await;
    match engine {
        // SQLite: this process's SCIM requests keep the time they hold (no read per request)...
        Engine::Sqlite => {
            assert_eq!(
                created_at(&server, "second@example.com").await,
                start,
                "a SCIM request within the TTL reads no clock from the database"
            );
            // ...and once the held time is older than the TTL, they read it again.
            tokio::time::sleep(ttl + Duration::from_millis(100)).await;
            assert_eq!(created_at(&server, "third@example.com").await, later);
        }
        // PostgreSQL announces the move (NOTIFY, issue 16): it is seen well before the TTL.
        Engine::Postgres => {
            let moved = std::time::Instant::now();
            let mut i = 0;
            while created_at(&server, &format!("second-{i}@example.com")).await != later {
                i += 1;
                assert!(
                    moved.elapsed() < ttl / 2,
                    "the announced move was not seen within {:?}",
                    ttl / 2
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }

    // The admin route reads the stored time exactly, and what it read is held from then on.
    let latest = later + chrono::Duration::days(1);
    move_stored_clock(engine, &url, latest).await;
    assert_eq!(admin_clock(&server).await, latest);
    assert_eq!(created_at(&server, "fourth@example.com").await, latest);

    // A move through this process applies to its very next request.
    server.admin().advance_clock("P1D").await;
    assert_eq!(
        created_at(&server, "fifth@example.com").await,
        latest + chrono::Duration::days(1)
    );
    server.stop().await;
}

on_both_engines!(scim_requests_use_the_clock_held_in_memory);
