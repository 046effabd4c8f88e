//! Cursor pagination (RFC 9865) and index paging over the same data.

mod common;

use std::collections::HashSet;

use common::{send, Engine};
use reqwest::Method;
use serde_json::{json, Value};

async fn seed_users(server: &abm_scim::testing::TestServer, n: usize) {
    for i in 0..n {
        let body = json!({"userName": format!("user{:02}@example.com", (i * 7) % n), "displayName": format!("D{}", i % 5)});
        let (status, created) = send(server.scim(Method::POST, "/Users").json(&body)).await;
        assert_eq!(status, 201, "{created}");
    }
}

/// Walks every page of `query` by cursor; returns the ids in order.
async fn walk(server: &abm_scim::testing::TestServer, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    for _ in 0..20 {
        let (status, page) = send(server.scim(
            Method::GET,
            &format!("/Users?{query}&count=10&cursor={cursor}"),
        ))
        .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["totalResults"], 25);
        assert!(
            page.get("startIndex").is_none(),
            "cursor pages carry no startIndex"
        );
        ids.extend(
            page["Resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string()),
        );
        match page.get("nextCursor").and_then(Value::as_str) {
            Some(next) => cursor = next.to_string(),
            None => return ids,
        }
    }
    panic!("cursor walk did not end");
}

async fn cursor_pages_cover_everything_once(engine: Engine) {
    let server = engine.server().await;
    seed_users(&server, 25).await;
    for query in [
        "",
        "sortBy=userName",
        "sortBy=userName&sortOrder=descending",
        "sortBy=displayName",
        "filter=userName%20sw%20%22user%22",
    ] {
        let ids = walk(&server, query).await;
        assert_eq!(ids.len(), 25, "{query}");
        assert_eq!(
            ids.iter().collect::<HashSet<_>>().len(),
            25,
            "no duplicates for {query:?}"
        );
    }
    // Same order as index paging.
    let by_cursor = walk(&server, "sortBy=userName").await;
    let (_, all) = send(server.scim(Method::GET, "/Users?sortBy=userName&count=100")).await;
    let by_index: Vec<String> = all["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(by_cursor, by_index);
    let names: Vec<&str> = all["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    server.stop().await;
}

async fn bad_cursors_are_rejected(engine: Engine) {
    let server = engine.server().await;
    seed_users(&server, 25).await;
    let (status, body) = send(server.scim(Method::GET, "/Users?cursor=not-a-cursor")).await;
    assert_eq!(status, 400);
    assert_eq!(body["scimType"], "invalidCursor");
    // A cursor from one ordering used with another.
    let (_, first) = send(server.scim(Method::GET, "/Users?count=5&cursor=")).await;
    let next = first["nextCursor"].as_str().unwrap();
    let (status, body) = send(server.scim(
        Method::GET,
        &format!("/Users?count=5&sortBy=userName&cursor={next}"),
    ))
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["scimType"], "invalidCursor");
    server.stop().await;
}

async fn service_provider_config_advertises_cursor_paging(engine: Engine) {
    let server = engine.server().await;
    let (status, config) = send(server.scim(Method::GET, "/ServiceProviderConfig")).await;
    assert_eq!(status, 200);
    assert_eq!(config["pagination"]["cursor"], true, "{config}");
    assert_eq!(config["pagination"]["index"], true);
    server.stop().await;
}
/// `totalResults` is the filter's count on every index page: full, partial, past the end, and
/// for filters matching one account or none (the store infers it from a partial page).
async fn index_pages_report_the_filter_total_on_every_page(engine: Engine) {
    let server = engine.server().await;
    seed_users(&server, 25).await;
    let cases = [
        ("startIndex=1&count=10", 25, 10),
        ("startIndex=21&count=10", 25, 5),
        ("startIndex=25&count=10", 25, 1),
        ("startIndex=26&count=10", 25, 0),
        ("startIndex=40&count=10", 25, 0),
        ("count=0", 25, 0),
        ("filter=userName%20eq%20%22user03%40example.com%22", 1, 1),
        ("filter=userName%20eq%20%22nobody%40example.com%22", 0, 0),
        ("filter=displayName%20eq%20%22D1%22&count=3", 5, 3),
        (
            "filter=displayName%20eq%20%22D1%22&startIndex=4&count=3",
            5,
            2,
        ),
        (
            "filter=displayName%20eq%20%22D1%22&startIndex=6&count=3",
            5,
            0,
        ),
    ];
    for (query, total, items) in cases {
        let (status, page) = send(server.scim(Method::GET, &format!("/Users?{query}"))).await;
        assert_eq!(status, 200, "{query}: {page}");
        assert_eq!(page["totalResults"], total, "{query}: {page}");
        let resources = page["Resources"].as_array().map_or(0, Vec::len);
        assert_eq!(resources, items, "{query}: {page}");
    }
    server.stop().await;
}

on_both_engines!(
    index_pages_report_the_filter_total_on_every_page,
    cursor_pages_cover_everything_once,
    bad_cursors_are_rejected,
    service_provider_config_advertises_cursor_paging,
);
