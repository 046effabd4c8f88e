//! The admin API's OpenAPI document states the rules the handlers enforce.

use std::collections::BTreeSet;

use serde_json::{json, Value};

/// The schema a `$ref` names, or the schema itself.
pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .expect("a schema $ref");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Every schema reachable from a request body (through `$ref`s, properties, items, the
/// alternatives of `oneOf`/`anyOf`/`allOf` and `additionalProperties`), with where it is.
fn request_schemas(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut pending: Vec<(String, Value)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(content) = operation["requestBody"]["content"].as_object() {
                for media in content.values() {
                    pending.push((format!("{method} {path}"), media["schema"].clone()));
                }
            }
        }
    }
    while let Some((place, schema)) = pending.pop() {
        if let Some(r) = schema["$ref"].as_str() {
            if seen.insert(r.to_string()) {
                pending.push((r.to_string(), resolve(doc, &schema).clone()));
            }
            continue;
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            pending.push((format!("{place}/{name}"), property.clone()));
        }
        for key in ["items", "additionalProperties", "propertyNames"] {
            if schema[key].is_object() {
                pending.push((format!("{place}/{key}"), schema[key].clone()));
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for (i, alternative) in schema[key].as_array().into_iter().flatten().enumerate() {
                pending.push((format!("{place}/{key}/{i}"), alternative.clone()));
            }
        }
        out.push((place, schema));
    }
    out
}

/// `count` strings matching a pattern of the document (anchored at both ends), drawn
/// deterministically.
pub fn samples(pattern: &str, count: usize) -> Vec<String> {
    use proptest::strategy::{Strategy, ValueTree};
    let inner = pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$'));
    let inner = inner.unwrap_or_else(|| panic!("{pattern} is anchored"));
    let strategy = proptest::string::string_regex(inner).unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn has_type(schema: &Value, wanted: &str) -> bool {
    match &schema["type"] {
        Value::String(t) => t == wanted,
        Value::Array(types) => types.iter().any(|t| t == wanted),
        _ => false,
    }
}

#[test]
fn every_ref_resolves() {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.clone());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = super::super::document();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20, "{} refs", all.len());
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} is not a component (a query parameter's type the derives did not register?)"
        );
    }
}

/// `AdminJson` refuses NUL in any string or key of a body: every string a body may hold
/// says so (its pattern refuses NUL, or it is an enum or a date-time), and so does every
/// object about members it does not know.
#[test]
fn every_request_string_refuses_nul() {
    let doc = super::super::document();
    let schemas = request_schemas(&doc);
    let mut strings = 0;
    for (place, schema) in &schemas {
        if has_type(schema, "string") {
            strings += 1;
            if let Some(values) = schema["enum"].as_array() {
                assert!(values.iter().all(|v| !v.as_str().unwrap().contains('\0')));
            } else if schema["format"] != "date-time" {
                let pattern = schema["pattern"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{place}: a string without a pattern: {schema}"));
                let re = regex::Regex::new(pattern).unwrap();
                assert!(
                    !re.is_match("example\0.com"),
                    "{place}: {pattern} allows NUL"
                );
            }
        }
        if has_type(schema, "object") {
            let extra = &schema["additionalProperties"];
            assert!(
                *extra == json!(false) || extra["$ref"] == "#/components/schemas/UnknownMember",
                "{place}: unknown members not described: {schema}"
            );
            if *extra != json!(false) {
                assert!(schema["propertyNames"]["pattern"].is_string(), "{place}");
            }
        }
    }
    assert!(strings > 30, "{strings} strings");
}

/// What a body must hold is `required`: an operation whose body has no required member
/// is one whose every member is optional (listed here), and every alternative of a `oneOf`
/// says which member makes it.
#[test]
fn every_request_body_states_what_it_requires() {
    let all_optional = [
        "PatchOrgRequest",
        "PatchAccountRequest",
        "SeedDocument",
        "PatchOAuthClientRequest",
        "CreateSecretRequest",
    ];
    let doc = super::super::document();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(schema) =
                operation["requestBody"]["content"]["application/json"].get("schema")
            else {
                continue;
            };
            checked += 1;
            let name = schema["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
            let body = resolve(&doc, schema);
            let alternatives = match body["oneOf"].as_array() {
                Some(alternatives) => alternatives.iter().collect(),
                None => vec![body],
            };
            for alternative in alternatives {
                let required = alternative["required"].as_array().map_or(0, Vec::len);
                if all_optional.contains(&name) {
                    assert_eq!(required, 0, "{name}");
                } else if has_type(alternative, "object") {
                    assert!(required > 0, "{method} {path}: {name} requires nothing");
                }
            }
        }
    }
    assert_eq!(checked, 13, "operations with a body");
    let schemas = &doc["components"]["schemas"];
    for (name, required) in [
        ("CreateOrgRequest", json!(["name"])),
        ("DomainRequest", json!(["name"])),
        ("CreateAccountRequest", json!(["user_name"])),
        ("ResolveRequest", json!(["action"])),
        ("SeedOrg", json!(["name"])),
        ("SeedDomain", json!(["name"])),
        ("SeedToken", json!(["secret"])),
        ("SeedAccount", json!(["user_name"])),
        ("FaultRule", json!(["action"])),
        ("RateLimit", json!(["retry_after_s"])),
    ] {
        assert_eq!(schemas[name]["required"], required, "{name}");
    }
    let clock = &schemas["ClockRequest"]["oneOf"];
    assert_eq!(clock[0]["required"], json!(["advance"]));
    assert_eq!(clock[0]["properties"]["set"]["type"], "null");
    assert_eq!(clock[1]["required"], json!(["set"]));
    assert_eq!(clock[1]["properties"]["advance"]["type"], "null");
}

/// The constraints the handlers enforce, as the document states them.
#[test]
fn the_handlers_rules_are_in_the_document() {
    let doc = super::super::document();
    let schemas = &doc["components"]["schemas"];
    let property = |schema: &str, name: &str| -> Value {
        let p = &schemas[schema]["properties"][name];
        resolve(&doc, p.get("oneOf").map_or(p, |o| &o[1])).clone()
    };
    for (schema, name, min, max) in [
        ("CreateOrgRequest", "name", 1, 200),
        ("PatchOrgRequest", "name", 1, 200),
        ("SeedOrg", "name", 1, 200),
        ("CreateAccountRequest", "user_name", 1, 256),
        ("PatchAccountRequest", "user_name", 1, 256),
        ("SeedAccount", "user_name", 1, 256),
        ("PatchAccountRequest", "person_id", 1, 64),
    ] {
        let p = property(schema, name);
        assert_eq!(
            (p["minLength"].as_u64(), p["maxLength"].as_u64()),
            (Some(min), Some(max)),
            "{schema}.{name}"
        );
        let re = regex::Regex::new(p["pattern"].as_str().unwrap()).unwrap();
        for blank in ["", " ", "\t\n", "\u{85}", "\u{a0}\u{3000}"] {
            assert!(!re.is_match(blank), "{schema}.{name} allows {blank:?}");
        }
        assert!(re.is_match(" Ann "), "{schema}.{name}");
    }
    for schema in ["DomainRequest", "SeedDomain"] {
        let p = property(schema, "name");
        assert_eq!(p["maxLength"], 253);
        let re = regex::Regex::new(p["pattern"].as_str().unwrap()).unwrap();
        for good in ["example.com", "a.b", "Mail.Example.COM.", "x-1.example"] {
            assert!(re.is_match(good), "{good}");
        }
        for bad in [
            "example",
            ".example.com",
            "-a.com",
            "a-.com",
            "a..com",
            "ex ample.com",
            "é.com",
            &format!("{}.com", "a".repeat(64)),
        ] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }
    let enum_of = |schema: &Value| schema["enum"].clone();
    assert_eq!(
        enum_of(&property("PatchOrgRequest", "directory_sync_source")),
        json!(<crate::domain::SyncSource as strum::VariantNames>::VARIANTS)
    );
    assert_eq!(
        enum_of(&resolve(&doc, &property("CreateAccountRequest", "roles")["items"]).clone()),
        json!(<crate::domain::Role as strum::VariantNames>::VARIANTS)
    );
    assert_eq!(
        enum_of(&property("ResolveRequest", "action")),
        json!([
            crate::service::accounts::Resolution::Relink.as_str(),
            crate::service::accounts::Resolution::MakeManual.as_str()
        ])
    );
    assert_eq!(
        enum_of(&property("SeedAccount", "source")),
        json!(["scim", "manual"])
    );
    assert_eq!(
        enum_of(&property("SeedAccount", "state")),
        json!(["active", "inactive"])
    );
    assert_eq!(property("CreateAccountRequest", "roles")["minItems"], 1);
    assert_eq!(property("SeedToken", "secret")["minLength"], 16);
    assert_eq!(property("SeedAccount", "inactive_days")["maximum"], 36500);
    assert_eq!(property("FaultRule", "probability")["maximum"], 1);
    assert_eq!(property("RateLimit", "retry_after_s")["maximum"], 86400);
    let actions = &schemas["FaultAction"]["oneOf"];
    assert_eq!(actions[1]["properties"]["delay_ms"]["maximum"], 60000);
    assert_eq!(actions[2]["properties"]["status"]["minimum"], 400);
    assert_eq!(actions[2]["properties"]["status"]["maximum"], 599);
    // An action is the first of rate_limit, delay_ms and status it holds (serde, untagged).
    assert_eq!(actions[1]["properties"]["rate_limit"]["type"], "null");
    assert_eq!(actions[2]["properties"]["rate_limit"]["type"], "null");
    assert_eq!(actions[2]["properties"]["delay_ms"]["type"], "null");
    let query = |path: &str, name: &str| -> Value {
        let parameters = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let p = parameters.iter().find(|p| p["name"] == name).unwrap();
        resolve(&doc, &p["schema"]).clone()
    };
    let accounts = "/admin/v1/orgs/{org}/accounts";
    assert_eq!(
        enum_of(&query(accounts, "state")),
        json!(["active", "inactive", "conflict"])
    );
    assert_eq!(
        enum_of(&query(accounts, "source")),
        json!(["scim", "manual"])
    );
    assert_eq!(
        enum_of(&query(accounts, "role")),
        json!(<crate::domain::Role as strum::VariantNames>::VARIANTS)
    );
    assert_eq!(
        (
            query(accounts, "limit")["minimum"].clone(),
            query(accounts, "limit")["maximum"].clone()
        ),
        (json!(1), json!(1000))
    );
    assert_eq!(
        query("/admin/v1/orgs/{org}/requests", "status")["maximum"],
        599
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for p in operation["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    assert_eq!(p["schema"]["minLength"], 1, "{method} {path} {}", p["name"]);
                }
            }
        }
    }
}

/// Links name real operations, fill every path parameter of their target, and reach each
/// operation that takes an identifier another one returns (DELETE, renew, resolve...).
#[test]
fn links_reach_every_operation_on_a_returned_identifier() {
    let doc = super::super::document();
    let mut operations = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let parameters: BTreeSet<String> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            operations.insert(
                operation["operationId"].as_str().unwrap().to_string(),
                (format!("{method} {path}"), parameters),
            );
        }
    }
    let mut targets = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for operation in item.as_object().unwrap().values() {
            for response in operation["responses"].as_object().unwrap().values() {
                for (name, link) in response["links"].as_object().into_iter().flatten() {
                    assert!(link.get("operation_id").is_none(), "snake case in {name}");
                    let target = link["operationId"].as_str().unwrap();
                    let (label, wanted) = &operations[target];
                    let given: BTreeSet<String> = link["parameters"]
                        .as_object()
                        .unwrap()
                        .keys()
                        .cloned()
                        .collect();
                    assert!(
                        given.is_superset(wanted),
                        "{path} {name} → {label}: {given:?}"
                    );
                    for expression in link["parameters"].as_object().unwrap().values() {
                        let e = expression.as_str().unwrap();
                        assert!(
                            e.starts_with("$response.body#/") || e.starts_with("$request.path."),
                            "{e}"
                        );
                    }
                    targets.insert(target.to_string());
                }
            }
        }
    }
    for (id, (label, parameters)) in &operations {
        if parameters.iter().any(|p| p != "org") {
            assert!(targets.contains(id), "no link reaches {label}");
        }
    }
    for id in [
        "delete_org",
        "renew_token",
        "revoke_token",
        "remove_domain",
        "delete_account",
        "resolve_account",
        "clear_faults",
        "disconnect",
    ] {
        assert!(targets.contains(id), "{id}");
    }
}
