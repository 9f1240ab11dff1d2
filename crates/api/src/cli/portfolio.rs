//! The Portfolio settings: the daily closes' history provider, and the watch list.

use clap::Args;

use super::HistoryProvider;

#[derive(Debug, Args)]
#[command(next_help_heading = "Portfolio")]
pub struct PortfolioOptions {
    /// Where missing daily closes are fetched from: `stooq` (Stooq's daily CSV, no key) or
    /// `none` (only closes already stored or imported).
    #[arg(long, env = "HISTORY_PROVIDER", value_enum, default_value = "stooq")]
    pub history_provider: HistoryProvider,

    /// Base URL of the history provider's daily CSV.
    #[arg(long, env = "HISTORY_URL", default_value = "https://stooq.com/q/d/l/")]
    pub history_url: String,

    /// Seconds one history request may take.
    #[arg(long, env = "HISTORY_TIMEOUT_SECS", default_value_t = 10)]
    pub history_timeout_secs: u64,

    /// Most tickers on one watch list.
    #[arg(long, env = "WATCHLIST_MAX_ENTRIES", default_value_t = 50)]
    pub watchlist_max_entries: u32,
}
