//! Issue 16, the journal and fault rules as the database keeps them, on each engine through the
//! store's own contract (a real database, no server): the per-organization bounds (entries and
//! body bytes, oldest first), the filters, and `times` taken atomically under concurrency.

mod common;

use std::sync::Arc;

use abm_scim::store::{
    self, FaultRow, JournalBounds, JournalFilter, JournalRow, PoolOptions, Store, Timestamp,
};
use common::Engine;

async fn open(engine: Engine) -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = match engine {
        Engine::Sqlite => format!("sqlite:{}", dir.path().join("journal.db").display()),
        Engine::Postgres => engine.fresh_database_url().await,
    };
    (
        store::connect(&url, &PoolOptions::default()).await.unwrap(),
        dir,
    )
}

fn row(org: &str, method: &str, path: &str, status: i32, body: Option<String>) -> JournalRow {
    JournalRow {
        seq: 0,
        org_id: org.into(),
        at: Timestamp::from_micros(1_700_000_000_000_000),
        method: method.into(),
        path: path.into(),
        query: None,
        status,
        token_id: Some("token-1".into()),
        latency_ms: 1.5,
        request_headers: "{}".into(),
        request_body: None,
        response_body: body,
        dialect: "[]".into(),
        fault: None,
        dropped_before: 0,
    }
}

const ROOMY: JournalBounds = JournalBounds {
    entries: 10_000,
    body_bytes: 8 * 1024 * 1024,
};

fn all() -> JournalFilter {
    JournalFilter {
        limit: 10_000,
        ..JournalFilter::default()
    }
}

async fn journal_bounds_drop_the_oldest_entries(engine: Engine) {
    let (store, _dir) = open(engine).await;
    let org = vec!["org-a".to_string()];
    // By bytes: 40 bodies of 1 MiB against a budget of 8 MiB.
    let body = format!("\"{}\"", "x".repeat(1024 * 1024));
    for i in 0..40 {
        let path = format!("/Users/{i}");
        store
            .append_journal(
                &[row("org-a", "GET", &path, 200, Some(body.clone()))],
                &org,
                ROOMY,
            )
            .await
            .unwrap();
    }
    let kept = store.list_journal("org-a", &all()).await.unwrap();
    assert!((4..=8).contains(&kept.len()), "kept {}", kept.len());
    assert_eq!(kept.last().unwrap().path, "/Users/39", "the newest stays");
    // By count, in one batch, and only for the organization trimmed.
    let rows: Vec<JournalRow> = (0..8)
        .map(|i| {
            row(
                "org-b",
                "GET",
                &format!("/Users/{i}"),
                200,
                Some("{}".into()),
            )
        })
        .collect();
    let few = JournalBounds {
        entries: 5,
        ..ROOMY
    };
    store
        .append_journal(&rows, &["org-b".to_string()], few)
        .await
        .unwrap();
    let kept = store.list_journal("org-b", &all()).await.unwrap();
    assert_eq!(
        kept.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/Users/3", "/Users/4", "/Users/5", "/Users/6", "/Users/7"]
    );
    assert!(kept.windows(2).all(|w| w[0].seq < w[1].seq), "oldest first");
    assert_eq!(
        store.latest_journal_seq("org-b").await.unwrap(),
        kept[4].seq
    );
    assert_eq!(store.latest_journal_seq("nobody").await.unwrap(), 0);
    // A read asks for at most `limit`: the newest ones.
    let newest = store
        .list_journal("org-b", &JournalFilter { limit: 2, ..all() })
        .await
        .unwrap();
    assert_eq!(
        newest.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/Users/6", "/Users/7"]
    );
    store.clear_journal("org-b").await.unwrap();
    assert!(store
        .list_journal("org-b", &all())
        .await
        .unwrap()
        .is_empty());
    assert!(
        !store
            .list_journal("org-a", &all())
            .await
            .unwrap()
            .is_empty(),
        "other organizations stay"
    );
}

async fn journal_filters_match_like_the_api_says(engine: Engine) {
    let (store, _dir) = open(engine).await;
    let rows = vec![
        row("org", "PATCH", "/Users/1", 200, None),
        row("org", "GET", "/Users_x%/2", 404, None),
        row("org", "post", "/Groups", 201, Some("{\"a\":1}".into())),
    ];
    store.append_journal(&rows, &[], ROOMY).await.unwrap();
    let get = |filter: JournalFilter| {
        let store = store.clone();
        async move {
            store
                .list_journal("org", &filter)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.path)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        get(JournalFilter {
            method: Some("patch".into()),
            ..all()
        })
        .await,
        ["/Users/1"]
    );
    assert_eq!(
        get(JournalFilter {
            method: Some("POST".into()),
            ..all()
        })
        .await,
        ["/Groups"]
    );
    // A prefix, not a LIKE pattern: `_` and `%` are plain characters.
    assert_eq!(
        get(JournalFilter {
            path_prefix: Some("/Users_x%".into()),
            ..all()
        })
        .await,
        ["/Users_x%/2"]
    );
    assert_eq!(
        get(JournalFilter {
            path_prefix: Some("/Users".into()),
            ..all()
        })
        .await
        .len(),
        2
    );
    assert_eq!(
        get(JournalFilter {
            status: Some(404),
            ..all()
        })
        .await,
        ["/Users_x%/2"]
    );
    let first = store.list_journal("org", &all()).await.unwrap()[0].seq;
    assert_eq!(
        get(JournalFilter {
            since: first,
            ..all()
        })
        .await
        .len(),
        2
    );
    let stored = store
        .list_journal(
            "org",
            &JournalFilter {
                status: Some(201),
                ..all()
            },
        )
        .await
        .unwrap();
    assert_eq!(stored[0].response_body.as_deref(), Some("{\"a\":1}"));
    assert_eq!(stored[0].method, "post", "kept as sent");
}

async fn fault_times_are_taken_atomically(engine: Engine) {
    // Fault rules belong to an organization: a server's default one, on its store.
    let server = engine.server().await;
    let store = server.app().store.clone();
    let org = server.default_org_id().to_string();
    let rules = [
        FaultRow {
            position: 0,
            rule: "{}".into(),
            remaining: Some(3),
        },
        FaultRow {
            position: 1,
            rule: "{}".into(),
            remaining: None,
        },
    ];
    store.put_fault_rules(&org, &rules).await.unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (store, org) = (store.clone(), org.clone());
            tokio::spawn(async move { store.consume_fault(&org, 0).await.unwrap() })
        })
        .collect();
    let mut taken = 0;
    for task in tasks {
        taken += usize::from(task.await.unwrap());
    }
    assert_eq!(taken, 3, "50 concurrent takes of 3 times");
    let stored = store.list_fault_rules(&org).await.unwrap();
    assert_eq!(stored[0].remaining, Some(0));
    assert_eq!(stored[1].remaining, None);
    assert!(
        !store.consume_fault(&org, 1).await.unwrap(),
        "an unlimited rule has nothing to take"
    );
    assert!(!store.consume_fault(&org, 9).await.unwrap(), "no such rule");
    store.put_fault_rules(&org, &[]).await.unwrap();
    assert!(store.list_fault_rules(&org).await.unwrap().is_empty());
}

on_both_engines!(
    journal_bounds_drop_the_oldest_entries,
    journal_filters_match_like_the_api_says,
    fault_times_are_taken_atomically,
);
