use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Ticker;
use crate::prices::{Profile, Quote, QuoteSource};

/// A watch-list entry: the latest price and day change (absolute and percent) from the quote,
/// the name and market cap (in dollars) from the company profile; null where unknown.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatchEntryView {
    pub ticker: String,
    /// The ISO 4217 code the ticker is listed in: what `price` and `change` are in.
    #[schema(example = "USD")]
    pub currency: &'static str,
    pub name: Option<String>,
    pub price: Option<String>,
    pub change: Option<String>,
    pub change_percent: Option<String>,
    pub market_cap: Option<String>,
    /// Where the price comes from: `finnhub` or `close` (null without a price).
    pub source: Option<QuoteSource>,
    /// The day the price is of.
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

impl WatchEntryView {
    pub fn new(ticker: Ticker, quote: Option<Quote>, profile: Option<Profile>) -> Self {
        let (name, market_cap) = profile.map_or((None, None), |p| (p.name, p.market_cap));
        Self {
            currency: ticker.listing_currency(),
            ticker: ticker.into_inner(),
            name,
            price: quote.as_ref().map(|q| q.price.to_string()),
            change: quote.as_ref().and_then(|q| q.change).map(|d| d.to_string()),
            change_percent: quote
                .as_ref()
                .and_then(|q| q.percent_change)
                .map(|d| d.to_string()),
            market_cap: market_cap.map(|cap| cap.normalize().to_string()),
            source: quote.as_ref().map(|q| q.source),
            as_of: quote.as_ref().and_then(|q| q.as_of),
        }
    }
}
