//! The command line: flags mirror the environment variables (a flag wins over its variable,
//! which wins over `.env`, which wins over the default). Secrets are environment-only so they
//! never show up in `ps` output or shell history.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use shared::logging::LogFormat;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.sqlite3";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";
pub const DEFAULT_TRUSTED_PROXIES: &str = "127.0.0.1/32,::1/128";
/// The web UI through the proxy, and the dev servers of a React client (Create React App's
/// port 3000 and Vite's 5173, the old client's).
pub const DEFAULT_CORS_ORIGINS: &str = "http://localhost:8080,http://127.0.0.1:8080,\
    http://localhost:3000,http://127.0.0.1:3000,\
    http://localhost:5173,http://127.0.0.1:5173";

const ENVIRONMENT_ONLY: &str = "\
Environment only (never flags, so they stay out of process listings):
  SECRET_KEY               JWT signing key. Required outside development: at least 32
                           characters and not a placeholder. In development a random key is
                           made per process (tokens then die with the process).
  API_SUPERUSER_PASSWORD   Password for `createsuperuser`; prompted for when unset.
  FINNHUB_TOKEN            Finnhub API key for quotes and the game's prices. Without it,
                           /api/quotes answers 503 and staff enter prices by hand.
  RUST_LOG                 Log filter, e.g. `info` or `api=debug,actix_web=info` [default: info].
                           Access-log lines use the target `access`.

Settings are read from flags, then the environment, then a `.env` file in the working
directory, then the defaults shown above.";

#[derive(Debug, Parser)]
#[command(
    name = "api",
    version,
    about = "The portfolio and Wall Street game API server."
)]
#[command(after_help = ENVIRONMENT_ONLY)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default), applying pending migrations first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a staff account (password from API_SUPERUSER_PASSWORD, else prompted).
    Createsuperuser {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        email: String,
    },
    /// Exit 0 when the server at API_LISTEN answers /api/health with 200 (container health checks).
    Healthcheck,
    /// Import the Django app's users (passwords kept), holdings and Wall Street history into
    /// DATABASE_URL (migrated first), in one transaction. Safe to re-run: rows already there
    /// are counted, not added. For a PostgreSQL source, give the password in PGPASSWORD (or
    /// ~/.pgpass) rather than in the URL, to keep it out of process listings.
    ImportDjango {
        /// The Django database: postgres://user@host/db, sqlite://path, or a file written by
        /// `manage.py dumpdata`.
        #[arg(long)]
        source: String,
        /// Print the report and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows and report the others; without it, any invalid row stops the
        /// whole import.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Record a game week's start prices (from --prices, which also adds missing tickers as
    /// options, else Finnhub). Safe to re-run.
    OpenWeek {
        /// The week's Sunday, YYYY-MM-DD.
        #[arg(long)]
        sunday: String,
        /// A CSV file of `ticker,price` lines.
        #[arg(long)]
        prices: Option<PathBuf>,
    },
    /// Load daily closes from a CSV file of `symbol,date,close` rows (with that header) into the
    /// price store, replacing stored closes of the same days. All rows or none.
    ImportCloses {
        /// The CSV file.
        file: PathBuf,
    },
    /// Record a game week's end prices (from --prices, else Finnhub), score and rank it. Safe to re-run.
    CloseWeek {
        /// The week's Sunday, YYYY-MM-DD.
        #[arg(long)]
        sunday: String,
        /// A CSV file of `ticker,price` lines.
        #[arg(long)]
        prices: Option<PathBuf>,
        /// Close the week before its last market close.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryProvider {
    Stooq,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Staging,
    Production,
}

#[derive(Debug, Args)]
pub struct Options {
    /// Deployment mode; anything but development insists on a real SECRET_KEY.
    #[arg(
        long = "env",
        env = "APP_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    pub environment: Environment,

    /// Database: postgres://user:pass@host/db or sqlite://path/to/file.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,

    /// Most database connections held open at once.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 10, global = true)]
    pub database_pool_size: u32,

    /// Seconds a request waits for a database connection before answering 503.
    #[arg(
        long,
        env = "DATABASE_TIMEOUT_SECS",
        default_value_t = 5,
        global = true
    )]
    pub database_timeout_secs: u64,

    /// Seconds to keep retrying the database at start-up before giving up.
    #[arg(
        long,
        env = "DATABASE_STARTUP_WAIT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub database_startup_wait_secs: u64,

    /// Address (host:port) the HTTP server listens on.
    #[arg(long, env = "API_LISTEN", default_value = DEFAULT_LISTEN, global = true)]
    pub listen: String,

    /// Worker threads; 0 means one per CPU.
    #[arg(long, env = "API_WORKERS", default_value_t = 0, global = true)]
    pub workers: usize,

    /// Comma-separated origins allowed by CORS (`*` allows any).
    #[arg(long, env = "API_CORS_ORIGINS", default_value = DEFAULT_CORS_ORIGINS, global = true)]
    pub cors_origins: String,

    /// Folder of a built web UI to serve at `/` (development convenience; the proxy does this in
    /// deployments).
    #[arg(long, env = "API_STATIC_DIR", global = true)]
    pub static_dir: Option<PathBuf>,

    /// Access-token lifetime in seconds.
    #[arg(long, env = "ACCESS_TOKEN_LIFETIME_SECS", default_value_t = 15 * 60, global = true)]
    pub access_token_lifetime_secs: u64,

    /// Refresh-token lifetime in seconds.
    #[arg(long, env = "REFRESH_TOKEN_LIFETIME_SECS", default_value_t = 24 * 60 * 60, global = true)]
    pub refresh_token_lifetime_secs: u64,

    /// Base URL of the Finnhub API (the quote endpoint is `<url>/quote`).
    #[arg(
        long,
        env = "FINNHUB_URL",
        default_value = "https://finnhub.io/api/v1",
        global = true
    )]
    pub finnhub_url: String,

    /// Seconds one Finnhub request may take.
    #[arg(long, env = "FINNHUB_TIMEOUT_SECS", default_value_t = 5, global = true)]
    pub finnhub_timeout_secs: u64,

    /// Seconds a fetched quote is reused.
    #[arg(long, env = "QUOTE_CACHE_SECS", default_value_t = 30, global = true)]
    pub quote_cache_secs: u64,

    /// Seconds a symbol Finnhub does not know is remembered as unknown.
    #[arg(
        long,
        env = "QUOTE_UNKNOWN_CACHE_SECS",
        default_value_t = 900,
        global = true
    )]
    pub quote_unknown_cache_secs: u64,

    /// Most Finnhub calls in any minute, across every replica (Finnhub's free plan allows 60);
    /// 0 = no cap.
    #[arg(
        long,
        env = "FINNHUB_CALLS_PER_MINUTE",
        default_value_t = 50,
        global = true
    )]
    pub finnhub_calls_per_minute: u32,

    /// Calls of each minute kept for the game (scheduler and staff steps): users' lookups stop
    /// when only these are left. Less than FINNHUB_CALLS_PER_MINUTE.
    #[arg(
        long,
        env = "FINNHUB_GAME_RESERVE",
        default_value_t = 10,
        global = true
    )]
    pub finnhub_game_reserve: u32,

    /// Most symbols one user may have fetched from Finnhub in any minute (cached ones are
    /// free); 0 = no limit.
    #[arg(
        long,
        env = "QUOTE_USER_SYMBOLS_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub quote_user_symbols_per_minute: u32,

    /// The exchange's time zone, for the game's calendar.
    #[arg(
        long,
        env = "WALLSTREET_TIMEZONE",
        default_value = "America/New_York",
        global = true
    )]
    pub wallstreet_timezone: String,

    /// Market open (HH:MM, exchange time): picks close at Monday's open.
    #[arg(
        long,
        env = "WALLSTREET_MARKET_OPEN",
        default_value = "09:30",
        global = true
    )]
    pub wallstreet_market_open: String,

    /// Market close (HH:MM, exchange time): a week is scored after Friday's close.
    #[arg(
        long,
        env = "WALLSTREET_MARKET_CLOSE",
        default_value = "16:00",
        global = true
    )]
    pub wallstreet_market_close: String,

    /// Comma-separated market holidays (YYYY-MM-DD): picks close at the next trading day's open
    /// and a week ends at its last trading day's close.
    #[arg(long, env = "WALLSTREET_HOLIDAYS", default_value = "", global = true)]
    pub wallstreet_holidays: String,

    /// Run the in-process scheduler that records start prices and closes weeks (needs FINNHUB_TOKEN).
    #[arg(long, env = "WALLSTREET_SCHEDULER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub wallstreet_scheduler: bool,

    /// Seconds between the scheduler's checks.
    #[arg(
        long,
        env = "WALLSTREET_SCHEDULER_INTERVAL_SECS",
        default_value_t = 60,
        global = true
    )]
    pub wallstreet_scheduler_interval_secs: u64,

    /// Where missing daily closes are fetched from: `stooq` (Stooq's daily CSV, no key) or
    /// `none` (only closes already stored or imported).
    #[arg(
        long,
        env = "HISTORY_PROVIDER",
        value_enum,
        default_value = "stooq",
        global = true
    )]
    pub history_provider: HistoryProvider,

    /// Base URL of the history provider's daily CSV.
    #[arg(
        long,
        env = "HISTORY_URL",
        default_value = "https://stooq.com/q/d/l/",
        global = true
    )]
    pub history_url: String,

    /// Seconds one history request may take.
    #[arg(
        long,
        env = "HISTORY_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub history_timeout_secs: u64,

    /// Most tickers on one watch list.
    #[arg(
        long,
        env = "WATCHLIST_MAX_ENTRIES",
        default_value_t = 50,
        global = true
    )]
    pub watchlist_max_entries: u32,

    /// Comma-separated proxy addresses or CIDRs whose X-Forwarded-For / X-Real-IP are believed;
    /// from any other peer the TCP address is the client's. Empty trusts nobody.
    #[arg(long, env = "API_TRUSTED_PROXIES", default_value = DEFAULT_TRUSTED_PROXIES, global = true)]
    pub trusted_proxies: String,

    /// Password hashes computed at once; 0 means one per CPU.
    #[arg(long, env = "API_HASH_THREADS", default_value_t = 0, global = true)]
    pub hash_threads: usize,

    /// Requests that may wait for a hashing thread; past that, logins and registrations are
    /// answered 503 "busy" at once.
    #[arg(long, env = "API_HASH_QUEUE", default_value_t = 16, global = true)]
    pub hash_queue: usize,

    /// Failed logins for one username before it is locked out for a while; 0 turns it off.
    #[arg(
        long,
        env = "API_LOGIN_FAILURES_PER_USERNAME",
        default_value_t = 5,
        global = true
    )]
    pub login_failures_per_username: u32,

    /// Failed logins from one client address (IPv6: one /64) before it is locked out; 0 turns
    /// it off.
    #[arg(
        long,
        env = "API_LOGIN_FAILURES_PER_IP",
        default_value_t = 20,
        global = true
    )]
    pub login_failures_per_ip: u32,

    /// Seconds of the first lock-out; each further failure doubles it.
    #[arg(
        long,
        env = "API_LOGIN_BACKOFF_SECS",
        default_value_t = 30,
        global = true
    )]
    pub login_backoff_secs: u64,

    /// The longest lock-out, in seconds.
    #[arg(
        long,
        env = "API_LOGIN_BACKOFF_MAX_SECS",
        default_value_t = 900,
        global = true
    )]
    pub login_backoff_max_secs: u64,

    /// Seconds after its last failure (and lock-out) that a failed-login count is forgotten.
    #[arg(
        long,
        env = "API_LOGIN_FAILURES_RESET_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub login_failures_reset_secs: u64,

    /// Seconds between deletions of expired login counters and sessions.
    #[arg(
        long,
        env = "API_PRUNE_INTERVAL_SECS",
        default_value_t = 600,
        global = true
    )]
    pub prune_interval_secs: u64,

    /// Log lines as text (for people) or one JSON object each (for log collectors).
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT.
    #[arg(
        long,
        env = "API_SHUTDOWN_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout_secs: u64,
}
