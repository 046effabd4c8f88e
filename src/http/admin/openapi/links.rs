//! The document's OpenAPI links: how the identifiers one operation returns feed the others, so
//! tools (schemathesis's stateful phase) reach every operation with real identifiers.

use utoipa::openapi::{OpenApi, RefOr};

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
    // The organization's OAuth client, its secrets and approvals.
    LinkSpec {
        from: "create_oauth_client",
        status: "201",
        to: "get_oauth_client",
        parameters: SAME_ORG,
    },
    LinkSpec {
        from: "create_oauth_client",
        status: "201",
        to: "patch_oauth_client",
        parameters: SAME_ORG,
    },
    LinkSpec {
        from: "create_oauth_client",
        status: "201",
        to: "create_oauth_secret",
        parameters: SAME_ORG,
    },
    LinkSpec {
        from: "create_oauth_client",
        status: "201",
        to: "delete_oauth_client",
        parameters: SAME_ORG,
    },
    LinkSpec {
        from: "create_oauth_client",
        status: "201",
        to: "revoke_oauth_secret",
        parameters: &[
            ("org", "$request.path.org"),
            ("id", "$response.body#/secret_id"),
        ],
    },
    LinkSpec {
        from: "create_oauth_secret",
        status: "201",
        to: "revoke_oauth_secret",
        parameters: &[
            ("org", "$request.path.org"),
            ("id", "$response.body#/secret_id"),
        ],
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
