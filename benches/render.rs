//! Criterion micro-benchmarks: POST body normalisation, User rendering, `attributes` /
//! `excludedAttributes` projection and serialisation to JSON text.
//! Run: `cargo bench --bench render`.

use std::hint::black_box;

use abm_scim::scim::resource::{normalize_user, project, render_user, AbmFields, Meta};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

fn body() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "userName": "grace.hopper.4242@example.com",
        "externalId": "ext-1-4242",
        "active": true,
        "displayName": "Grace Hopper",
        "name": { "givenName": "Grace", "familyName": "Hopper", "formatted": "Grace Hopper" },
        "emails": [{ "value": "grace.hopper.4242@example.com", "type": "work", "primary": true }],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "00004242",
            "department": "Engineering",
            "costCenter": "CC-512"
        }
    })
}

fn meta() -> Meta {
    Meta {
        created: "2026-01-01T00:00:00Z".into(),
        last_modified: "2026-01-02T03:04:05Z".into(),
        version: "W/\"3\"".into(),
        location:
            "http://127.0.0.1:8080/feeds/business/scim/Users/8d3c0d7e-5a2b-4f5e-9a51-3b7c2f0e6a11"
                .into(),
    }
}

const ID: &str = "8d3c0d7e-5a2b-4f5e-9a51-3b7c2f0e6a11";

fn bench_render(c: &mut Criterion) {
    let body = body();
    let attrs = normalize_user(&body).expect("valid user");
    let meta = meta();
    let extra = AbmFields {
        roles: vec!["Staff".into()],
    };
    let mut group = c.benchmark_group("user");
    group.bench_function("normalize_post_body", |b| {
        b.iter(|| normalize_user(black_box(&body)).expect("valid"))
    });
    group.bench_function("render", |b| {
        b.iter(|| render_user(black_box(&attrs), ID, &meta, &extra))
    });
    group.bench_function("render_to_json_text", |b| {
        b.iter(|| {
            serde_json::to_vec(&render_user(black_box(&attrs), ID, &meta, &extra)).expect("json")
        })
    });
    let rendered = render_user(&attrs, ID, &meta, &extra);
    for (name, attributes, excluded) in [
        ("project_none", None, None),
        ("project_user_name", Some("userName"), None),
        (
            "project_okta_set",
            Some("userName,name.givenName,name.familyName,emails,active,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
            None,
        ),
        ("project_excluded_emails", None, Some("emails,meta")),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| project(black_box(&rendered), attributes, excluded))
        });
    }
    // A list page of 100 users with `attributes=userName` serialised: the per-row cost of a
    // filtered list response.
    group.bench_function("page_100_user_name_to_json_text", |b| {
        b.iter(|| {
            let resources: Vec<Value> = (0..100)
                .map(|_| {
                    project(
                        &render_user(&attrs, ID, &meta, &extra),
                        Some("userName"),
                        None,
                    )
                })
                .collect();
            serde_json::to_vec(&resources).expect("json")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
