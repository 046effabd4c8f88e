//! Parse errors say where and what was expected; input size and nesting are bounded.

use super::*;

#[test]
fn errors_say_where_and_what() {
    assert_eq!(err(""), "filter is empty");
    assert_eq!(err(" \t "), "filter is empty");
    let d = err("userName xx \"a\"");
    assert!(
        d.contains("expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)"),
        "{d}"
    );
    assert!(
        d.contains("after 'userName' at position 10, found 'xx'"),
        "{d}"
    );
    assert!(
        err("userName").contains("after 'userName' at the end of the input, found end of input")
    );
    let d = err("userName eq bjensen");
    assert!(
        d.contains("expected a value") && d.contains("position 13") && d.contains("'bjensen'"),
        "{d}"
    );
    assert!(err("userName eq").contains("after 'eq' at the end of the input"));
    assert!(err(r#"userName eq "abc"#).contains("unterminated string starting at position 13"));
    assert!(err("userName eq 'abc'").contains("must be in double quotes"));
    assert!(err(r#"userName eq "a" title pr"#)
        .contains("unexpected 'title' at position 17; expected 'and', 'or'"));
    assert!(
        err(r#"userName eq "a")"#).contains("unexpected ')' at position 16 with no matching '('")
    );
    let d = err(r#"(userName eq "a""#);
    assert!(
        d.contains("expected ')' to close the one opened at position 1, found end of input"),
        "{d}"
    );
    assert!(err(r#"emails[type eq "a""#).contains("expected ']'"));
    assert!(err(r#"emails[type eq "a")"#).contains("found ')' at position 19"));
    assert!(err("not title pr")
        .contains("'not' at position 1 must be followed by a filter in parentheses"));
    assert!(err("title pr and")
        .contains("expected an attribute name, '(' or 'not' at the end of the input"));
    assert!(err("and title pr").contains("after 'and'"));
    assert!(err("x eq 01").contains("invalid number '01' at position 6"));
    assert!(err("x eq -").contains("invalid number '-'"));
    assert!(err("x eq 1.2.3").contains("invalid number"));
    assert!(err("x eq 1e999").contains("invalid number"));
    assert!(err("x eq @").contains("unexpected character '@' at position 6"));
    assert!(err("()").contains("found ')'"));
    assert!(err("x[]").contains("found ']'"));
}

#[test]
fn error_positions_count_characters_not_bytes() {
    // "é" and "😀" are multi-byte; the stray token is the 25th character.
    let d = err("displayName eq \"é😀\" and ü pr");
    assert!(d.contains("unexpected character 'ü' at position 25"), "{d}");
    let d = err("displayName eq \"日本\" xx");
    assert!(d.contains("unexpected 'xx' at position 21"), "{d}");
    assert!(err("日本 pr").contains("unexpected character '日' at position 1"));
}

#[test]
fn bounds() {
    let long = format!("displayName eq \"{}\"", "a".repeat(MAX_FILTER_LEN));
    assert_eq!(err(&long), "filter is longer than 4096 bytes");
    let exactly = format!("displayName eq \"{}\"", "a".repeat(MAX_FILTER_LEN - 17));
    assert_eq!(exactly.len(), MAX_FILTER_LEN);
    assert!(parse_filter(&exactly).is_ok());
    let nest = |n: usize| format!("{}title pr{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(p(&nest(MAX_DEPTH)), pr("title"));
    assert!(err(&nest(MAX_DEPTH + 1)).contains("deeper than 32 levels"));
    let nots = |n: usize| format!("{}title pr{}", "not (".repeat(n), ")".repeat(n));
    assert!(parse_filter(&nots(MAX_DEPTH)).is_ok());
    assert!(err(&nots(MAX_DEPTH + 1)).contains("deeper than 32"));
    let brackets = format!(
        "{}x pr{}",
        "a[".repeat(MAX_DEPTH + 1),
        "]".repeat(MAX_DEPTH + 1)
    );
    assert!(err(&brackets).contains("deeper than 32"));
    // A long flat chain is not nesting and stays within the byte bound.
    let chain = vec!["a pr"; 400].join(" and ");
    assert!(parse_filter(&chain).is_ok());
}
