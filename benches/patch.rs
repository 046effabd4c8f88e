//! Criterion micro-benchmarks: the PATCH engine on an Entra ID style multi-operation body.
//! Run: `cargo bench --bench patch`.

use std::hint::black_box;

use abm_scim::scim::patch::apply_patch;
use abm_scim::scim::resource::normalize_user;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

fn user() -> Value {
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

/// What Entra ID sends on an attribute change: capitalised ops, a value-filter path, flat
/// URN-qualified paths, and string booleans.
fn entra_patch() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            { "op": "Replace", "path": "displayName", "value": "Grace B. Hopper" },
            { "op": "Replace", "path": "name.givenName", "value": "Grace B." },
            { "op": "Replace", "path": "name.formatted", "value": "Grace B. Hopper" },
            { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "grace.b.hopper@example.com" },
            { "op": "Add", "path": "title", "value": "Rear Admiral" },
            { "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Navy" },
            { "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "ext-1-1" },
            { "op": "Replace", "path": "active", "value": "False" }
        ]
    })
}

fn bench_patch(c: &mut Criterion) {
    let current = normalize_user(&user()).expect("valid user");
    let mut group = c.benchmark_group("patch_apply");
    let entra = entra_patch();
    group.bench_function("entra_8_ops", |b| {
        b.iter(|| apply_patch(black_box(&current), black_box(&entra)).expect("applies"))
    });
    let single = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "path": "active", "value": false }]
    });
    group.bench_function("active_false", |b| {
        b.iter(|| apply_patch(black_box(&current), black_box(&single)).expect("applies"))
    });
    // The whole request body path: JSON text to outcome.
    let text = entra.to_string();
    group.bench_function("entra_8_ops_from_json_text", |b| {
        b.iter(|| {
            let body: Value = serde_json::from_str(black_box(&text)).expect("json");
            apply_patch(&current, &body).expect("applies")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_patch);
criterion_main!(benches);
