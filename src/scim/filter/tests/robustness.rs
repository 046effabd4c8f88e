//! Deterministic fuzzing: garbage and truncated input never panics, and what parses prints back.

use super::*;
use serde_json::json;

/// A small deterministic generator, so the fuzz tests need no extra crate.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn never_panics_on_garbage() {
    let pieces = [
        "(",
        ")",
        "[",
        "]",
        "\"",
        "\\",
        "\\u",
        "\\ud83d",
        "é",
        "😀",
        "日",
        " ",
        "\t",
        "eq",
        "and",
        "or",
        "not",
        "pr",
        "emails",
        ".",
        ":",
        "urn:a:b",
        "1",
        "-",
        "e",
        "true",
        "null",
        "'",
        "$",
        "\"x\"",
        "name.givenName",
        "\u{0}",
        "]]",
        "..",
        "\"\\\"",
    ];
    let mut rng = Lcg(42);
    for _ in 0..20_000 {
        let n = rng.next(12);
        let text: String = (0..n).map(|_| pieces[rng.next(pieces.len())]).collect();
        if let Ok(f) = parse_filter(&text) {
            assert_eq!(
                parse_filter(&f.to_string()),
                Ok(f.clone()),
                "round trip of {text:?}"
            );
            let _ = matches(&f, &json!({"emails": [{"value": "x"}]}));
        }
        let _ = parse_path(&text);
    }
}

#[test]
fn never_panics_on_truncation() {
    let full = r#"emails[type eq "wörk😀" and not (value co "\u00e9\"")] or urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "Zoë""#;
    for (i, _) in full.char_indices() {
        let _ = parse_filter(&full[..i]);
        let _ = parse_path(&full[..i]);
        let _ = parse_filter(&full[i..]);
    }
    assert!(parse_filter(full).is_ok());
}
