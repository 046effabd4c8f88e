//! Filter parser, SQL compiler (both dialects), in-memory matcher and printer on arbitrary text.
//!
//! Invariants: nothing panics; a parsed filter prints to text that parses back to the same tree
//! (when the printed text is within the length limit); a filter compiles for PostgreSQL exactly
//! when it compiles for SQLite, with as many bound parameters as placeholders. The same text is
//! also tried as a PATCH path and a `sortBy`.
#![no_main]

use abm_scim::scim::filter::{matches, parse_filter, parse_path, MAX_FILTER_LEN};
use abm_scim::scim::filter_sql::{compile_filter, sort_expression, Dialect};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(filter) = parse_filter(text) {
        let printed = filter.to_string();
        if printed.len() <= MAX_FILTER_LEN {
            match parse_filter(&printed) {
                Ok(again) => assert_eq!(again, filter, "round trip changed {text:?} → {printed:?}"),
                Err(e) => {
                    panic!("printed filter {printed:?} (from {text:?}) does not parse: {e:?}")
                }
            }
        }
        let pg = compile_filter(&filter, Dialect::Postgres, 3);
        let lite = compile_filter(&filter, Dialect::Sqlite, 3);
        assert_eq!(pg.is_ok(), lite.is_ok(), "dialects disagree on {text:?}");
        if let (Ok(pg), Ok(lite)) = (pg, lite) {
            assert_eq!(pg.params, lite.params);
            let n = pg.params.len();
            if n > 0 {
                assert!(pg.sql.contains(&format!("${}::", n + 2)), "{}", pg.sql);
                assert!(lite.sql.contains(&format!("?{}", n + 2)), "{}", lite.sql);
            }
            assert!(!pg.sql.contains(&format!("${}::", n + 3)), "{}", pg.sql);
        }
        let user = json!({
            "userName": "bjensen@example.com",
            "active": true,
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
        });
        let _ = matches(&filter, &user);
        let _ = matches(&filter, &user["emails"][0]);
    }
    if let Ok(path) = parse_path(text) {
        let printed = path.to_string();
        if printed.len() <= MAX_FILTER_LEN {
            match parse_path(&printed) {
                Ok(again) => assert_eq!(again, path, "path round trip {text:?} → {printed:?}"),
                Err(e) => panic!("printed path {printed:?} (from {text:?}) does not parse: {e:?}"),
            }
        }
    }
    let pg = sort_expression(text, Dialect::Postgres);
    let lite = sort_expression(text, Dialect::Sqlite);
    assert_eq!(
        pg.is_ok(),
        lite.is_ok(),
        "sortBy dialects disagree on {text:?}"
    );
});
