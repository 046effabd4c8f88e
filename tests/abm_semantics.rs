//! Issue 5: Apple Business Manager's directory semantics.

mod common;

use std::time::Duration;

use abm_scim::domain::{AccountState, Role, Timestamp};
use abm_scim::testing::TestServer;
use common::{scim_with, send, Engine};
use reqwest::Method;
use serde_json::{json, Value};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user(user_name: &str, external_id: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name, "externalId": external_id,
           "name": {"givenName": "Test", "familyName": "User"}, "active": true})
}

async fn create(server: &TestServer, body: &Value) -> (u16, Value) {
    send(server.scim(Method::POST, "/Users").json(body)).await
}

async fn account(server: &TestServer, id: &str) -> Value {
    let (status, body) = send(server.admin().request(
        Method::GET,
        &format!("/orgs/{}/accounts/{id}", server.default_org_id()),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn events(server: &TestServer, kind: &str) -> Vec<Value> {
    let (_, body) = send(server.admin().request(
        Method::GET,
        &format!(
            "/orgs/{}/activity?kind={kind}&limit=1000",
            server.default_org_id()
        ),
    ))
    .await;
    body["events"].as_array().unwrap().clone()
}

async fn patch_org(server: &TestServer, body: Value) {
    let (status, answer) = send(
        server
            .admin()
            .request(Method::PATCH, &format!("/orgs/{}", server.default_org_id()))
            .json(&body),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
}

async fn manual_account(server: &TestServer, user_name: &str, roles: &[&str]) -> Value {
    let (status, body) = send(
        server
            .admin()
            .request(Method::POST, &format!("/orgs/{}/accounts", server.default_org_id()))
            .json(&json!({"user_name": user_name, "given_name": "Man", "family_name": "Ual", "roles": roles})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn creation_makes_a_staff_account_with_a_person_id(engine: Engine) {
    let server = engine.server().await;
    let (status, created) = create(&server, &user("ann@example.com", "e-ann")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["roles"][0]["value"], "Staff");
    let acc = account(&server, id).await;
    let person_id = acc["person_id"].as_str().unwrap();
    assert!(
        !person_id.is_empty(),
        "a Person ID is generated on the first sync"
    );
    assert_eq!(acc["source"], "scim");
    assert_eq!(acc["roles"], json!(["Staff"]));
    assert_eq!(acc["state"], "active");
    let created_events = events(&server, "account_created").await;
    assert_eq!(created_events.len(), 1);
    assert_eq!(created_events[0]["account_id"], id);
    assert!(created_events[0]["actor"]
        .as_str()
        .unwrap()
        .starts_with("scim:"));
    server.stop().await;
}

async fn user_names_must_be_in_a_verified_domain(engine: Engine) {
    let server = engine.server().await;
    let admin = server.admin();
    let org = server.default_org_id().to_string();
    send(
        admin
            .request(Method::POST, &format!("/orgs/{org}/domains"))
            .json(&json!({"name": "pending.test", "verified": false})),
    )
    .await;
    for user_name in ["bob@pending.test", "bob@elsewhere.test", "just-a-name"] {
        let (status, body) = create(&server, &user(user_name, "e-bob")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["scimType"], "invalidValue");
        assert!(
            body["detail"].as_str().unwrap().contains("verified domain"),
            "{body}"
        );
    }
    let (_, list) = send(server.scim(Method::GET, "/Users")).await;
    assert_eq!(list["totalResults"], 0, "nothing stored");
    assert_eq!(events(&server, "sync_skipped").await.len(), 3);
    // Verifying the domain, or turning the rule off, lets them in.
    send(
        admin
            .request(Method::POST, &format!("/orgs/{org}/domains"))
            .json(&json!({"name": "pending.test", "verified": true})),
    )
    .await;
    assert_eq!(
        create(&server, &user("bob@pending.test", "e-bob")).await.0,
        201
    );
    patch_org(&server, json!({"require_verified_domain": false})).await;
    assert_eq!(
        create(&server, &user("3f1c2d9e-uuid-like", "e-uuid"))
            .await
            .0,
        201
    );
    server.stop().await;
}

async fn name_conflicts_follow_abm(engine: Engine) {
    let server = engine.server().await;
    // An active SCIM account.
    assert_eq!(
        create(&server, &user("cy@example.com", "e-cy")).await.0,
        201
    );
    let (status, body) = create(&server, &user("CY@example.com", "e-other")).await;
    assert_eq!(status, 409);
    assert_eq!(body["scimType"], "uniqueness");

    // A manual Administrator: refused, unchanged, sync skipped.
    let admin_account = manual_account(&server, "boss@example.com", &["Administrator"]).await;
    let (status, body) = create(&server, &user("boss@example.com", "e-boss")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["scimType"], "uniqueness");
    let after = account(&server, admin_account["id"].as_str().unwrap()).await;
    assert_eq!(after["source"], "manual");
    assert_eq!(
        after["updated_at"], admin_account["updated_at"],
        "left unchanged"
    );
    let skipped = events(&server, "sync_skipped").await;
    assert!(
        skipped
            .iter()
            .any(|e| e["account_id"] == admin_account["id"]),
        "{skipped:?}"
    );
    // A People Manager too.
    manual_account(&server, "pm@example.com", &["People Manager"]).await;
    assert_eq!(
        create(&server, &user("pm@example.com", "e-pm")).await.0,
        409
    );

    // Another manual account, auto merge off: 409, flagged as conflicting.
    let staff = manual_account(&server, "dee@example.com", &["Staff", "Content Manager"]).await;
    assert_eq!(
        create(&server, &user("dee@example.com", "e-dee")).await.0,
        409
    );
    assert_eq!(
        account(&server, staff["id"].as_str().unwrap()).await["state"],
        "conflict"
    );

    // Auto merge on: the manual account becomes the SCIM account, keeping id, roles, Person ID.
    patch_org(&server, json!({"auto_merge": true})).await;
    let staff = manual_account(&server, "eve@example.com", &["Staff", "Content Manager"]).await;
    let (status, merged) = create(&server, &user("eve@example.com", "e-eve")).await;
    assert_eq!(status, 201, "{merged}");
    assert_eq!(merged["id"], staff["id"]);
    let acc = account(&server, staff["id"].as_str().unwrap()).await;
    assert_eq!(acc["source"], "scim");
    assert_eq!(acc["roles"], json!(["Staff", "Content Manager"]));
    assert_eq!(acc["person_id"], staff["person_id"]);
    assert_eq!(acc["given_name"], "Test", "takes the IdP's attributes");
    server.stop().await;
}

async fn deactivated_accounts_come_back_with_the_same_external_id(engine: Engine) {
    let server = engine.server().await;
    let (_, created) = create(&server, &user("fay@example.com", "e-fay")).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        send(server.scim(Method::DELETE, &format!("/Users/{id}")))
            .await
            .0,
        204
    );
    // Same externalId: reactivated, same id, 201.
    let (status, again) = create(&server, &user("fay@example.com", "e-fay")).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["id"], id.as_str());
    let acc = account(&server, &id).await;
    assert_eq!(acc["state"], "active");
    assert!(acc["delete_after"].is_null(), "deletion cancelled");
    assert_eq!(events(&server, "account_reactivated").await.len(), 1);

    // Different externalId: 409 unless auto merge, which relinks.
    assert_eq!(
        send(server.scim(Method::DELETE, &format!("/Users/{id}")))
            .await
            .0,
        204
    );
    let (status, body) = create(&server, &user("fay@example.com", "e-new-identity")).await;
    assert_eq!(status, 409, "{body}");
    patch_org(&server, json!({"auto_merge": true})).await;
    let (status, relinked) = create(&server, &user("fay@example.com", "e-new-identity")).await;
    assert_eq!(status, 201, "{relinked}");
    assert_eq!(relinked["id"], id.as_str());
    assert_eq!(relinked["externalId"], "e-new-identity");
    server.stop().await;
}

async fn abm_fields_are_not_writable_through_scim(engine: Engine) {
    let server = engine.server().await;
    let (_, created) = create(&server, &user("gus@example.com", "e-gus")).await;
    let id = created["id"].as_str().unwrap();
    for path in [
        "roles",
        "urn:abm-scim:params:scim:schemas:extension:abm:2.0:User:personId",
        "id",
    ] {
        let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": path, "value": "Administrator"}]});
        let (status, body) = send(
            server
                .scim(Method::PATCH, &format!("/Users/{id}"))
                .json(&patch),
        )
        .await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["scimType"], "mutability", "{path}");
    }
    // Read-only values in a PUT body are ignored.
    let mut put = created.clone();
    put["roles"] = json!([{"value": "Administrator"}]);
    put["displayName"] = json!("Gus");
    let (status, replaced) =
        send(server.scim(Method::PUT, &format!("/Users/{id}")).json(&put)).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["roles"], json!([{"value": "Staff"}]));
    assert_eq!(replaced["displayName"], "Gus");
    // Renaming keeps the verified-domain rule and uniqueness.
    create(&server, &user("hal@example.com", "e-hal")).await;
    let rename = |name: &str| {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "userName", "value": name}]})
    };
    let (status, body) = send(
        server
            .scim(Method::PATCH, &format!("/Users/{id}"))
            .json(&rename("gus@unverified.test")),
    )
    .await;
    assert_eq!(
        (status, body["scimType"].clone()),
        (400, json!("invalidValue")),
        "{body}"
    );
    let (status, body) = send(
        server
            .scim(Method::PATCH, &format!("/Users/{id}"))
            .json(&rename("HAL@example.com")),
    )
    .await;
    assert_eq!(
        (status, body["scimType"].clone()),
        (409, json!("uniqueness")),
        "{body}"
    );
    let (status, body) = send(
        server
            .scim(Method::PATCH, &format!("/Users/{id}"))
            .json(&rename("gustav@example.com")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    server.stop().await;
}

async fn delete_deactivates_and_hides_from_scim(engine: Engine) {
    let server = engine.server().await;
    let (_, created) = create(&server, &user("ida@example.com", "e-ida")).await;
    let id = created["id"].as_str().unwrap();
    let (status, _) = send(server.scim(Method::DELETE, &format!("/Users/{id}"))).await;
    assert_eq!(status, 204);
    for method in [Method::GET, Method::PUT, Method::PATCH, Method::DELETE] {
        let mut request = server.scim(method.clone(), &format!("/Users/{id}"));
        if method == Method::PUT {
            request = request.json(&user("ida@example.com", "e-ida"));
        }
        if method == Method::PATCH {
            request = request.json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "displayName", "value": "x"}]}));
        }
        assert_eq!(send(request).await.0, 404, "{method} after DELETE");
    }
    let acc = account(&server, id).await;
    assert_eq!(acc["state"], "inactive");
    let deactivated: chrono::DateTime<chrono::Utc> =
        acc["deactivated_at"].as_str().unwrap().parse().unwrap();
    let delete_after: chrono::DateTime<chrono::Utc> =
        acc["delete_after"].as_str().unwrap().parse().unwrap();
    assert_eq!(delete_after - deactivated, chrono::Duration::days(30));
    let deactivations = events(&server, "account_deactivated").await;
    assert_eq!(deactivations.len(), 1);
    assert_eq!(deactivations[0]["detail"]["signed_out_of_devices"], true);
    server.stop().await;
}

async fn active_false_deactivates_in_every_dialect_and_active_true_reactivates(engine: Engine) {
    let server = engine.server().await;
    let okta = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]});
    let entra = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
    for (i, body) in [okta, entra].iter().enumerate() {
        let (_, created) = create(
            &server,
            &user(&format!("u{i}@example.com"), &format!("e-u{i}")),
        )
        .await;
        let id = created["id"].as_str().unwrap();
        let (status, patched) = send(
            server
                .scim(Method::PATCH, &format!("/Users/{id}"))
                .json(body),
        )
        .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["active"], false);
        assert_eq!(account(&server, id).await["state"], "inactive");
        // Still readable by GET and by filter (unlike after DELETE).
        assert_eq!(
            send(server.scim(Method::GET, &format!("/Users/{id}")))
                .await
                .0,
            200
        );
        let (_, found) = send(server.scim(
            Method::GET,
            &format!("/Users?filter=userName%20eq%20%22u{i}@example.com%22"),
        ))
        .await;
        assert_eq!(found["totalResults"], 1);
        let reactivate = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": true}]});
        let (status, _) = send(
            server
                .scim(Method::PATCH, &format!("/Users/{id}"))
                .json(&reactivate),
        )
        .await;
        assert_eq!(status, 200);
        let acc = account(&server, id).await;
        assert_eq!(acc["state"], "active");
        assert!(acc["deactivated_at"].is_null());
    }
    // A PUT with active=false deactivates too.
    let (_, created) = create(&server, &user("put@example.com", "e-put")).await;
    let mut body = created.clone();
    body["active"] = json!(false);
    let (status, _) = send(
        server
            .scim(
                Method::PUT,
                &format!("/Users/{}", created["id"].as_str().unwrap()),
            )
            .json(&body),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        account(&server, created["id"].as_str().unwrap()).await["state"],
        "inactive"
    );
    assert_eq!(events(&server, "account_deactivated").await.len(), 3);
    assert_eq!(events(&server, "account_reactivated").await.len(), 2);
    server.stop().await;
}

async fn the_reaper_deletes_after_the_retention(engine: Engine) {
    let server = engine.server().await;
    let admin = server.admin();
    let (_, created) = create(&server, &user("jo@example.com", "e-jo")).await;
    let id = created["id"].as_str().unwrap();
    let (_, keep) = create(&server, &user("kim@example.com", "e-kim")).await;
    send(server.scim(Method::DELETE, &format!("/Users/{id}"))).await;
    admin.advance_clock("P29D").await;
    assert_eq!(admin.run_reaper().await["deleted"], 0);
    admin.advance_clock("P2D").await;
    let (status, dry) = send(admin.request(Method::POST, "/reaper/run?dry_run=true")).await;
    assert_eq!(status, 200);
    assert_eq!(dry["deleted"], 1, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        account(&server, id).await["state"],
        "inactive",
        "a dry run deletes nothing"
    );
    let run = admin.run_reaper().await;
    assert_eq!(run["deleted"], 1);
    assert_eq!(run["accounts"][0]["id"], id);
    assert_eq!(run["truncated"], false, "{run}");
    let (status, _) = send(admin.request(
        Method::GET,
        &format!("/orgs/{}/accounts/{id}", server.default_org_id()),
    ))
    .await;
    assert_eq!(status, 404, "permanently deleted");
    let deleted = events(&server, "account_deleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["actor"], "reaper");
    assert_eq!(
        account(&server, keep["id"].as_str().unwrap()).await["state"],
        "active"
    );
    server.stop().await;
}

/// A pass over more accounts than one batch deletes them all, each with its event, but answers
/// with the count and only the first 100 accounts (a pass over 100,000 used to answer 47 MB).
async fn a_large_reaper_pass_counts_everything_and_lists_the_first_hundred(engine: Engine) {
    // More than one batch on either engine (10,000 rows on SQLite, 2,000 on PostgreSQL).
    const EXPIRED: u64 = 10_050;
    let server = engine.server().await;
    let app = server.app();
    let org = server.default_org_id().to_string();
    let now = Timestamp::from(app.clock.now().await.unwrap());
    let day = Duration::from_secs(86_400);
    let mut accounts = abm_scim::service::seed_gen::generate_accounts(
        &org,
        Role::Staff,
        "example.com",
        9,
        0,
        EXPIRED,
        now,
    );
    // Deactivated 40 days ago, one microsecond apart: the reaper takes the oldest first.
    for (i, account) in accounts.iter_mut().enumerate() {
        account.active = false;
        account.state = AccountState::Inactive;
        account.deactivated_at = Some(
            now.saturating_sub(40 * day)
                .saturating_add(Duration::from_micros(i as u64)),
        );
    }
    app.store.bulk_insert_accounts(&accounts).await.unwrap();
    // Deactivated 10 days ago: kept.
    let (_, kept) = create(&server, &user("kim@example.com", "e-kim")).await;
    let kept = kept["id"].as_str().unwrap().to_string();
    send(server.scim(Method::DELETE, &format!("/Users/{kept}"))).await;
    server.admin().advance_clock("P10D").await;
    let reaped_at = Timestamp::from(app.clock.now().await.unwrap());

    let listed_ids = |body: &Value| -> Vec<String> {
        body["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    let first: Vec<String> = accounts[..100].iter().map(|a| a.id.clone()).collect();
    let (status, dry) = send(
        server
            .admin()
            .request(Method::POST, "/reaper/run?dry_run=true"),
    )
    .await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["deleted"], EXPIRED);
    assert_eq!(dry["truncated"], true);
    assert_eq!(listed_ids(&dry), first, "a dry run lists the first 100 due");

    let run = server.admin().run_reaper().await;
    assert_eq!(run["deleted"], EXPIRED);
    assert_eq!(run["dry_run"], false);
    assert_eq!(run["truncated"], true);
    assert_eq!(
        listed_ids(&run),
        first,
        "the first 100 deleted, oldest first"
    );
    assert_eq!(
        run["accounts"][0]["user_name"],
        accounts[0].user_name.as_str()
    );
    assert_eq!(run["accounts"][0]["state"], "inactive");

    // One `account_deleted` event per deleted account, as the per-account path records it.
    let deleted = app
        .store
        .list_events(&org, 0, Some("account_deleted"), 100_000)
        .await
        .unwrap();
    assert_eq!(deleted.len() as u64, EXPIRED);
    let by_id: std::collections::HashMap<&str, &abm_scim::store::Account> =
        accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut seen = std::collections::HashSet::new();
    for event in &deleted {
        let id = event.account_id.as_deref().expect("account_id");
        let account = by_id.get(id).expect("an event for an expired account");
        assert!(seen.insert(id), "one event per account: {id}");
        assert_eq!(event.actor, "reaper");
        assert_eq!(event.org_id, org);
        assert_eq!(event.detail, json!({ "user_name": account.user_name }));
        assert_eq!(event.at, reaped_at, "recorded at the time of the pass");
    }
    assert_eq!(
        account(&server, &kept).await["state"],
        "inactive",
        "an account inactive for 10 days stays"
    );
    let again = server.admin().run_reaper().await;
    assert_eq!(again["deleted"], 0, "{again}");
    assert_eq!(again["truncated"], false);
    assert_eq!(again["accounts"], json!([]));
    server.stop().await;
}

async fn the_background_reaper_runs_on_its_interval(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|args| args.reaper_interval = std::time::Duration::from_millis(100))
        .start()
        .await;
    let (_, created) = create(&server, &user("lu@example.com", "e-lu")).await;
    let id = created["id"].as_str().unwrap();
    send(server.scim(Method::DELETE, &format!("/Users/{id}"))).await;
    server.admin().advance_clock("P30D").await;
    let mut gone = false;
    for _ in 0..100 {
        let (status, _) = send(server.admin().request(
            Method::GET,
            &format!("/orgs/{}/accounts/{id}", server.default_org_id()),
        ))
        .await;
        if status == 404 {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(gone, "the background reaper deleted the account");
    server.stop().await;
}

async fn the_manual_clock_moves_forward_only(engine: Engine) {
    let server = engine.server().await;
    let admin = server.admin();
    let (status, clock) = send(admin.request(Method::GET, "/clock")).await;
    assert_eq!(status, 200);
    assert_eq!(clock["mode"], "manual");
    let before: chrono::DateTime<chrono::Utc> = clock["now"].as_str().unwrap().parse().unwrap();
    let moved = admin.advance_clock("P31D").await;
    let after: chrono::DateTime<chrono::Utc> = moved["now"].as_str().unwrap().parse().unwrap();
    assert_eq!(after - before, chrono::Duration::days(31));
    let (status, body) = send(
        admin
            .request(Method::POST, "/clock")
            .json(&json!({"set": "2001-01-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let (status, set) = send(
        admin
            .request(Method::POST, "/clock")
            .json(&json!({"set": "2099-01-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(set["now"], "2099-01-01T00:00:00Z");
    // SCIM meta timestamps read the clock (the first token expired decades ago: make a new one).
    let token = admin.create_token(server.default_org_id()).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, created) = send(
        scim_with(&server, &token, Method::POST, "/Users").json(&user("mo@example.com", "e-mo")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert!(
        created["meta"]["created"]
            .as_str()
            .unwrap()
            .starts_with("2099-01-01T00:00:00"),
        "{created}"
    );
    server.stop().await;

    let system = engine
        .builder()
        .await
        .clock(abm_scim::clock::ClockMode::System)
        .start()
        .await;
    let (status, body) = send(
        system
            .admin()
            .request(Method::POST, "/clock")
            .json(&json!({"advance": "P1D"})),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"], "clock_not_manual");
    system.stop().await;
}

async fn editing_the_person_id_breaks_the_link_until_resolved(engine: Engine) {
    let server = engine.server().await;
    let admin = server.admin();
    let org = server.default_org_id().to_string();
    let (_, created) = create(&server, &user("ned@example.com", "e-ned")).await;
    let id = created["id"].as_str().unwrap();
    let (status, edited) = send(
        admin
            .request(Method::PATCH, &format!("/orgs/{org}/accounts/{id}"))
            .json(&json!({"person_id": "P-EDITED"})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["state"], "conflict");
    assert_eq!(
        send(server.scim(Method::GET, &format!("/Users/{id}")))
            .await
            .0,
        404
    );
    assert_eq!(
        send(server.scim(Method::DELETE, &format!("/Users/{id}")))
            .await
            .0,
        404
    );
    let (status, body) = create(&server, &user("ned@example.com", "e-ned")).await;
    assert_eq!(status, 409);
    assert_eq!(body["scimType"], "uniqueness");
    assert!(
        body["detail"].as_str().unwrap().contains("Person ID"),
        "{body}"
    );

    let (status, relinked) = send(
        admin
            .request(Method::POST, &format!("/orgs/{org}/accounts/{id}/resolve"))
            .json(&json!({"action": "relink"})),
    )
    .await;
    assert_eq!(status, 200, "{relinked}");
    assert_eq!(relinked["state"], "active");
    assert_eq!(
        send(server.scim(Method::GET, &format!("/Users/{id}")))
            .await
            .0,
        200,
        "SCIM sees it again"
    );

    send(
        admin
            .request(Method::PATCH, &format!("/orgs/{org}/accounts/{id}"))
            .json(&json!({"person_id": "P-EDITED-AGAIN"})),
    )
    .await;
    let (status, manual) = send(
        admin
            .request(Method::POST, &format!("/orgs/{org}/accounts/{id}/resolve"))
            .json(&json!({"action": "make_manual"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(manual["source"], "manual");
    assert_eq!(manual["state"], "active");
    let (status, _) = send(
        admin
            .request(Method::POST, &format!("/orgs/{org}/accounts/{id}/resolve"))
            .json(&json!({"action": "explode"})),
    )
    .await;
    assert_eq!(status, 400);
    server.stop().await;
}

async fn federation_off_turns_synced_accounts_into_manual_ones(engine: Engine) {
    let server = engine.server().await;
    let (_, active) = create(&server, &user("oli@example.com", "e-oli")).await;
    let (_, inactive) = create(&server, &user("pat@example.com", "e-pat")).await;
    send(server.scim(
        Method::DELETE,
        &format!("/Users/{}", inactive["id"].as_str().unwrap()),
    ))
    .await;
    let delete_after =
        account(&server, inactive["id"].as_str().unwrap()).await["delete_after"].clone();
    patch_org(&server, json!({"federated_authentication": false})).await;
    let a = account(&server, active["id"].as_str().unwrap()).await;
    assert_eq!(a["source"], "manual");
    let i = account(&server, inactive["id"].as_str().unwrap()).await;
    assert_eq!(i["source"], "manual");
    assert_eq!(i["state"], "inactive");
    assert_eq!(
        i["delete_after"], delete_after,
        "inactive ones keep their deletion date"
    );
    let (status, body) = send(server.scim(Method::GET, "/Users")).await;
    assert!(status == 401 || status == 403, "{status} {body}");
    let (_, connection) = send(server.admin().request(
        Method::GET,
        &format!("/orgs/{}/scim", server.default_org_id()),
    ))
    .await;
    assert_eq!(connection["state"], "disconnected");
    server.stop().await;
}

async fn scim_is_refused_while_the_sync_source_is_not_scim(engine: Engine) {
    let server = engine.server().await;
    let org = server.default_org_id().to_string();
    let token = server.scim_token().to_string();
    let (status, _) = send(
        server
            .admin()
            .request(Method::DELETE, &format!("/orgs/{org}/scim")),
    )
    .await;
    assert_eq!(status, 204);
    patch_org(&server, json!({"directory_sync_source": "oidc_entra"})).await;
    let (status, body) = send(scim_with(&server, &token, Method::GET, "/Users")).await;
    assert!(status == 401 || status == 403, "{status}");
    assert!(!body["detail"].as_str().unwrap_or_default().is_empty());
    let (status, body) = send(
        server
            .admin()
            .request(Method::POST, &format!("/orgs/{org}/scim/tokens")),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"], "sync_source_conflict");
    let _ = ENTERPRISE;
    server.stop().await;
}

on_both_engines!(
    creation_makes_a_staff_account_with_a_person_id,
    user_names_must_be_in_a_verified_domain,
    name_conflicts_follow_abm,
    deactivated_accounts_come_back_with_the_same_external_id,
    abm_fields_are_not_writable_through_scim,
    delete_deactivates_and_hides_from_scim,
    active_false_deactivates_in_every_dialect_and_active_true_reactivates,
    the_reaper_deletes_after_the_retention,
    a_large_reaper_pass_counts_everything_and_lists_the_first_hundred,
    the_background_reaper_runs_on_its_interval,
    the_manual_clock_moves_forward_only,
    editing_the_person_id_breaks_the_link_until_resolved,
    federation_off_turns_synced_accounts_into_manual_ones,
    scim_is_refused_while_the_sync_source_is_not_scim,
);
