//! The exchange-rate store: daily rates (1 base = rate quote), whatever their source, and the
//! day ranges already asked of the rate provider (as `closes` keeps them for closes).

use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;

use std::collections::BTreeSet;

use crate::db::schema::{accounts, fx_coverage, fx_rates, transactions, users};
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::with_conn;

/// One day's rate of one pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FxRate {
    pub base: String,
    pub quote: String,
    pub date: NaiveDate,
    pub rate: Decimal,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = fx_rates)]
struct FxRateRow {
    base: String,
    quote: String,
    date: NaiveDate,
    rate: DbDecimal,
}

impl From<FxRateRow> for FxRate {
    fn from(row: FxRateRow) -> Self {
        Self {
            base: row.base,
            quote: row.quote,
            date: row.date,
            rate: row.rate.0,
        }
    }
}

impl From<&FxRate> for FxRateRow {
    fn from(rate: &FxRate) -> Self {
        Self {
            base: rate.base.clone(),
            quote: rate.quote.clone(),
            date: rate.date,
            rate: DbDecimal(rate.rate),
        }
    }
}

/// Stores rates, replacing any stored for the same pair and day (an import is a correction).
pub fn upsert(conn: &mut DbConn, rates: &[FxRate]) -> QueryResult<usize> {
    let mut written = 0;
    for rate in rates {
        let row = FxRateRow::from(rate);
        written += with_conn!(conn, |c| diesel::insert_into(fx_rates::table)
            .values(&row)
            .on_conflict((fx_rates::base, fx_rates::quote, fx_rates::date))
            .do_update()
            .set(fx_rates::rate.eq(DbDecimal(rate.rate)))
            .execute(c))?;
    }
    Ok(written)
}

/// Stores rates not stored yet; a stored rate (an imported one) is kept.
pub fn insert_missing(conn: &mut DbConn, rates: &[FxRate]) -> QueryResult<usize> {
    let mut inserted = 0;
    for rate in rates {
        inserted += with_conn!(conn, |c| diesel::insert_into(fx_rates::table)
            .values(FxRateRow::from(rate))
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(inserted)
}

/// The rates between any two of `currencies` from `first` to `last`, with the latest one
/// before `first` of each pair (what a day at the range's start converts at).
pub fn around(
    conn: &mut DbConn,
    currencies: &[String],
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<FxRate>> {
    let pairs: Vec<(String, String)> = with_conn!(conn, |c| fx_rates::table
        .filter(
            fx_rates::base
                .eq_any(currencies)
                .and(fx_rates::quote.eq_any(currencies))
        )
        .select((fx_rates::base, fx_rates::quote))
        .distinct()
        .load(c))?;
    let mut found = Vec::new();
    for (base, quote) in pairs {
        let pair = fx_rates::base.eq(base).and(fx_rates::quote.eq(quote));
        let before: Option<FxRateRow> = with_conn!(conn, |c| fx_rates::table
            .filter(pair.clone().and(fx_rates::date.lt(first)))
            .order(fx_rates::date.desc())
            .select(FxRateRow::as_select())
            .first(c)
            .optional())?;
        let within: Vec<FxRateRow> = with_conn!(conn, |c| fx_rates::table
            .filter(pair.clone().and(fx_rates::date.between(first, last)))
            .order(fx_rates::date)
            .select(FxRateRow::as_select())
            .load(c))?;
        found.extend(before.into_iter().chain(within).map(FxRate::from));
    }
    Ok(found)
}

/// Every stored rate, for the export.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<FxRate>> {
    let rows: Vec<FxRateRow> = with_conn!(conn, |c| fx_rates::table
        .order((fx_rates::base, fx_rates::quote, fx_rates::date))
        .select(FxRateRow::as_select())
        .load(c))?;
    Ok(rows.into_iter().map(FxRate::from).collect())
}

/// The days between `first` and `last` with a stored `base`→`quote` rate.
pub fn stored_days(
    conn: &mut DbConn,
    base: &str,
    quote: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<NaiveDate>> {
    with_conn!(conn, |c| fx_rates::table
        .filter(
            fx_rates::base
                .eq(base)
                .and(fx_rates::quote.eq(quote))
                .and(fx_rates::date.between(first, last))
        )
        .select(fx_rates::date)
        .load(c))
}

/// The day ranges of `currency` already asked of the provider that overlap `first..=last`.
pub fn coverage(
    conn: &mut DbConn,
    currency: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<(NaiveDate, NaiveDate)>> {
    with_conn!(conn, |c| fx_coverage::table
        .filter(
            fx_coverage::currency.eq(currency).and(
                fx_coverage::first_day
                    .le(last)
                    .and(fx_coverage::last_day.ge(first))
            )
        )
        .select((fx_coverage::first_day, fx_coverage::last_day))
        .load(c))
}

/// Records that the provider was asked for `currency` from `first` to `last`.
pub fn add_coverage(
    conn: &mut DbConn,
    currency: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(fx_coverage::table)
        .values((
            fx_coverage::currency.eq(currency),
            fx_coverage::first_day.eq(first),
            fx_coverage::last_day.eq(last),
        ))
        .execute(c))?;
    Ok(())
}

/// Every currency someone reports in, keeps an account in, has a transaction in, or holds or
/// watches a ticker listed in: what the scheduler keeps rates of.
pub fn currencies_in_use(conn: &mut DbConn) -> QueryResult<BTreeSet<String>> {
    let mut found: BTreeSet<String> = BTreeSet::new();
    found.extend(with_conn!(conn, |c| users::table
        .select(users::base_currency)
        .distinct()
        .load::<String>(c))?);
    found.extend(with_conn!(conn, |c| accounts::table
        .select(accounts::currency)
        .distinct()
        .load::<String>(c))?);
    found.extend(with_conn!(conn, |c| transactions::table
        .select(transactions::currency)
        .distinct()
        .load::<String>(c))?);
    for symbol in super::closes::tracked_symbols(conn)? {
        found.insert(crate::domain::listing_currency_of(&symbol).to_owned());
    }
    Ok(found)
}
