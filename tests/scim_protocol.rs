//! Issue 3: the SCIM 2.0 `/Users` protocol surface over real HTTP, on both engines — CRUD on
//! both mounts, attribute characteristics, discovery, Groups/Bulk, PATCH, PUT, versioning,
//! projection, content types and errors.

mod common;
mod scim_support;

use common::Engine;
use reqwest::Method;
use scim_support::*;
use serde_json::{json, Value};

fn alice() -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "userName": "alice@example.com",
        "externalId": "ext-alice",
        "name": {"givenName": "Alice", "familyName": "Smith", "formatted": "Alice Smith"},
        "displayName": "Alice Smith",
        "nickName": "Ali",
        "title": "Engineer",
        "locale": "en-US",
        "timezone": "Europe/Paris",
        "active": true,
        "emails": [
            {"value": "alice@example.com", "type": "work", "primary": true},
            {"value": "alice@home.test", "type": "home"}
        ],
        "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}],
        ENTERPRISE: {"employeeNumber": "001", "department": "R&D", "costCenter": "CC1"}
    })
}

async fn crud_round_trip_on_both_mounts(engine: Engine) {
    let server = engine.server().await;
    for (scim, mount) in [
        (Scim::new(&server), "/feeds/business/scim"),
        (Scim::v2(&server), "/scim/v2"),
    ] {
        let mut body = alice();
        let user_name = format!("alice{}@example.com", mount.len());
        body["userName"] = json!(user_name);
        body["externalId"] = json!(format!("ext-{mount}"));

        // POST → 201, Location, ETag, absolute meta.location on the mount the client used.
        let created = scim.post("/Users", &body).await.expect(201);
        assert_eq!(
            created.header("content-type"),
            Some("application/scim+json")
        );
        let id = id_of(&created.body);
        let location = format!("{}{mount}/Users/{id}", server.base_url());
        assert_eq!(created.header("location"), Some(location.as_str()));
        assert_eq!(created.body["meta"]["location"], json!(location));
        assert_eq!(created.body["meta"]["resourceType"], "User");
        assert_eq!(
            created.etag(),
            created.body["meta"]["version"].as_str().unwrap()
        );
        assert_eq!(created.body["userName"], json!(user_name));
        assert_eq!(created.body["name"]["givenName"], "Alice");
        assert_eq!(created.body[ENTERPRISE]["department"], "R&D");
        assert!(created.body["schemas"]
            .as_array()
            .unwrap()
            .contains(&json!(USER_SCHEMA)));

        // GET
        let got = scim.get(&format!("/Users/{id}")).await.expect(200);
        assert_eq!(got.header("content-type"), Some("application/scim+json"));
        assert_eq!(got.etag(), created.etag());
        assert_eq!(got.body["emails"], created.body["emails"]);
        assert_eq!(got.body["meta"]["location"], json!(location));

        // list and .search
        let list = scim.filter(&format!("userName eq \"{user_name}\"")).await;
        assert_eq!(list["totalResults"], 1);
        assert_eq!(ids(&list), vec![id.clone()]);
        assert_eq!(list["Resources"][0]["meta"]["location"], json!(location));
        let search = scim
            .post(
                "/Users/.search",
                &json!({"schemas": [SEARCH_SCHEMA], "filter": format!("externalId eq \"ext-{mount}\"")}),
            )
            .await
            .expect(200);
        assert_eq!(search.header("content-type"), Some("application/scim+json"));
        assert_eq!(ids(&search.body), vec![id.clone()]);

        // PUT
        let mut replacement = body.clone();
        replacement["displayName"] = json!("Alice S.");
        let put = scim
            .put(&format!("/Users/{id}"), &replacement)
            .await
            .expect(200);
        assert_eq!(put.body["displayName"], "Alice S.");
        assert_ne!(put.etag(), created.etag());

        // PATCH
        let patched = scim
            .patch_ops(
                &id,
                json!([{"op": "replace", "path": "title", "value": "Lead"}]),
            )
            .await
            .expect(200);
        assert_eq!(patched.body["title"], "Lead");
        assert_eq!(patched.body["displayName"], "Alice S.");
        assert_eq!(scim.user(&id).await["title"], "Lead");

        // DELETE → 204, then 404 everywhere on SCIM (ABM keeps the account, deactivated).
        let deleted = scim.delete(&format!("/Users/{id}")).await.expect(204);
        assert_eq!(deleted.body, Value::Null);
        scim.get(&format!("/Users/{id}"))
            .await
            .expect_error(404, None);
        scim.patch_ops(
            &id,
            json!([{"op": "replace", "path": "title", "value": "X"}]),
        )
        .await
        .expect_error(404, None);
        scim.put(&format!("/Users/{id}"), &body)
            .await
            .expect_error(404, None);
        scim.delete(&format!("/Users/{id}"))
            .await
            .expect_error(404, None);
        let list = scim.filter(&format!("userName eq \"{user_name}\"")).await;
        assert_eq!(list["totalResults"], 0, "a deleted user is not listed");
        let accounts = server.admin().accounts(server.default_org_id()).await;
        let kept = accounts.to_string();
        assert!(kept.contains(&id), "the account is kept in ABM: {accounts}");
    }
    server.stop().await;
}

async fn password_is_accepted_and_never_returned(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let secret = "S3cret-Pa55word!";
    let mut body = alice();
    body["password"] = json!(secret);
    let created = scim.post("/Users", &body).await.expect(201);
    let id = id_of(&created.body);
    let mut seen = vec![created.body];
    seen.push(scim.user(&id).await);
    seen.push(
        scim.get(&format!("/Users/{id}?attributes=password,userName"))
            .await
            .expect(200)
            .body,
    );
    seen.push(scim.list(&[]).await);
    seen.push(scim.list(&[("attributes", "password")]).await);
    let mut put = alice();
    put["password"] = json!(secret);
    seen.push(
        scim.put(&format!("/Users/{id}"), &put)
            .await
            .expect(200)
            .body,
    );
    seen.push(
        scim.patch_ops(
            &id,
            json!([{"op": "replace", "path": "password", "value": secret},
                   {"op": "replace", "value": {"password": secret}}]),
        )
        .await
        .expect(200)
        .body,
    );
    for body in &seen {
        assert!(
            !has_key_anywhere(body, "password"),
            "password returned: {body}"
        );
        assert!(
            !has_text_anywhere(body, secret),
            "password value leaked: {body}"
        );
    }
    // Not stored either.
    let account = server
        .app()
        .store
        .get_account(server.default_org_id(), &id)
        .await
        .unwrap()
        .unwrap();
    assert!(!Value::Object(account.attrs.clone())
        .to_string()
        .contains(secret));
    // The schema says so.
    let schema = scim
        .get(&format!("/Schemas/{USER_SCHEMA}"))
        .await
        .expect(200)
        .body;
    let password = schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "password")
        .expect("password is described");
    assert_eq!(password["mutability"], "writeOnly");
    assert_eq!(password["returned"], "never");
    server.stop().await;
}

async fn attribute_names_are_case_insensitive(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let created = scim
        .create(json!({
            "SCHEMAS": [USER_SCHEMA],
            "USERNAME": "Case@Example.com",
            "Name": {"GivenName": "Cas", "FAMILYNAME": "Ey"},
            "EMAILS": [{"VALUE": "case@example.com", "Type": "work", "PRIMARY": true}],
            "Active": true,
            "DisplayName": "Case Y",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"Department": "Ops"}
        }))
        .await;
    let id = id_of(&created);
    assert_eq!(created["userName"], "Case@Example.com");
    assert_eq!(created["name"]["givenName"], "Cas");
    assert_eq!(created["name"]["familyName"], "Ey");
    assert_eq!(created["emails"][0]["value"], "case@example.com");
    assert_eq!(created["emails"][0]["primary"], true);
    assert_eq!(created["displayName"], "Case Y");
    assert_eq!(created[ENTERPRISE]["department"], "Ops");
    assert!(
        created.get("USERNAME").is_none(),
        "stored under canonical names"
    );

    // Filters, projection and PATCH paths take any case too.
    let list = scim.filter("USERNAME Eq \"case@example.com\"").await;
    assert_eq!(ids(&list), vec![id.clone()]);
    let list = scim.filter("NAME.GIVENNAME eq \"cas\"").await;
    assert_eq!(ids(&list), vec![id.clone()]);
    let projected = scim
        .get(&format!("/Users/{id}?attributes=NAME.GIVENNAME,USERNAME"))
        .await
        .expect(200)
        .body;
    assert_eq!(projected["name"], json!({"givenName": "Cas"}));
    assert_eq!(projected["userName"], "Case@Example.com");
    assert!(projected.get("displayName").is_none(), "{projected}");
    let patched = scim
        .patch_ops(
            &id,
            json!([{"op": "replace", "path": "Name.FamilyName", "value": "Why"},
                   {"op": "replace", "path": "DISPLAYNAME", "value": "Case Why"}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(patched["name"]["familyName"], "Why");
    assert_eq!(patched["displayName"], "Case Why");
    // Query parameter names vary in case too (several IdPs do that).
    let list = scim
        .list(&[
            ("Filter", "username eq \"CASE@example.com\""),
            ("COUNT", "5"),
        ])
        .await;
    assert_eq!(list["totalResults"], 1);
    server.stop().await;
}

async fn user_name_is_unique_case_insensitively(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let first = scim.create_named("ann@example.com").await;
    for taken in ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@Example.Com"] {
        let reply = scim
            .post(
                "/Users",
                &json!({"schemas": [USER_SCHEMA], "userName": taken}),
            )
            .await
            .expect_error(409, Some("uniqueness"));
        assert!(
            reply.body["detail"]
                .as_str()
                .unwrap()
                .contains("already taken"),
            "{}",
            reply.body
        );
    }
    // Renaming another user onto it, by PUT or PATCH, is refused too; nothing changes.
    let second = scim.create_named("bob@example.com").await;
    scim.put(
        &format!("/Users/{second}"),
        &json!({"schemas": [USER_SCHEMA], "userName": "ANN@example.com"}),
    )
    .await
    .expect_error(409, Some("uniqueness"));
    scim.patch_ops(
        &second,
        json!([{"op": "replace", "path": "userName", "value": "aNN@example.com"}]),
    )
    .await
    .expect_error(409, Some("uniqueness"));
    assert_eq!(scim.user(&second).await["userName"], "bob@example.com");
    // Changing only the case of one's own userName is fine.
    let renamed = scim
        .patch_ops(
            &first,
            json!([{"op": "replace", "path": "userName", "value": "Ann@Example.com"}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(renamed["userName"], "Ann@Example.com");
    let list = scim.filter("userName eq \"ANN@EXAMPLE.COM\"").await;
    assert_eq!(ids(&list), vec![first.clone()]);
    assert_eq!(scim.list(&[]).await["totalResults"], 2);
    // Unique per organization: another organization may have the same userName, and neither
    // sees the other's user in filters, totals or by id.
    let (_, other) = open_org(&server).await;
    let theirs = other.create_named("ann@example.com").await;
    assert_ne!(theirs, first);
    assert_eq!(
        ids(&other.filter("userName eq \"ann@example.com\"").await),
        vec![theirs.clone()]
    );
    assert_eq!(other.list(&[("count", "0")]).await["totalResults"], 1);
    assert_eq!(
        ids(&scim.filter("userName eq \"ann@example.com\"").await),
        vec![first.clone()]
    );
    assert_eq!(scim.list(&[("count", "0")]).await["totalResults"], 2);
    other
        .get(&format!("/Users/{first}"))
        .await
        .expect_error(404, None);
    other
        .patch_ops(
            &first,
            json!([{"op": "replace", "path": "title", "value": "x"}]),
        )
        .await
        .expect_error(404, None);
    other
        .delete(&format!("/Users/{first}"))
        .await
        .expect_error(404, None);
    assert_eq!(scim.user(&first).await["userName"], "Ann@Example.com");
    server.stop().await;
}

async fn user_names_outside_verified_domains_are_refused(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let reply = scim
        .post(
            "/Users",
            &json!({"schemas": [USER_SCHEMA], "userName": "eve@elsewhere.test"}),
        )
        .await
        .expect_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("elsewhere.test") && detail.contains("example.com"),
        "{detail}"
    );
    // With require_verified_domain=false any userName is accepted.
    let (_, open) = open_org(&server).await;
    open.create_named("eve@elsewhere.test").await;
    server.stop().await;
}

async fn discovery_documents_describe_what_is_served(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|a| a.max_results = 7)
        .start()
        .await;
    for scim in [Scim::new(&server), Scim::v2(&server)] {
        let spc = scim.get("/ServiceProviderConfig").await.expect(200);
        assert_eq!(spc.header("content-type"), Some("application/scim+json"));
        let spc = spc.body;
        assert_eq!(
            spc["schemas"],
            json!(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
        );
        assert_eq!(spc["patch"]["supported"], true);
        assert_eq!(spc["filter"]["supported"], true);
        assert_eq!(
            spc["filter"]["maxResults"], 7,
            "the configured maximum: {spc}"
        );
        assert_eq!(spc["sort"]["supported"], true);
        assert_eq!(spc["etag"]["supported"], true);
        assert_eq!(spc["bulk"]["supported"], false);
        assert_eq!(spc["changePassword"]["supported"], false);
        let schemes = spc["authenticationSchemes"].as_array().unwrap();
        assert!(
            schemes.iter().any(|s| s["type"] == "oauthbearertoken"),
            "{spc}"
        );

        let types = scim.get("/ResourceTypes").await.expect(200).body;
        assert_eq!(types["schemas"], json!([LIST_SCHEMA]));
        assert_eq!(types["totalResults"], 1, "User only: {types}");
        let user_type = &types["Resources"][0];
        assert_eq!(user_type["id"], "User");
        assert_eq!(user_type["endpoint"], "/Users");
        assert_eq!(user_type["schema"], USER_SCHEMA);
        assert!(user_type["schemaExtensions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["schema"] == ENTERPRISE && e["required"] == false));
        assert!(user_type["meta"]["location"]
            .as_str()
            .unwrap()
            .starts_with(&scim.base));
        assert_eq!(
            scim.get("/ResourceTypes/User").await.expect(200).body["id"],
            "User"
        );
        scim.get("/ResourceTypes/Group")
            .await
            .expect_error(404, None);

        let schemas = scim.get("/Schemas").await.expect(200).body;
        let ids: Vec<&str> = schemas["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&USER_SCHEMA) && ids.contains(&ENTERPRISE),
            "{ids:?}"
        );
        assert!(
            !ids.iter().any(|i| i.contains("Group")),
            "no Group schema: {ids:?}"
        );
        assert_eq!(schemas["totalResults"], json!(ids.len()));

        let core = scim
            .get(&format!("/Schemas/{USER_SCHEMA}"))
            .await
            .expect(200)
            .body;
        assert_eq!(core["id"], USER_SCHEMA);
        let names: Vec<&str> = core["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        for expected in [
            "userName",
            "name",
            "displayName",
            "nickName",
            "profileUrl",
            "title",
            "userType",
            "preferredLanguage",
            "locale",
            "timezone",
            "active",
            "password",
            "emails",
            "phoneNumbers",
            "addresses",
            "photos",
            "ims",
            "x509Certificates",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        let user_name = core["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "userName")
            .unwrap();
        assert_eq!(user_name["uniqueness"], "server");
        assert_eq!(user_name["caseExact"], false);
        assert_eq!(user_name["required"], true);
        let enterprise = scim
            .get(&format!("/Schemas/{ENTERPRISE}"))
            .await
            .expect(200)
            .body;
        let names: Vec<&str> = enterprise["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        for expected in [
            "employeeNumber",
            "costCenter",
            "organization",
            "division",
            "department",
            "manager",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        scim.get("/Schemas/urn:example:unknown")
            .await
            .expect_error(404, None);
    }
    server.stop().await;
}

async fn groups_are_empty_and_writes_to_groups_and_bulk_are_501(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    scim.create_named("g@example.com").await;
    for path in [
        "/Groups",
        "/Groups?startIndex=1&count=100",
        "/Groups?excludedAttributes=members",
    ] {
        let reply = scim.get(path).await.expect(200);
        assert_eq!(reply.header("content-type"), Some("application/scim+json"));
        assert_eq!(reply.body["schemas"], json!([LIST_SCHEMA]));
        assert_eq!(reply.body["totalResults"], 0);
        assert_eq!(reply.body["Resources"], json!([]));
        assert_eq!(reply.body["startIndex"], 1);
    }
    let group =
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Staff"});
    let writes = [
        (Method::POST, "/Groups"),
        (Method::PUT, "/Groups/abc"),
        (Method::PATCH, "/Groups/abc"),
        (Method::DELETE, "/Groups/abc"),
        (Method::POST, "/Groups/.search"),
    ];
    for (method, path) in writes {
        let reply = call(scim.request(method.clone(), path).json(&group))
            .await
            .expect_error(501, None);
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("does not sync groups"),
            "{method} {path}: {detail}"
        );
    }
    for method in [Method::POST, Method::GET, Method::PUT] {
        let reply = call(scim.request(method, "/Bulk").json(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "Operations": [{"method": "POST", "path": "/Users", "bulkId": "1",
                            "data": {"schemas": [USER_SCHEMA], "userName": "bulk@example.com"}}]
        })))
        .await
        .expect_error(501, None);
        assert!(reply.body["detail"].as_str().unwrap().contains("bulk"));
    }
    assert_eq!(
        scim.list(&[]).await["totalResults"],
        1,
        "bulk created nothing"
    );
    // The /scim/v2 alias answers the same.
    assert_eq!(
        Scim::v2(&server).get("/Groups").await.expect(200).body["totalResults"],
        0
    );
    Scim::v2(&server)
        .post("/Bulk", &json!({}))
        .await
        .expect_error(501, None);
    server.stop().await;
}

async fn attributes_and_excluded_attributes_on_reads_and_writes(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    // POST
    let created = scim
        .post("/Users?attributes=userName,name.givenName", &alice())
        .await
        .expect(201);
    let id = id_of(&created.body);
    assert_eq!(created.body["userName"], "alice@example.com");
    assert_eq!(created.body["name"], json!({"givenName": "Alice"}));
    assert!(created.body.get("emails").is_none(), "{}", created.body);
    assert!(created.body.get("displayName").is_none());
    assert!(created.body.get(ENTERPRISE).is_none());
    assert!(
        created.header("location").is_some(),
        "Location even when projected"
    );
    // GET
    let got = scim
        .get(&format!(
            "/Users/{id}?excludedAttributes=emails,name,{ENTERPRISE}:department"
        ))
        .await
        .expect(200)
        .body;
    assert!(
        got.get("emails").is_none() && got.get("name").is_none(),
        "{got}"
    );
    assert_eq!(got["userName"], "alice@example.com");
    assert_eq!(got["id"], json!(id), "id is always returned");
    assert_eq!(got["displayName"], "Alice Smith");
    assert_eq!(got[ENTERPRISE]["employeeNumber"], "001");
    assert!(got[ENTERPRISE].get("department").is_none(), "{got}");
    let got = scim
        .get(&format!("/Users/{id}?attributes={ENTERPRISE}:department"))
        .await
        .expect(200)
        .body;
    assert_eq!(got[ENTERPRISE], json!({"department": "R&D"}));
    assert!(got.get("userName").is_none() || got["userName"] == "alice@example.com");
    assert!(got.get("title").is_none(), "{got}");
    assert_eq!(got["id"], json!(id));
    // Unknown names select nothing; `id` is returned always, even when excluded.
    let other = scim
        .get(&format!("/Users/{id}?attributes=noSuchAttribute"))
        .await
        .expect(200)
        .body;
    assert_eq!(other["id"], json!(id));
    assert!(
        other.get("userName").is_none() && other.get("emails").is_none(),
        "{other}"
    );
    let other = scim
        .get(&format!(
            "/Users/{id}?excludedAttributes=id,noSuchAttribute"
        ))
        .await
        .expect(200)
        .body;
    assert_eq!(other["id"], json!(id));
    assert_eq!(other["userName"], "alice@example.com");
    // List
    let list = scim
        .list(&[("attributes", "emails.value"), ("filter", "userName pr")])
        .await;
    let first = &list["Resources"][0];
    assert_eq!(
        first["emails"],
        json!([{"value": "alice@example.com"}, {"value": "alice@home.test"}])
    );
    assert!(
        first.get("name").is_none() && first.get("title").is_none(),
        "{first}"
    );
    assert_eq!(first["id"], json!(id));
    let list = scim
        .list(&[("excludedAttributes", "emails,phoneNumbers")])
        .await;
    assert!(list["Resources"][0].get("emails").is_none());
    assert_eq!(list["Resources"][0]["title"], "Engineer");
    // .search with attribute arrays
    let search = scim
        .post(
            "/Users/.search",
            &json!({"schemas": [SEARCH_SCHEMA], "attributes": ["displayName"], "filter": "title eq \"Engineer\""}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(search["Resources"][0]["displayName"], "Alice Smith");
    assert!(search["Resources"][0].get("title").is_none(), "{search}");
    let search = scim
        .post(
            "/Users/.search",
            &json!({"schemas": [SEARCH_SCHEMA], "excludedAttributes": ["title", "displayName"]}),
        )
        .await
        .expect(200)
        .body;
    assert!(search["Resources"][0].get("title").is_none());
    assert_eq!(search["Resources"][0]["nickName"], "Ali");
    // PUT and PATCH responses
    let put = scim
        .put(&format!("/Users/{id}?attributes=title"), &alice())
        .await
        .expect(200)
        .body;
    assert_eq!(put["title"], "Engineer");
    assert!(
        put.get("emails").is_none() && put.get("displayName").is_none(),
        "{put}"
    );
    let patched = scim
        .patch(
            &format!("/Users/{id}?excludedAttributes=emails,title"),
            &json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Boss"}]}),
        )
        .await
        .expect(200);
    assert!(patched.body.get("emails").is_none() && patched.body.get("title").is_none());
    assert_eq!(patched.body["displayName"], "Alice Smith");
    assert!(patched.header("etag").is_some());
    assert_eq!(scim.user(&id).await["title"], "Boss", "excluded yet stored");
    server.stop().await;
}

async fn patch_add_replace_remove_in_all_forms(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let id = id_of(&scim.create(alice()).await);

    // add with a path, on a multi-valued attribute: appended.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "add", "path": "emails", "value": [{"value": "a2@example.com", "type": "other"}]}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["emails"].as_array().unwrap().len(), 3, "{user}");
    // add without a path: members merged, multi-valued appended.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "add", "value": {"userType": "Employee", "phoneNumbers": [{"value": "+1 555 0199", "type": "mobile"}], "name": {"middleName": "M"}}}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["userType"], "Employee");
    assert_eq!(user["phoneNumbers"].as_array().unwrap().len(), 2);
    assert_eq!(user["name"]["middleName"], "M");
    assert_eq!(
        user["name"]["givenName"], "Alice",
        "add merges complex values"
    );
    // replace with a sub-attribute path, a value-filter path, URN-qualified paths.
    let user = scim
        .patch_ops(
            &id,
            json!([
                {"op": "replace", "path": "name.givenName", "value": "Alicia"},
                {"op": "replace", "path": "emails[type eq \"home\"].value", "value": "alicia@home.test"},
                {"op": "replace", "path": format!("{ENTERPRISE}:department"), "value": "Research"},
                {"op": "replace", "path": format!("{USER_SCHEMA}:displayName"), "value": "Alicia Smith"},
                {"op": "add", "path": format!("{ENTERPRISE}:manager"), "value": {"value": "mgr-1"}},
                {"op": "replace", "path": "addresses", "value": [{"type": "work", "locality": "Paris", "country": "FR"}]}
            ]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["name"]["givenName"], "Alicia");
    assert_eq!(user["name"]["familyName"], "Smith");
    let home: Vec<&Value> = user["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "home")
        .collect();
    assert_eq!(
        home,
        vec![&json!({"value": "alicia@home.test", "type": "home"})]
    );
    assert_eq!(user[ENTERPRISE]["department"], "Research");
    assert_eq!(user[ENTERPRISE]["employeeNumber"], "001", "siblings kept");
    assert_eq!(user[ENTERPRISE]["manager"]["value"], "mgr-1");
    assert_eq!(user["displayName"], "Alicia Smith");
    assert_eq!(user["addresses"][0]["locality"], "Paris");
    // replace without a path.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "replace", "value": {"title": "CTO", "emails": [{"value": "only@example.com", "type": "work", "primary": true}]}}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["title"], "CTO");
    assert_eq!(
        user["emails"],
        json!([{"value": "only@example.com", "type": "work", "primary": true}]),
        "replace replaces a multi-valued attribute"
    );
    // primary stays unique: adding a new primary email demotes the old one.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "add", "path": "emails", "value": [{"value": "new@example.com", "type": "other", "primary": true}]}]),
        )
        .await
        .expect(200)
        .body;
    let primaries: Vec<&Value> = user["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["primary"] == true)
        .collect();
    assert_eq!(primaries.len(), 1, "{user}");
    assert_eq!(primaries[0]["value"], "new@example.com");
    // remove: a simple attribute, a sub-attribute, a filtered value, an extension attribute.
    let user = scim
        .patch_ops(
            &id,
            json!([
                {"op": "remove", "path": "nickName"},
                {"op": "remove", "path": "name.middleName"},
                {"op": "remove", "path": "emails[value eq \"only@example.com\"]"},
                {"op": "remove", "path": format!("{ENTERPRISE}:costCenter")},
                {"op": "remove", "path": "phoneNumbers[type eq \"mobile\"]"}
            ]),
        )
        .await
        .expect(200)
        .body;
    assert!(user.get("nickName").is_none(), "{user}");
    assert!(user["name"].get("middleName").is_none());
    assert_eq!(user["emails"].as_array().unwrap().len(), 1);
    assert_eq!(user["emails"][0]["value"], "new@example.com");
    assert!(user[ENTERPRISE].get("costCenter").is_none());
    assert_eq!(user["phoneNumbers"].as_array().unwrap().len(), 1);
    // remove a whole multi-valued attribute.
    let user = scim
        .patch_ops(&id, json!([{"op": "remove", "path": "phoneNumbers"}]))
        .await
        .expect(200)
        .body;
    assert!(user.get("phoneNumbers").is_none());
    // The stored resource is what the responses said.
    let stored = scim.user(&id).await;
    assert_eq!(stored, user);

    // Errors: remove without path, unknown path, filter on a nonexistent value, read-only.
    scim.patch_ops(&id, json!([{"op": "remove"}]))
        .await
        .expect_error(400, Some("noTarget"));
    scim.patch_ops(
        &id,
        json!([{"op": "replace", "path": "nosuchattr", "value": "x"}]),
    )
    .await
    .expect_error(400, Some("invalidPath"));
    scim.patch_ops(
        &id,
        json!([{"op": "replace", "path": "emails[type eq \"work\" and", "value": "x"}]),
    )
    .await
    .expect_error(400, Some("invalidPath"));
    scim.patch_ops(
        &id,
        json!([{"op": "replace", "path": "id", "value": "other"}]),
    )
    .await
    .expect_error(400, Some("mutability"));
    scim.patch_ops(
        &id,
        json!([{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}]),
    )
    .await
    .expect_error(400, Some("mutability"));
    scim.patch_ops(&id, json!([{"op": "jump", "path": "title", "value": "x"}]))
        .await
        .expect_error(400, Some("invalidSyntax"));
    scim.patch_ops(
        &id,
        json!([{"op": "replace", "path": "active", "value": "maybe"}]),
    )
    .await
    .expect_error(400, Some("invalidValue"));
    scim.patch(
        &format!("/Users/{id}"),
        &json!({"Operations": [{"op": "remove", "path": "title"}]}),
    )
    .await
    .expect_error(400, Some("invalidSyntax"));
    scim.patch(&format!("/Users/{id}"), &json!({"schemas": [PATCH_OP]}))
        .await
        .expect_error(400, Some("invalidSyntax"));
    assert_eq!(
        scim.user(&id).await,
        stored,
        "failed PATCHes changed nothing"
    );
    server.stop().await;
}

async fn patch_is_all_or_nothing(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let id = id_of(&scim.create(alice()).await);
    let before = scim.get(&format!("/Users/{id}")).await.expect(200);
    let failing = [
        json!([{"op": "replace", "path": "displayName", "value": "Changed"},
               {"op": "remove", "path": "nosuchattr"}]),
        json!([{"op": "replace", "path": "displayName", "value": "Changed"},
               {"op": "add", "path": "emails", "value": [{"value": "x@example.com", "primary": true}]},
               {"op": "replace", "path": "userName", "value": 42}]),
        json!([{"op": "remove", "path": "title"},
               {"op": "replace", "path": "emails[type eq \"fax\"].display", "value": "x"},
               {"op": "replace", "path": "meta.version", "value": "W/\"9\""}]),
        json!([{"op": "replace", "path": "active", "value": false},
               {"op": "remove"}]),
    ];
    for ops in failing {
        let reply = scim.patch_ops(&id, ops.clone()).await;
        assert_eq!(reply.status, 400, "{ops}: {}", reply.body);
        assert_scim_error(&reply.body, 400, reply.body["scimType"].as_str());
        let after = scim.get(&format!("/Users/{id}")).await.expect(200);
        assert_eq!(after.body, before.body, "nothing of {ops} was stored");
        assert_eq!(after.etag(), before.etag());
    }
    // Ops apply in order: a later op sees an earlier one.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "add", "path": "nickName", "value": "First"},
                   {"op": "replace", "path": "nickName", "value": "Second"},
                   {"op": "add", "path": "emails", "value": [{"value": "z@example.com", "type": "other"}]},
                   {"op": "remove", "path": "emails[value eq \"z@example.com\"]"}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["nickName"], "Second");
    assert_eq!(user["emails"], before.body["emails"]);
    // The account stays active after a failing deactivation attempt.
    assert_eq!(scim.user(&id).await["active"], true);
    server.stop().await;
}

async fn put_replaces_and_ignores_read_only_members(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let created = scim.create(alice()).await;
    let id = id_of(&created);
    server.admin().advance_clock("PT1M").await;

    // What a client does: GET, change, PUT it all back (id, meta, schemas, roles included).
    let mut body = scim.user(&id).await;
    body["displayName"] = json!("Alice Replaced");
    body["password"] = json!("discard-me-please");
    body["meta"]["created"] = json!("1999-01-01T00:00:00Z");
    body["meta"]["version"] = json!("W/\"999\"");
    body["meta"]["location"] = json!("https://evil.example/Users/x");
    body.as_object_mut().unwrap().remove("nickName");
    body.as_object_mut().unwrap().remove("phoneNumbers");
    let put = scim.put(&format!("/Users/{id}"), &body).await.expect(200);
    let user = put.body.clone();
    assert_eq!(user["id"], json!(id));
    assert_eq!(user["displayName"], "Alice Replaced");
    assert_eq!(user["meta"]["created"], created["meta"]["created"]);
    assert_ne!(
        user["meta"]["lastModified"],
        created["meta"]["lastModified"]
    );
    assert_ne!(user["meta"]["version"], json!("W/\"999\""));
    assert_ne!(user["meta"]["version"], created["meta"]["version"]);
    assert_eq!(put.etag(), user["meta"]["version"].as_str().unwrap());
    assert!(user["meta"]["location"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/Users/{id}")));
    assert!(!user["meta"]["location"].as_str().unwrap().contains("evil"));
    assert!(
        user.get("nickName").is_none(),
        "PUT replaces: omitted attributes go"
    );
    assert!(user.get("phoneNumbers").is_none());
    assert!(!has_key_anywhere(&user, "password"));
    assert_eq!(
        user["roles"], created["roles"],
        "ABM roles are not the client's"
    );

    // A different id in the body does not move or rename the resource.
    let mut other = alice();
    other["id"] = json!("00000000-0000-0000-0000-000000000000");
    let user = scim
        .put(&format!("/Users/{id}"), &other)
        .await
        .expect(200)
        .body;
    assert_eq!(user["id"], json!(id));
    assert_eq!(user["nickName"], "Ali");
    scim.get("/Users/00000000-0000-0000-0000-000000000000")
        .await
        .expect_error(404, None);

    // An identical PUT changes nothing (same version).
    let again = scim.put(&format!("/Users/{id}"), &other).await.expect(200);
    assert_eq!(again.body["meta"]["version"], user["meta"]["version"]);

    // Invalid bodies are refused, and change nothing.
    scim.put(
        &format!("/Users/{id}"),
        &json!({"schemas": [USER_SCHEMA], "displayName": "No name"}),
    )
    .await
    .expect_error(400, Some("invalidValue"));
    scim.put(&format!("/Users/{id}"), &json!([1, 2]))
        .await
        .expect_error(400, Some("invalidSyntax"));
    scim.put(
        &format!("/Users/{id}"),
        &json!({"schemas": ["urn:example:Nope"], "userName": "alice@example.com"}),
    )
    .await
    .expect_error(400, Some("invalidSyntax"));
    assert_eq!(scim.user(&id).await, user);
    server.stop().await;
}

async fn etags_and_preconditions(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let created = scim.post("/Users", &alice()).await.expect(201);
    let id = id_of(&created.body);
    let path = format!("/Users/{id}");
    let etag = created.etag();
    assert!(etag.starts_with("W/\""), "weak ETag: {etag}");
    assert_eq!(created.body["meta"]["version"], json!(etag));

    // If-None-Match
    let not_modified = call(
        scim.request(Method::GET, &path)
            .header("If-None-Match", &etag),
    )
    .await;
    assert_eq!(not_modified.status, 304);
    assert_eq!(not_modified.body, Value::Null);
    assert_eq!(
        not_modified.etag(),
        etag,
        "a 304 carries the ETag (RFC 9110 §15.4.5)"
    );
    let listed = call(
        scim.request(Method::GET, &path)
            .header("If-None-Match", format!("W/\"0\", {etag}")),
    )
    .await;
    assert_eq!(listed.status, 304, "one of a list of tags matches");
    let modified = call(
        scim.request(Method::GET, &path)
            .header("If-None-Match", "W/\"nope\""),
    )
    .await;
    assert_eq!(modified.status, 200);
    assert_eq!(modified.etag(), etag);

    // If-Match mismatches → 412, nothing changes.
    let stale = "W/\"12345\"";
    let put = alice();
    let ops = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "X"}]});
    call(
        scim.request(Method::PUT, &path)
            .header("If-Match", stale)
            .json(&put),
    )
    .await
    .expect_error(412, None);
    call(
        scim.request(Method::PATCH, &path)
            .header("If-Match", stale)
            .json(&ops),
    )
    .await
    .expect_error(412, None);
    call(
        scim.request(Method::DELETE, &path)
            .header("If-Match", stale),
    )
    .await
    .expect_error(412, None);
    let unchanged = scim.get(&path).await.expect(200);
    assert_eq!(unchanged.etag(), etag);
    assert_eq!(unchanged.body["title"], "Engineer");

    // Matching If-Match (also as a list, or `*`) succeeds and moves the version.
    let patched = call(
        scim.request(Method::PATCH, &path)
            .header("If-Match", &etag)
            .json(&ops),
    )
    .await
    .expect(200);
    let etag2 = patched.etag();
    assert_ne!(etag2, etag);
    assert_eq!(patched.body["meta"]["version"], json!(etag2));
    call(
        scim.request(Method::GET, &path)
            .header("If-None-Match", &etag),
    )
    .await
    .expect(200);
    assert_eq!(
        call(
            scim.request(Method::GET, &path)
                .header("If-None-Match", &etag2)
        )
        .await
        .status,
        304
    );
    let mut body = alice();
    body["title"] = json!("Y");
    let put = call(
        scim.request(Method::PUT, &path)
            .header("If-Match", format!("{stale}, {etag2}"))
            .json(&body),
    )
    .await
    .expect(200);
    let etag3 = put.etag();
    assert_ne!(etag3, etag2);
    call(
        scim.request(Method::PATCH, &path)
            .header("If-Match", &etag2)
            .json(&ops),
    )
    .await
    .expect_error(412, None);
    call(
        scim.request(Method::DELETE, &path)
            .header("If-Match", &etag2),
    )
    .await
    .expect_error(412, None);
    call(
        scim.request(Method::DELETE, &path)
            .header("If-Match", &etag3),
    )
    .await
    .expect(204);
    scim.get(&path).await.expect_error(404, None);

    // Every single-resource response carries the ETag; list entries carry meta.version.
    let other = scim
        .post(
            "/Users",
            &json!({"schemas": [USER_SCHEMA], "userName": "v@example.com"}),
        )
        .await
        .expect(201);
    let list = scim.list(&[]).await;
    assert_eq!(list["Resources"][0]["meta"]["version"], json!(other.etag()));
    server.stop().await;
}

async fn content_types_locations_and_forwarded_hosts(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    // application/json, application/scim+json with parameters, and no content type are accepted.
    let body = json!({"schemas": [USER_SCHEMA], "userName": "ct1@example.com"}).to_string();
    for (i, content_type) in [
        Some("application/json"),
        Some("application/scim+json"),
        Some("application/scim+json; charset=utf-8"),
        Some("Application/JSON;charset=UTF-8"),
        None,
    ]
    .into_iter()
    .enumerate()
    {
        let body = body.replace("ct1", &format!("ct{i}"));
        let mut request = scim.request(Method::POST, "/Users").body(body);
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        let reply = call(request).await.expect(201);
        assert_eq!(reply.header("content-type"), Some("application/scim+json"));
    }
    call(
        scim.request(Method::POST, "/Users")
            .header("Content-Type", "text/plain")
            .body(body.replace("ct1", "ctx")),
    )
    .await
    .expect_error(415, None);
    let list = scim.list_reply(&[]).await.expect(200);
    assert_eq!(list.header("content-type"), Some("application/scim+json"));
    assert_eq!(list.body["totalResults"], 5);

    // Forwarded headers are ignored unless configured...
    let forwarded = call(
        scim.request(Method::POST, "/Users")
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "idp-facing.example")
            .json(&json!({"schemas": [USER_SCHEMA], "userName": "fw@example.com"})),
    )
    .await
    .expect(201);
    assert!(
        forwarded
            .header("location")
            .unwrap()
            .starts_with(server.base_url()),
        "{:?}",
        forwarded.header("location")
    );
    server.stop().await;

    // ... honoured when configured...
    let server = engine
        .builder()
        .await
        .configure(|a| a.trust_forwarded_headers = true)
        .start()
        .await;
    let scim = Scim::new(&server);
    let reply = call(
        scim.request(Method::POST, "/Users")
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "scim.example.org")
            .json(&json!({"schemas": [USER_SCHEMA], "userName": "fw@example.com"})),
    )
    .await
    .expect(201);
    let id = id_of(&reply.body);
    let expected = format!("https://scim.example.org/feeds/business/scim/Users/{id}");
    assert_eq!(reply.header("location"), Some(expected.as_str()));
    assert_eq!(reply.body["meta"]["location"], json!(expected));
    server.stop().await;

    // ... and a configured public URL is used for every absolute URL.
    let server = engine
        .builder()
        .await
        .configure(|a| a.public_url = Some("https://abm.example.net/".parse().unwrap()))
        .start()
        .await;
    let scim = Scim::v2(&server);
    let reply = scim
        .post(
            "/Users",
            &json!({"schemas": [USER_SCHEMA], "userName": "pu@example.com"}),
        )
        .await
        .expect(201);
    let id = id_of(&reply.body);
    let expected = format!("https://abm.example.net/scim/v2/Users/{id}");
    assert_eq!(reply.header("location"), Some(expected.as_str()));
    assert_eq!(scim.user(&id).await["meta"]["location"], json!(expected));
    server.stop().await;
}

async fn errors_are_scim_errors(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let id = scim.create_named("err@example.com").await;
    let raw = |method: Method, path: &str, body: &str| {
        scim.request(method, path)
            .header("Content-Type", "application/scim+json")
            .body(body.to_string())
    };
    // Malformed JSON, wrong shapes, wrong types, missing userName, unknown schema URN.
    call(raw(Method::POST, "/Users", "{\"userName\": "))
        .await
        .expect_error(400, Some("invalidSyntax"));
    call(raw(Method::POST, "/Users", "[]"))
        .await
        .expect_error(400, Some("invalidSyntax"));
    call(raw(Method::POST, "/Users", ""))
        .await
        .expect_error(400, Some("invalidSyntax"));
    call(raw(Method::PATCH, &format!("/Users/{id}"), "not json"))
        .await
        .expect_error(400, Some("invalidSyntax"));
    scim.post(
        "/Users",
        &json!({"schemas": [USER_SCHEMA], "displayName": "x"}),
    )
    .await
    .expect_error(400, Some("invalidValue"));
    scim.post("/Users", &json!({"schemas": [USER_SCHEMA], "userName": ""}))
        .await
        .expect_error(400, Some("invalidValue"));
    scim.post("/Users", &json!({"schemas": [USER_SCHEMA], "userName": 42}))
        .await
        .expect_error(400, Some("invalidValue"));
    scim.post(
        "/Users",
        &json!({"schemas": [USER_SCHEMA], "userName": "t@example.com", "active": 5}),
    )
    .await
    .expect_error(400, Some("invalidValue"));
    scim.post(
        "/Users",
        &json!({"schemas": [USER_SCHEMA], "userName": "t@example.com", "emails": [
            {"value": "a@example.com", "primary": true}, {"value": "b@example.com", "primary": true}]}),
    )
    .await
    .expect_error(400, Some("invalidValue"));
    let unknown = scim
        .post(
            "/Users",
            &json!({"schemas": [USER_SCHEMA, "urn:example:params:scim:schemas:Custom"], "userName": "t@example.com"}),
        )
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_scim_error(&unknown.body, 400, Some("invalidSyntax"));
    assert!(unknown.body["detail"]
        .as_str()
        .unwrap()
        .contains("urn:example:params:scim:schemas:Custom"));
    scim.post(
        "/Users",
        &json!({"schemas": "nope", "userName": "t@example.com"}),
    )
    .await
    .expect_error(400, Some("invalidSyntax"));
    // Paging parameters that are not integers.
    scim.list_reply(&[("startIndex", "abc")])
        .await
        .expect_error(400, Some("invalidValue"));
    scim.list_reply(&[("count", "1.5")])
        .await
        .expect_error(400, Some("invalidValue"));
    // Unknown ids and routes.
    scim.get("/Users/does-not-exist")
        .await
        .expect_error(404, None);
    scim.get("/Users/' OR 1=1 --").await.expect_error(404, None);
    scim.get("/Nope").await.expect_error(404, None);
    // NUL characters: refused the same way on both engines (PostgreSQL cannot store them).
    for body in [
        json!({"schemas": [USER_SCHEMA], "userName": "a\u{0000}b@example.com"}),
        json!({"schemas": [USER_SCHEMA], "userName": "nul@example.com", "displayName": "x\u{0000}y"}),
        json!({"schemas": [USER_SCHEMA], "userName": "nul@example.com", "emails": [{"value": "\u{0000}"}]}),
        json!({"schemas": [USER_SCHEMA], "userName": "nul@example.com", "x\u{0000}": "y"}),
    ] {
        let reply = scim
            .post("/Users", &body)
            .await
            .expect_error(400, Some("invalidValue"));
        assert!(
            reply.body["detail"].as_str().unwrap().contains("NUL"),
            "{}",
            reply.body
        );
        scim.put(&format!("/Users/{id}"), &body)
            .await
            .expect_error(400, Some("invalidValue"));
    }
    scim.patch_ops(
        &id,
        json!([{"op": "replace", "path": "nickName", "value": "a\u{0000}"}]),
    )
    .await
    .expect_error(400, Some("invalidValue"));
    for filter in [
        "userName eq \"a\\u0000b\"",
        "displayName co \"\\u0000\"",
        "emails[value eq \"\\u0000\"]",
        "id eq \"\\u0000\"",
    ] {
        scim.list_reply(&[("filter", filter)])
            .await
            .expect_error(400, Some("invalidFilter"));
    }
    // A NUL byte in the URL is refused before routing, like any other malformed input.
    scim.get("/Users/%00").await.expect_error(400, None);
    scim.delete("/Users/a%00b").await.expect_error(400, None);
    // No token.
    let reply = call(reqwest::Client::new().get(format!("{}/Users", scim.base)))
        .await
        .expect_error(401, None);
    assert!(reply.header("www-authenticate").is_some());
    // Nothing was created by any of these.
    assert_eq!(scim.list(&[]).await["totalResults"], 1);
    server.stop().await;
}

async fn oversized_bodies_get_413_in_scim_format(engine: Engine) {
    let server = engine.server().await;
    let scim = Scim::new(&server);
    let id = scim.create_named("big@example.com").await;
    let padding = "x".repeat(1024 * 1024 + 10);
    let big_user =
        json!({"schemas": [USER_SCHEMA], "userName": "big2@example.com", "nickName": padding});
    scim.post("/Users", &big_user).await.expect_error(413, None);
    scim.put(&format!("/Users/{id}"), &big_user)
        .await
        .expect_error(413, None);
    scim.patch_ops(
        &id,
        json!([{"op": "replace", "path": "nickName", "value": padding}]),
    )
    .await
    .expect_error(413, None);
    scim.post(
        "/Users/.search",
        &json!({"filter": format!("userName eq \"{padding}\"")}),
    )
    .await
    .expect_error(413, None);
    // Just under the limit is read (and refused for its over-long value, not its size).
    let under = json!({"schemas": [USER_SCHEMA], "userName": "big3@example.com", "nickName": "y".repeat(1000 * 1000)});
    scim.post("/Users", &under)
        .await
        .expect_error(400, Some("invalidValue"));
    assert_eq!(scim.list(&[]).await["totalResults"], 1);
    server.stop().await;
}

on_both_engines!(
    crud_round_trip_on_both_mounts,
    password_is_accepted_and_never_returned,
    attribute_names_are_case_insensitive,
    user_name_is_unique_case_insensitively,
    user_names_outside_verified_domains_are_refused,
    discovery_documents_describe_what_is_served,
    groups_are_empty_and_writes_to_groups_and_bulk_are_501,
    attributes_and_excluded_attributes_on_reads_and_writes,
    patch_add_replace_remove_in_all_forms,
    patch_is_all_or_nothing,
    put_replaces_and_ignores_read_only_members,
    etags_and_preconditions,
    content_types_locations_and_forwarded_hosts,
    errors_are_scim_errors,
    oversized_bodies_get_413_in_scim_format,
);
