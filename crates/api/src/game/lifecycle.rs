//! Opening a week (recording start prices) and closing it (end prices, percent changes, ranks).
//! Both are idempotent: re-running them never changes a recorded price and rescoring gives the
//! same result. Prices are fetched first (async), then written in one write transaction.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::sql_types::DbDecimal;
use crate::db::{DbConn, DbPool};
use crate::domain::calendar::GameCalendar;
use crate::domain::{Price, Sunday, Ticker};
use crate::game::{scoring, GameError};
use crate::models::week::{self, GameOption, OptionScore};
use crate::prices::{ManualPrices, MarketData, PriceSource};

async fn load(pool: &DbPool, week: Sunday) -> Result<Vec<GameOption>, GameError> {
    let options = pool
        .query(move |conn| week::options_of(conn, week.date()))
        .await?;
    if options.is_empty() {
        return Err(GameError::NoOptions(week));
    }
    Ok(options)
}

/// Prices for the options `missing` selects, as (option id, price).
async fn prices_for(
    options: &[GameOption],
    missing: impl Fn(&GameOption) -> bool,
    source: &impl PriceSource,
) -> Result<Vec<(i64, DbDecimal)>, GameError> {
    let mut prices = Vec::new();
    for option in options.iter().filter(|o| missing(o)) {
        let quote = source.quote(&option.ticker).await?;
        let price = Price::from_decimal(quote.price)
            .map_err(|err| GameError::NotReady(format!("{}: {err}", option.ticker)))?;
        prices.push((option.id, DbDecimal(price.value())));
    }
    Ok(prices)
}

/// Records the start price of every option that has none, and marks the week started.
pub async fn open_week(
    pool: &DbPool,
    week: Sunday,
    source: &impl PriceSource,
    now: NaiveDateTime,
) -> Result<Vec<GameOption>, GameError> {
    let options = load(pool, week).await?;
    let prices = prices_for(&options, |o| o.start_price.is_none(), source).await?;
    pool.query(move |conn| {
        conn.write_transaction(|conn| {
            for (id, price) in &prices {
                week::set_start_price(conn, *id, *price)?;
            }
            week::mark_started(conn, week.date(), now)
        })
    })
    .await?;
    load(pool, week).await
}

/// Refuses to score a week before its last market close, unless staff force it.
fn ensure_over(
    calendar: &GameCalendar,
    week: Sunday,
    now: DateTime<Utc>,
    force: bool,
) -> Result<(), GameError> {
    let ends = calendar.week_ends_at(week);
    if force || now >= ends {
        return Ok(());
    }
    Err(GameError::NotReady(format!(
        "the week of {week} is not over until {}; closing it early needs force",
        ends.to_rfc3339()
    )))
}

/// Refuses hand-given end prices that contradict prices already recorded: recorded prices are
/// never changed, and silently ignoring a correction would be worse.
fn ensure_no_overrides(options: &[GameOption], given: &ManualPrices) -> Result<(), GameError> {
    for option in options {
        if let (Some(recorded), Some(new)) = (option.end_price, given.get(&option.ticker)) {
            if recorded.0 != new {
                return Err(GameError::PriceRecorded(format!(
                    "{} already has the end price {}; recorded prices are not changed",
                    option.ticker, recorded.0
                )));
            }
        }
    }
    Ok(())
}

/// Adds the tickers that are not options of `week` yet (opening a week with a price list).
async fn add_options(pool: &DbPool, week: Sunday, tickers: Vec<Ticker>) -> Result<(), GameError> {
    pool.query(move |conn| {
        conn.write_transaction(|conn| {
            week::ensure(conn, week.date())?;
            for ticker in tickers {
                week::insert_option_if_missing(conn, week.date(), ticker.as_str())?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// Records end prices where missing, scores every option of the week and marks it closed. The
/// scoring reads the options inside the write transaction, so it ranks exactly what it marks
/// closed.
pub async fn close_week(
    pool: &DbPool,
    week: Sunday,
    source: &impl PriceSource,
    now: NaiveDateTime,
) -> Result<Vec<GameOption>, GameError> {
    close_loaded(pool, week, load(pool, week).await?, source, now).await
}

/// [`close_week`] for options already read.
async fn close_loaded(
    pool: &DbPool,
    week: Sunday,
    options: Vec<GameOption>,
    source: &impl PriceSource,
    now: NaiveDateTime,
) -> Result<Vec<GameOption>, GameError> {
    let unpriced: Vec<&str> = options
        .iter()
        .filter(|o| o.start_price.is_none())
        .map(|o| o.ticker.as_str())
        .collect();
    if !unpriced.is_empty() {
        return Err(GameError::MissingStartPrices(unpriced.join(", ")));
    }
    let prices = prices_for(&options, |o| o.end_price.is_none(), source).await?;
    pool.run(move |conn| {
        conn.write_transaction(|conn| {
            for (id, price) in &prices {
                week::set_end_price(conn, *id, *price)?;
            }
            score_and_close(conn, week, now)
        })
    })
    .await?;
    load(pool, week).await
}

/// Scores every option of `week` from its recorded start and end prices, ranks them, and marks
/// the week closed. Call it in a write transaction, so it ranks exactly what it marks closed.
pub fn score_and_close(
    conn: &mut DbConn,
    week: Sunday,
    now: NaiveDateTime,
) -> Result<(), GameError> {
    let current = week::options_of(conn, week.date())?;
    let mut changes = Vec::with_capacity(current.len());
    for option in &current {
        let (Some(start), Some(end)) = (option.start_price, option.end_price) else {
            return Err(GameError::NotReady(format!(
                "{} was added while the week was closing; close it again",
                option.ticker
            )));
        };
        changes.push((option.id, scoring::percent_change(start.0, end.0)));
    }
    let ranks = scoring::competition_ranks(
        &changes
            .iter()
            .map(|(_, change)| *change)
            .collect::<Vec<_>>(),
    );
    for ((id, change), rank) in changes.iter().zip(&ranks) {
        let score = OptionScore {
            percent_change: Some(DbDecimal(*change)),
            rank: Some(i32::try_from(*rank).unwrap_or(i32::MAX)),
        };
        week::set_score(conn, *id, &score)?;
    }
    Ok(week::mark_closed(conn, week.date(), now)?)
}

/// Which lifecycle step a staff action or command asks for.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Open,
    /// Closing waits for the week's last market close on `calendar`, unless `force`.
    Close {
        calendar: &'a GameCalendar,
        force: bool,
    },
}

/// A staff-initiated step (endpoint or command line) and everything it works with.
pub struct StepContext<'a> {
    pub pool: &'a DbPool,
    /// The market-data source, when one is configured.
    pub market: Option<&'a MarketData>,
    pub week: Sunday,
    pub step: Step<'a>,
    /// Prices given by hand; when there are any, the market is not asked.
    pub given: ManualPrices,
    pub now: DateTime<Utc>,
}

/// Runs a staff-initiated step: prices given by hand win, else the market data source; opening
/// with a price list adds its tickers as options; closing waits for the week's end unless
/// `force`, and never lets given prices contradict recorded ones.
pub async fn run_step(step: StepContext<'_>) -> Result<Vec<GameOption>, GameError> {
    let StepContext {
        pool,
        market,
        week,
        step,
        given,
        now,
    } = step;
    let use_market = market.filter(|_| given.is_empty());
    match step {
        Step::Open => {
            if !given.is_empty() {
                let tickers = given.tickers().map_err(GameError::NotReady)?;
                add_options(pool, week, tickers).await?;
            }
            let now = now.naive_utc();
            match use_market {
                Some(market) => open_week(pool, week, market, now).await,
                None => open_week(pool, week, &given, now).await,
            }
        }
        Step::Close { calendar, force } => {
            ensure_over(calendar, week, now, force)?;
            // One read serves the check and the closing.
            let options = load(pool, week).await?;
            ensure_no_overrides(&options, &given)?;
            let now = now.naive_utc();
            match use_market {
                Some(market) => close_loaded(pool, week, options, market, now).await,
                None => close_loaded(pool, week, options, &given, now).await,
            }
        }
    }
}
