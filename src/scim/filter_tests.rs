//! Tests of `filter.rs`: parsing, printing, PATCH paths and in-memory matching.

use super::*;
use crate::scim::error::ScimType;
use serde_json::{json, Value};

fn p(s: &str) -> Filter {
    match parse_filter(s) {
        Ok(f) => f,
        Err(e) => panic!("{s:?} should parse: {}", e.detail),
    }
}

fn err(s: &str) -> String {
    match parse_filter(s) {
        Ok(f) => panic!("{s:?} should not parse, got {f:?}"),
        Err(e) => {
            assert_eq!(e.status, 400);
            assert_eq!(e.scim_type, Some(ScimType::InvalidFilter));
            e.detail
        }
    }
}

fn path(s: &str) -> AttrPath {
    split_attr_path(s).expect("valid path")
}

fn cmp(attr: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare {
        path: path(attr),
        op,
        value,
    }
}

fn s(v: &str) -> CompValue {
    CompValue::Str(v.to_string())
}

fn pr(attr: &str) -> Filter {
    Filter::Present(path(attr))
}

fn and(l: Filter, r: Filter) -> Filter {
    Filter::And(Box::new(l), Box::new(r))
}

fn or(l: Filter, r: Filter) -> Filter {
    Filter::Or(Box::new(l), Box::new(r))
}

fn not(x: Filter) -> Filter {
    Filter::Not(Box::new(x))
}

#[test]
fn every_operator_case_insensitive() {
    for (kw, op) in [
        ("eq", CompareOp::Eq),
        ("NE", CompareOp::Ne),
        ("Co", CompareOp::Co),
        ("sW", CompareOp::Sw),
        ("ew", CompareOp::Ew),
        ("GT", CompareOp::Gt),
        ("ge", CompareOp::Ge),
        ("lt", CompareOp::Lt),
        ("Le", CompareOp::Le),
    ] {
        assert_eq!(
            p(&format!("userName {kw} \"bjensen\"")),
            cmp("userName", op, s("bjensen"))
        );
    }
    assert_eq!(p("title pr"), pr("title"));
    assert_eq!(p("title PR"), pr("title"));
}

#[test]
fn literals() {
    let v = |lit: &str| match p(&format!("x eq {lit}")) {
        Filter::Compare { value, .. } => value,
        other => panic!("{other:?}"),
    };
    assert_eq!(v("true"), CompValue::Bool(true));
    assert_eq!(v("True"), CompValue::Bool(true));
    assert_eq!(v("FALSE"), CompValue::Bool(false));
    assert_eq!(v("NuLL"), CompValue::Null);
    assert_eq!(v("42"), CompValue::Num(42.into()));
    assert_eq!(v("-7"), CompValue::Num((-7).into()));
    assert_eq!(v("3.25").to_string(), "3.25");
    assert_eq!(v("1e3").to_string(), "1000.0");
    assert_eq!(v("2.5E-2").to_string(), "0.025");
    assert_eq!(v("0"), CompValue::Num(0.into()));
    assert_eq!(v("\"\""), s(""));
}

#[test]
fn string_escapes_and_unicode() {
    let v = |lit: &str| match p(&format!("displayName eq {lit}")) {
        Filter::Compare { value, .. } => value,
        other => panic!("{other:?}"),
    };
    assert_eq!(v(r#""a\"b""#), s("a\"b"));
    assert_eq!(v(r#""back\\slash""#), s("back\\slash"));
    assert_eq!(v(r#""\u00e9t\u00C9""#), s("étÉ"));
    assert_eq!(v(r#""\ud83d\ude00""#), s("😀"));
    assert_eq!(v(r#""tab\there\nline\/""#), s("tab\there\nline/"));
    assert_eq!(v("\"Zoë 😀 日本\""), s("Zoë 😀 日本"));
    // Injection-shaped text is just a string.
    assert_eq!(v(r#""x\" or 1=1 --""#), s("x\" or 1=1 --"));
    assert_eq!(v(r#""'; DROP TABLE a; --""#), s("'; DROP TABLE a; --"));
    assert!(
        err(r#"displayName eq "bad \x escape""#).contains("invalid string literal at position 16")
    );
    assert!(err(r#"displayName eq "\ud83d""#).contains("invalid string literal"));
    assert!(err("displayName eq \"raw\u{1}control\"").contains("invalid string literal"));
}

#[test]
fn whitespace_tolerant() {
    let expected = and(cmp("userName", CompareOp::Eq, s("a")), pr("title"));
    assert_eq!(p("  userName\teq   \"a\"\n and\r\n title  pr  "), expected);
    assert_eq!(p("(userName eq \"a\")and(title pr)"), expected);
    assert_eq!(p("not(title pr)"), not(pr("title")));
}

#[test]
fn precedence_and_associativity() {
    let (a, b, c) = (pr("a"), pr("b"), pr("c"));
    assert_eq!(
        p("a pr or b pr and c pr"),
        or(a.clone(), and(b.clone(), c.clone()))
    );
    assert_eq!(
        p("a pr and b pr or c pr"),
        or(and(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        p("(a pr or b pr) and c pr"),
        and(or(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        p("a pr and b pr and c pr"),
        and(and(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        p("a pr or b pr or c pr"),
        or(or(a.clone(), b.clone()), c.clone())
    );
    assert_eq!(
        p("a pr AND (b pr OR c pr)"),
        and(a.clone(), or(b.clone(), c.clone()))
    );
    assert_eq!(p("not (a pr) and b pr"), and(not(a.clone()), b.clone()));
    assert_eq!(p("NOT (a pr or b pr)"), not(or(a.clone(), b.clone())));
    assert_eq!(p("not (not (a pr))"), not(not(a.clone())));
    assert_eq!(p("((((a pr))))"), a);
}

#[test]
fn value_paths() {
    let inner = and(
        cmp("type", CompareOp::Eq, s("work")),
        cmp("primary", CompareOp::Eq, CompValue::Bool(true)),
    );
    let vp = Filter::ValuePath {
        attr: path("emails"),
        filter: Box::new(inner.clone()),
    };
    assert_eq!(p(r#"emails[type eq "work" and primary eq true]"#), vp);
    assert_eq!(
        p(r#"emails[ type eq "work" and primary eq true ] and title pr"#),
        and(vp.clone(), pr("title"))
    );
    assert_eq!(
        p(r#"title pr or emails[type eq "work" and primary eq true]"#),
        or(pr("title"), vp)
    );
    let nested = p(r#"emails[(type eq "work" or type eq "home") and not (value ew "@x.org")]"#);
    let Filter::ValuePath { filter, .. } = nested else {
        panic!()
    };
    assert!(
        matches!(*filter, Filter::And(ref l, ref r) if matches!(**l, Filter::Or(..)) && matches!(**r, Filter::Not(..)))
    );
    let detail = err(r#"emails[type eq "work"].value eq "x""#);
    assert!(detail.contains("only allowed in PATCH paths"), "{detail}");
    assert!(detail.contains("position 23"), "{detail}");
}

#[test]
fn attribute_paths_and_urns() {
    assert_eq!(
        path("name.givenName"),
        AttrPath {
            uri: None,
            attr: "name".into(),
            sub_attr: Some("givenName".into())
        }
    );
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert_eq!(
        path(&format!("{ent}:department")),
        AttrPath {
            uri: Some(ent.into()),
            attr: "department".into(),
            sub_attr: None
        }
    );
    assert_eq!(
        path(&format!("{ent}:manager.value")),
        AttrPath {
            uri: Some(ent.into()),
            attr: "manager".into(),
            sub_attr: Some("value".into())
        }
    );
    let core = "urn:ietf:params:scim:schemas:core:2.0:User";
    assert_eq!(
        path(&format!("{core}:name.givenName")),
        AttrPath {
            uri: Some(core.into()),
            attr: "name".into(),
            sub_attr: Some("givenName".into())
        }
    );
    assert_eq!(path("$ref").attr, "$ref");
    assert_eq!(path("x-custom_1").attr, "x-custom_1");
    assert!(err("a.b.c pr").contains("too many '.' levels"));
    assert!(err("urn:x: pr").contains("missing attribute name in 'urn:x:'"));
    assert!(err(":x pr").contains("unexpected character ':' at position 1"));
    assert!(err(".x pr").contains("missing attribute name"));
    assert!(err("a.-b pr").contains("invalid attribute name '-b'"));
    assert!(err("1abc pr")
        .contains("expected an attribute name, '(' or 'not' at position 1, found number 1"));
}

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

const ROUND_TRIP: &[&str] = &[
    r#"userName eq "bjensen""#,
    r#"name.familyName co "O'Malley""#,
    r#"userName sw "J""#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
    "title pr",
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
    r#"title pr and userType eq "Employee""#,
    r#"title pr or userType eq "Intern""#,
    r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
    r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
    r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
    r#"a eq 1 or b eq -2.5 and c eq 1e10"#,
    r#"a eq true and b eq false or c eq null"#,
    r#"a pr and (b pr and c pr)"#,
    r#"a pr or (b pr or c pr)"#,
    r#"(a pr or b pr) and (c pr or d pr)"#,
    r#"not (not (a pr)) and not (b pr or c pr)"#,
    r#"displayName eq "quote \" backslash \\ tab \t nl \n ctrl \u0001 unicode é😀""#,
    r#"displayName eq "x\" or 1=1 --""#,
    r#"emails[not (type eq "home") and (primary eq true or display pr)]"#,
];

#[test]
fn round_trips() {
    for text in ROUND_TRIP {
        let f = p(text);
        let printed = f.to_string();
        assert_eq!(p(&printed), f, "{text} printed as {printed}");
        // Printing is canonical: printing the reparse gives the same text.
        assert_eq!(p(&printed).to_string(), printed);
    }
}

#[test]
fn printing_is_canonical() {
    let show = |s: &str| p(s).to_string();
    assert_eq!(show("USERNAME  EQ \"a\""), "USERNAME eq \"a\"");
    assert_eq!(show("(a pr) AND ((b pr))"), "a pr and b pr");
    assert_eq!(show("a pr or b pr and c pr"), "a pr or b pr and c pr");
    assert_eq!(show("(a pr or b pr) and c pr"), "(a pr or b pr) and c pr");
    assert_eq!(show("a pr and (b pr and c pr)"), "a pr and (b pr and c pr)");
    assert_eq!(show("NOT(a pr)"), "not (a pr)");
    assert_eq!(show("x eq TRUE"), "x eq true");
    assert_eq!(show("x eq \"\\u00e9\\/\""), "x eq \"é/\"");
    assert_eq!(show("emails[ type eq \"w\" ]"), "emails[type eq \"w\"]");
    // Trees built by hand print with the parentheses their shape needs.
    let (a, b, c) = (pr("a"), pr("b"), pr("c"));
    for f in [
        and(a.clone(), or(b.clone(), c.clone())),
        or(a.clone(), or(b.clone(), c.clone())),
        and(or(a.clone(), b.clone()), and(b.clone(), c.clone())),
        not(and(a.clone(), not(or(b.clone(), c.clone())))),
        or(and(a.clone(), b.clone()), and(b.clone(), c.clone())),
    ] {
        assert_eq!(p(&f.to_string()), f, "{f}");
    }
    assert_eq!(CompareOp::Ge.as_str(), "ge");
}

#[test]
fn patch_paths() {
    let pp = |s: &str| parse_path(s).unwrap_or_else(|e| panic!("{s}: {}", e.detail));
    let simple = pp("name.givenName");
    assert_eq!(simple.attr, path("name.givenName"));
    assert_eq!(
        (simple.value_filter, simple.sub_attr_after_filter),
        (None, None)
    );
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert_eq!(
        pp(&format!("{ent}:manager")).attr,
        path(&format!("{ent}:manager"))
    );
    assert_eq!(
        pp(&format!("{ent}:manager.value")).attr.sub_attr.as_deref(),
        Some("value")
    );
    let vp = pp(r#"emails[type eq "work"].value"#);
    assert_eq!(vp.attr, path("emails"));
    assert_eq!(vp.value_filter, Some(cmp("type", CompareOp::Eq, s("work"))));
    assert_eq!(vp.sub_attr_after_filter.as_deref(), Some("value"));
    let members = pp(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#);
    assert_eq!(members.sub_attr_after_filter, None);
    let both = pp(r#"addresses[type eq "work" and primary eq true].streetAddress"#);
    assert!(matches!(both.value_filter, Some(Filter::And(..))));
    for text in [
        "name.givenName",
        r#"emails[type eq "work"].value"#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work" and not (primary eq false)].display"#,
    ] {
        assert_eq!(pp(&pp(text).to_string()), pp(text));
    }
}

#[test]
fn patch_path_errors_are_invalid_path() {
    let bad = |s: &str| {
        let e = parse_path(s).expect_err(s);
        assert_eq!(e.scim_type, Some(ScimType::InvalidPath), "{s}");
        e.detail
    };
    assert_eq!(bad(""), "path is empty");
    assert!(bad(&"a".repeat(5000)).contains("longer than 4096"));
    assert!(bad(r#"emails[type eq]"#).contains("expected a value"));
    assert!(bad(r#"emails[type eq "work""#).contains("expected ']'"));
    assert!(bad(r#"emails[type eq "work"]value"#)
        .contains("expected '.' and a sub-attribute after ']' at position 23"));
    assert!(bad(r#"emails[type eq "work"].value.x"#).contains("invalid attribute name 'value.x'"));
    assert!(bad(r#"name.givenName[x eq "y"]"#).contains("must follow a multi-valued attribute"));
    assert!(bad("userName eq \"x\"").contains("unexpected 'eq' at position 10"));
    assert!(bad("(userName)").contains("expected an attribute name at position 1, found '('"));
    assert!(bad("a.b.c").contains("too many"));
    assert!(bad(r#"emails[type eq "work"] and"#).contains("after ']' at position 24"));
}

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223",
        "userName": "BJensen@Example.com",
        "displayName": "Babs Jensen",
        "nickName": "",
        "title": null,
        "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home", "primary": "False"}
        ],
        "phoneNumbers": [],
        "x509Certificates": [{"value": "MIIDQzCC"}],
        "loginCount": 42,
        "score": 2.5,
        "meta": {"created": "2024-01-31T12:00:00Z", "lastModified": "2024-02-01T00:00:00.5+01:00"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "Tour Operations",
            "manager": {"value": "26118915", "displayName": "John Smith"}
        }
    })
}

fn m(f: &str) -> bool {
    matches(&p(f), &user())
}

#[test]
fn match_strings_case_insensitively() {
    assert!(m(r#"userName eq "bjensen@example.com""#));
    assert!(m(r#"USERNAME EQ "BJENSEN@EXAMPLE.COM""#));
    assert!(!m(r#"userName ne "bjensen@example.com""#));
    assert!(m(r#"displayName co "S JEN""#));
    assert!(m(r#"displayName sw "babs""#));
    assert!(m(r#"displayName ew "JENSEN""#));
    assert!(!m(r#"displayName sw "jensen""#));
    assert!(m(r#"name.familyName gt "A" and name.familyName lt "z""#));
    assert!(m(
        r#"name.givenName ge "barbara" and name.givenName le "BARBARA""#
    ));
    assert!(!m(r#"name.givenName gt "barbara""#));
    assert!(m(r#"displayName co """#));
    assert!(!m(r#"displayName eq "x\" or 1=1 --""#));
}

#[test]
fn match_numbers_booleans_and_null() {
    assert!(m("active eq true"));
    assert!(m("active eq TRUE"));
    assert!(!m("active eq false"));
    assert!(m("active ne false"));
    assert!(m(r#"active eq "true""#));
    assert!(!m("active gt false"));
    assert!(m(
        "loginCount eq 42 and loginCount gt 41.5 and loginCount le 42"
    ));
    assert!(!m("loginCount lt 42"));
    assert!(m("score gt 2 and score lt 3 and score eq 2.5"));
    assert!(!m(r#"loginCount eq "42""#));
    assert!(m("title eq null"));
    assert!(m("missing eq null"));
    assert!(!m("displayName eq null"));
    assert!(m("displayName ne null"));
    assert!(!m("title ne null"));
    assert!(!m("displayName gt null"));
}

#[test]
fn match_presence() {
    assert!(m("displayName pr"));
    assert!(!m("nickName pr"));
    assert!(!m("title pr"));
    assert!(!m("missing pr"));
    assert!(m("emails pr"));
    assert!(!m("phoneNumbers pr"));
    assert!(m("name pr"));
    assert!(m("name.givenName pr"));
    assert!(!m("name.middleName pr"));
    assert!(m("emails.type pr"));
}

#[test]
fn match_multi_valued_and_value_paths() {
    assert!(m(r#"emails eq "BABS@jensen.org""#));
    assert!(m(r#"emails.value ew "@example.com""#));
    assert!(m(r#"emails.type eq "home""#));
    assert!(!m(r#"emails.type eq "other""#));
    assert!(m(r#"emails.type ne "other""#));
    // `ne` negates `eq`: some element is "home", so "not home" is false.
    assert!(!m(r#"emails.type ne "home""#));
    assert!(m(r#"emails[type eq "work" and primary eq true]"#));
    // String booleans in the data compare with boolean literals.
    assert!(m(r#"emails[type eq "home" and primary eq false]"#));
    // Both conditions must hold on the SAME element.
    assert!(!m(r#"emails[type eq "home" and primary eq true]"#));
    assert!(m(r#"emails[type eq "home"] and emails[primary eq true]"#));
    assert!(m(r#"emails[not (type eq "work")]"#));
    assert!(!m(r#"phoneNumbers[type eq "work"]"#));
    assert!(m(r#"name[givenName sw "bar"]"#));
    assert!(m(r#"x509Certificates eq "miidqzcc""#));
}

#[test]
fn match_urns_dates_and_logic() {
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert!(m(&format!(r#"{ent}:department eq "tour operations""#)));
    assert!(m(&format!(r#"{ent}:manager.value eq "26118915""#)));
    assert!(m(&format!(r#"{ent}:manager eq "26118915""#)));
    assert!(m(&format!(r#"{ent}:manager[displayName co "smith"]"#)));
    assert!(!m(&format!(r#"{ent}:userName pr"#)));
    assert!(m(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Barbara""#
    ));
    assert!(!m(r#"urn:example:other:userName pr"#));
    assert!(m(r#"meta.created gt "2024-01-31T11:59:59Z""#));
    assert!(m(r#"meta.created eq "2024-01-31T13:00:00+01:00""#));
    assert!(m(r#"meta.lastModified lt "2024-01-31T23:00:01Z""#));
    assert!(!m(r#"meta.lastModified gt "2024-02-01T00:00:00Z""#));
    assert!(m(r#"not (title pr) and (displayName pr or x pr)"#));
    assert!(!m(r#"not (displayName pr or x pr)"#));
    assert!(m(r#"x pr or displayName pr and active eq true"#));
    assert!(!m(r#"(x pr or displayName pr) and active eq false"#));
    assert!(m(
        r#"schemas eq "urn:ietf:params:scim:schemas:core:2.0:User""#
    ));
    // Element-level matching as PATCH uses it.
    let element = json!({"value": "a@b.c", "Type": "WORK", "primary": true});
    assert!(matches(
        &p(r#"type eq "work" and primary eq true"#),
        &element
    ));
    assert!(!matches(&p(r#"type eq "work""#), &json!("not an object")));
}
