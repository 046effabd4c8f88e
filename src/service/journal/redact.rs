//! What the journal records of a request body: secrets redacted, client dialect features named.

use serde_json::Value;

/// Whether an attribute name or PATCH path names a secret: `password`, `token` or `secret`,
/// bare or URN-qualified (`urn:...:User:password`).
fn names_secret(name: &str) -> bool {
    let last = name.rsplit(':').next().unwrap_or(name).trim();
    ["password", "token", "secret"]
        .iter()
        .any(|secret| last.eq_ignore_ascii_case(secret))
}

/// Replaces secrets in a recorded body (a `password` sent by Okta, say) with `"[redacted]"`:
/// values under a secret key, and the `value` of a PATCH operation whose `path` is a secret.
pub fn redact_body(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let secret_path = map.iter().any(|(key, item)| {
                key.eq_ignore_ascii_case("path") && item.as_str().is_some_and(names_secret)
            });
            for (key, item) in map.iter_mut() {
                if names_secret(key) || (secret_path && key.eq_ignore_ascii_case("value")) {
                    *item = Value::String("[redacted]".into());
                } else {
                    redact_body(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_body),
        _ => {}
    }
}

/// Dialect features of a SCIM request body, for the journal: what real clients do that the RFC
/// does not ask for.
pub fn dialect_features(body: &Value) -> Vec<String> {
    let mut found: Vec<&'static str> = Vec::new();
    let mut note = |feature: &'static str| {
        if !found.contains(&feature) {
            found.push(feature);
        }
    };
    if let Some(ops) = body
        .get("Operations")
        .or_else(|| body.get("operations"))
        .and_then(Value::as_array)
    {
        for op in ops {
            if let Some(name) = op.get("op").and_then(Value::as_str) {
                if name.chars().next().is_some_and(char::is_uppercase) {
                    note("capitalised_ops");
                }
            }
            let value = op.get("value");
            if op.get("path").is_none() {
                note("pathless_op");
                if let Some(Value::Object(map)) = value {
                    if map
                        .keys()
                        .any(|k| k.contains('.') && !k.to_ascii_lowercase().starts_with("urn:"))
                    {
                        note("dotted_keys");
                    }
                    if map
                        .keys()
                        .any(|k| k.to_ascii_lowercase().starts_with("urn:") && k.contains(":User:"))
                    {
                        note("urn_keys");
                    }
                }
            }
            if op
                .get("op")
                .and_then(Value::as_str)
                .is_some_and(|o| o.eq_ignore_ascii_case("remove"))
                && value.is_some()
            {
                note("remove_with_value");
            }
            if op
                .get("path")
                .and_then(Value::as_str)
                .is_some_and(|p| p.contains('['))
            {
                note("value_filter_path");
            }
        }
    }
    if has_string_booleans(body) {
        note("string_booleans");
    }
    found.into_iter().map(str::to_string).collect()
}

fn has_string_booleans(value: &Value) -> bool {
    match value {
        Value::String(s) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
        Value::Object(map) => map.values().any(has_string_booleans),
        Value::Array(items) => items.iter().any(has_string_booleans),
        _ => false,
    }
}
