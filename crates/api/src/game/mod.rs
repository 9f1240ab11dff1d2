//! The Wall Street game: its calendar, scoring, the week lifecycle (open, close) shared by the
//! HTTP endpoints, the command line and the scheduler, and the scheduler itself.

pub mod calendar;
pub mod lifecycle;
pub mod scheduler;
pub mod scoring;

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::prices::FinnhubClient;

/// What the game's handlers need, registered once as app data.
pub struct Game {
    pub calendar: calendar::GameCalendar,
    pub clock: SharedClock,
    /// The market-data source, when `FINNHUB_TOKEN` is set.
    pub prices: Option<Arc<FinnhubClient>>,
}
