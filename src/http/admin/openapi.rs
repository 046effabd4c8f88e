//! What the derives cannot say about the admin API's request bodies, added to the OpenAPI
//! document by [`utoipa::Modify`]: the rule [`super::AdminJson`] applies to every body (no NUL in
//! any string or key, unknown members ignored), and which fault action a rule holds.

use std::collections::BTreeSet;

use utoipa::openapi::schema::{
    AdditionalProperties, AnyOfBuilder, ArrayBuilder, ArrayItems, ObjectBuilder, Schema,
    SchemaType, Type,
};
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// A string without NUL (U+0000), which [`super::AdminJson`] refuses anywhere in a body.
pub const NUL_FREE_PATTERN: &str = r"^[^\u0000]*$";

/// The component standing for members a body may carry that the API does not know.
const UNKNOWN_MEMBER: &str = "UnknownMember";

/// Makes every request-body schema state [`super::AdminJson`]'s rule: a string with no other
/// constraint gets [`NUL_FREE_PATTERN`], and an object that does not refuse unknown members
/// (`deny_unknown_fields`) says they may be any JSON whose strings and keys hold no NUL.
pub struct NulFreeBodies;

impl utoipa::Modify for NulFreeBodies {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut reached = BTreeSet::new();
        let mut pending: Vec<String> = Vec::new();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let Some(body) = operation.request_body.as_mut() else {
                    continue;
                };
                for content in body.content.values_mut() {
                    if let Some(schema) = content.schema.as_mut() {
                        collect_refs(schema, &mut pending);
                        nul_free(schema);
                    }
                }
            }
        }
        while let Some(name) = pending.pop() {
            if !reached.insert(name.clone()) {
                continue;
            }
            if let Some(schema) = components.schemas.get_mut(&name) {
                collect_refs(schema, &mut pending);
                nul_free(schema);
            }
        }
        components
            .schemas
            .insert(UNKNOWN_MEMBER.into(), unknown_member());
    }
}

/// Any JSON value whose strings and keys hold no NUL (recursively).
fn unknown_member() -> RefOr<Schema> {
    let nul_free = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(NUL_FREE_PATTERN))
    };
    let itself = || Ref::from_schema_name(UNKNOWN_MEMBER);
    AnyOfBuilder::new()
        .description(Some(
            "A member the API does not know: ignored, but, like every string and key of a body, \
             its strings and keys must not contain NUL (U+0000).",
        ))
        .item(ObjectBuilder::new().schema_type(SchemaType::from_iter([
            Type::Null,
            Type::Boolean,
            Type::Number,
        ])))
        .item(nul_free())
        .item(ArrayBuilder::new().items(itself()))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property_names(Some(nul_free()))
                .additional_properties(Some(itself())),
        )
        .into()
}

fn has_type(schema_type: &SchemaType, wanted: Type) -> bool {
    match schema_type {
        SchemaType::Type(t) => *t == wanted,
        SchemaType::Array(types) => types.contains(&wanted),
        SchemaType::AnyValue => false,
    }
}

/// The components a schema refers to.
fn collect_refs(schema: &RefOr<Schema>, out: &mut Vec<String>) {
    let schema = match schema {
        RefOr::Ref(r) => {
            if let Some(name) = r.ref_location.strip_prefix("#/components/schemas/") {
                out.push(name.to_string());
            }
            return;
        }
        RefOr::T(schema) => schema,
    };
    match schema {
        Schema::Object(object) => {
            for property in object.properties.values() {
                collect_refs(property, out);
            }
            if let Some(AdditionalProperties::RefOr(extra)) =
                object.additional_properties.as_deref()
            {
                collect_refs(extra, out);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &array.items {
                collect_refs(items, out);
            }
        }
        Schema::OneOf(of) => of.items.iter().for_each(|s| collect_refs(s, out)),
        Schema::AllOf(of) => of.items.iter().for_each(|s| collect_refs(s, out)),
        Schema::AnyOf(of) => of.items.iter().for_each(|s| collect_refs(s, out)),
        _ => {}
    }
}

/// Adds the NUL rule to one schema and its inline parts (not to the components it refers to).
fn nul_free(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(object) => {
            let unconstrained_string = has_type(&object.schema_type, Type::String)
                && object.pattern.is_none()
                && object.enum_values.is_none()
                && object.format.is_none();
            if unconstrained_string {
                object.pattern = Some(NUL_FREE_PATTERN.into());
            }
            if has_type(&object.schema_type, Type::Object) && object.additional_properties.is_none()
            {
                object.additional_properties = Some(Box::new(AdditionalProperties::RefOr(
                    Ref::from_schema_name(UNKNOWN_MEMBER).into(),
                )));
                object.property_names = Some(Box::new(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(NUL_FREE_PATTERN))
                        .into(),
                ));
            }
            for property in object.properties.values_mut() {
                nul_free(property);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                nul_free(items);
            }
        }
        Schema::OneOf(of) => of.items.iter_mut().for_each(nul_free),
        Schema::AllOf(of) => of.items.iter_mut().for_each(nul_free),
        Schema::AnyOf(of) => of.items.iter_mut().for_each(nul_free),
        _ => {}
    }
}

/// A fault rule's `action` is read as the first of `rate_limit`, `delay_ms` and `status` it
/// holds (an untagged enum): each later alternative states that the earlier members are absent
/// (or `null`), so exactly one alternative matches what the server reads.
pub struct ExclusiveFaultActions;

impl utoipa::Modify for ExclusiveFaultActions {
    fn modify(&self, openapi: &mut OpenApi) {
        let Some(RefOr::T(Schema::OneOf(actions))) = openapi
            .components
            .as_mut()
            .and_then(|c| c.schemas.get_mut("FaultAction"))
        else {
            return;
        };
        let mut earlier: Vec<String> = Vec::new();
        for action in &mut actions.items {
            let RefOr::T(Schema::Object(action)) = action else {
                continue;
            };
            for member in &earlier {
                action.properties.insert(
                    member.clone(),
                    ObjectBuilder::new().schema_type(Type::Null).into(),
                );
            }
            earlier.extend(action.required.iter().cloned());
        }
    }
}

/// A link of the document: from the `status` answer of `from`, `to` can be called with
/// `parameters` (name, runtime expression).
struct LinkSpec {
    from: &'static str,
    status: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
}

const ORG_FROM_BODY: &[(&str, &str)] = &[("org", "$response.body#/id")];
const SAME_ORG: &[(&str, &str)] = &[("org", "$request.path.org")];
const ORG_AND_ID: &[(&str, &str)] = &[("org", "$request.path.org"), ("id", "$response.body#/id")];

/// How the identifiers one operation returns feed the others (OpenAPI links): a new
/// organization to everything under `/orgs/{org}`, a new domain, token or account to what takes
/// its id, the activity to its next events. Only identifiers every such answer holds: an item of
/// a list, which may be empty, is left to the tools' own inference.
const LINKS: &[LinkSpec] = &[
    // A new organization.
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "get_org",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "patch_org",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "delete_org",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "add_domain",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "get_connection",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "disconnect",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "create_token",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "list_accounts",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "create_account",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "list_activity",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "list_requests",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "export_har",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "put_faults",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "get_faults",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "clear_faults",
        parameters: ORG_FROM_BODY,
    },
    LinkSpec {
        from: "create_org",
        status: "201",
        to: "reset_org",
        parameters: ORG_FROM_BODY,
    },
    // A new domain.
    LinkSpec {
        from: "add_domain",
        status: "201",
        to: "remove_domain",
        parameters: &[
            ("org", "$request.path.org"),
            ("name", "$response.body#/name"),
        ],
    },
    // A new token, and its renewal.
    LinkSpec {
        from: "create_token",
        status: "201",
        to: "renew_token",
        parameters: ORG_AND_ID,
    },
    LinkSpec {
        from: "create_token",
        status: "201",
        to: "revoke_token",
        parameters: ORG_AND_ID,
    },
    LinkSpec {
        from: "create_token",
        status: "201",
        to: "get_connection",
        parameters: SAME_ORG,
    },
    LinkSpec {
        from: "renew_token",
        status: "201",
        to: "renew_token",
        parameters: ORG_AND_ID,
    },
    LinkSpec {
        from: "renew_token",
        status: "201",
        to: "revoke_token",
        parameters: ORG_AND_ID,
    },
    // A new account.
    LinkSpec {
        from: "create_account",
        status: "201",
        to: "get_account",
        parameters: ORG_AND_ID,
    },
    LinkSpec {
        from: "create_account",
        status: "201",
        to: "patch_account",
        parameters: ORG_AND_ID,
    },
    LinkSpec {
        from: "create_account",
        status: "201",
        to: "delete_account",
        parameters: ORG_AND_ID,
    },
    LinkSpec {
        from: "create_account",
        status: "201",
        to: "resolve_account",
        parameters: ORG_AND_ID,
    },
    LinkSpec {
        from: "patch_account",
        status: "200",
        to: "get_account",
        parameters: ORG_AND_ID,
    },
    LinkSpec {
        from: "patch_account",
        status: "200",
        to: "delete_account",
        parameters: ORG_AND_ID,
    },
    // The next events.
    LinkSpec {
        from: "list_activity",
        status: "200",
        to: "list_activity",
        parameters: &[
            ("org", "$request.path.org"),
            ("since", "$response.body#/next_since"),
        ],
    },
];

/// Adds [`LINKS`] to the document's responses.
pub struct Links;

impl utoipa::Modify for Links {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::link::LinkBuilder;
        for spec in LINKS {
            let operation = openapi
                .paths
                .paths
                .values_mut()
                .flat_map(|item| {
                    [
                        &mut item.get,
                        &mut item.put,
                        &mut item.post,
                        &mut item.delete,
                        &mut item.patch,
                    ]
                })
                .flatten()
                .find(|op| op.operation_id.as_deref() == Some(spec.from));
            let Some(operation) = operation else {
                panic!("link from unknown operation {}", spec.from);
            };
            let Some(RefOr::T(response)) = operation.responses.responses.get_mut(spec.status)
            else {
                panic!(
                    "link from undocumented answer {} of {}",
                    spec.status, spec.from
                );
            };
            let mut link = LinkBuilder::new().operation_id(spec.to);
            for (name, expression) in spec.parameters {
                link = link.parameter(*name, *expression);
            }
            let name = link_name(spec.to);
            let duplicate = response.links.insert(name.clone(), RefOr::T(link.build()));
            assert!(duplicate.is_none(), "two links {name} from {}", spec.from);
        }
    }
}

/// `get_org` → `GetOrg`.
fn link_name(operation_id: &str) -> String {
    operation_id
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// utoipa 5.5 serializes a Link's members in snake case (`operation_id`): OpenAPI spells them
/// `operationId`, `operationRef` and `requestBody`, which tools (schemathesis) require.
pub fn camel_case_links(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let links = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("responses")?.as_object_mut())
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links")?.as_object_mut())
        .flat_map(|links| links.values_mut())
        .filter_map(|link| link.as_object_mut());
    for link in links {
        for (snake, camel) in [
            ("operation_id", "operationId"),
            ("operation_ref", "operationRef"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(snake) {
                link.insert(camel.into(), value);
            }
        }
    }
}

/// A path parameter is one whole, non-empty segment: the router never gives a handler an empty
/// one (`/orgs//scim` is another route, or none).
pub struct NonEmptyPathParameters;

impl utoipa::Modify for NonEmptyPathParameters {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let parameters = operation.parameters.iter_mut().flatten();
                for parameter in parameters.filter(|p| p.parameter_in == ParameterIn::Path) {
                    if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                        schema.min_length = Some(1);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
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
        let all_optional = ["PatchOrgRequest", "PatchAccountRequest", "SeedDocument"];
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
        assert_eq!(checked, 9, "operations with a body");
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
            json!(crate::service::closed_sets::SyncSourceName::VALUES)
        );
        assert_eq!(
            enum_of(&resolve(&doc, &property("CreateAccountRequest", "roles")["items"]).clone()),
            json!(crate::service::accounts::ROLES)
        );
        assert_eq!(
            enum_of(&property("ResolveRequest", "action")),
            json!(["relink", "make_manual"])
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
            json!(crate::service::accounts::ROLES)
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
                                e.starts_with("$response.body#/")
                                    || e.starts_with("$request.path."),
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
}
