//! What the derives cannot say about the admin API's request bodies, added to the OpenAPI
//! document by [`utoipa::Modify`]: the rule [`super::AdminJson`] applies to every body (no NUL in
//! any string or key, unknown members ignored), which fault action a rule holds, non-empty path
//! parameters; and, in [`links`], how one operation's identifiers feed the others.

mod links;

pub use links::{camel_case_links, Links};

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
pub(super) mod tests;
