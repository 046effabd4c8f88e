//! Issue 13: the admin API's OpenAPI document states the rules the handlers enforce. Values the
//! document allows are drawn from its own patterns and sent to a real server, which must accept
//! them; and where the document exposed a handler that broke its contract (a 500, a time no
//! RFC 3339 text can hold, a length counted in bytes), the handler now keeps it.

mod admin_support;
mod common;

use abm_scim::testing::TestServer;
use admin_support::*;
use common::Engine;
use proptest::strategy::{Strategy, ValueTree};
use reqwest::Method;
use serde_json::{json, Value};

/// The document as the server serves it.
async fn document(server: &TestServer) -> Value {
    let (status, doc) =
        common::send(reqwest::Client::new().get(format!("{}/openapi.json", server.base_url())))
            .await;
    assert_eq!(status, 200);
    doc
}

/// The string schema of `schema.property` (past a `null` alternative).
fn property<'a>(doc: &'a Value, schema: &str, property: &str) -> &'a Value {
    let p = &doc["components"]["schemas"][schema]["properties"][property];
    assert!(p.is_object(), "{schema}.{property} is documented");
    p
}

/// `count` distinct values the schema allows: drawn from its pattern, kept within its lengths.
fn allowed(schema: &Value, count: usize) -> Vec<String> {
    let pattern = schema["pattern"].as_str().expect("a pattern");
    let inner = pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix('$'))
        .unwrap();
    let strategy = proptest::string::string_regex(inner).unwrap();
    let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
    let max = schema["maxLength"]
        .as_u64()
        .map_or(usize::MAX, |m| m as usize);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut out: Vec<String> = Vec::new();
    for _ in 0..count * 20 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        let length = value.chars().count();
        if (min..=max).contains(&length) && !out.contains(&value) {
            out.push(value);
        }
        if out.len() == count {
            return out;
        }
    }
    panic!(
        "{pattern}: {} values within {min}..={max} characters",
        out.len()
    );
}

async fn documented_names_and_domains_are_accepted(engine: Engine) {
    let server = engine.server().await;
    let doc = document(&server).await;
    let org = new_org(&server, "Contract", "contract.test").await;
    for name in allowed(property(&doc, "CreateOrgRequest", "name"), 40) {
        let (status, body) =
            admin(&server, Method::POST, "/orgs", Some(json!({"name": name}))).await;
        assert_eq!(status, 201, "{name:?}: {body}");
        assert_eq!(body["name"], name.trim(), "stored trimmed");
        let path = format!("/orgs/{}", body["id"].as_str().unwrap());
        let (status, body) =
            admin(&server, Method::PATCH, &path, Some(json!({"name": name}))).await;
        assert_eq!(status, 200, "PATCH {name:?}: {body}");
    }
    for name in allowed(property(&doc, "DomainRequest", "name"), 40) {
        let body = json!({"name": name, "verified": true});
        let (status, body) = admin(
            &server,
            Method::POST,
            &format!("/orgs/{org}/domains"),
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{name:?}: {body}");
    }
    server.stop().await;
}

async fn documented_user_names_and_person_ids_are_accepted(engine: Engine) {
    let server = engine.server().await;
    let doc = document(&server).await;
    let org = new_org(&server, "Contract", "contract.test").await;
    let accounts = format!("/orgs/{org}/accounts");
    let person_ids = allowed(property(&doc, "PatchAccountRequest", "person_id"), 30);
    let user_names = allowed(property(&doc, "CreateAccountRequest", "user_name"), 30);
    for (user_name, person_id) in user_names.iter().zip(&person_ids) {
        let body = json!({"user_name": user_name, "roles": ["staff", "People Manager"]});
        let (status, account) = admin(&server, Method::POST, &accounts, Some(body)).await;
        if status == 409 {
            // Two drawn names can be one name case-insensitively.
            assert_error(status, &account, 409, "user_name_taken");
            continue;
        }
        assert_eq!(status, 201, "{user_name:?}: {account}");
        assert_eq!(account["roles"], json!(["Staff", "People Manager"]));
        let path = format!("{accounts}/{}", account["id"].as_str().unwrap());
        let (status, body) = admin(
            &server,
            Method::PATCH,
            &path,
            Some(json!({"person_id": person_id})),
        )
        .await;
        assert_eq!(status, 200, "person_id {person_id:?}: {body}");
        assert_eq!(body["person_id"], person_id.trim());
    }
    server.stop().await;
}

/// Lengths are in characters, as the errors and the document say (they were bytes for an
/// organization's name and a Person ID).
async fn lengths_count_characters(engine: Engine) {
    let server = engine.server().await;
    let name = "é".repeat(200);
    let (status, body) = admin(&server, Method::POST, "/orgs", Some(json!({"name": name}))).await;
    assert_eq!(status, 201, "{body}");
    let org = body["id"].as_str().unwrap().to_string();
    let (status, body) = admin(
        &server,
        Method::POST,
        "/orgs",
        Some(json!({"name": "é".repeat(201)})),
    )
    .await;
    assert_error(status, &body, 400, "invalid_name");
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"name": "ö".repeat(200)})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, account) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/accounts"),
        Some(json!({"user_name": "ann@example.com"})),
    )
    .await;
    assert_eq!(status, 201, "{account}");
    let path = format!("/orgs/{org}/accounts/{}", account["id"].as_str().unwrap());
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &path,
        Some(json!({"person_id": "人".repeat(64)})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &path,
        Some(json!({"person_id": "人".repeat(65)})),
    )
    .await;
    assert_error(status, &body, 400, "invalid_person_id");
    server.stop().await;
}

/// The manual clock stops at 9001-01-01, so that every time derived from it (a token's expiry a
/// year on) is still an RFC 3339 time: past it, `now` read `+10000-...`.
async fn the_clock_stops_where_times_still_have_four_digit_years(engine: Engine) {
    let server = engine.server().await;
    let before = get(&server, "/clock").await;
    let (status, body) = admin(
        &server,
        Method::POST,
        "/clock",
        Some(json!({"set": "9500-01-01T00:00:00Z"})),
    )
    .await;
    assert_error(status, &body, 409, "clock_limit");
    assert_eq!(
        get(&server, "/clock").await,
        before,
        "refused: the clock did not move"
    );
    let (status, body) = admin(
        &server,
        Method::POST,
        "/clock",
        Some(json!({"set": "8999-12-31T23:59:59-23:59"})),
    )
    .await;
    assert_eq!(status, 200, "the latest time the document allows: {body}");
    let (status, body) = admin(
        &server,
        Method::POST,
        "/clock",
        Some(json!({"advance": "P9999Y"})),
    )
    .await;
    assert_error(status, &body, 409, "clock_limit");
    let org = new_org(&server, "Late", "late.test").await;
    let (status, token) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{token}");
    let expires: chrono::DateTime<chrono::Utc> =
        token["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(
        token["expires_at"].as_str().unwrap().starts_with("9001-"),
        "{token}"
    );
    assert!(expires > time(&get(&server, "/clock").await["now"]));
    server.stop().await;
}

/// What the seed document's schema states that `apply_seed` did not check: ids are not empty
/// (an organization with the id "" is one no path names), and an account was deactivated at most
/// 36500 days ago (u32::MAX days overflowed: 500).
async fn seeds_keep_to_their_schema(engine: Engine) {
    let server = engine.server().await;
    for (document, what) in [
        (
            json!({"orgs": [{"id": "", "name": "Nameless"}]}),
            "empty org id",
        ),
        (
            json!({"orgs": [{"name": "T", "tokens": [{"id": "", "secret": "0123456789abcdef"}]}]}),
            "empty token id",
        ),
        (
            json!({"orgs": [{"name": "A", "accounts": [{"id": "", "user_name": "a@example.com"}]}]}),
            "empty account id",
        ),
        (
            json!({"orgs": [{"name": "D", "accounts": [{"user_name": "d@example.com", "state": "inactive", "inactive_days": 4294967295u32}]}]}),
            "u32::MAX days",
        ),
        (
            json!({"orgs": [{"name": "D", "accounts": [{"user_name": "d@example.com", "state": "inactive", "inactive_days": 36501}]}]}),
            "36501 days",
        ),
    ] {
        let (status, body) = admin(&server, Method::POST, "/seed", Some(document)).await;
        assert_error(status, &body, 400, "invalid_seed");
        assert!(
            get(&server, "/orgs").await["orgs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["name"] != "D" && o["id"] != ""),
            "{what}: nothing seeded"
        );
    }
    let document = json!({"orgs": [{"name": "D", "accounts": [{"user_name": "d@example.com", "state": "inactive", "inactive_days": 36500}]}]});
    let (status, body) = admin(&server, Method::POST, "/seed", Some(document)).await;
    assert_eq!(status, 200, "{body}");
    server.stop().await;
}

on_both_engines!(
    documented_names_and_domains_are_accepted,
    documented_user_names_and_person_ids_are_accepted,
    lengths_count_characters,
    the_clock_stops_where_times_still_have_four_digit_years,
    seeds_keep_to_their_schema,
);
