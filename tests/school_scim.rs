//! Issue 15: Apple School Manager organizations over SCIM — the school path, credentials of
//! one product refused on the other's, Student by default, school roles, Site Manager
//! protected, grade levels SCIM never changes, and the Student Information System switch.

mod common;
mod school_support;
mod scim_support;

use abm_scim::domain::OrgKind;
use common::{send, Engine};
use reqwest::Method;
use school_support::*;
use scim_support::*;
use serde_json::{json, Value};

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
    // A blank grade at creation is no grade, as it is on a change and in seed files.
    let (status, blank) = admin_send(
        &server,
        Method::POST,
        &format!("/orgs/{school_id}/accounts"),
        json!({"user_name": "wendy@school.example", "grade_level": "  "}),
    )
    .await;
    assert_eq!(
        (status, blank["grade_level"].clone()),
        (201, Value::Null),
        "{blank}"
    );
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

on_both_engines!(
    school_org_provisioned_through_the_school_path,
    credentials_work_only_on_their_products_path,
    roles_follow_the_organizations_kind,
    site_managers_are_protected_from_takeover_in_schools,
    grade_level_is_kept_across_scim_patch_and_put,
    a_connected_student_information_system_blocks_directory_sync,
);
