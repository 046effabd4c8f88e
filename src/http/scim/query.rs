//! Query-string and header parameters of SCIM requests, parsed leniently (parameter names are
//! matched case-insensitively, as several IdPs vary their case) into typed values or a SCIM 400.

use axum::http::HeaderMap;
use serde_json::Value;

use super::response::Projection;
use crate::scim::error::ProtocolError;
use crate::service::{ListRequest, Precondition};

/// The decoded query string, with lower-cased names.
pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        QueryParams(pairs)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn projection(&self) -> Projection {
        Projection {
            attributes: self.get("attributes").map(str::to_string),
            excluded: self.get("excludedAttributes").map(str::to_string),
        }
    }

    pub fn list_request(&self) -> Result<ListRequest, ProtocolError> {
        Ok(ListRequest {
            filter: self.get("filter").map(str::to_string),
            sort_by: self.get("sortBy").map(str::to_string),
            sort_order: self.get("sortOrder").map(str::to_string),
            start_index: integer_param("startIndex", self.get("startIndex"))?,
            count: integer_param("count", self.get("count"))?,
            cursor: self.get("cursor").map(str::to_string),
        })
    }
}

fn integer_param(name: &str, value: Option<&str>) -> Result<Option<i64>, ProtocolError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            ProtocolError::invalid_value(format!("{name} must be an integer, not {v:?}"))
        }),
    }
}

/// A `POST /.search` body (RFC 7644 §3.4.3).
pub fn search_request(body: &Value) -> Result<(ListRequest, Projection), ProtocolError> {
    let obj = body.as_object().ok_or_else(|| {
        ProtocolError::invalid_syntax("a search request must be a JSON object (SearchRequest)")
    })?;
    let field = |name: &str| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    let text = |name: &str| -> Result<Option<String>, ProtocolError> {
        match field(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Array(items)) => Ok(Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
            )),
            Some(_) => Err(ProtocolError::invalid_value(format!(
                "{name} must be a string"
            ))),
        }
    };
    let integer = |name: &str| -> Result<Option<i64>, ProtocolError> {
        match field(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| ProtocolError::invalid_value(format!("{name} must be an integer"))),
            Some(Value::String(s)) => integer_param(name, Some(s)),
            Some(_) => Err(ProtocolError::invalid_value(format!(
                "{name} must be an integer"
            ))),
        }
    };
    let request = ListRequest {
        filter: text("filter")?,
        sort_by: text("sortBy")?,
        sort_order: text("sortOrder")?,
        start_index: integer("startIndex")?,
        count: integer("count")?,
        cursor: text("cursor")?,
    };
    let projection = Projection {
        attributes: text("attributes")?,
        excluded: text("excludedAttributes")?,
    };
    Ok((request, projection))
}

/// `If-Match`, for PUT, PATCH and DELETE.
pub fn precondition(headers: &HeaderMap) -> Precondition {
    Precondition {
        if_match: headers
            .get(axum::http::header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

/// Whether `If-None-Match` lists this ETag (→ 304).
pub fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(axum::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|value| {
            value.split(',').map(str::trim).any(|tag| {
                tag == "*" || tag.trim_start_matches("W/") == etag.trim_start_matches("W/")
            })
        })
}
