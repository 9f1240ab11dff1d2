//! Writing a document into an empty database: one transaction that first checks that the
//! owned tables are empty, then inserts every row under its own id, parents first, then moves
//! the id counters past what the source handed out.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::document::{Tables, ID_TABLES};
use super::TransferError;
use crate::db::schema::{
    accounts, close_coverage, close_days, daily_closes, fx_coverage, fx_rates, options, selections,
    transactions, users, watchlist_entries, watchlists, weeks,
};
use crate::db::DbConn;
use crate::with_conn;

/// Rows per INSERT: the widest row (a transaction) has 14 columns, and 500 of them stay under
/// both backends' limits on bound parameters (SQLite 32766, PostgreSQL 65535).
const BATCH_ROWS: usize = 500;

/// Inserts `tables` and moves the counters, or nothing at all.
pub fn write(
    conn: &mut DbConn,
    tables: &Tables,
    id_counters: &BTreeMap<String, i64>,
) -> Result<(), TransferError> {
    conn.write_transaction(|conn| {
        refuse_unless_empty(conn)?;
        insert(conn, tables)?;
        move_id_counters(conn, id_counters)?;
        Ok(())
    })
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Checked inside the import's transaction, so nothing can be added between the check and the
/// rows. The tables left out of a document (sessions, login counters, quota) do not count.
fn refuse_unless_empty(conn: &mut DbConn) -> Result<(), TransferError> {
    let mut taken = Vec::new();
    for table in Tables::NAMES {
        let sql = format!("SELECT COUNT(*) AS total FROM {table}");
        let count: Count = with_conn!(conn, |c| diesel::sql_query(&sql).get_result(c))?;
        if count.total > 0 {
            taken.push(format!("{table} {}", count.total));
        }
    }
    if taken.is_empty() {
        Ok(())
    } else {
        Err(TransferError::NotEmpty(taken.join(", ")))
    }
}

/// Inserts `$rows` into `$table` a batch at a time (each compiled once per backend, as
/// `with_conn!` does: diesel's insert bounds do not fit one generic function).
macro_rules! insert_rows {
    ($conn:expr, $table:path, $rows:expr) => {
        for batch in $rows.chunks(BATCH_ROWS) {
            with_conn!($conn, |c| diesel::insert_into($table)
                .values(batch)
                .execute(c))?;
        }
    };
}

fn insert(conn: &mut DbConn, tables: &Tables) -> QueryResult<()> {
    insert_rows!(conn, users::table, tables.users);
    // Every new user gets a `Main` account from a trigger (`users_open_main`, on both
    // backends). The database had no accounts before this transaction, so every account in it
    // now is one of those; the document's own accounts, the `Main` ones included, replace them.
    with_conn!(conn, |c| diesel::delete(accounts::table).execute(c))?;
    insert_rows!(conn, accounts::table, tables.accounts);
    insert_rows!(conn, transactions::table, tables.transactions);
    insert_rows!(conn, watchlists::table, tables.watchlists);
    insert_rows!(conn, watchlist_entries::table, tables.watchlist_entries);
    insert_rows!(conn, weeks::table, tables.weeks);
    insert_rows!(conn, options::table, tables.options);
    insert_rows!(conn, selections::table, tables.selections);
    insert_rows!(conn, daily_closes::table, tables.daily_closes);
    insert_rows!(conn, close_coverage::table, tables.close_coverage);
    insert_rows!(conn, close_days::table, tables.close_days);
    insert_rows!(conn, fx_rates::table, tables.fx_rates);
    insert_rows!(conn, fx_coverage::table, tables.fx_coverage);
    Ok(())
}

/// Moves each id counter to the highest of: the highest id now stored, the source's counter,
/// and the counter's own value, never back. PostgreSQL's sequences do not see rows inserted
/// with their ids; SQLite's `sqlite_sequence` follows the stored ids by itself but not the
/// source's deleted ones.
fn move_id_counters(conn: &mut DbConn, counters: &BTreeMap<String, i64>) -> QueryResult<()> {
    for table in ID_TABLES {
        let counter = counters.get(table).copied().unwrap_or(0);
        match conn {
            DbConn::Postgres(pooled) => {
                let c: &mut PgConnection = pooled;
                diesel::sql_query(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), high) FROM \
                     (SELECT GREATEST(MAX(id), $1, pg_sequence_last_value(\
                     pg_get_serial_sequence('{table}', 'id')::regclass)) AS high FROM {table}) \
                     AS mark WHERE high > 0"
                ))
                .bind::<BigInt, _>(counter)
                .execute(c)?;
            }
            DbConn::Sqlite(pooled) => {
                let c: &mut SqliteConnection = pooled;
                diesel::sql_query("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?")
                    .bind::<BigInt, _>(counter)
                    .bind::<Text, _>(table)
                    .execute(c)?;
                diesel::sql_query(
                    "INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE ? > 0 \
                     AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
                )
                .bind::<Text, _>(table)
                .bind::<BigInt, _>(counter)
                .bind::<BigInt, _>(counter)
                .bind::<Text, _>(table)
                .execute(c)?;
            }
        }
    }
    Ok(())
}
