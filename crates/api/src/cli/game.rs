//! The Game settings: the weekly game's calendar, and its scheduler.

use clap::Args;

/// The game's calendar.
#[derive(Debug, Args)]
#[command(next_help_heading = "Game")]
pub struct GameOptions {
    /// The exchange's time zone, for the game's calendar.
    #[arg(long, env = "WALLSTREET_TIMEZONE", default_value = "America/New_York")]
    pub wallstreet_timezone: String,

    /// Market open (HH:MM, exchange time): picks close at Monday's open.
    #[arg(long, env = "WALLSTREET_MARKET_OPEN", default_value = "09:30")]
    pub wallstreet_market_open: String,

    /// Market close (HH:MM, exchange time): a week is scored after Friday's close.
    #[arg(long, env = "WALLSTREET_MARKET_CLOSE", default_value = "16:00")]
    pub wallstreet_market_close: String,

    /// Comma-separated market holidays (YYYY-MM-DD): picks close at the next trading day's open
    /// and a week ends at its last trading day's close.
    #[arg(long, env = "WALLSTREET_HOLIDAYS", default_value = "")]
    pub wallstreet_holidays: String,
}

/// The server's own game scheduler.
#[derive(Debug, Args)]
#[command(next_help_heading = "Game")]
pub struct SchedulerOptions {
    /// Run the in-process scheduler that records start prices and closes weeks (needs FINNHUB_TOKEN).
    #[arg(long, env = "WALLSTREET_SCHEDULER", default_value_t = true, action = clap::ArgAction::Set)]
    pub wallstreet_scheduler: bool,

    /// Seconds between the scheduler's checks.
    #[arg(long, env = "WALLSTREET_SCHEDULER_INTERVAL_SECS", default_value_t = 60)]
    pub wallstreet_scheduler_interval_secs: u64,
}
