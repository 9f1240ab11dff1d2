//! The Quotes settings: Finnhub, its budget and caching, overall and per user.

use clap::Args;

/// Finnhub, as the game's steps use it too (with FINNHUB_TOKEN).
#[derive(Debug, Args)]
#[command(next_help_heading = "Quotes")]
pub struct QuoteOptions {
    /// Base URL of the Finnhub API (the quote endpoint is `<url>/quote`).
    #[arg(long, env = "FINNHUB_URL", default_value = "https://finnhub.io/api/v1")]
    pub finnhub_url: String,

    /// Seconds one Finnhub request may take.
    #[arg(long, env = "FINNHUB_TIMEOUT_SECS", default_value_t = 5)]
    pub finnhub_timeout_secs: u64,

    /// Seconds a fetched quote is reused.
    #[arg(long, env = "QUOTE_CACHE_SECS", default_value_t = 30)]
    pub quote_cache_secs: u64,

    /// Seconds a symbol Finnhub does not know is remembered as unknown.
    #[arg(long, env = "QUOTE_UNKNOWN_CACHE_SECS", default_value_t = 900)]
    pub quote_unknown_cache_secs: u64,

    /// Most Finnhub calls in any minute, across every replica (Finnhub's free plan allows 60);
    /// 0 = no cap.
    #[arg(long, env = "FINNHUB_CALLS_PER_MINUTE", default_value_t = 50)]
    pub finnhub_calls_per_minute: u32,
}

/// The users' share of Finnhub: only the server serves users.
#[derive(Debug, Args)]
#[command(next_help_heading = "Quotes")]
pub struct UserQuoteOptions {
    /// Calls of each minute kept for the game (scheduler and staff steps): users' lookups stop
    /// when only these are left. Less than FINNHUB_CALLS_PER_MINUTE.
    #[arg(long, env = "FINNHUB_GAME_RESERVE", default_value_t = 10)]
    pub finnhub_game_reserve: u32,

    /// Most symbols one user may have fetched from Finnhub in any minute (cached ones are
    /// free); 0 = no limit.
    #[arg(long, env = "QUOTE_USER_SYMBOLS_PER_MINUTE", default_value_t = 30)]
    pub quote_user_symbols_per_minute: u32,
}
