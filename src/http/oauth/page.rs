//! The authorization server's HTML: the approval page in ABM's words and the error page. Small,
//! server-rendered, no JavaScript; every interpolated value is escaped.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::service::oauth::Authorization;

/// `text` with the characters that mean something in HTML (also inside a quoted attribute)
/// replaced by entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:-apple-system,system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}\
h1{font-size:1.4rem}.note{color:#6e6e73;font-size:.9rem}.error{color:#b00020}\
label{display:block;margin:1rem 0 .3rem}input[type=password]{width:100%;padding:.4rem}\
.buttons{margin-top:1.2rem;display:flex;gap:.6rem}button{padding:.5rem 1.2rem}";

/// A whole page, with headers that keep it out of frames and caches.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        escape(title)
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The page of a request that cannot be sent back to the client (RFC 6749 §4.1.2.1).
pub fn error_page(status: StatusCode, detail: &str) -> Response {
    page(
        status,
        "Authorization failed",
        &format!(
            "<h1>This authorization request cannot be completed</h1>\
             <p class=\"error\">{}</p>\
             <p class=\"note\">Check the Client ID and the redirect URI configured in the identity provider \
             against the OAuth client in Apple Business Manager.</p>",
            escape(detail)
        ),
    )
}

fn hidden(name: &str, value: Option<&str>) -> String {
    value.map_or_else(String::new, |value| {
        format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        )
    })
}

/// The approval page: Allow (with the admin token, the emulator's stand-in for an
/// administrator signing in) or Don't Allow, posted back to the authorization endpoint (by a
/// relative URL, so that a path prefix in front of the server is kept).
pub fn approval_page(
    authorization: &Authorization,
    problem: Option<&str>,
    status: StatusCode,
) -> Response {
    let (challenge, method) = match &authorization.code_challenge {
        Some((challenge, method)) => (Some(challenge.as_str()), Some(method.as_str())),
        None => (None, None),
    };
    let fields = [
        hidden("client_id", Some(&authorization.client.id)),
        hidden("redirect_uri", Some(&authorization.redirect_uri)),
        hidden("response_type", Some("code")),
        hidden("state", authorization.state.as_deref()),
        hidden("code_challenge", challenge),
        hidden("code_challenge_method", method),
    ]
    .concat();
    let problem = problem.map_or_else(String::new, |p| {
        format!("<p class=\"error\">{}</p>", escape(p))
    });
    let body = format!(
        "<h1>Allow {client} to sync users into {org} in {product}?</h1>\
         <p class=\"note\">{client} will create, update and deactivate the user accounts of {org} \
         through SCIM. It will be sent back to {target}.</p>{problem}\
         <form method=\"post\" action=\"authorize\">{fields}\
         <label for=\"admin_token\">Administrator sign-in (admin token)</label>\
         <input type=\"password\" id=\"admin_token\" name=\"admin_token\" autocomplete=\"current-password\" required>\
         <div class=\"buttons\"><button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Don't Allow</button></div></form>",
        client = escape(&authorization.client.name),
        org = escape(&authorization.org.name),
        target = escape(&authorization.redirect_uri),
        product = authorization.org.kind.product(),
    );
    page(status, authorization.org.kind.product(), &body)
}

/// A redirect back to the client (`303 See Other` after a form, `302 Found` otherwise).
pub fn redirect(to: &str, after_form: bool) -> Response {
    let status = if after_form {
        StatusCode::SEE_OTHER
    } else {
        StatusCode::FOUND
    };
    match HeaderValue::from_str(to) {
        Ok(location) => {
            let mut response = status.into_response();
            let headers = response.headers_mut();
            headers.insert(header::LOCATION, location);
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            response
        }
        Err(_) => error_page(
            StatusCode::BAD_REQUEST,
            "the redirect URI cannot be sent in a Location header",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_text_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }
}
