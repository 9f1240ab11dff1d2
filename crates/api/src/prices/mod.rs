//! Where share prices come from: Finnhub (the one real market-data source) through
//! [`MarketData`] (`market`: the cache in `cache`, the budget in `budget`, the HTTP calls in
//! `finnhub`), or prices staff type in or upload. The game's lifecycle works with either
//! through [`PriceSource`]. Daily closes for the portfolio's history are kept by
//! [`DailyCloses`] (`closes`), which backfills from a `history` provider.

pub mod budget;
pub(crate) mod cache;
mod closes;
mod finnhub;
pub mod history;
mod market;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::db::DbError;

pub use budget::{Budget, BudgetSettings};
pub use closes::{CloseRange, Closes, DailyCloses};
pub use finnhub::FinnhubSettings;
pub use market::{MarketData, QuoteCaching};

/// The HTTP client of every market-data provider (Finnhub, the history provider, the ECB):
/// `timeout` for connecting and for the whole request, and our name as the user agent.
pub fn provider_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("fattore-api/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| err.to_string())
}

/// A latest quote for one symbol, in units of its listing currency (pounds, not pence).
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub symbol: String,
    pub price: Decimal,
    pub change: Option<Decimal>,
    pub percent_change: Option<Decimal>,
    pub previous_close: Option<Decimal>,
    /// Unix time of the quote, as the provider reports it.
    pub time: Option<i64>,
    pub source: QuoteSource,
    /// The day the price is of: the quote's day, or the close's.
    pub as_of: Option<NaiveDate>,
}

/// Where a quote's price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuoteSource {
    /// Finnhub's latest trade (with `FINNHUB_TOKEN`).
    Finnhub,
    /// The history provider's latest daily close (without `FINNHUB_TOKEN`).
    Close,
    /// Given by staff for the game (never shown as a quote).
    Manual,
}

/// What a company profile says about a symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: Option<String>,
    /// In dollars.
    pub market_cap: Option<Decimal>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum PriceError {
    #[error("no price is known for {0}")]
    UnknownSymbol(String),
    #[error("the price provider is unavailable: {0}")]
    Unavailable(String),
    /// The market-data budget is spent for now (see `budget`).
    #[error("the market-data budget is spent; try again in {retry_after:?}")]
    Throttled { retry_after: Duration },
    /// The database behind the budget or the closes store failed; shared because one outcome
    /// may reach several callers.
    #[error("market data could not be read or recorded")]
    Database(#[source] Arc<DbError>),
}

pub trait PriceSource: Send + Sync {
    fn quote(&self, symbol: &str) -> impl Future<Output = Result<Quote, PriceError>> + Send;
}

/// Prices given by hand (staff requests, `--prices file.csv`).
#[derive(Debug, Clone, Default)]
pub struct ManualPrices(HashMap<String, Decimal>);

impl ManualPrices {
    pub fn new(prices: HashMap<String, Decimal>) -> Self {
        Self(
            prices
                .into_iter()
                .map(|(ticker, price)| (ticker.to_ascii_uppercase(), price))
                .collect(),
        )
    }

    /// Reads `ticker,price` lines (a header line and blank lines are skipped).
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut prices = HashMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || (number == 0 && line.to_ascii_lowercase().starts_with("ticker")) {
                continue;
            }
            let (ticker, price) = line
                .split_once(',')
                .ok_or_else(|| format!("line {}: expected ticker,price", number + 1))?;
            let price = crate::domain::Price::parse(price.trim())
                .map_err(|err| format!("line {}: {err}", number + 1))?;
            prices.insert(ticker.trim().to_ascii_uppercase(), price.value());
        }
        Ok(Self(prices))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, ticker: &str) -> Option<Decimal> {
        self.0.get(ticker).copied()
    }

    /// The tickers given, as valid tickers (for opening a week from a price list).
    pub fn tickers(&self) -> Result<Vec<crate::domain::Ticker>, String> {
        let mut tickers: Vec<_> = self
            .0
            .keys()
            .map(|t| crate::domain::Ticker::parse(t))
            .collect::<Result<_, _>>()?;
        tickers.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(tickers)
    }
}

impl PriceSource for ManualPrices {
    async fn quote(&self, symbol: &str) -> Result<Quote, PriceError> {
        let price = self
            .0
            .get(symbol)
            .ok_or_else(|| PriceError::UnknownSymbol(symbol.to_owned()))?;
        Ok(Quote {
            symbol: symbol.to_owned(),
            price: *price,
            change: None,
            percent_change: None,
            previous_close: None,
            time: None,
            source: QuoteSource::Manual,
            as_of: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_prices_are_exact_and_upper_cased() {
        let prices = ManualPrices::from_csv("ticker,price\nspy, 412.5\n\nVTI,230.1234\n").unwrap();
        assert_eq!(prices.0["SPY"].to_string(), "412.5000");
        assert_eq!(prices.0["VTI"].to_string(), "230.1234");
        assert!(ManualPrices::from_csv("SPY 412")
            .unwrap_err()
            .contains("line 1"));
        assert!(ManualPrices::from_csv("SPY,-1").is_err());
    }
}
