//! Closed sets of strings the service accepts that are narrower than a domain enum, as OpenAPI
//! string enums for the admin API's document (`#[schema(value_type = ...)]` on the `String`
//! fields that take them). The domain's own enums (`Role`, `SyncSource`, `AccountState`,
//! `AccountSource`) are their own schemas.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use super::accounts::Resolution;
use crate::domain::AccountState;

macro_rules! closed_set {
    ($(#[doc = $doc:literal])+ $name:ident = $values:expr;) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl $name {
            pub fn values() -> Vec<&'static str> {
                $values.to_vec()
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(concat!($($doc),+).trim()))
                    .enum_values(Some(Self::values()))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

closed_set! {
    /// The state a seeded account starts in (a conflict is found by sync, never seeded).
    SeededStateName = [AccountState::Active.as_str(), AccountState::Inactive.as_str()];
}

closed_set! {
    /// How an admin settles a Person ID conflict.
    ResolveActionName = [Resolution::Relink.as_str(), Resolution::MakeManual.as_str()];
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
    fn the_sets_are_what_the_service_parses() {
        assert_eq!(values::<SeededStateName>(), ["active", "inactive"]);
        for name in values::<ResolveActionName>() {
            assert_eq!(Resolution::parse(&name).unwrap().as_str(), name);
        }
        assert!(Resolution::parse("merge").is_none());
    }
}
