//! The Portfolio settings: the daily closes' history provider, the exchange-rate provider,
//! and the watch list.

use clap::Args;

use super::{FxProvider, HistoryProvider};

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

    /// Where missing exchange rates are fetched from: `ecb` (the European Central Bank's daily
    /// reference rates, no key) or `none` (only rates imported with `api import-fx`).
    #[arg(long, env = "FX_PROVIDER", value_enum, default_value = "ecb")]
    pub fx_provider: FxProvider,

    /// Base URL of the ECB's exchange-rate data (`<url>/D.USD.EUR.SP00.A?format=csvdata`).
    #[arg(
        long,
        env = "FX_URL",
        default_value = "https://data-api.ecb.europa.eu/service/data/EXR"
    )]
    pub fx_url: String,

    /// Seconds one exchange-rate request may take.
    #[arg(long, env = "FX_TIMEOUT_SECS", default_value_t = 10)]
    pub fx_timeout_secs: u64,

    /// Most tickers on one watch list.
    #[arg(long, env = "WATCHLIST_MAX_ENTRIES", default_value_t = 50)]
    pub watchlist_max_entries: u32,
}
