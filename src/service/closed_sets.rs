//! The closed sets of strings the service accepts, as OpenAPI string enums for the admin API's
//! document (`#[schema(value_type = ...)]` on the `String` fields that take them). Each lists
//! exactly the values its check accepts; the tests below hold them to those checks.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

macro_rules! closed_set {
    ($(#[doc = $doc:literal])+ $name:ident = $values:expr;) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl $name {
            pub const VALUES: &'static [&'static str] = &$values;
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(concat!($($doc),+).trim()))
                    .enum_values(Some(Self::VALUES.iter().copied()))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

closed_set! {
    /// A role of Apple Business Manager (accepted in any letter case).
    RoleName = super::accounts::ROLES;
}

closed_set! {
    /// Where an organization's users come from: one directory-sync source at a time.
    SyncSourceName = super::orgs::SYNC_SOURCES;
}

closed_set! {
    /// An account's state: `conflict` is a synced account whose Person ID no longer matches the
    /// identity provider.
    AccountStateName = ["active", "inactive", "conflict"];
}

closed_set! {
    /// Whether an account is synced by SCIM or managed by hand.
    AccountSourceName = ["scim", "manual"];
}

closed_set! {
    /// The state a seeded account starts in.
    SeededStateName = ["active", "inactive"];
}

closed_set! {
    /// How an admin settles a Person ID conflict.
    ResolveActionName = ["relink", "make_manual"];
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    fn values<T: PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        serde_json::from_value(schema["enum"].clone()).unwrap()
    }

    #[test]
    fn role_names_are_the_roles_the_service_accepts() {
        let names = values::<RoleName>();
        assert_eq!(names, super::super::accounts::ROLES);
        for name in &names {
            let canonical = super::super::accounts::canonical_role(&name.to_lowercase()).unwrap();
            assert_eq!(canonical, name);
        }
        assert!(super::super::accounts::canonical_role("Owner").is_err());
    }

    #[test]
    fn every_set_is_a_string_enum() {
        for schema in [
            values::<RoleName>(),
            values::<SyncSourceName>(),
            values::<AccountStateName>(),
            values::<AccountSourceName>(),
            values::<SeededStateName>(),
            values::<ResolveActionName>(),
        ] {
            assert!(!schema.is_empty());
        }
        assert_eq!(values::<SyncSourceName>(), super::super::orgs::SYNC_SOURCES);
    }
}
