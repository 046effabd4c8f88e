//! The "limit of the machine": an axum server that answers `GET
//! /feeds/business/scim/Users/{id}` with a fixed SCIM User (the same JSON shape and size as
//! abm-scim's), with no database, no authentication and no middleware. Whatever rate this
//! reaches on a machine, with the load tool sharing the same cores, is the ceiling for abm-scim
//! on that machine; `bench/load.sh` reports every figure as a ratio to it.
//!
//! Usage: `abm-scim-bench-limit [LISTEN]` (default `127.0.0.1:0`); prints `listening on
//! http://ADDR` once bound.

use axum::extract::Path;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

/// A User as abm-scim renders it for a seeded account (same members, similar lengths).
const USER: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"8d3c0d7e-5a2b-4f5e-9a51-3b7c2f0e6a11","externalId":"ext-1-4242","userName":"grace.hopper.4242@example.com","name":{"givenName":"Grace","familyName":"Hopper","formatted":"Grace Hopper"},"displayName":"Grace Hopper","active":true,"emails":[{"value":"grace.hopper.4242@example.com","type":"work","primary":true}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"00004242","department":"Engineering","costCenter":"CC-512"},"roles":[{"value":"Staff"}],"meta":{"resourceType":"User","created":"2026-01-01T00:00:00Z","lastModified":"2026-01-01T00:00:00Z","version":"W/\"1\"","location":"http://127.0.0.1:8080/feeds/business/scim/Users/8d3c0d7e-5a2b-4f5e-9a51-3b7c2f0e6a11"}}"#;

async fn get_user(Path(_id): Path<String>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/scim+json")], USER)
}

#[tokio::main]
async fn main() {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let app = Router::new().route("/feeds/business/scim/Users/{id}", get(get_user));
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {listen}: {e}"));
    let addr = listener.local_addr().expect("bound address");
    println!("listening on http://{addr}");
    axum::serve(listener, app).await.expect("server error");
}
