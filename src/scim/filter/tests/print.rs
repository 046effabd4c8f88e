//! Canonical printing: every filter round-trips through its printed form.

use super::*;

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
