//! Daily closing prices, the day ranges already asked of the history provider, and the
//! scheduler's per-day claim for recording closes.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::watchlist;
use crate::db::schema::{close_coverage, close_days, daily_closes};
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::domain::{Price, Ticker};
use crate::with_conn;

/// One day's close of one symbol.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = daily_closes)]
pub struct DailyClose {
    pub symbol: String,
    pub date: NaiveDate,
    pub close: DbDecimal,
}

/// A close about to be stored.
#[derive(Debug, Clone)]
pub struct NewClose {
    pub symbol: Ticker,
    pub date: NaiveDate,
    pub close: Price,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = daily_closes)]
struct NewCloseRow<'a> {
    symbol: &'a str,
    date: NaiveDate,
    close: DbDecimal,
}

impl NewClose {
    fn row(&self) -> NewCloseRow<'_> {
        NewCloseRow {
            symbol: self.symbol.as_str(),
            date: self.date,
            close: DbDecimal(self.close.value()),
        }
    }
}

/// Stores closes not stored yet; a stored close is kept (fetched data never overwrites).
pub fn insert_missing(conn: &mut DbConn, closes: &[NewClose]) -> QueryResult<usize> {
    let mut inserted = 0;
    for close in closes {
        inserted += with_conn!(conn, |c| diesel::insert_into(daily_closes::table)
            .values(close.row())
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(inserted)
}

/// Stores closes, replacing any stored for the same day (staff corrections from a file).
pub fn upsert(conn: &mut DbConn, closes: &[NewClose]) -> QueryResult<usize> {
    let mut written = 0;
    for close in closes {
        let row = close.row();
        written += with_conn!(conn, |c| diesel::insert_into(daily_closes::table)
            .values(&row)
            .on_conflict((daily_closes::symbol, daily_closes::date))
            .do_update()
            .set(daily_closes::close.eq(row.close))
            .execute(c))?;
    }
    Ok(written)
}

/// The stored closes of `symbols` from `first` to `last`, by symbol then date.
pub fn between(
    conn: &mut DbConn,
    symbols: &[String],
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<DailyClose>> {
    with_conn!(conn, |c| daily_closes::table
        .filter(
            daily_closes::symbol
                .eq_any(symbols)
                .and(daily_closes::date.between(first, last))
        )
        .order((daily_closes::symbol, daily_closes::date))
        .select(DailyClose::as_select())
        .load(c))
}

/// The days of `symbol` between `first` and `last` that have a stored close.
pub fn stored_days(
    conn: &mut DbConn,
    symbol: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<NaiveDate>> {
    with_conn!(conn, |c| daily_closes::table
        .filter(
            daily_closes::symbol
                .eq(symbol)
                .and(daily_closes::date.between(first, last))
        )
        .select(daily_closes::date)
        .load(c))
}

/// The day ranges of `symbol` already asked of the provider that overlap `first..=last`.
pub fn coverage(
    conn: &mut DbConn,
    symbol: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<(NaiveDate, NaiveDate)>> {
    with_conn!(conn, |c| close_coverage::table
        .filter(
            close_coverage::symbol.eq(symbol).and(
                close_coverage::first_day
                    .le(last)
                    .and(close_coverage::last_day.ge(first))
            )
        )
        .select((close_coverage::first_day, close_coverage::last_day))
        .load(c))
}

/// Records that the provider was asked for `symbol` from `first` to `last`.
pub fn add_coverage(
    conn: &mut DbConn,
    symbol: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(close_coverage::table)
        .values((
            close_coverage::symbol.eq(symbol),
            close_coverage::first_day.eq(first),
            close_coverage::last_day.eq(last),
        ))
        .execute(c))?;
    Ok(())
}

/// Claims recording `date`'s closes unless that is done or another instance claimed it after
/// `stale_before`; exactly one of several racing instances wins (see `week::claim`).
pub fn claim_day(
    conn: &mut DbConn,
    date: NaiveDate,
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<bool> {
    with_conn!(conn, |c| diesel::insert_into(close_days::table)
        .values(close_days::date.eq(date))
        .on_conflict_do_nothing()
        .execute(c))?;
    let updated = with_conn!(conn, |c| diesel::update(
        close_days::table.find(date).filter(
            close_days::done_at.is_null().and(
                close_days::claimed_at
                    .is_null()
                    .or(close_days::claimed_at.lt(stale_before))
            )
        )
    )
    .set(close_days::claimed_at.eq(Some(now)))
    .execute(c))?;
    Ok(updated == 1)
}

pub fn mark_day_done(conn: &mut DbConn, date: NaiveDate, at: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(close_days::table.find(date))
        .set(close_days::done_at.eq(Some(at)))
        .execute(c))?;
    Ok(())
}

/// The symbols with a stored close on `date`.
pub fn symbols_on(conn: &mut DbConn, date: NaiveDate) -> QueryResult<Vec<String>> {
    with_conn!(conn, |c| daily_closes::table
        .filter(daily_closes::date.eq(date))
        .select(daily_closes::symbol)
        .load(c))
}

/// Every symbol someone has a transaction in or watches, once each.
pub fn tracked_symbols(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let mut symbols: BTreeSet<String> =
        super::transaction::all_tickers(conn)?.into_iter().collect();
    symbols.extend(watchlist::all_tickers(conn)?);
    Ok(symbols.into_iter().collect())
}
