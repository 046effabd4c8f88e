//! In-memory matching (`filter_eval::matches`) against a sample User.

use super::*;
use serde_json::{json, Value};

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223",
        "userName": "BJensen@Example.com",
        "displayName": "Babs Jensen",
        "nickName": "",
        "title": null,
        "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home", "primary": "False"}
        ],
        "phoneNumbers": [],
        "x509Certificates": [{"value": "MIIDQzCC"}],
        "loginCount": 42,
        "score": 2.5,
        "meta": {"created": "2024-01-31T12:00:00Z", "lastModified": "2024-02-01T00:00:00.5+01:00"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "Tour Operations",
            "manager": {"value": "26118915", "displayName": "John Smith"}
        }
    })
}

fn m(f: &str) -> bool {
    matches(&p(f), &user())
}

#[test]
fn match_strings_case_insensitively() {
    assert!(m(r#"userName eq "bjensen@example.com""#));
    assert!(m(r#"USERNAME EQ "BJENSEN@EXAMPLE.COM""#));
    assert!(!m(r#"userName ne "bjensen@example.com""#));
    assert!(m(r#"displayName co "S JEN""#));
    assert!(m(r#"displayName sw "babs""#));
    assert!(m(r#"displayName ew "JENSEN""#));
    assert!(!m(r#"displayName sw "jensen""#));
    assert!(m(r#"name.familyName gt "A" and name.familyName lt "z""#));
    assert!(m(
        r#"name.givenName ge "barbara" and name.givenName le "BARBARA""#
    ));
    assert!(!m(r#"name.givenName gt "barbara""#));
    assert!(m(r#"displayName co """#));
    assert!(!m(r#"displayName eq "x\" or 1=1 --""#));
}

#[test]
fn match_numbers_booleans_and_null() {
    assert!(m("active eq true"));
    assert!(m("active eq TRUE"));
    assert!(!m("active eq false"));
    assert!(m("active ne false"));
    assert!(m(r#"active eq "true""#));
    assert!(!m("active gt false"));
    assert!(m(
        "loginCount eq 42 and loginCount gt 41.5 and loginCount le 42"
    ));
    assert!(!m("loginCount lt 42"));
    assert!(m("score gt 2 and score lt 3 and score eq 2.5"));
    assert!(!m(r#"loginCount eq "42""#));
    assert!(m("title eq null"));
    assert!(m("missing eq null"));
    assert!(!m("displayName eq null"));
    assert!(m("displayName ne null"));
    assert!(!m("title ne null"));
    assert!(!m("displayName gt null"));
}

#[test]
fn match_presence() {
    assert!(m("displayName pr"));
    assert!(!m("nickName pr"));
    assert!(!m("title pr"));
    assert!(!m("missing pr"));
    assert!(m("emails pr"));
    assert!(!m("phoneNumbers pr"));
    assert!(m("name pr"));
    assert!(m("name.givenName pr"));
    assert!(!m("name.middleName pr"));
    assert!(m("emails.type pr"));
}

#[test]
fn match_multi_valued_and_value_paths() {
    assert!(m(r#"emails eq "BABS@jensen.org""#));
    assert!(m(r#"emails.value ew "@example.com""#));
    assert!(m(r#"emails.type eq "home""#));
    assert!(!m(r#"emails.type eq "other""#));
    assert!(m(r#"emails.type ne "other""#));
    // `ne` negates `eq`: some element is "home", so "not home" is false.
    assert!(!m(r#"emails.type ne "home""#));
    assert!(m(r#"emails[type eq "work" and primary eq true]"#));
    // String booleans in the data compare with boolean literals.
    assert!(m(r#"emails[type eq "home" and primary eq false]"#));
    // Both conditions must hold on the SAME element.
    assert!(!m(r#"emails[type eq "home" and primary eq true]"#));
    assert!(m(r#"emails[type eq "home"] and emails[primary eq true]"#));
    assert!(m(r#"emails[not (type eq "work")]"#));
    assert!(!m(r#"phoneNumbers[type eq "work"]"#));
    assert!(m(r#"name[givenName sw "bar"]"#));
    assert!(m(r#"x509Certificates eq "miidqzcc""#));
}

#[test]
fn match_urns_dates_and_logic() {
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert!(m(&format!(r#"{ent}:department eq "tour operations""#)));
    assert!(m(&format!(r#"{ent}:manager.value eq "26118915""#)));
    assert!(m(&format!(r#"{ent}:manager eq "26118915""#)));
    assert!(m(&format!(r#"{ent}:manager[displayName co "smith"]"#)));
    assert!(!m(&format!(r#"{ent}:userName pr"#)));
    assert!(m(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Barbara""#
    ));
    assert!(!m(r#"urn:example:other:userName pr"#));
    assert!(m(r#"meta.created gt "2024-01-31T11:59:59Z""#));
    assert!(m(r#"meta.created eq "2024-01-31T13:00:00+01:00""#));
    assert!(m(r#"meta.lastModified lt "2024-01-31T23:00:01Z""#));
    assert!(!m(r#"meta.lastModified gt "2024-02-01T00:00:00Z""#));
    assert!(m(r#"not (title pr) and (displayName pr or x pr)"#));
    assert!(!m(r#"not (displayName pr or x pr)"#));
    assert!(m(r#"x pr or displayName pr and active eq true"#));
    assert!(!m(r#"(x pr or displayName pr) and active eq false"#));
    assert!(m(
        r#"schemas eq "urn:ietf:params:scim:schemas:core:2.0:User""#
    ));
    // Element-level matching as PATCH uses it.
    let element = json!({"value": "a@b.c", "Type": "WORK", "primary": true});
    assert!(matches(
        &p(r#"type eq "work" and primary eq true"#),
        &element
    ));
    assert!(!matches(&p(r#"type eq "work""#), &json!("not an object")));
}
