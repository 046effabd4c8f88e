//! SCIM User body parsing: arbitrary bytes, parsed as JSON, through `normalize_user`.
//!
//! Invariants: nothing panics; the canonical map is a fixed point (normalising it again changes
//! nothing); the rendered resource (what GET returns) sent back as a PUT body normalises to the
//! same map, so a GET → PUT round trip, as Okta and Entra do, loses and changes nothing.
#![no_main]

use abm_scim::scim::resource::{normalize_user, render_user, AbmFields, Meta};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(attrs) = normalize_user(&body) else {
        return;
    };
    let again = normalize_user(&Value::Object(attrs.clone())).expect("canonical map re-normalises");
    assert_eq!(again, attrs, "normalize_user is not idempotent");
    let meta = Meta {
        created: "2024-01-01T00:00:00.000Z".into(),
        last_modified: "2024-01-01T00:00:00.000Z".into(),
        version: "W/\"1\"".into(),
        location: "http://127.0.0.1/scim/v2/Users/1".into(),
    };
    let rendered = render_user(&attrs, "1", &meta, &AbmFields::default());
    let round = normalize_user(&rendered).expect("a rendered user is a valid PUT body");
    assert_eq!(round, attrs, "GET → PUT round trip changed the user");
});
