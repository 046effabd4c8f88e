//! Parsing well-formed filters: operators, literals, precedence, value paths, URN paths.

use super::*;

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
