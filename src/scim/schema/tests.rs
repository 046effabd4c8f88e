//! Tests of `schema`: lookups, URN prefixes, RFC characteristics and the tables' shape.

use super::*;

fn all_defs() -> Vec<&'static AttrDef> {
    let mut v = Vec::new();
    for table in [
        COMMON_ATTRIBUTES,
        USER_ATTRIBUTES,
        ENTERPRISE_ATTRIBUTES,
        ABM_ATTRIBUTES,
    ] {
        for d in table {
            v.push(d);
            v.extend(d.sub_attributes.iter());
        }
    }
    v
}

#[test]
fn lookups_are_case_insensitive() {
    assert_eq!(core_attr("USERNAME").map(|d| d.name), Some("userName"));
    assert_eq!(core_attr("externalid").map(|d| d.name), Some("externalId"));
    assert_eq!(enterprise_attr("Manager").map(|d| d.name), Some("manager"));
    assert_eq!(abm_attr("PERSONID").map(|d| d.name), Some("personId"));
    let emails = core_attr("emails").expect("emails");
    assert_eq!(emails.sub("VALUE").map(|d| d.name), Some("value"));
    assert!(core_attr("groups").is_none());
    assert!(core_attr("entitlements").is_none());
}

#[test]
fn urn_prefix_split() {
    let key = "URN:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager.value";
    assert_eq!(
        SchemaId::strip_prefix(key),
        Some((SchemaId::Enterprise, "manager.value"))
    );
    assert_eq!(
        SchemaId::strip_prefix("urn:ietf:params:scim:schemas:core:2.0:User:userName"),
        Some((SchemaId::Core, "userName"))
    );
    assert_eq!(SchemaId::strip_prefix(ENTERPRISE_SCHEMA), None);
    assert_eq!(SchemaId::strip_prefix("urn:x:y"), None);
    assert_eq!(SchemaId::strip_prefix("é"), None);
    assert_eq!(
        SchemaId::from_urn(&ABM_SCHEMA.to_uppercase()),
        Some(SchemaId::Abm)
    );
}

#[test]
fn rfc_characteristics() {
    let user_name = core_attr("userName").expect("userName");
    assert!(user_name.required);
    assert_eq!(user_name.uniqueness, Uniqueness::Server);
    let password = core_attr("password").expect("password");
    assert_eq!(password.mutability, Mutability::WriteOnly);
    assert_eq!(password.returned, Returned::Never);
    let id = core_attr("id").expect("id");
    assert_eq!(id.returned, Returned::Always);
    assert_eq!(
        core_attr("roles").map(|d| d.mutability),
        Some(Mutability::ReadOnly)
    );
    let manager = enterprise_attr("manager").expect("manager");
    assert_eq!(
        manager.sub("displayName").map(|d| d.mutability),
        Some(Mutability::ReadOnly)
    );
    assert_eq!(
        abm_attr("personId").map(|d| d.mutability),
        Some(Mutability::ReadOnly)
    );
}

#[test]
fn tables_are_well_formed() {
    for d in all_defs() {
        assert_eq!(d.is_complex(), !d.sub_attributes.is_empty(), "{}", d.name);
        for s in d.sub_attributes {
            assert!(
                !s.is_complex(),
                "no nesting below sub-attributes: {}",
                s.name
            );
        }
        if d.attr_type != AttrType::Reference {
            assert!(d.reference_types.is_empty(), "{}", d.name);
        }
    }
    // Unique names within each table.
    for table in [USER_ATTRIBUTES, ENTERPRISE_ATTRIBUTES] {
        for (i, a) in table.iter().enumerate() {
            for b in &table[i + 1..] {
                assert!(!a.name.eq_ignore_ascii_case(b.name));
            }
        }
    }
}
