//! Issue 3: filtering (the whole RFC 7644 §3.4.2.2 grammar, compiled to SQL), sorting and paging
//! of `GET /Users` and `POST /Users/.search`, over real HTTP on both engines.

mod common;
mod scim_support;

use common::Engine;
use scim_support::*;
use serde_json::{json, Value};

const INJECTION_NAME: &str = "o'brien\"; DROP TABLE accounts; --@example.com";
const UNICODE_NAME: &str = "zoë.ñandú@example.com";

/// Five users created one hour apart (clock is manual), returned as `(userName, id, created)`.
async fn dataset(
    server: &abm_scim::testing::TestServer,
    scim: &Scim,
) -> Vec<(String, String, String)> {
    let bodies = [
        json!({
            "schemas": [USER_SCHEMA, ENTERPRISE],
            "userName": "alice@example.com", "externalId": "ext-alice",
            "name": {"givenName": "Alice", "familyName": "Smith"}, "displayName": "Alice Smith",
            "title": "Engineer", "userType": "Employee", "active": true,
            "emails": [{"value": "alice@example.com", "type": "work", "primary": true},
                       {"value": "alice@home.test", "type": "home"}],
            ENTERPRISE: {"department": "R&D", "employeeNumber": "001", "manager": {"value": "mgr-1"}}
        }),
        json!({
            "schemas": [USER_SCHEMA, ENTERPRISE],
            "userName": "bob@example.com", "externalId": "ext-bob",
            "name": {"givenName": "Bob", "familyName": "Jones"}, "displayName": "Bob Jones",
            "title": "Sales Rep", "active": false,
            "emails": [{"value": "bob@example.com", "type": "work"}],
            ENTERPRISE: {"department": "Sales", "employeeNumber": "002"}
        }),
        json!({
            "schemas": [USER_SCHEMA, ENTERPRISE],
            "userName": "carol@example.com", "externalId": "EXT-carol",
            "name": {"givenName": "Carol", "familyName": "Smith"}, "displayName": "Carol Smith",
            "active": true,
            ENTERPRISE: {"department": "Sales"}
        }),
        json!({
            "schemas": [USER_SCHEMA],
            "userName": UNICODE_NAME,
            "name": {"givenName": "Zoë", "familyName": "Ñandú"}, "displayName": "Zoë 日本",
            "emails": [{"value": "zoë@example.com", "type": "work", "primary": true}]
        }),
        json!({
            "schemas": [USER_SCHEMA],
            "userName": INJECTION_NAME,
            "displayName": "100% _under_ \\ back",
            "nickName": "x' OR '1'='1"
        }),
    ];
    let mut out = Vec::new();
    for body in bodies {
        server.admin().advance_clock("PT1H").await;
        let created = scim.create(body).await;
        out.push((
            created["userName"].as_str().unwrap().to_string(),
            id_of(&created),
            created["meta"]["created"].as_str().unwrap().to_string(),
        ));
    }
    out
}

/// The userNames matched by a filter, sorted, checked against the `.search` answer too.
async fn matched(scim: &Scim, filter: &str) -> Vec<String> {
    let list = scim.filter(filter).await;
    let mut names = user_names(&list);
    assert_eq!(list["totalResults"], json!(names.len()), "{filter}: {list}");
    names.sort();
    let search = scim
        .post(
            "/Users/.search",
            &json!({"schemas": [SEARCH_SCHEMA], "filter": filter}),
        )
        .await
        .expect(200)
        .body;
    let mut searched = user_names(&search);
    searched.sort();
    assert_eq!(searched, names, ".search agrees with GET for {filter}");
    names
}

fn names(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";

async fn comparison_operators(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let data = dataset(&server, &scim).await;
    let all: Vec<&str> = data.iter().map(|(n, _, _)| n.as_str()).collect();
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("userName eq \"alice@example.com\"".into(), vec![ALICE]),
        ("userName eq \"ALICE@Example.COM\"".into(), vec![ALICE]),
        (
            "userName ne \"alice@example.com\"".into(),
            all[1..].to_vec(),
        ),
        ("userName co \"AROL\"".into(), vec![CAROL]),
        ("userName sw \"B\"".into(), vec![BOB]),
        ("userName ew \"@EXAMPLE.com\"".into(), all.clone()),
        (
            "userName gt \"b\" and userName lt \"d\"".into(),
            vec![BOB, CAROL],
        ),
        (
            "userName ge \"bob@example.com\" and userName le \"carol@example.com\"".into(),
            vec![BOB, CAROL],
        ),
        (
            "userName gt \"bob@example.com\" and userName lt \"d\"".into(),
            vec![CAROL],
        ),
        ("displayName eq \"alice smith\"".into(), vec![ALICE]),
        ("name.familyName eq \"smith\"".into(), vec![ALICE, CAROL]),
        ("name.familyName sw \"SM\"".into(), vec![ALICE, CAROL]),
        ("name.givenName ew \"OB\"".into(), vec![BOB]),
        ("title co \"rep\"".into(), vec![BOB]),
        ("title pr".into(), vec![ALICE, BOB]),
        ("emails pr".into(), vec![ALICE, BOB, UNICODE_NAME]),
        ("nickName pr".into(), vec![INJECTION_NAME]),
        ("userType eq \"employee\"".into(), vec![ALICE]),
        ("employeeNumber ge \"002\"".into(), vec![BOB]),
        ("employeeNumber lt \"002\"".into(), vec![ALICE]),
        ("employeeNumber le \"002\"".into(), vec![ALICE, BOB]),
        ("employeeNumber gt \"000\"".into(), vec![ALICE, BOB]),
        // externalId and id are caseExact.
        ("externalId eq \"EXT-carol\"".into(), vec![CAROL]),
        ("externalId eq \"ext-carol\"".into(), vec![]),
        ("externalId sw \"ext-\"".into(), vec![ALICE, BOB]),
        (format!("id eq \"{}\"", data[1].1), vec![BOB]),
        ("meta.resourceType eq \"User\"".into(), all.clone()),
        // Operators and attribute names in any case.
        ("USERNAME EQ \"bob@example.com\"".into(), vec![BOB]),
        ("Title Pr".into(), vec![ALICE, BOB]),
    ];
    for (filter, expected) in cases {
        assert_eq!(matched(&scim, &filter).await, names(&expected), "{filter}");
    }
    server.stop().await;
}

async fn logical_operators_and_grouping(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    dataset(&server, &scim).await;
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "title eq \"Engineer\" or title eq \"Sales Rep\"",
            vec![ALICE, BOB],
        ),
        (
            "name.familyName eq \"Smith\" and active eq true",
            vec![ALICE, CAROL],
        ),
        (
            "(department eq \"Sales\" or title eq \"Engineer\") and active eq true",
            vec![ALICE, CAROL],
        ),
        // `and` binds tighter than `or`.
        (
            "title eq \"Engineer\" or title eq \"Sales Rep\" and active eq true",
            vec![ALICE],
        ),
        (
            "(title eq \"Engineer\" or title eq \"Sales Rep\") and active eq true",
            vec![ALICE],
        ),
        (
            "(title eq \"Engineer\" or title eq \"Sales Rep\") and active eq false",
            vec![BOB],
        ),
        ("not (title pr)", vec![CAROL, UNICODE_NAME, INJECTION_NAME]),
        (
            "not (department eq \"Sales\")",
            vec![ALICE, UNICODE_NAME, INJECTION_NAME],
        ),
        (
            "not (department eq \"Sales\") and not (userName eq \"alice@example.com\")",
            vec![UNICODE_NAME, INJECTION_NAME],
        ),
        (
            "((userName sw \"a\") or ((userName sw \"b\"))) and not(active eq false)",
            vec![ALICE],
        ),
        ("title eq \"engineer\" AND active Eq TRUE", vec![ALICE]),
        (
            "title eq \"nobody\" OR NOT (emails pr)",
            vec![CAROL, INJECTION_NAME],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(matched(&scim, filter).await, names(&expected), "{filter}");
    }
    server.stop().await;
}

async fn value_paths_sub_attributes_and_urn_prefixes(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    dataset(&server, &scim).await;
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "emails[type eq \"work\" and primary eq true]".into(),
            vec![ALICE, UNICODE_NAME],
        ),
        ("emails[primary eq true]".into(), vec![ALICE, UNICODE_NAME]),
        ("emails[type eq \"home\"]".into(), vec![ALICE]),
        (
            "emails[type eq \"work\" and value co \"bob\"]".into(),
            vec![BOB],
        ),
        (
            "emails[type eq \"home\" and value co \"bob\"]".into(),
            vec![],
        ),
        ("emails[not (primary eq true)]".into(), vec![ALICE, BOB]),
        (
            "emails[type eq \"work\" or type eq \"home\"] and active eq false".into(),
            vec![BOB],
        ),
        ("emails.value ew \"home.test\"".into(), vec![ALICE]),
        ("emails.type eq \"HOME\"".into(), vec![ALICE]),
        ("emails eq \"BOB@example.com\"".into(), vec![BOB]),
        (
            "emails co \"@example.com\"".into(),
            vec![ALICE, BOB, UNICODE_NAME],
        ),
        (
            format!("{ENTERPRISE}:department eq \"sales\""),
            vec![BOB, CAROL],
        ),
        (
            format!("{}:department eq \"sales\"", ENTERPRISE.to_uppercase()),
            vec![BOB, CAROL],
        ),
        (
            format!("{ENTERPRISE}:manager.value eq \"mgr-1\""),
            vec![ALICE],
        ),
        ("manager eq \"mgr-1\"".into(), vec![ALICE]),
        (
            "department pr and not (employeeNumber pr)".into(),
            vec![CAROL],
        ),
        (
            format!("{USER_SCHEMA}:userName eq \"carol@example.com\""),
            vec![CAROL],
        ),
        (
            format!("{USER_SCHEMA}:name.familyName eq \"Jones\""),
            vec![BOB],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(matched(&scim, &filter).await, names(&expected), "{filter}");
    }
    // An attribute under the wrong schema URN is unknown.
    scim.list_reply(&[("filter", &format!("{ENTERPRISE}:userName eq \"x\""))])
        .await
        .expect_error(400, Some("invalidFilter"));
    scim.list_reply(&[("filter", "urn:example:custom:1.0:User:foo eq \"x\"")])
        .await
        .expect_error(400, Some("invalidFilter"));
    server.stop().await;
}

async fn datetimes_and_booleans(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let data = dataset(&server, &scim).await;
    let carol_created = &data[2].2;
    let all: Vec<&str> = data.iter().map(|(n, _, _)| n.as_str()).collect();
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("meta.created ge \"{carol_created}\""),
            all[2..].to_vec(),
        ),
        (
            format!("meta.created gt \"{carol_created}\""),
            all[3..].to_vec(),
        ),
        (
            format!("meta.created le \"{carol_created}\""),
            all[..3].to_vec(),
        ),
        (
            format!("meta.created lt \"{carol_created}\""),
            all[..2].to_vec(),
        ),
        (format!("meta.created eq \"{carol_created}\""), vec![CAROL]),
        (
            format!("meta.lastModified gt \"{carol_created}\""),
            all[3..].to_vec(),
        ),
        (
            "meta.lastModified gt \"2000-01-01T00:00:00Z\"".into(),
            all.clone(),
        ),
        (
            "meta.lastModified lt \"2000-01-01T00:00:00+02:00\"".into(),
            vec![],
        ),
        (
            "active eq true".into(),
            vec![ALICE, CAROL, UNICODE_NAME, INJECTION_NAME],
        ),
        ("active eq false".into(), vec![BOB]),
        (
            "active ne false".into(),
            vec![ALICE, CAROL, UNICODE_NAME, INJECTION_NAME],
        ),
        ("active pr".into(), all.clone()),
    ];
    for (filter, expected) in cases {
        assert_eq!(matched(&scim, &filter).await, names(&expected), "{filter}");
    }
    // A later change moves lastModified: meta.lastModified gt finds the changed user.
    server.admin().advance_clock("PT1H").await;
    let touched = scim
        .patch_ops(
            &data[0].1,
            json!([{"op": "replace", "path": "title", "value": "Staff Engineer"}]),
        )
        .await
        .expect(200)
        .body;
    let last = data[4].2.clone();
    assert_eq!(
        matched(&scim, &format!("meta.lastModified gt \"{last}\"")).await,
        names(&[ALICE])
    );
    let modified = touched["meta"]["lastModified"].as_str().unwrap();
    assert_eq!(
        matched(&scim, &format!("meta.lastModified ge \"{modified}\"")).await,
        names(&[ALICE])
    );
    // The timestamps a client reads back compare exactly (no precision lost in `meta`).
    assert_eq!(
        matched(&scim, &format!("meta.lastModified eq \"{modified}\"")).await,
        names(&[ALICE])
    );
    assert_eq!(
        matched(&scim, &format!("meta.lastModified gt \"{modified}\"")).await,
        names(&[])
    );
    // Not a date-time, or a non-boolean compared with a boolean: invalidFilter.
    for bad in [
        "meta.created gt \"yesterday\"",
        "meta.lastModified gt 5",
        "active eq \"maybe\"",
        "active gt true",
    ] {
        let reply = scim.list_reply(&[("filter", bad)]).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert_scim_error(&reply.body, 400, Some("invalidFilter"));
    }
    server.stop().await;
}

async fn invalid_filters_are_400_invalid_filter(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    dataset(&server, &scim).await;
    let bad = [
        "foo eq \"x\"",
        "name.nickname eq \"x\"",
        "password eq \"x\"",
        "userName eq",
        "userName xx \"a\"",
        "userName eq \"unterminated",
        "(userName eq \"a\"",
        "userName eq \"a\")",
        "userName eq \"a\" and",
        "and userName eq \"a\"",
        "userName eq 'single quotes'",
        "userName eq \"a\" or or userName eq \"b\"",
        "emails[type eq \"work\"",
        "emails[]",
        "userName eq \"a\"; DROP TABLE accounts",
        "userName\") OR 1=1 --",
        "not userName eq \"a\"",
        "\u{0000}",
    ];
    for filter in bad {
        let reply = scim.list_reply(&[("filter", filter)]).await;
        assert_eq!(reply.status, 400, "{filter:?}: {}", reply.body);
        assert_scim_error(&reply.body, 400, Some("invalidFilter"));
        let search = scim
            .post("/Users/.search", &json!({"filter": filter}))
            .await;
        assert_eq!(search.status, 400, "{filter:?}: {}", search.body);
        assert_scim_error(&search.body, 400, Some("invalidFilter"));
    }
    // The detail names the unknown attribute and what is allowed.
    let reply = scim
        .list_reply(&[("filter", "favouriteColour eq \"blue\"")])
        .await
        .expect_error(400, Some("invalidFilter"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("favouriteColour") && detail.contains("userName"),
        "{detail}"
    );

    // Bounded: more than 4 KiB is refused, just under is served.
    let long = format!("displayName eq \"{}\"", "a".repeat(4096));
    let reply = scim
        .list_reply(&[("filter", &long)])
        .await
        .expect_error(400, Some("invalidFilter"));
    assert!(
        reply.body["detail"].as_str().unwrap().contains("4096"),
        "{}",
        reply.body
    );
    scim.post("/Users/.search", &json!({"filter": long}))
        .await
        .expect_error(400, Some("invalidFilter"));
    let deep = format!("{}userName pr{}", "(".repeat(2000), ")".repeat(2000));
    scim.list_reply(&[("filter", &deep)])
        .await
        .expect_error(400, Some("invalidFilter"));
    let many = vec!["userName eq \"nobody@example.com\""; 100].join(" or ");
    assert!(many.len() < 4096);
    assert_eq!(scim.filter(&many).await["totalResults"], 0);
    let under = format!("displayName eq \"{}\"", "a".repeat(4000));
    assert_eq!(scim.filter(&under).await["totalResults"], 0);
    // An empty filter means no filter.
    assert_eq!(scim.filter("").await["totalResults"], 5);
    server.stop().await;
}

async fn injection_shaped_values_match_literally_and_harm_nothing(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let data = dataset(&server, &scim).await;
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("userName eq \"x' OR '1'='1\"", vec![]),
        ("userName eq \"' OR 1=1 --\"", vec![]),
        ("userName eq \"\\\" or \\\"1\\\"=\\\"1\"", vec![]),
        ("userName eq \"'; DROP TABLE accounts; --\"", vec![]),
        (
            "displayName eq \"Robert'); DELETE FROM accounts;--\"",
            vec![],
        ),
        ("userName co \"') OR ('a'='a\"", vec![]),
        ("nickName eq \"x' OR '1'='1\"", vec![INJECTION_NAME]),
        (
            "userName eq \"o'brien\\\"; DROP TABLE accounts; --@example.com\"",
            vec![INJECTION_NAME],
        ),
        ("userName co \"'\"", vec![INJECTION_NAME]),
        ("userName co \"\\\"\"", vec![INJECTION_NAME]),
        // LIKE metacharacters are literal.
        ("displayName co \"%\"", vec![INJECTION_NAME]),
        ("displayName co \"_\"", vec![INJECTION_NAME]),
        ("displayName co \"\\\\\"", vec![INJECTION_NAME]),
        ("displayName sw \"%\"", vec![]),
        ("displayName sw \"1%\"", vec![]),
        ("displayName sw \"100%\"", vec![INJECTION_NAME]),
        ("displayName ew \"_\"", vec![]),
        ("displayName co \"0% _u\"", vec![INJECTION_NAME]),
        ("userName sw \"_\"", vec![]),
        ("userName co \"%\"", vec![]),
        ("emails[value co \"%\"]", vec![]),
        ("emails[value eq \"x' or type eq 'work\"]", vec![]),
        ("externalId eq \"ext-alice' OR externalId LIKE '%\"", vec![]),
        ("externalId co \"_\"", vec![]),
        ("department eq \"R&D\"", vec![ALICE]),
    ];
    for (filter, expected) in cases {
        assert_eq!(matched(&scim, filter).await, names(&expected), "{filter}");
    }
    // sortBy / sortOrder / paging values are not SQL either.
    for (name, value) in [
        ("sortBy", "userName; DROP TABLE accounts"),
        ("sortBy", "userName DESC, (SELECT 1)"),
        ("sortBy", "a.id"),
        ("sortOrder", "ascending; DROP TABLE accounts"),
        ("startIndex", "1; DROP TABLE accounts"),
        ("count", "1 OR 1=1"),
    ] {
        let reply = scim.list_reply(&[(name, value)]).await;
        assert_eq!(reply.status, 400, "{name}={value}: {}", reply.body);
        assert_scim_error(&reply.body, 400, reply.body["scimType"].as_str());
    }
    // Everything is still there, readable and intact.
    let list = scim.list(&[]).await;
    assert_eq!(list["totalResults"], 5);
    for (name, id, _) in &data {
        assert_eq!(scim.user(id).await["userName"], json!(name));
    }
    let weird = scim.user(&data[4].1).await;
    assert_eq!(weird["displayName"], "100% _under_ \\ back");
    assert_eq!(weird["nickName"], "x' OR '1'='1");
    // The injection-shaped userName is unique like any other.
    scim.post(
        "/Users",
        &json!({"schemas": [USER_SCHEMA], "userName": INJECTION_NAME.to_uppercase()}),
    )
    .await
    .expect_error(409, Some("uniqueness"));
    server.stop().await;
}

async fn unicode_user_names(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    dataset(&server, &scim).await;
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("userName eq \"{UNICODE_NAME}\""),
            vec![UNICODE_NAME],
        ),
        (
            format!("userName eq \"{}\"", UNICODE_NAME.to_uppercase()),
            vec![UNICODE_NAME],
        ),
        ("userName sw \"ZOË\"".into(), vec![UNICODE_NAME]),
        ("userName co \"ñandú\"".into(), vec![UNICODE_NAME]),
        ("displayName co \"日本\"".into(), vec![UNICODE_NAME]),
        ("displayName eq \"Zoë 日本\"".into(), vec![UNICODE_NAME]),
        ("name.familyName eq \"Ñandú\"".into(), vec![UNICODE_NAME]),
        (
            "emails[value eq \"zoë@example.com\"]".into(),
            vec![UNICODE_NAME],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(matched(&scim, &filter).await, names(&expected), "{filter}");
    }
    let id = id_of(
        &scim
            .filter(&format!("userName eq \"{UNICODE_NAME}\""))
            .await["Resources"][0],
    );
    let user = scim.user(&id).await;
    assert_eq!(user["userName"], UNICODE_NAME);
    assert_eq!(user["displayName"], "Zoë 日本");
    // Unique case-insensitively beyond ASCII.
    scim.post(
        "/Users",
        &json!({"schemas": [USER_SCHEMA], "userName": "ZOË.ÑANDÚ@example.com"}),
    )
    .await
    .expect_error(409, Some("uniqueness"));
    // Other scripts and emoji round-trip.
    for name in [
        "用户@example.com",
        "пользователь@example.com",
        "🦀.rust@example.com",
    ] {
        let id = scim.create_named(name).await;
        assert_eq!(scim.user(&id).await["userName"], name);
        assert_eq!(
            ids(&scim.filter(&format!("userName eq \"{name}\"")).await),
            vec![id]
        );
    }
    server.stop().await;
}

/// PostgreSQL only: SQLite's built-in `lower()` folds ASCII letters only (no ICU), so on SQLite
/// non-ASCII case folding works for `userName` (normalised by the server, see
/// `unicode_user_names`) but not for other string attributes. Known limitation, reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_case_insensitive_matching_beyond_ascii() {
    if common::postgres_server_url().is_none() {
        return;
    }
    let engine = Engine::Postgres;
    let server = engine.server().await;
    let scim = Scim::new(&server);
    dataset(&server, &scim).await;
    // caseExact=false attributes compare case-insensitively for every script (RFC 7643 §2.2).
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("displayName eq \"ZOË 日本\"", vec![UNICODE_NAME]),
        ("name.familyName eq \"ñandú\"", vec![UNICODE_NAME]),
        ("name.givenName sw \"ZOË\"", vec![UNICODE_NAME]),
    ];
    for (filter, expected) in cases {
        assert_eq!(matched(&scim, filter).await, names(&expected), "{filter}");
    }
    server.stop().await;
}

async fn sorting(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let data = dataset(&server, &scim).await;
    let ascii = (
        "filter",
        "userName sw \"a\" or userName sw \"b\" or userName sw \"c\"",
    );
    let list = scim.list(&[ascii, ("sortBy", "userName")]).await;
    assert_eq!(user_names(&list), vec![ALICE, BOB, CAROL]);
    let list = scim
        .list(&[ascii, ("sortBy", "userName"), ("sortOrder", "descending")])
        .await;
    assert_eq!(user_names(&list), vec![CAROL, BOB, ALICE]);
    let list = scim
        .list(&[ascii, ("SORTBY", "USERNAME"), ("sortorder", "DESCENDING")])
        .await;
    assert_eq!(user_names(&list), vec![CAROL, BOB, ALICE]);
    let list = scim
        .list(&[ascii, ("sortBy", "userName"), ("sortOrder", "ascending")])
        .await;
    assert_eq!(user_names(&list), vec![ALICE, BOB, CAROL]);

    // Ties (two Smiths) are broken by id, in the sort direction.
    let (alice_id, carol_id) = (&data[0].1, &data[2].1);
    let smiths = if alice_id < carol_id {
        vec![ALICE, CAROL]
    } else {
        vec![CAROL, ALICE]
    };
    let list = scim.list(&[ascii, ("sortBy", "name.familyName")]).await;
    let mut expected = vec![BOB];
    expected.extend(smiths.iter());
    assert_eq!(user_names(&list), expected);
    let list = scim
        .list(&[
            ascii,
            ("sortBy", "name.familyName"),
            ("sortOrder", "descending"),
        ])
        .await;
    let mut expected: Vec<&str> = smiths.iter().rev().copied().collect();
    expected.push(BOB);
    assert_eq!(user_names(&list), expected);

    // meta.created, an extension attribute, emails (the primary value), booleans.
    let list = scim
        .list(&[("sortBy", "meta.created"), ("sortOrder", "descending")])
        .await;
    let newest_first: Vec<String> = data.iter().rev().map(|(n, _, _)| n.clone()).collect();
    assert_eq!(user_names(&list), newest_first);
    let list = scim
        .list(&[
            ("filter", "employeeNumber pr"),
            ("sortBy", format!("{ENTERPRISE}:employeeNumber").as_str()),
            ("sortOrder", "descending"),
        ])
        .await;
    assert_eq!(user_names(&list), vec![BOB, ALICE]);
    let list = scim
        .list(&[
            ("sortBy", "emails"),
            ("filter", "emails pr and not (userName sw \"z\")"),
        ])
        .await;
    assert_eq!(user_names(&list), vec![ALICE, BOB]);
    let list = scim.list(&[ascii, ("sortBy", "active")]).await;
    assert_eq!(user_names(&list)[0], BOB, "false sorts before true");
    // Through .search too.
    let search = scim
        .post(
            "/Users/.search",
            &json!({"filter": ascii.1, "sortBy": "displayName", "sortOrder": "descending"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user_names(&search), vec![CAROL, BOB, ALICE]);

    // Bad sort parameters are 400s that say what is allowed.
    let reply = scim
        .list_reply(&[("sortOrder", "sideways")])
        .await
        .expect_error(400, Some("invalidValue"));
    assert!(reply.body["detail"]
        .as_str()
        .unwrap()
        .contains("descending"));
    let reply = scim.list_reply(&[("sortBy", "favouriteColour")]).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_scim_error(&reply.body, 400, reply.body["scimType"].as_str());
    assert!(reply.body["detail"]
        .as_str()
        .unwrap()
        .contains("favouriteColour"));
    server.stop().await;
}

async fn paging_start_index_count_and_totals(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|a| a.max_results = 5)
        .start()
        .await;
    let scim = Scim::new(&server);
    // Twelve users created at the same instant (manual clock): the default order (creation
    // time) falls back to the id.
    let mut created = Vec::new();
    for i in 0..12 {
        let id = scim
            .create(json!({
                "schemas": [USER_SCHEMA],
                "userName": format!("p{i:02}@example.com"),
                "title": if i % 2 == 0 { "even" } else { "odd" },
            }))
            .await;
        created.push(id_of(&id));
    }
    let by_title_then_id = {
        let mut v: Vec<(bool, String)> = created
            .iter()
            .enumerate()
            .map(|(i, id)| (i % 2 == 1, id.clone()))
            .collect();
        v.sort();
        v.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    created.sort();
    let spc = scim.get("/ServiceProviderConfig").await.expect(200).body;
    assert_eq!(spc["filter"]["maxResults"], 5);

    let page = |list: &Value| {
        (
            list["totalResults"].clone(),
            list["startIndex"].clone(),
            list["itemsPerPage"].clone(),
            list["Resources"].as_array().map_or(0, Vec::len),
        )
    };
    // No count: capped at the maximum. Paging fields are JSON integers.
    let list = scim.list(&[]).await;
    assert_eq!(page(&list), (json!(12), json!(1), json!(5), 5));
    for field in ["totalResults", "startIndex", "itemsPerPage"] {
        assert!(list[field].is_i64(), "{field} is an integer: {list}");
    }
    // count above the maximum: capped.
    assert_eq!(
        page(&scim.list(&[("count", "100")]).await),
        (json!(12), json!(1), json!(5), 5)
    );
    // count=0: totals only.
    let list = scim.list(&[("count", "0")]).await;
    assert_eq!(list["totalResults"], 12);
    assert_eq!(list["itemsPerPage"], 0);
    assert!(
        list.get("Resources").is_none_or(|r| r == &json!([])),
        "{list}"
    );
    let list = scim
        .list(&[("count", "0"), ("filter", "title eq \"odd\"")])
        .await;
    assert_eq!(list["totalResults"], 6);
    // Negative count is 0 (RFC 7644 §3.4.2.4).
    assert_eq!(page(&scim.list(&[("count", "-3")]).await).3, 0);
    // startIndex below 1 is 1.
    for start in ["0", "-5"] {
        let list = scim.list(&[("startIndex", start), ("count", "2")]).await;
        assert_eq!(
            page(&list),
            (json!(12), json!(1), json!(2), 2),
            "startIndex={start}"
        );
        assert_eq!(ids(&list), created[..2].to_vec());
    }
    // The last partial page and past the end.
    let list = scim.list(&[("startIndex", "11"), ("count", "5")]).await;
    assert_eq!(page(&list), (json!(12), json!(11), json!(2), 2));
    assert_eq!(ids(&list), created[10..].to_vec());
    let list = scim.list(&[("startIndex", "13"), ("count", "5")]).await;
    assert_eq!(page(&list), (json!(12), json!(13), json!(0), 0));
    let list = scim
        .list(&[("startIndex", "1000000"), ("count", "1")])
        .await;
    assert_eq!(list["totalResults"], 12);
    let list = scim.list(&[("startIndex", &i64::MAX.to_string())]).await;
    assert_eq!(page(&list), (json!(12), json!(i64::MAX), json!(0), 0));

    // Walking pages gives every user exactly once, in a stable order (default order, and a
    // sort with many ties), and totalResults is exact on every page.
    for sort in [None, Some("title"), Some("active")] {
        let mut walked = Vec::new();
        let mut start = 1;
        loop {
            let start_text = start.to_string();
            let mut query = vec![("startIndex", start_text.as_str()), ("count", "3")];
            if let Some(sort) = sort {
                query.push(("sortBy", sort));
            }
            let list = scim.list(&query).await;
            assert_eq!(list["totalResults"], 12);
            let got = ids(&list);
            if got.is_empty() {
                break;
            }
            walked.extend(got);
            start += 3;
        }
        assert_eq!(walked.len(), 12, "sort {sort:?}");
        let mut unique = walked.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 12, "no duplicates with sort {sort:?}");
        if sort.is_none() {
            assert_eq!(walked, created, "same creation time: by id");
        }
        if sort == Some("title") {
            // Ties broken by id: all "even" then all "odd", each by id.
            assert_eq!(walked, by_title_then_id);
        }
    }
    // Filtered paging: totalResults counts the filtered set.
    let list = scim
        .list(&[
            ("filter", "title eq \"even\""),
            ("startIndex", "5"),
            ("count", "5"),
        ])
        .await;
    assert_eq!(page(&list), (json!(6), json!(5), json!(2), 2));
    // .search pages the same way (numbers or numeric strings).
    let search = scim
        .post("/Users/.search", &json!({"startIndex": 3, "count": "2"}))
        .await
        .expect(200)
        .body;
    assert_eq!(page(&search), (json!(12), json!(3), json!(2), 2));
    assert_eq!(ids(&search), created[2..4].to_vec());
    let search = scim
        .post("/Users/.search", &json!({"count": 50}))
        .await
        .expect(200)
        .body;
    assert_eq!(page(&search).3, 5, "capped on .search too");
    server.stop().await;
}

on_both_engines!(
    comparison_operators,
    logical_operators_and_grouping,
    value_paths_sub_attributes_and_urn_prefixes,
    datetimes_and_booleans,
    invalid_filters_are_400_invalid_filter,
    injection_shaped_values_match_literally_and_harm_nothing,
    unicode_user_names,
    sorting,
    paging_start_index_count_and_totals,
);
