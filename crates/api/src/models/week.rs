//! Weeks, their options, and the scheduler's per-job claims.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{options, weeks};
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::domain::{Price, Sunday, Ticker};
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = weeks)]
pub struct Week {
    pub sunday: NaiveDate,
    pub started_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = options)]
pub struct GameOption {
    pub id: i64,
    pub sunday: NaiveDate,
    pub ticker: String,
    pub start_price: Option<DbDecimal>,
    pub end_price: Option<DbDecimal>,
    pub percent_change: Option<DbDecimal>,
    pub rank: Option<i32>,
}

/// An option about to be added to its week.
#[derive(Debug)]
pub struct NewOption {
    pub sunday: Sunday,
    pub ticker: Ticker,
    pub start_price: Option<Price>,
}

#[derive(Insertable)]
#[diesel(table_name = options)]
struct NewOptionRow<'a> {
    sunday: NaiveDate,
    ticker: &'a str,
    start_price: Option<DbDecimal>,
}

/// The result of scoring one option.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = options)]
pub struct OptionScore {
    pub percent_change: Option<DbDecimal>,
    pub rank: Option<i32>,
}

pub fn find(conn: &mut DbConn, sunday: NaiveDate) -> QueryResult<Option<Week>> {
    with_conn!(conn, |c| weeks::table
        .find(sunday)
        .select(Week::as_select())
        .first(c)
        .optional())
}

/// Makes sure the week row exists (options reference it).
pub fn ensure(conn: &mut DbConn, sunday: NaiveDate) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(weeks::table)
        .values(weeks::sunday.eq(sunday))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// Weeks with options that are not closed yet, oldest first, up to `latest`.
pub fn unclosed_until(conn: &mut DbConn, latest: NaiveDate) -> QueryResult<Vec<NaiveDate>> {
    with_conn!(conn, |c| weeks::table
        .filter(weeks::closed_at.is_null().and(weeks::sunday.le(latest)))
        .order(weeks::sunday)
        .select(weeks::sunday)
        .load(c))
}

pub fn options_of(conn: &mut DbConn, sunday: NaiveDate) -> QueryResult<Vec<GameOption>> {
    with_conn!(conn, |c| options::table
        .filter(options::sunday.eq(sunday))
        .order(options::id)
        .select(GameOption::as_select())
        .load(c))
}

pub fn find_option(conn: &mut DbConn, id: i64) -> QueryResult<Option<GameOption>> {
    with_conn!(conn, |c| options::table
        .find(id)
        .select(GameOption::as_select())
        .first(c)
        .optional())
}

pub fn insert_option(conn: &mut DbConn, new: &NewOption) -> QueryResult<GameOption> {
    let row = NewOptionRow {
        sunday: new.sunday.date(),
        ticker: new.ticker.as_str(),
        start_price: new.start_price.map(|p| DbDecimal(p.value())),
    };
    with_conn!(conn, |c| diesel::insert_into(options::table)
        .values(&row)
        .returning(GameOption::as_returning())
        .get_result(c))
}

/// Adds `ticker` as an option of the week unless it already is one.
pub fn insert_option_if_missing(
    conn: &mut DbConn,
    sunday: NaiveDate,
    ticker: &str,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(options::table)
        .values((options::sunday.eq(sunday), options::ticker.eq(ticker)))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// Weeks whose start prices are not recorded yet, oldest first, up to `latest`.
pub fn unstarted_until(conn: &mut DbConn, latest: NaiveDate) -> QueryResult<Vec<NaiveDate>> {
    with_conn!(conn, |c| weeks::table
        .filter(weeks::started_at.is_null().and(weeks::sunday.le(latest)))
        .order(weeks::sunday)
        .select(weeks::sunday)
        .load(c))
}

/// Sets a start price unless one is already recorded (so re-running an opening changes nothing).
pub fn set_start_price(conn: &mut DbConn, id: i64, price: DbDecimal) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(
        options::table.filter(options::id.eq(id).and(options::start_price.is_null()))
    )
    .set(options::start_price.eq(Some(price)))
    .execute(c))?;
    Ok(())
}

/// Sets an end price unless one is already recorded.
pub fn set_end_price(conn: &mut DbConn, id: i64, price: DbDecimal) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(
        options::table.filter(options::id.eq(id).and(options::end_price.is_null()))
    )
    .set(options::end_price.eq(Some(price)))
    .execute(c))?;
    Ok(())
}

pub fn set_score(conn: &mut DbConn, id: i64, score: &OptionScore) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(options::table.find(id))
        .set(score)
        .execute(c))?;
    Ok(())
}

pub fn mark_started(conn: &mut DbConn, sunday: NaiveDate, at: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(
        weeks::table
            .find(sunday)
            .filter(weeks::started_at.is_null())
    )
    .set(weeks::started_at.eq(Some(at)))
    .execute(c))?;
    Ok(())
}

pub fn mark_closed(conn: &mut DbConn, sunday: NaiveDate, at: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(
        weeks::table.find(sunday).filter(weeks::closed_at.is_null())
    )
    .set(weeks::closed_at.eq(Some(at)))
    .execute(c))?;
    Ok(())
}

/// Which scheduled job a claim is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    RecordStartPrices,
    Close,
}

/// Claims `job` for `sunday` unless it is done or another instance claimed it after
/// `stale_before`. The conditional UPDATE is atomic on both backends, so of several
/// instances racing, exactly one wins.
pub fn claim(
    conn: &mut DbConn,
    sunday: NaiveDate,
    job: Job,
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<bool> {
    let week = weeks::table.find(sunday);
    let updated = match job {
        Job::RecordStartPrices => with_conn!(conn, |c| diesel::update(
            week.filter(
                weeks::started_at.is_null().and(
                    weeks::start_claimed_at
                        .is_null()
                        .or(weeks::start_claimed_at.lt(stale_before))
                )
            )
        )
        .set(weeks::start_claimed_at.eq(Some(now)))
        .execute(c))?,
        Job::Close => with_conn!(conn, |c| diesel::update(
            week.filter(
                weeks::closed_at.is_null().and(
                    weeks::close_claimed_at
                        .is_null()
                        .or(weeks::close_claimed_at.lt(stale_before))
                )
            )
        )
        .set(weeks::close_claimed_at.eq(Some(now)))
        .execute(c))?,
    };
    Ok(updated == 1)
}
