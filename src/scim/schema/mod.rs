//! The schema this server serves: static attribute definitions for the core User (RFC 7643
//! §4.1) and the Enterprise User extension (§4.3), plus lookup helpers. The discovery documents
//! built from these tables live in `docs`.
//!
//! The ABM extension (`personId`) is known but not served: it is recognised in requests only so
//! that a client targeting `personId` gets a clear `mutability` error and a body copied from an
//! older representation is accepted. It is neither rendered nor advertised, because an extension
//! whose only attribute is server-assigned cannot be added, replaced or removed as a whole, which
//! generic SCIM clients assume of every advertised extension (scim2-tester's PATCH checks, for
//! one); Apple Business Manager's Person ID is shown by the admin API instead.
//!
//! `groups` and `entitlements` are deliberately absent: Apple Business Manager syncs no groups.
//! `roles` is read-only: ABM roles are assigned in Apple Business Manager, not by directory sync.
//!
//! Layout: `attr_def` defines the characteristics of an attribute, `tables` the attributes of
//! each schema, `lookup` the [`SchemaId`]s and lookup by name; the discovery documents built
//! from them live in `docs`.

mod attr_def;
mod lookup;
mod tables;

mod docs;

pub use attr_def::{AttrDef, AttrType, Mutability, Returned, Uniqueness};
pub use lookup::{abm_attr, core_attr, enterprise_attr, SchemaId};
pub use tables::{ABM_ATTRIBUTES, COMMON_ATTRIBUTES, ENTERPRISE_ATTRIBUTES, USER_ATTRIBUTES};

/// Core User schema URN.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Enterprise User extension URN.
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// This emulator's own extension for ABM-managed, read-only fields (`personId`). Not an
/// Apple-defined URN; recognised in requests, never served (see the module documentation).
pub const ABM_SCHEMA: &str = "urn:abm-scim:params:scim:schemas:extension:abm:2.0:User";
/// PATCH request message URN.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// List response message URN.
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Error message URN.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// `POST /.search` request message URN.
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// Schema resource URN (RFC 7643 §7).
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// ResourceType resource URN (RFC 7643 §6).
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// ServiceProviderConfig resource URN (RFC 7643 §5).
pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

pub use docs::{
    attribute_json, resource_type_document, resource_types_list_response, schema_document,
    schemas_list_response, service_provider_config,
};

#[cfg(test)]
mod tests;
