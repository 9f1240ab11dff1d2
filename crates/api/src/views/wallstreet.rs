use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::models::selection::SelectionWithTicker;
use crate::models::week::GameOption;
use crate::prices::{Quote, QuoteSource};

/// An option of a week; prices and the result are exact decimals as strings, null until known.
#[derive(Debug, Serialize, ToSchema)]
pub struct OptionView {
    pub id: i64,
    pub ticker: String,
    pub sunday: NaiveDate,
    pub start_price: Option<String>,
    pub end_price: Option<String>,
    pub percent_change: Option<String>,
    pub rank: Option<i32>,
}

impl From<GameOption> for OptionView {
    fn from(option: GameOption) -> Self {
        Self {
            id: option.id,
            ticker: option.ticker,
            sunday: option.sunday,
            start_price: option.start_price.map(|p| p.0.to_string()),
            end_price: option.end_price.map(|p| p.0.to_string()),
            percent_change: option.percent_change.map(|p| p.0.to_string()),
            rank: option.rank,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionView {
    pub id: i64,
    pub option: i64,
    pub ticker: String,
    pub sunday: NaiveDate,
    pub user: i64,
}

impl From<SelectionWithTicker> for SelectionView {
    fn from((selection, ticker): SelectionWithTicker) -> Self {
        Self {
            id: selection.id,
            option: selection.option_id,
            ticker,
            sunday: selection.sunday,
            user: selection.user_id,
        }
    }
}

/// A week's state and options.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekView {
    pub sunday: NaiveDate,
    pub picks_close_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub picks_open: bool,
    pub started: bool,
    pub closed: bool,
    pub options: Vec<OptionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeeklyEntry {
    pub rank: u32,
    pub username: String,
    pub score: String,
    pub picks: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllTimeEntry {
    pub rank: u32,
    pub username: String,
    pub total: String,
    pub average: String,
    pub weeks_played: u32,
}

/// A page of results, shaped like DRF's page-number pagination.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub count: usize,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteView {
    pub symbol: String,
    pub price: String,
    pub change: Option<String>,
    pub percent_change: Option<String>,
    pub previous_close: Option<String>,
    pub time: Option<i64>,
    /// `finnhub` (a latest trade) or `close` (the latest daily close, without FINNHUB_TOKEN).
    pub source: QuoteSource,
    /// The day the price is of (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

impl From<Quote> for QuoteView {
    fn from(quote: Quote) -> Self {
        Self {
            symbol: quote.symbol,
            price: quote.price.to_string(),
            change: quote.change.map(|d| d.to_string()),
            percent_change: quote.percent_change.map(|d| d.to_string()),
            previous_close: quote.previous_close.map(|d| d.to_string()),
            time: quote.time,
            source: quote.source,
            as_of: quote.as_of,
        }
    }
}
