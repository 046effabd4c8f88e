//! Issue 4: accounts and activity in the admin API, on both engines — manual accounts, the
//! read-only rules of synced accounts, list filters and cursor paging, turning federated
//! authentication off, and the activity log.

mod admin_support;
mod common;

use std::collections::HashSet;

use admin_support::*;
use common::{scim_with, send, Engine};
use reqwest::Method;
use serde_json::{json, Value};

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async fn create_manual(server: &abm_scim::testing::TestServer, org: &str, body: Value) -> Value {
    let (status, account) = admin(
        server,
        Method::POST,
        &format!("/orgs/{org}/accounts"),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{account}");
    account
}

async fn patch_account(
    server: &abm_scim::testing::TestServer,
    org: &str,
    id: &str,
    body: Value,
) -> (u16, Value) {
    admin(
        server,
        Method::PATCH,
        &format!("/orgs/{org}/accounts/{id}"),
        Some(body),
    )
    .await
}

async fn scim_patch(
    server: &abm_scim::testing::TestServer,
    token: &str,
    id: &str,
    operations: Value,
) -> (u16, Value) {
    send(
        scim_with(server, token, Method::PATCH, &format!("/Users/{id}"))
            .json(&json!({"schemas": [PATCH_OP], "Operations": operations})),
    )
    .await
}

async fn manual_accounts_are_fully_editable(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let account = create_manual(
        &server,
        &org,
        json!({"user_name": "ann@acme.test", "given_name": "Ann", "family_name": "Lee"}),
    )
    .await;
    let id = account["id"].as_str().unwrap().to_string();
    assert_eq!(account["user_name"], "ann@acme.test");
    assert_eq!(account["given_name"], "Ann");
    assert_eq!(account["family_name"], "Lee");
    assert_eq!(account["source"], "manual");
    assert_eq!(account["roles"], json!(["Staff"]), "default role");
    assert!(
        account["person_id"].as_str().is_some_and(|p| !p.is_empty()),
        "{account}"
    );
    assert_eq!(account["state"], "active");
    assert_eq!(account["deactivated_at"], Value::Null);
    assert_eq!(account["delete_after"], Value::Null);
    assert_eq!(time(&account["created_at"]), now(&server).await);
    assert_eq!(
        get(&server, &format!("/orgs/{org}/accounts/{id}")).await,
        account
    );

    // Roles are a set of ABM's five, any case in, canonical out.
    let other = create_manual(
        &server,
        &org,
        json!({"user_name": "boss@acme.test", "roles": ["administrator", "Content Manager", "ADMINISTRATOR"]}),
    )
    .await;
    assert_eq!(other["roles"], json!(["Administrator", "Content Manager"]));
    for roles in [
        json!(["Site Manager"]),
        json!(["Staff", "Owner"]),
        json!([]),
    ] {
        let (status, err) = admin(
            &server,
            Method::POST,
            &format!("/orgs/{org}/accounts"),
            Some(json!({"user_name": "x@acme.test", "roles": roles})),
        )
        .await;
        assert_error(status, &err, 400, "invalid_role");
    }
    let (status, err) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/accounts"),
        Some(json!({"user_name": "  "})),
    )
    .await;
    assert_error(status, &err, 400, "invalid_user_name");
    let (status, err) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/accounts"),
        Some(json!({"user_name": "ANN@acme.test"})),
    )
    .await;
    assert_error(status, &err, 409, "user_name_taken");

    advance(&server, "PT1H").await;
    let (status, edited) = patch_account(
        &server,
        &org,
        &id,
        json!({
            "user_name": "ann.lee@acme.test",
            "given_name": "Annie",
            "family_name": "Lee-Smith",
            "roles": ["People Manager", "Device Enrollment Manager"],
            "person_id": "P-42",
        }),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["user_name"], "ann.lee@acme.test");
    assert_eq!(edited["given_name"], "Annie");
    assert_eq!(edited["family_name"], "Lee-Smith");
    assert_eq!(
        edited["roles"],
        json!(["People Manager", "Device Enrollment Manager"])
    );
    assert_eq!(edited["person_id"], "P-42");
    assert_eq!(
        edited["state"], "active",
        "a manual account has no IdP link to break"
    );
    assert!(time(&edited["updated_at"]) > time(&edited["created_at"]));
    assert_eq!(
        get(&server, &format!("/orgs/{org}/accounts/{id}")).await,
        edited
    );
    let (status, err) = patch_account(&server, &org, &id, json!({"roles": ["Nope"]})).await;
    assert_error(status, &err, 400, "invalid_role");
    let (status, err) =
        patch_account(&server, &org, &id, json!({"user_name": "boss@acme.test"})).await;
    assert_error(status, &err, 409, "user_name_taken");
    assert_eq!(
        get(&server, &format!("/orgs/{org}/accounts/{id}")).await,
        edited
    );

    // Deactivate and reactivate.
    let (status, inactive) = patch_account(&server, &org, &id, json!({"active": false})).await;
    assert_eq!(status, 200, "{inactive}");
    assert_eq!(inactive["state"], "inactive");
    let deactivated = time(&inactive["deactivated_at"]);
    assert_eq!(deactivated, now(&server).await);
    assert_eq!(
        time(&inactive["delete_after"]),
        deactivated + chrono::Duration::days(30)
    );
    let (status, active) = patch_account(&server, &org, &id, json!({"active": true})).await;
    assert_eq!(status, 200);
    assert_eq!(active["state"], "active");
    assert_eq!(active["deactivated_at"], Value::Null);
    assert_eq!(active["delete_after"], Value::Null);

    let (status, body) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/accounts/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    for method in [Method::GET, Method::DELETE, Method::PATCH] {
        let (status, err) = admin(
            &server,
            method,
            &format!("/orgs/{org}/accounts/{id}"),
            Some(json!({})),
        )
        .await;
        assert_error(status, &err, 404, "not_found");
    }
    // The name is free again.
    create_manual(&server, &org, json!({"user_name": "ann.lee@acme.test"})).await;

    let kinds: Vec<(String, String)> = events(&server, &org)
        .await
        .into_iter()
        .filter(|e| e["account_id"] == id.as_str())
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        "account_created",
        "account_updated",
        "account_deactivated",
        "account_updated",
        "account_reactivated",
        "account_updated",
        "account_deleted",
    ]
    .iter()
    .map(|k| (k.to_string(), "admin".to_string()))
    .collect();
    assert_eq!(kinds, expected);
    server.stop().await;
}

async fn synced_accounts_only_take_roles_and_person_id(engine: Engine) {
    let server = engine.server().await;
    let (org, _, token) = connected_org(&server, "Acme", "acme.test").await;
    let id = scim_user(&server, &token, "ann@acme.test").await;
    let account = get(&server, &format!("/orgs/{org}/accounts/{id}")).await;
    assert_eq!(account["source"], "scim");
    assert_eq!(
        account["roles"],
        json!(["Staff"]),
        "synced accounts start as Staff"
    );
    let person_id = account["person_id"].as_str().unwrap().to_string();

    let (status, edited) = patch_account(
        &server,
        &org,
        &id,
        json!({"roles": ["Administrator", "people manager"]}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["roles"], json!(["Administrator", "People Manager"]));
    assert_eq!(edited["state"], "active");
    let (status, err) = patch_account(&server, &org, &id, json!({"roles": ["Site Manager"]})).await;
    assert_error(status, &err, 400, "invalid_role");

    for change in [
        json!({"user_name": "other@acme.test"}),
        json!({"given_name": "X"}),
        json!({"family_name": "Y"}),
        json!({"active": false}),
        json!({"roles": ["Staff"], "user_name": "other@acme.test"}),
    ] {
        let (status, err) = patch_account(&server, &org, &id, change.clone()).await;
        assert_error(status, &err, 409, "read_only");
        assert!(
            err["detail"]
                .as_str()
                .unwrap()
                .contains("managed by directory sync"),
            "{err}"
        );
    }
    let unchanged = get(&server, &format!("/orgs/{org}/accounts/{id}")).await;
    assert_eq!(
        unchanged, edited,
        "refused changes change nothing (not even roles)"
    );

    let (status, err) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/accounts/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 409, "{err}");
    assert!(
        err["error"].is_string() && err["detail"].is_string(),
        "{err}"
    );
    get(&server, &format!("/orgs/{org}/accounts/{id}")).await;

    // The IdP keeps updating it; the ABM-side roles stay.
    let (status, body) = scim_patch(
        &server,
        &token,
        &id,
        json!([{"op": "replace", "path": "name.givenName", "value": "Annie"}]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let synced = get(&server, &format!("/orgs/{org}/accounts/{id}")).await;
    assert_eq!(synced["given_name"], "Annie");
    assert_eq!(synced["roles"], json!(["Administrator", "People Manager"]));

    // Editing the Person ID breaks the link to the IdP.
    let bob = scim_user(&server, &token, "bob@acme.test").await;
    let (status, conflicted) =
        patch_account(&server, &org, &bob, json!({"person_id": "HAND-EDITED"})).await;
    assert_eq!(status, 200, "{conflicted}");
    assert_eq!(conflicted["person_id"], "HAND-EDITED");
    assert_eq!(conflicted["state"], "conflict");
    let (status, same) = patch_account(&server, &org, &id, json!({"person_id": person_id})).await;
    assert_eq!(status, 200, "the same Person ID is no change: {same}");
    assert_eq!(same["state"], "active");

    // Once SCIM is disconnected, the accounts are manual and fully editable.
    let (status, _) = admin(&server, Method::DELETE, &format!("/orgs/{org}/scim"), None).await;
    assert_eq!(status, 204);
    let (status, manual) = patch_account(
        &server,
        &org,
        &id,
        json!({"user_name": "ann.lee@acme.test", "given_name": "A"}),
    )
    .await;
    assert_eq!(status, 200, "{manual}");
    assert_eq!(manual["source"], "manual");
    assert_eq!(
        manual["roles"],
        json!(["Administrator", "People Manager"]),
        "roles kept"
    );
    let (status, _) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/accounts/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    server.stop().await;
}

async fn account_list_filters_and_cursor_paging(engine: Engine) {
    let server = engine.server().await;
    let (org, _, token) = connected_org(&server, "Acme", "acme.test").await;
    let mut expected: HashSet<String> = HashSet::new();
    // Many accounts share a creation time (manual clock): the cursor must break ties.
    for i in 0..13 {
        let roles = if i % 4 == 0 {
            json!(["Administrator", "Staff"])
        } else {
            json!(["Staff"])
        };
        let account = create_manual(
            &server,
            &org,
            json!({"user_name": format!("m{i:02}@acme.test"), "roles": roles}),
        )
        .await;
        expected.insert(account["id"].as_str().unwrap().to_string());
    }
    advance(&server, "PT1S").await;
    let mut synced = Vec::new();
    for i in 0..10 {
        let id = scim_user(&server, &token, &format!("s{i:02}@acme.test")).await;
        expected.insert(id.clone());
        synced.push(id);
    }
    assert_eq!(expected.len(), 23);

    for limit in [1, 5, 7, 22, 23, 24] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                None => format!("/orgs/{org}/accounts?limit={limit}"),
                Some(c) => format!("/orgs/{org}/accounts?limit={limit}&cursor={c}"),
            };
            let page = get(&server, &path).await;
            let accounts = page["accounts"].as_array().unwrap();
            assert!(
                accounts.len() <= limit,
                "{limit}: page of {}",
                accounts.len()
            );
            seen.extend(
                accounts
                    .iter()
                    .map(|a| a["id"].as_str().unwrap().to_string()),
            );
            pages += 1;
            match page["next_cursor"].as_str() {
                Some(next) => {
                    assert_eq!(accounts.len(), limit, "only the last page is short");
                    cursor = Some(next.to_string());
                }
                None => break,
            }
            assert!(pages <= 30, "paging terminates");
        }
        let unique: HashSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "limit {limit}: no duplicates");
        assert_eq!(unique, expected, "limit {limit}: no gaps");
        assert_eq!(pages, 23usize.div_ceil(limit).max(1), "limit {limit}");
    }
    let page = get(&server, &format!("/orgs/{org}/accounts")).await;
    assert_eq!(
        page["accounts"].as_array().unwrap().len(),
        23,
        "default limit 100"
    );
    assert_eq!(page["next_cursor"], Value::Null);

    // Filters.
    let count = |page: &Value| page["accounts"].as_array().unwrap().len();
    let by = |query: &'static str| {
        let server = &server;
        let org = org.clone();
        async move { get(server, &format!("/orgs/{org}/accounts?{query}")).await }
    };
    let scim = by("source=scim").await;
    assert_eq!(count(&scim), 10);
    assert!(scim["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["source"] == "scim"));
    assert_eq!(count(&by("source=manual").await), 13);
    let admins = by("role=Administrator").await;
    assert_eq!(count(&admins), 4, "{admins}");
    assert!(admins["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("Administrator"))));
    assert_eq!(
        count(&by("role=administrator").await),
        4,
        "role names are case-insensitive"
    );
    assert_eq!(count(&by("role=Staff").await), 23);
    assert_eq!(count(&by("role=Content%20Manager").await), 0);
    let one = by("user_name=S03@ACME.test").await;
    assert_eq!(count(&one), 1, "{one}");
    assert_eq!(one["accounts"][0]["user_name"], "s03@acme.test");
    assert_eq!(
        count(&by("user_name=s03").await),
        0,
        "exact match, not a prefix"
    );

    // Deactivate two synced users and one manual one.
    for id in &synced[..2] {
        let (status, body) = scim_patch(
            &server,
            &token,
            id,
            json!([{"op": "replace", "path": "active", "value": false}]),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    // m00 is an administrator.
    let first_manual = by("user_name=m00@acme.test").await["accounts"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = patch_account(&server, &org, &first_manual, json!({"active": false})).await;
    assert_eq!(status, 200);
    assert_eq!(count(&by("state=inactive").await), 3);
    assert_eq!(count(&by("state=active").await), 20);
    assert_eq!(count(&by("state=inactive&source=scim").await), 2);
    assert_eq!(
        count(&by("state=inactive&source=manual&role=Administrator").await),
        1
    );
    assert_eq!(count(&by("state=conflict").await), 0);
    // Filters and paging together.
    let first = by("source=scim&limit=4").await;
    assert_eq!(count(&first), 4);
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    let second = get(
        &server,
        &format!("/orgs/{org}/accounts?source=scim&limit=100&cursor={cursor}"),
    )
    .await;
    assert_eq!(count(&second), 6);
    assert!(second["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["source"] == "scim"));

    for (query, code) in [
        ("state=deleted", "invalid_query"),
        ("source=ldap", "invalid_query"),
        ("role=Owner", "invalid_role"),
        ("cursor=not-a-cursor", "invalid_cursor"),
        ("cursor=%%%", "invalid_query"),
        ("limit=many", "invalid_query"),
    ] {
        let (status, err) = admin(
            &server,
            Method::GET,
            &format!("/orgs/{org}/accounts?{query}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{query}: {err}");
        assert!(
            err["error"] == code || (query.starts_with("cursor=%") && err["error"].is_string()),
            "{query}: {err}"
        );
        assert!(err["detail"].is_string());
    }
    // Out-of-range limits are clamped, not errors.
    assert_eq!(count(&by("limit=0").await), 1);
    assert_eq!(count(&by("limit=100000").await), 23);
    server.stop().await;
}

async fn federated_authentication_off_makes_synced_accounts_manual(engine: Engine) {
    let server = engine.server().await;
    let (org, token_id, token) = connected_org(&server, "Acme", "acme.test").await;
    let ann = scim_user(&server, &token, "ann@acme.test").await;
    let bob = scim_user(&server, &token, "bob@acme.test").await;
    let carl = create_manual(&server, &org, json!({"user_name": "carl@acme.test"})).await;

    // A refused change does nothing, not even the disconnection.
    let (status, err) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"federated_authentication": false, "name": ""})),
    )
    .await;
    assert_error(status, &err, 400, "invalid_name");
    assert_eq!(connection(&server, &org).await["state"], "connected");
    assert_eq!(
        send(scim_with(&server, &token, Method::GET, "/Users"))
            .await
            .0,
        200
    );
    assert!(events_of(&server, &org, "scim_disconnected")
        .await
        .is_empty());

    let (status, patched) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"federated_authentication": false})),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["federated_authentication"], false);
    assert_eq!(patched["scim_state"], "disconnected");
    assert_eq!(patched["directory_sync_source"], "none");
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "disconnected");
    assert_eq!(token_in(&view, &token_id)["status"], "revoked");
    assert_eq!(
        send(scim_with(&server, &token, Method::GET, "/Users"))
            .await
            .0,
        401
    );
    for id in [&ann, &bob] {
        let account = get(&server, &format!("/orgs/{org}/accounts/{id}")).await;
        assert_eq!(account["source"], "manual", "{account}");
    }
    assert_eq!(
        get(
            &server,
            &format!("/orgs/{org}/accounts/{}", carl["id"].as_str().unwrap())
        )
        .await["source"],
        "manual"
    );
    let disconnected = events_of(&server, &org, "scim_disconnected").await;
    assert_eq!(disconnected.len(), 1, "{disconnected:?}");
    assert_eq!(disconnected[0]["actor"], "admin");
    let (status, edited) =
        patch_account(&server, &org, &ann, json!({"given_name": "Editable"})).await;
    assert_eq!(status, 200, "{edited}");

    // Turning it off again (or on an org that never connected) disconnects nothing.
    for target in [org.clone(), new_org(&server, "Never", "never.test").await] {
        let (status, _) = admin(
            &server,
            Method::PATCH,
            &format!("/orgs/{target}"),
            Some(json!({"federated_authentication": false})),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            events_of(&server, &target, "scim_disconnected").await.len(),
            usize::from(target == org),
            "no second disconnection event"
        );
    }
    server.stop().await;
}

async fn activity_records_who_did_what(engine: Engine) {
    let server = engine.server().await;
    let (org, token_id, token) = connected_org(&server, "Acme", "acme.test").await;
    let scim_actor = format!("scim:{token_id}");
    let ann = scim_user(&server, &token, "ann@acme.test").await;
    let (status, body) = scim_patch(
        &server,
        &token,
        &ann,
        json!([{"op": "replace", "path": "name.familyName", "value": "Lee"}]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = scim_patch(
        &server,
        &token,
        &ann,
        json!([{"op": "replace", "path": "active", "value": false}]),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = scim_patch(
        &server,
        &token,
        &ann,
        json!([{"op": "replace", "path": "active", "value": true}]),
    )
    .await;
    assert_eq!(status, 200);
    let boss = create_manual(
        &server,
        &org,
        json!({"user_name": "boss@acme.test", "roles": ["Administrator"]}),
    )
    .await;
    let (status, body) = scim_create(&server, &token, "boss@acme.test").await;
    assert_eq!(
        status, 409,
        "a synced user never takes over an administrator: {body}"
    );
    let bob = scim_user(&server, &token, "bob@acme.test").await;
    let (status, _) = send(scim_with(
        &server,
        &token,
        Method::DELETE,
        &format!("/Users/{bob}"),
    ))
    .await;
    assert_eq!(status, 204);
    advance(&server, "P31D").await;
    let run = server.admin().run_reaper().await;
    assert_eq!(run["deleted"], 1, "{run}");
    let (second_id, _) = new_token(&server, &org).await;
    let (status, _) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/tokens/{second_id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);

    let all = events(&server, &org).await;
    let find = |kind: &str, account: Option<&str>| -> Vec<Value> {
        all.iter()
            .filter(|e| e["kind"] == kind && account.is_none_or(|id| e["account_id"] == id))
            .cloned()
            .collect()
    };
    let expect = |kind: &str, account: Option<&str>, actor: &str| {
        let found = find(kind, account);
        assert_eq!(found.len(), 1, "one {kind} for {account:?}: {all:#?}");
        assert_eq!(found[0]["actor"], actor, "{kind}");
        match account {
            Some(id) => assert_eq!(found[0]["account_id"], id, "{kind}"),
            None => assert_eq!(found[0]["account_id"], Value::Null, "{kind}"),
        }
        time(&found[0]["at"]);
    };
    let created_tokens = find("token_created", None);
    assert_eq!(created_tokens.len(), 2, "{all:#?}");
    assert!(created_tokens
        .iter()
        .all(|e| e["actor"] == "admin" && e["account_id"].is_null()));
    assert_eq!(created_tokens[0]["detail"]["token_id"], token_id.as_str());
    expect("scim_connected", None, &scim_actor);
    expect("account_created", Some(&ann), &scim_actor);
    expect("account_deactivated", Some(&ann), &scim_actor);
    expect("account_reactivated", Some(&ann), &scim_actor);
    assert!(!find("account_updated", Some(&ann)).is_empty());
    assert!(find("account_updated", Some(&ann))
        .iter()
        .all(|e| e["actor"] == scim_actor.as_str()));
    expect(
        "account_created",
        Some(boss["id"].as_str().unwrap()),
        "admin",
    );
    let skipped = find("sync_skipped", None);
    assert_eq!(skipped.len(), 1, "{all:#?}");
    assert_eq!(skipped[0]["actor"], scim_actor.as_str());
    assert_eq!(
        skipped[0]["detail"]["user_name"], "boss@acme.test",
        "{}",
        skipped[0]
    );
    expect("account_deactivated", Some(&bob), &scim_actor);
    expect("account_deleted", Some(&bob), "reaper");
    expect("token_revoked", None, "admin");

    // Newest last: seq strictly increasing, time never going back.
    for pair in all.windows(2) {
        assert!(
            pair[0]["seq"].as_i64() < pair[1]["seq"].as_i64(),
            "{pair:?}"
        );
        assert!(time(&pair[0]["at"]) <= time(&pair[1]["at"]), "{pair:?}");
    }
    assert_eq!(all.last().unwrap()["kind"], "token_revoked");

    // The cursor walks every event exactly once; limit bounds each page.
    let mut walked = Vec::new();
    let mut since = 0;
    loop {
        let page = get(
            &server,
            &format!("/orgs/{org}/activity?since={since}&limit=3"),
        )
        .await;
        let events = page["events"].as_array().unwrap();
        assert!(events.len() <= 3);
        if events.is_empty() {
            assert_eq!(page["next_since"], since, "an empty page keeps the cursor");
            break;
        }
        since = page["next_since"].as_i64().unwrap();
        assert_eq!(since, events.last().unwrap()["seq"].as_i64().unwrap());
        walked.extend(events.iter().cloned());
    }
    assert_eq!(walked, all);
    let default_page = get(&server, &format!("/orgs/{org}/activity")).await;
    assert_eq!(
        default_page["events"].as_array().unwrap(),
        &all,
        "default: from the start"
    );

    // Only what happened after the cursor.
    let mark = all.last().unwrap()["seq"].as_i64().unwrap();
    let carl = create_manual(&server, &org, json!({"user_name": "carl@acme.test"})).await;
    let page = get(&server, &format!("/orgs/{org}/activity?since={mark}")).await;
    let new: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(new, ["account_created"]);
    assert_eq!(page["events"][0]["account_id"], carl["id"]);

    // The kind filter.
    let created = get(
        &server,
        &format!("/orgs/{org}/activity?kind=account_created"),
    )
    .await;
    let created = created["events"].as_array().unwrap();
    assert_eq!(created.len(), 4, "ann, boss, bob, carl: {created:?}");
    assert!(created.iter().all(|e| e["kind"] == "account_created"));
    let after = get(
        &server,
        &format!(
            "/orgs/{org}/activity?kind=account_created&since={}",
            created[0]["seq"]
        ),
    )
    .await;
    assert_eq!(after["events"].as_array().unwrap().len(), 3);
    let none = get(&server, &format!("/orgs/{org}/activity?kind=no_such_kind")).await;
    assert_eq!(none["events"], json!([]));

    // Another organization's activity is its own.
    let other = new_org(&server, "Other", "other.test").await;
    assert_eq!(
        get(&server, &format!("/orgs/{other}/activity")).await["events"],
        json!([])
    );
    server.stop().await;
}

on_both_engines!(
    manual_accounts_are_fully_editable,
    synced_accounts_only_take_roles_and_person_id,
    account_list_filters_and_cursor_paging,
    federated_authentication_off_makes_synced_accounts_manual,
    activity_records_who_did_what,
);
