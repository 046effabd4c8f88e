//! PostgreSQL's account and event write statements and their binders (see `sql::builders`):
//! numbered `$N` parameters, and `attrs` cast to JSONB.

use crate::scim::filter_sql::Dialect;

super::sql::statement_builders! {
    db = sqlx::Postgres,
    dialect = Dialect::Postgres,
    attrs_in = ("CAST(", " AS JSONB)"),
}

#[cfg(test)]
mod tests {
    #[test]
    fn statements_number_their_parameters_from_first() {
        assert_eq!(
            super::insert_events_sql(18, 2),
            "INSERT INTO activity (org_id, at, kind, actor, account_id, detail) VALUES \
             ($18,$19,$20,$21,$22,$23),($24,$25,$26,$27,$28,$29)"
        );
        assert!(super::insert_accounts_sql(1, 1).ends_with(",$17,CAST($18 AS JSONB))"));
        assert!(super::update_account_sql(1).ends_with(
            "attrs = CAST($15 AS JSONB) WHERE id = $16 AND org_id = $17 AND version = $18"
        ));
    }
}
