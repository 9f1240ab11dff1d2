//! Users' watch lists. A list is started (with the default tickers) the first time its owner
//! uses it, so every account gets the defaults once, however it was created, and a list
//! emptied by its owner stays empty.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::schema::{watchlist_entries, watchlists};
use crate::db::{DbConn, DbError};
use crate::domain::Ticker;
use crate::with_conn;

/// What a new list starts with, as the old client's did.
pub const DEFAULT_TICKERS: [&str; 2] = ["VTI", "SPY"];

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("already on the watch list")]
    Duplicate,
    #[error("the watch list is full")]
    Full,
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<DieselError> for AddError {
    fn from(err: DieselError) -> Self {
        Self::Database(err.into())
    }
}

/// Starts `owner`'s list with the defaults unless it was started before.
pub fn ensure_started(conn: &mut DbConn, owner: i64, now: NaiveDateTime) -> QueryResult<()> {
    let started = with_conn!(conn, |c| diesel::insert_into(watchlists::table)
        .values((
            watchlists::user_id.eq(owner),
            watchlists::created_at.eq(now)
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    if started == 1 {
        for ticker in DEFAULT_TICKERS {
            with_conn!(conn, |c| diesel::insert_into(watchlist_entries::table)
                .values((
                    watchlist_entries::user_id.eq(owner),
                    watchlist_entries::ticker.eq(ticker),
                    watchlist_entries::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(c))?;
        }
    }
    Ok(())
}

/// The owner's tickers, in the order they were added.
pub fn tickers_of(conn: &mut DbConn, owner: i64) -> QueryResult<Vec<String>> {
    with_conn!(conn, |c| watchlist_entries::table
        .filter(watchlist_entries::user_id.eq(owner))
        .order(watchlist_entries::id)
        .select(watchlist_entries::ticker)
        .load(c))
}

/// Adds `ticker` to the owner's list of at most `max` entries. The count is read inside the
/// caller's write transaction and duplicates hit the unique key, so both hold under
/// concurrent requests.
pub fn add(
    conn: &mut DbConn,
    owner: i64,
    ticker: &Ticker,
    max: i64,
    now: NaiveDateTime,
) -> Result<(), AddError> {
    let count: i64 = with_conn!(conn, |c| watchlist_entries::table
        .filter(watchlist_entries::user_id.eq(owner))
        .count()
        .get_result(c))?;
    let already: i64 = with_conn!(conn, |c| watchlist_entries::table
        .filter(
            watchlist_entries::user_id
                .eq(owner)
                .and(watchlist_entries::ticker.eq(ticker.as_str()))
        )
        .count()
        .get_result(c))?;
    if already > 0 {
        return Err(AddError::Duplicate);
    }
    if count >= max {
        return Err(AddError::Full);
    }
    let inserted = with_conn!(conn, |c| diesel::insert_into(watchlist_entries::table)
        .values((
            watchlist_entries::user_id.eq(owner),
            watchlist_entries::ticker.eq(ticker.as_str()),
            watchlist_entries::created_at.eq(now),
        ))
        .execute(c));
    match inserted {
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(AddError::Duplicate)
        }
        Err(other) => Err(other.into()),
    }
}

/// Removes `ticker` from the owner's list; `false` when it was not on it.
pub fn remove(conn: &mut DbConn, owner: i64, ticker: &Ticker) -> QueryResult<bool> {
    let removed = with_conn!(conn, |c| diesel::delete(
        watchlist_entries::table.filter(
            watchlist_entries::user_id
                .eq(owner)
                .and(watchlist_entries::ticker.eq(ticker.as_str()))
        )
    )
    .execute(c))?;
    Ok(removed > 0)
}

/// Every ticker on anyone's list.
pub fn all_tickers(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    with_conn!(conn, |c| watchlist_entries::table
        .select(watchlist_entries::ticker)
        .distinct()
        .load(c))
}
