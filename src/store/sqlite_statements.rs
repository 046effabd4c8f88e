//! SQLite's account and event write statements and their binders (see `sql::builders`): used by
//! the store (`sqlite`) and by its write batcher (`sqlite_batch`), which commits most of them.

use crate::scim::filter_sql::Dialect;

super::sql::statement_builders! {
    db = sqlx::Sqlite,
    dialect = Dialect::Sqlite,
    attrs_in = ("", ""),
}

#[cfg(test)]
mod tests {
    #[test]
    fn statements_use_positional_parameters() {
        assert_eq!(
            super::insert_events_sql(18, 2),
            "INSERT INTO activity (org_id, at, kind, actor, account_id, detail) VALUES \
             (?,?,?,?,?,?),(?,?,?,?,?,?)"
        );
        assert!(super::insert_accounts_sql(1, 1)
            .ends_with(" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        let update = super::update_account_sql(1);
        assert_eq!(update.matches('?').count(), super::UPDATE_PARAMS);
        assert!(update.ends_with("attrs = ? WHERE id = ? AND org_id = ? AND version = ?"));
    }
}
