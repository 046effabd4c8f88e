//! Issue 15: Apple School Manager organizations next to Business Manager ones — the school SCIM
//! path, Student by default, school roles, Site Manager protected, grade levels, the Student
//! Information System switch and a 120-day retention — and business organizations unchanged.

mod common;
mod scim_support;

use abm_scim::domain::OrgKind;
use abm_scim::testing::TestServer;
use common::{send, Engine};
use reqwest::Method;
use scim_support::*;
use serde_json::{json, Value};

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// An organization of `kind` with the verified domain `school.example`, and a SCIM client for
/// it at its kind's path.
async fn org_of_kind(server: &TestServer, kind: &str, name: &str) -> (String, Scim) {
    let admin = server.admin();
    let org = admin
        .create_org(json!({
            "name": name,
            "kind": kind,
            "domains": [{"name": "school.example", "verified": true}],
        }))
        .await;
    assert_eq!(org["kind"], kind, "{org}");
    let org_id = org["id"].as_str().expect("org id").to_string();
    let token = admin.create_token(&org_id).await;
    let token = token["token"].as_str().expect("token").to_string();
    let kind: OrgKind = kind.parse().expect("a kind");
    (org_id, Scim::at(server.scim_url_for(kind), token))
}

async fn school(server: &TestServer) -> (String, Scim) {
    org_of_kind(server, "school", "Springfield Elementary").await
}

/// Entra ID's "Create User" body for a pupil of the school.
fn entra_pupil(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Lisa Simpson", "familyName": "Simpson", "givenName": "Lisa"},
        "roles": []
    })
}

async fn admin_get(server: &TestServer, path: &str) -> Value {
    let (status, body) = send(server.admin().request(Method::GET, path)).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

async fn admin_send(server: &TestServer, method: Method, path: &str, body: Value) -> (u16, Value) {
    send(server.admin().request(method, path).json(&body)).await
}

async fn school_org_provisioned_through_the_school_path(engine: Engine) {
    let server = engine.server().await;
    let (org_id, scim) = school(&server).await;
    assert!(scim.base.ends_with("/feeds/school/scim"), "{}", scim.base);

    // Entra ID's "Test connection", then its lookup before create.
    let probe = scim
        .get("/Users?filter=userName+eq+%22b5a1d2c4-6a1f-4c55-9d0e-7c1f4e0b9a3e%22")
        .await
        .expect(200);
    assert_eq!(probe.body["totalResults"], 0);
    let user_name = "lisa.simpson@school.example";
    assert_eq!(
        scim.filter(&format!("userName eq \"{user_name}\"")).await["totalResults"],
        0
    );

    let created = scim
        .post("/Users", &entra_pupil(user_name, "e-lisa"))
        .await
        .expect(201);
    let id = id_of(&created.body);
    assert_eq!(
        created.body["roles"],
        json!([{"value": "Student"}]),
        "ASM's default role"
    );
    let location = created.header("location").expect("Location").to_string();
    assert!(
        location.ends_with(&format!("/feeds/school/scim/Users/{id}")),
        "{location}"
    );
    assert_eq!(created.body["meta"]["location"], location);

    // Entra's updates: a capitalised Replace, then the string boolean that disables.
    let patched = scim
        .patch_ops(
            &id,
            json!([{"op": "Replace", "path": "name.familyName", "value": "Simpson-Bouvier"}]),
        )
        .await
        .expect(200);
    assert_eq!(patched.body["name"]["familyName"], "Simpson-Bouvier");
    assert_eq!(patched.body["meta"]["location"], location);
    let disabled = scim
        .patch_ops(
            &id,
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
        )
        .await
        .expect(200);
    assert_eq!(disabled.body["active"], false);

    let account = admin_get(&server, &format!("/orgs/{org_id}/accounts/{id}")).await;
    assert_eq!(account["roles"], json!(["Student"]));
    assert_eq!(account["state"], "inactive");
    assert_eq!(account["grade_level"], Value::Null);

    // The organization says what it is, where it is served and how long it keeps accounts.
    let org = admin_get(&server, &format!("/orgs/{org_id}")).await;
    assert_eq!(org["kind"], "school");
    assert_eq!(org["scim_path"], "/feeds/school/scim");
    assert_eq!(org["retention_days"], 120);
    assert_eq!(org["retention_is_default"], true);
    assert_eq!(org["sis_connected"], false);
    let connection = admin_get(&server, &format!("/orgs/{org_id}/scim")).await;
    assert_eq!(connection["state"], "connected");
    assert_eq!(
        connection["base_url"],
        format!("{}/feeds/school/scim", server.base_url())
    );
    let listed = admin_get(&server, "/orgs").await;
    let mut kinds: Vec<&str> = listed["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["business", "school"], "{listed}");

    // The /scim/v2 alias serves schools too, and its URLs keep the path called.
    let alias = Scim::at(format!("{}/scim/v2", server.base_url()), scim.token.clone());
    let got = alias.get(&format!("/Users/{id}")).await.expect(200);
    assert!(
        got.body["meta"]["location"]
            .as_str()
            .unwrap()
            .contains("/scim/v2/Users/"),
        "{}",
        got.body
    );
    let config = scim.get("/ServiceProviderConfig").await.expect(200);
    assert!(
        config.body["meta"]["location"]
            .as_str()
            .unwrap()
            .contains("/feeds/school/scim/"),
        "{}",
        config.body
    );
    server.stop().await;
}

async fn credentials_work_only_on_their_products_path(engine: Engine) {
    let server = engine.server().await;
    let (school_id, school_scim) = school(&server).await;
    let business_token = server.scim_token().to_string();

    // A business token on the school path: 401 naming the business base URL.
    let on_school = Scim::at(server.scim_url_for(OrgKind::School), business_token.clone());
    let refused = on_school.get("/Users").await.expect_error(401, None);
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("Apple Business Manager"), "{detail}");
    assert!(
        detail.contains(&format!("{}/feeds/business/scim", server.base_url())),
        "{detail}"
    );
    // ... and a school token on the business path: 401 naming the school one.
    let on_business = Scim::at(
        server.scim_url_for(OrgKind::Business),
        school_scim.token.clone(),
    );
    let refused = on_business
        .post("/Users", &entra_pupil("bart@school.example", "e-bart"))
        .await
        .expect_error(401, None);
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("Apple School Manager"), "{detail}");
    assert!(detail.contains("/feeds/school/scim"), "{detail}");
    assert_eq!(
        server.admin().accounts(&school_id).await["accounts"],
        json!([]),
        "a refused request changes nothing"
    );
    // A refused request is not a use of the token: the school connection is still pending.
    let connection = admin_get(&server, &format!("/orgs/{school_id}/scim")).await;
    assert_eq!(connection["state"], "pending", "{connection}");
    assert_eq!(connection["tokens"][0]["last_used_at"], Value::Null);

    // OAuth access tokens follow the same rule.
    let session = server.oauth_session(&school_id).await;
    let oauth_on_business = Scim::at(
        server.scim_url_for(OrgKind::Business),
        session.access_token.clone(),
    );
    oauth_on_business
        .get("/Users")
        .await
        .expect_error(401, None);
    let oauth_on_school = Scim::at(server.scim_url_for(OrgKind::School), session.access_token);
    oauth_on_school.get("/Users").await.expect(200);
    // The approval page names the product.
    let page = reqwest::Client::new()
        .get(server.oauth_authorize_url())
        .query(&[
            ("client_id", session.client.client_id.as_str()),
            ("redirect_uri", session.client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("into Springfield Elementary in Apple School Manager?"),
        "{page}"
    );

    // Each token works on its own path and on the alias.
    school_scim.get("/Users").await.expect(200);
    server
        .scim(Method::GET, "/Users")
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    Scim::at(format!("{}/scim/v2", server.base_url()), business_token)
        .get("/Users")
        .await
        .expect(200);
    server.stop().await;
}

async fn roles_follow_the_organizations_kind(engine: Engine) {
    let server = engine.server().await;
    let business = server.default_org_id().to_string();
    let (school_id, scim) = school(&server).await;

    // A school role in a business: 400 naming the business roles.
    let (status, body) = admin_send(
        &server,
        Method::POST,
        &format!("/orgs/{business}/accounts"),
        json!({"user_name": "ned@example.com", "roles": ["Instructor"]}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_role");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("Instructor is not a role in Apple Business Manager"),
        "{detail}"
    );
    assert!(
        detail.contains(
            "Administrator, People Manager, Device Enrollment Manager, Content Manager, Staff"
        ),
        "{detail}"
    );
    let (status, _) = send(server.admin().request(
        Method::GET,
        &format!("/orgs/{business}/accounts?role=Student"),
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        server.admin().accounts(&business).await["accounts"],
        json!([]),
        "nothing was created"
    );

    // Every school role in a school; a manual school account is a Student unless told.
    let (status, teacher) = admin_send(&server, Method::POST, &format!("/orgs/{school_id}/accounts"),
        json!({"user_name": "edna@school.example", "roles": ["instructor", "Site Manager", "Manager"]})).await;
    assert_eq!(status, 201, "{teacher}");
    assert_eq!(
        teacher["roles"],
        json!(["Instructor", "Site Manager", "Manager"])
    );
    let (status, pupil) = admin_send(
        &server,
        Method::POST,
        &format!("/orgs/{school_id}/accounts"),
        json!({"user_name": "milhouse@school.example"}),
    )
    .await;
    assert_eq!(status, 201, "{pupil}");
    assert_eq!(pupil["roles"], json!(["Student"]));
    let (status, body) = admin_send(
        &server,
        Method::POST,
        &format!("/orgs/{school_id}/accounts"),
        json!({"user_name": "x@school.example", "roles": ["Teacher"]}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Site Manager, People Manager"),
        "{body}"
    );

    // Roles of a synced school account are an ABM-side property: editable here.
    let synced = scim
        .create(entra_pupil("nelson@school.example", "e-nelson"))
        .await;
    let id = id_of(&synced);
    let (status, edited) = admin_send(
        &server,
        Method::PATCH,
        &format!("/orgs/{school_id}/accounts/{id}"),
        json!({"roles": ["Instructor"]}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["roles"], json!(["Instructor"]));
    assert_eq!(
        scim.user(&id).await["roles"],
        json!([{"value": "Instructor"}])
    );
    let listed = admin_get(
        &server,
        &format!("/orgs/{school_id}/accounts?role=instructor"),
    )
    .await;
    assert_eq!(listed["accounts"].as_array().unwrap().len(), 2, "{listed}");
    server.stop().await;
}

async fn site_managers_are_protected_from_takeover_in_schools(engine: Engine) {
    let server = engine.server().await;
    let (school_id, scim) = school(&server).await;
    for (user_name, role) in [
        ("skinner@school.example", "Site Manager"),
        ("chalmers@school.example", "Administrator"),
    ] {
        let (status, manual) = admin_send(
            &server,
            Method::POST,
            &format!("/orgs/{school_id}/accounts"),
            json!({"user_name": user_name, "given_name": "Seymour", "roles": [role]}),
        )
        .await;
        assert_eq!(status, 201, "{manual}");
        let refused = scim
            .post("/Users", &entra_pupil(user_name, &format!("e-{user_name}")))
            .await
            .expect_error(409, Some("uniqueness"));
        let detail = refused.body["detail"].as_str().unwrap();
        assert!(
            detail.contains(&format!("existing {role} account")),
            "{detail}"
        );
        assert!(
            detail.contains("Administrator, Site Manager, People Manager"),
            "{detail}"
        );
        let after = admin_get(
            &server,
            &format!(
                "/orgs/{school_id}/accounts/{}",
                manual["id"].as_str().unwrap()
            ),
        )
        .await;
        assert_eq!(after["source"], "manual");
        assert_eq!(after["state"], "active");
        assert_eq!(after["roles"], json!([role]));
        assert_eq!(after["given_name"], "Seymour", "left unchanged");
    }
    // An Instructor is not protected: with auto merge off the name is flagged as a conflict,
    // as in a business.
    let (_, instructor) = admin_send(
        &server,
        Method::POST,
        &format!("/orgs/{school_id}/accounts"),
        json!({"user_name": "krabappel@school.example", "roles": ["Instructor"]}),
    )
    .await;
    let answer = scim
        .post("/Users", &entra_pupil("krabappel@school.example", "e-edna"))
        .await;
    assert_ne!(answer.status, 201);
    let after = admin_get(
        &server,
        &format!(
            "/orgs/{school_id}/accounts/{}",
            instructor["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(after["state"], "conflict", "{after}");
    let skipped = admin_get(
        &server,
        &format!("/orgs/{school_id}/activity?kind=sync_skipped"),
    )
    .await;
    assert_eq!(skipped["events"].as_array().unwrap().len(), 3, "{skipped}");
    server.stop().await;
}

async fn grade_level_is_kept_across_scim_patch_and_put(engine: Engine) {
    let server = engine.server().await;
    let (school_id, scim) = school(&server).await;
    let created = scim
        .create(entra_pupil("ralph@school.example", "e-ralph"))
        .await;
    let id = id_of(&created);
    let path = format!("/orgs/{school_id}/accounts/{id}");
    let (status, graded) =
        admin_send(&server, Method::PATCH, &path, json!({"grade_level": " 2 "})).await;
    assert_eq!(status, 200, "{graded}");
    assert_eq!(graded["grade_level"], "2");
    assert_eq!(graded["source"], "scim", "still synced");

    // The IdP rewrites the user, by PATCH and by PUT (a PUT that even names a grade).
    scim.patch(
        &format!("/Users/{id}"),
        &json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"displayName": "Ralph W.", "name.givenName": "Ralph"}}]}),
    )
    .await
    .expect(200);
    let mut put = entra_pupil("ralph@school.example", "e-ralph");
    put["gradeLevel"] = json!("12");
    put["name"]["familyName"] = json!("Wiggum");
    let replaced = scim.put(&format!("/Users/{id}"), &put).await.expect(200);
    assert_eq!(replaced.body["name"]["familyName"], "Wiggum");
    let after = admin_get(&server, &path).await;
    assert_eq!(
        after["grade_level"], "2",
        "SCIM never changes the grade level: {after}"
    );
    assert_eq!(after["family_name"], "Wiggum");
    assert!(
        !has_text_anywhere(&scim.user(&id).await, "grade_level"),
        "never written back to the IdP"
    );

    // Manual accounts take it at creation; "" clears it; controls and long values are refused.
    let (status, manual) = admin_send(
        &server,
        Method::POST,
        &format!("/orgs/{school_id}/accounts"),
        json!({"user_name": "sherri@school.example", "grade_level": "Kindergarten"}),
    )
    .await;
    assert_eq!(status, 201, "{manual}");
    assert_eq!(manual["grade_level"], "Kindergarten");
    let (_, cleared) = admin_send(&server, Method::PATCH, &path, json!({"grade_level": ""})).await;
    assert_eq!(cleared["grade_level"], Value::Null);
    let (status, body) = admin_send(
        &server,
        Method::PATCH,
        &path,
        json!({"grade_level": "x".repeat(65)}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grade_level"))
    );

    // A business has no grade levels.
    let business = server.default_org_id().to_string();
    let (status, body) = admin_send(
        &server,
        Method::POST,
        &format!("/orgs/{business}/accounts"),
        json!({"user_name": "homer@example.com", "grade_level": "9"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "not_a_school");
    server.stop().await;
}

async fn a_connected_student_information_system_blocks_directory_sync(engine: Engine) {
    let server = engine.server().await;
    let (school_id, scim) = school(&server).await;
    scim.get("/Users").await.expect(200);
    let org_path = format!("/orgs/{school_id}");
    let (status, org) = admin_send(
        &server,
        Method::PATCH,
        &org_path,
        json!({"sis_connected": true}),
    )
    .await;
    assert_eq!(status, 200, "{org}");
    assert_eq!(org["sis_connected"], true);

    let refused = scim
        .post("/Users", &entra_pupil("jimbo@school.example", "e-jimbo"))
        .await
        .expect_error(403, None);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("disconnect the Student Information System first"),
        "{}",
        refused.body
    );
    scim.get("/Users").await.expect_error(403, None);
    let (status, body) = send(
        server
            .admin()
            .request(Method::POST, &format!("/orgs/{school_id}/scim/tokens")),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("sis_connected")),
        "{body}"
    );
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("disconnect the Student Information System first"));
    let (status, body) = admin_send(
        &server,
        Method::POST,
        &format!("/orgs/{school_id}/scim/oauth-client"),
        json!({"name": "My IdP", "redirect_uris": ["https://idp.example/cb"]}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("sis_connected")),
        "{body}"
    );
    assert_eq!(
        server.admin().accounts(&school_id).await["accounts"],
        json!([])
    );
    let connection = admin_get(&server, &format!("/orgs/{school_id}/scim")).await;
    assert_eq!(
        connection["tokens"].as_array().unwrap().len(),
        1,
        "no token was created"
    );

    // Disconnected again: sync resumes with the same token.
    admin_send(
        &server,
        Method::PATCH,
        &org_path,
        json!({"sis_connected": false}),
    )
    .await;
    scim.post("/Users", &entra_pupil("jimbo@school.example", "e-jimbo"))
        .await
        .expect(201);

    // A business has no Student Information System.
    let business = server.default_org_id().to_string();
    let (status, body) = admin_send(
        &server,
        Method::PATCH,
        &format!("/orgs/{business}"),
        json!({"sis_connected": true}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("not_a_school")),
        "{body}"
    );
    server.stop().await;
}

async fn school_accounts_are_kept_120_days_business_ones_30(engine: Engine) {
    let server = engine.server().await;
    let (school_id, scim) = school(&server).await;
    let pupil = id_of(
        &scim
            .create(entra_pupil("martin@school.example", "e-martin"))
            .await,
    );
    let worker = id_of(
        &server
            .scim(Method::POST, "/Users")
            .json(
                &json!({"userName": "lenny@example.com", "externalId": "e-lenny", "active": true}),
            )
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap(),
    );
    scim.delete(&format!("/Users/{pupil}")).await.expect(204);
    server
        .scim(Method::DELETE, &format!("/Users/{worker}"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let business = server.default_org_id().to_string();
    let school_path = format!("/orgs/{school_id}/accounts/{pupil}");
    let deactivated = admin_get(&server, &school_path).await;
    let (at, delete_after) = (
        timestamp(&deactivated["deactivated_at"]),
        timestamp(&deactivated["delete_after"]),
    );
    assert_eq!((delete_after - at).num_days(), 120, "{deactivated}");

    server.admin().advance_clock("P31D").await;
    let run = server.admin().run_reaper().await;
    assert_eq!(run["deleted"], 1, "only the business account: {run}");
    assert_eq!(run["accounts"][0]["user_name"], "lenny@example.com");
    let (status, _) = send(
        server
            .admin()
            .request(Method::GET, &format!("/orgs/{business}/accounts/{worker}")),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        admin_get(&server, &school_path).await["state"],
        "inactive",
        "still there after 31 days"
    );

    server.admin().advance_clock("P89D").await;
    let dry = send(
        server
            .admin()
            .request(Method::POST, "/reaper/run?dry_run=true"),
    )
    .await
    .1;
    assert_eq!(dry["deleted"], 1, "{dry}");
    assert_eq!(server.admin().run_reaper().await["deleted"], 1);
    let (status, _) = send(server.admin().request(Method::GET, &school_path)).await;
    assert_eq!(status, 404, "gone after 120 days");
    server.stop().await;
}

async fn an_organizations_retention_can_be_changed(engine: Engine) {
    let server = engine.server().await;
    let (school_id, scim) = school(&server).await;
    let pupil = id_of(
        &scim
            .create(entra_pupil("wendell@school.example", "e-wendell"))
            .await,
    );
    scim.delete(&format!("/Users/{pupil}")).await.expect(204);
    let org_path = format!("/orgs/{school_id}");
    for bad in [json!(0), json!(3651), json!(-1), json!("ten")] {
        let (status, body) = admin_send(
            &server,
            Method::PATCH,
            &org_path,
            json!({"retention_days": bad}),
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, org) = admin_send(
        &server,
        Method::PATCH,
        &org_path,
        json!({"retention_days": 10}),
    )
    .await;
    assert_eq!(status, 200, "{org}");
    assert_eq!(
        (
            org["retention_days"].as_u64(),
            org["retention_is_default"].as_bool()
        ),
        (Some(10), Some(false))
    );
    let account = admin_get(&server, &format!("{org_path}/accounts/{pupil}")).await;
    assert_eq!(
        (timestamp(&account["delete_after"]) - timestamp(&account["deactivated_at"])).num_days(),
        10,
        "{account}"
    );
    server.admin().advance_clock("P11D").await;
    assert_eq!(server.admin().run_reaper().await["deleted"], 1);

    // Set at creation too.
    let org = server
        .admin()
        .create_org(json!({"name": "Short", "retention_days": 7}))
        .await;
    assert_eq!(
        (org["kind"].as_str(), org["retention_days"].as_u64()),
        (Some("business"), Some(7))
    );
    let (status, body) = admin_send(
        &server,
        Method::PATCH,
        &format!("/orgs/{}", org["id"].as_str().unwrap()),
        json!({"kind": "school"}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("kind_immutable")),
        "{body}"
    );
    server.stop().await;
}

async fn a_business_organization_is_unchanged(engine: Engine) {
    let server = engine.server().await;
    let org_id = server.default_org_id().to_string();
    assert!(server.scim_url().ends_with("/feeds/business/scim"));
    let org = admin_get(&server, &format!("/orgs/{org_id}")).await;
    assert_eq!(org["kind"], "business");
    assert_eq!(org["scim_path"], "/feeds/business/scim");
    assert_eq!(
        (
            org["retention_days"].as_u64(),
            org["sis_connected"].as_bool()
        ),
        (Some(30), Some(false))
    );
    let scim = Scim::new(&server);
    let created = scim
        .post(
            "/Users",
            &json!({"userName": "carl@example.com", "externalId": "e-carl", "active": true}),
        )
        .await
        .expect(201);
    assert_eq!(created.body["roles"], json!([{"value": "Staff"}]));
    assert!(created
        .header("location")
        .unwrap()
        .contains("/feeds/business/scim/Users/"));
    let id = id_of(&created.body);
    let account = admin_get(&server, &format!("/orgs/{org_id}/accounts/{id}")).await;
    assert_eq!(
        (account["roles"].clone(), account["grade_level"].clone()),
        (json!(["Staff"]), Value::Null)
    );
    // Administrator and People Manager stay protected; Site Manager is not a business role.
    for role in ["Administrator", "People Manager"] {
        let name = format!("{}@example.com", role.replace(' ', "").to_lowercase());
        admin_send(
            &server,
            Method::POST,
            &format!("/orgs/{org_id}/accounts"),
            json!({"user_name": name, "roles": [role]}),
        )
        .await;
        scim.post("/Users", &json!({"userName": name, "active": true}))
            .await
            .expect_error(409, Some("uniqueness"));
    }
    scim.delete(&format!("/Users/{id}")).await.expect(204);
    let account = admin_get(&server, &format!("/orgs/{org_id}/accounts/{id}")).await;
    assert_eq!(
        (timestamp(&account["delete_after"]) - timestamp(&account["deactivated_at"])).num_days(),
        30
    );
    server.stop().await;
}

async fn seed_files_and_the_test_server_know_the_kind(engine: Engine) {
    let server = engine.builder().await.kind(OrgKind::School).start().await;
    assert!(
        server.scim_url().ends_with("/feeds/school/scim"),
        "{}",
        server.scim_url()
    );
    let org = admin_get(&server, &format!("/orgs/{}", server.default_org_id())).await;
    assert_eq!(
        (org["name"].as_str(), org["kind"].as_str()),
        (Some("Example School"), Some("school"))
    );
    let created = server
        .scim(Method::POST, "/Users")
        .json(&json!({"userName": "todd@example.com", "active": true}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(created["roles"], json!([{"value": "Student"}]));

    let seed = json!({"orgs": [{
        "name": "Seeded School", "kind": "school", "retention_days": 90, "sis_connected": true,
        "domains": [{"name": "seeded.example"}],
        "tokens": [{"secret": "seeded-school-token-0001"}],
        "accounts": [
            {"user_name": "rod@seeded.example", "grade_level": "3"},
            {"user_name": "ms.hoover@seeded.example", "source": "manual", "roles": ["Instructor"]}
        ]
    }]});
    let (status, summary) = admin_send(&server, Method::POST, "/seed", seed.clone()).await;
    assert_eq!(status, 200, "{summary}");
    let seeded_id = summary["orgs"][0]["id"].as_str().unwrap().to_string();
    let seeded = admin_get(&server, &format!("/orgs/{seeded_id}")).await;
    assert_eq!(
        (
            seeded["kind"].as_str(),
            seeded["retention_days"].as_u64(),
            seeded["sis_connected"].as_bool()
        ),
        (Some("school"), Some(90), Some(true))
    );
    let accounts = server.admin().accounts(&seeded_id).await;
    let by_name = |name: &str| {
        accounts["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["user_name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (
            by_name("rod@seeded.example")["roles"].clone(),
            by_name("rod@seeded.example")["grade_level"].clone()
        ),
        (json!(["Student"]), json!("3"))
    );
    assert_eq!(
        by_name("ms.hoover@seeded.example")["roles"],
        json!(["Instructor"])
    );
    // The seeded token belongs to a school with its SIS connected: 403 on the school path.
    Scim::at(
        server.scim_url_for(OrgKind::School),
        "seeded-school-token-0001",
    )
    .get("/Users")
    .await
    .expect_error(403, None);
    // Applying it again is idempotent; a business role or another kind is refused.
    assert_eq!(
        admin_send(&server, Method::POST, "/seed", seed).await.0,
        200
    );
    let (status, body) = admin_send(
        &server,
        Method::POST,
        "/seed",
        json!({"orgs": [{"name": "Seeded School", "kind": "business"}]}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("kind_immutable")),
        "{body}"
    );
    let (status, _) = admin_send(&server, Method::POST, "/seed", json!({"orgs": [{"name": "Biz", "accounts": [{"user_name": "a@b.example", "roles": ["Student"]}]}]})).await;
    assert_eq!(status, 400);
    server.stop().await;
}

/// The rows a database of the release before organization kinds holds (migrations 0001 to 0006
/// only): an organization and an account deactivated 31 days ago.
const PREVIOUS_RELEASE_ROWS: &str = "\
    INSERT INTO orgs (id, name, federated_authentication, auto_merge, require_verified_domain, \
      directory_sync_source, scim_connected_at, created_at, updated_at) \
      VALUES ('old-org', 'Old Org', TRUE, FALSE, TRUE, 'none', NULL, 0, 0); \
    INSERT INTO accounts (id, org_id, user_name, user_name_norm, external_id, active, state, \
      source, roles, person_id, scim_deleted, deactivated_at, delete_after, version, created_at, \
      updated_at, attrs) VALUES ('old-account', 'old-org', 'old@example.com', 'old@example.com', \
      NULL, FALSE, 'inactive', 'manual', '[\"Staff\"]', 'p-1', FALSE, DEACTIVATED, NULL, 1, 0, 0, \
      '{\"userName\": \"old@example.com\", \"active\": false}')";

/// A database as the previous release left it, at `url`.
async fn previous_release_database(engine: Engine, url: &str) {
    let deactivated = (chrono::Utc::now() - chrono::Duration::days(31)).timestamp_micros();
    let rows = PREVIOUS_RELEASE_ROWS.replace("DEACTIVATED", &deactivated.to_string());
    let only_before_kinds = |mut migrator: sqlx::migrate::Migrator| {
        let earlier: Vec<_> = migrator
            .migrations
            .iter()
            .filter(|m| m.version < 7)
            .cloned()
            .collect();
        assert_eq!(earlier.len(), 6);
        migrator.migrations = earlier.into();
        migrator
    };
    match engine {
        Engine::Sqlite => {
            use sqlx::sqlite::SqliteConnectOptions;
            let options: SqliteConnectOptions = url.parse().unwrap();
            let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
                .await
                .unwrap();
            only_before_kinds(sqlx::migrate!("./migrations/sqlite"))
                .run(&pool)
                .await
                .unwrap();
            sqlx::raw_sql(&rows).execute(&pool).await.unwrap();
            pool.close().await;
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            only_before_kinds(sqlx::migrate!("./migrations/postgres"))
                .run(&pool)
                .await
                .unwrap();
            sqlx::raw_sql(&rows).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

async fn existing_databases_become_business_organizations(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let url = match engine {
        Engine::Sqlite => format!("sqlite:{}", dir.path().join("old.db").display()),
        Engine::Postgres => engine.fresh_database_url().await,
    };
    previous_release_database(engine, &url).await;
    let server = TestServer::builder()
        .database_url(url)
        .configure(|args| args.no_bootstrap = true)
        .start()
        .await;
    let org = admin_get(&server, "/orgs/old-org").await;
    assert_eq!(org["kind"], "business", "{org}");
    assert_eq!(
        (
            org["retention_days"].as_u64(),
            org["sis_connected"].as_bool()
        ),
        (Some(30), Some(false))
    );
    let account = admin_get(&server, "/orgs/old-org/accounts/old-account").await;
    assert_eq!(
        (account["grade_level"].clone(), account["roles"].clone()),
        (Value::Null, json!(["Staff"]))
    );
    let run = server.admin().run_reaper().await;
    assert_eq!(
        run["deleted"], 1,
        "the business retention applies to it: {run}"
    );
    server.stop().await;
}

/// `--bootstrap-kind school`: the first-start banner gives the school path, and its token works
/// there.
async fn the_banner_gives_the_default_organizations_base_url(engine: Engine) {
    use clap::Parser;
    let url = engine.fresh_database_url().await;
    let cli = abm_scim::config::Cli::try_parse_from([
        "abm-scim",
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        &url,
        "--bootstrap-kind",
        "school",
    ])
    .unwrap();
    let server = abm_scim::Application::build(&cli.serve).await.unwrap();
    let banner = server.banner();
    let line = |key: &str| {
        banner
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("{key} in {banner}"))
            .to_string()
    };
    let (base, token) = (line("SCIM base URL: "), line("SCIM token: "));
    assert_eq!(
        base,
        format!("http://{}/feeds/school/scim", server.local_addr()),
        "{banner}"
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async move {
        let _ = stopped.await;
    }));
    let created = Scim::at(base, token)
        .post("/Users", &entra_pupil("maggie@example.com", "e-maggie"))
        .await
        .expect(201);
    assert_eq!(created.body["roles"], json!([{"value": "Student"}]));
    let _ = stop.send(());
    running.await.unwrap().unwrap();
    let refused =
        abm_scim::config::Cli::try_parse_from(["abm-scim", "--bootstrap-kind", "college"]);
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("must be one of business, school"));
}

/// `abm-scim seed --org` into a school: synced Students, on the school path.
async fn the_seed_command_gives_a_schools_accounts_the_student_role(engine: Engine) {
    use clap::Parser;
    let dir = tempfile::tempdir().unwrap();
    let url = match engine {
        Engine::Sqlite => format!("sqlite:{}", dir.path().join("seeded.db").display()),
        Engine::Postgres => engine.fresh_database_url().await,
    };
    let server = TestServer::builder()
        .database_url(url.clone())
        .start()
        .await;
    let (school_id, scim) = school(&server).await;
    let cli = abm_scim::config::Cli::try_parse_from([
        "abm-scim",
        "seed",
        "--database-url",
        &url,
        "--users",
        "25",
        "--org",
        "Springfield Elementary",
    ])
    .unwrap();
    let Some(abm_scim::config::Command::Seed(args)) = cli.command else {
        panic!("the seed command")
    };
    let summary = abm_scim::seeding::run(&args).await.unwrap();
    assert!(
        summary.starts_with("seeded 25 accounts (Student) into Springfield Elementary"),
        "{summary}"
    );
    assert!(summary.contains("Apple School Manager"), "{summary}");
    let listed = scim.list(&[("count", "100")]).await;
    assert_eq!(listed["totalResults"], 25, "{listed}");
    assert!(listed["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["roles"] == json!([{"value": "Student"}])));
    assert!(listed["Resources"][0]["userName"]
        .as_str()
        .unwrap()
        .ends_with("@school.example"));
    let accounts = server.admin().accounts(&school_id).await;
    assert_eq!(accounts["accounts"][0]["roles"], json!(["Student"]));
    server.stop().await;
}

fn timestamp(value: &Value) -> chrono::DateTime<chrono::Utc> {
    value
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("a timestamp: {value}"))
}

on_both_engines!(
    school_org_provisioned_through_the_school_path,
    credentials_work_only_on_their_products_path,
    roles_follow_the_organizations_kind,
    site_managers_are_protected_from_takeover_in_schools,
    grade_level_is_kept_across_scim_patch_and_put,
    a_connected_student_information_system_blocks_directory_sync,
    school_accounts_are_kept_120_days_business_ones_30,
    an_organizations_retention_can_be_changed,
    a_business_organization_is_unchanged,
    seed_files_and_the_test_server_know_the_kind,
    existing_databases_become_business_organizations,
    the_banner_gives_the_default_organizations_base_url,
    the_seed_command_gives_a_schools_accounts_the_student_role,
);
