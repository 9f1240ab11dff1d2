//! The portfolio beyond its holdings: its valuation at today's prices, its history against a
//! benchmark, holdings and transactions as CSV (ours, and Ghostfolio's and Wealthfolio's
//! activity files), and what the portfolio's endpoints need, registered once as app data.
//! Nothing here knows of HTTP.

pub mod history;
pub mod holdings_csv;
pub mod in_currency;
pub mod transactions_csv;
pub mod valuation;

use crate::clock::SharedClock;
use crate::domain::calendar::GameCalendar;
use crate::fx::DailyRates;
use crate::prices::{DailyCloses, MarketData};

pub struct Portfolio {
    /// Quotes (Finnhub's, or the latest closes without `FINNHUB_TOKEN`), and Finnhub's
    /// company profiles.
    pub market: MarketData,
    pub closes: DailyCloses,
    /// Exchange rates, for figures in another currency than the ledger's.
    pub rates: DailyRates,
    /// The exchange's calendar (trading days), shared with the game.
    pub calendar: GameCalendar,
    pub clock: SharedClock,
    /// Most tickers on one watch list.
    pub watchlist_max: u32,
}
