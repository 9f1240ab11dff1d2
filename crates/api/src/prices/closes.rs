//! The daily closes store: what history needs is read from the database, and only the
//! trading days neither stored nor already asked for are fetched from the history provider,
//! so nothing is fetched twice for a stored date. Ranges asked for are recorded even when the
//! provider had no data for them; the recent days that came back empty are not, as the
//! provider may publish them later.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::budget::{Budget, Lane};
use super::cache::FlightCache;
use super::history::DailyHistory;
use super::{MarketData, PriceError, PriceSource};
use crate::db::{DbError, DbPool};
use crate::domain::calendar::GameCalendar;
use crate::domain::{Price, Ticker};
use crate::models::closes::{self, NewClose};
use crate::telemetry::metrics::CacheCounters;

/// Days before today within which an empty answer is not taken as final.
const RECENT_DAYS: i64 = 7;

/// How many days back a latest close is looked for (long weekends, a market's own holidays).
const LATEST_WITHIN: i64 = 14;

/// The closes of `symbol` wanted from `first` to `last`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseRange {
    pub symbol: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

pub use crate::ledger::Closes;

#[derive(Clone)]
pub struct DailyCloses {
    pool: DbPool,
    provider: Option<Arc<dyn DailyHistory>>,
    calendar: GameCalendar,
    budget: Budget,
    /// Merges concurrent fetches of the same range; keeps nothing (the database does).
    flights: Arc<FlightCache<()>>,
}

impl DailyCloses {
    pub fn new(
        pool: DbPool,
        provider: Option<Arc<dyn DailyHistory>>,
        calendar: GameCalendar,
        budget: Budget,
        lookups: CacheCounters,
    ) -> Self {
        Self {
            pool,
            provider,
            calendar,
            budget,
            flights: FlightCache::new(Box::new(|_| None), lookups),
        }
    }

    /// The stored closes of every range, after fetching the trading days of each (closed by
    /// `now`) that are neither stored nor asked for before. A user's fetches come out of
    /// their allowance of symbols, one per range fetched.
    pub async fn load(
        &self,
        lane: Lane,
        ranges: Vec<CloseRange>,
        now: DateTime<Utc>,
    ) -> Result<Closes, PriceError> {
        if let Some(provider) = &self.provider {
            let mut fetches = Vec::new();
            for range in &ranges {
                fetches.extend(self.gaps(range, now).await?);
            }
            let mut refused = None;
            if let Lane::User(user) = lane {
                let (granted, retry_after) = self.budget.take_symbols(user, fetches.len()).await?;
                fetches.truncate(granted);
                refused = retry_after.map(|retry_after| PriceError::Throttled { retry_after });
            }
            let today = self.calendar.today(now);
            let flights = fetches.into_iter().map(|gap| {
                let key = format!("{} {} {}", gap.symbol, gap.first, gap.last);
                let fetch = fetch_and_store(self.pool.clone(), Arc::clone(provider), gap, today);
                async move { self.flights.get(&key, fetch).await }
            });
            for outcome in futures_util::future::join_all(flights).await {
                outcome?;
            }
            if let Some(err) = refused {
                return Err(err);
            }
        }
        self.stored(ranges).await.map_err(database_error)
    }

    /// The runs of trading days of `range` (closed by `now`) with neither a stored close nor
    /// an earlier request, each to be fetched in one call.
    async fn gaps(
        &self,
        range: &CloseRange,
        now: DateTime<Utc>,
    ) -> Result<Vec<CloseRange>, PriceError> {
        let last = range.last.min(self.calendar.last_closed_day(now));
        if range.first > last {
            return Ok(Vec::new());
        }
        let (symbol, first) = (range.symbol.clone(), range.first);
        let (covered, stored) = self
            .pool
            .query(move |conn| {
                Ok((
                    closes::coverage(conn, &symbol, first, last)?,
                    closes::stored_days(conn, &symbol, first, last)?,
                ))
            })
            .await
            .map_err(database_error)?;
        let days: Vec<NaiveDate> = self.calendar.trading_days_between(first, last).collect();
        Ok(missing_runs(&days, &covered, &stored.into_iter().collect())
            .into_iter()
            .map(|(first, last)| CloseRange {
                symbol: range.symbol.clone(),
                first,
                last,
            })
            .collect())
    }

    /// `symbol`'s last two closes up to the last day closed by `now` (within `LATEST_WITHIN`
    /// days), newest first: what a quote without Finnhub is made of. What the store lacks is
    /// fetched first (on the game's lane: the caller has paid for the symbol); when the
    /// provider fails, the stored closes still answer.
    pub async fn latest(
        &self,
        symbol: &Ticker,
        now: DateTime<Utc>,
    ) -> Result<Vec<(NaiveDate, Decimal)>, PriceError> {
        let last = self.calendar.last_closed_day(now);
        let range = CloseRange {
            symbol: symbol.as_str().to_owned(),
            first: last - Duration::days(LATEST_WITHIN),
            last,
        };
        let closes = match self.load(Lane::Game, vec![range.clone()], now).await {
            Ok(closes) => closes,
            Err(PriceError::Unavailable(why)) => {
                log::warn!(
                    "latest close of {}: {why}; using the stored closes",
                    range.symbol
                );
                self.stored(vec![range]).await.map_err(database_error)?
            }
            Err(err) => return Err(err),
        };
        Ok(closes
            .get(symbol.as_str())
            .map(|by_day| {
                by_day
                    .iter()
                    .rev()
                    .take(2)
                    .map(|(day, close)| (*day, *close))
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn stored(&self, ranges: Vec<CloseRange>) -> Result<Closes, DbError> {
        self.pool
            .query(move |conn| {
                let mut found = Closes::new();
                for range in &ranges {
                    let symbols = [range.symbol.clone()];
                    for close in closes::between(conn, &symbols, range.first, range.last)? {
                        found
                            .entry(close.symbol)
                            .or_default()
                            .insert(close.date, close.close.0);
                    }
                }
                Ok(found)
            })
            .await
    }

    /// Records `day`'s close of every symbol held or watched that has none yet, from the
    /// latest quote (the game's lane: the scheduler's fetches come first). A quote from
    /// another day (a closure the calendar does not know) records nothing. Returns how many
    /// closes were stored.
    pub async fn record_day(
        &self,
        day: NaiveDate,
        market: &MarketData,
    ) -> Result<usize, PriceError> {
        let symbols = self
            .pool
            .query(move |conn| {
                let stored: BTreeSet<String> = closes::symbols_on(conn, day)?.into_iter().collect();
                Ok(closes::tracked_symbols(conn)?
                    .into_iter()
                    .filter(|symbol| !stored.contains(symbol))
                    .collect::<Vec<_>>())
            })
            .await
            .map_err(database_error)?;
        let mut recorded = Vec::new();
        for symbol in symbols {
            let quote = match market.quote(&symbol).await {
                Ok(quote) => quote,
                Err(err) => {
                    log::warn!("closes of {day}: no quote for {symbol}: {err}");
                    continue;
                }
            };
            let quoted_on = quote
                .time
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .map(|t| self.calendar.today(t));
            let (Some(quoted_on), Ok(ticker), Ok(close)) = (
                quoted_on,
                Ticker::parse(&symbol),
                Price::from_decimal(quote.price),
            ) else {
                continue;
            };
            if quoted_on == day {
                recorded.push(NewClose {
                    symbol: ticker,
                    date: day,
                    close,
                });
            }
        }
        self.pool
            .query(move |conn| {
                conn.write_transaction(|conn| {
                    let stored = closes::insert_missing(conn, &recorded)?;
                    for close in &recorded {
                        closes::add_coverage(conn, close.symbol.as_str(), day, day)?;
                    }
                    Ok(stored)
                })
            })
            .await
            .map_err(database_error)
    }
}

fn database_error(err: DbError) -> PriceError {
    PriceError::Database(Arc::new(err))
}

/// Fetches `gap` and stores what came back, with the range it covers: all of it, unless it
/// ends within the recent days, when only up to the last day with data.
async fn fetch_and_store(
    pool: DbPool,
    provider: Arc<dyn DailyHistory>,
    gap: CloseRange,
    today: NaiveDate,
) -> Result<(), PriceError> {
    let fetched = provider.closes(&gap.symbol, gap.first, gap.last).await?;
    let ticker = Ticker::parse(&gap.symbol).map_err(PriceError::Unavailable)?;
    let rows: Vec<NewClose> = fetched
        .iter()
        .filter(|(date, _)| (gap.first..=gap.last).contains(date))
        .filter_map(|(date, close)| {
            Some(NewClose {
                symbol: ticker.clone(),
                date: *date,
                close: Price::from_decimal(*close).ok()?,
            })
        })
        .collect();
    let covered_until = if gap.last < today - Duration::days(RECENT_DAYS) {
        Some(gap.last)
    } else {
        rows.iter().map(|row| row.date).max()
    };
    pool.query(move |conn| {
        conn.write_transaction(|conn| {
            closes::insert_missing(conn, &rows)?;
            if let Some(until) = covered_until {
                closes::add_coverage(conn, &gap.symbol, gap.first, until)?;
            }
            Ok(())
        })
    })
    .await
    .map_err(database_error)
}

/// The runs of `days` (trading days, in order) that are neither inside a `covered` range nor
/// `stored`; a run ends where a day is not missing.
fn missing_runs(
    days: &[NaiveDate],
    covered: &[(NaiveDate, NaiveDate)],
    stored: &BTreeSet<NaiveDate>,
) -> Vec<(NaiveDate, NaiveDate)> {
    let missing = |day: &NaiveDate| {
        !stored.contains(day)
            && !covered
                .iter()
                .any(|(first, last)| (first..=last).contains(&day))
    };
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut open = false;
    for day in days {
        match (missing(day), open) {
            (true, true) => {
                if let Some(run) = runs.last_mut() {
                    run.1 = *day;
                }
            }
            (true, false) => {
                runs.push((*day, *day));
                open = true;
            }
            (false, _) => open = false,
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn only_days_neither_stored_nor_covered_are_fetched_in_runs() {
        let days: Vec<NaiveDate> = [
            "2024-01-02",
            "2024-01-03",
            "2024-01-04",
            "2024-01-05",
            "2024-01-08",
            "2024-01-09",
        ]
        .iter()
        .map(|t| d(t))
        .collect();
        let covered = [(d("2024-01-01"), d("2024-01-02"))];
        let stored = [d("2024-01-05")].into_iter().collect();
        assert_eq!(
            missing_runs(&days, &covered, &stored),
            [
                (d("2024-01-03"), d("2024-01-04")),
                (d("2024-01-08"), d("2024-01-09"))
            ]
        );
        let everything = [(d("2024-01-01"), d("2024-01-31"))];
        assert!(missing_runs(&days, &everything, &BTreeSet::new()).is_empty());
    }
}
