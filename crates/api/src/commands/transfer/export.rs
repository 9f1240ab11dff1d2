//! Reading the document out of the database: every owned table in one read-only snapshot, so
//! the rows agree with each other while the api keeps serving (PostgreSQL: `REPEATABLE READ
//! READ ONLY`; SQLite: a deferred transaction, whose first read fixes what it sees in WAL
//! mode).

use std::collections::BTreeMap;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::document::{
    Account, CloseCoverage, CloseDay, DailyClose, FxCoverage, FxRate, Selection, Tables,
    Transaction, User, Watchlist, WatchlistEntry, Week, WeekOption, ID_TABLES,
};
use crate::db::schema::{
    accounts, close_coverage, close_days, daily_closes, fx_coverage, fx_rates, options, selections,
    transactions, users, watchlist_entries, watchlists, weeks,
};
use crate::db::DbConn;
use crate::with_conn;

/// The owned tables and the id counters, as of one moment.
pub fn read(conn: &mut DbConn) -> QueryResult<(Tables, BTreeMap<String, i64>)> {
    in_snapshot(conn, |conn| Ok((tables(conn)?, id_counters(conn)?)))
}

/// Runs `read` in a read-only transaction, which is rolled back: it wrote nothing.
fn in_snapshot<T>(
    conn: &mut DbConn,
    read: impl FnOnce(&mut DbConn) -> QueryResult<T>,
) -> QueryResult<T> {
    let begin = match conn {
        DbConn::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        DbConn::Sqlite(_) => "BEGIN DEFERRED",
    };
    with_conn!(conn, |c| AnsiTransactionManager::begin_transaction_sql(
        c, begin
    ))?;
    let outcome = read(conn);
    let ended = with_conn!(conn, |c| AnsiTransactionManager::rollback_transaction(c));
    let value = outcome?;
    ended?;
    Ok(value)
}

fn tables(conn: &mut DbConn) -> QueryResult<Tables> {
    Ok(Tables {
        users: with_conn!(conn, |c| users::table
            .select(User::as_select())
            .order(users::id)
            .load(c))?,
        accounts: with_conn!(conn, |c| accounts::table
            .select(Account::as_select())
            .order(accounts::id)
            .load(c))?,
        transactions: with_conn!(conn, |c| transactions::table
            .select(Transaction::as_select())
            .order(transactions::id)
            .load(c))?,
        watchlists: with_conn!(conn, |c| watchlists::table
            .select(Watchlist::as_select())
            .order(watchlists::user_id)
            .load(c))?,
        watchlist_entries: with_conn!(conn, |c| watchlist_entries::table
            .select(WatchlistEntry::as_select())
            .order(watchlist_entries::id)
            .load(c))?,
        weeks: with_conn!(conn, |c| weeks::table
            .select(Week::as_select())
            .order(weeks::sunday)
            .load(c))?,
        options: with_conn!(conn, |c| options::table
            .select(WeekOption::as_select())
            .order(options::id)
            .load(c))?,
        selections: with_conn!(conn, |c| selections::table
            .select(Selection::as_select())
            .order(selections::id)
            .load(c))?,
        daily_closes: with_conn!(conn, |c| daily_closes::table
            .select(DailyClose::as_select())
            .order((daily_closes::symbol, daily_closes::date))
            .load(c))?,
        close_coverage: with_conn!(conn, |c| close_coverage::table
            .select(CloseCoverage::as_select())
            .order(close_coverage::id)
            .load(c))?,
        close_days: with_conn!(conn, |c| close_days::table
            .select(CloseDay::as_select())
            .order(close_days::date)
            .load(c))?,
        fx_rates: with_conn!(conn, |c| fx_rates::table
            .select(FxRate::as_select())
            .order((fx_rates::base, fx_rates::quote, fx_rates::date))
            .load(c))?,
        fx_coverage: with_conn!(conn, |c| fx_coverage::table
            .select(FxCoverage::as_select())
            .order(fx_coverage::id)
            .load(c))?,
    })
}

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    seq: Option<i64>,
}

/// The highest id each of [`ID_TABLES`] handed out, for those that handed one out: SQLite
/// keeps it in `sqlite_sequence`, PostgreSQL as its sequence's last value.
fn id_counters(conn: &mut DbConn) -> QueryResult<BTreeMap<String, i64>> {
    let counters: Vec<Counter> = match conn {
        DbConn::Postgres(pooled) => {
            let c: &mut PgConnection = pooled;
            let mut counters = Vec::new();
            for table in ID_TABLES {
                counters.push(
                    diesel::sql_query(format!(
                        "SELECT '{table}' AS name, pg_sequence_last_value(\
                         pg_get_serial_sequence('{table}', 'id')::regclass) AS seq"
                    ))
                    .get_result(c)?,
                );
            }
            counters
        }
        DbConn::Sqlite(pooled) => {
            let c: &mut SqliteConnection = pooled;
            diesel::sql_query("SELECT name, seq FROM sqlite_sequence").load(c)?
        }
    };
    Ok(counters
        .into_iter()
        .filter(|counter| ID_TABLES.contains(&counter.name.as_str()))
        .filter_map(|counter| Some((counter.name, counter.seq?)))
        .filter(|(_, seq)| *seq > 0)
        .collect())
}
