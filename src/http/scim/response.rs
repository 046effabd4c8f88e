//! SCIM responses: `application/scim+json`, ETag and Location headers, absolute URLs.

use axum::http::header::{CONTENT_TYPE, ETAG, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::domain::Timestamp;
use crate::http::error::SCIM_CONTENT_TYPE;
use crate::scim::resource::{project, render_user, AbmFields, Meta};
use crate::service::{etag, App, ScimMount};
use crate::store::Account;

pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A JSON body with the SCIM content type.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_CONTENT_TYPE));
    response
}

/// The absolute SCIM base of this request (`https://host/feeds/business/scim`,
/// `.../feeds/school/scim` or `.../scim/v2`), keeping the mount the client used.
pub fn scim_base(app: &App, uri: &Uri, headers: &HeaderMap) -> String {
    mount_base(app, headers, ScimMount::of_path(uri.path()))
}

/// The absolute base of a SCIM mount on this server, e.g. the one organizations of a kind are
/// given: `mount_base(app, headers, ScimMount::Feed(org.kind))`.
pub fn mount_base(app: &App, headers: &HeaderMap, mount: ScimMount) -> String {
    format!("{}{}", server_base(app, headers), mount.path())
}

/// `scheme://host` of the server: configured, or from `X-Forwarded-*` behind a trusted proxy.
pub fn server_base(app: &App, headers: &HeaderMap) -> String {
    if app.settings.trust_forwarded_headers {
        let forwarded = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').next().unwrap_or("").trim().to_string())
                .filter(|v| {
                    !v.is_empty()
                        && v.chars()
                            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
                })
        };
        if let Some(host) = forwarded("x-forwarded-host") {
            let proto = forwarded("x-forwarded-proto")
                .filter(|p| p == "http" || p == "https")
                .unwrap_or_else(|| "https".into());
            return format!("{proto}://{host}");
        }
    }
    app.settings.public_base.clone()
}

/// The full SCIM representation of an account.
pub fn user_resource(account: &Account, base: &str) -> Value {
    let meta = Meta {
        created: meta_time(account.created_at),
        last_modified: meta_time(account.updated_at),
        version: etag(account.version),
        location: format!("{base}/Users/{}", account.id),
    };
    let abm = AbmFields {
        roles: account
            .roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    };
    render_user(&account.attrs, &account.id, &meta, &abm)
}

/// A `meta` timestamp with the full stored (microsecond) precision, so that a value read back
/// from a resource compares equal to it in a filter (`meta.lastModified gt "<last seen>"` must not
/// return the resource it came from, `eq` must find it).
fn meta_time(at: Timestamp) -> String {
    at.to_datetime()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// `attributes` / `excludedAttributes` as sent.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    pub attributes: Option<String>,
    pub excluded: Option<String>,
}

impl Projection {
    pub fn apply(&self, resource: Value) -> Value {
        if self.attributes.is_none() && self.excluded.is_none() {
            return resource;
        }
        project(
            &resource,
            self.attributes.as_deref(),
            self.excluded.as_deref(),
        )
    }
}

/// A single User response with `ETag` (and `Location` when created).
pub fn user_response(
    status: StatusCode,
    account: &Account,
    base: &str,
    projection: &Projection,
) -> Response {
    let resource = user_resource(account, base);
    let location = resource["meta"]["location"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut response = scim_json(status, &projection.apply(resource));
    if let Ok(tag) = HeaderValue::from_str(&etag(account.version)) {
        response.headers_mut().insert(ETAG, tag);
    }
    if status == StatusCode::CREATED {
        if let Ok(location) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(LOCATION, location);
        }
    }
    response
}

/// A ListResponse (RFC 7644 §3.4.2); paging fields are JSON integers.
pub fn list_response(resources: Vec<Value>, total: i64, start_index: i64) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// A ListResponse for a page of users: index-paged (`startIndex`) or cursor-paged (RFC 9865:
/// `nextCursor` while more pages remain, no `startIndex`).
pub fn paged_list_response(resources: Vec<Value>, page: &crate::service::ListPage) -> Value {
    let mut body = list_response(resources, page.total, page.start_index);
    if page.by_cursor {
        if let Some(map) = body.as_object_mut() {
            map.remove("startIndex");
            if let Some(next) = &page.next_cursor {
                map.insert("nextCursor".into(), json!(next));
            }
        }
    }
    body
}
