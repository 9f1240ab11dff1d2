//! The rate store as reports see it: the rates among a report's currencies over its days,
//! after fetching from the provider (the ECB, one euro in each currency) the weekdays neither
//! stored nor asked for before. Ranges asked for are recorded even when the provider had no
//! rate for them (holidays); the recent days that came back empty are not, as the provider
//! publishes them later, but a range is asked at most once an hour.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::ecb::RateProvider;
use super::rates::Rates;
use crate::db::{DbError, DbPool};
use crate::domain::CurrencyCode;
use crate::models::fx::{self, FxRate};
use crate::prices::cache::FlightCache;
use crate::prices::PriceError;
use crate::telemetry::metrics::CacheCounters;

/// Days before the range a rate is fetched from, so its first day has one before it.
const LEAD_DAYS: u64 = 7;

/// Days before today within which an empty answer is not taken as final.
const RECENT_DAYS: u64 = 7;

/// How long a fetched range is not asked for again.
const ASKED_FOR: Duration = Duration::from_secs(60 * 60);

#[derive(Clone)]
pub struct DailyRates {
    pool: DbPool,
    provider: Option<Arc<dyn RateProvider>>,
    flights: Arc<FlightCache<()>>,
}

impl DailyRates {
    pub fn new(
        pool: DbPool,
        provider: Option<Arc<dyn RateProvider>>,
        lookups: CacheCounters,
    ) -> Self {
        Self {
            pool,
            provider,
            flights: FlightCache::new(
                Box::new(|outcome| outcome.is_ok().then_some(ASKED_FOR)),
                lookups,
            ),
        }
    }

    /// The stored rates among `currencies` from `first` to `last` (with each pair's last one
    /// before `first`), after fetching what the store lacks up to `today`. When the provider
    /// fails, the stored rates still answer (a report then names a rate it lacks).
    pub async fn load(
        &self,
        currencies: &BTreeSet<String>,
        first: NaiveDate,
        last: NaiveDate,
        today: NaiveDate,
    ) -> Result<Rates, PriceError> {
        if currencies.len() < 2 {
            return Ok(Rates::default());
        }
        if let Err(err) = self.fetch_missing(currencies, first, last, today).await {
            match err {
                PriceError::Unavailable(why) => {
                    log::warn!("exchange rates: {why}; using the stored rates")
                }
                other => return Err(other),
            }
        }
        let wanted: Vec<String> = currencies.iter().cloned().collect();
        let stored = self
            .pool
            .query(move |conn| fx::around(conn, &wanted, first, last))
            .await
            .map_err(database_error)?;
        Ok(Rates::new(stored))
    }

    /// Fetches the recent days' rates of `currencies` (the scheduler's daily refresh).
    pub async fn refresh(
        &self,
        currencies: &BTreeSet<String>,
        today: NaiveDate,
    ) -> Result<(), PriceError> {
        let first = today - Days::new(RECENT_DAYS);
        self.fetch_missing(currencies, first, today, today).await
    }

    async fn fetch_missing(
        &self,
        currencies: &BTreeSet<String>,
        first: NaiveDate,
        last: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), PriceError> {
        let Some(provider) = &self.provider else {
            return Ok(());
        };
        let (first, last) = (first - Days::new(LEAD_DAYS), last.min(today));
        if first > last {
            return Ok(());
        }
        let mut flights = Vec::new();
        for currency in currencies
            .iter()
            .filter(|c| c.as_str() != CurrencyCode::EUR)
        {
            let Some((gap_first, gap_last)) = self.gap(currency, first, last).await? else {
                continue;
            };
            let key = format!("{currency} {gap_first} {gap_last}");
            let fetch = fetch_and_store(
                self.pool.clone(),
                Arc::clone(provider),
                currency.clone(),
                (gap_first, gap_last),
                today,
            );
            flights.push(async move { self.flights.get(&key, fetch).await });
        }
        for outcome in futures_util::future::join_all(flights).await {
            outcome?;
        }
        Ok(())
    }

    /// The first and last weekday of `first..=last` with neither a stored EUR rate of
    /// `currency` nor an earlier request: one span, fetched in one call.
    async fn gap(
        &self,
        currency: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, PriceError> {
        let code = currency.to_owned();
        let (covered, stored) = self
            .pool
            .query(move |conn| {
                Ok((
                    fx::coverage(conn, &code, first, last)?,
                    fx::stored_days(conn, CurrencyCode::EUR, &code, first, last)?,
                ))
            })
            .await
            .map_err(database_error)?;
        let stored: HashSet<NaiveDate> = stored.into_iter().collect();
        let missing = |day: &NaiveDate| {
            !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
                && !stored.contains(day)
                && !covered.iter().any(|(from, to)| (from..=to).contains(&day))
        };
        let days: Vec<NaiveDate> = first.iter_days().take_while(|day| *day <= last).collect();
        let gap_first = days.iter().find(|day| missing(day));
        let gap_last = days.iter().rev().find(|day| missing(day));
        Ok(gap_first.zip(gap_last).map(|(a, b)| (*a, *b)))
    }
}

fn database_error(err: DbError) -> PriceError {
    PriceError::Database(Arc::new(err))
}

/// Fetches `currency`'s rates over `span` and stores them with the range they cover: all of
/// it, unless it ends within the recent days, when only up to the last day with a rate.
async fn fetch_and_store(
    pool: DbPool,
    provider: Arc<dyn RateProvider>,
    currency: String,
    (first, last): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Result<(), PriceError> {
    let fetched: Vec<FxRate> = provider
        .euro_rates(&currency, first, last)
        .await?
        .into_iter()
        .filter(|rate| {
            rate.base == CurrencyCode::EUR
                && rate.quote == currency
                && (first..=last).contains(&rate.date)
        })
        .collect();
    let covered_until = if last < today - Days::new(RECENT_DAYS) {
        Some(last)
    } else {
        fetched.iter().map(|rate| rate.date).max()
    };
    pool.query(move |conn| {
        conn.write_transaction(|conn| {
            fx::insert_missing(conn, &fetched)?;
            if let Some(until) = covered_until {
                fx::add_coverage(conn, &currency, first, until)?;
            }
            Ok(())
        })
    })
    .await
    .map_err(database_error)
}
