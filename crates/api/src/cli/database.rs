//! The Database settings: where the data lives, and how the pool waits on it.

use clap::Args;

use super::DEFAULT_DATABASE_URL;

#[derive(Debug, Args)]
#[command(next_help_heading = "Database")]
pub struct DatabaseOptions {
    /// Database: postgres://user:pass@host/db or sqlite://path/to/file.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,

    /// Most database connections held open at once.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 10)]
    pub database_pool_size: u32,

    /// Seconds a request waits for a database connection before answering 503.
    #[arg(long, env = "DATABASE_TIMEOUT_SECS", default_value_t = 5)]
    pub database_timeout_secs: u64,

    /// Seconds to keep retrying the database at start-up before giving up.
    #[arg(long, env = "DATABASE_STARTUP_WAIT_SECS", default_value_t = 30)]
    pub database_startup_wait_secs: u64,
}
