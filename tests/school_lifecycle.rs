//! Issue 15: Apple School Manager organizations over time and at the edges — the 120-day
//! retention and retention changes, business organizations unchanged, seed files, the seed
//! command, the banner and `TestServer` knowing the kind, and databases from before kinds.

mod common;
mod school_support;
mod scim_support;

use abm_scim::domain::OrgKind;
use abm_scim::testing::TestServer;
use common::{send, Engine};
use reqwest::Method;
use school_support::*;
use scim_support::*;
use serde_json::{json, Value};

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

on_both_engines!(
    school_accounts_are_kept_120_days_business_ones_30,
    an_organizations_retention_can_be_changed,
    a_business_organization_is_unchanged,
    seed_files_and_the_test_server_know_the_kind,
    existing_databases_become_business_organizations,
    the_banner_gives_the_default_organizations_base_url,
    the_seed_command_gives_a_schools_accounts_the_student_role,
);
