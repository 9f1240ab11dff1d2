//! Opening a week (recording start prices) and closing it (end prices, percent changes, ranks).
//! Both are idempotent: re-running them never changes a recorded price and rescoring gives the
//! same result. Prices are fetched first (async), then written in one write transaction.

use chrono::NaiveDateTime;

use crate::db::sql_types::DbDecimal;
use crate::db::{DbConn, DbPool};
use crate::domain::{Price, Sunday};
use crate::error::ApiError;
use crate::game::scoring;
use crate::models::week::{self, GameOption, OptionScore};
use crate::prices::{PriceError, PriceSource};

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("the week of {0} has no options")]
    NoOptions(Sunday),
    #[error("start prices are missing for {0}; open the week first or give them")]
    MissingStartPrices(String),
    #[error("{0}")]
    Price(#[from] PriceError),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<LifecycleError> for ApiError {
    fn from(err: LifecycleError) -> Self {
        match err {
            LifecycleError::NoOptions(_)
            | LifecycleError::MissingStartPrices(_)
            | LifecycleError::Invalid(_) => {
                ApiError::bad_request(err.to_string(), "week_not_ready")
            }
            LifecycleError::Price(PriceError::UnknownSymbol(symbol)) => ApiError::bad_request(
                format!("No price is known for {symbol}; give it by hand."),
                "price_missing",
            ),
            LifecycleError::Price(PriceError::Unavailable(cause)) => ApiError::bad_gateway(cause),
            LifecycleError::Api(err) => err,
        }
    }
}

async fn load(pool: &DbPool, week: Sunday) -> Result<Vec<GameOption>, LifecycleError> {
    let pool = pool.clone();
    let options = actix_web::web::block(move || -> Result<_, ApiError> {
        Ok(week::options_of(&mut pool.get()?, week.date())?)
    })
    .await
    .map_err(ApiError::from)??;
    if options.is_empty() {
        return Err(LifecycleError::NoOptions(week));
    }
    Ok(options)
}

/// Prices for the options `missing` selects, as (option id, price).
async fn prices_for(
    options: &[GameOption],
    missing: impl Fn(&GameOption) -> bool,
    source: &impl PriceSource,
) -> Result<Vec<(i64, DbDecimal)>, LifecycleError> {
    let mut prices = Vec::new();
    for option in options.iter().filter(|o| missing(o)) {
        let quote = source.quote(&option.ticker).await?;
        let price = Price::from_decimal(quote.price)
            .map_err(|err| LifecycleError::Invalid(format!("{}: {err}", option.ticker)))?;
        prices.push((option.id, DbDecimal(price.value())));
    }
    Ok(prices)
}

async fn write<T: Send + 'static>(
    pool: &DbPool,
    work: impl FnOnce(&mut DbConn) -> Result<T, diesel::result::Error> + Send + 'static,
) -> Result<T, LifecycleError> {
    let pool = pool.clone();
    let done = actix_web::web::block(move || -> Result<T, ApiError> {
        let mut conn = pool.get()?;
        Ok(work(&mut conn)?)
    })
    .await
    .map_err(ApiError::from)??;
    Ok(done)
}

/// Records the start price of every option that has none, and marks the week started.
pub async fn open_week(
    pool: &DbPool,
    week: Sunday,
    source: &impl PriceSource,
    now: NaiveDateTime,
) -> Result<Vec<GameOption>, LifecycleError> {
    let options = load(pool, week).await?;
    let prices = prices_for(&options, |o| o.start_price.is_none(), source).await?;
    write(pool, move |conn| {
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

/// Records end prices where missing, scores every option of the week and marks it closed.
pub async fn close_week(
    pool: &DbPool,
    week: Sunday,
    source: &impl PriceSource,
    now: NaiveDateTime,
) -> Result<Vec<GameOption>, LifecycleError> {
    let options = load(pool, week).await?;
    let unpriced: Vec<&str> = options
        .iter()
        .filter(|o| o.start_price.is_none())
        .map(|o| o.ticker.as_str())
        .collect();
    if !unpriced.is_empty() {
        return Err(LifecycleError::MissingStartPrices(unpriced.join(", ")));
    }
    let prices = prices_for(&options, |o| o.end_price.is_none(), source).await?;
    let mut ends: Vec<(i64, DbDecimal)> = options
        .iter()
        .filter_map(|o| Some((o.id, o.end_price?)))
        .collect();
    ends.extend(prices.iter().copied());
    let changes: Vec<(i64, rust_decimal::Decimal)> = options
        .iter()
        .filter_map(|o| {
            let start = o.start_price?.0;
            let end = ends.iter().find(|(id, _)| *id == o.id)?.1 .0;
            Some((o.id, scoring::percent_change(start, end)))
        })
        .collect();
    let ranks = scoring::competition_ranks(
        &changes
            .iter()
            .map(|(_, change)| *change)
            .collect::<Vec<_>>(),
    );
    write(pool, move |conn| {
        conn.write_transaction(|conn| {
            for (id, price) in &prices {
                week::set_end_price(conn, *id, *price)?;
            }
            for ((id, change), rank) in changes.iter().zip(&ranks) {
                let score = OptionScore {
                    percent_change: Some(DbDecimal(*change)),
                    rank: Some(i32::try_from(*rank).unwrap_or(i32::MAX)),
                };
                week::set_score(conn, *id, &score)?;
            }
            week::mark_closed(conn, week.date(), now)
        })
    })
    .await?;
    load(pool, week).await
}
