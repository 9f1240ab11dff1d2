//! The command line: flags mirror the environment variables (a flag wins over its variable,
//! which wins over `.env`, which wins over the default). Secrets are environment-only so they
//! never show up in `ps` output or shell history.
//!
//! The settings come in groups, one per help heading, and each command flattens only the
//! groups it reads, so `api migrate --help` shows the database and not CORS or Finnhub. The
//! server reads them all ([`Options`]): `api --help` and `api serve --help` list every one.

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

// The environment-only settings, one macro each so every command's help can list just the
// ones it reads (`concat!` takes literals only).
macro_rules! environment_only {
    () => {
        "Environment only (never flags, so they stay out of process listings):\n"
    };
}
macro_rules! secret_key {
    () => {
        "  SECRET_KEY               JWT signing key. Required outside development: at least 32
                           characters and not a placeholder. In development a random key is
                           made per process (tokens then die with the process).\n"
    };
}
macro_rules! superuser_password {
    () => {
        "  API_SUPERUSER_PASSWORD   Password for `createsuperuser`; prompted for when unset.\n"
    };
}
macro_rules! finnhub_token {
    () => {
        "  FINNHUB_TOKEN            Finnhub API key for quotes and the game's prices. Without it,
                           /api/quotes answers 503 and staff enter prices by hand.\n"
    };
}
macro_rules! game_finnhub_token {
    () => {
        "  FINNHUB_TOKEN            Finnhub API key, for the prices when no --prices file is given.\n"
    };
}
macro_rules! rust_log {
    () => {
        "  RUST_LOG                 Log filter, e.g. `info` or `api=debug,actix_web=info` [default: info].
                           Access-log lines use the target `access`.\n"
    };
}
macro_rules! command_rust_log {
    () => {
        "  RUST_LOG                 Log filter, e.g. `info` (the default) or `api=debug`.\n"
    };
}
macro_rules! precedence {
    () => {
        "\nSettings come from flags, then the environment, then ./.env, then the defaults shown."
    };
}

const EVERY_SETTING_HELP: &str = concat!(
    environment_only!(),
    secret_key!(),
    superuser_password!(),
    finnhub_token!(),
    rust_log!(),
    "\nA command's flags follow it (`api migrate --database-url URL`); `api <command> --help`
shows the settings that command reads.\n",
    precedence!()
);
const SERVE_HELP: &str = concat!(
    environment_only!(),
    secret_key!(),
    finnhub_token!(),
    rust_log!(),
    precedence!()
);
// A command's help must fit on one screen: one line a setting.
const SUPERUSER_HELP: &str = concat!(
    environment_only!(),
    superuser_password!(),
    command_rust_log!(),
    precedence!()
);
const MARKET_COMMAND_HELP: &str = concat!(
    environment_only!(),
    game_finnhub_token!(),
    command_rust_log!(),
    precedence!()
);
const COMMAND_HELP: &str = concat!(environment_only!(), command_rust_log!(), precedence!());

/// Without a command the server runs, with the settings given here.
#[derive(Debug, Parser)]
#[command(
    name = "api",
    version,
    about = "The portfolio and Wall Street game API server.",
    after_help = EVERY_SETTING_HELP,
    // A setting before a command would otherwise be read for the server and silently not for
    // the command; refused, it says where it belongs.
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    // Before the server's groups: clap's derive lets a group's heading run on into the
    // arguments that follow it, and this one belongs to no group.
    #[command(flatten)]
    pub logging: LoggingOptions,
    #[command(flatten)]
    pub server: Options,
    #[command(subcommand)]
    pub command: Option<Command>,
}

// Parsed once per process: the server's settings need no box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default), applying pending migrations first.
    #[command(after_help = SERVE_HELP)]
    Serve(Options),
    /// Apply pending database migrations and exit.
    #[command(after_help = COMMAND_HELP)]
    Migrate {
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Create a staff account (password from API_SUPERUSER_PASSWORD, else prompted).
    #[command(after_help = SUPERUSER_HELP)]
    Createsuperuser {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        email: String,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Exit 0 when the server at API_LISTEN answers /api/health with 200 (container health checks).
    #[command(after_help = COMMAND_HELP)]
    Healthcheck {
        #[command(flatten)]
        listen: ListenOptions,
    },
    /// Import the Django app's users (passwords kept), holdings and Wall Street history into
    /// DATABASE_URL (migrated first), in one transaction. Safe to re-run: rows already there
    /// are counted, not added. For a PostgreSQL source, give the password in PGPASSWORD (or
    /// ~/.pgpass) rather than in the URL, to keep it out of process listings.
    #[command(after_help = COMMAND_HELP)]
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
        #[command(flatten)]
        database: DatabaseOptions,
        // The calendar tells which imported weeks are over.
        #[command(flatten)]
        game: GameOptions,
    },
    /// Record a game week's start prices (from --prices, which also adds missing tickers as
    /// options, else Finnhub). Safe to re-run.
    #[command(after_help = MARKET_COMMAND_HELP)]
    OpenWeek {
        #[command(flatten)]
        week: WeekOptions,
        #[command(flatten)]
        database: DatabaseOptions,
        #[command(flatten)]
        quotes: QuoteOptions,
    },
    /// Copy the SQLite database to a new file while the server keeps running (SQLite's VACUUM
    /// INTO), and check the copy. On PostgreSQL it says to use pg_dump and exits 2.
    #[command(after_help = COMMAND_HELP)]
    Backup {
        /// The new file to write.
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Write everything the app owns (accounts with their password hashes, ledgers, watch
    /// lists, the game, stored closes) to a new file, as one JSON document, while the server
    /// keeps running. Sessions and login counters are left out.
    #[command(after_help = COMMAND_HELP)]
    Export {
        /// The new file to write (readable by its owner only: it holds password hashes).
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Load a file written by `api export` into DATABASE_URL (migrated first), keeping every
    /// id, in one transaction. The database must be empty: it is refused otherwise.
    #[command(after_help = COMMAND_HELP)]
    Import {
        /// The file `api export` wrote.
        #[arg(long)]
        input: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Load daily closes from a CSV file of `symbol,date,close` rows (with that header) into the
    /// price store, replacing stored closes of the same days. All rows or none.
    #[command(after_help = COMMAND_HELP)]
    ImportCloses {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseOptions,
    },
    /// Record a game week's end prices (from --prices, else Finnhub), score and rank it. Safe to re-run.
    #[command(after_help = MARKET_COMMAND_HELP)]
    CloseWeek {
        #[command(flatten)]
        week: WeekOptions,
        /// Close the week before its last market close.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        database: DatabaseOptions,
        #[command(flatten)]
        game: GameOptions,
        #[command(flatten)]
        quotes: QuoteOptions,
    },
}

/// Which week `open-week` and `close-week` work on, and the prices given by hand.
#[derive(Debug, Args)]
pub struct WeekOptions {
    /// The week's Sunday, YYYY-MM-DD.
    #[arg(long)]
    pub sunday: String,
    /// A CSV file of `ticker,price` lines.
    #[arg(long)]
    pub prices: Option<PathBuf>,
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

/// Everything the server reads, group by group.
#[derive(Debug, Args)]
pub struct Options {
    #[command(flatten)]
    pub database: DatabaseOptions,
    #[command(flatten)]
    pub listen: ListenOptions,
    #[command(flatten)]
    pub http: HttpOptions,
    #[command(flatten)]
    pub tokens: TokenOptions,
    #[command(flatten)]
    pub logins: LoginOptions,
    #[command(flatten)]
    pub game: GameOptions,
    #[command(flatten)]
    pub scheduler: SchedulerOptions,
    #[command(flatten)]
    pub quotes: QuoteOptions,
    #[command(flatten)]
    pub user_quotes: UserQuoteOptions,
    #[command(flatten)]
    pub portfolio: PortfolioOptions,
}

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

/// The server's address on its own, for `healthcheck`, which asks the server there.
#[derive(Debug, Args)]
#[command(next_help_heading = "HTTP")]
pub struct ListenOptions {
    /// Address (host:port) the HTTP server listens on.
    #[arg(long, env = "API_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: String,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "HTTP")]
pub struct HttpOptions {
    /// Worker threads; 0 means one per CPU.
    #[arg(long, env = "API_WORKERS", default_value_t = 0)]
    pub workers: usize,

    /// Comma-separated origins allowed by CORS (`*` allows any).
    #[arg(long, env = "API_CORS_ORIGINS", default_value = DEFAULT_CORS_ORIGINS)]
    pub cors_origins: String,

    /// Folder of a built web UI to serve at `/` (development convenience; the proxy does this in
    /// deployments).
    #[arg(long, env = "API_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Comma-separated proxy addresses or CIDRs whose X-Forwarded-For / X-Real-IP are believed;
    /// from any other peer the TCP address is the client's. Empty trusts nobody.
    #[arg(long, env = "API_TRUSTED_PROXIES", default_value = DEFAULT_TRUSTED_PROXIES)]
    pub trusted_proxies: String,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT.
    #[arg(long, env = "API_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Tokens")]
pub struct TokenOptions {
    /// Deployment mode; anything but development insists on a real SECRET_KEY.
    #[arg(
        long = "env",
        env = "APP_ENV",
        value_enum,
        default_value = "development"
    )]
    pub environment: Environment,

    /// Access-token lifetime in seconds.
    #[arg(long, env = "ACCESS_TOKEN_LIFETIME_SECS", default_value_t = 15 * 60)]
    pub access_token_lifetime_secs: u64,

    /// Refresh-token lifetime in seconds.
    #[arg(long, env = "REFRESH_TOKEN_LIFETIME_SECS", default_value_t = 24 * 60 * 60)]
    pub refresh_token_lifetime_secs: u64,

    /// Milliseconds a token's account check is reused by this process. Logouts, password
    /// changes and deletions made through this process take effect at once; changes made
    /// elsewhere (another replica, SQL, an admin command) within this. 0 checks every request.
    #[arg(long, env = "ACCOUNT_CACHE_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub account_cache_ms: u64,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Logins")]
pub struct LoginOptions {
    /// Password hashes computed at once; 0 means one per CPU.
    #[arg(long, env = "API_HASH_THREADS", default_value_t = 0)]
    pub hash_threads: usize,

    /// Requests that may wait for a hashing thread; past that, logins and registrations are
    /// answered 503 "busy" at once.
    #[arg(long, env = "API_HASH_QUEUE", default_value_t = 16)]
    pub hash_queue: usize,

    /// Failed logins for one username from one client address before that pair is locked out
    /// for a while; 0 turns it off.
    #[arg(long, env = "API_LOGIN_FAILURES_PER_USERNAME", default_value_t = 5)]
    pub login_failures_per_username: u32,

    /// Failed logins for one username from all addresses together before it is locked out,
    /// except at addresses its owner logged in from (within the refresh-token lifetime); 0
    /// turns it off.
    #[arg(long, env = "API_LOGIN_FAILURES_PER_ACCOUNT", default_value_t = 100)]
    pub login_failures_per_account: u32,

    /// Failed logins from one client address (IPv6: one /64) before it is locked out; 0 turns
    /// it off.
    #[arg(long, env = "API_LOGIN_FAILURES_PER_IP", default_value_t = 20)]
    pub login_failures_per_ip: u32,

    /// Seconds of the first lock-out; each further failure doubles it.
    #[arg(long, env = "API_LOGIN_BACKOFF_SECS", default_value_t = 30)]
    pub login_backoff_secs: u64,

    /// The longest lock-out, in seconds.
    #[arg(long, env = "API_LOGIN_BACKOFF_MAX_SECS", default_value_t = 900)]
    pub login_backoff_max_secs: u64,

    /// Seconds after its last failure (and lock-out) that a failed-login count is forgotten.
    #[arg(long, env = "API_LOGIN_FAILURES_RESET_SECS", default_value_t = 3600)]
    pub login_failures_reset_secs: u64,

    /// Seconds between deletions of expired login counters and sessions.
    #[arg(long, env = "API_PRUNE_INTERVAL_SECS", default_value_t = 600)]
    pub prune_interval_secs: u64,
}

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

/// Every command logs, so this one is global; it sits with each command's own flags.
#[derive(Debug, Args)]
pub struct LoggingOptions {
    /// Log lines as `text` (for people) or `json`, one object each (for log collectors).
    // The values are named above: listed with their descriptions, they would switch every
    // command's `--help` to clap's long layout, three times the lines.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text",
        hide_possible_values = true,
        global = true
    )]
    pub log_format: LogFormat,
}
