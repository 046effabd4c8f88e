//! Execution against an in-memory SQLite database: compiled filters select the right rows, sort
//! expressions order them, and every allowed attribute compiles, runs and is two-valued.

use super::*;
use crate::scim::filter_attrs::{all_paths, ENTERPRISE_USER_URN};
use rusqlite::types::Value as Sql;
use rusqlite::{params_from_iter, Connection};
use serde_json::json;

fn micros(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("test date")
        .timestamp_micros()
}

fn db() -> Connection {
    let conn = Connection::open_in_memory().expect("sqlite");
    conn.execute_batch(
        "CREATE TABLE accounts (id TEXT PRIMARY KEY, user_name TEXT NOT NULL, user_name_norm TEXT NOT NULL, \
         external_id TEXT, active BOOLEAN NOT NULL, version BIGINT NOT NULL, created_at BIGINT NOT NULL, \
         updated_at BIGINT NOT NULL, attrs TEXT NOT NULL)",
    )
    .expect("create");
    let ent = ENTERPRISE_USER_URN;
    #[rustfmt::skip]
    let rows = [
        ("u01", "Alice@Example.com", Some("ext-1"), true, "2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", json!({
            "displayName": "Alice Anderson", "title": "Engineer", "userType": "Employee",
            "name": {"givenName": "Alice", "familyName": "Anderson"},
            "emails": [{"value": "alice@example.com", "type": "work", "primary": true},
                       {"value": "alice@home.org", "type": "home", "primary": false}],
            ent: {"department": "Engineering", "employeeNumber": "1001", "manager": {"value": "u02", "displayName": "Bob Brown"}}})),
        ("u02", "bob@example.com", Some("EXT-2"), true, "2023-05-01T00:00:00Z", "2024-02-01T00:00:00Z", json!({
            "displayName": "Bob Brown", "title": "Manager", "name": {"givenName": "Bob", "familyName": "Brown"},
            "emails": [{"value": "bob@example.com", "type": "work", "primary": false}],
            "phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}],
            ent: {"department": "Sales", "costCenter": "CC-7"}})),
        ("u03", "carol", None, false, "2024-03-15T12:30:00Z", "2024-03-15T12:30:00Z", json!({
            "displayName": "Carol", "locale": "de-CH",
            "addresses": [{"locality": "Zürich", "country": "CH", "type": "work", "primary": true}]})),
        ("u04", "José.Müller@example.com", Some("ext-4"), true, "2024-04-01T00:00:00Z", "2024-04-01T00:00:00Z", json!({
            "displayName": "José Müller", "nickName": "Zé", "preferredLanguage": "pt-BR",
            "name": {"givenName": "JOSÉ", "familyName": "Müller"},
            "emails": [{"value": "JOSE@EXAMPLE.COM", "type": "Work", "primary": true}]})),
        ("u05", "dave", Some(""), true, "2024-05-05T00:00:00Z", "2024-05-05T00:00:00Z", json!({
            "displayName": "", "title": null, "emails": [], "name": {}})),
        ("u06", "under_score%", Some("ext_6"), true, "2024-05-06T00:00:00Z", "2024-05-06T00:00:00Z", json!({
            "displayName": "50% off_sale\\now", "title": "Intern",
            "emails": [{"value": "eve@example.org", "type": "other"}]})),
        ("u07", "'; DROP TABLE accounts; --", Some("x\" or 1=1 --"), false, "2024-05-07T00:00:00Z", "2024-05-07T00:00:00Z", json!({
            "displayName": "x\" or 1=1 --", "title": "' OR '1'='1"})),
        ("u08", "frank@example.com", Some("ext-8"), true, "2024-05-08T00:00:00Z", "2024-05-08T00:00:00Z", json!({
            "emails": [{"value": "frank@work.com", "type": "work", "primary": false},
                       {"value": "aaa-frank@home.com", "type": "home", "primary": true}],
            ent: {"manager": {"displayName": "Alice Anderson"}, "division": "R&D", "organization": "Acme"}})),
        ("u09", "grace", Some("ABC"), true, "2024-05-09T00:00:00Z", "2024-05-09T00:00:00Z", json!({
            "x509Certificates": [{"value": "MIIBcert"}], "ims": [{"value": "grace_im", "type": "xmpp"}],
            "photos": [{"value": "https://photos.example.com/g.jpg", "type": "photo"}],
            "profileUrl": "https://example.com/grace", "timezone": "Europe/Paris",
            // Malformed: an object where an array belongs. Must simply not match.
            "emails": {"value": "not-an-array@example.com"}})),
        ("u10", "heidi", None, true, "2024-05-10T00:00:00Z", "2024-05-10T00:00:00Z", json!({})),
    ];
    for (id, user_name, ext, active, created, updated, attrs) in rows {
        conn.execute(
            "INSERT INTO accounts VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8)",
            rusqlite::params![
                id,
                user_name,
                user_name_norm(user_name),
                ext,
                active,
                micros(created),
                micros(updated),
                attrs.to_string()
            ],
        )
        .expect("insert");
    }
    conn
}

fn to_sql(p: &SqlParam) -> Sql {
    match p {
        SqlParam::Text(s) => Sql::Text(s.clone()),
        SqlParam::Int(i) => Sql::Integer(*i),
        SqlParam::Float(f) => Sql::Real(*f),
        SqlParam::Bool(b) => Sql::Integer(i64::from(*b)),
    }
}

fn run(conn: &Connection, sql: &str, params: &[SqlParam]) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let rows = stmt
        .query_map(params_from_iter(params.iter().map(to_sql)), |r| {
            r.get::<_, String>(0)
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.map(|r| r.expect("row")).collect()
}

fn select(conn: &Connection, filter: &str) -> Vec<String> {
    let f = compile(filter, LITE);
    run(
        conn,
        &format!(
            "SELECT a.id FROM accounts AS a WHERE {} ORDER BY a.id",
            f.sql
        ),
        &f.params,
    )
}

const ALL: &str = "u01 u02 u03 u04 u05 u06 u07 u08 u09 u10";

#[rustfmt::skip]
const CASES: &[(&str, &str)] = &[
    (r#"userName eq "alice@example.com""#, "u01"),
    (r#"USERNAME EQ "ALICE@EXAMPLE.COM""#, "u01"),
    (r#"userName sw "A""#, "u01"),
    (r#"userName co "@example.com""#, "u01 u02 u04 u08"),
    (r#"userName ew "%""#, "u06"),
    (r#"userName co "_""#, "u06"),
    (r#"userName eq "JOSÉ.MÜLLER@EXAMPLE.COM""#, "u04"),
    (r#"userName gt "g""#, "u04 u06 u09 u10"),
    (r#"externalId eq "ext-1""#, "u01"),
    (r#"externalId eq "EXT-1""#, ""),
    (r#"externalId eq "abc""#, ""),
    (r#"externalId eq "ABC""#, "u09"),
    (r#"externalId sw "ext""#, "u01 u04 u06 u08"),
    (r#"externalId ew "-2""#, "u02"),
    (r#"externalId co "_""#, "u06"),
    ("externalId pr", "u01 u02 u04 u06 u07 u08 u09"),
    ("not (externalId pr)", "u03 u05 u10"),
    (r#"externalId ne "ext-1""#, "u02 u03 u04 u05 u06 u07 u08 u09 u10"),
    (r#"id eq "u03""#, "u03"),
    (r#"id eq "U03""#, ""),
    ("active eq false", "u03 u07"),
    ("active ne true", "u03 u07"),
    ("active eq true and not (emails pr)", "u05 u09 u10"),
    (r#"displayName co "anderson""#, "u01"),
    (r#"displayName sw "JOS""#, "u04"),
    (r#"displayName eq "josé müller""#, "u04"),
    (r#"name.givenName eq "alice""#, "u01"),
    (r#"name.givenName eq "JOSÉ""#, "u04"),
    (r#"nickName eq "zé""#, "u04"),
    (r#"displayName co "%""#, "u06"),
    (r#"displayName co "_""#, "u06"),
    (r#"displayName co "\\""#, "u06"),
    (r#"displayName ew "\\NOW""#, "u06"),
    // Injection-shaped values are only data.
    (r#"displayName eq "x\" or 1=1 --""#, "u07"),
    (r#"userName eq "'; DROP TABLE accounts; --""#, "u07"),
    (r#"title eq "' OR '1'='1""#, "u07"),
    (r#"displayName co "' or '1'='1""#, ""),
    (r#"userName eq "x\" or 1=1 --""#, ""),
    (r#"externalId eq "x\" or 1=1 --""#, "u07"),
    (r#"userName eq "' OR 1=1; DROP TABLE accounts; --""#, ""),
    ("displayName pr", "u01 u02 u03 u04 u06 u07"),
    ("title pr", "u01 u02 u06 u07"),
    ("title eq null", "u03 u04 u05 u08 u09 u10"),
    ("title ne null", "u01 u02 u06 u07"),
    (r#"title ne "Engineer""#, "u02 u03 u04 u05 u06 u07 u08 u09 u10"),
    (r#"title gt "J" and title lt "N""#, "u02"),
    ("emails pr", "u01 u02 u04 u06 u08"),
    (r#"emails co "example.com""#, "u01 u02 u04"),
    (r#"emails.value co "@""#, "u01 u02 u04 u06 u08"),
    (r#"emails.value ew ".org""#, "u01 u06"),
    (r#"emails.type eq "work""#, "u01 u02 u04 u08"),
    (r#"emails.type ne "work""#, "u03 u05 u06 u07 u09 u10"),
    ("emails.primary eq true", "u01 u04 u08"),
    (r#"emails[type eq "work" and primary eq true]"#, "u01 u04"),
    (r#"emails[type eq "home" and primary eq true]"#, "u08"),
    (r#"emails[type eq "work"] and emails[primary eq true]"#, "u01 u04 u08"),
    (r#"emails[not (type eq "work")]"#, "u01 u06 u08"),
    (r#"emails[type eq "work" and (value ew "example.com" or primary eq true)] and not (active eq false)"#, "u01 u02 u04"),
    (r#"phoneNumbers.value sw "+1""#, "u02"),
    (r#"phoneNumbers[type eq "mobile"]"#, "u02"),
    (r#"addresses[locality eq "zürich" and country eq "ch"]"#, "u03"),
    ("addresses.primary eq true", "u03"),
    (r#"x509Certificates eq "MIIBcert""#, "u09"),
    (r#"x509Certificates eq "miibcert""#, ""),
    (r#"ims[type eq "xmpp"] and photos.value co "PHOTOS.example.com""#, "u09"),
    (r#"profileUrl sw "https://" and timezone eq "europe/paris""#, "u09"),
    (r#"locale eq "DE-ch" or preferredLanguage eq "pt-br""#, "u03 u04"),
    (r#"userType eq "employee""#, "u01"),
    ("name pr", "u01 u02 u04"),
    ("name.familyName pr", "u01 u02 u04"),
    (r#"name[givenName eq "bob" or familyName eq "anderson"]"#, "u01 u02"),
    (r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "bob""#, "u02"),
    (r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "engineering""#, "u01"),
    (r#"department eq "SALES""#, "u02"),
    (r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "u02""#, "u01"),
    (r#"manager eq "U02""#, "u01"),
    ("manager pr", "u01"),
    (r#"manager.displayName co "anderson""#, "u08"),
    (r#"manager[displayName co "anderson"]"#, "u08"),
    (r#"costCenter pr or division eq "r&d""#, "u02 u08"),
    (r#"employeeNumber eq "1001" or organization eq "ACME""#, "u01 u08"),
    (r#"meta.created gt "2024-01-01T00:00:00Z""#, "u03 u04 u05 u06 u07 u08 u09 u10"),
    (r#"meta.created ge "2024-01-01T00:00:00Z""#, "u01 u03 u04 u05 u06 u07 u08 u09 u10"),
    (r#"meta.created lt "2024-01-01T01:00:00+01:00""#, "u02"),
    (r#"meta.created eq "2024-03-15T13:30:00+01:00""#, "u03"),
    (r#"meta.lastModified ge "2024-06-01T00:00:00Z""#, "u01"),
    (r#"meta.resourceType eq "User""#, ALL),
    (r#"meta.resourceType eq "Group""#, ""),
    (r#"not (meta.resourceType eq "user")"#, ""),
    // Precedence: `and` binds tighter than `or`.
    (r#"userName eq "carol" or userName eq "dave" and active eq false"#, "u03"),
    (r#"(userName eq "carol" or userName eq "dave") and active eq true"#, "u05"),
    (r#"not (userName eq "carol" or userName eq "dave")"#, "u01 u02 u04 u06 u07 u08 u09 u10"),
    ("not (not (title pr))", "u01 u02 u06 u07"),
];

#[test]
fn sqlite_filters_select_the_right_rows() {
    let conn = db();
    let mut failures = Vec::new();
    for (filter, expected) in CASES {
        let got = select(&conn, filter).join(" ");
        if got != *expected {
            failures.push(format!(
                "{filter}\n  expected [{expected}]\n  got      [{got}]"
            ));
        }
        // Two-valued logic: a filter and its negation partition the table.
        let negated = select(&conn, &format!("not ({filter})"));
        assert_eq!(
            negated.len() + got.split_whitespace().count(),
            10,
            "{filter}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let count: i64 = conn
        .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
        .expect("count");
    assert_eq!(count, 10, "the table survived the injection-shaped filters");
}

#[test]
fn sqlite_caller_placeholders_come_first() {
    let conn = db();
    let f = compile_filter(
        &parse_filter(r#"emails[type eq "work"] or title eq "intern""#).expect("parses"),
        LITE,
        3,
    )
    .expect("compiles");
    let sql = format!(
        "SELECT a.id FROM accounts AS a WHERE a.active = ?1 AND a.id <> ?2 AND {} ORDER BY a.id",
        f.sql
    );
    let mut params = vec![SqlParam::Bool(true), text("u02")];
    params.extend(f.params);
    assert_eq!(run(&conn, &sql, &params), ["u01", "u04", "u06", "u08"]);
}

#[test]
fn sqlite_sorting() {
    let conn = db();
    let order = |filter: &str, sort_by: &str, dir: &str| {
        let f = compile(filter, LITE);
        let expr = sort_expression(sort_by, LITE).expect("sortable");
        run(
            &conn,
            &format!(
                "SELECT a.id FROM accounts AS a WHERE {} ORDER BY {expr} {dir}, a.id",
                f.sql
            ),
            &f.params,
        )
    };
    assert_eq!(
        order("name.familyName pr", "name.familyName", "ASC"),
        ["u01", "u02", "u04"]
    );
    assert_eq!(
        order("name.familyName pr", "name.familyName", "DESC"),
        ["u04", "u02", "u01"]
    );
    // The primary email sorts (u08's is "aaa-frank@..."), else the first one.
    assert_eq!(
        order("emails pr", "emails", "ASC"),
        ["u08", "u01", "u02", "u06", "u04"]
    );
    assert_eq!(
        order("emails pr", "emails.type", "ASC"),
        ["u08", "u06", "u01", "u02", "u04"]
    );
    assert_eq!(
        order(
            r#"userName sw "a" or userName sw "b" or userName sw "c""#,
            "userName",
            "DESC"
        ),
        ["u03", "u02", "u01"]
    );
    assert_eq!(
        order("meta.created pr", "meta.created", "ASC")[..2],
        ["u02", "u01"]
    );
    assert_eq!(
        order(
            "department pr",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "ASC"
        ),
        ["u01", "u02"]
    );
    assert_eq!(
        order("active eq false", "meta.resourceType", "ASC"),
        ["u03", "u07"]
    );
}

/// Every attribute on the allow-list, with every operator and literal type that compiles, runs
/// on SQLite, never yields NULL, and is the exact complement of its negation.
#[test]
fn every_allowed_attribute_compiles_and_runs() {
    let conn = db();
    let literals = [
        r#""x""#,
        r#""e""#,
        "true",
        r#""2024-04-01T00:00:00Z""#,
        "null",
    ];
    let mut compiled = 0;
    let mut check = |filter: String| {
        let Ok(parsed) = parse_filter(&filter) else {
            panic!("{filter}")
        };
        let Ok(f) = compile_filter(&parsed, LITE, 1) else {
            let e = compile_filter(&parsed, PG, 1).expect_err("both dialects agree");
            assert_eq!(e.scim_type, Some(ScimType::InvalidFilter));
            return;
        };
        compiled += 1;
        let nulls = run(
            &conn,
            &format!("SELECT a.id FROM accounts AS a WHERE ({}) IS NULL", f.sql),
            &f.params,
        );
        assert!(nulls.is_empty(), "{filter} is NULL for {nulls:?}");
        let yes = run(
            &conn,
            &format!("SELECT a.id FROM accounts AS a WHERE {}", f.sql),
            &f.params,
        );
        let no = run(
            &conn,
            &format!("SELECT a.id FROM accounts AS a WHERE NOT {}", f.sql),
            &f.params,
        );
        assert_eq!(yes.len() + no.len(), 10, "{filter}");
        // The Postgres text has the same placeholders, typed, and no SQLite syntax.
        let pg = compile_filter(&parsed, PG, 1).expect("compiles for Postgres too");
        assert_eq!(pg.params, f.params, "{filter}");
        assert!(
            !pg.sql.contains('?') && !pg.sql.contains("json_extract"),
            "{}",
            pg.sql
        );
        for n in 1..=pg.params.len() {
            assert!(pg.sql.contains(&format!("${n}::")), "{}", pg.sql);
        }
        assert_eq!(
            pg.sql.matches('(').count(),
            pg.sql.matches(')').count(),
            "{}",
            pg.sql
        );
    };
    for path in all_paths() {
        check(format!("{path} pr"));
        for op in ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] {
            for lit in literals {
                check(format!("{path} {op} {lit}"));
            }
        }
        if path.sub_attr.is_none() {
            check(format!(
                "{path}[value pr or type eq \"work\" or primary eq true]"
            ));
            check(format!("{ENTERPRISE_USER_URN}:{path} pr"));
            check(format!(
                "urn:ietf:params:scim:schemas:core:2.0:User:{path} pr"
            ));
        }
    }
    assert!(compiled > 400, "only {compiled} compiled");
}
