//! The generated SQL text and parameters, per dialect, and the filters that are rejected.

use super::*;
use crate::scim::error::ScimType;
use crate::scim::filter_attrs::ENTERPRISE_USER_URN;

#[test]
fn simple_columns() {
    let f = compile(r#"userName eq "BJensen""#, PG);
    assert_eq!(f.sql, "(a.user_name_norm = $1::text)");
    assert_eq!(f.params, vec![text("bjensen")]);
    let f = compile(r#"userName eq "BJensen""#, LITE);
    assert_eq!(f.sql, "(a.user_name_norm = ?1)");
    let f = compile(r#"userName sw "J%""#, PG);
    // A userName prefix is an index range: [prefix, prefix with its last character + 1).
    assert_eq!(
        f.sql,
        "(a.user_name_norm >= $1::text AND a.user_name_norm < $2::text)"
    );
    assert_eq!(f.params, vec![text("j%"), text("j&")]);
    let f = compile(r#"externalId eq "AbC""#, PG);
    assert_eq!(
        f.sql,
        "(a.external_id IS NOT NULL AND a.external_id = $1::text)"
    );
    assert_eq!(f.params, vec![text("AbC")]);
    let f = compile(r#"externalId sw "Ab""#, PG);
    assert_eq!(
        f.sql,
        "COALESCE(left(a.external_id, char_length($1::text)) = $2::text, FALSE)"
    );
    assert_eq!(f.params, vec![text("Ab"), text("Ab")]);
    let f = compile(r#"externalId ew "Ab""#, LITE);
    assert_eq!(
        f.sql,
        "COALESCE(substr(a.external_id, -length(?1)) = ?2, FALSE)"
    );
    assert_eq!(
        compile(r#"id co "Ab""#, LITE).sql,
        "COALESCE(instr(a.id, ?1) > 0, FALSE)"
    );
    assert_eq!(
        compile(r#"id co "Ab""#, PG).sql,
        "COALESCE(strpos(a.id, $1::text) > 0, FALSE)"
    );
    assert_eq!(compile(r#"id co """#, PG).sql, "(a.id IS NOT NULL)");
    let f = compile("active eq true", PG);
    assert_eq!(f.sql, "COALESCE(a.active = $1::boolean, FALSE)");
    assert_eq!(f.params, vec![SqlParam::Bool(true)]);
    assert_eq!(
        compile("active ne FALSE", LITE).sql,
        "(NOT COALESCE(a.active = ?1, FALSE))"
    );
    let f = compile(r#"meta.created gt "2024-01-01T01:00:00+01:00""#, PG);
    assert_eq!(f.sql, "(a.created_at > $1::bigint)");
    assert_eq!(f.params, vec![SqlParam::Int(1_704_067_200_000_000)]);
    let f = compile(
        r#"meta.lastModified le "2024-01-01T00:00:00.000123Z""#,
        LITE,
    );
    assert_eq!(f.sql, "(a.updated_at <= ?1)");
    assert_eq!(f.params, vec![SqlParam::Int(1_704_067_200_000_123)]);
    assert_eq!(
        compile("meta.created pr", LITE).sql,
        "(a.created_at IS NOT NULL)"
    );
    assert_eq!(
        compile("externalId pr", LITE).sql,
        "COALESCE(a.external_id <> '', FALSE)"
    );
}

#[test]
fn json_attributes() {
    let f = compile(r#"name.givenName eq "Ann""#, PG);
    assert_eq!(
        f.sql,
        "COALESCE(lower((a.attrs->'name'->>'givenName')) = lower($1::text), FALSE)"
    );
    assert_eq!(f.params, vec![text("Ann")]);
    let f = compile(r#"name.givenName eq "Ann""#, LITE);
    assert_eq!(
        f.sql,
        r#"COALESCE(lower(json_extract(a.attrs, '$."name"."givenName"')) = lower(?1), FALSE)"#
    );
    let f = compile(r#"displayName co "50%_\\""#, LITE);
    assert_eq!(
        f.sql,
        r#"COALESCE(lower(json_extract(a.attrs, '$."displayName"')) LIKE lower(?1) ESCAPE '\', FALSE)"#
    );
    assert_eq!(f.params, vec![text("%50\\%\\_\\\\%")]);
    let f = compile(r#"department gt "m""#, LITE);
    let path = format!(r#"'$."{ENTERPRISE_USER_URN}"."department"'"#);
    assert_eq!(
        f.sql,
        format!("COALESCE(lower(json_extract(a.attrs, {path})) > lower(?1), FALSE)")
    );
    let f = compile(&format!(r#"{ENTERPRISE_USER_URN}:manager lt "m""#), PG);
    let pg = format!("(a.attrs->'{ENTERPRISE_USER_URN}'->'manager'->>'value')");
    assert_eq!(
        f.sql,
        format!("COALESCE(lower({pg}) < lower($1::text), FALSE)")
    );
    assert_eq!(
        compile("title pr", PG).sql,
        "COALESCE((a.attrs->>'title') <> '', FALSE)"
    );
    assert_eq!(
        compile("name pr", PG).sql,
        "COALESCE(jsonb_typeof((a.attrs->'name')) = 'object' AND (a.attrs->'name') <> '{}'::jsonb, FALSE)"
    );
    assert_eq!(
        compile("title eq null", LITE).sql,
        r#"(NOT COALESCE(json_extract(a.attrs, '$."title"') <> '', FALSE))"#
    );
    assert_eq!(
        compile("title ne null", LITE).sql,
        r#"COALESCE(json_extract(a.attrs, '$."title"') <> '', FALSE)"#
    );
}

#[test]
fn multi_valued_and_value_paths() {
    let f = compile(r#"emails[type eq "work" and primary eq true]"#, PG);
    assert_eq!(
        f.sql,
        "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a.attrs->'emails') = 'array' \
         THEN a.attrs->'emails' ELSE '[]'::jsonb END) AS je(v) WHERE \
         (COALESCE(lower((je.v->>'type')) = lower($1::text), FALSE) AND \
         COALESCE((je.v->'primary') = to_jsonb($2::boolean), FALSE)))"
    );
    assert_eq!(f.params, vec![text("work"), SqlParam::Bool(true)]);
    let f = compile(r#"emails[type eq "work" and primary eq true]"#, LITE);
    assert_eq!(
        f.sql,
        r#"EXISTS (SELECT 1 FROM json_each(a.attrs, '$."emails"') AS je WHERE json_type(a.attrs, '$."emails"') = 'array' AND (COALESCE(lower(json_extract(a.attrs, je.fullkey || '."type"')) = lower(?1), FALSE) AND COALESCE(json_type(a.attrs, je.fullkey || '."primary"') IN ('true', 'false') AND json_extract(a.attrs, je.fullkey || '."primary"') = ?2, FALSE)))"#
    );
    // `emails` alone compares `emails.value`; `ne` is NOT EXISTS.
    assert_eq!(
        compile(r#"emails eq "a""#, LITE).sql,
        compile(r#"emails.value eq "a""#, LITE).sql
    );
    assert!(compile(r#"emails.type ne "a""#, PG)
        .sql
        .starts_with("(NOT EXISTS (SELECT 1 FROM jsonb_array_elements("));
    assert_eq!(
        compile("emails pr", LITE).sql,
        r#"EXISTS (SELECT 1 FROM json_each(a.attrs, '$."emails"') AS je WHERE json_type(a.attrs, '$."emails"') = 'array')"#
    );
    // A complex single-valued attribute's value path is its sub-attributes' conditions.
    assert_eq!(
        compile(r#"name[givenName eq "a" or familyName eq "b"]"#, LITE).sql,
        compile(r#"name.givenName eq "a" or name.familyName eq "b""#, LITE).sql
    );
}

#[test]
fn logic_and_placeholder_numbering() {
    let f = compile_filter(
        &parse_filter(r#"userName eq "a" or not (title co "b" and active eq true)"#)
            .expect("parses"),
        PG,
        5,
    )
    .expect("compiles");
    assert_eq!(
        f.sql,
        "((a.user_name_norm = $5::text) OR (NOT (COALESCE(lower((a.attrs->>'title')) \
         LIKE lower($6::text) ESCAPE E'\\\\', FALSE) AND COALESCE(a.active = $7::boolean, FALSE))))"
    );
    assert_eq!(f.params, vec![text("a"), text("%b%"), SqlParam::Bool(true)]);
    let f = compile_filter(
        &parse_filter(r#"title eq "a" and title eq "b""#).expect("parses"),
        LITE,
        3,
    )
    .expect("compiles");
    assert!(f.sql.contains("?3") && f.sql.contains("?4") && !f.sql.contains("?5"));
    assert_eq!(compile(r#"meta.resourceType eq "user""#, PG).sql, "TRUE");
    assert_eq!(compile(r#"meta.resourceType eq "Group""#, PG).sql, "FALSE");
    assert_eq!(
        compile(r#"meta.resourceType ne "User""#, PG).sql,
        "(NOT TRUE)"
    );
    assert_eq!(compile(r#"meta.resourceType sw "us""#, PG).sql, "TRUE");
    assert!(compile(r#"meta.resourceType eq "User""#, PG)
        .params
        .is_empty());
}

#[test]
fn user_values_never_reach_sql_text() {
    for evil in [
        r#"x\" or 1=1 --"#,
        "'; DROP TABLE accounts; --",
        "') OR ('1'='1",
        "$1",
        "?1",
        "\\u0000",
    ] {
        for op in ["eq", "co", "sw", "ew", "gt"] {
            for attr in [
                "userName",
                "externalId",
                "displayName",
                "emails",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            ] {
                for dialect in [PG, LITE] {
                    let f = compile(&format!(r#"{attr} {op} "{evil}""#), dialect);
                    assert!(
                        !f.sql.contains("DROP") && !f.sql.contains("1=1") && !f.sql.contains("'1'"),
                        "{}",
                        f.sql
                    );
                    assert!(!f.params.is_empty());
                }
            }
        }
    }
}

#[test]
fn rejections() {
    let d = compile_err(r#"foo eq "x""#);
    assert!(d.starts_with("unknown attribute 'foo' in filter; filterable attributes are id, userName, externalId, active, meta.{created,lastModified,resourceType}, displayName"), "{d}");
    assert!(
        d.contains("emails.{value,display,type,primary}")
            && d.contains("manager.{value,displayName}"),
        "{d}"
    );
    assert!(compile_err("meta.version pr").contains("unknown attribute 'meta.version'"));
    assert!(compile_err("meta pr").contains("unknown attribute 'meta'"));
    assert!(compile_err("name.nope pr").contains("unknown attribute 'name.nope'"));
    assert!(compile_err("userName.x pr").contains("unknown attribute"));
    assert!(
        compile_err(&format!("{ENTERPRISE_USER_URN}:userName pr")).contains("unknown attribute")
    );
    assert!(
        compile_err("urn:ietf:params:scim:schemas:core:2.0:User:department pr")
            .contains("unknown attribute")
    );
    assert!(compile_err("urn:example:custom:userName pr").contains("unknown attribute"));
    assert!(compile_err("active gt true")
        .contains("operator 'gt' is not supported on 'active'; use eq or ne"));
    assert!(compile_err(r#"active eq "yes""#)
        .contains("'active' is a boolean; compare it with true or false"));
    assert!(compile_err("emails.primary eq 1").contains("is a boolean"));
    assert!(compile_err("displayName eq 42").contains("'displayName' cannot be compared with 42"));
    assert!(compile_err("userName eq true").contains("double-quoted"));
    let d = compile_err(r#"meta.created gt "yesterday""#);
    assert!(
        d.contains("invalid date-time \"yesterday\" for 'meta.created'") && d.contains("RFC 3339"),
        "{d}"
    );
    assert!(compile_err(r#"meta.created co "2024-01-01T00:00:00Z""#)
        .contains("operator 'co' is not supported"));
    assert!(compile_err("meta.created gt 5").contains("RFC 3339"));
    assert!(compile_err(r#"name eq "x""#)
        .contains("'name' is a complex attribute; compare one of its sub-attributes"));
    assert!(compile_err(r#"addresses eq "x""#).contains("e.g. addresses.formatted"));
    assert!(compile_err(r#"emails[foo eq "x"]"#).contains("unknown attribute 'foo' inside 'emails[...]'; use one of its sub-attributes: value, display, type, primary"));
    assert!(compile_err(r#"emails[value.x eq "x"]"#).contains("inside 'emails[...]'"));
    assert!(compile_err(r#"emails[emails[type eq "x"]]"#).contains("cannot be nested"));
    assert!(compile_err(r#"userName[value eq "x"]"#).contains("not a complex attribute"));
    assert!(compile_err(r#"nope[value eq "x"]"#).contains("unknown attribute 'nope'"));
    assert!(compile_err("title gt null").contains("null can only be compared with eq or ne"));
    assert!(compile_err(r#"meta.resourceType eq 1"#).contains("cannot be compared"));
}

#[test]
fn sort_expressions() {
    let ok =
        |s: &str, d: Dialect| sort_expression(s, d).unwrap_or_else(|e| panic!("{s}: {}", e.detail));
    assert_eq!(ok("userName", PG), "a.user_name_norm");
    assert_eq!(ok("USERNAME", LITE), "a.user_name_norm");
    assert_eq!(ok("meta.lastModified", LITE), "a.updated_at");
    assert_eq!(
        ok(
            "urn:ietf:params:scim:schemas:core:2.0:User:meta.created",
            PG
        ),
        "a.created_at"
    );
    assert_eq!(ok("externalId", PG), "a.external_id");
    assert_eq!(
        ok("name.familyName", PG),
        "lower((a.attrs->'name'->>'familyName'))"
    );
    assert_eq!(
        ok("name.familyName", LITE),
        r#"lower(json_extract(a.attrs, '$."name"."familyName"'))"#
    );
    assert_eq!(
        ok("manager", PG),
        format!("lower((a.attrs->'{ENTERPRISE_USER_URN}'->'manager'->>'value'))")
    );
    assert_eq!(
        ok("emails", PG),
        "lower(COALESCE((SELECT (je.v->>'value') FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a.attrs->'emails') = 'array' \
         THEN a.attrs->'emails' ELSE '[]'::jsonb END) AS je(v) WHERE COALESCE((je.v->'primary') = to_jsonb(TRUE), FALSE) LIMIT 1), \
         (a.attrs->'emails'->0->>'value')))"
    );
    assert_eq!(
        ok("x509Certificates", LITE),
        r#"json_extract(a.attrs, '$."x509Certificates"[0]."value"')"#
    );
    for bad in [
        "nope",
        "name",
        "addresses",
        "meta",
        r#"emails[type eq "work"]"#,
        "",
        "a b",
        "emails[type eq",
    ] {
        let e = sort_expression(bad, LITE).expect_err(bad);
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue), "{bad}");
        assert_eq!(e.status, 400);
    }
    assert!(sort_expression("nope", PG)
        .expect_err("nope")
        .detail
        .starts_with("cannot sort by 'nope'; sortable attributes are id, userName"));
}
