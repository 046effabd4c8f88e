//! Cross-site request protection for every state-changing console request, in two layers:
//!
//! 1. Where the request comes from. Browsers send `Sec-Fetch-Site`; anything but `same-origin`
//!    is refused. A client that does not send it (an old browser, curl) must send no `Origin`,
//!    or the console's own. `Origin: null` is refused: the console's pages use
//!    `Referrer-Policy: same-origin`, under which Chromium sends the real origin on its own form
//!    posts (with `no-referrer` it would send `null` and this check would refuse the console's
//!    own forms), so `null` means a sandboxed or privacy-stripped context elsewhere.
//! 2. A per-session token in every form (`csrf`), compared in constant time.
//!
//! The session cookie is also `SameSite=Strict`, so a cross-site post carries no session at all.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method};

use super::session::{csrf_matches, Signed};

/// The form field holding the session's token.
pub const FIELD: &str = "csrf";

/// Whether a request may change state: not a cross-site one.
pub fn same_origin(method: &Method, headers: &HeaderMap, public_base: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD) {
        return true;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site.eq_ignore_ascii_case("same-origin");
    }
    match header("origin") {
        None => true,
        Some(origin) => own_origins(headers, public_base)
            .iter()
            .any(|o| o == origin),
    }
}

/// The console's own origin: the public URL's, and the one the `Host` header names (a server
/// reached as `localhost` and as `127.0.0.1` is the same server).
fn own_origins(headers: &HeaderMap, public_base: &str) -> Vec<String> {
    let mut origins = Vec::new();
    let scheme = if public_base.starts_with("https://") {
        "https"
    } else {
        "http"
    };
    if let Ok(url) = url::Url::parse(public_base) {
        origins.push(url.origin().ascii_serialization());
    }
    if let Some(host) = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
    {
        origins.push(format!("{scheme}://{host}"));
    }
    origins
}

/// Checks the form token of a state-changing request and gives the request back with its body
/// intact; `None` when the token is missing or wrong (or the body unreadable).
pub async fn check_token(request: Request, signed: &Signed, limit: usize) -> Option<Request> {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return Some(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.ok()?;
    let presented = url::form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == FIELD)
        .map(|(_, value)| value.into_owned())?;
    csrf_matches(signed, &presented).then(|| Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cross_site_posts_are_told_apart() {
        let base = "http://127.0.0.1:8080";
        let post = Method::POST;
        assert!(same_origin(
            &post,
            &headers(&[("sec-fetch-site", "same-origin")]),
            base
        ));
        assert!(!same_origin(
            &post,
            &headers(&[("sec-fetch-site", "cross-site")]),
            base
        ));
        assert!(!same_origin(
            &post,
            &headers(&[("sec-fetch-site", "same-site")]),
            base
        ));
        assert!(same_origin(&post, &headers(&[]), base));
        assert!(same_origin(
            &post,
            &headers(&[("origin", "http://127.0.0.1:8080")]),
            base
        ));
        assert!(same_origin(
            &post,
            &headers(&[("origin", "http://localhost:9"), ("host", "localhost:9")]),
            base
        ));
        assert!(!same_origin(
            &post,
            &headers(&[("origin", "http://evil.example")]),
            base
        ));
        assert!(!same_origin(&post, &headers(&[("origin", "null")]), base));
        assert!(same_origin(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")]),
            base
        ));
    }
}
