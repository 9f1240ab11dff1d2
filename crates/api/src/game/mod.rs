//! The Wall Street game (its calendar is the trading calendar in [`crate::domain::calendar`]):
//! scoring, the players' picks, the week lifecycle (open,
//! close) shared by the HTTP endpoints, the command line and the scheduler, and the scheduler
//! itself. Nothing here knows of HTTP; failures are [`GameError`]s.

mod error;
pub mod lifecycle;
pub mod picks;
pub mod scheduler;
pub mod scoring;

pub use error::GameError;

use crate::clock::SharedClock;
use crate::domain::calendar::GameCalendar;
use crate::prices::MarketData;

/// What the game's handlers need, registered once as app data.
pub struct Game {
    pub calendar: GameCalendar,
    pub clock: SharedClock,
    /// The market-data source, when `FINNHUB_TOKEN` is set.
    pub prices: Option<MarketData>,
}
