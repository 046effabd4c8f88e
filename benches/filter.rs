//! Criterion micro-benchmarks: SCIM filter parsing and compilation to SQL (both dialects).
//! Run: `cargo bench --bench filter` (HTML report in target/criterion/).

use std::hint::black_box;

use abm_scim::scim::filter::parse_filter;
use abm_scim::scim::filter_sql::{compile_filter, Dialect};
use criterion::{criterion_group, criterion_main, Criterion};

/// Filters as identity providers send them, from the most common (Entra's and Okta's
/// `userName eq`) to a compound one with a value path.
const FILTERS: [(&str, &str); 4] = [
    (
        "user_name_eq",
        r#"userName eq "grace.hopper.4242@example.com""#,
    ),
    ("external_id_eq", r#"externalId eq "ext-1-4242""#),
    (
        "sw_and_active",
        r#"userName sw "grace." and active eq true"#,
    ),
    (
        "compound_value_path",
        r#"emails[type eq "work" and value co "@example.com"] or (name.familyName sw "Ho" and not (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales")) or meta.lastModified gt "2026-01-01T00:00:00Z""#,
    ),
];

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("filter_parse");
    for (name, text) in FILTERS {
        group.bench_function(name, |b| {
            b.iter(|| parse_filter(black_box(text)).expect("valid filter"))
        });
    }
    group.finish();
}

fn bench_compile(c: &mut Criterion) {
    for (dialect, label) in [(Dialect::Sqlite, "sqlite"), (Dialect::Postgres, "postgres")] {
        let mut group = c.benchmark_group(format!("filter_compile_{label}"));
        for (name, text) in FILTERS {
            let filter = parse_filter(text).expect("valid filter");
            group.bench_function(name, |b| {
                b.iter(|| compile_filter(black_box(&filter), dialect, 2).expect("compiles"))
            });
        }
        group.finish();
        // What a list request pays: parse and compile together.
        let mut group = c.benchmark_group(format!("filter_parse_compile_{label}"));
        for (name, text) in FILTERS {
            group.bench_function(name, |b| {
                b.iter(|| {
                    let filter = parse_filter(black_box(text)).expect("valid filter");
                    compile_filter(&filter, dialect, 2).expect("compiles")
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_parse, bench_compile);
criterion_main!(benches);
