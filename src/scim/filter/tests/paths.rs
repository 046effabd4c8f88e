//! PATCH paths: attribute paths, value paths with a trailing sub-attribute, their errors.

use super::*;
use crate::scim::error::ScimType;

#[test]
fn patch_paths() {
    let pp = |s: &str| parse_path(s).unwrap_or_else(|e| panic!("{s}: {}", e.detail));
    let simple = pp("name.givenName");
    assert_eq!(simple.attr, path("name.givenName"));
    assert_eq!(
        (simple.value_filter, simple.sub_attr_after_filter),
        (None, None)
    );
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert_eq!(
        pp(&format!("{ent}:manager")).attr,
        path(&format!("{ent}:manager"))
    );
    assert_eq!(
        pp(&format!("{ent}:manager.value")).attr.sub_attr.as_deref(),
        Some("value")
    );
    let vp = pp(r#"emails[type eq "work"].value"#);
    assert_eq!(vp.attr, path("emails"));
    assert_eq!(vp.value_filter, Some(cmp("type", CompareOp::Eq, s("work"))));
    assert_eq!(vp.sub_attr_after_filter.as_deref(), Some("value"));
    let members = pp(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#);
    assert_eq!(members.sub_attr_after_filter, None);
    let both = pp(r#"addresses[type eq "work" and primary eq true].streetAddress"#);
    assert!(matches!(both.value_filter, Some(Filter::And(..))));
    for text in [
        "name.givenName",
        r#"emails[type eq "work"].value"#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work" and not (primary eq false)].display"#,
    ] {
        assert_eq!(pp(&pp(text).to_string()), pp(text));
    }
}

#[test]
fn patch_path_errors_are_invalid_path() {
    let bad = |s: &str| {
        let e = parse_path(s).expect_err(s);
        assert_eq!(e.scim_type, Some(ScimType::InvalidPath), "{s}");
        e.detail
    };
    assert_eq!(bad(""), "path is empty");
    assert!(bad(&"a".repeat(5000)).contains("longer than 4096"));
    assert!(bad(r#"emails[type eq]"#).contains("expected a value"));
    assert!(bad(r#"emails[type eq "work""#).contains("expected ']'"));
    assert!(bad(r#"emails[type eq "work"]value"#)
        .contains("expected '.' and a sub-attribute after ']' at position 23"));
    assert!(bad(r#"emails[type eq "work"].value.x"#).contains("invalid attribute name 'value.x'"));
    assert!(bad(r#"name.givenName[x eq "y"]"#).contains("must follow a multi-valued attribute"));
    assert!(bad("userName eq \"x\"").contains("unexpected 'eq' at position 10"));
    assert!(bad("(userName)").contains("expected an attribute name at position 1, found '('"));
    assert!(bad("a.b.c").contains("too many"));
    assert!(bad(r#"emails[type eq "work"] and"#).contains("after ']' at position 24"));
}
